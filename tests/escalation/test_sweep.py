"""The deadline sweep: levels at their boundaries, once only, resumable, closing old chains."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from agencies.choices import Role
from core.calendar import WorkCalendar
from core.exceptions import Forbidden, InvalidInput, NotFound
from core.models import AuditEvent
from escalation import sweep as sweep_module
from escalation.choices import EscalationResolution, LevelKind
from escalation.models import Escalation, EscalationLevel, EscalationProcess
from escalation.services import Decision
from escalation.services import escalation_decide as _decide
from escalation.sweep import sweep
from notifications.models import Digest, Notice
from notifications.services import digests_send, urgent_send
from tests.fixtures.workflow import vn
from workflow.choices import DuePolicy, Modality
from workflow.deadlines import DueRule
from workflow.services import (
    AlreadyHandled,
    Target,
    assignment_receive,
    assignments_create,
    completion_report_file,
    extension_decide,
    extension_request,
    report_accept,
    report_approve,
)


def escalation_decide(*, actor, escalation, **decision):
    return _decide(actor=actor, escalation=escalation, decision=Decision(**decision))


UTC = ZoneInfo("UTC")
CAL = WorkCalendar(overrides={})


def kinds(assignment):
    return sorted(
        Escalation.objects.filter(assignment=assignment).values_list("level__kind", flat=True)
    )


def make(directive, people, agency, due, modality=Modality.ORDER, title="Nhiệm vụ"):
    return assignments_create(
        actor=people["reviewer"],
        item=directive.items.get(number="1"),
        targets=[Target(agency=agency, modality=modality)],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=due),
        title=title,
        assigned_on=date(2026, 1, 5),
        at=vn(2026, 1, 5),
    )[0]


# Boundaries -------------------------------------------------------------------------------


def test_level_thresholds_follow_working_days():
    # Tuesday 24/2/2026 is 3 working days before Friday 27/2.
    assert CAL.latest_reached(date(2026, 2, 24), -3) == date(2026, 2, 27)
    # +1 after a Friday is the Monday; on the weekend nothing more has been reached.
    assert CAL.latest_reached(date(2026, 3, 2), 1) == date(2026, 3, 1)
    assert CAL.latest_reached(date(2026, 2, 28), 1) == date(2026, 2, 26)


def test_the_reminder_fires_at_midnight_in_vietnam_which_is_17_00_utc(assignment, people):
    # Due Friday 27/2/2026; the −3 reminder belongs to Tuesday 24/2 in Vietnam.
    sweep(now=datetime(2026, 2, 23, 16, 59, 59, tzinfo=UTC))
    assert kinds(assignment) == []
    sweep(now=datetime(2026, 2, 23, 17, 0, 0, tzinfo=UTC))
    assert kinds(assignment) == [LevelKind.REMINDER]


def test_due_on_the_friday_before_tet_warns_after_the_holiday(directive, people, small_tree):
    # Due Friday 13/2/2026; 16–20/2 is Tết: the +1 warning is Monday 23/2, office +5 is 27/2.
    a = make(directive, people, small_tree["TC"], date(2026, 2, 13))
    sweep(now=vn(2026, 2, 10, 8))
    assert kinds(a) == [LevelKind.REMINDER]
    sweep(now=vn(2026, 2, 20, 12))
    assert kinds(a) == [LevelKind.REMINDER]
    sweep(now=vn(2026, 2, 23, 8))
    assert kinds(a) == [LevelKind.REMINDER, LevelKind.WARNING]
    sweep(now=vn(2026, 2, 26, 8))
    assert LevelKind.OFFICE not in kinds(a)
    sweep(now=vn(2026, 2, 27, 8))
    assert LevelKind.OFFICE in kinds(a)


def test_a_make_up_saturday_counts_as_a_working_day(directive, people, small_tree):
    # Saturday 22/8/2026 is a make-up working day (31/8 is taken off instead).
    a = make(directive, people, small_tree["TC"], date(2026, 8, 21))
    sweep(now=vn(2026, 8, 22, 9))
    assert LevelKind.WARNING in kinds(a)


def test_an_old_overdue_assignment_gets_no_reminder_but_every_escalation(assignment, people):
    sweep(now=vn(2026, 6, 1))
    assert kinds(assignment) == [LevelKind.LEADER, LevelKind.OFFICE, LevelKind.WARNING]


def test_requests_are_only_reminded(directive, people, small_tree):
    a = make(directive, people, small_tree["CA"], date(2026, 2, 27), modality=Modality.REQUEST)
    sweep(now=vn(2026, 2, 24))
    sweep(now=vn(2026, 6, 1))
    assert kinds(a) == [LevelKind.REMINDER, LevelKind.WARNING]


# Once only ----------------------------------------------------------------------------------


def test_sweeping_twice_adds_nothing(assignment, people):
    first = sweep(now=vn(2026, 6, 1))
    rows, notices = Escalation.objects.count(), Notice.objects.count()
    assert first.escalations == 3 and notices > 0
    second = sweep(now=vn(2026, 6, 1, 10))
    assert (second.escalations, second.notices) == (0, 0)
    assert (Escalation.objects.count(), Notice.objects.count()) == (rows, notices)


def test_a_crash_half_way_loses_nothing_and_the_rerun_finishes(assignment, people, monkeypatch):
    real = sweep_module._plan_notices
    calls = {"n": 0}

    def crash_on_second_level(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the machine lost power")
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "_plan_notices", crash_on_second_level)
    before = Notice.objects.count()  # the workflow's own (new work for the agency)
    with pytest.raises(RuntimeError):
        sweep(now=vn(2026, 6, 1))
    assert Escalation.objects.count() == 0 and Notice.objects.count() == before
    monkeypatch.setattr(sweep_module, "_plan_notices", real)
    report = sweep(now=vn(2026, 6, 1))
    assert report.escalations == 3
    assert sweep(now=vn(2026, 6, 1)).escalations == 0


def test_the_sweep_costs_the_same_queries_for_3_and_30_assignments(directive, people, small_tree):
    def run(n, now):
        for i in range(n):
            make(directive, people, small_tree["TC"], date(2026, 2, 27), title=f"Việc {i}")
        with CaptureQueriesContext(connection) as queries:
            report = sweep(now=now, send_mail=False)
        return len(queries), report

    sweep(now=vn(2026, 5, 29), send_mail=False)  # the backfill, over nothing: marks set
    few, first = run(3, vn(2026, 6, 1))
    many, second = run(27, vn(2026, 6, 2))
    assert (first.escalations, second.escalations) == (9, 81)
    assert many == few


def test_each_office_level_gets_its_review_task_in_the_pass_that_raised_it(
    directive, people, small_tree
):
    for i in range(5):
        make(directive, people, small_tree["TC"], date(2026, 2, 27), title=f"Việc {i}")
    report = sweep(now=vn(2026, 6, 1))
    office = Escalation.objects.filter(level__kind=LevelKind.OFFICE)
    assert report.flows_opened == office.count() == 5
    assert not office.filter(process__isnull=True).exists()
    assert sweep(now=vn(2026, 6, 1, 10)).flows_opened == 0


def test_a_backfill_opens_the_review_tasks_an_older_version_left_waiting(
    directive, people, small_tree
):
    for i in range(3):
        make(directive, people, small_tree["TC"], date(2026, 2, 27), title=f"Việc {i}")
    sweep(now=vn(2026, 6, 1))
    waiting = Escalation.objects.filter(level__kind=LevelKind.OFFICE).first()
    EscalationProcess.objects.filter(escalation=waiting).delete()
    assert sweep(now=vn(2026, 6, 1, 10)).flows_opened == 0  # watermarks hold: not looked at
    EscalationLevel.objects.update(swept_through=None)  # as after the upgrade to this version
    assert sweep(now=vn(2026, 6, 1, 11)).flows_opened == 1
    assert EscalationProcess.objects.filter(escalation=waiting).exists()


# Old chains close --------------------------------------------------------------------------


def test_an_approved_extension_closes_the_old_chain_and_starts_a_new_one(assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    sweep(now=vn(2026, 3, 2, 9))
    assert kinds(assignment) == [LevelKind.WARNING]
    extension = extension_request(
        actor=people["head"],
        assignment=assignment,
        requested_due_date=date(2026, 4, 30),
        reason="Chờ.",
        at=vn(2026, 3, 2, 10),
    )
    extension_decide(actor=people["reviewer"], extension=extension, approve=True, at=vn(2026, 3, 3))
    old = Escalation.objects.filter(assignment=assignment, due_date=date(2026, 2, 27))
    assert set(old.values_list("resolution", flat=True)) == {EscalationResolution.SUPERSEDED}
    sweep(now=vn(2026, 4, 27, 9))  # 3 working days before Thursday 30/4
    sweep(now=vn(2026, 5, 4, 9))  # 30/4 and 1/5 are holidays: +1 is Monday 4/5
    new = Escalation.objects.filter(assignment=assignment, due_date=date(2026, 4, 30))
    assert sorted(new.values_list("level__kind", flat=True)) == [
        LevelKind.REMINDER,
        LevelKind.WARNING,
    ]


def test_completion_closes_the_open_levels(assignment, people):
    sweep(now=vn(2026, 6, 1))
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    completion_report_file(actor=people["officer"], assignment=assignment, text="Xong.")
    report_approve(actor=people["head"], assignment=assignment)
    report_accept(actor=people["reviewer"], assignment=assignment)
    assert set(Escalation.objects.values_list("resolution", flat=True)) == {
        EscalationResolution.COMPLETED
    }
    assert sweep(now=vn(2026, 6, 10)).escalations == 0


# Notices and mail ---------------------------------------------------------------------------


def test_notices_reach_the_right_people_once(assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    workflow_notices = set(Notice.objects.values_list("pk", flat=True))
    sweep(now=vn(2026, 2, 24), send_mail=False)
    swept = Notice.objects.exclude(pk__in=workflow_notices)
    reminded = set(swept.values_list("recipient__username", flat=True))
    assert reminded == {"officer", "head"}
    sweep(now=vn(2026, 6, 1), send_mail=False)
    summary = swept.get(recipient=people["reviewer"])
    assert summary.urgent and "/escalations/" in summary.url
    assert swept.filter(recipient=people["leader"]).count() == 1
    assert not Notice.objects.filter(recipient=people["other_head"]).exists()


def test_urgent_notices_are_mailed_at_once_and_once(
    assignment, people, django_capture_on_commit_callbacks
):
    people["reviewer"].email = "reviewer@example.vn"
    people["reviewer"].save()
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=vn(2026, 6, 1, 6))  # before 07:00: no digest yet
    assert [m.to for m in mail.outbox] == [["reviewer@example.vn"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert urgent_send() == 0
    assert len(mail.outbox) == 1


def test_one_daily_digest_gathers_everything_new(
    assignment, people, django_capture_on_commit_callbacks
):
    people["head"].email = "head@example.vn"
    people["head"].save()
    sweep(now=vn(2026, 2, 24, 6), send_mail=False)
    sweep(now=vn(2026, 3, 2, 6), send_mail=False)
    with django_capture_on_commit_callbacks(execute=True):
        # The head and the clerk (told of the new work when it was given to the agency).
        assert digests_send(at=vn(2026, 3, 2, 7)) == 2
    digest = [m for m in mail.outbox if m.to == ["head@example.vn"]]
    assert len(digest) == 1
    assert "Báo cáo giải ngân vốn đầu tư công" in digest[0].body
    assert "Nhiệm vụ mới" in digest[0].body
    # The reminder names the assignment; the warning to a head counts the agency's overdue.
    assert "nhiệm vụ của cơ quan" in digest[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(at=vn(2026, 3, 2, 18)) == 0
    assert Digest.objects.get(recipient=people["head"]).notice_count == 3
    assert len([m for m in mail.outbox if m.to == ["head@example.vn"]]) == 1


# Decisions ------------------------------------------------------------------------------------


@pytest.fixture
def escalated(assignment, people):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    return Escalation.objects.get(assignment=assignment, level__kind=LevelKind.OFFICE)


@pytest.mark.parametrize("role", ["head", "officer", "leader", "clerk"])
def test_only_the_office_decides(escalated, people, role):
    with pytest.raises(Forbidden):
        escalation_decide(actor=people[role], escalation=escalated, decision="close")
    escalated.refresh_from_db()
    assert escalated.resolved_at is None


def test_another_agency_does_not_even_see_it(escalated, people):
    with pytest.raises(NotFound):
        escalation_decide(actor=people["other_head"], escalation=escalated, decision="close")


def test_extend_moves_the_due_date_and_closes_the_old_levels(escalated, people):
    escalation_decide(
        actor=people["reviewer"],
        escalation=escalated,
        decision="extend",
        due_date=date(2026, 7, 31),
        note="Gia hạn lần cuối.",
    )
    assignment = escalated.assignment
    assignment.refresh_from_db()
    assert assignment.due_date == date(2026, 7, 31)
    assert assignment.original_due_date == date(2026, 2, 27)
    assert not Escalation.objects.filter(assignment=assignment, resolved_at__isnull=True).exists()
    verbs = AuditEvent.objects.filter(object_id=str(assignment.pk)).values_list("verb", flat=True)
    assert "escalation.extend" in verbs
    assert Notice.objects.filter(recipient=people["head"], category="decision").exists()


def test_penalty_is_recorded_for_scoring(escalated, people):
    with pytest.raises(InvalidInput):
        escalation_decide(
            actor=people["reviewer"], escalation=escalated, decision="penalty", note="Chậm."
        )
    escalation_decide(
        actor=people["reviewer"],
        escalation=escalated,
        decision="penalty",
        penalty_points=2,
        note="Chậm 3 tháng.",
    )
    escalated.refresh_from_db()
    assert escalated.resolution == EscalationResolution.PENALISED
    assert escalated.penalty_points == 2
    with pytest.raises(AlreadyHandled):
        escalation_decide(actor=people["reviewer"], escalation=escalated, decision="close")


def test_reassign_to_another_officer(escalated, people):
    escalation_decide(
        actor=people["reviewer"],
        escalation=escalated,
        decision="reassign",
        assignee=people["officer2"],
        note="Giao người khác.",
    )
    escalated.assignment.refresh_from_db()
    assert escalated.assignment.assignee == people["officer2"]
    still_open = Escalation.objects.filter(assignment=escalated.assignment, resolved_at=None)
    assert not still_open.exists()


def test_reassign_to_an_officer_of_another_agency_is_refused(escalated, people):
    with pytest.raises(InvalidInput):
        escalation_decide(
            actor=people["reviewer"],
            escalation=escalated,
            decision="reassign",
            assignee=people["other_officer"],
            note="Giao người khác.",
        )
    escalated.refresh_from_db()
    assert escalated.resolved_at is None


def test_reassign_to_another_agency(escalated, people, small_tree):
    escalation_decide(
        actor=people["reviewer"],
        escalation=escalated,
        decision="reassign",
        agency=small_tree["NV"],
        note="Chuyển Sở Nội vụ.",
    )
    escalated.assignment.refresh_from_db()
    assert escalated.assignment.state == "transferred"
    assert escalated.assignment.transferred_to.agency == small_tree["NV"]
    assert not Escalation.objects.filter(assignment=escalated.assignment, resolved_at=None).exists()


def test_sent_up_to_a_leader_who_decides(escalated, people):
    escalation_decide(
        actor=people["reviewer"],
        escalation=escalated,
        decision="close",
        send_up=True,
        note="Đề nghị lãnh đạo UBND tỉnh cho ý kiến.",
    )
    with pytest.raises(Forbidden):
        escalation_decide(actor=people["reviewer"], escalation=escalated, decision="close")
    escalation_decide(
        actor=people["leader"],
        escalation=escalated,
        decision="penalty",
        penalty_points=5,
        note="Phê bình.",
    )
    escalated.refresh_from_db()
    assert escalated.resolution == EscalationResolution.PENALISED
    assert escalated.process.finished is not None


def test_the_review_task_is_in_the_office_inbox_until_decided(escalated, people):
    from core.inbox import inbox_tasks

    assert any(t.flow_task.name == "office" for t in inbox_tasks(user=people["reviewer"]))
    escalation_decide(actor=people["reviewer"], escalation=escalated, decision="close")
    assert not any(t.flow_task.name == "office" for t in inbox_tasks(user=people["reviewer"]))


# Two at once on PostgreSQL ------------------------------------------------------------------


def ensure_default_policy():
    """Transactional tests run last and flush the tables, the migrated policy included."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("escalation.migrations.0003_default_policy")
    migration.create(apps, None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_write_each_row_once(directive, people, small_tree):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    ensure_default_policy()
    for i in range(20):
        make(directive, people, small_tree["TC"], date(2026, 2, 27), title=f"Việc {i}")
    barrier = threading.Barrier(2)
    reports = []

    def run():
        try:
            barrier.wait()
            reports.append(sweep(now=vn(2026, 6, 1), send_mail=False))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.escalations for r in reports) == 60
    assert Escalation.objects.count() == 60
    assert Notice.objects.values("recipient", "key").distinct().count() == Notice.objects.count()


