"""The inspection API: scoped lists with totals at a constant cost, findings recorded by the
team only (exactly once per key, never over someone else's edit), and the flow from the
minutes to the conclusion's assignments, with the workflow API's error contract."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.choices import Role
from inspection import services
from inspection.api.serializers import (
    FindingRecordedSerializer,
    InspectionDetailSerializer,
    InspectionSerializer,
    PlanSerializer,
    RecommendationSerializer,
)
from inspection.choices import FindingSide, InspectionStatus, PlanForm, TeamRole
from inspection.models import Finding, FindingSubmission, Inspection, InspectionPlan
from tests.conftest import grant
from tests.fixtures.inspection import World, fill, today
from tests.generic.api import ScopedAPITests
from tests.security.evidence_samples import JPEG, PDF
from workflow import services as workflow_services
from workflow.choices import AssignmentSource
from workflow.models import Assignment

API = "/api/v1"
ONE = Decimal(1)


def post(client, path, data=None):
    return client.post(f"{API}/{path}", data or {}, content_type="application/json")


def finding(world: World, criterion=0, **changes):
    """The body of a finding the team records on the world's inspection (full points)."""
    c = world.criteria[criterion]
    return {
        "inspection": world.inspection.pk,
        "criterion": c.pk,
        "result": "met",
        "points": str(c.max_points),
        "note": "Có kế hoạch, có báo cáo.",
        "key": str(uuid.uuid4()),
        **changes,
    }


def schedule(world: World, agency, *, requested=True) -> Inspection:
    """Another inspection in the world's plan, by the same team."""
    return services.inspection_schedule(
        actor=world.people["lead"],
        plan=world.plan,
        agency=agency,
        template=world.template,
        team_decision_number="35/QĐ-SNV",
        team_decision_date=today(),
        scheduled_on=today() + timedelta(days=21),
        team=[
            services.Member(user=world.people["lead"], agency=world.tree["NV"], role=TeamRole.LEAD),
            services.Member(user=world.people["member"], agency=world.tree["NV"]),
        ],
        self_assessment_requested=requested,
    )


@pytest.fixture
def officer_elsewhere(small_tree):
    """An officer of Công an tỉnh: sees neither the inspection nor its findings."""
    return grant(Role.OFFICER, small_tree["CA"], username="officer_ca")


# --- findings -----------------------------------------------------------------------------------


