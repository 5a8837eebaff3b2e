"""Reads of extension requests."""

from django.db.models import QuerySet

from ..models import ExtensionRequest


def extension_list(*, user) -> QuerySet[ExtensionRequest]:
    """Extension requests ``user`` may see (those of the assignments the user sees)."""
    return (
        ExtensionRequest.objects.restrict(user, "view")
        .select_related("requested_by", "assignment__agency")
        .order_by("-requested_at", "-pk")
    )
