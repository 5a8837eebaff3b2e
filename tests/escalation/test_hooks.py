"""Escalations follow their assignments: whoever closes an assignment or moves its due date,
the open levels close, and so does the office's review task (one writer: escalations_resolve)."""

from datetime import date

import pytest

from core.inbox import inbox_tasks
from escalation.choices import EscalationResolution, LevelKind
from escalation.models import Escalation
from escalation.services import Decision, escalation_decide
from escalation.sweep import sweep
from tests.fixtures.workflow import vn
from workflow.choices import AssignmentState
from workflow.models import Assignment
from workflow.services import assignment_refuse, assignment_triage, extension_decide
from workflow.services import extension_request as extension_ask


@pytest.fixture
def escalated(assignment, people):
    """The assignment is three months late: every level is raised, the office has a task."""
    sweep(now=vn(2026, 6, 1), send_mail=False)
    office = Escalation.objects.get(assignment=assignment, level__kind=LevelKind.OFFICE)
    assert office.process.finished is None
    return office


def office_tasks(user):
    return [t for t in inbox_tasks(user=user) if t.flow_task.name == "office"]


def test_cancelling_through_triage_closes_the_escalation_and_its_review_task(escalated, people):
    assignment = escalated.assignment
    assignment_refuse(actor=people["clerk"], assignment=assignment, reason="Không thuộc chức năng.")
    assert office_tasks(people["reviewer"])
    assignment_triage(actor=people["reviewer"], assignment=assignment, decision="cancel")
    escalated.refresh_from_db()
    assert escalated.resolution == EscalationResolution.COMPLETED
    assert escalated.process.finished is not None
    assert not office_tasks(people["reviewer"])
    sweep(now=vn(2026, 6, 2), send_mail=False)
    assert not Escalation.objects.filter(assignment=assignment, resolved_at=None).exists()
    assert not office_tasks(people["reviewer"])


def test_the_sweep_closes_the_review_task_of_work_closed_by_other_means(escalated, people):
    # An assignment closed without its services (a data correction, a restore), flagged for
    # the sweep as Assignment.sweep_pending asks: the sweep finds the stale levels and closes
    # them through the same writer.
    Assignment.objects.filter(pk=escalated.assignment_id).update(
        state=AssignmentState.CANCELLED, sweep_pending=True
    )
    sweep(now=vn(2026, 6, 2), send_mail=False)
    escalated.refresh_from_db()
    assert escalated.resolved_at is not None
    assert escalated.process.finished is not None
    assert not office_tasks(people["reviewer"])


def test_accepting_with_a_penalty_closes_every_level_of_that_due_date(escalated, people):
    levels = Escalation.objects.filter(assignment=escalated.assignment)
    assert set(levels.values_list("level__kind", flat=True)) >= {
        LevelKind.WARNING,
        LevelKind.OFFICE,
        LevelKind.LEADER,
    }
    escalation_decide(
        actor=people["reviewer"],
        escalation=escalated,
        decision=Decision("penalty", note="Chậm 3 tháng.", penalty_points=2),
    )
    assert not levels.filter(resolved_at=None).exists()
    assert set(levels.values_list("resolution", flat=True)) == {EscalationResolution.PENALISED}
    # The leader sees nothing left to decide.
    assert not [t for t in inbox_tasks(user=people["leader"]) if t.flow_task.name == "leader"]
    # Only the decided level carries the points (scoring counts them once).
    assert [e.penalty_points for e in levels if e.penalty_points] == [2]


def test_an_approved_extension_supersedes_the_old_levels(escalated, people):
    assignment = escalated.assignment
    # A head's own request counts as endorsed: it goes straight to the office.
    extension = extension_ask(
        actor=people["head"],
        assignment=assignment,
        requested_due_date=date(2026, 9, 30),
        reason="Chờ số liệu.",
    )
    extension_decide(actor=people["reviewer"], extension=extension, approve=True, note="Đồng ý.")
    escalated.refresh_from_db()
    assert escalated.resolution == EscalationResolution.SUPERSEDED
    assert escalated.process.finished is not None
    assert not office_tasks(people["reviewer"])
