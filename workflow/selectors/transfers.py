"""Open work of agencies that no longer exist, with who answers for it now."""

from datetime import date

from agencies.models import Agency
from agencies.selectors import responsible_agencies
from core.time import local_date

from ..choices import OPEN_STATES
from ..models import Assignment
from .assigning import assignment_list


def transfer_candidates(*, user, today: date | None = None) -> list[tuple[Assignment, list]]:
    """Open assignments of agencies that no longer exist, each with the successors that now
    answer for them (for the office to confirm)."""
    today = today or local_date()
    alive = Agency.objects.valid_on(today).values("pk")
    stranded = (
        assignment_list(user=user, today=today)
        .filter(state__in=OPEN_STATES)
        .exclude(agency_id__in=alive)
        .order_by("agency__code", "pk")
    )
    # One succession walk per distinct (agency, date), not per assignment.
    successors: dict[tuple[int, date], list] = {}
    result: list[tuple[Assignment, list]] = []
    for assignment in stranded[:200]:
        key = (assignment.agency_id, assignment.assigned_on)
        if key not in successors:
            found = responsible_agencies(
                agency=assignment.agency, given_on=assignment.assigned_on, on=today
            )
            successors[key] = [r.agency for r in found]
        result.append((assignment, successors[key]))
    return result
