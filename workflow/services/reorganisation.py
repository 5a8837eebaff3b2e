"""After a reorganisation (1 July 2025: merged provinces, no more districts): the open work and
the recurring reports of an agency that ended, moved to the agency that took it over, all of
it at once, in one transaction, after one confirmation (DOMAIN.md §2.3–2.4)."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import (
    agency_ended_on,
    agency_last_name,
    agency_name_on,
    successor_agencies,
)
from core import access
from core.audit import audit_record, audit_record_from
from core.exceptions import DomainError, Forbidden
from core.flowtasks import processes_start_for
from core.sql import among, columns_of, constant, insert_from
from core.time import local_date

from .. import notices
from ..choices import OPEN_STATES, AssignmentAction, AssignmentSource, AssignmentState
from ..deadlines import period_bounds
from ..flows import AssignmentFlow
from ..models import Assignment, RecurringObligation
from ..selectors.transfers import obligations_still_owed
from ._base import assignment_repr, assignments_close, moment, refused, validated
from .assigning import CREATION_SQL
from .explanations import explanations_follow_work
from .transfers import successor_check

# What a successor takes from the assignment it continues (``transfers.successor_start`` for
# one): the work as given — item, words, role, dates, the agency as written — not its progress.
_KEPT = (
    "item_id",
    "agency_as_written_id",
    "agency_text",
    "role",
    "modality",
    "parent_id",
    "period_start",
    "period_end",
    "title",
    "expected_output",
    "assigned_on",
    "due_policy",
    "due_date",
    "due_date_as_written",
    "search_text",
)


@dataclass
class Moved:
    """What one reorganisation transfer moved."""

    agency: Agency
    name: str  # its last name
    assignments: dict[int, int] = field(default_factory=dict)  # old id -> successor id
    obligations: dict[int, int] = field(default_factory=dict)  # old id -> continuing id
    by_agency: dict[int, int] = field(default_factory=dict)  # receiving agency id -> count
    # receiving agency id -> explanation requests sent on with the work
    explanations: dict[int, int] = field(default_factory=dict)


def _ended(agency: Agency, on: date) -> date:
    """The day ``agency`` ended (it must have ended by ``on``)."""
    ended = agency_ended_on(agency=agency)
    if ended is None or ended > on:
        message = _("{agency} still exists on {day:%d/%m/%Y}: its work stays with it.")
        raise refused(
            message.format(agency=agency_name_on(agency=agency, on=on), day=on),
            "agency_alive",
            "agency",
        )
    return ended


def _targets(
    *,
    open_rows: list[tuple[int, date]],
    agency: Agency,
    to_agency: Agency | None,
    choices: Mapping[int, Agency],
    on: date,
    name: str,
) -> dict[int, Agency]:
    """Each open assignment's receiving agency: its own choice, else ``to_agency``, else the
    single agency that took over its work; checked by ``transfers.successor_check``, as one
    transfer is (one succession walk per day of assignment, not per assignment)."""
    unknown = sorted(set(choices) - {pk for pk, _day in open_rows})
    if unknown:
        message = _("Not open work of this agency: {ids}.").format(ids=", ".join(map(str, unknown)))
        raise refused(message, "not_open", "choices")
    living = set(
        Agency.objects.valid_on(on)
        .filter(pk__in={a.pk for a in [*choices.values(), *([to_agency] if to_agency else [])]})
        .values_list("pk", flat=True)
    )
    walks: dict[date, list[Agency]] = {}
    chosen: dict[int, Agency] = {}
    undecided = []
    for pk, day in open_rows:
        if day not in walks:
            walks[day] = successor_agencies(agency=agency, given_on=day, on=on)
        successors = walks[day]
        target = choices.get(pk) or to_agency
        if target is None:
            if len(successors) != 1:
                undecided.append(pk)
                continue
            target = successors[0]
        if target.pk not in living and target not in successors:
            message = _("{agency} does not exist on {day:%d/%m/%Y}.")
            raise refused(
                message.format(agency=agency_last_name(agency=target), day=on),
                "agency_not_valid",
                "to_agency",
            )
        successor_check(to_agency=target, agency=agency, given_on=day, successors=successors, on=on)
        chosen[pk] = target
    if undecided:
        message = _(
            "Choose the agency that takes over {n} assignments: more than one agency, or none, "
            "took over the work of {agency}."
        )
        raise refused(
            message.format(n=len(undecided), agency=name),
            "choose_successor",
            "to_agency",
        )
    return chosen


_DAY = timedelta(days=1)


def _successors_insert(*, ids: list[int], to: Agency, now: datetime) -> dict[int, int]:
    """One new assignment at ``to`` for each of ``ids``, continuing it, in one INSERT … SELECT:
    {old id: new id}."""
    fields = [f for f in Assignment._meta.concrete_fields if not f.primary_key]
    given: dict[str, Any] = {
        "agency_id": constant(to.pk, Assignment._meta.get_field("agency")),
        "obligation_id": constant(None, Assignment._meta.get_field("obligation")),
        "transferred_from_id": F("pk"),
        "original_due_date": F("due_date"),
        "source": constant(AssignmentSource.TRANSFER, Assignment._meta.get_field("source")),
        "state": constant(AssignmentState.NEW, Assignment._meta.get_field("state")),
        "created_at": constant(now, Assignment._meta.get_field("created_at")),
        "sweep_pending": constant(True, Assignment._meta.get_field("sweep_pending")),
    }
    given.update({name: F(name) for name in _KEPT})
    columns = [given.get(f.attname, constant(None, f)) for f in fields]
    rows = Assignment.objects.filter(among("pk", ids)).order_by("pk").values_list(*columns)
    made = insert_from(
        Assignment, columns_of(fields), rows, returning=["transferred_from_id", "id"]
    )
    return dict(made)


def _continue_obligations(
    *, agency: Agency, to: Agency, since: date, actor, at: datetime
) -> dict[int, int]:
    """Each recurring report ``agency`` owed continues with ``to`` for the periods that start
    on or after ``since``, the day it ended (the periods before stay the old agency's, for its
    scores too: what is open of them moves as open work; the generator makes the missing ones
    for ``to``). Counted from the same start, so the deadlines keep their months. The old one
    ends on ``since``; one with no period left after it just ends."""
    moved = {}
    owed = obligations_still_owed(agency_ids=[agency.pk])
    for old in owed.select_for_update(of=("self",)).order_by("pk"):
        index = 0
        while (first := period_bounds(old.period, old.starts_on, index)[0]) < since:
            index += 1
        ends_on, old.ends_on = old.ends_on, since  # nothing of it starts after its agency
        old.save(update_fields=["ends_on"])
        if ends_on and first >= ends_on:  # no period of it left to continue
            audit_record(
                actor=actor,
                verb="obligation.end",
                obj=old.item.directive,
                at=at,
                old={"obligation": old.pk, "ends_on": ends_on},
                new={"obligation": old.pk, "ends_on": since},
            )
            continue
        new = RecurringObligation(
            item=old.item,
            agency=to,
            agency_as_written=old.agency_as_written,
            modality=old.modality,
            title=old.title,
            expected_output=old.expected_output,
            period=old.period,
            report_day=old.report_day,
            month_offset=old.month_offset,
            starts_on=first,
            ends_on=ends_on,
            transferred_from=old,
        )
        validated(new)
        new.save()
        audit_record(
            actor=actor,
            verb="obligation.transfer",
            obj=old.item.directive,
            at=at,
            old={"obligation": old.pk, "agency": agency.code},
            new={"obligation": new.pk, "agency": to.code, "from": first},
        )
        moved[old.pk] = new.pk
    return moved


def reorganisation_transfer(
    *,
    actor,
    agency: Agency,
    to_agency: Agency | None = None,
    choices: Mapping[int, Agency] | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Moved:
    """Move all the open work of ``agency``, which no longer exists, to the agencies that took
    it over, in one transaction: each open assignment is closed as transferred and continued
    at its receiving agency (``choices`` per assignment, else ``to_agency``, else the single
    successor; a split or a dissolution with no successor asks), keeping its history, due
    date and agency as written, and the request to explain it still awaiting an answer
    (``explanations_follow_work``); its recurring reports continue with ``to_agency`` (or the
    single successor) for the periods from the day it ended. Only the office (``TRANSFER``).
    Running it again moves nothing twice: what was moved is no longer open.

    In a constant number of statements whatever the amount of work: the successors in one
    INSERT … SELECT per receiving agency, their processes in bulk, the old processes cancelled
    in bulk, the timeline lines of both in one INSERT … SELECT each, one notice per person of
    each receiving agency."""
    at = moment(at)
    on = local_date(at)
    choices = dict(choices or {})
    with transaction.atomic():
        if not access.may(actor, AssignmentAction.TRANSFER, Assignment):
            raise Forbidden(_("Only the provincial office transfers work after a reorganisation."))
        ended = _ended(agency, on)
        name = agency_name_on(agency=agency, on=ended - _DAY) or str(agency)
        if to_agency is not None:
            _heir_check(to_agency, agency=agency, ended=ended, on=on)
        stranded = Assignment.objects.filter(agency=agency, state__in=OPEN_STATES)
        locked = list(
            access.restrict(stranded, actor, AssignmentAction.TRANSFER)
            .select_for_update(of=("self",))
            .order_by("pk")
            .values_list("pk", "assigned_on")
        )
        moved = Moved(agency=agency, name=name)
        targets = _targets(
            open_rows=locked, agency=agency, to_agency=to_agency, choices=choices, on=on, name=name
        )
        by_target: dict[Agency, list[int]] = defaultdict(list)
        for pk, target in targets.items():
            by_target[target].append(pk)
        now = timezone.now()
        for target, ids in sorted(by_target.items(), key=lambda kv: kv[0].pk):
            moved.assignments.update(_successors_insert(ids=ids, to=target, now=now))
            moved.by_agency[target.pk] = len(ids)
        if moved.assignments:
            _close_and_begin(actor=actor, moved=moved, note=note, at=at)
        heir = to_agency or _single_heir(agency, ended, on)
        if heir is not None:
            moved.obligations = _continue_obligations(
                agency=agency, to=heir, since=ended, actor=actor, at=at
            )
        elif obligations_still_owed(agency_ids=[agency.pk]).exists():
            message = _("Choose the agency that takes over the recurring reports of {agency}.")
            raise refused(
                message.format(agency=name),
                "choose_successor",
                "to_agency",
            )
        if not moved.assignments and not moved.obligations:
            raise DomainError(
                _("{agency} has no open work left to transfer.").format(agency=name),
                code="nothing_to_transfer",
            )
        audit_record(
            actor=actor,
            verb="agency.reorganisation_transfer",
            obj=agency,
            at=at,
            note=note,
            new={
                "assignments": len(moved.assignments),
                "obligations": len(moved.obligations),
                "explanations": sum(moved.explanations.values()),
                "to": {a.code: len(ids) for a, ids in by_target.items()},
            },
        )
        return moved


def _heir_check(to_agency: Agency, *, agency: Agency, ended: date, on: date) -> None:
    """``to_agency`` exists on ``on`` and, when some agency took over what ``agency`` did on
    its last day, is one of them (``transfers.successor_check``, as for one assignment)."""
    if not Agency.objects.valid_on(on).filter(pk=to_agency.pk).exists():
        message = _("{agency} does not exist on {day:%d/%m/%Y}.")
        raise refused(
            message.format(agency=agency_last_name(agency=to_agency), day=on),
            "agency_not_valid",
            "to_agency",
        )
    successors = successor_agencies(agency=agency, given_on=ended - _DAY, on=on)
    successor_check(
        to_agency=to_agency, agency=agency, given_on=ended - _DAY, successors=successors, on=on
    )


def _single_heir(agency: Agency, ended: date, on: date) -> Agency | None:
    """The one agency that took over what ``agency`` did on its last day, if only one did."""
    successors = successor_agencies(agency=agency, given_on=ended - _DAY, on=on)
    return successors[0] if len(successors) == 1 else None


def _close_and_begin(*, actor, moved: Moved, note: str, at: datetime) -> None:
    old_ids = sorted(moved.assignments)
    new_ids = sorted(moved.assignments.values())
    assignments_close(
        actor=actor,
        ids=old_ids,
        state=AssignmentState.TRANSFERRED,
        verb="assignment.transfer",
        old=JSONObject(state="state", agency="agency__code"),
        new=JSONObject(
            state=Value(AssignmentState.TRANSFERRED),
            agency="transferred_to__agency__code",
            assignment="transferred_to__pk",
        ),
        note=note,
        at=at,
    )
    new = Assignment.objects.filter(among("pk", new_ids))
    processes_start_for(AssignmentFlow, AssignmentFlow.receive, subjects=new, link="assignment")
    audit_record_from(
        new,
        actor=actor,
        verb="assignment.create",
        obj_repr=assignment_repr(),
        new=JSONObject(**CREATION_SQL),
        at=at,
    )
    moved.explanations = explanations_follow_work(actor=actor, successors=moved.assignments, at=at)
    told = (
        (notices.explanations_transferred_announce, moved.explanations),
        (notices.transfers_announce, moved.by_agency),
    )
    for announce, counts in told:
        for agency_id, count in counts.items():
            announce(
                old_agency=moved.agency,
                old_name=moved.name,
                agency=Agency.objects.get(pk=agency_id),
                count=count,
                actor=actor,
                at=at,
            )
