import os
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from pytest_django.plugin import blocking_manager_key

from agencies.models import Agency, User
from agencies.services import agencies_load, membership_grant

pytest_plugins = ["tests.fixtures.workflow", "tests.fixtures.inspection"]

SMALL = Path(__file__).parent / "agencies" / "data" / "small.yaml"
REFERENCE = Path(__file__).resolve().parent.parent / "agencies" / "data" / "quang_tri.yaml"
PASSWORD = "pw-Secret-1"

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}
MIGRATED = pytest.StashKey[str]()


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


def _uses_db(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(item.get_closest_marker("django_db") or "db" in names or _transactional(item))


# A test with real transactions (browser journeys, races) ends by flushing the database, which
# also empties what the migrations wrote (the default escalation policy, the calendar, content
# types). pytest-django runs such tests last for that reason; under xdist a module mixing both
# kinds would still leave the tests after it on that worker without that data. So the data
# written by the migrations is copied once the test database exists and put back after each such
# test: every test starts from the migrated database, whatever ran before it on its worker.


# On PostgreSQL a test's rows are rolled back but the pages they took stay; autovacuum then counts
# such a table as holding no rows over those pages (pg_class is written in place, not rolled
# back), and the planner reads every later table as empty, whatever a test writes into it: the
# demo's reorganisation took ten minutes instead of thirty seconds after the benchmark module. The
# test database's tables are left to the tests.


def _autovacuum_off() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format('ALTER TABLE %I SET (autovacuum_enabled = off)', relname) "
            "FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
        for (sql,) in cursor.fetchall():
            cursor.execute(sql)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            _autovacuum_off()
    if any(_transactional(item) for item in request.session.items):
        with django_db_blocker.unblock():
            request.config.stash[MIGRATED] = (
                connection.settings_dict["NAME"],
                connection.creation.serialize_db_to_string(),
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        name, migrated = item.config.stash.get(MIGRATED, (None, None))
        # Only while the test database still exists (after the last test it is gone, and the
        # settings name the real database again) and only when another test follows.
        if (
            migrated is not None
            and nextitem is not None
            and _transactional(item)
            and connection.settings_dict["NAME"] == name
        ):
            with item.config.stash[blocking_manager_key].unblock():
                call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
                connection.creation.deserialize_db_from_string(migrated)
            ContentType.objects.clear_cache()


class SlowModulesFirst:
    """Under xdist (`--dist loadfile --no-loadscope-reorder`), give out the modules marked
    ``slow`` first, then the others by their number of tests, so no worker is left with a long
    module at the end; tests with real transactions stay last, as pytest-django orders them."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        modules: dict = {}
        for item in items:
            modules.setdefault(item.path, []).append(item)

        def rank(path):
            module = modules[path]
            return (not any(i.get_closest_marker("slow") for i in module), -len(module))

        order = {path: n for n, path in enumerate(sorted(modules, key=rank))}
        items.sort(key=lambda item: (_transactional(item), order[item.path]))


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        config.pluginmanager.register(SlowModulesFirst(), "slow-modules-first")


# A module's tests may share data loaded once for the module: ``module_db`` wraps the module in
# one transaction (as Django's setUpTestData), rolled back after its last test. It is safe only
# when every database test of the module asks for the shared data and none needs real
# transactions; the ``*_shared`` fixtures check that (``share``) and otherwise let each test
# load its own data, as before.


def _module_db_tests(request) -> list:
    return [
        item
        for item in request.session.items
        if getattr(item, "path", None) == request.node.path and _uses_db(item)
    ]


def _may_share(request, fixture: str) -> bool:
    """May this module load ``fixture``'s data once for all its tests?"""
    return all(
        fixture in item.fixturenames and not _transactional(item)
        for item in _module_db_tests(request)
    )


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture(scope="module")
def module_db(request, django_db_setup, django_db_blocker):
    """One transaction around a whole module, rolled back after its last test.

    Module-scoped fixtures built on it write data once for the module; each test still runs in
    its own savepoint, so what a test writes is rolled back after it, and nothing written here
    is seen by another module: after the rollback every table must hold as many rows as before.
    """
    wrong = [
        item.nodeid
        for item in _module_db_tests(request)
        if _transactional(item) or not {"module_db", *SHARED} & set(item.fixturenames)
    ]
    if wrong:
        raise pytest.UsageError(
            f"{request.node.path.name} shares data across its tests (module_db): every "
            f"database test in it must use that data and none may be transactional; move {wrong}"
        )
    with django_db_blocker.unblock():
        before = _row_counts()
        outer = transaction.atomic(using=DEFAULT_DB_ALIAS)
        outer._from_testcase = True  # like TestCase's class-level atomic: durable blocks nest
        outer.__enter__()
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
        outer.__exit__(None, None, None)
        after = _row_counts()
    leaked = {label: after[label] - n for label, n in before.items() if after[label] != n}
    assert not leaked, f"module data was not rolled back: {leaked}"


def share(request, fixture: str, *needs) -> bool:
    """For a module-scoped ``fixture``: True, with ``module_db`` open, when this module may load
    its data once (every database test of the module uses it, none is transactional, and the
    shared data it builds on, ``needs``, is shared too); else False, to load it per test."""
    if not all(needs) or not _may_share(request, fixture):
        return False
    request.getfixturevalue("module_db")
    return True


@pytest.fixture(scope="module")
def small_tree_shared(request, django_db_blocker):
    """True when the small tree is loaded once for this module (see ``share``)."""
    if not share(request, "small_tree_shared"):
        return False
    with django_db_blocker.unblock():
        agencies_load(actor=None, text=SMALL.read_text(encoding="utf-8"))
    return True


@pytest.fixture(scope="module")
def reference_tree_shared(request, django_db_blocker):
    """True when the reference tree is loaded once for this module (see ``share``)."""
    if not share(request, "reference_tree_shared"):
        return False
    with django_db_blocker.unblock():
        agencies_load(actor=None, text=REFERENCE.read_text(encoding="utf-8"))
    return True


# Module-scoped fixtures that load shared data through ``share`` (module_db checks for them).
SHARED = (
    "small_tree_shared",
    "reference_tree_shared",
    "people_shared",
    "directive_shared",
    "assignment_shared",
)


@pytest.fixture
def small_tree(small_tree_shared, db):
    """The small test province of tests/agencies/data/small.yaml, loaded by the real loader
    (once per module where every database test uses it; else for each test)."""
    if not small_tree_shared:
        agencies_load(actor=None, text=SMALL.read_text(encoding="utf-8"))
    return {agency.code: agency for agency in Agency.objects.all()}


@pytest.fixture
def reference_tree(reference_tree_shared, db):
    """The shipped Quảng Trị reference data, loaded by the real loader (once per module where
    every database test uses it; else for each test). A test's own writes are rolled back after
    it either way."""
    if not reference_tree_shared:
        agencies_load(actor=None, text=REFERENCE.read_text(encoding="utf-8"))
    return {agency.code: agency for agency in Agency.objects.all()}


def grant(role, agency, valid_from=date(2024, 1, 1), valid_until=None, *, username) -> User:
    """A new user holding ``role`` in ``agency`` from ``valid_from`` (granted by the service)."""
    user = User.objects.create_user(username=username, password=PASSWORD)
    membership_grant(
        actor=None,
        user=user,
        agency=agency,
        role=role,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return user


@pytest.fixture
def user_with_role(db):
    """Make a user holding ``role`` in ``agency`` from ``valid_from`` (granted by the service)."""
    counter = {"n": 0}

    def make(role, agency, valid_from=date(2024, 1, 1), valid_until=None, username=None):
        counter["n"] += 1
        username = username or f"{role}-{agency.code}-{counter['n']}".lower()
        return grant(role, agency, valid_from, valid_until, username=username)

    return make


# The security figures `make test` prints at its end (issue 11): each test that tries many
# cases records how many it tried and how many failed, and the summary adds them up across
# the xdist workers (a report's user_properties travel to the controller).
FIGURE = "security_figure"


@pytest.fixture
def figure(request):
    """``figure(name, tried, failed=0)`` records one count for the end-of-run summary."""

    def record(name: str, tried: int, failed: int = 0) -> None:
        request.node.user_properties.append((FIGURE, (name, tried, failed)))

    return record


def pytest_terminal_summary(terminalreporter):
    totals: dict[str, list[int]] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for key, value in getattr(report, "user_properties", ()):
                if key == FIGURE:
                    name, tried, failed = value
                    total = totals.setdefault(name, [0, 0])
                    total[0] += tried
                    total[1] += failed
    if totals:
        terminalreporter.section("security figures")
        for name in sorted(totals):
            tried, failed = totals[name]
            terminalreporter.write_line(f"{name}: {tried:,} tried, {failed:,} failed")
