"""Reads of extension requests."""

from datetime import date

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.fields import CharField

from agencies.access import has_role
from agencies.choices import Role
from core import access
from core.time import local_date

from ..choices import ExtensionAction, ExtensionStatus, ExtensionStepName
from ..models import ExtensionRequest
from .assigning import agency_names

# The two tabs of the extension requests' page (and the API's ``status`` filter).
EXTENSION_GROUPS = {
    "pending": (ExtensionStatus.REQUESTED, ExtensionStatus.ENDORSED),
    "decided": (ExtensionStatus.APPROVED, ExtensionStatus.DENIED),
}
# Who the page is for (the menu offers it to them): those who endorse, decide or oversee.
EXTENSION_PAGE_ROLES = (Role.HEAD, Role.DEPUTY, Role.REVIEWER, Role.LEADER)


def extension_list(*, user) -> QuerySet[ExtensionRequest]:
    """Extension requests ``user`` may see (those of the assignments the user sees)."""
    return (
        ExtensionRequest.objects.restrict(user, "view")
        .select_related("requested_by", "assignment__agency")
        .order_by("-requested_at", "-pk")
    )


def _steps_for(user) -> tuple[QuerySet, QuerySet]:
    """The requests ``user`` must endorse now and those ``user`` must decide now (the same
    rules as the steps on the assignment's page: status, then the access layer)."""
    endorse = access.restrict(
        ExtensionRequest.objects.filter(status=ExtensionStatus.REQUESTED),
        user,
        ExtensionAction.ENDORSE,
    )
    decide = access.restrict(
        ExtensionRequest.objects.filter(status=ExtensionStatus.ENDORSED),
        user,
        ExtensionAction.DECIDE,
    )
    return endorse.values("pk"), decide.values("pk")


def awaiting(queryset: QuerySet[ExtensionRequest], *, user) -> QuerySet[ExtensionRequest]:
    """The requests of ``queryset`` on which ``user`` must act now ("Tôi cần xử lý")."""
    endorse, decide = _steps_for(user)
    return queryset.filter(Q(pk__in=endorse) | Q(pk__in=decide))


def in_group(queryset: QuerySet[ExtensionRequest], group: str) -> QuerySet[ExtensionRequest]:
    """Pending (requested or endorsed) requests, the longest wait first, or decided (approved
    or denied) ones, the latest decision first."""
    queryset = queryset.filter(status__in=EXTENSION_GROUPS[group])
    if group == "pending":
        return queryset.order_by("requested_at", "pk")
    return queryset.order_by(F("decided_at").desc(nulls_last=True), "-pk")


def group_totals(queryset: QuerySet[ExtensionRequest]) -> dict[str, int]:
    """How many of ``queryset`` are in each status group, and in all (one query)."""
    rows = queryset.order_by().values("status").annotate(n=Count("pk"))
    by_status = {row["status"]: row["n"] for row in rows}
    totals = {
        group: sum(by_status.get(status, 0) for status in statuses)
        for group, statuses in EXTENSION_GROUPS.items()
    }
    return {**totals, "all": sum(by_status.values())}


def extension_request_list(
    *,
    user,
    group: str | None = None,
    mine: bool = False,
    today: date | None = None,
) -> QuerySet[ExtensionRequest]:
    """Extension requests ``user`` may see, in ``group`` ("pending", "decided"; every one when
    None), only those awaiting ``user`` when ``mine``; each with its agency's names and the
    ``step`` ("endorse", "decide" or "") the user may take on it now.

    All of them come by the latest request; a group in its own order (``in_group``).
    """
    if user is None or not user.is_authenticated:
        return ExtensionRequest.objects.none()
    endorse, decide = _steps_for(user)
    queryset = (
        ExtensionRequest.objects.restrict(user, ExtensionAction.VIEW)
        .annotate(
            step=Case(
                When(pk__in=endorse, then=Value(ExtensionStepName.ENDORSE.value)),
                When(pk__in=decide, then=Value(ExtensionStepName.DECIDE.value)),
                default=Value(""),
                output_field=CharField(),
            ),
            **agency_names(today or local_date(), via="assignment__", written=False),
        )
        .select_related(
            "assignment__agency",
            "assignment__item__directive",
            "requested_by",
            "endorsed_by",
            "decided_by",
        )
        .order_by("-requested_at", "-pk")
    )
    if mine:
        queryset = awaiting(queryset, user=user)
    return in_group(queryset, group) if group is not None else queryset


def extension_page_is_for(user) -> bool:
    """Whether the menu offers ``user`` the extension requests' page (heads, deputies, the
    office's reviewers, leaders); anyone signed in may still open it and see their own."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, EXTENSION_PAGE_ROLES)