def test_a_team_member_records_a_finding_once_per_key(client, world):
    client.force_login(world.people["member"])
    body = finding(world)
    response = post(client, "findings/", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert set(created) == set(FindingRecordedSerializer.Meta.fields)
    assert created["version"] == 1
    assert created["replayed"] is False
    assert created["points"] == "5.00"
    assert created["criterion_code"] == "1"
    assert created["recorded_by"] == "inspector_member"

    # The phone sends the same edit again when the connection returns: nothing changes.
    response = post(client, "findings/", {**body, "points": "1", "note": "khác"})
    assert response.status_code == 200
    replayed = response.json()
    assert replayed["replayed"] is True
    assert (replayed["id"], replayed["version"], replayed["points"]) == (created["id"], 1, "5.00")
    row = Finding.objects.get()
    assert (row.version, row.points, row.note) == (1, 5, "Có kế hoạch, có báo cáo.")
    assert FindingSubmission.objects.count() == 1


def test_an_edit_names_its_version_and_a_stale_one_is_a_conflict(client, world):
    client.force_login(world.people["member"])
    first = post(client, "findings/", finding(world)).json()
    client.force_login(world.people["lead"])
    response = post(client, "findings/", finding(world, points="3", version=first["version"]))
    assert response.status_code == 200, response.json()
    assert (response.json()["version"], response.json()["points"]) == (2, "3.00")

    # The member, still on version 1, is told what the finding now says instead of
    # overwriting it.
    client.force_login(world.people["member"])
    response = post(client, "findings/", finding(world, points="4", version=1))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "finding_conflict"
    assert body["message"]
    assert body["errors"]["version"] == ["2"]
    assert body["errors"]["points"] == ["3.00"]
    row = Finding.objects.get()
    assert (row.version, row.points, row.recorded_by) == (2, 3, world.people["lead"])
    # A "new" finding where one exists is a conflict too.
    assert post(client, "findings/", finding(world, points="4")).status_code == 409


def test_an_inspector_not_on_the_team_may_not_record(client, world):
    client.force_login(world.people["outsider"])
    assert client.get(f"{API}/inspections/{world.inspection.pk}/").status_code == 200
    response = post(client, "findings/", finding(world))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Finding.objects.exists()


def test_an_officer_of_another_agency_does_not_find_the_inspection(
    client, world, officer_elsewhere
):
    client.force_login(officer_elsewhere)
    response = post(client, "findings/", finding(world))
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message"}
    assert response.json()["code"] == "not_found"
    assert client.get(f"{API}/inspections/{world.inspection.pk}/").status_code == 404
    assert client.get(f"{API}/findings/", {"inspection": world.inspection.pk}).json()["count"] == 0
    assert not Finding.objects.exists()


def test_points_above_the_criterions_maximum_are_refused(client, world):
    client.force_login(world.people["member"])
    response = post(client, "findings/", finding(world, points="5.5"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "points_range"
    assert "5" in body["errors"]["points"][0]
    assert not Finding.objects.exists()
    assert not FindingSubmission.objects.exists()


def test_bad_input_is_400_with_each_fields_problem(client, world):
    client.force_login(world.people["member"])
    response = post(client, "findings/", finding(world, result="perfect", key="not-a-uuid"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"result", "key"} <= set(body["errors"])
    other = world.criteria[0].pk + 1000
    response = post(client, "findings/", finding(world, criterion=0) | {"criterion": other})
    assert response.status_code == 400
    assert "criterion" in response.json()["errors"]
    assert not Finding.objects.exists()


def test_the_inspected_agency_sees_the_teams_findings_only_once_the_minutes_are_signed(
    client, world
):
    fill(world)
    client.force_login(world.people["officer"])
    listed = client.get(f"{API}/findings/", {"inspection": world.inspection.pk}).json()
    assert listed["count"] == 0
    # Its own self-assessment it records and sees.
    response = post(client, "findings/", finding(world, side=FindingSide.AGENCY))
    assert response.status_code == 201, response.json()
    listed = client.get(f"{API}/findings/", {"inspection": world.inspection.pk}).json()
    assert [row["side"] for row in listed["results"]] == ["agency"]


def test_a_photo_is_evidence_of_a_finding_of_the_team(client, world):
    client.force_login(world.people["member"])
    created = post(client, "findings/", finding(world)).json()
    photo = SimpleUploadedFile("hien-truong.jpg", JPEG, content_type="image/jpeg")
    response = client.post(f"{API}/findings/{created['id']}/evidence/", {"file": photo})
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/jpeg"
    detail = client.get(f"{API}/findings/{created['id']}/").json()
    assert [e["original_name"] for e in detail["evidence"]] == ["hien-truong.jpg"]
    client.force_login(world.people["outsider"])
    again = SimpleUploadedFile("khac.pdf", PDF, content_type="application/pdf")
    response = client.post(f"{API}/findings/{created['id']}/evidence/", {"file": again})
    assert response.status_code == 403


# --- plans and inspections ----------------------------------------------------------------------


def test_an_inspector_registers_a_plan_and_an_officer_elsewhere_may_not(client, world):
    body = {
        "year": today().year,
        "organiser": "NV",
        "title": "Kế hoạch kiểm tra đột xuất",
        "form": PlanForm.UNANNOUNCED,
        "item": world.directive.items.get(number="2").pk,
        "decision_date": today().strftime("%d/%m/%Y"),
    }
    client.force_login(world.people["lead"])
    response = post(client, "inspection-plans/", body)
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert (plan["organiser"], plan["form"], plan["inspections_count"]) == ("NV", "unannounced", 0)
    assert plan["organiser_name"]
    response = post(client, "inspection-plans/", {**body, "organiser": "TC"})
    assert response.status_code == 400
    assert "organiser" in response.json()["errors"]
    client.force_login(world.people["officer"])
    assert post(client, "inspection-plans/", body).status_code == 403
    assert InspectionPlan.objects.count() == 2


def test_plans_are_listed_by_year(client, world):
    client.force_login(world.people["other_officer"])
    body = client.get(f"{API}/inspection-plans/", {"year": today().year}).json()
    assert [row["id"] for row in body["results"]] == [world.plan.pk]
    assert set(body["results"][0]) == set(PlanSerializer.Meta.fields)
    assert body["results"][0]["inspections_count"] == 1
    assert client.get(f"{API}/inspection-plans/", {"year": 2001}).json()["count"] == 0
    response = client.get(f"{API}/inspection-plans/", {"year": "next"})
    assert response.status_code == 400
    assert "year" in response.json()["errors"]
    client.force_login(world.people["officer"])  # the inspected agency's: no plan of theirs
    assert client.get(f"{API}/inspection-plans/").json()["count"] == 0
    assert client.get(f"{API}/inspection-plans/{world.plan.pk}/").status_code == 404


def test_the_organiser_schedules_an_inspection_with_its_team(client, world):
    client.force_login(world.people["lead"])
    response = post(
        client,
        f"inspection-plans/{world.plan.pk}/inspections/",
        {
            "agency": "CA",
            "template": world.template.pk,
            "team_decision_number": "40/QĐ-SNV",
            "team_decision_date": today().isoformat(),
            "scheduled_on": (today() + timedelta(days=30)).isoformat(),
            "team": [
                {"user": "inspector_other", "agency": "NV", "role": "lead"},
                {"user": "inspector_member", "agency": "NV"},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["agency"], body["status"]) == ("CA", "scheduled")
    assert [(m["user"], m["role"]) for m in body["team"]] == [
        ("inspector_other", "lead"),
        ("inspector_member", "member"),
    ]
    assert body["self_report"] is not None
    # Someone who does not work in the agency named for them is refused.
    response = post(
        client,
        f"inspection-plans/{world.plan.pk}/inspections/",
        {
            "agency": "CA",
            "template": world.template.pk,
            "team_decision_number": "41/QĐ-SNV",
            "team_decision_date": today().isoformat(),
            "scheduled_on": (today() + timedelta(days=30)).isoformat(),
            "team": [{"user": "officer", "agency": "NV", "role": "lead"}],
        },
    )
    assert response.status_code == 400
    assert "user" in response.json()["errors"]["team"]["0"]
    client.force_login(world.people["head"])  # TC's head sees no plan: not found
    response = post(client, f"inspection-plans/{world.plan.pk}/inspections/", {})
    assert response.status_code == 404
    assert Inspection.objects.count() == 2


def test_the_inspection_shows_its_team_status_and_the_steps_of_the_user(client, world):
    client.force_login(world.people["lead"])
    body = client.get(f"{API}/inspections/{world.inspection.pk}/").json()
    assert set(body) == set(InspectionDetailSerializer.Meta.fields)
    assert (body["agency"], body["organiser"], body["status"]) == ("TC", "NV", "scheduled")
    assert [(m["user"], m["agency"], m["role"]) for m in body["team"]] == [
        ("inspector_lead", "NV", "lead"),
        ("inspector_member", "NV", "member"),
    ]
    assert body["template"]["id"] == world.template.pk
    assert {"record", "lead"} <= set(body["steps"])
    client.force_login(world.people["member"])
    steps = set(client.get(f"{API}/inspections/{world.inspection.pk}/").json()["steps"])
    assert "record" in steps and "lead" not in steps
    client.force_login(world.people["head"])
    steps = client.get(f"{API}/inspections/{world.inspection.pk}/").json()["steps"]
    assert "record" not in steps
    assert client.get(f"{API}/inspections/abc/").status_code == 404


def test_inspections_are_filtered_by_plan_agency_and_year(client, world):
    schedule(world, world.tree["CA"])
    client.force_login(world.people["other_head"])
    url = f"{API}/inspections/"
    body = client.get(url).json()
    assert body["count"] == 2
    assert set(body["results"][0]) == set(InspectionSerializer.Meta.fields)
    assert [r["agency"] for r in client.get(url, {"agency": "TC"}).json()["results"]] == ["TC"]
    assert client.get(url, {"plan": world.plan.pk, "year": today().year}).json()["count"] == 2
    assert client.get(url, {"year": today().year - 1}).json()["count"] == 0
    response = client.get(url, {"agency": "NOPE"})
    assert response.status_code == 400
    assert "agency" in response.json()["errors"]


# --- the flow -----------------------------------------------------------------------------------


def test_minutes_confirmed_with_an_objection_then_the_conclusion_issues_the_work(client, world):
    client.force_login(world.people["member"])
    for n in range(len(world.criteria)):
        assert post(client, "findings/", finding(world, n)).status_code == 201
    path = f"inspections/{world.inspection.pk}"

    # Only the team's head drafts the minutes, and only the agency's head confirms them.
    minutes = {"text": "Đoàn đã làm việc với Sở.", "conducted_on": today().isoformat()}
    assert post(client, f"{path}/minutes/", minutes).status_code == 403
    client.force_login(world.people["lead"])
    for text, agency, days in (
        ("Ban hành quy chế một cửa.", "TC", 15),
        ("Rà soát TTHC.", "TC", 30),
    ):
        response = post(
            client,
            "recommendations/",
            {"inspection": world.inspection.pk, "text": text, "agency": agency, "due_days": days},
        )
        assert response.status_code == 201, response.json()
        assert response.json()["status"] == "draft"
    assert post(client, f"{path}/confirm/", {}).status_code == 403
    response = post(client, f"{path}/minutes/", minutes)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == InspectionStatus.MINUTES_DRAFTED
    assert response.json()["minutes_signed_by_lead"] == "inspector_lead"
    assert post(client, f"{path}/minutes/", minutes).json()["code"] == "already_handled"
    # The findings no longer change.
    response = post(client, "findings/", finding(world, 0, points="1", version=1))
    assert response.status_code == 409
    assert response.json()["code"] == "minutes_drafted"

    client.force_login(world.people["officer"])
    assert post(client, f"{path}/confirm/", {}).status_code == 403
    client.force_login(world.people["head"])
    objection = "Sở không đồng ý với tiêu chí 2."
    response = post(client, f"{path}/confirm/", {"objection": objection})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["objection"]) == (InspectionStatus.MINUTES_SIGNED, objection)
    assert body["minutes_signed_by_head"] == "head"
    # Now the inspected agency reads the team's findings.
    listed = client.get(f"{API}/findings/", {"inspection": world.inspection.pk}).json()
    assert listed["count"] == len(world.criteria)

    conclusion = {"number": "15/TB-SNV", "issued_on": today().isoformat(), "text": "Kết luận."}
    client.force_login(world.people["lead"])
    assert post(client, f"{path}/conclude/", conclusion).status_code == 403
    client.force_login(world.people["other_head"])  # the head of Sở Nội vụ, the organiser
    response = post(client, f"{path}/conclude/", {**conclusion, "number": ""})
    assert response.status_code == 400
    assert "number" in response.json()["errors"]
    response = post(client, f"{path}/conclude/", conclusion)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == InspectionStatus.FOLLOW_UP
    assert response.json()["concluded_by"] == "other_head"

    work = Assignment.objects.filter(source=AssignmentSource.INSPECTION, agency=world.tree["TC"])
    assert work.count() == 2
    client.force_login(world.people["head"])
    listed = client.get(f"{API}/recommendations/", {"inspection": world.inspection.pk}).json()
    assert [r["status"] for r in listed["results"]] == ["issued", "issued"]
    assert {r["assignment"] for r in listed["results"]} == set(work.values_list("pk", flat=True))
    assert listed["results"][0]["due_date"] >= (today() + timedelta(days=15)).isoformat()


def test_a_recommendation_needs_an_agency_and_a_deadline(client, world):
    client.force_login(world.people["lead"])
    response = post(
        client, "recommendations/", {"inspection": world.inspection.pk, "text": "Khắc phục."}
    )
    assert response.status_code == 400
    assert {"agency", "due_date"} <= set(response.json()["errors"])
    client.force_login(world.people["member"])  # not the team's head
    response = post(
        client,
        "recommendations/",
        {"inspection": world.inspection.pk, "text": "Khắc phục.", "agency": "TC", "due_days": 5},
    )
    assert response.status_code == 403
    assert not world.inspection.recommendations.exists()


def _remediate(world: World, assignment: Assignment) -> None:
    """Sở Tài chính carries out the remediation and the office accepts its report."""
    p = world.people
    workflow_services.assignment_receive(
        actor=p["clerk"], assignment=assignment, assignee=p["officer"]
    )
    upload = SimpleUploadedFile("khac-phuc.pdf", PDF, content_type="application/pdf")
    workflow_services.completion_report_file(
        actor=p["officer"], assignment=assignment, text="Đã khắc phục.", files=[upload]
    )
    workflow_services.report_approve(actor=p["head"], assignment=assignment, comment="")
    workflow_services.report_accept(actor=p["reviewer"], assignment=assignment, comment="")


def test_the_team_verifies_a_recommendation_not_done_and_it_comes_back(client, world):
    fill(world)
    lead, head = world.people["lead"], world.people["head"]
    rec = services.recommendation_add(
        actor=lead,
        inspection=world.inspection,
        text="Công khai TTHC.",
        agency=world.tree["TC"],
        due_days=15,
    )
    services.minutes_draft(actor=lead, inspection=world.inspection, text="", conducted_on=today())
    services.minutes_confirm(actor=head, inspection=world.inspection)
    services.conclusion_issue(
        actor=world.people["other_head"],
        inspection=world.inspection,
        number="16/TB-SNV",
        issued_on=today(),
        text="",
    )
    rec.refresh_from_db()
    client.force_login(world.people["member"])
    response = post(client, f"recommendations/{rec.pk}/verify/", {"result": "done"})
    assert response.status_code == 409  # nothing reported yet
    assert response.json()["code"] == "not_reported"

    _remediate(world, rec.assignment)
    client.force_login(world.people["outsider"])
    assert post(client, f"recommendations/{rec.pk}/verify/", {"result": "done"}).status_code == 403
    client.force_login(world.people["member"])
    response = post(client, f"recommendations/{rec.pk}/verify/", {"result": "not_done"})
    assert response.status_code == 400
    assert "new_due_date" in response.json()["errors"]
    new_due = (today() + timedelta(days=10)).isoformat()
    response = post(
        client,
        f"recommendations/{rec.pk}/verify/",
        {"result": "not_done", "note": "Chưa công khai.", "new_due_date": new_due},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["reissued"]) == ("issued", 1)
    assert body["assignment"] != rec.assignment_id
    assert body["due_date"] >= new_due
    assert [v["result"] for v in body["verifications"]] == ["not_done"]


# --- lists: scoped, paginated with a total, at a constant cost ---------------------------------


class TestInspectionAPIIsScoped(ScopedAPITests):
    """Sở Tài chính's officer sees the inspection of their agency, not that of Công an tỉnh."""

    api_list_url = f"{API}/inspections/"

    @pytest.fixture
    def obj_in_a(self, world):
        return world.inspection

    @pytest.fixture
    def obj_in_b(self, world):
        return schedule(world, world.tree["CA"])

    @pytest.fixture
    def user_in_a(self, world):
        return world.people["officer"]

    @pytest.fixture
    def more_in_a(self, world):
        def make(n):
            for _ in range(n):
                schedule(world, world.tree["TC"])

        return make


class TestFindingAPIIsScoped(ScopedAPITests):
    """The agency's self-assessments: Sở Tài chính's officer sees theirs, not Công an tỉnh's."""

    api_list_url = f"{API}/findings/"

    @pytest.fixture
    def obj_in_a(self, world):
        return self_assessment(world, world.inspection, world.people["officer"])

    @pytest.fixture
    def obj_in_b(self, world, officer_elsewhere):
        return self_assessment(world, schedule(world, world.tree["CA"]), officer_elsewhere)

    @pytest.fixture
    def user_in_a(self, world):
        return world.people["officer"]

    @pytest.fixture
    def more_in_a(self, world):
        def make(n):
            for _ in range(n):
                inspection = schedule(world, world.tree["TC"])
                self_assessment(world, inspection, world.people["officer"])

        return make


def self_assessment(world: World, inspection: Inspection, actor) -> Finding:
    criterion = world.criteria[0]
    return services.finding_record(
        actor=actor,
        inspection=inspection,
        criterion=criterion,
        result="met",
        points=criterion.max_points,
        side=FindingSide.AGENCY,
    ).finding


class TestPlanAPIIsScoped(ScopedAPITests):
    """Sở Nội vụ's officer sees the plans of Sở Nội vụ, not those of Công an tỉnh."""

    api_list_url = f"{API}/inspection-plans/"

    @pytest.fixture
    def obj_in_a(self, world):
        return world.plan

    @pytest.fixture
    def obj_in_b(self, world, small_tree):
        inspector = grant(Role.INSPECTOR, small_tree["CA"], username="inspector_ca")
        return plan_of(world, inspector, small_tree["CA"])

    @pytest.fixture
    def user_in_a(self, world):
        return world.people["other_officer"]

    @pytest.fixture
    def more_in_a(self, world):
        def make(n):
            for _ in range(n):
                plan_of(world, world.people["lead"], world.tree["NV"])

        return make


def plan_of(world: World, actor, organiser) -> InspectionPlan:
    return services.plan_create(
        actor=actor,
        year=today().year,
        organiser=organiser,
        title="Kế hoạch kiểm tra",
        form=PlanForm.DOCUMENT_REVIEW,
        item=world.directive.items.get(number="1"),
    )


def test_recommendations_are_listed_at_a_constant_cost(
    client, world, django_assert_max_num_queries
):
    lead = world.people["lead"]

    def add(n):
        for i in range(n):
            services.recommendation_add(
                actor=lead,
                inspection=world.inspection,
                text=f"Kiến nghị {i}",
                agency=world.tree["TC"],
                criterion=world.criteria[i % 3],
                due_days=15,
            )

    add(1)
    client.force_login(lead)
    url = f"{API}/recommendations/"
    client.get(url)  # warm the per-process caches
    with django_assert_max_num_queries(10) as one:
        assert client.get(url, {"inspection": world.inspection.pk}).json()["count"] == 1
    add(4)
    with django_assert_max_num_queries(10) as several:
        body = client.get(url, {"inspection": world.inspection.pk}).json()
    assert body["count"] == 5
    assert len(several) == len(one)
    assert {r["agency"] for r in body["results"]} == {"TC"}
    assert set(body["results"][0]) == set(RecommendationSerializer.Meta.fields)
    client.force_login(world.people["officer"])  # drafts are the team's until the conclusion
    assert client.get(url).json()["count"] == 0


def test_the_team_findings_are_listed_at_a_constant_cost(
    client, world, django_assert_max_num_queries
):
    lead = world.people["lead"]
    services.finding_record(
        actor=lead,
        inspection=world.inspection,
        criterion=world.criteria[0],
        result="met",
        points=ONE,
    )
    client.force_login(lead)
    url = f"{API}/findings/"
    client.get(url)
    with django_assert_max_num_queries(10) as one:
        assert client.get(url, {"inspection": world.inspection.pk}).json()["count"] == 1
    for c in world.criteria[1:]:
        services.finding_record(
            actor=lead, inspection=world.inspection, criterion=c, result="partly", points=ONE
        )
    other = schedule(world, world.tree["CA"])
    for c in world.criteria:
        services.finding_record(actor=lead, inspection=other, criterion=c, result="met", points=ONE)
    with django_assert_max_num_queries(10) as several:
        assert client.get(url).json()["count"] == 6
    assert len(several) == len(one)
