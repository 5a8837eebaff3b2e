"""Reads of escalations, scoped to what the user may see."""

from django.db.models import QuerySet

from .models import Escalation, EscalationLevel


def escalation_list(*, user) -> QuerySet[Escalation]:
    """Escalations of the assignments ``user`` may see, with what the office page shows."""
    return (
        Escalation.objects.restrict(user, "view")
        .select_related("level", "assignment__agency", "assignment__item__directive", "decided_by")
        .order_by("resolved_at", "-raised_at", "pk")
    )


def level_list() -> QuerySet[EscalationLevel]:
    """Every level of every policy (reference data, for the filters)."""
    return EscalationLevel.objects.select_related("policy").order_by(
        "policy", "offset_working_days"
    )
