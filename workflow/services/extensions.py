"""Extension requests (request → the head endorses → the office decides) and every other
move of a due date: only ``due_date`` moves, never ``original_due_date``."""

from datetime import date, datetime
from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from core import access
from core.exceptions import DomainError, InvalidInput
from core.flowtasks import AlreadyHandled, task_complete

from .. import hooks
from ..choices import (
    OPEN_STATES,
    AssignmentAction,
    ExtensionAction,
    ExtensionStatus,
    StepName,
)
from ..flows import ExtensionFlow
from ..models import Assignment, ExtensionRequest
from ._base import expect_state, locked, locked_for, moment, timeline_record, validated


def _check_later(assignment: Assignment, due_date: date | None) -> date:
    if due_date is None or assignment.due_date is None or due_date <= assignment.due_date:
        raise InvalidInput(_("The new due date must be after the current one."), code="not_later")
    return due_date


def due_date_move(
    *, actor, assignment: Assignment, due_date: date, verb: str, note: str, extra: dict, at
) -> Assignment:
    """Move a locked assignment's due date (the caller checked the right to), write the
    timeline and tell the apps that follow deadlines."""
    old_due = assignment.due_date
    assignment.due_date = due_date
    assignment.sweep_pending = True  # the deadline sweep weighs the new date at its next pass
    assignment.save(update_fields=["due_date", "sweep_pending"])
    timeline_record(
        actor,
        verb,
        assignment,
        at=at,
        note=note,
        old={"due_date": old_due},
        new={"due_date": due_date, **extra},
    )
    hooks.due_date_changed.send(assignment=assignment, at=at)
    return assignment


def assignment_extend(
    *, actor, assignment: Assignment, due_date: date | None, note: str, at: datetime | None = None
) -> Assignment:
    """The office (or a leader) sets a later due date without a request from the agency (no
    date, or one not after the current due date, is refused)."""
    at = moment(at)
    with transaction.atomic():
        assignment = locked_for(actor, AssignmentAction.EXTEND, assignment)
        expect_state(assignment, StepName.TRANSFER)
        return due_date_move(
            actor=actor,
            assignment=assignment,
            due_date=_check_later(assignment, due_date),
            verb="assignment.extend",
            note=note,
            extra={},
            at=at,
        )


def _locked_extension(actor, action: str, extension: ExtensionRequest) -> ExtensionRequest:
    """The request locked and checked in one query (``access.require_get``), then its
    assignment locked."""
    extension = cast(
        ExtensionRequest,
        access.require_get(
            ExtensionRequest.objects.select_for_update(), actor, action, extension.pk
        ),
    )
    extension.assignment = locked(extension.assignment)
    return extension


def extension_request(
    *,
    actor,
    assignment: Assignment,
    requested_due_date: date,
    reason: str,
    at: datetime | None = None,
) -> ExtensionRequest:
    """Ask for a later due date; a head's own request counts as endorsed."""
    at = moment(at)
    with transaction.atomic():
        assignment = locked_for(actor, AssignmentAction.REQUEST_EXTENSION, assignment)
        expect_state(assignment, StepName.REQUEST_EXTENSION)
        if assignment.due_date is None:
            raise DomainError(_("A continuous duty has no deadline to extend."), code="no_due_date")
        if requested_due_date <= assignment.due_date:
            raise InvalidInput(
                _("The new due date must be after the current one."), code="not_later"
            )
        if not reason.strip():
            raise InvalidInput(_("Give the reason."), code="reason_required")
        if assignment.extension_requests.filter(
            status__in=[ExtensionStatus.REQUESTED, ExtensionStatus.ENDORSED]
        ).exists():
            raise AlreadyHandled(_("An extension request is already pending."))
        extension = ExtensionRequest(
            assignment=assignment,
            requested_by=actor,
            requested_at=at,
            current_due_date=assignment.due_date,
            requested_due_date=requested_due_date,
            reason=reason.strip(),
        )
        validated(extension)
        extension.save()
        ExtensionFlow.start.run(extension=extension)
        timeline_record(
            actor,
            "extension.request",
            assignment,
            at=at,
            note=extension.reason,
            new={"extension": extension.pk, "requested_due_date": requested_due_date},
        )
        if access.can(actor, ExtensionAction.ENDORSE, extension):
            _endorse(actor=actor, extension=extension, endorse=True, note="", at=at)
        return extension


def _endorse(*, actor, extension, endorse, note, at):
    extension.status = ExtensionStatus.ENDORSED if endorse else ExtensionStatus.DENIED
    extension.endorsed_by = actor
    fields = ["status", "endorsed_by"]
    if not endorse:
        extension.decided_by, extension.decided_at, extension.decision_note = actor, at, note
        fields += ["decided_by", "decided_at", "decision_note"]
    extension.save(update_fields=fields)
    verb = "extension.endorse" if endorse else "extension.refuse_endorsement"
    timeline_record(
        actor,
        verb,
        extension.assignment,
        at=at,
        note=note,
        new={"extension": extension.pk, "status": extension.status},
    )
    task_complete(extension.process, ExtensionFlow.endorse, actor, at)


def extension_endorse(
    *, actor, extension: ExtensionRequest, endorse: bool, note: str = "", at: datetime | None = None
) -> ExtensionRequest:
    """The head supports the request (it goes to the office) or declines it."""
    at = moment(at)
    with transaction.atomic():
        extension = _locked_extension(actor, ExtensionAction.ENDORSE, extension)
        if extension.status != ExtensionStatus.REQUESTED:
            raise AlreadyHandled()
        _endorse(actor=actor, extension=extension, endorse=endorse, note=note, at=at)
        return extension


def extension_decide(
    *,
    actor,
    extension: ExtensionRequest,
    approve: bool,
    note: str = "",
    due_date: date | None = None,
    at: datetime | None = None,
) -> ExtensionRequest:
    """The office decides; approval moves ``due_date``, never ``original_due_date``."""
    at = moment(at)
    with transaction.atomic():
        extension = _locked_extension(actor, ExtensionAction.DECIDE, extension)
        assignment = extension.assignment
        if extension.status != ExtensionStatus.ENDORSED:
            raise AlreadyHandled()
        if not approve and not note.strip():
            raise InvalidInput(_("Give the reason."), code="reason_required")
        new_due = due_date or extension.requested_due_date
        if approve and assignment.state not in OPEN_STATES:
            # Closed work keeps its due date (as ``assignment_extend`` holds): moved after the
            # fact, a result reported late would count as done on time. Denying still closes
            # the request.
            raise DomainError(code="assignment_closed")
        if approve:
            _check_later(assignment, new_due)
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        extension.decided_by, extension.decided_at = actor, at
        extension.decision_note = note.strip()
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            due_date_move(
                actor=actor,
                assignment=assignment,
                due_date=new_due,
                verb="extension.approve",
                note=extension.decision_note,
                extra={"extension": extension.pk},
                at=at,
            )
        else:
            timeline_record(
                actor,
                "extension.deny",
                assignment,
                at=at,
                note=extension.decision_note,
                old={"due_date": assignment.due_date},
                new={"due_date": assignment.due_date, "extension": extension.pk},
            )
        task_complete(extension.process, ExtensionFlow.decide, actor, at)
        return extension
