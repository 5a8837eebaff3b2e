"""Who sees an inspection, its findings and its recommendations, and who may act on them
(``Model.objects.restrict``, the one rule lists, pages and services share); lists cost the same
queries whatever their size."""

from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.choices import Role
from core import access
from inspection import selectors, services
from inspection.choices import FindingResult, FindingSide, InspectionAction, PlanForm, TeamRole
from inspection.models import Finding, Inspection, InspectionPlan, Recommendation
from tests.conftest import grant
from tests.fixtures.inspection import another_plan, fill, make_long_template, schedule, today

VIEW, RECORD, LEAD = InspectionAction.VIEW, InspectionAction.RECORD, InspectionAction.LEAD


@pytest.fixture
def elsewhere(world):
    """An officer of an agency neither inspected nor inspecting (Công an tỉnh)."""
    return grant(Role.OFFICER, world.tree["CA"], today() - timedelta(days=30), username="ca")


def sees(user, model, action=VIEW, **filters):
    return set(model.objects.restrict(user, action).filter(**filters).values_list("pk", flat=True))


def self_assessed(world):
    return services.finding_record(
        actor=world.people["officer"],
        inspection=world.inspection,
        criterion=world.criteria[0],
        result=FindingResult.PARTLY,
        points=Decimal(2),
        side=FindingSide.AGENCY,
    ).finding


def signed(world):
    services.minutes_draft(
        actor=world.people["lead"], inspection=world.inspection, text="…", conducted_on=today()
    )
    services.minutes_confirm(actor=world.people["head"], inspection=world.inspection)


def findings_of(world, side):
    return set(
        Finding.objects.filter(inspection=world.inspection, side=side).values_list("pk", flat=True)
    )


# --- inspections ----------------------------------------------------------------------------


def test_the_team_sees_and_records_and_only_its_head_leads(world):
    pk = world.inspection.pk
    for name in ("lead", "member"):
        assert pk in sees(world.people[name], Inspection)
        assert pk in sees(world.people[name], Inspection, RECORD)
    assert pk in sees(world.people["lead"], Inspection, LEAD)
    assert pk not in sees(world.people["member"], Inspection, LEAD)


def test_another_inspector_oversees_but_does_not_record(world):
    outsider = world.people["outsider"]
    assert world.inspection.pk in sees(outsider, Inspection)
    assert world.plan.pk in sees(outsider, InspectionPlan)
    assert not sees(outsider, Inspection, RECORD)
    assert not sees(outsider, Inspection, LEAD)


def test_the_inspected_agencys_head_sees_the_inspection_and_confirms_but_never_records(world):
    head = world.people["head"]
    assert world.inspection.pk in sees(head, Inspection)
    assert world.inspection.pk in sees(head, Inspection, InspectionAction.CONFIRM)
    assert not sees(head, Inspection, RECORD)
    assert not sees(head, Inspection, InspectionAction.MANAGE)
    # Nor does the head see the plan's other inspections.
    other = schedule(world, world.tree["MTTQ"])
    assert other.pk not in sees(head, Inspection)


def test_the_inspected_agency_learns_of_an_unannounced_visit_on_its_day(world, client):
    plan = another_plan(world, "Kiểm tra đột xuất", PlanForm.UNANNOUNCED)
    team = [services.Member(user=world.people["lead"], agency=world.tree["NV"], role=TeamRole.LEAD)]
    visit = schedule(world, world.tree["TC"], team=team, plan=plan)
    head, officer, lead = world.people["head"], world.people["officer"], world.people["lead"]
    page = reverse("inspection:inspection", args=[visit.pk])
    # Before the day: the team and the organiser see it; the inspected agency does not.
    assert visit.pk in sees(lead, Inspection) and visit.pk in sees(
        world.people["outsider"], Inspection
    )
    assert visit.pk not in sees(head, Inspection)
    assert visit.pk not in sees(officer, Inspection, InspectionAction.SELF_ASSESS)
    client.force_login(head)
    assert client.get(page).status_code == 404
    assert visit.pk not in {i.pk for i in selectors.inspection_list(user=head)}
    # An announced one of the same day is seen at once (the world's own inspection).
    assert world.inspection.pk in sees(head, Inspection)
    # On the day of the visit the agency sees it.
    Inspection.objects.filter(pk=visit.pk).update(scheduled_on=today())
    assert visit.pk in sees(head, Inspection)
    assert client.get(page).status_code == 200


def test_an_officer_elsewhere_sees_nothing(world, elsewhere):
    fill(world)
    signed(world)
    services.recommendation_add(
        actor=world.people["lead"],
        inspection=world.inspection,
        text="Niêm yết công khai thủ tục",
        agency=world.tree["TC"],
        due_days=15,
    )
    services.conclusion_issue(
        actor=world.people["other_head"],
        inspection=world.inspection,
        number="01/TB-SNV",
        issued_on=today(),
        text="…",
    )
    assert not sees(elsewhere, Inspection)
    assert not sees(elsewhere, InspectionPlan)
    assert not sees(elsewhere, Finding)
    assert not sees(elsewhere, Recommendation)
    assert not selectors.inspection_list(user=elsewhere).exists()


