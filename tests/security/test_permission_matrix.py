"""The permission matrix (issue 11): every operation of the site and of the API, for every role,
on an object of the person's own agency and of another one, against the expected answer written
in ``permissions.yaml``.

- Every named URL of the site (the admin aside, it has its own sign-in) and every operation of
  the OpenAPI schema must have a row there: a new view or endpoint without one fails here.
- Each cell is one request by one person, rolled back afterwards. Its answer is read as
  L (sent to sign in), D (refused, 403), H (not found, 404), A (let through: the page, the
  result, a redirect elsewhere, or the form's own errors), C (a write let through that
  changed something); a 5xx fails every cell.
- A refused write changes nothing: no audit line, no notice, no state moves.
- A list holds only what the person may open: each API list's rows open for them.

``MATRIX_WRITE=1 pytest tests/security/test_permission_matrix.py`` writes the answers seen into
``permissions.yaml`` (to review, line by line, before committing)."""

import io
import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.choices import Role
from core.models import AuditEvent
from escalation.choices import LevelKind
from escalation.models import Escalation
from escalation.sweep import sweep
from notifications.models import Notice
from tests.conftest import grant, share
from tests.fixtures.workflow import saved_people, tree, vn
from workflow.choices import DirectiveKind, DuePolicy
from workflow.deadlines import DueRule
from workflow.models import Assignment, Attachment, Directive, ExtensionRequest
from workflow.services import (
    Target,
    assignment_receive,
    assignments_create,
    completion_report_file,
    directive_create,
    extension_request,
    item_add,
)

MATRIX = Path(__file__).with_name("permissions.yaml")
ROLES = [
    "signed_out",
    "leader",
    "reviewer",
    "inspector",
    "emulation_officer",
    "head",
    "deputy",
    "officer",
    "clerk",
]
# Who plays each role: the province's office (P2) holds the leader and the reviewer, Sở Nội vụ
# (NV) the inspector and the emulation officer, Sở Tài chính (TC) the agency's people; "own"
# objects are TC's, "other" ones NV's.
PLAYERS = {
    "leader": "leader",
    "reviewer": "reviewer",
    "inspector": "inspector",
    "emulation_officer": "emulation",
    "head": "head",
    "deputy": "deputy",
    "officer": "officer",
    "clerk": "clerk",
}
# The admin has its own sign-in and staff check; static files are not views.
SKIPPED_NAMESPACES = ("admin",)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bao-cao.png", _png(), content_type="image/png")


@dataclass
class World:
    objects: dict
    users: dict


def build_world(people, small_tree, directive) -> World:
    people = dict(people)
    people["deputy"] = grant(Role.DEPUTY, small_tree["TC"], date(2025, 8, 1), username="deputy")
    people["inspector"] = grant(
        Role.INSPECTOR, small_tree["NV"], date(2025, 8, 1), username="inspector"
    )
    people["emulation"] = grant(
        Role.EMULATION_OFFICER, small_tree["NV"], date(2025, 8, 1), username="emulation"
    )
    reviewer = people["reviewer"]
    item = directive.items.get(number="2")

    def given(agency_code, title):
        return assignments_create(
            actor=reviewer,
            item=item,
            targets=[Target(agency=small_tree[agency_code])],
            due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27)),
            title=title,
            assigned_on=date(2026, 1, 5),
            at=vn(2026, 1, 5),
        )[0]

    objects: dict = {"directive.published": directive, "item.published": item}
    draft = directive_create(
        actor=reviewer,
        kind=DirectiveKind.KE_HOACH,
        number="09/KH-UBND",
        title="Kế hoạch chưa ban hành",
        issued_on=date(2026, 1, 10),
        issuer=small_tree["P2"],
    )
    objects["directive.draft"] = draft
    objects["item.draft"] = item_add(actor=reviewer, directive=draft, number="1", text="Dự thảo.")
    for scope, code, head, officer in (
        ("own", "TC", people["head"], people["officer"]),
        ("other", "NV", people["other_head"], people["other_officer"]),
    ):
        objects[f"assignment.{scope}"] = given(code, f"Việc mới ({code})")
        asked = given(code, f"Việc xin gia hạn ({code})")
        assignment_receive(actor=head, assignment=asked, assignee=officer, at=vn(2026, 1, 6))
        objects[f"extension.{scope}"] = extension_request(
            actor=officer,
            assignment=asked,
            requested_due_date=date(2026, 3, 31),
            reason="Chờ số liệu.",
            at=vn(2026, 1, 7),
        )
        done = given(code, f"Việc đã báo cáo ({code})")
        assignment_receive(actor=head, assignment=done, assignee=officer, at=vn(2026, 1, 6))
        completion_report_file(
            actor=officer, assignment=done, text="Đã xong.", files=[_file()], at=vn(2026, 1, 8)
        )
        objects[f"attachment.{scope}"] = Attachment.objects.get(report__assignment=done)
    sweep(now=vn(2026, 6, 1), send_mail=False)
    for scope in ("own", "other"):
        objects[f"escalation.{scope}"] = Escalation.objects.get(
            assignment=objects[f"assignment.{scope}"], level__kind=LevelKind.OFFICE
        )
    objects["agency.own"], objects["agency.other"] = small_tree["TC"], small_tree["NV"]
    objects.update(_inspections(people, small_tree, directive))
    objects.update(_targets(people, small_tree, item))
    objects.update(_indices(people))
    objects.update(_explanations(people, objects))
    users = {role: people[name] for role, name in PLAYERS.items()}
    # A notice of each person's own, and one of somebody else's.
    for user in [*users.values(), people["officer2"]]:
        Notice.objects.create(
            recipient=user, key=f"matrix:{user.pk}", category="new_work", title="Thử", url="/"
        )
    objects["notice.someone_else"] = Notice.objects.get(recipient=people["officer2"])
    return World(objects=objects, users=users)


