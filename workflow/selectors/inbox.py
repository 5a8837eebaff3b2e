"""Reads of the inbox's rows (the tasks themselves come from ``core.inbox``)."""

from datetime import date

from ..models import Assignment
from .assigning import assignment_rows, name_rows


def inbox_subjects(*, user, pks, today: date | None = None) -> dict[int, Assignment]:
    """The assignments the inbox's rows are about, by primary key: as a list shows them (the
    timeliness on ``today``, the item and directive, the agencies' names), read for the page's
    rows only (two queries). One the user may not see — a task of theirs about work outside
    what they may see; none so far — is given without its timeliness, as the task names it."""
    pks = set(pks)
    if not pks:
        return {}
    found = {a.pk: a for a in assignment_rows(user=user, today=today).filter(pk__in=pks)}
    missing = pks - set(found)
    if missing:
        found |= Assignment.objects.select_related("item__directive").in_bulk(missing)
    name_rows(list(found.values()), today=today)
    return found
