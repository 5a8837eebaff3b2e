from datetime import date
from pathlib import Path

import pytest

from agencies.models import Agency
from agencies.services import agencies_load, membership_grant

pytest_plugins = ["tests.fixtures.workflow"]

SMALL = Path(__file__).parent / "agencies" / "data" / "small.yaml"
REFERENCE = Path(__file__).resolve().parent.parent / "agencies" / "data" / "quang_tri.yaml"


@pytest.fixture
def small_tree(db):
    """The small test province of tests/agencies/data/small.yaml, loaded by the real loader."""
    agencies_load(actor=None, text=SMALL.read_text(encoding="utf-8"))
    return {agency.code: agency for agency in Agency.objects.all()}


@pytest.fixture
def reference_tree(db):
    """The shipped Quảng Trị reference data."""
    agencies_load(actor=None, text=REFERENCE.read_text(encoding="utf-8"))
    return {agency.code: agency for agency in Agency.objects.all()}


@pytest.fixture
def user_with_role(db, django_user_model):
    """Make a user holding ``role`` in ``agency`` from ``valid_from`` (granted by the service)."""
    counter = {"n": 0}

    def make(role, agency, valid_from=date(2024, 1, 1), valid_until=None, username=None):
        counter["n"] += 1
        user = django_user_model.objects.create_user(
            username=username or f"{role}-{agency.code}-{counter['n']}".lower(),
            password="pw-Secret-1",
        )
        membership_grant(
            actor=None,
            user=user,
            agency=agency,
            role=role,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        return user

    return make
