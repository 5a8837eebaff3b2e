"""Reads of directives and their items."""

from django.db.models import Count, Prefetch, QuerySet

from ..models import Directive, DirectiveItem


def directive_list(*, user) -> QuerySet[Directive]:
    """Visible directives, newest first (an aggregate drops Meta.ordering, so it is explicit)."""
    return (
        Directive.objects.restrict(user, "view")
        .select_related("issuer")
        .annotate(item_count=Count("items", distinct=True))
        .order_by("-issued_on", "-pk")
    )


def directive_get(*, user, pk: int) -> Directive:
    return (
        Directive.objects.restrict(user, "view")
        .select_related("issuer", "created_by")
        .prefetch_related(Prefetch("items", queryset=DirectiveItem.objects.order_by("order")))
        .get(pk=pk)
    )