def _inspections(people, small_tree, directive) -> dict:
    """Sở Nội vụ's plan, its inspection of Sở Tài chính ("own": the matrix's inspector leads
    the team) and of Sở Nội vụ itself ("other": a team the matrix's people are not on), a
    finding with a photo and a draft recommendation on the first."""
    from inspection import services as inspection_services
    from inspection.choices import PlanForm, TeamRole
    from tests.fixtures.inspection import make_template

    inspector, today = people["inspector"], date.today()
    template = make_template(directive, family="matrix-checklist")
    criterion = template.criteria.order_by("order").first()
    plan = inspection_services.plan_create(
        actor=inspector,
        year=today.year,
        organiser=small_tree["NV"],
        title="Kế hoạch kiểm tra CCHC",
        form=PlanForm.ON_SITE,
        item=directive.items.get(number="1"),
    )

    def inspect(code, lead):
        return inspection_services.inspection_schedule(
            actor=inspector,
            plan=plan,
            agency=small_tree[code],
            template=template,
            team_decision_number="34/QĐ-SNV",
            team_decision_date=today,
            scheduled_on=today + timedelta(days=20),
            team=[
                inspection_services.Member(user=lead, agency=small_tree["NV"], role=TeamRole.LEAD)
            ],
            self_assessment_requested=True,
        )

    own = inspect("TC", inspector)
    other = inspect("NV", people["other_officer"])
    finding = inspection_services.finding_record(
        actor=inspector,
        inspection=own,
        criterion=criterion,
        result="met",
        points=criterion.max_points,
    ).finding
    evidence = inspection_services.finding_evidence_add(
        actor=inspector, finding=finding, upload=_file()
    )
    recommendation = inspection_services.recommendation_add(
        actor=inspector,
        inspection=own,
        text="Kiện toàn bộ phận một cửa.",
        agency=small_tree["TC"],
        due_days=15,
    )
    return {
        "template.own": template,
        "criterion.own": criterion,
        "criterion_field.own": criterion.field,
        "plan.own": plan,
        "inspection.own": own,
        "inspection.other": other,
        "finding.own": finding,
        "evidence.own": evidence,
        "recommendation.own": recommendation,
    }


def _targets(people, small_tree, item) -> dict:
    """A target of the published item reported by Sở Tài chính ("own") and one reported by Sở
    Nội vụ ("other"), each with a value for 2024 awaiting the office's confirmation."""
    from decimal import Decimal

    from workflow.choices import Period
    from workflow.services import indicator_create, measurement_report

    found = {}
    for scope, code, officer in (
        ("own", "TC", people["officer"]),
        ("other", "NV", people["other_officer"]),
    ):
        indicator = indicator_create(
            actor=people["reviewer"],
            item=item,
            name=f"Chỉ tiêu ({code})",
            unit="%",
            target_min=Decimal(90),
            due_on=date(2026, 12, 31),
            agency=small_tree[code],
        )
        found[f"indicator.{scope}"] = indicator
        found[f"measurement.{scope}"] = measurement = measurement_report(
            actor=officer,
            indicator=indicator,
            period=Period.YEARLY,
            year=2024,
            value=Decimal(85),
            files=[_file()],
        )
        found[f"measurement_evidence.{scope}"] = measurement.evidence_files.get()
    return found


