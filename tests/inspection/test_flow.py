"""The whole inspection, as the issue's "done when" tells it: findings → minutes by the team's
head → confirmed by the inspected head with an objection (kept) → conclusion by the organiser's
head → two recommendations become remediation assignments in the agency's inbox, due 15 days
after the notice (on a working day) → the sweep escalates the overdue one → remediation through
workflow's services → the team verifies, re-issues one not done, and the inspection closes;
the points roll up."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.choices import Role
from core.calendar import WorkCalendar
from core.exceptions import Forbidden, InvalidInput
from core.inbox import inbox_counts, inbox_row, inbox_tasks
from escalation.models import Escalation
from escalation.sweep import sweep
from inspection import selectors, services
from inspection.choices import (
    FindingResult,
    InspectionStatus,
    RecommendationStatus,
    VerificationResult,
)
from inspection.models import Recommendation, Verification
from tests.conftest import grant
from tests.fixtures.workflow import vn
from workflow.choices import AssignmentSource, AssignmentState
from workflow.models import Assignment
from workflow.services import (
    assignment_reassign,
    assignment_receive,
    completion_report_file,
    report_accept,
    report_approve,
)


def at(day, hour=9):
    return vn(day.year, day.month, day.day, hour)


def tasks(user, kind=None):
    """(kind, subject id) of the user's open tasks, as the inbox lists them."""
    return {(r.kind.code, r.subject_id) for r in map(inbox_row, inbox_tasks(user=user, kind=kind))}


def remedy(people, assignment, day):
    """Sở Tài chính carries out a remediation assignment and the office accepts the report."""
    assignment_receive(
        actor=people["clerk"], assignment=assignment, assignee=people["officer"], at=at(day, 8)
    )
    completion_report_file(
        actor=people["officer"], assignment=assignment, text="Đã khắc phục.", at=at(day, 10)
    )
    report_approve(actor=people["head"], assignment=assignment, at=at(day, 14))
    report_accept(actor=people["reviewer"], assignment=assignment, at=at(day, 16))


def findings(world, day):
    """5/5 met, 6/10 partly met, the third criterion not applicable."""
    results = [
        (FindingResult.MET, Decimal(5)),
        (FindingResult.PARTLY, Decimal(6)),
        (FindingResult.NOT_APPLICABLE, None),
    ]
    for n, (criterion, (result, points)) in enumerate(zip(world.criteria, results, strict=True)):
        services.finding_record(
            actor=world.people["member" if n else "lead"],
            inspection=world.inspection,
            criterion=criterion,
            result=result,
            points=points,
            at=at(day, 9 + n),
        )


