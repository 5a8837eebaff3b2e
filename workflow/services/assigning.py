"""Giving a directive's item to agencies: one assignment per lead, contributions for the
coordinating agencies."""

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import agencies_expand
from core import access
from core.audit import audit_record_from
from core.calendar import WorkCalendar
from core.exceptions import DomainError, InvalidInput
from core.flowtasks import processes_start_for
from core.sql import among, columns_of, constant, insert_from
from core.text import nfc
from core.time import local_date

from .. import notices
from ..choices import AssignmentRole, AssignmentSource, DirectiveAction, DirectiveStatus, Modality
from ..deadlines import DueRule
from ..flows import AssignmentFlow
from ..models import Assignment, Directive, DirectiveItem
from ..models.assigning import assignment_search_text
from ._base import assignment_repr, moment, timeline_record, validated


@dataclass(frozen=True)
class Target:
    """One agency an item is given to, with the words of the text that name it."""

    agency: Agency
    role: str = AssignmentRole.LEAD
    modality: str = Modality.ORDER
    as_written: str = ""


def assignment_start(*, actor, at, **fields) -> Assignment:
    """Save a new assignment, start its process and write the first line of its timeline."""
    assignment = _prepared(Assignment(**fields))
    validated(assignment)
    assignment.save()
    AssignmentFlow.start.run(assignment=assignment)
    timeline_record(actor, "assignment.create", assignment, at=at, new=_creation(assignment))
    return assignment


def _prepared(assignment: Assignment) -> Assignment:
    """What a new assignment holds besides what it is given: its original due date and its
    folded search text."""
    assignment.original_due_date = assignment.due_date
    assignment.search_text = assignment_search_text(
        title=assignment.title, expected_output=assignment.expected_output
    )
    return assignment


def _creation(assignment: Assignment) -> dict:
    """The first line of the timeline: what the assignment was made with."""
    return {
        "agency": assignment.agency.code,
        "role": assignment.role,
        "modality": assignment.modality,
        "due_date": assignment.due_date,
        "due_date_as_written": assignment.due_date_as_written,
        "source": assignment.source,
    }


# The same, as the database computes it for many assignments at once (``_assignments_begin``).
CREATION_SQL = {
    "agency": "agency__code",
    "role": "role",
    "modality": "modality",
    "due_date": "due_date",
    "due_date_as_written": "due_date_as_written",
    "source": "source",
}

# Checked for all the targets at once by ``assignments_create`` (the item read under lock, the
# agencies in one query on the day), so not again by ``full_clean``; the parent is the lead
# just made.
_CHECKED_AT_ONCE = ("item", "agency", "agency_as_written", "parent")


def _templates(targets: Sequence[Target], **fields) -> list[tuple[Assignment, list[Target]]]:
    """The targets in groups that differ only in their agency, each with the assignment every
    one of them gets but for the agency, checked as ``validated`` checks one (every field, rule
    and constraint ``full_clean`` knows): a broadcast to thousands of agencies is checked once."""
    groups: dict[tuple, list[Target]] = {}
    for t in targets:
        groups.setdefault((t.role, t.modality, nfc(t.as_written)), []).append(t)
    made = []
    for (role, modality, as_written), group in groups.items():
        template = _prepared(
            Assignment(
                agency=group[0].agency,
                agency_as_written=group[0].agency,
                agency_text=as_written,
                role=role,
                modality=modality,
                **fields,
            )
        )
        try:
            template.full_clean(exclude=_CHECKED_AT_ONCE)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), details=exc.message_dict) from exc
        made.append((template, group))
    return made


def _assignments_insert(template: Assignment, group: Sequence[Target]) -> list[Assignment]:
    """One assignment like ``template`` for each agency of ``group``, in one INSERT … SELECT."""
    fields = [f for f in Assignment._meta.concrete_fields if not f.primary_key]
    agency = {"agency_id": F("pk"), "agency_as_written_id": F("pk")}
    rows = (
        Agency.objects.filter(among("pk", [t.agency.pk for t in group]))
        .order_by("pk")
        .values_list(
            *[agency.get(f.attname) or constant(getattr(template, f.attname), f) for f in fields]
        )
    )
    keys = dict(insert_from(Assignment, columns_of(fields), rows, returning=["agency_id", "id"]))
    made = []
    for t in group:
        assignment = copy.copy(template)
        assignment.agency = assignment.agency_as_written = t.agency
        assignment.pk = keys[t.agency.pk]
        assignment._state.adding = False
        made.append(assignment)
    return made


