"""Reads of escalations, scoped to what the user may see."""

from django.db.models import QuerySet

from agencies.selectors import name_on
from core.time import local_date

from .models import Escalation, EscalationLevel


def escalation_list(*, user) -> QuerySet[Escalation]:
    """Escalations of the assignments ``user`` may see, with what the office page shows (the
    agency by its name today)."""
    return (
        Escalation.objects.restrict(user, "view")
        .annotate(agency_name=name_on("assignment__agency_id", local_date()))
        .select_related("level", "assignment__agency", "assignment__item__directive", "decided_by")
        .order_by("resolved_at", "-raised_at", "pk")
    )


def level_list() -> QuerySet[EscalationLevel]:
    """Every level of every policy (reference data, for the filters)."""
    return EscalationLevel.objects.select_related("policy").order_by(
        "policy", "offset_working_days"
    )
