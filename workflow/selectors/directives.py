"""Reads of directives and their items."""

from django.db.models import Count, OuterRef, Prefetch, QuerySet

from agencies.selectors import CHOICES_SHOWN, name_on
from core.text import fold
from core.time import local_date

from ..models import Directive, DirectiveItem

# The issuer as it was named on the day of issue ("UBND tỉnh Quảng Trị" of 2022).
ISSUER_NAME = name_on("issuer_id", OuterRef("issued_on"))


def directive_list(*, user) -> QuerySet[Directive]:
    """Visible directives, newest first (an aggregate drops Meta.ordering, so it is explicit)."""
    return (
        Directive.objects.restrict(user, "view")
        .select_related("issuer")
        .annotate(item_count=Count("items", distinct=True), issuer_name=ISSUER_NAME)
        .order_by("-issued_on", "-pk")
    )


def directive_get(*, user, pk: int) -> Directive:
    return (
        Directive.objects.restrict(user, "view")
        .select_related("issuer", "created_by")
        .annotate(issuer_name=ISSUER_NAME)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=DirectiveItem.objects.order_by("order").annotate(
                    focal_name=name_on("focal_agency_id", local_date())
                ),
            )
        )
        .get(pk=pk)
    )


def directive_choices(*, user, text: str) -> list[Directive]:
    """The directives a type-ahead chooser offers for ``text`` (folded number and title; every
    word must match), newest first, at most ``CHOICES_SHOWN`` + 1, read with the columns
    their label needs only."""
    rows = Directive.objects.restrict(user, "view").only("pk", "kind", "number", "title")
    for key in fold(text).split():
        rows = rows.filter(search_text__contains=key)
    return list(rows.order_by("-issued_on", "-pk")[: CHOICES_SHOWN + 1])


def item_get(*, user, pk: int) -> DirectiveItem:
    """One visible item, with its directive."""
    return DirectiveItem.objects.restrict(user, "view").select_related("directive").get(pk=pk)
