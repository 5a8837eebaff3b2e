"""Giving a directive's item to agencies: one assignment per lead, contributions for the
coordinating agencies."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import agencies_expand
from core import access
from core.calendar import WorkCalendar
from core.exceptions import DomainError, InvalidInput
from core.text import nfc
from core.time import local_date

from ..choices import AssignmentRole, AssignmentSource, DirectiveAction, DirectiveStatus, Modality
from ..deadlines import DueRule
from ..flows import AssignmentFlow
from ..models import Assignment, Directive, DirectiveItem
from ..models.assigning import assignment_search_text
from ._base import moment, timeline_record, validated


@dataclass(frozen=True)
class Target:
    """One agency an item is given to, with the words of the text that name it."""

    agency: Agency
    role: str = AssignmentRole.LEAD
    modality: str = Modality.ORDER
    as_written: str = ""


def assignment_start(*, actor, at, **fields) -> Assignment:
    """Save a new assignment, start its process and write the first line of its timeline."""
    assignment = Assignment(**fields)
    assignment.original_due_date = assignment.due_date
    assignment.search_text = assignment_search_text(
        title=assignment.title, expected_output=assignment.expected_output
    )
    validated(assignment)
    assignment.save()
    AssignmentFlow.start.run(assignment=assignment)
    timeline_record(
        actor,
        "assignment.create",
        assignment,
        at=at,
        new={
            "agency": assignment.agency.code,
            "role": assignment.role,
            "modality": assignment.modality,
            "due_date": assignment.due_date,
            "due_date_as_written": assignment.due_date_as_written,
            "source": assignment.source,
        },
    )
    return assignment


def _check_targets(targets: Sequence[Target], on: date) -> None:
    if not targets:
        raise InvalidInput(_("Choose at least one agency."), code="no_agency")
    leads = [t for t in targets if t.role == AssignmentRole.LEAD]
    if len(leads) != 1 and len(leads) != len(targets):
        raise InvalidInput(
            _("Coordinating agencies need exactly one lead agency."), code="one_lead"
        )
    codes = [t.agency.code for t in targets]
    if len(set(codes)) != len(codes):
        raise InvalidInput(_("An agency is listed twice."), code="duplicate_agency")
    valid = set(
        Agency.objects.valid_on(on)
        .filter(pk__in=[t.agency.pk for t in targets])
        .values_list("pk", flat=True)
    )
    missing = [t.agency.code for t in targets if t.agency.pk not in valid]
    if missing:
        raise InvalidInput(
            _("Not an agency on {day:%d/%m/%Y}: {codes}.").format(day=on, codes=", ".join(missing)),
            code="agency_not_valid",
        )


def assignments_create(
    *,
    actor,
    item: DirectiveItem,
    targets: Sequence[Target],
    due_rule: DueRule,
    title: str,
    expected_output: str = "",
    assigned_on: date | None = None,
    at: datetime | None = None,
) -> list[Assignment]:
    """Give one item to many agencies, each as lead or coordinating.

    Coordinating agencies get contributions to the single lead assignment, due the directive's
    ``contribution_lead_days`` working days before the lead's deadline (never before the day of
    assignment). Every agency must exist on the day of assignment.
    """
    at = moment(at)
    with transaction.atomic():
        item = DirectiveItem.objects.select_related("directive").get(pk=item.pk)
        directive = Directive.objects.select_for_update().get(pk=item.directive_id)
        access.require(actor, DirectiveAction.ASSIGN, directive)
        if directive.status != DirectiveStatus.PUBLISHED:
            raise DomainError(_("Publish the directive before assigning it."), code="not_published")
        assigned_on = assigned_on or local_date(at)
        _check_targets(targets, assigned_on)
        cal = WorkCalendar()
        due = due_rule.resolve(assigned_on=assigned_on, cal=cal)
        if due.date is not None and due.date < assigned_on:
            raise InvalidInput(
                _("The due date {due:%d/%m/%Y} is before the day of assignment.").format(
                    due=due.date
                ),
                code="due_before_assigned",
            )
        common = {
            "actor": actor,
            "at": at,
            "item": item,
            "title": nfc(title),
            "expected_output": nfc(expected_output),
            "assigned_on": assigned_on,
            "due_policy": due_rule.policy,
        }
        created = [
            _start_for(t, due_date=due.date, written=due.as_written, **common)
            for t in targets
            if t.role == AssignmentRole.LEAD
        ]
        contribution_due = _contribution_due(cal, due.date, assigned_on, directive)
        created += [
            _start_for(
                t,
                due_date=contribution_due,
                written=None,
                parent=created[0],
                source=AssignmentSource.CONTRIBUTION,
                **common,
            )
            for t in targets
            if t.role == AssignmentRole.COORDINATING
        ]
        return created


def _contribution_due(cal: WorkCalendar, due: date | None, assigned_on: date, directive):
    """Contributions are due the directive's ``contribution_lead_days`` working days before the
    lead's deadline, never before the day of assignment."""
    if due is None:
        return None
    return max(assigned_on, cal.subtract_working_days(due, directive.contribution_lead_days))


def _start_for(target: Target, *, actor, at, due_date, written, **fields) -> Assignment:
    fields.setdefault("source", AssignmentSource.DIRECTIVE)
    return assignment_start(
        actor=actor,
        at=at,
        agency_as_written=target.agency,
        agency=target.agency,
        agency_text=nfc(target.as_written),
        role=target.role,
        modality=target.modality,
        due_date=due_date,
        due_date_as_written=written,
        **fields,
    )


@dataclass(frozen=True)
class Addressees:
    """Who an item is given to: agencies and whole groups ("các sở, ban, ngành") as leads,
    agencies as coordinating, all with one modality and the words of the text."""

    leads: Sequence[Agency] = ()
    collectives: Sequence[str] = ()
    coordinators: Sequence[Agency] = ()
    modality: str = Modality.ORDER
    as_written: str = ""

    def targets(self, on: date) -> list[Target]:
        """The groups expanded to the agencies that existed on ``on``."""
        leads = agencies_expand(agencies=self.leads, collectives=self.collectives, on=on)
        return [
            Target(
                agency=a,
                role=AssignmentRole.LEAD,
                modality=self.modality,
                as_written=self.as_written,
            )
            for a in leads
        ] + [
            Target(
                agency=a,
                role=AssignmentRole.COORDINATING,
                modality=self.modality,
                as_written=self.as_written,
            )
            for a in self.coordinators
        ]


def assignments_create_for_groups(
    *,
    actor,
    item: DirectiveItem,
    addressees: Addressees,
    due_rule: DueRule,
    title: str,
    expected_output: str = "",
    assigned_on: date | None = None,
    at: datetime | None = None,
) -> list[Assignment]:
    """``assignments_create`` for agencies and whole groups, the groups expanded to the
    agencies that existed on the day of assignment."""
    on = assigned_on or local_date(moment(at))
    return assignments_create(
        actor=actor,
        item=item,
        targets=addressees.targets(on),
        due_rule=due_rule,
        title=title,
        expected_output=expected_output,
        assigned_on=on,
        at=at,
    )
