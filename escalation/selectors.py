"""Reads of escalations, scoped to what the user may see."""

from typing import Any

from django.db.models import F, QuerySet

from agencies.selectors import agency_namer, name_on
from core import access
from core.exceptions import NotFound
from core.time import local_date

from .access import decide_action
from .models import Escalation, EscalationLevel

# The office's queue: open escalations first, then the decided ones, newest first in each —
# the existing index on (resolved_at, raised_at) read backwards, so that the first page is read
# in order instead of sorting every escalation (a plain "resolved_at" put the open ones last on
# PostgreSQL, which sorts NULLs last, and first on SQLite).
ORDER = (F("resolved_at").desc(nulls_first=True), F("raised_at").desc(), F("pk").desc())


def escalation_list(*, user) -> QuerySet[Escalation]:
    """Escalations of the assignments ``user`` may see, with what the office page shows (the
    agency by its name today)."""
    return (
        Escalation.objects.restrict(user, "view")
        .annotate(agency_name=name_on("assignment__agency_id", local_date()))
        .select_related("level", "assignment__agency", "assignment__item__directive", "decided_by")
        .order_by(*ORDER)
    )


def escalation_to_decide(*, user, pk) -> Escalation:
    """The escalation ``pk`` as ``escalation_list`` reads it, for ``user`` to decide: not
    visible → NotFound, visible but not for ``user`` to decide (now) → Forbidden."""
    escalation = escalation_list(user=user).filter(pk=pk).first()
    if escalation is None:
        raise NotFound()
    access.require(user, decide_action(escalation), escalation)
    return escalation


def escalation_rows(*, user) -> QuerySet[Escalation]:
    """Escalations ``user`` may see as the office's list shows them, in its order: with their
    level and assignment (the agencies' names are given to the page's rows by
    ``name_escalations``; every other join cost the planner more than the page's rows)."""
    return (
        Escalation.objects.restrict(user, "view")
        .select_related("level", "assignment")
        .order_by(*ORDER)
    )


def name_escalations(rows: list[Escalation], *, today=None) -> list[Escalation]:
    """Give ``rows`` the ``agency_name`` that ``escalation_list`` annotates (one query)."""
    today = today or local_date()
    names = agency_namer({e.assignment.agency_id for e in rows})
    row: Any
    for row in rows:
        row.agency_name = names.name(row.assignment.agency_id, today)
    return rows


def level_list() -> QuerySet[EscalationLevel]:
    """Every level of every policy (reference data, for the filters)."""
    return EscalationLevel.objects.select_related("policy").order_by(
        "policy", "offset_working_days"
    )
