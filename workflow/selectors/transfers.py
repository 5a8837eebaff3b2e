"""Open work of agencies that no longer exist, with who answers for it now."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from agencies.models import Agency, AgencyVersion
from agencies.selectors import (
    agency_ended_on,
    agency_name_on,
    responsible_agencies,
    successor_agencies,
)
from core import access
from core.time import local_date

from ..choices import OPEN_STATES, AssignmentAction
from ..models import Assignment, RecurringObligation
from .assigning import assignment_list


def stranded_list(*, user, today: date | None = None) -> "QuerySet[Assignment]":
    """Open assignments ``user`` may see whose agency no longer exists on ``today``: the office
    confirms who takes each over."""
    today = today or local_date()
    alive = Agency.objects.valid_on(today).values("pk")
    return (
        assignment_list(user=user, today=today)
        .filter(state__in=OPEN_STATES)
        .exclude(agency_id__in=alive)
        .order_by("agency__code", "pk")
    )


@dataclass(frozen=True)
class Successor:
    """An agency that now answers for a stranded assignment, with its name today."""

    agency: Agency
    name: str

    @property
    def code(self) -> str:
        return self.agency.code


def successors_for(assignments, *, today: date | None = None) -> dict[int, list[Successor]]:
    """For each assignment, the agencies that now answer for its agency, following the
    successions from the day it was given; one succession walk per distinct agency and day,
    not per assignment."""
    today = today or local_date()
    walks: dict[tuple[int, date], list[Successor]] = {}
    result = {}
    for assignment in assignments:
        key = (assignment.agency_id, assignment.assigned_on)
        if key not in walks:
            found = responsible_agencies(
                agency=assignment.agency, given_on=assignment.assigned_on, on=today
            )
            walks[key] = [
                Successor(r.agency, agency_name_on(agency=r.agency, on=today)) for r in found
            ]
        result[assignment.pk] = walks[key]
    return result


@dataclass(frozen=True)
class EndedAgency:
    """An agency that no longer exists with work still its own: what the office moves in one
    confirmation (``services.reorganisation.reorganisation_transfer``)."""

    agency: Agency
    name: str  # its last name
    ended_on: date
    open_work: int
    obligations: int  # recurring reports it still owes
    successors: list[Successor]  # who took over what it did on its last day


def ended_agencies(*, user, today: date | None = None) -> list[tuple[int, int]]:
    """(agency id, open assignments) of every agency that no longer exists on ``today`` and
    still has open work or owes a recurring report, in the order of their codes; nothing for
    whoever may not move it. Two grouped queries, whatever the amount of work."""
    if not access.may(user, AssignmentAction.TRANSFER, Assignment):
        return []
    today = today or local_date()
    alive = Agency.objects.valid_on(today).values("pk")
    work = dict(
        Assignment.objects.filter(state__in=OPEN_STATES)
        .exclude(agency_id__in=alive)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"))
        .values_list("agency_id", "n")
    )
    owing = obligations_still_owed(exclude=alive).values_list("agency_id", flat=True).distinct()
    ids = set(work) | set(owing)
    codes = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [(pk, work.get(pk, 0)) for pk in sorted(ids, key=lambda pk: codes[pk])]


def obligations_still_owed(**where) -> "QuerySet[RecurringObligation]":
    """Recurring reports of agencies that ended that no successor continues yet and that
    run past their agency's end (``agency_ids=``: of these agencies; ``exclude=``: not of
    these): what a reorganisation transfer still has to continue."""
    last = AgencyVersion.objects.filter(agency_id=OuterRef("agency_id")).order_by(
        F("valid_until").desc(nulls_first=True)
    )
    rows = RecurringObligation.objects.filter(transferred_to__isnull=True)
    if "exclude" in where:
        rows = rows.exclude(agency_id__in=where["exclude"])
    if "agency_ids" in where:
        rows = rows.filter(agency_id__in=where["agency_ids"])
    return rows.annotate(agency_end=Subquery(last.values("valid_until")[:1])).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=F("agency_end"))
    )


def ended_agencies_read(rows: list[tuple[int, int]]) -> list[EndedAgency]:
    """The page's rows of ``ended_agencies``, with their names, end and successors (a few
    queries per agency: read a page of them, not all)."""
    agencies = Agency.objects.in_bulk([pk for pk, _n in rows])
    owed = obligations_still_owed(agency_ids=list(agencies))
    owing = Counter(owed.values_list("agency_id", flat=True))
    today = local_date()
    result = []
    for pk, open_work in rows:
        agency = agencies[pk]
        ended = agency_ended_on(agency=agency) or today
        last_day = ended - timedelta(days=1)
        heirs = successor_agencies(agency=agency, given_on=last_day, on=today)
        result.append(
            EndedAgency(
                agency=agency,
                name=agency_name_on(agency=agency, on=last_day) or str(agency),
                ended_on=ended,
                open_work=open_work,
                obligations=owing.get(pk, 0),
                successors=[Successor(a, agency_name_on(agency=a, on=today)) for a in heirs],
            )
        )
    return result