def test_only_the_organiser_manages_and_only_its_head_concludes(world):
    pk = world.inspection.pk
    assert pk in sees(world.people["outsider"], Inspection, InspectionAction.MANAGE)
    assert pk in sees(world.people["other_head"], Inspection, InspectionAction.CONCLUDE)
    assert pk not in sees(world.people["lead"], Inspection, InspectionAction.CONCLUDE)
    assert pk not in sees(world.people["head"], Inspection, InspectionAction.CONCLUDE)


def test_a_team_member_from_another_agency_sees_through_the_grant_only(world, elsewhere):
    """Teams take members from the field-owner agencies: an officer with no overseeing role
    sees and records the inspection they are on (django-guardian), and no other."""
    on_team = schedule(
        world,
        world.tree["MTTQ"],
        team=[
            services.Member(user=world.people["lead"], agency=world.tree["NV"], role=TeamRole.LEAD),
            services.Member(user=elsewhere, agency=world.tree["CA"]),
        ],
    )
    for memo in (False, True):
        with access.memo() if memo else nullcontext():
            assert sees(elsewhere, Inspection) == {on_team.pk}
            assert sees(elsewhere, Inspection, RECORD) == {on_team.pk}
            assert not sees(elsewhere, Inspection, LEAD)
            assert on_team.plan_id in sees(elsewhere, InspectionPlan)
    done = services.finding_record(
        actor=elsewhere,
        inspection=on_team,
        criterion=world.criteria[0],
        result=FindingResult.MET,
        points=Decimal(5),
    )
    assert sees(elsewhere, Finding) == {done.finding.pk}


# --- findings ---------------------------------------------------------------------------------


def test_the_agency_reads_the_teams_findings_once_the_minutes_are_signed(world):
    head = world.people["head"]
    own = self_assessed(world)
    fill(world)
    team = findings_of(world, FindingSide.TEAM)
    assert len(team) == 3

    # Its own self-assessment always; the team's not while the team works, nor in draft.
    assert sees(head, Finding) == {own.pk}
    services.minutes_draft(
        actor=world.people["lead"], inspection=world.inspection, text="…", conducted_on=today()
    )
    assert sees(head, Finding) == {own.pk}
    services.minutes_confirm(actor=head, inspection=world.inspection)
    assert sees(head, Finding) == {own.pk, *team}


def test_the_team_and_overseers_see_every_finding(world):
    own = self_assessed(world)
    fill(world)
    every = {own.pk, *findings_of(world, FindingSide.TEAM)}
    for name in ("lead", "member", "outsider", "other_head"):
        assert sees(world.people[name], Finding, inspection=world.inspection) == every, name


def test_the_checklist_shows_the_agency_no_team_points_before_the_signature(world):
    self_assessed(world)
    fill(world)
    page = selectors.checklist(user=world.people["head"], inspection=world.inspection)
    assert all(r.finding is None for r in page.rows)
    assert page.team.filled == 0 and page.agency.filled == 1
    assert not page.shows_team


# --- recommendations ----------------------------------------------------------------------------


def test_recommendations_are_the_teams_until_the_conclusion_then_the_agencies(world, elsewhere):
    fill(world)
    signed(world)
    theirs = services.recommendation_add(
        actor=world.people["lead"],
        inspection=world.inspection,
        text="Niêm yết công khai thủ tục",
        agency=world.tree["TC"],
        due_days=15,
    )
    other = services.recommendation_add(
        actor=world.people["lead"],
        inspection=world.inspection,
        text="Phối hợp cập nhật dữ liệu",
        agency=world.tree["MTTQ"],
        due_date=today() + timedelta(days=30),
    )
    mttq_head = grant(Role.HEAD, world.tree["MTTQ"], today() - timedelta(days=30), username="mt")
    both = {theirs.pk, other.pk}
    assert sees(world.people["member"], Recommendation) == both
    assert sees(world.people["outsider"], Recommendation) == both
    assert not sees(world.people["head"], Recommendation)
    assert not sees(mttq_head, Recommendation)

    services.conclusion_issue(
        actor=world.people["other_head"],
        inspection=world.inspection,
        number="01/TB-SNV",
        issued_on=today(),
        text="…",
    )
    # The inspected agency reads all of its inspection's; another responsible agency its own.
    assert sees(world.people["head"], Recommendation) == both
    assert sees(mttq_head, Recommendation) == {other.pk}
    assert not sees(elsewhere, Recommendation)


# --- lists cost the same whatever their size ------------------------------------------------------


def queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


