"""After a reorganisation, an ended agency's open work and recurring reports move to the
agency that took it over, all at once (issue 12): history, due dates and the agency as written
kept; split successions ask; a second run moves nothing; the wrong target, a living agency or
someone other than the office change nothing."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.status import PROCESS, STATUS

from agencies.choices import Role, SuccessionKind
from agencies.models import Succession
from core.exceptions import DomainError, Forbidden, InvalidInput
from core.models import AuditEvent
from escalation.models import Escalation
from escalation.sweep import sweep
from notifications.models import Notice
from tests.fixtures.workflow import vn
from tests.workflow.factories import AssignmentFactory, DirectiveFactory
from workflow import selectors
from workflow.choices import AssignmentSource, AssignmentState, DirectiveKind, DuePolicy, Period
from workflow.deadlines import DueRule
from workflow.models import Assignment, RecurringObligation
from workflow.services import obligation_create, occurrences_generate
from workflow.services.reorganisation import reorganisation_transfer

NOW = vn(2026, 2, 10)


@pytest.fixture
def plan(small_tree, people):
    return DirectiveFactory(
        actor=people["reviewer"],
        kind=DirectiveKind.KE_HOACH,
        number="",
        title="Kế hoạch 2024",
        issued_on=date(2024, 6, 3),
        issuer=small_tree["P"],
        items=["Giải ngân.", "Báo cáo định kỳ."],
    )


@pytest.fixture
def give(plan, small_tree):
    def give(code, title=None, due=date(2025, 12, 31)):
        return AssignmentFactory(
            item=plan.items.get(number="1"),
            agency=small_tree[code],
            as_written=f"Cơ quan {code}",
            due_rule=DueRule(DuePolicy.FIXED, fixed_date=due),
            title=title or f"Việc năm 2024 của {code}",
            assigned_on=date(2024, 6, 3),
            at=None,
        )

    return give


def timeline(assignment):
    kind = ContentType.objects.get_for_model(Assignment)
    lines = AuditEvent.objects.filter(content_type=kind, object_id=str(assignment.pk))
    return set(lines.values_list("verb", flat=True))


def things():
    """What a refused transfer must leave as it was."""
    return (
        list(Assignment.objects.order_by("pk").values_list("pk", "state", "agency_id")),
        list(RecurringObligation.objects.order_by("pk").values_list("pk", "agency_id", "ends_on")),
        AuditEvent.objects.count(),
        Notice.objects.count(),
    )


def test_an_ended_department_s_open_work_moves_to_the_one_it_merged_into(
    give, small_tree, people, user_with_role
):
    """Sở KH&ĐT merged into Sở Tài chính on 01/03/2025: its three open assignments go there at
    once, each continuing the old one, which closes as transferred."""
    khdt, tc = small_tree["KHDT"], small_tree["TC"]
    open_ = [give("KHDT", f"Việc {n}") for n in range(3)]
    done = give("KHDT", "Việc đã xong")
    Assignment.objects.filter(pk=done.pk).update(state=AssignmentState.DONE)
    sweep(now=vn(2026, 1, 20), send_mail=False)
    raised = Escalation.objects.filter(assignment__in=open_, resolved_at__isnull=True).count()
    assert raised >= 3

    moved = reorganisation_transfer(
        actor=people["reviewer"], agency=khdt, note="Sáp nhập vào Sở Tài chính.", at=NOW
    )

    assert sorted(moved.assignments) == sorted(a.pk for a in open_)
    assert moved.by_agency == {tc.pk: 3}
    for a in open_:
        a.refresh_from_db()
        assert a.state == AssignmentState.TRANSFERRED
        new = a.transferred_to
        assert (new.agency, new.agency_as_written, new.state) == (tc, khdt, AssignmentState.NEW)
        assert (new.title, new.due_date, new.assigned_on) == (a.title, a.due_date, a.assigned_on)
        assert (new.agency_text, new.source) == ("Cơ quan KHDT", AssignmentSource.TRANSFER)
        assert new.original_due_date == a.due_date
        # The old process is cancelled with its open task; the new one waits to be received.
        assert a.process.status == PROCESS.CANCELED
        assert not a.process.task_set.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED]).exists()
        waiting = new.process.task_set.get(status=STATUS.NEW)
        assert waiting.flow_task.name == "receive"
        assert timeline(a) == {"assignment.create", "assignment.transfer"}
        assert timeline(new) == {"assignment.create"}
    done.refresh_from_db()
    assert done.state == AssignmentState.DONE
    # The old escalations are closed; the next sweep weighs the successors.
    assert not Escalation.objects.filter(assignment__in=open_, resolved_at__isnull=True).exists()
    sweep(now=vn(2026, 2, 11), send_mail=False)
    assert Escalation.objects.filter(assignment__agency=tc, resolved_at__isnull=True).count() >= 3
    # Each person receiving work at Sở Tài chính hears of it once, not once per assignment.
    told = Notice.objects.filter(key__startswith="reorganisation:")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["clerk", "head"]
    assert "3" in told.first().title and "Sở Kế hoạch và Đầu tư" in told.first().title
    assert AuditEvent.objects.filter(verb="agency.reorganisation_transfer").get().after == {
        "assignments": 3,
        "obligations": 0,
        "explanations": 0,
        "to": {"TC": 3},
    }


def test_a_request_to_explain_follows_the_work_to_the_agency_that_took_it_over(
    give, small_tree, people
):
    """Sở KH&ĐT was asked to explain a late assignment, then ended: nobody there can answer.
    The request is withdrawn from it, saying why, and asked again of Sở Tài chính on the
    assignment continuing the work, by the same date or, past it, by the day of the transfer;
    an answered request stays where it was answered."""
    from workflow.choices import ExplanationStatus
    from workflow.models import ExplanationRequest
    from workflow.selectors.explanations import explanations_told
    from workflow.selectors.timeline import assignment_timeline
    from workflow.services import explanation_request

    reviewer, tc = people["reviewer"], small_tree["TC"]
    late, answered, ahead = (give("KHDT", f"Việc {n}") for n in range(3))
    asked = vn(2026, 1, 20)
    question = "Vì sao chưa giải ngân đúng hạn?"
    kept = explanation_request(
        actor=reviewer, assignment=late, question=question, due_on=date(2026, 1, 30), at=asked
    )
    done = explanation_request(
        actor=reviewer,
        assignment=answered,
        question="Vì sao chậm?",
        due_on=date(2026, 1, 30),
        at=asked,
    )
    ExplanationRequest.objects.filter(pk=done.pk).update(
        status=ExplanationStatus.ANSWERED, answer="Do thiếu hồ sơ.", answered_at=asked
    )
    later = explanation_request(
        actor=reviewer, assignment=ahead, question="Tiến độ?", due_on=date(2026, 3, 2), at=asked
    )

    moved = reorganisation_transfer(actor=reviewer, agency=small_tree["KHDT"], at=NOW)

    assert moved.explanations == {tc.pk: 2}
    for old, due in ((kept, date(2026, 2, 10)), (later, date(2026, 3, 2))):
        old.refresh_from_db()
        assert old.status == ExplanationStatus.WITHDRAWN and old.withdrawn_by == reviewer
        assert old.withdrawal_note
        successor = old.assignment.transferred_to
        new = ExplanationRequest.objects.get(assignment=successor)
        assert (new.agency, new.status, new.due_on) == (tc, ExplanationStatus.REQUESTED, due)
        assert (new.question, new.requested_by) == (old.question, reviewer)
        assert "explanation.withdraw" in timeline(old.assignment)
        [line] = explanations_told(assignment_timeline(assignment=successor))
        assert (line.pk, line.question, line.due_on) == (new.pk, new.question, due)
    done.refresh_from_db()
    assert (done.status, done.assignment_id) == (ExplanationStatus.ANSWERED, answered.pk)
    assert not ExplanationRequest.objects.filter(assignment=done.assignment.transferred_to).exists()
    # Sở Tài chính's head hears of it once for the two.
    told = Notice.objects.filter(key__startswith="reorganisation-explanations:")
    assert list(told.values_list("recipient__username", flat=True)) == ["head"]
    assert "2" in told.get().title
    after = AuditEvent.objects.filter(verb="agency.reorganisation_transfer").get().after
    assert after["explanations"] == 2


def test_running_it_again_moves_nothing_twice(give, small_tree, people):
    give("KHDT")
    reorganisation_transfer(actor=people["reviewer"], agency=small_tree["KHDT"], at=NOW)
    before = things()
    with pytest.raises(DomainError) as refused:
        reorganisation_transfer(actor=people["reviewer"], agency=small_tree["KHDT"], at=NOW)
    assert refused.value.code == "nothing_to_transfer"
    assert things() == before


def test_the_statements_do_not_grow_with_the_work(give, small_tree, people):
    def statements(n, code):
        for i in range(n):
            give(code, f"Việc {code} {i}")
        with CaptureQueriesContext(connection) as queries:
            reorganisation_transfer(
                actor=people["reviewer"],
                agency=small_tree[code],
                to_agency=small_tree["X9"],
                at=NOW,
            )
        return len(queries)

    assert statements(2, "H2") == statements(30, "H4")


def test_a_dissolution_with_no_successor_asks_then_goes_where_the_office_says(
    give, small_tree, people
):
    """Huyện Hai was dissolved on 01/07/2025 with no successor named."""
    work = [give("H2", f"Việc huyện {n}") for n in range(2)]
    before = things()
    with pytest.raises(InvalidInput) as asked:
        reorganisation_transfer(actor=people["reviewer"], agency=small_tree["H2"], at=NOW)
    assert asked.value.code == "choose_successor"
    assert "Ủy ban nhân dân huyện Hai" in str(asked.value.message)
    assert things() == before

    moved = reorganisation_transfer(
        actor=people["reviewer"], agency=small_tree["H2"], to_agency=small_tree["X9"], at=NOW
    )
    assert moved.by_agency == {small_tree["X9"].pk: 2}
    assert {
        a.transferred_to.agency.code for a in Assignment.objects.filter(pk__in=[w.pk for w in work])
    } == {"X9"}


def test_a_split_asks_which_part_takes_what(give, small_tree, people):
    """A district split between a new commune and a department taking one of its functions:
    the office chooses for each assignment, or one agency for all of them."""
    h2, x9, tc = small_tree["H2"], small_tree["X9"], small_tree["TC"]
    Succession.objects.filter(predecessor=h2).delete()
    Succession.objects.create(
        predecessor=h2, successor=x9, kind=SuccessionKind.SPLIT, effective_on=date(2025, 7, 1)
    )
    Succession.objects.create(
        predecessor=h2,
        successor=tc,
        kind=SuccessionKind.TRANSFER_FUNCTION,
        function="đất đai",
        effective_on=date(2025, 7, 1),
    )
    land, school = give("H2", "Đất đai"), give("H2", "Trường học")
    before = things()
    with pytest.raises(InvalidInput) as asked:
        reorganisation_transfer(actor=people["reviewer"], agency=h2, at=NOW)
    assert asked.value.code == "choose_successor"
    with pytest.raises(InvalidInput) as wrong:
        reorganisation_transfer(
            actor=people["reviewer"],
            agency=h2,
            choices={land.pk: small_tree["NV"]},
            to_agency=x9,
            at=NOW,
        )
    assert wrong.value.code == "not_successor"
    assert things() == before

    moved = reorganisation_transfer(
        actor=people["reviewer"], agency=h2, choices={land.pk: tc}, to_agency=x9, at=NOW
    )
    assert moved.by_agency == {tc.pk: 1, x9.pk: 1}
    land.refresh_from_db()
    school.refresh_from_db()
    assert (land.transferred_to.agency, school.transferred_to.agency) == (tc, x9)


@pytest.mark.parametrize(
    ("who", "code", "to", "error"),
    [
        ("head", "KHDT", None, Forbidden),  # not the office
        ("reviewer", "TC", None, InvalidInput),  # still exists
        ("reviewer", "KHDT", "NV", InvalidInput),  # not a successor
        ("reviewer", "KHDT", "KHDT", InvalidInput),  # does not exist today
    ],
)
def test_a_wrong_transfer_changes_nothing(give, small_tree, people, who, code, to, error):
    give("KHDT")
    give("TC")
    before = things()
    with pytest.raises(error):
        reorganisation_transfer(
            actor=people[who],
            agency=small_tree[code],
            to_agency=small_tree[to] if to else None,
            at=NOW,
        )
    assert things() == before


def test_recurring_reports_continue_with_the_successor_from_the_day_it_ended(
    plan, small_tree, people
):
    """A half-yearly report Xã Một owed from 2024 continues with Phường Mới for the periods
    from 01/07/2025; the earlier ones stay Xã Một's."""
    x1, x9 = small_tree["X1"], small_tree["X9"]
    owed = obligation_create(
        actor=people["reviewer"],
        item=plan.items.get(number="2"),
        agency=x1,
        title="Báo cáo 6 tháng",
        period=Period.HALF_YEARLY,
        starts_on=date(2024, 1, 1),
        report_day=15,
        agency_as_written="UBND xã Một",
    )
    occurrences_generate(until=date(2025, 6, 30), at=vn(2025, 6, 30))
    assert Assignment.objects.filter(obligation=owed).count() == 3  # 2024 H1, H2, 2025 H1

    moved = reorganisation_transfer(actor=people["reviewer"], agency=x1, at=NOW)

    owed.refresh_from_db()
    assert owed.ends_on == date(2025, 7, 1)
    heir = owed.transferred_to
    assert (heir.agency, heir.starts_on, heir.agency_as_written) == (
        x9,
        date(2025, 7, 1),
        "UBND xã Một",
    )
    assert moved.obligations == {owed.pk: heir.pk}
    occurrences_generate(until=date(2026, 1, 1), at=NOW)
    assert list(
        Assignment.objects.filter(obligation=heir)
        .order_by("period_start")
        .values_list("period_start", flat=True)
    ) == [date(2025, 7, 1), date(2026, 1, 1)]
    assert Assignment.objects.filter(obligation=owed).count() == 3
    # The open occurrences of the earlier periods moved as open work.
    assert set(moved.assignments) == set(
        Assignment.objects.filter(obligation=owed, state=AssignmentState.TRANSFERRED).values_list(
            "pk", flat=True
        )
    )


