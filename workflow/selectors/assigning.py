"""Reads of assignments, always scoped to what the user may see."""

from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.fields import CharField
from django.db.models.functions import Coalesce, NullIf

from agencies.models import Membership, User
from agencies.selectors import agency_namer, name_latest, name_on
from core import access
from core.time import local_date

from ..access import ASSIGNEE_ROLES
from ..choices import (
    OPEN_STATES,
    AssignmentState,
    ExtensionAction,
    ExtensionStatus,
    Timeliness,
)
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


def timeliness_is(value: str, today: date) -> Q:
    """The assignments whose ``timeliness(today)`` is ``value``, as conditions on the columns
    (the same branches in the same order), which the indexes serve: filtered on the CASE
    itself, the database computes it for every row first. Unknown values select nothing."""
    pending = Exists(
        ExtensionRequest.objects.filter(
            assignment=OuterRef("pk"),
            status__in=[ExtensionStatus.REQUESTED, ExtensionStatus.ENDORSED],
        )
    )
    on_time = Q(due_date__isnull=True) | Q(completed_on__lte=F("due_date"))
    # Still open: not cancelled, transferred or done (written as the open states, which the
    # partial indexes on open work serve; every state is one or the other).
    still_open = Q(state__in=OPEN_STATES)
    conditions: dict[str, Q] = {
        Timeliness.CANCELLED: Q(state=AssignmentState.CANCELLED),
        Timeliness.TRANSFERRED: Q(state=AssignmentState.TRANSFERRED),
        Timeliness.DONE_ON_TIME: Q(state=AssignmentState.DONE) & on_time,
        # The CASE's "done, and not on time": a NULL in the test counts as not on time.
        Timeliness.DONE_LATE: Q(state=AssignmentState.DONE, due_date__isnull=False)
        & (Q(completed_on__isnull=True) | Q(completed_on__gt=F("due_date"))),
        Timeliness.EXTENSION_REQUESTED: still_open & Q(pending),
        Timeliness.CONTINUOUS: still_open & ~Q(pending) & Q(due_date__isnull=True),
        Timeliness.OVERDUE: still_open & ~Q(pending) & Q(due_date__lt=today),
        Timeliness.ON_TIME: still_open & ~Q(pending) & Q(due_date__gte=today),
    }
    return conditions.get(value, Q(pk__in=[]))


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


def assignment_rows(*, user, today: date | None = None) -> QuerySet[Assignment]:
    """Visible assignments as a list page shows them: each with its ``timeliness`` on
    ``today``, its item and directive. The agencies' names are given to the rows of the page
    only, by ``name_rows`` (annotated, they cost the database a few subqueries per row, and
    every join more costs the planner: the full ``assignment_list`` took longer to plan than
    to run)."""
    today = today or local_date()
    return (
        Assignment.objects.restrict(user, "view")
        .annotate(timeliness=timeliness(today))
        .select_related("item__directive")
    )


def api_rows(*, user, today: date | None = None) -> QuerySet[Assignment]:
    """Visible assignments as the API's list gives them (codes, not names): with their
    ``timeliness`` on ``today``, item, agencies and assignee."""
    today = today or local_date()
    return (
        Assignment.objects.restrict(user, "view")
        .annotate(timeliness=timeliness(today))
        .select_related("item", "agency", "agency_as_written", "assignee")
    )


def name_rows(rows: list[Assignment], *, today: date | None = None) -> list[Assignment]:
    """Give ``rows`` the names ``agency_names`` annotates (the same rule, read in Python from
    every version of the rows' agencies: one query for the page)."""
    today = today or local_date()
    names = agency_namer({a.agency_id for a in rows} | {a.agency_as_written_id for a in rows})
    return _give_names(rows, names, today)


def _give_names(rows: list[Assignment], names, today: date) -> list[Assignment]:
    a: Any
    for a in rows:
        given = a.assigned_on
        a.agency_name = names.name(a.agency_id, today) or names.name(a.agency_id, given)
        a.agency_short_name = names.name(a.agency_id, today, short=True) or names.name(
            a.agency_id, given, short=True
        )
        a.written_agency_name = names.name(a.agency_as_written_id, given)
    return rows


def assignments_by_pk(*, user, pks, today: date | None = None) -> dict[int, Assignment]:
    """The visible assignments among ``pks`` (one query), by primary key."""
    return {a.pk: a for a in assignment_list(user=user, today=today).filter(pk__in=list(pks))}


def _reports_and_requests(user) -> list[Prefetch]:
    """An assignment page's reports (with their evidence and author) and extension requests
    (with the people of each step, and whether ``user`` may endorse or decide each: read with
    them, not asked once more when one is pending)."""
    requests = ExtensionRequest.objects.select_related("requested_by", "endorsed_by", "decided_by")
    return [
        Prefetch(
            "reports",
            queryset=ProgressReport.objects.select_related("author").prefetch_related(
                "attachments"
            ),
        ),
        Prefetch(
            "extension_requests",
            queryset=access.with_allowed(
                requests, user, [ExtensionAction.ENDORSE, ExtensionAction.DECIDE]
            ),
        ),
    ]


def assignment_detail_list(
    *, user, today: date | None = None
) -> "QuerySet[AssignmentWithTimeliness]":
    """Visible assignments with everything an assignment's page shows prefetched."""
    return (
        assignment_list(user=user, today=today)
        .annotate(parent_agency_name=name_latest("parent__agency_id"))
        .select_related("process", "transferred_from", "item__directive__issuer")
        .prefetch_related(
            *_reports_and_requests(user),
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


def assignment_page(*, user, pk: int, checks=(), today: date | None = None) -> Assignment:
    """One visible assignment as its page shows it (raises DoesNotExist): with its
    ``timeliness`` and agencies' names, item, directive, agency, assignee and parent (and the
    name of the parent's agency), its reports (and their evidence), extension requests and
    contributions (named too); with ``checks`` (access actions), which of them ``user`` may
    take, read with the row (``access.with_allowed``).

    Lighter than ``assignment_get`` (the API's): every join of the full list's selector cost
    the planner more than the page's data."""
    today = today or local_date()
    children = Assignment.objects.annotate(
        timeliness=timeliness(today), **agency_names(today)
    ).select_related("item__directive")
    rows = (
        Assignment.objects.restrict(user, "view")
        .annotate(
            timeliness=timeliness(today),
            parent_agency_name=name_latest("parent__agency_id"),
            focal_agency_name=name_on("item__focal_agency_id", today),
            **agency_names(today),
        )
        .select_related("item__directive", "agency", "assignee", "parent")
        .prefetch_related(
            *_reports_and_requests(user),
            Prefetch("children", queryset=children),
        )
    )
    return access.with_allowed(rows, user, checks).get(pk=pk)


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


def assignees_for(*, agency, on: date | None = None) -> QuerySet[User]:
    """The people an assignment of ``agency`` may be given to on ``on``: its officers, deputies
    and head (the receive form offers these; the services accept only these)."""
    members = Membership.objects.active_on(on or local_date()).filter(
        agency=agency, role__in=ASSIGNEE_ROLES
    )
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "full_name", "username"
    )