def _explanations(people, objects) -> dict:
    """The office asks Sở Tài chính ("own") and Sở Nội vụ ("other") to explain why their
    target (due 31/12/2026, no value confirmed) is at risk, by a date still to come."""
    from django.utils import timezone

    from workflow.services import explanation_request

    return {
        f"explanation.{scope}": explanation_request(
            actor=people["reviewer"],
            indicator=objects[f"indicator.{scope}"],
            question="Vì sao có nguy cơ không đạt?",
            due_on=timezone.localdate() + timedelta(days=10),
        )
        for scope in ("own", "other")
    }


def _indices(people) -> dict:
    """The province's PAR Index result for 2023 (public: everyone signed in reads it)."""
    from decimal import Decimal

    from workflow.choices import NationalIndex
    from workflow.services import index_result_save

    result = index_result_save(
        actor=people["reviewer"],
        index=NationalIndex.PAR_INDEX,
        year=2023,
        score=Decimal("85.12"),
        rank=40,
        rank_of=63,
    )
    return {"index_result.own": result}


def _csv():
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "index,year,score,rank,rank_of\nPAPI,2024,42.5,30,63\n"
    return SimpleUploadedFile("ket-qua.csv", text.encode(), content_type="text/csv")


# Evidence files stay in memory: the world's attachments must be there for every role's column.
IN_MEMORY = {"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture(scope="module")
def world_shared(request, directive_shared, django_db_blocker):
    """The world built once for the nine role columns (tests/conftest.py, ``share``)."""
    if not share(request, "world_shared", directive_shared):
        return None
    from django.conf import settings

    storage = override_settings(STORAGES={**settings.STORAGES, **IN_MEMORY})
    storage.enable()
    request.addfinalizer(storage.disable)
    with django_db_blocker.unblock():
        return build_world(saved_people(), tree(), Directive.objects.get(pk=directive_shared))


@pytest.fixture
def world(world_shared, people, small_tree, directive, settings) -> World:
    if world_shared is not None:
        return world_shared
    settings.STORAGES = {**settings.STORAGES, **IN_MEMORY}
    return build_world(people, small_tree, directive)


def _value(world: World, role: str, name: str):
    if name == "notice.mine":
        if role == "signed_out":
            return Notice.objects.filter(recipient=world.users["officer"]).first()
        return Notice.objects.filter(recipient=world.users[role]).first()
    return world.objects[name]


def _path(world: World, role: str, template: str, on: str | None) -> str:
    if on is None:
        return template
    obj = _value(world, role, on)
    key = obj.code if on.startswith("agency.") else obj.pk
    if on.startswith("item."):
        template = template.replace("{directive}", str(obj.directive_id))
    if on.startswith("criterion."):
        template = template.replace("{template}", str(obj.template_id))
    return template.replace("{obj}", str(key))


def answer(response) -> str:
    status = response.status_code
    if status >= 500:
        return "E"
    if status in (301, 302) and response.url.startswith(reverse("login")):
        return "L"
    if status in (401, 403):
        content_type = response.get("Content-Type", "")
        json = content_type.startswith("application/json")
        if json and response.json().get("code") == "not_authenticated":
            return "L"
        return "D"
    if status == 404:
        return "H"
    return "A"


def fingerprint() -> tuple:
    """What a refused write must not move."""
    return (
        AuditEvent.objects.count(),
        Notice.objects.count(),
        tuple(Assignment.objects.order_by("pk").values_list("state", flat=True)),
        tuple(Directive.objects.order_by("pk").values_list("status", flat=True)),
        tuple(ExtensionRequest.objects.order_by("pk").values_list("status", flat=True)),
        tuple(Escalation.objects.order_by("pk").values_list("resolved_at", flat=True)),
        tuple(Notice.objects.order_by("pk").values_list("read_at", flat=True)),
    )


def site_url_names() -> set[str]:
    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = namespace + (f"{p.namespace}:" if p.namespace else "")
                yield from walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                yield namespace + p.name

    return set(walk(get_resolver().url_patterns))


def api_operations() -> set[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = set()
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in ("get", "post", "put", "patch", "delete"):
                found.add((method.upper(), re.sub(r"\{[^}]+\}", "{obj}", path)))
    return found


def load_matrix() -> dict:
    return yaml.safe_load(MATRIX.read_text(encoding="utf-8"))


def cases(matrix: dict):
    for name, rows in matrix["operations"].items():
        for row in rows:
            yield name, row


def test_every_operation_has_a_row():
    matrix = load_matrix()
    named = set(matrix["operations"])
    missing = sorted(site_url_names() - named)
    assert not missing, f"operations with no row in {MATRIX.name}: {missing}"
    written = {(row["method"], row["path"]) for _, row in cases(matrix)}
    missing_api = sorted(api_operations() - written)
    assert not missing_api, f"API operations with no row in {MATRIX.name}: {missing_api}"
    unknown = sorted(named - site_url_names())
    assert not unknown, f"rows for operations that no longer exist: {unknown}"


def _data(world: World, data: dict) -> dict:
    """The row's input, its tokens replaced: "@png" by a fresh image file, "@csv" by a file of
    index results, "@<object>" by the object's key."""

    def value(v):
        if isinstance(v, list):
            return [value(x) for x in v]
        if v == "@png":
            return _file()
        if v == "@csv":
            return _csv()
        if isinstance(v, str) and v.startswith("@"):
            return world.objects[v[1:]].pk
        return v

    return {k: value(v) for k, v in data.items()}


def _send(client, world: World, row: dict, path: str):
    data = _data(world, row.get("data", {}))
    if row["method"] == "GET":
        return client.get(path, data)
    send = getattr(client, row["method"].lower())
    files = any(not isinstance(v, str | int | list) for v in data.values())
    if path.startswith("/api/") and not files:
        return send(path, data, content_type="application/json")
    return send(path, data)


def _answer_of(client, world: World, row: dict, path: str) -> str:
    """The cell's answer (``answer``); for a write let through, C when it changed something
    (A: answered with the form's errors, nothing changed); W when a refused write moved
    something, X when a list holds a row the person cannot open."""
    with transaction.atomic():
        before = fingerprint()
        response = _send(client, world, row, path)
        got = answer(response)
        if row["method"] != "GET" and fingerprint() != before:
            got = {"A": "C"}.get(got, "W")
        if got == "A" and row.get("list"):
            for obj in response.json().get("results", []):
                key = obj.get("id", obj.get("code"))
                if client.get(f"{path}{key}/").status_code != 200:
                    got = "X"
                    break
        transaction.set_rollback(True)
    return got


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_cell_of_the_matrix(role, world, figure):
    """One role's column (one test per role, so that xdist shares them out; the world is built
    once for the nine)."""
    matrix = load_matrix()
    column = ROLES.index(role)
    client = Client()
    if role != "signed_out":
        client.force_login(world.users[role])
    writing = bool(os.environ.get("MATRIX_WRITE"))
    wrong, cells = [], 0
    for name, row in cases(matrix):
        path = _path(world, role, row["path"], row.get("on"))
        got = _answer_of(client, world, row, path)
        if row.get("relogin") and role != "signed_out":
            client.force_login(world.users[role])
        cells += 1
        expected = row.get("expect", "").split()
        want = expected[column] if len(expected) == len(ROLES) else "?"
        if got in "EWX":
            wrong.append(f"{name} {row['method']} {path}: {got}")  # never right
        elif want != got and not writing:
            wrong.append(f"{name} {row['method']} {path}: expected {want}, got {got}")
        if writing:
            expected = expected if len(expected) == len(ROLES) else ["?"] * len(ROLES)
            expected[column] = got
            row["expect"] = " ".join(expected)
    if writing:
        text = MATRIX.read_text(encoding="utf-8")
        head = text.split("\noperations:")[0]
        body = yaml.safe_dump(
            {"operations": matrix["operations"]}, allow_unicode=True, sort_keys=False, width=100
        )
        MATRIX.write_text(head + "\n" + body, encoding="utf-8")
    figure("permission matrix cells (role × operation × scope)", cells, len(wrong))
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)
