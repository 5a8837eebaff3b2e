"""Work that changes hands: to a successor after a reorganisation, or to another agency or
officer by the office's decision."""

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import agency_name_on, successor_agencies
from core.exceptions import InvalidInput
from core.time import local_date

from .. import hooks
from ..choices import AssignmentAction, AssignmentSource, AssignmentState, StepName
from ..flows import AssignmentFlow
from ..models import Assignment
from ._base import (
    agency_not_valid,
    assignee_check,
    expect_state,
    locked_for,
    moment,
    refused,
    timeline_record,
)
from .assigning import assignment_start


def successor_start(*, actor, at, old: Assignment, agency: Agency) -> Assignment:
    """The same work, given to ``agency`` (which must exist today); the agency as written and
    the due date are kept."""
    if not Agency.objects.valid_on(local_date(at)).filter(pk=agency.pk).exists():
        raise agency_not_valid(agency.code, local_date(at))
    return assignment_start(
        actor=actor,
        at=at,
        item=old.item,
        agency_as_written=old.agency_as_written,
        agency_text=old.agency_text,
        agency=agency,
        role=old.role,
        modality=old.modality,
        parent=old.parent,
        obligation=None,
        period_start=old.period_start,
        period_end=old.period_end,
        title=old.title,
        expected_output=old.expected_output,
        assigned_on=old.assigned_on,
        due_policy=old.due_policy,
        due_date=old.due_date,
        due_date_as_written=old.due_date_as_written,
        source=AssignmentSource.TRANSFER,
        transferred_from=old,
    )


def _hand_over(*, actor, assignment: Assignment, agency: Agency, verb: str, note: str, at):
    """Close ``assignment`` as transferred and start its successor at ``agency``."""
    old_state = assignment.state
    assignment.state = AssignmentState.TRANSFERRED
    assignment.save(update_fields=["state"])
    AssignmentFlow.instance.cancel(assignment.process)
    successor = successor_start(actor=actor, at=at, old=assignment, agency=agency)
    timeline_record(
        actor,
        verb,
        assignment,
        at=at,
        note=note,
        old={"state": old_state, "agency": assignment.agency.code},
        new={"state": assignment.state, "agency": agency.code, "assignment": successor.pk},
    )
    hooks.assignment_closed.send(assignment=assignment, state=assignment.state, at=at)
    return successor


def successor_check(
    *, to_agency: Agency, agency: Agency, given_on: date, successors: list[Agency], on: date
) -> None:
    """When some agency took over the work ``agency`` was given on ``given_on``
    (``successors``, from ``successor_agencies``), only one of them receives it: the one rule
    of a transfer, for one assignment and for a whole reorganisation."""
    if successors and to_agency.pk not in {s.pk for s in successors}:
        names = ", ".join(agency_name_on(agency=s, on=on) for s in successors)
        name = agency_name_on(agency=agency, on=given_on) or str(agency)
        message = _("Only an agency that took over the work of {agency} can receive it: {names}.")
        raise refused(message.format(agency=name, names=names), "not_successor", "to_agency")


def _transfer_check(*, assignment: Assignment, to_agency: Agency, on: date) -> None:
    """A transfer hands the work to an agency that took it over (DOMAIN.md §2.3–2.4: the 2025
    mergers name who continues each agency's work). Refused: the agency it is already with, and
    any agency unrelated by succession while there is a successor. One case is left to the
    office: an agency dissolved with no successor named (a district of 1 July 2025, whose work
    goes to communes or to the province, DOMAIN.md §2.4 item 4 — "a manual-confirm workflow") —
    its work may go to any agency that exists, as the office confirms."""
    if to_agency.pk == assignment.agency_id:
        message = _("The work is already with {agency}: choose the agency that took it over.")
        raise refused(
            message.format(agency=agency_name_on(agency=to_agency, on=on)),
            "same_agency",
            "to_agency",
        )
    successors = successor_agencies(
        agency=assignment.agency, given_on=assignment.assigned_on, on=on
    )
    successor_check(
        to_agency=to_agency,
        agency=assignment.agency,
        given_on=assignment.assigned_on,
        successors=successors,
        on=on,
    )
    if not successors and Agency.objects.valid_on(on).filter(pk=assignment.agency_id).exists():
        agency = agency_name_on(agency=assignment.agency, on=assignment.assigned_on)
        message = _("{agency} still exists and no agency has taken over its work.")
        raise refused(message.format(agency=agency), "no_successor", "to_agency")


def assignment_transfer(
    *, actor, assignment: Assignment, to_agency: Agency, note: str = "", at: datetime | None = None
) -> Assignment:
    """Give an open assignment of a merged or dissolved agency to its successor (confirmed by
    the office, ``_transfer_check``). The old one is closed as transferred; the agency as
    written is kept."""
    at = moment(at)
    with transaction.atomic():
        assignment = locked_for(actor, AssignmentAction.TRANSFER, assignment)
        expect_state(assignment, StepName.TRANSFER)
        _transfer_check(assignment=assignment, to_agency=to_agency, on=local_date(at))
        return _hand_over(
            actor=actor,
            assignment=assignment,
            agency=to_agency,
            verb="assignment.transfer",
            note=note,
            at=at,
        )


def assignment_reassign(
    *,
    actor,
    assignment: Assignment,
    agency: Agency | None = None,
    assignee=None,
    note: str = "",
    at: datetime | None = None,
) -> Assignment:
    """Give open work to another officer of the same agency, or to another agency (the old
    assignment is closed as transferred); returns the assignment that now carries the work."""
    at = moment(at)
    with transaction.atomic():
        assignment = locked_for(actor, AssignmentAction.REASSIGN, assignment)
        expect_state(assignment, StepName.TRANSFER)
        if assignee is not None:
            assignee_check(assignee=assignee, assignment=assignment, on=local_date(at))
            old = assignment.assignee.username if assignment.assignee else None
            assignment.assignee = assignee
            assignment.save(update_fields=["assignee"])
            timeline_record(
                actor,
                "assignment.reassign_officer",
                assignment,
                at=at,
                note=note,
                old={"assignee": old},
                new={"assignee": assignee.username},
            )
            return assignment
        if agency is None or agency == assignment.agency:
            raise InvalidInput(_("Choose another agency or officer."), code="agency_required")
        return _hand_over(
            actor=actor,
            assignment=assignment,
            agency=agency,
            verb="assignment.reassign",
            note=note,
            at=at,
        )
