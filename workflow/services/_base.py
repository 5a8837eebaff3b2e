"""What every workflow service shares: the moment, validation, locking, the state check, the
viewflow task completion and the timeline line."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.exceptions import InvalidInput
from core.flowtasks import AlreadyHandled

from .. import notices
from ..choices import STEP_STATES, StepName
from ..models import Assignment
from ..selectors.assigning import assignees_for


def moment(at: datetime | None) -> datetime:
    return at or timezone.now()


def validated(instance: Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), details=exc.message_dict) from exc


def locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update()
        .select_related("item__directive", "agency")
        .get(pk=assignment.pk)
    )


def expect_state(assignment: Assignment, step: StepName) -> None:
    """Refuse a step the assignment's state does not allow (someone else got there first)."""
    if assignment.state not in STEP_STATES[step]:
        raise AlreadyHandled()


def timeline_record(
    actor, verb: str, assignment: Assignment, *, old=None, new=None, note="", at=None
):
    """One line of the assignment's timeline (the append-only audit record); the people the
    step hands work to, or answers, are told (``notices``)."""
    entry = audit_record(actor=actor, verb=verb, obj=assignment, old=old, new=new, note=note, at=at)
    notices.announce(
        verb=verb,
        assignment=assignment,
        actor=actor,
        note=note,
        new=new,
        key=f"{verb}:{entry.pk}",
        at=entry.at,
    )
    return entry


def agency_not_valid(agency, day) -> InvalidInput:
    return InvalidInput(
        _("{agency} does not exist on {day:%d/%m/%Y}.").format(agency=agency, day=day),
        code="agency_not_valid",
    )


def assignee_check(*, assignee, assignment: Assignment, on) -> None:
    """Refuse anyone the assignment may not be given to (``selectors.assignees_for``)."""
    if not assignees_for(agency=assignment.agency, on=on).filter(pk=assignee.pk).exists():
        raise InvalidInput(
            _("{user} does not work for {agency}.").format(
                user=assignee, agency=assignment.agency.code
            ),
            code="assignee_not_member",
        )
