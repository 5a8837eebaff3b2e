"""schemathesis against the API's OpenAPI schema, as each role (issue 11, build item 2).

The schema is the one the site serves at /api/schema/ (drf-spectacular); every request goes
through the site's WSGI application in-process, no server runs. The world is the permission
matrix's (``build_world``): the office, two agencies and their people, a published and a draft
directive, new, extended and reported work, open escalations, notices.

The cases are generated once, with a fixed seed (derandomized; explicit examples and
generation only), for each operation: data that fits the schema and data that does not. Each
role sends, with its own session (cookie and CSRF token), in a transaction rolled back after
each case so the world stays as built:
- the first fitting case of every operation on real objects, one of its own agency (or the
  published directive) and one of another agency (or the draft); the workflow steps, the
  costliest requests, on its own agency's work only;
- its share of the other generated cases (signed out sends them all: its requests are cheap).
Every answer must pass schemathesis' checks:
- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance``:
  the status is one the operation declares, its body what the schema says for it;
- ``ignored_auth``: the first 2xx of each operation is sent again without the session cookie
  and with a forged one, and must be refused (once per operation: it is the operation's
  property);
- signed out, every operation that the path reaches (each declares ``cookieAuth``) answers 401
  or 403.

Bounded for CI (under 50 s of one core, SQLite or PostgreSQL): ``FUZZ_EXAMPLES`` (default 2) generated cases per
operation and mode; raise it for a longer run by hand (15: 2,750 cases, 0 failures).
"""

import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase
from schemathesis import AuthContext, GenerationMode
from schemathesis.auths import AuthStorage
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from notifications.models import Notice
from tests.fixtures.workflow import saved_people, tree
from tests.security.test_permission_matrix import ROLES, build_world
from workflow.models import Directive

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
REFUSED = (401, 403)
MINE = object()
# The API signs in by session, so a write carries the CSRF token as a browser's would: a
# secret of Django's form (32 letters and digits), as cookie and header alike.
CSRF = "fuzz" * 8
# What the fuzzing uploads stays in memory (the world's evidence too).
MEMORY_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture(scope="module")
def world(people_shared, directive_shared, django_db_blocker):
    """The permission matrix's world, built once for the module (every test here uses it)."""
    assert directive_shared, "every test of this module shares the world"
    with django_db_blocker.unblock(), override_settings(STORAGES=MEMORY_STORAGE):
        directive = Directive.objects.get(pk=directive_shared)
        return build_world(saved_people(), tree(), directive)


@pytest.fixture(scope="module")
def application():
    """The site's WSGI application (schemathesis calls it in-process, through werkzeug)."""
    return WSGIHandler()


@contextmanager
def connection_kept():
    """As Django's test client does around each request: the request signals do not close the
    connection, which would end the test's transaction (the client connects them again after
    its own requests, so this is done around each case)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def real_keys(world) -> dict[str, list]:
    """The keys of real objects, by the path's first segment: one the person's agency holds (or
    published) and one another agency holds (or a draft). ``MINE`` is the person's own notice."""
    objects = world.objects
    return {
        "agencies": [objects["agency.own"].code, objects["agency.other"].code],
        "directives": [objects["directive.published"].pk, objects["directive.draft"].pk],
        "items": [objects["item.published"].pk, objects["item.draft"].pk],
        "assignments": [objects["assignment.own"].pk, objects["assignment.other"].pk],
        "extensions": [objects["extension.own"].pk, objects["extension.other"].pk],
        "escalations": [objects["escalation.own"].pk, objects["escalation.other"].pk],
        "notifications": [MINE, objects["notice.someone_else"].pk],
    }


def collect(strategy, examples: int) -> list:
    """The cases ``strategy`` gives with the fixed seed."""
    found: list = []

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def gather(case):
        found.append(case)

    gather()
    return found


@dataclass
class Plan:
    """``real``: (case, path parameter, key) — data that fits the schema, on real objects; every
    role sends them all. ``generated``: fitting and unfitting data as generated, path keys too;
    signed out sends them all, the signed-in roles share them out in turn."""

    real: list = field(default_factory=list)
    generated: list = field(default_factory=list)
    # The operations whose authentication ``ignored_auth`` confirmed: once is enough, it is a
    # property of the operation, and signed out every case is refused anyway.
    auth_probed: set = field(default_factory=set)


