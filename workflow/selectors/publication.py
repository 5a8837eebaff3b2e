"""What citizens may read without signing in (công khai): the directives the provincial
office made public, their public items and the work given from them. These reads take no user:
publicity is the office's decision recorded by ``services.publication``, not a person's access
(``workflow.access`` keeps every other read). They return only the columns the public page
shows; nobody's name, no evidence, no report."""

from datetime import date
from typing import Any, cast

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from agencies.models import Agency
from core import access
from core.time import local_date

from ..choices import GONE_STATES, DirectiveAction, DirectiveStatus
from ..models import Assignment, Directive, DirectiveItem, Indicator, Publication
from .assigning import timeliness
from .directives import ISSUER_NAME
from .targets import latest_confirmed

PUBLIC = Q(publication__is_public=True) & ~Q(status=DirectiveStatus.DRAFT)


def publication_revision() -> tuple:
    """A value that changes with every publication and withdrawal (one query): the public
    page's cache key holds it, so that a change shows at once."""
    row = Publication.objects.aggregate(
        n=Count("pk"), revisions=Sum("revision"), last=Max("changed_at")
    )
    last = row["last"].isoformat() if row["last"] else ""
    return (row["n"], row["revisions"] or 0, last)


def public_directives() -> QuerySet[Directive]:
    """The directives made public, newest first, with the issuer's name of the day of issue
    and when they were made public."""
    return (
        Directive.objects.filter(PUBLIC)
        .annotate(issuer_name=ISSUER_NAME, public_since=F("publication__published_at"))
        .only("pk", "kind", "number", "title", "issued_on", "status")
        .order_by("-issued_on", "-pk")
    )


def public_items() -> QuerySet[DirectiveItem]:
    """The public items of the public directives, in each directive's order."""
    return (
        DirectiveItem.objects.filter(public=True, directive__in=Directive.objects.filter(PUBLIC))
        .only("pk", "directive_id", "number", "text", "expected_output", "order")
        .order_by("directive_id", "order", "pk")
    )


def public_progress(
    *,
    today: date | None = None,
    by: tuple[str, ...] = ("directive_id", "item_id", "agency_id"),
    directive_id: int | None = None,
    agency_ids=None,
) -> list[dict[str, Any]]:
    """How many assignments of the public items are in each timeliness (``timeliness``) on
    ``today``, grouped by the columns ``by`` (of ``directive_id``, ``item_id``,
    ``agency_id``): rows of those columns, ``timeliness`` and ``n``, counted by the database
    in one query; of one directive, or of some agencies, when given."""
    today = today or local_date()
    rows = Assignment.objects.filter(item__in=public_items().values("pk"))
    if directive_id is not None:
        rows = rows.filter(item__directive_id=directive_id)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    grouped = (
        rows.annotate(timeliness=timeliness(today), directive_id=F("item__directive_id"))
        .order_by()
        .values(*by, "timeliness")
        .annotate(n=Count("pk"))
    )
    return [dict(row) for row in grouped]


def public_agencies(*, directive_id: int) -> QuerySet:
    """The agencies that hold work of the public items of a public directive (not only work
    cancelled or transferred, which its successor holds), unordered: gathered by a hash of
    their ids (DISTINCT), none of their assignments sorted or grouped with their names."""
    holding = (
        Assignment.objects.filter(
            item__in=public_items().filter(directive_id=directive_id).values("pk")
        )
        .exclude(state__in=GONE_STATES)
        .order_by()
        .values("agency_id")
        .distinct()
    )
    return Agency.objects.filter(pk__in=holding)


def publication_get(*, user, pk: int) -> tuple[Directive, Publication | None]:
    """A directive the user may make public (not visible → NotFound, not allowed →
    Forbidden) and its publication, None before the first: the office's publication page."""
    directive = cast(
        Directive,
        access.require_get(
            Directive.objects.select_related(
                "publication", "publication__published_by", "publication__withdrawn_by"
            ),
            user,
            DirectiveAction.PUBLICIZE,
            pk,
        ),
    )
    try:
        return directive, directive.publication
    except Publication.DoesNotExist:
        return directive, None


def public_indicators() -> list[dict]:
    """The targets of the public items of the public directives (``public_items``: what the
    office made public), each with its latest confirmed value and period — only the columns
    the public page shows: no reporter, no confirmer, no evidence, no value still unconfirmed.
    One query, in the items' order."""
    rows = (
        Indicator.objects.filter(item__in=public_items().values("pk"))
        .annotate(
            latest_value=latest_confirmed("value"),
            latest_period=latest_confirmed("period"),
            latest_year=latest_confirmed("year"),
            latest_number=latest_confirmed("number"),
            latest_end=latest_confirmed("period_end"),
        )
        .order_by("item_id", "pk")
        .values(
            "item_id",
            "name",
            "unit",
            "baseline",
            "target_min",
            "target_max",
            "direction",
            "target_year",
            "due_on",
            "latest_value",
            "latest_period",
            "latest_year",
            "latest_number",
            "latest_end",
        )
    )
    return [dict(row) for row in rows]
