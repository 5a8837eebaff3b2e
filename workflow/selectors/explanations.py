"""Reads of the explanation requests (yêu cầu giải trình), scoped to what the user may see;
each row comes with its agency's name, its subject's title and its standing
(``workflow.explanations.explanation_standing``), computed by the database."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from agencies.access import has_role
from agencies.selectors import name_latest
from core import access
from core.time import local_date

from ..access import APPROVERS, OVERSEERS
from ..choices import ExplanationAction, ExplanationStatus
from ..explanations import assignment_is_late, indicator_is_explainable
from ..models import ExplanationRequest

# The tabs of the list, in their order; "all" is every request.
GROUPS = ("awaiting", "overdue", "on_time", "late", "withdrawn")
# The standings of a request still awaiting its answer.
AWAITED = ("awaiting", "overdue")


def _answered_on():
    return TruncDate("answered_at")


def standing(today: date) -> Case:
    """``explanation_standing`` as an expression over the rows (the same branches)."""
    S = ExplanationStatus
    return Case(
        When(status=S.WITHDRAWN, then=Value("withdrawn")),
        When(Q(status=S.ANSWERED) & Q(answered_on__lte=F("due_on")), then=Value("on_time")),
        When(status=S.ANSWERED, then=Value("late")),
        When(due_on__lt=today, then=Value("overdue")),
        default=Value("awaiting"),
        output_field=CharField(),
    )


def explanation_list(
    *,
    user,
    group: str | None = None,
    assignment=None,
    indicator=None,
    agency_id: int | None = None,
    today: date | None = None,
    actions=(),
) -> QuerySet[ExplanationRequest]:
    """Explanation requests ``user`` may see (of one ``group`` of ``GROUPS``, one subject, one
    agency when given), each with ``agency_name``, ``subject_title`` and ``standing``, those
    to explain first, with what of ``actions`` the user may do on each."""
    today = today or local_date()
    rows = (
        ExplanationRequest.objects.restrict(user, ExplanationAction.VIEW)
        .select_related("requested_by", "answered_by", "withdrawn_by")
        .annotate(
            answered_on=_answered_on(),
            agency_name=Coalesce(name_latest("agency_id"), Value("")),
            subject_title=Coalesce("assignment__title", "indicator__name"),
        )
        .annotate(standing=standing(today))
        .order_by("due_on", "pk")
    )
    if group in GROUPS:
        rows = rows.filter(standing=group)
    if assignment is not None:
        rows = rows.filter(assignment=assignment)
    if indicator is not None:
        rows = rows.filter(indicator=indicator)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return access.with_allowed(rows, user, actions) if actions else rows


def explanation_get(*, user, pk: int, actions=()) -> ExplanationRequest:
    return explanation_list(user=user, actions=actions).get(pk=pk)


def group_totals(queryset: QuerySet) -> dict[str, int]:
    """How many of ``queryset`` (``explanation_list``'s rows) stand in each group, and in all:
    one query."""
    counts = {
        row["standing"]: row["n"]
        for row in queryset.order_by().values("standing").annotate(n=Count("pk"))
    }
    return {**{g: counts.get(g, 0) for g in GROUPS}, "all": sum(counts.values())}


@dataclass(frozen=True)
class ExplanationTally:
    """An agency's explanation requests as scoring counts them."""

    asked: int
    on_time: int
    late: int
    overdue: int
    awaiting: int


def explanation_tally(*, user, agency_id: int, today: date | None = None) -> ExplanationTally:
    """What the agency was asked to explain (withdrawn requests left out) and how it answered:
    on time, late, not yet past due, or overdue — one query."""
    totals = group_totals(explanation_list(user=user, agency_id=agency_id, today=today))
    return ExplanationTally(
        asked=totals["all"] - totals["withdrawn"],
        on_time=totals["on_time"],
        late=totals["late"],
        overdue=totals["overdue"],
        awaiting=totals["awaiting"],
    )


def explanation_page_is_for(user) -> bool:
    """Whether the menu offers ``user`` the explanation requests' page: those who answer for
    an agency (heads, deputies) and those who follow up (``OVERSEERS``)."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, (*APPROVERS, *OVERSEERS))


@dataclass
class ExplanationLine:
    """An explanation request of an assignment as its timeline tells it (``explanations_told``)."""

    pk: int
    question: str
    due_on: date | None
    requested_by: Any
    requested_at: datetime
    status: str = ExplanationStatus.REQUESTED
    answer: str = ""
    answered_by: object = None
    answered_at: object = None

    @property
    def status_label(self) -> str:
        return str(ExplanationStatus(self.status).label)


def explanations_told(timeline) -> list[ExplanationLine]:
    """The explanation requests of an assignment, latest first, read from its timeline (the
    ``Entry`` rows of ``assignment_timeline``, whose lines every step writes with the
    request's key): the page shows them without reading them again."""
    lines: dict[int, ExplanationLine] = {}
    for entry in timeline:
        event = entry.event
        after = event.after or {}
        if not event.verb.startswith("explanation.") or "explanation" not in after:
            continue
        pk = after["explanation"]
        if event.verb == "explanation.request":
            due = after.get("due_on")
            lines[pk] = ExplanationLine(
                pk=pk,
                question=event.note,
                due_on=date.fromisoformat(due) if isinstance(due, str) else due,
                requested_by=event.actor,
                requested_at=event.at,
            )
        elif pk in lines and event.verb == "explanation.answer":
            line = lines[pk]
            line.status, line.answer = ExplanationStatus.ANSWERED, event.note
            line.answered_by, line.answered_at = event.actor, event.at
        elif pk in lines and event.verb == "explanation.withdraw":
            lines[pk].status = ExplanationStatus.WITHDRAWN
    return sorted(lines.values(), key=lambda line: line.requested_at, reverse=True)


def latest_explanation(*, user, about: str, today: date | None = None) -> dict:
    """For annotations of assignment rows (``about="assignment"``) or indicator rows
    (``"indicator"``): the latest explanation request on each that ``user`` may see, as
    ``explanation_id`` and ``explanation_standing`` — read with the rows, no query of its own
    (the dashboards show it beside late work and targets at risk)."""
    rows = (
        ExplanationRequest.objects.restrict(user, ExplanationAction.VIEW)
        .filter(**{about: OuterRef("pk")})
        .annotate(answered_on=_answered_on())
        .annotate(standing=standing(today or local_date()))
        .order_by("-requested_at", "-pk")
    )
    return {
        "explanation_id": Subquery(rows.values("pk")[:1]),
        "explanation_standing": Subquery(rows.values("standing")[:1]),
    }


def explanation_offered(user, *, assignment=None, indicator=None, awaited: bool) -> bool:
    """Whether to offer ``user`` to ask for an explanation of ``assignment`` (read with its
    state, due and completion dates) or of ``indicator`` (read with its status): one that may
    ask (``ExplanationAction.ADD``), about a subject the rules make explainable
    (``workflow.explanations``), with no request ``awaited`` on it yet."""
    if awaited or not access.may(user, ExplanationAction.ADD, ExplanationRequest):
        return False
    if assignment is not None:
        return assignment_is_late(
            state=assignment.state,
            due_date=assignment.due_date,
            completed_on=assignment.completed_on,
            today=local_date(),
        )
    return indicator.agency_id is not None and indicator_is_explainable(indicator.status)
