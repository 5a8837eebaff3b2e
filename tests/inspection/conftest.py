"""The inspection's shared setup lives in tests/fixtures/inspection.py (a plugin of
tests/conftest.py, so the browser tests have it too); its helpers are named here as well."""

from tests.fixtures.inspection import World, fill, make_template, today

__all__ = ["World", "fill", "make_template", "today"]