def test_an_inspection_from_the_visit_to_its_closing(world):
    people, inspection = world.people, world.inspection
    lead, member, head, organiser_head = (
        people["lead"],
        people["member"],
        people["head"],
        people["other_head"],
    )
    cal = WorkCalendar()
    visit = inspection.scheduled_on
    assert tasks(lead, "inspection_conduct") == {("inspection_conduct", inspection.pk)}
    assert tasks(member, "inspection_conduct") == {("inspection_conduct", inspection.pk)}
    assert not tasks(people["outsider"], "inspection_conduct")

    # On site: the team records a finding per criterion; the minutes wait for all of them.
    findings(world, visit)
    with pytest.raises(Forbidden):
        services.minutes_draft(
            actor=member,
            inspection=inspection,
            text="Biên bản",
            conducted_on=visit,
            at=at(visit, 16),
        )
    services.minutes_draft(
        actor=lead,
        inspection=inspection,
        text="Biên bản kiểm tra",
        conducted_on=visit,
        at=at(visit, 16),
    )
    assert not tasks(lead, "inspection_conduct")
    assert tasks(head, "inspection_confirm") == {("inspection_confirm", inspection.pk)}

    # The inspected head signs with an objection, which is kept with the minutes.
    day = visit + timedelta(days=1)
    services.minutes_confirm(
        actor=head,
        inspection=inspection,
        objection="Tiêu chí 2: kế hoạch đã ban hành ngày 15/01, đề nghị xem xét lại.",
        at=at(day, 10),
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.MINUTES_SIGNED
    assert inspection.objection.startswith("Tiêu chí 2")
    assert (inspection.minutes_signed_by_head, inspection.minutes_signed_by_lead) == (head, lead)
    assert not tasks(head, "inspection_confirm")
    assert tasks(organiser_head, "inspection_conclude") == {("inspection_conclude", inspection.pk)}

    # Two recommendations for Sở Tài chính: 15 days after the notice, and a date of their own.
    later = visit + timedelta(days=60)
    first = services.recommendation_add(
        actor=lead,
        inspection=inspection,
        text="Ban hành kế hoạch CCHC đúng hạn",
        agency=world.tree["TC"],
        criterion=world.criteria[1],
        due_days=15,
        at=at(day, 14),
    )
    second = services.recommendation_add(
        actor=lead,
        inspection=inspection,
        text="Niêm yết đầy đủ thủ tục hành chính",
        agency=world.tree["TC"],
        due_date=later,
        at=at(day, 15),
    )
    assert first.item.number == "2"  # the criterion's item
    assert second.item == world.plan.item  # else the plan's

    # The organiser's head issues the conclusion: two remediation assignments.
    concluded = visit + timedelta(days=2)
    services.conclusion_issue(
        actor=organiser_head,
        inspection=inspection,
        number="05/TB-SNV",
        issued_on=concluded,
        text="Kết luận kiểm tra",
        at=at(concluded),
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FOLLOW_UP
    first.refresh_from_db()
    second.refresh_from_db()
    due = cal.on_or_after(concluded + timedelta(days=15))
    for rec, expected in ((first, due), (second, cal.on_or_after(later))):
        work = rec.assignment
        assert rec.status == RecommendationStatus.ISSUED
        assert (work.source, work.agency, work.state) == (
            AssignmentSource.INSPECTION,
            world.tree["TC"],
            AssignmentState.NEW,
        )
        assert rec.due_date == work.due_date == expected
    assert first.assignment.item.number == "2"
    written = concluded + timedelta(days=15)
    if due != written:  # a day off: moved to the next working day, as written kept
        assert first.assignment.due_date_as_written == written
    receive = tasks(people["clerk"], "receive")
    assert {("receive", first.assignment_id), ("receive", second.assignment_id)} <= receive
    assert inbox_counts(user=people["clerk"])["receive"] == len(receive)
    assert not tasks(organiser_head, "inspection_conclude")

    # The sweep escalates the remediation left overdue, and not the one still in time.
    swept = cal.add_working_days(due, 6)
    sweep(now=at(swept, 8), send_mail=False)
    assert Escalation.objects.filter(assignment=first.assignment).exists()
    assert not Escalation.objects.filter(assignment=second.assignment).exists()

    # Sở Tài chính reports the remediation; once accepted, the team is asked to verify.
    day = swept + timedelta(days=1)
    remedy(people, first.assignment, day)
    first.refresh_from_db()
    assert first.status == RecommendationStatus.TO_VERIFY
    assert tasks(lead, "inspection_verify") == {("inspection_verify", first.pk)}
    assert tasks(member, "inspection_verify") == {("inspection_verify", first.pk)}
    assert not tasks(people["outsider"], "inspection_verify")
    assert not tasks(head, "inspection_verify")

    # Not done: given again with a new deadline, a new assignment under the old one, counted.
    with pytest.raises(InvalidInput):
        services.recommendation_verify(
            actor=member,
            recommendation=first,
            result=VerificationResult.NOT_DONE,
            at=at(day, 17),
        )
    new_due = cal.on_or_after(day + timedelta(days=10))
    old = first.assignment
    services.recommendation_verify(
        actor=member,
        recommendation=first,
        result=VerificationResult.NOT_DONE,
        note="Chưa có quyết định ban hành.",
        new_due_date=new_due,
        at=at(day, 17),
    )
    first.refresh_from_db()
    again = first.assignment
    assert again != old and again.parent == old
    assert (again.source, again.agency, again.due_date) == (
        AssignmentSource.INSPECTION,
        world.tree["TC"],
        new_due,
    )
    assert (first.status, first.reissued, first.due_date) == (
        RecommendationStatus.ISSUED,
        1,
        new_due,
    )
    assert Verification.objects.get(recommendation=first).assignment == old
    assert not tasks(lead, "inspection_verify")
    assert ("receive", again.pk) in tasks(people["clerk"], "receive")

    # Both remediated and verified done: the inspection closes.
    day = day + timedelta(days=2)
    remedy(people, again, day)
    remedy(people, second.assignment, day)
    assert set(Recommendation.objects.values_list("status", flat=True)) == {
        RecommendationStatus.TO_VERIFY
    }
    assert tasks(lead, "inspection_verify") == {
        ("inspection_verify", first.pk),
        ("inspection_verify", second.pk),
    }
    services.recommendation_verify(
        actor=lead, recommendation=first, result=VerificationResult.DONE, at=at(day, 17)
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FOLLOW_UP
    services.recommendation_verify(
        actor=lead, recommendation=second, result=VerificationResult.DONE, at=at(day, 18)
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED
    assert inspection.closed_at == at(day, 18)
    assert not tasks(lead, "inspection_verify")
    assert Verification.objects.filter(recommendation__inspection=inspection).count() == 3
    assert Assignment.objects.filter(source=AssignmentSource.INSPECTION).count() == 3

    # Points: 5 + 6 out of 15 (the criterion not applicable counts in neither), as the team
    # and the inspected agency read them.
    for user in (lead, head):
        points = selectors.checklist(user=user, inspection=inspection).team
        assert (points.scored, points.out_of, points.filled) == (Decimal(11), Decimal(15), 3)
        assert points.percent == Decimal("73.3")


def test_a_verification_by_someone_off_the_team_is_refused(world):
    people = world.people
    rec, day = concluded_with_one_recommendation(world, number="06/TB-SNV")
    remedy(people, rec.assignment, day + timedelta(days=1))
    for name in ("outsider", "head"):
        with pytest.raises(Forbidden):
            services.recommendation_verify(
                actor=people[name],
                recommendation=rec,
                result=VerificationResult.DONE,
                at=at(day + timedelta(days=2)),
            )
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.TO_VERIFY
    assert not Verification.objects.exists()


def test_a_conclusion_without_recommendations_closes_the_inspection(world):
    people, inspection = world.people, world.inspection
    visit = inspection.scheduled_on
    findings(world, visit)
    services.minutes_draft(
        actor=people["lead"],
        inspection=inspection,
        text="…",
        conducted_on=visit,
        at=at(visit, 16),
    )
    with pytest.raises(Forbidden):
        services.minutes_confirm(actor=people["officer"], inspection=inspection, at=at(visit, 17))
    services.minutes_confirm(actor=people["head"], inspection=inspection, at=at(visit, 17))
    with pytest.raises(Forbidden):
        services.conclusion_issue(
            actor=people["lead"],
            inspection=inspection,
            number="07/TB-SNV",
            issued_on=visit,
            text="…",
            at=at(visit, 18),
        )
    services.conclusion_issue(
        actor=people["other_head"],
        inspection=inspection,
        number="07/TB-SNV",
        issued_on=visit,
        text="…",
        at=at(visit, 18),
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED
    assert not Assignment.objects.filter(source=AssignmentSource.INSPECTION).exists()


def concluded_with_one_recommendation(world, number="08/TB-SNV", text="Khắc phục"):
    people, inspection = world.people, world.inspection
    visit = inspection.scheduled_on
    findings(world, visit)
    services.minutes_draft(
        actor=people["lead"],
        inspection=inspection,
        text="…",
        conducted_on=visit,
        at=at(visit, 16),
    )
    services.minutes_confirm(actor=people["head"], inspection=inspection, at=at(visit, 17))
    rec = services.recommendation_add(
        actor=people["lead"],
        inspection=inspection,
        text=text,
        agency=world.tree["TC"],
        due_days=15,
        at=at(visit, 18),
    )
    day = visit + timedelta(days=1)
    services.conclusion_issue(
        actor=people["other_head"],
        inspection=inspection,
        number=number,
        issued_on=day,
        text="…",
        at=at(day),
    )
    rec.refresh_from_db()
    return rec, day


def test_a_long_recommendation_gives_a_remediation_with_a_title_of_one_line(world):
    # A recommendation runs as long as the team writes it; its assignment's title is a line of
    # the inbox and the lists (255 characters at most in the database).
    text = "Rà soát, niêm yết công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa; " * 8
    rec, _day = concluded_with_one_recommendation(world, text=text.strip())
    title = rec.assignment.title
    assert len(title) <= 120 and title.endswith("…")
    assert title.startswith("Khắc phục sau kiểm tra: Rà soát, niêm yết")
    assert rec.text == text.strip()  # the whole text stays on the recommendation


def test_the_self_report_is_titled_by_the_organiser_and_the_day_of_the_visit(world):
    title = world.inspection.self_report.title
    assert title == (
        "Báo cáo tự kiểm tra phục vụ cuộc kiểm tra của Sở Nội vụ ngày "
        + world.inspection.scheduled_on.strftime("%d/%m/%Y")
    )


def test_a_remediation_given_to_another_agency_is_still_verified(world):
    """The office gives the remediation to another agency (an escalation decision): the
    recommendation follows the new assignment, and its completion is verified as well."""
    people = world.people
    rec, day = concluded_with_one_recommendation(world)
    mttq = grant(Role.HEAD, world.tree["MTTQ"], day - timedelta(days=60), username="mttq_head")
    successor = assignment_reassign(
        actor=people["reviewer"],
        assignment=rec.assignment,
        agency=world.tree["MTTQ"],
        note="Giao Ủy ban MTTQ",
        at=at(day, 15),
    )
    rec.refresh_from_db()
    assert rec.assignment == successor
    assert rec.agency == world.tree["MTTQ"]
    assert rec.status == RecommendationStatus.ISSUED

    day += timedelta(days=1)
    assignment_receive(actor=mttq, assignment=successor, assignee=mttq, at=at(day, 8))
    completion_report_file(actor=mttq, assignment=successor, text="Đã xong.", at=at(day, 10))
    report_approve(actor=mttq, assignment=successor, at=at(day, 14))
    report_accept(actor=people["reviewer"], assignment=successor, at=at(day, 16))
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.TO_VERIFY
    assert tasks(people["lead"], "inspection_verify") == {("inspection_verify", rec.pk)}


def test_the_inbox_page_lists_inspection_tasks_beside_assignments(client, world):
    """The team's task reads as the inspection it is about, with its link; the agency's
    remediation reads as the assignment it is."""
    people = world.people
    client.force_login(people["lead"])
    page = client.get(reverse("workflow:inbox"))
    assert page.status_code == 200
    [(row, subject)] = page.context["rows"]
    assert row.kind.code == "inspection_conduct"
    assert row.url == reverse("inspection:conduct", args=[world.inspection.pk])
    assert subject.agency_name == "Sở Tài chính"
    assert subject.due_date == world.inspection.scheduled_on
    html = page.content.decode()
    assert row.url in html and world.plan.title in html

    rec, _day = concluded_with_one_recommendation(world)
    client.force_login(people["clerk"])
    page = client.get(reverse("workflow:inbox"), {"kind": "receive"})
    subjects = {subject.pk: subject for _row, subject in page.context["rows"]}
    assert rec.assignment_id in subjects
    assert subjects[rec.assignment_id].source == AssignmentSource.INSPECTION


def test_a_finding_refused_without_script_comes_back_with_what_was_typed(client, world):
    """On a phone without script the form posts and the page reloads: a refused finding
    shows the error beside the criterion with the result, points and note as typed, once."""
    from django.test import Client

    from inspection.models import Finding

    lead = world.people["lead"]
    first = world.criteria[0]
    client.force_login(lead)
    note = "Chưa có kế hoạch tuyên truyền; đã nhắc đơn vị bổ sung trong tuần."
    answer = client.post(
        reverse("inspection:finding_save", args=[world.inspection.pk]),
        {"criterion": first.pk, "side": "team", "result": "partly", "points": "9", "note": note},
    )
    conduct = reverse("inspection:conduct", args=[world.inspection.pk])
    assert answer.status_code == 302 and answer["Location"] == f"{conduct}#c{first.pk}"
    assert not Finding.objects.filter(inspection=world.inspection, criterion=first).exists()
    # Another person's screen (their own session) never shows it.
    other = Client()
    other.force_login(world.people["member"])
    assert note not in other.get(conduct).content.decode()
    page = client.get(conduct)
    form = page.content.decode().split(f'id="c{first.pk}"')[1].split("</section>")[0]
    assert f">{note}</textarea>" in form
    assert 'value="9"' in form
    assert 'value="partly" checked' in form
    assert page.context["draft"]["errors"][0] in form
    # Shown once: the next visit shows the saved state (nothing), not the refused draft.
    again = client.get(conduct).content.decode()
    assert note not in again
