"""What every workflow service shares: the moment, validation, locking, the state check, the
viewflow task completion and the timeline line."""

from datetime import datetime
from typing import cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CharField, ForeignKey, Model, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.audit import audit_record, audit_record_from
from core.exceptions import InvalidInput
from core.flowtasks import AlreadyHandled, processes_cancel_for
from core.sql import among

from .. import hooks, notices
from ..choices import STEP_STATES, StepName
from ..flows import AssignmentFlow
from ..models import Assignment, AssignmentProcess
from ..selectors.assigning import assignees_for


def assignments_close(
    *, actor, ids: list[int], state: str, verb: str, old, new, note: str, at: datetime
) -> None:
    """Close the open assignments ``ids`` (locked by the caller) as ``state``, all at once: a
    timeline line each (``old`` and ``new`` are expressions over the rows, ``old`` read before
    the change), the state, their processes cancelled, the apps that follow told — the bulk
    form of a step that closes one (a reorganisation's transfer, recorded outcomes)."""
    rows = Assignment.objects.filter(among("pk", ids))
    audit_record_from(
        rows, actor=actor, verb=verb, obj_repr=assignment_repr(), old=old, new=new, note=note, at=at
    )
    rows.update(state=state)
    processes = AssignmentProcess.objects.filter(among("assignment_id", ids))
    processes_cancel_for(AssignmentFlow, processes, at=at)
    hooks.assignments_closed.send(assignments=rows, state=state, at=at)


def refused(message: str, code: str, field: str) -> InvalidInput:
    """An input refused with ``message``, said against the ``field`` it concerns."""
    return InvalidInput(message, code=code, details={field: [message]})


def assignment_repr() -> Concat:
    """``str(assignment)`` ("#12 title") as an expression over the rows, for the timeline
    lines written in bulk (``audit_record_from``)."""
    return Concat(Value("#"), Cast("pk", CharField()), Value(" "), "title")


def moment(at: datetime | None) -> datetime:
    return at or timezone.now()


def _held(instance: Model, field) -> bool:
    """True when ``instance`` holds, for the foreign key ``field``, the saved row it points to
    (the service read it: the locked assignment, the actor), which need not be looked up again
    to know that it exists."""
    if not isinstance(field, ForeignKey) or not field.is_cached(instance):
        return False
    target = field.get_cached_value(instance)
    return (
        target is not None
        and not target._state.adding
        and getattr(target, field.target_field.attname) == getattr(instance, field.attname)
    )


def validated(instance: Model) -> None:
    """Everything ``full_clean`` checks — fields, ``clean``, uniqueness, constraints — except
    the existence of the rows the instance's foreign keys hold already (one SELECT each, for
    objects the service has just read; the database's foreign keys hold them anyway)."""
    held = {f.name for f in instance._meta.concrete_fields if _held(instance, f)}
    errors: dict = {}
    for check in (lambda: instance.clean_fields(exclude=held), instance.clean):
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    failed = {name for name in errors if name != NON_FIELD_ERRORS}
    for check in (instance.validate_unique, instance.validate_constraints):
        try:
            check(exclude=failed)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        error = ValidationError(errors)
        raise InvalidInput(" ".join(error.messages), details=error.message_dict) from error


def _for_update():
    """The assignment's row locked — that row only: its agency and its process come in the
    same query, unlocked (viewflow locks the process row itself when the step completes its
    task; locking the agency or the directive would queue every step of an agency, or of a
    directive, behind each other)."""
    return Assignment.objects.select_for_update(of=("self",)).select_related("agency", "process")


def locked(assignment: Assignment) -> Assignment:
    """The assignment, read again under a row lock (the caller checks the actor's right)."""
    return _for_update().get(pk=assignment.pk)


def locked_for(actor, action: str, assignment: Assignment) -> Assignment:
    """``locked`` and ``access.require(actor, action, …)`` in one query: the row checked is
    the row locked; not visible → NotFound, visible but not allowed → Forbidden."""
    return cast(Assignment, access.require_get(_for_update(), actor, action, assignment.pk))


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