def _assignments_begin(*, actor, at, made: Sequence[Assignment]) -> None:
    """What ``assignment_start`` does after saving, for many new assignments at once, with the
    same rows and in a constant number of statements whatever their number: each one's
    viewflow process and first task (``AssignmentFlow.start`` to ``receive``), the first line
    of its timeline, and the notices of new work."""
    subjects = Assignment.objects.filter(among("pk", [a.pk for a in made]))
    processes_start_for(
        AssignmentFlow, AssignmentFlow.receive, subjects=subjects, link="assignment"
    )
    audit_record_from(
        subjects,
        actor=actor,
        verb="assignment.create",
        obj_repr=assignment_repr(),
        new=JSONObject(**CREATION_SQL),
        at=at,
    )
    notices.new_work_announce(assignments=made, actor=actor, at=at)


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
        .filter(among("pk", [t.agency.pk for t in targets]))
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

    Whole or not at all, in one transaction; the rows are written in bulk (the assignments,
    their viewflow processes and first tasks, the timeline's first lines, the notices), so a
    broadcast to every commune costs as many statements as one to a single agency.
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
            "item": item,
            "title": nfc(title),
            "expected_output": nfc(expected_output),
            "assigned_on": assigned_on,
            "due_policy": due_rule.policy,
            "created_at": timezone.now(),
        }
        leads = _templates(
            [t for t in targets if t.role == AssignmentRole.LEAD],
            due_date=due.date,
            due_date_as_written=due.as_written,
            source=AssignmentSource.DIRECTIVE,
            **common,
        )
        contributions = _templates(
            [t for t in targets if t.role == AssignmentRole.COORDINATING],
            due_date=_contribution_due(cal, due.date, assigned_on, directive),
            due_date_as_written=None,
            source=AssignmentSource.CONTRIBUTION,
            **common,
        )
        made = _in_order(targets, [a for t, group in leads for a in _assignments_insert(t, group)])
        for template, _group in contributions:
            template.parent = made[0]
        made += _in_order(
            targets, [a for t, group in contributions for a in _assignments_insert(t, group)]
        )
        _assignments_begin(actor=actor, at=at, made=made)
        return made


def _in_order(targets: Sequence[Target], made: list[Assignment]) -> list[Assignment]:
    """``made`` in the order of the agencies in ``targets``."""
    by_agency = {a.agency_id: a for a in made}
    return [by_agency[t.agency.pk] for t in targets if t.agency.pk in by_agency]


def _contribution_due(cal: WorkCalendar, due: date | None, assigned_on: date, directive):
    """Contributions are due the directive's ``contribution_lead_days`` working days before the
    lead's deadline, never before the day of assignment."""
    if due is None:
        return None
    return max(assigned_on, cal.subtract_working_days(due, directive.contribution_lead_days))


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


def assignment_issue(
    *,
    actor,
    item: DirectiveItem,
    agency: Agency,
    title: str,
    due_rule: DueRule,
    source: str,
    expected_output: str = "",
    parent: Assignment | None = None,
    assigned_on: date | None = None,
    at: datetime | None = None,
) -> Assignment:
    """Work for one agency that another app gives on its own authority (an inspection's
    self-report, a recommendation's remediation): the caller has checked that ``actor`` may
    give it (``access.require`` on its own object), in its own transaction; here the rest is
    checked as for an item given to agencies — the directive not a draft, the agency existing
    on the day, the due date not before it — and the assignment gets its process, timeline
    and notices as every other."""
    if source not in (AssignmentSource.INSPECTION, AssignmentSource.SELF_REPORT):
        raise ValueError(f"assignment_issue does not make {source} work")
    at = moment(at)
    with transaction.atomic():
        item = DirectiveItem.objects.select_related("directive").get(pk=item.pk)
        if item.directive.status == DirectiveStatus.DRAFT:
            raise DomainError(_("Publish the directive before assigning it."), code="not_published")
        assigned_on = assigned_on or local_date(at)
        target = Target(agency=agency)
        _check_targets([target], assigned_on)
        due = due_rule.resolve(assigned_on=assigned_on, cal=WorkCalendar())
        if due.date is not None and due.date < assigned_on:
            raise InvalidInput(
                _("The due date {due:%d/%m/%Y} is before the day of assignment.").format(
                    due=due.date
                ),
                code="due_before_assigned",
            )
        [(template, group)] = _templates(
            [target],
            item=item,
            title=nfc(title)[:255],
            expected_output=nfc(expected_output)[:500],
            assigned_on=assigned_on,
            due_policy=due_rule.policy,
            due_date=due.date,
            due_date_as_written=due.as_written,
            source=source,
            created_at=timezone.now(),
        )
        template.parent = parent
        [made] = _assignments_insert(template, group)
        _assignments_begin(actor=actor, at=at, made=[made])
        return made