def test_only_the_office_may(give, small_tree, people, user_with_role):
    give("KHDT")
    leader = people["leader"]
    inspector = user_with_role(Role.INSPECTOR, small_tree["NV"], date(2025, 8, 1))
    for actor in (leader, inspector, people["head"], people["officer"]):
        with pytest.raises(Forbidden):
            reorganisation_transfer(actor=actor, agency=small_tree["KHDT"], at=NOW)


def test_a_second_run_leaves_yearly_reports_alone(plan, small_tree, people):
    """A yearly report continued from the next period start: running again does not continue
    it twice; one that ends before its next period just ends."""
    ending = obligation_create(
        actor=people["reviewer"],
        item=plan.items.get(number="2"),
        agency=small_tree["X1"],
        title="Báo cáo năm 2025",
        period=Period.YEARLY,
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    owed = obligation_create(
        actor=people["reviewer"],
        item=plan.items.get(number="2"),
        agency=small_tree["X1"],
        title="Báo cáo năm",
        period=Period.YEARLY,
        starts_on=date(2024, 1, 1),
    )
    reorganisation_transfer(actor=people["reviewer"], agency=small_tree["X1"], at=NOW)
    owed.refresh_from_db()
    assert (owed.ends_on, owed.transferred_to.starts_on) == (date(2025, 7, 1), date(2026, 1, 1))
    ending.refresh_from_db()
    assert ending.ends_on == date(2025, 7, 1)
    # Nothing is left of Xã Một for the office's list.
    listed = selectors.ended_agencies(user=people["reviewer"], today=date(2026, 2, 10))
    assert small_tree["X1"].pk not in dict(listed)
    assert not RecurringObligation.objects.filter(transferred_from=ending).exists()
    before = things()
    with pytest.raises(DomainError):
        reorganisation_transfer(actor=people["reviewer"], agency=small_tree["X1"], at=NOW)
    assert things() == before


# The page and the API.


def page_of(client):
    return client.get(reverse("workflow:reorganisation"))


def test_the_office_sees_each_ended_agency_and_moves_its_work_in_one_confirmation(
    client, give, small_tree, people
):
    for n in range(3):
        give("KHDT", f"Việc {n}")
    give("H2")
    client.force_login(people["reviewer"])
    page = page_of(client)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sở Kế hoạch và Đầu tư" in text and "Ủy ban nhân dân huyện Hai" in text
    assert "KHDT</" not in text  # names, not codes
    rows = {
        e.agency.code: (e.open_work, [s.code for s in e.successors])
        for e, _f in page.context["rows"]
    }
    assert rows == {"H2": (1, []), "KHDT": (3, ["TC"])}

    moved = client.post(
        reverse("workflow:reorganisation"),
        {
            "agency-KHDT-agency": "KHDT",
            "agency-KHDT-to_agency": "TC",
            "agency-KHDT-note": "Sáp nhập.",
        },
        follow=True,
    )
    assert moved.status_code == 200
    assert (
        Assignment.objects.filter(agency=small_tree["TC"], source=AssignmentSource.TRANSFER).count()
        == 3
    )
    assert [e.agency.code for e, _f in moved.context["rows"]] == ["H2"]


def test_a_wrong_target_on_the_page_says_why_and_moves_nothing(client, give, small_tree, people):
    give("KHDT")
    client.force_login(people["reviewer"])
    before = things()
    refused = client.post(
        reverse("workflow:reorganisation"),
        {"agency-KHDT-agency": "KHDT", "agency-KHDT-to_agency": "NV"},
    )
    assert refused.status_code == 400
    assert things() == before


def test_nobody_but_the_office_opens_the_page_or_the_api(client, give, small_tree, people):
    give("KHDT")
    for name in ("leader", "head", "officer", "clerk"):
        client.force_login(people[name])
        assert page_of(client).status_code == 403
        assert client.get("/api/v1/reorganisation/").status_code == 403
        denied = client.post(
            "/api/v1/reorganisation/", {"agency": "KHDT"}, content_type="application/json"
        )
        assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    assert Assignment.objects.filter(state=AssignmentState.TRANSFERRED).count() == 0


def test_the_api_lists_and_moves_with_choices_per_assignment(client, give, small_tree, people):
    h2 = small_tree["H2"]
    a, b = give("H2", "Một"), give("H2", "Hai")
    client.force_login(people["reviewer"])
    listed = client.get("/api/v1/reorganisation/").json()
    assert listed["count"] == 1
    assert listed["results"][0] | {"ended_on": None} == {
        "code": "H2",
        "name": "Ủy ban nhân dân huyện Hai",
        "ended_on": None,
        "open_work": 2,
        "obligations": 0,
        "successors": [],
    }
    bad = client.post(
        "/api/v1/reorganisation/",
        {"agency": "H2", "choices": {"x": "X9"}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "choices" in bad.json()["errors"]
    asked = client.post(
        "/api/v1/reorganisation/", {"agency": "H2"}, content_type="application/json"
    )
    assert asked.status_code == 400 and asked.json()["code"] == "choose_successor"
    done = client.post(
        "/api/v1/reorganisation/",
        {"agency": "H2", "to_agency": "X9", "choices": {str(a.pk): "TC"}},
        content_type="application/json",
    )
    assert done.status_code == 201, done.json()
    assert done.json()["by_agency"] == {"TC": 1, "X9": 1}
    assert Assignment.objects.filter(agency=h2, state=AssignmentState.TRANSFERRED).count() == 2
    b.refresh_from_db()
    assert b.transferred_to.agency.code == "X9"