def _counted_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.parametrize("analyze_from, seen", [(15, 15), (16, 0)])
def test_a_pass_that_raises_many_escalations_shows_them_to_the_planner(
    directive, people, small_tree, monkeypatch, analyze_from, seen
):
    """A backfill raises escalations that autovacuum cannot count before the commit; the pass
    analyzes their table itself once it raised enough of them, before reading them back."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner's statistics are PostgreSQL's")
    for i in range(5):
        make(directive, people, small_tree["TC"], date(2026, 2, 27), title=f"Việc {i}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE escalation_escalation")
    assert _counted_rows("escalation_escalation") == 0
    monkeypatch.setattr(sweep_module, "ANALYZE_FROM", analyze_from)
    assert sweep(now=vn(2026, 6, 1), send_mail=False).escalations == 15
    assert _counted_rows("escalation_escalation") == seen


@pytest.mark.postgres
def test_a_pass_that_adds_a_small_share_of_the_escalations_is_not_delayed_by_it(
    directive, people, small_tree, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("the planner's statistics are PostgreSQL's")
    for i in range(15):
        make(directive, people, small_tree["TC"], date(2026, 2, 27), title=f"Việc {i}")
    monkeypatch.setattr(sweep_module, "ANALYZE_FROM", 1)
    assert sweep(now=vn(2026, 6, 1), send_mail=False).escalations == 45
    assert _counted_rows("escalation_escalation") == 45
    make(directive, people, small_tree["TC"], date(2026, 2, 27), title="Việc mới")
    assert sweep(now=vn(2026, 6, 2), send_mail=False).escalations == 3  # ≤ a tenth of 45
    assert _counted_rows("escalation_escalation") == 45


def test_levels_are_editable_data(assignment, people):
    EscalationLevel.objects.filter(kind=LevelKind.WARNING).update(offset_working_days=3)
    sweep(now=vn(2026, 3, 2))  # +1 would have warned; +3 has not been reached
    assert LevelKind.WARNING not in kinds(assignment)
    assert Role.REVIEWER


def test_the_leaders_summary_names_the_agencies_with_most_work_at_the_level(
    directive, people, small_tree, settings
):
    """One notice per level and day for a leader, saying which agencies' work reached it,
    the busiest first, by name (issue 12: a short, true summary)."""
    settings.LANGUAGE_CODE = "en"
    for n in range(3):
        make(directive, people, small_tree["TC"], date(2026, 2, 27), title=f"TC {n}")
    make(directive, people, small_tree["NV"], date(2026, 2, 27), title="NV")
    sweep(now=vn(2026, 6, 1))
    summary = Notice.objects.get(
        recipient=people["leader"],
        key__startswith="escalations:",
        category="escalation",
        title__contains="leader",
    )
    assert summary.title.startswith("4 assignments reached the level")
    assert summary.title.endswith(": Sở Tài chính 3, Sở Nội vụ 1.")
    assert Notice.objects.filter(recipient=people["leader"]).count() <= 2  # per level, not per task
