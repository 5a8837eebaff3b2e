"""The agency's first answer to an assignment, and the office's answer to a refusal."""

from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.exceptions import InvalidInput
from core.flowtasks import task_complete
from core.time import local_date

from .. import hooks
from ..choices import AssignmentAction, AssignmentState, StepName, TriageDecision
from ..flows import AssignmentFlow
from ..models import Assignment
from ._base import assignee_check, expect_state, locked_for, moment, timeline_record
from .transfers import successor_start


def assignment_receive(
    *, actor, assignment: Assignment, assignee, at: datetime | None = None
) -> Assignment:
    """The agency receives the assignment and gives it to one of its people."""
    at = moment(at)
    with transaction.atomic():
        assignment = locked_for(actor, AssignmentAction.RECEIVE, assignment)
        expect_state(assignment, StepName.RECEIVE)
        assignee_check(assignee=assignee, assignment=assignment, on=local_date(at))
        assignment.assignee = assignee
        assignment.state = AssignmentState.IN_PROGRESS
        assignment.received_on = local_date(at)
        assignment.save(update_fields=["assignee", "state", "received_on"])
        timeline_record(
            actor,
            "assignment.receive",
            assignment,
            at=at,
            old={"state": AssignmentState.NEW},
            new={"state": assignment.state, "assignee": assignee.username},
        )
        task_complete(assignment.process, AssignmentFlow.receive, actor, at)
        return assignment


def assignment_refuse(
    *, actor, assignment: Assignment, reason: str, at: datetime | None = None
) -> Assignment:
    """The agency sends the assignment back to the office: not within its remit."""
    at = moment(at)
    with transaction.atomic():
        assignment = locked_for(actor, AssignmentAction.REFUSE, assignment)
        expect_state(assignment, StepName.REFUSE)
        if not reason.strip():
            raise InvalidInput(_("Give the reason."), code="reason_required")
        assignment.state = AssignmentState.REFUSED
        assignment.save(update_fields=["state"])
        timeline_record(
            actor,
            "assignment.refuse",
            assignment,
            at=at,
            note=reason.strip(),
            old={"state": AssignmentState.NEW},
            new={"state": assignment.state},
        )
        task_complete(assignment.process, AssignmentFlow.receive, actor, at)
        return assignment


TRIAGE_STATES: dict[str, AssignmentState] = {
    TriageDecision.RETURN: AssignmentState.NEW,
    TriageDecision.CANCEL: AssignmentState.CANCELLED,
    TriageDecision.REASSIGN: AssignmentState.TRANSFERRED,
}


def assignment_triage(
    *,
    actor,
    assignment: Assignment,
    decision: str,
    note: str = "",
    agency: Agency | None = None,
    at: datetime | None = None,
) -> Assignment:
    """The office answers a refusal: send it back, cancel it, or give it to another agency."""
    at = moment(at)
    with transaction.atomic():
        assignment = locked_for(actor, AssignmentAction.TRIAGE, assignment)
        expect_state(assignment, StepName.TRIAGE)
        if decision not in TRIAGE_STATES:
            raise InvalidInput(code="invalid_decision")
        if decision == TriageDecision.REASSIGN and (agency is None or agency == assignment.agency):
            raise InvalidInput(_("Choose another agency."), code="agency_required")
        assignment.state = TRIAGE_STATES[decision]
        assignment.save(update_fields=["state"])
        timeline_record(
            actor,
            f"assignment.triage_{decision}",
            assignment,
            at=at,
            note=note,
            old={"state": AssignmentState.REFUSED},
            new={"state": assignment.state, "agency": agency.code if agency else None},
        )
        task_complete(assignment.process, AssignmentFlow.triage, actor, at)
        if decision == TriageDecision.REASSIGN:
            successor_start(actor=actor, at=at, old=assignment, agency=cast(Agency, agency))
        if assignment.state != AssignmentState.NEW:
            hooks.assignment_closed.send(assignment=assignment, state=assignment.state, at=at)
        return assignment
