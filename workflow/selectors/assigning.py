"""Reads of assignments, always scoped to what the user may see."""

from collections import Counter
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.fields import CharField
from django.db.models.functions import Coalesce, NullIf

from agencies.access import member_agencies
from agencies.models import Membership, User
from agencies.selectors import name_latest, name_on
from core.time import local_date

from ..access import ASSIGNEE_ROLES
from ..choices import OPEN_STATES, AssignmentState, ExtensionStatus, Timeliness
from ..models import Assignment, Directive, ExtensionRequest, ProgressReport

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class TimelinessAnnotation(TypedDict):
        """What ``assignment_list`` adds to each assignment."""

        timeliness: str

    AssignmentWithTimeliness = WithAnnotations[Assignment, TimelinessAnnotation]


def timeliness(today: date) -> Case:
    """The timeliness of an assignment on ``today``, computed by the database.

    A task is due at the end of its due date in Vietnam, so it is overdue from the next local
    day; a result counts on time when it was reported by the due date in force.
    """
    pending_extension = ExtensionRequest.objects.filter(
        assignment=OuterRef("pk"),
        status__in=[ExtensionStatus.REQUESTED, ExtensionStatus.ENDORSED],
    )
    return Case(
        When(state=AssignmentState.CANCELLED, then=Value(Timeliness.CANCELLED)),
        When(state=AssignmentState.TRANSFERRED, then=Value(Timeliness.TRANSFERRED)),
        When(
            Q(state=AssignmentState.DONE)
            & (Q(due_date__isnull=True) | Q(completed_on__lte=F("due_date"))),
            then=Value(Timeliness.DONE_ON_TIME),
        ),
        When(state=AssignmentState.DONE, then=Value(Timeliness.DONE_LATE)),
        When(Exists(pending_extension), then=Value(Timeliness.EXTENSION_REQUESTED)),
        When(due_date__isnull=True, then=Value(Timeliness.CONTINUOUS)),
        When(due_date__lt=today, then=Value(Timeliness.OVERDUE)),
        default=Value(Timeliness.ON_TIME),
        output_field=CharField(),
    )


def agency_names(today: date, *, via: str = "", written: bool = True) -> dict:
    """The names an assignment's page and lists show (never codes): the agency responsible as
    it is named on ``today`` (or, when it no longer exists, as it was named when the work was
    given), in full and short, and (``written``) the agency as written, as named on the day
    of assignment. ``via`` is the path to the assignment from the rows annotated
    ("assignment__" for its extension requests)."""
    given = OuterRef(f"{via}assigned_on")
    agency = f"{via}agency_id"
    names = {
        "agency_name": Coalesce(NullIf(name_on(agency, today), Value("")), name_on(agency, given)),
        "agency_short_name": Coalesce(
            NullIf(name_on(agency, today, short=True), Value("")),
            name_on(agency, given, short=True),
        ),
    }
    if written:
        names["written_agency_name"] = name_on(f"{via}agency_as_written_id", given)
    return names


def assignment_list(
    *, user, today: date | None = None, now: datetime | None = None
) -> "QuerySet[AssignmentWithTimeliness]":
    """Assignments ``user`` may see, each with its ``timeliness`` and its agencies' names on
    ``today``."""
    today = today or local_date(now)
    return (
        Assignment.objects.restrict(user, "view")
        .annotate(timeliness=timeliness(today), **agency_names(today))
        .select_related("item__directive", "agency", "agency_as_written", "assignee", "parent")
    )


def assignments_by_pk(*, user, pks, today: date | None = None) -> dict[int, Assignment]:
    """The visible assignments among ``pks`` (one query), by primary key."""
    return {a.pk: a for a in assignment_list(user=user, today=today).filter(pk__in=list(pks))}


def assignment_detail_list(
    *, user, today: date | None = None
) -> "QuerySet[AssignmentWithTimeliness]":
    """Visible assignments with everything an assignment's page shows prefetched."""
    return (
        assignment_list(user=user, today=today)
        .annotate(parent_agency_name=name_latest("parent__agency_id"))
        .select_related("process", "transferred_from", "item__directive__issuer")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.select_related("author").prefetch_related(
                    "attachments"
                ),
            ),
            Prefetch(
                "extension_requests",
                queryset=ExtensionRequest.objects.select_related(
                    "requested_by", "endorsed_by", "decided_by"
                ),
            ),
            Prefetch(
                "children",
                queryset=Assignment.objects.annotate(
                    timeliness=timeliness(today or local_date()),
                    **agency_names(today or local_date()),
                ).select_related("agency", "assignee", "item__directive"),
            ),
        )
    )


def assignment_get(*, user, pk: int, today: date | None = None) -> Assignment:
    """One visible assignment with everything its page shows; raises DoesNotExist."""
    return assignment_detail_list(user=user, today=today).get(pk=pk)


def item_progress(*, user, directive: Directive, today: date | None = None) -> dict[int, Counter]:
    """Per item, how many visible assignments fall in each timeliness (one query)."""
    rows = (
        assignment_list(user=user, today=today)
        .filter(item__directive=directive)
        .order_by()
        .values("item_id", "timeliness")
        .annotate(n=Count("pk"))
    )
    progress: dict[int, Counter] = {}
    for row in rows:
        progress.setdefault(row["item_id"], Counter())[row["timeliness"]] = row["n"]
    return progress


def agency_dashboard(*, user, today: date | None = None) -> dict:
    """Counts by timeliness for the user's own agencies, what is due this week, and what is
    overdue, soonest first (querysets: the page shows the first rows and links to the rest)."""
    today = today or local_date()
    mine = assignment_list(user=user, today=today).filter(agency_id__in=member_agencies(user))
    counts = Counter(
        {
            row["timeliness"]: row["n"]
            for row in mine.order_by().values("timeliness").annotate(n=Count("pk"))
        }
    )
    week_end = today + timedelta(days=6 - today.weekday())
    return {
        "counts": counts,
        "week": (today, week_end),
        "due_this_week": mine.filter(
            state__in=OPEN_STATES, due_date__gte=today, due_date__lte=week_end
        ).order_by("due_date", "pk"),
        "overdue": mine.filter(timeliness=Timeliness.OVERDUE).order_by("due_date", "pk"),
    }


def assignees_for(*, agency, on: date | None = None) -> QuerySet[User]:
    """The people an assignment of ``agency`` may be given to on ``on``: its officers, deputies
    and head (the receive form offers these; the services accept only these)."""
    members = Membership.objects.active_on(on or local_date()).filter(
        agency=agency, role__in=ASSIGNEE_ROLES
    )
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "full_name", "username"
    )
