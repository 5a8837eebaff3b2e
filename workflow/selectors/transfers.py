"""Open work of agencies that no longer exist, with who answers for it now."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from agencies.models import Agency
from agencies.selectors import agency_name_on, responsible_agencies
from core.time import local_date

from ..choices import OPEN_STATES
from ..models import Assignment
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