@pytest.fixture(scope="module")
def plan(world, application, django_db_blocker) -> Plan:
    """The cases of every operation of the schema served at /api/schema/."""
    with django_db_blocker.unblock():
        client = Client()
        client.force_login(world.users["reviewer"])
        response = client.get("/api/schema/", {"format": "json"})
        assert response.status_code == 200, response.content[:300]
        keys = real_keys(world)
    schema = schemathesis.openapi.from_dict(response.json())
    schema.app = application
    plan = Plan()
    for result in schema.get_all_operations():
        operation = result.ok()
        positive = collect(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE), 1 + EXAMPLES
        )
        negative = collect(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), EXAMPLES)
        parameter = next((p.name for p in operation.path_parameters), None)
        if parameter is None:
            plan.real.append((positive[0], None, None))
        else:
            segment = operation.path.removeprefix("/api/v1/").split("/")[0]
            # An operation on objects of a kind the world does not name gets generated keys only.
            chosen = keys.get(segment, [])
            if segment == "assignments" and operation.method.upper() == "POST":
                # The steps, the costliest requests, on the own agency's work only (the
                # permission matrix tries each on another agency's).
                chosen = chosen[:1]
            plan.real.extend((positive[0], parameter, key) for key in chosen)
        plan.generated.extend([*positive[1:], *negative])
    return plan


def session_auth(user) -> AuthStorage:
    """The person's session cookie, and the CSRF pair, set on a case as schemathesis' auth."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value

    class Session:
        def get(self, case, ctx):
            return session

        def set(self, case, data, ctx):
            cookies = case.cookies if isinstance(case.cookies, dict) else {}
            case.cookies = {**cookies, "sessionid": data, "csrftoken": CSRF}
            headers = case.headers if isinstance(case.headers, dict) else {}
            case.headers = {**headers, "X-CSRFToken": CSRF}

    storage: AuthStorage = AuthStorage()
    storage.auth(refresh_interval=None)(Session)
    return storage


@dataclass
class Tally:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def routed(response) -> bool:
    """Whether the path sent reaches a view (a key with ``/`` or ``.`` may match no route)."""
    try:
        resolve(urlsplit(response.request.url).path)
    except Resolver404:
        return False
    return True


def send(case, *, auth: AuthStorage | None, plan: Plan, tally: Tally, key=None, name=None):
    """One case, as the person ``auth`` signs in (or signed out), rolled back after it; with
    ``name``, its path parameter set to ``key``."""
    case = case.derive()
    if name is not None:
        case.path_parameters[name] = key
    if auth is not None:
        auth.set(case, AuthContext(operation=case.operation, app=case.operation.app))
    label = case.operation.label
    checks = list(CHECKS)
    tally.cases += 1
    with connection_kept(), transaction.atomic():
        try:
            response = case.call()
            status = response.status_code
            tally.statuses[status] += 1
            if auth is not None and 200 <= status < 300 and label not in plan.auth_probed:
                plan.auth_probed.add(label)
                checks.append(ignored_auth)
            case.validate_response(response, checks=checks)
            if auth is None and status not in REFUSED and routed(response):
                raise AssertionError(f"signed out, answered {status}: {response.text[:200]}")
        except (FailureGroup, AssertionError) as exc:
            tally.failures.append(f"{label}: {str(exc)[:2000]}")
        finally:
            transaction.set_rollback(True)


@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_as_each_role(role, world, application, plan, db, settings, figure):
    settings.STORAGES = MEMORY_STORAGE
    signed_in = [r for r in ROLES if r != "signed_out"]
    if role == "signed_out":
        auth, generated, mine = None, plan.generated, None
    else:
        user = world.users[role]
        auth = session_auth(user)
        turn = signed_in.index(role)
        generated = plan.generated[turn :: len(signed_in)]
        mine = Notice.objects.filter(recipient=user).values_list("pk", flat=True).first()
    tally = Tally()
    for case, name, key in plan.real:
        key = mine if key is MINE else key
        if key is not None or name is None:
            send(case, auth=auth, plan=plan, tally=tally, key=key, name=name)
    for case in generated:
        send(case, auth=auth, plan=plan, tally=tally)
    figure(f"schemathesis cases, as {role.replace('_', ' ')}", tally.cases, len(tally.failures))
    assert not tally.failures, f"{dict(tally.statuses)}\n" + "\n\n".join(tally.failures)