@pytest.mark.parametrize("who", ["head", "member", "outsider"])
def test_the_inspection_list_costs_the_same_for_1_and_6_inspections(
    world, who, django_assert_max_num_queries
):
    user = world.people[who]

    def read():
        rows = list(selectors.inspection_list(user=user))
        return [
            (r.agency_name, r.plan.title, r.findings_count, r.open_recommendations) for r in rows
        ]

    fill(world)
    few = queries(read)
    for n, code in enumerate(["CA", "MTTQ", "X9", "P2", "TC"]):
        schedule(world, world.tree[code], days=20 + n)
    with django_assert_max_num_queries(few):
        rows = read()
    # The inspected head sees the two inspections of Sở Tài chính; the inspectors all six.
    assert len(rows) == (2 if who == "head" else 6)


def test_the_checklist_costs_the_same_for_3_and_24_criteria(world, django_assert_max_num_queries):
    user = world.people["lead"]
    self_assessed(world)
    fill(world)
    few = queries(
        lambda: selectors.checklist(user=user, inspection=world.inspection, with_filed=True)
    )

    long = make_long_template(world.directive, family="long", count=24)
    inspection = schedule(world, world.tree["MTTQ"], template=long)
    for c in long.criteria.all():
        services.finding_record(
            actor=user, inspection=inspection, criterion=c, result="met", points=Decimal(2)
        )
    with django_assert_max_num_queries(few):
        page = selectors.checklist(user=user, inspection=inspection, with_filed=True)
    assert len(page.rows) == 24
    assert (page.team.scored, page.team.out_of) == (Decimal(48), Decimal(72))


def test_the_template_and_plan_lists_cost_the_same_whatever_their_size(
    world, django_assert_max_num_queries
):
    user = world.people["outsider"]

    def read():
        return list(selectors.template_list(user=user)), list(selectors.plan_list(user=user))

    few = queries(read)
    for n in range(4):
        make_long_template(world.directive, family=f"more-{n}", count=5)
        services.plan_create(
            actor=world.people["lead"],
            year=today().year,
            organiser=world.tree["NV"],
            title=f"Kế hoạch {n}",
            form="on_site",
            item=world.plan.item,
        )
    with django_assert_max_num_queries(few):
        templates, plans = read()
    assert len(templates) == 5 and len(plans) == 5


def test_the_conduct_screen_shows_the_latest_evidence_filed_for_each_item_of_a_criterion(
    world, settings, tmp_path
):
    """Criterion 1 checks item 1, criterion 2 item 2: item 1's many files do not crowd out
    item 2's one, and each criterion shows its own item's latest few."""
    from django.core.files.base import ContentFile

    from workflow.choices import AssignmentSource
    from workflow.deadlines import DueRule
    from workflow.models import Attachment, ProgressReport
    from workflow.services import assignment_issue

    settings.MEDIA_ROOT = tmp_path
    lead, officer = world.people["lead"], world.people["officer"]
    first = world.inspection.self_report  # item 1, Sở Tài chính's
    second = assignment_issue(
        actor=lead,
        item=world.directive.items.get(number="2"),
        agency=world.tree["TC"],
        title="Báo cáo kế hoạch CCHC",
        due_rule=DueRule.of("fixed", fixed_date=today() + timedelta(days=10)),
        source=AssignmentSource.SELF_REPORT,
    )

    def filed(assignment, names):
        report = ProgressReport.objects.create(
            assignment=assignment, kind="progress", author=officer, text="Báo cáo"
        )
        for name in names:
            Attachment.objects.create(
                report=report,
                file=ContentFile(b"%PDF-1.4", name=name),
                original_name=name,
                content_type="application/pdf",
                size=8,
                sha256="0" * 64,
                uploaded_by=officer,
            )

    filed(second, ["ke-hoach-cchc.pdf"])
    many = [f"quan-triet-{n}.pdf" for n in range(3 * selectors.FILED_PER_CRITERION)]
    filed(first, many)

    page = selectors.checklist(user=lead, inspection=world.inspection, with_filed=True)
    shown = {r.criterion.code: [a.original_name for a in r.filed] for r in page.rows}
    assert shown["1"] == list(reversed(many))[: selectors.FILED_PER_CRITERION]
    assert shown["2"] == ["ke-hoach-cchc.pdf"]
    assert shown["3"] == []  # it checks no item


def test_the_checklist_lists_its_fields_in_their_order(world):
    # Criteria listed across the fields come out grouped, the fields in their order
    # (CriterionField.order: direction first), each field's criteria in the checklist's order.
    procedures, direction = world.criteria[2].field, world.criteria[0].field
    assert direction.order < procedures.order

    def criterion(field, code):
        return services.CriterionData(field=field, code=code, text=code, max_points=Decimal(2))

    mixed = services.template_create(
        actor=None,
        family="mixed",
        name="Phiếu xen kẽ",
        year=today().year,
        criteria=[
            criterion(procedures, "A"),
            criterion(direction, "B"),
            criterion(procedures, "C"),
        ],
    )
    inspection = schedule(world, world.tree["MTTQ"], template=mixed)
    page = selectors.checklist(user=world.people["lead"], inspection=inspection)
    assert [field.code for field, _rows in page.groups] == ["chi_dao", "tthc"]
    assert [[r.criterion.code for r in rows] for _f, rows in page.groups] == [["B"], ["A", "C"]]
