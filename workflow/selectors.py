"""Reads of directives and assignments, always scoped to what the user may see."""

from collections import Counter
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields import CharField
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from agencies.access import has_role, member_agencies
from agencies.choices import Role
from agencies.models import AgencyVersion, valid_on_q
from agencies.selectors import responsible_agencies
from core.audit import audit_trail
from core.time import local_date

from .access import APPROVERS, RECEIVERS
from .choices import OPEN_STATES, AssignmentState, ExtensionStatus, Timeliness
from .flows import AssignmentFlow, EscalationFlow, ExtensionFlow
from .models import (
    Assignment,
    Directive,
    DirectiveItem,
    Escalation,
    ExtensionRequest,
    ProgressReport,
)


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


def assignment_list(
    *, user, today: date | None = None, now: datetime | None = None
) -> QuerySet[Assignment]:
    """Assignments ``user`` may see, each with its ``timeliness`` on ``today``."""
    today = today or local_date(now)
    return (
        Assignment.objects.restrict(user, "view")
        .annotate(timeliness=timeliness(today))
        .select_related("item__directive", "agency", "agency_as_written", "assignee", "parent")
    )


def assignment_detail_list(*, user, today: date | None = None) -> QuerySet[Assignment]:
    """Visible assignments with everything an assignment's page shows prefetched."""
    return (
        assignment_list(user=user, today=today)
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
                    timeliness=timeliness(today or local_date())
                ).select_related("agency", "assignee"),
            ),
        )
    )


def assignment_get(*, user, pk: int, today: date | None = None) -> Assignment:
    """One visible assignment with everything its page shows; raises DoesNotExist."""
    return assignment_detail_list(user=user, today=today).get(pk=pk)


def assignment_timeline(*, assignment: Assignment):
    """The assignment's history, oldest first (the audit record the services wrote)."""
    return audit_trail(assignment)


def directive_list(*, user) -> QuerySet[Directive]:
    return (
        Directive.objects.restrict(user, "view")
        .select_related("issuer")
        .annotate(item_count=Count("items", distinct=True))
    )


def directive_get(*, user, pk: int) -> Directive:
    return (
        Directive.objects.restrict(user, "view")
        .select_related("issuer", "created_by")
        .prefetch_related(Prefetch("items", queryset=DirectiveItem.objects.order_by("order")))
        .get(pk=pk)
    )


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
    overdue (a constant number of queries)."""
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
        "due_this_week": list(
            mine.filter(
                state__in=OPEN_STATES, due_date__gte=today, due_date__lte=week_end
            ).order_by("due_date")[:50]
        ),
        "overdue": list(mine.filter(timeliness=Timeliness.OVERDUE).order_by("due_date")[:50]),
    }


def inbox(*, user) -> QuerySet[Task]:
    """The workflow tasks ``user`` must act on now, from viewflow's task table, scoped to the
    agencies and roles the user holds today."""
    receivers = member_agencies(user, roles=RECEIVERS)
    approvers = member_agencies(user, roles=APPROVERS)
    path = "process__assignmentprocess__assignment__"
    ext = "process__extensionprocess__extension__assignment__"
    mine = (
        Q(flow_task=AssignmentFlow.receive, **{f"{path}agency_id__in": receivers})
        | Q(flow_task=AssignmentFlow.report, owner_id=user.pk)
        | Q(flow_task=AssignmentFlow.approve, **{f"{path}agency_id__in": approvers})
        | Q(flow_task=ExtensionFlow.endorse, **{f"{ext}agency_id__in": approvers})
    )
    if has_role(user, [Role.REVIEWER]):
        mine |= Q(
            flow_task__in=[AssignmentFlow.review, AssignmentFlow.triage, ExtensionFlow.decide]
        )
        mine |= Q(
            flow_task=EscalationFlow.office,
            process__escalationprocess__escalation__resolved_at__isnull=True,
        )
    if has_role(user, [Role.LEADER]):
        mine |= Q(
            flow_task=EscalationFlow.leader,
            process__escalationprocess__escalation__resolved_at__isnull=True,
        )
    return (
        Task.objects.filter(mine, status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .select_related(
            "process__assignmentprocess__assignment__agency",
            "process__assignmentprocess__assignment__item__directive",
            "process__extensionprocess__extension__assignment__agency",
            "process__escalationprocess__escalation__assignment__agency",
        )
        .order_by("created")
    )


def transfer_candidates(*, user, today: date | None = None) -> list[tuple[Assignment, list]]:
    """Open assignments of agencies that no longer exist, each with the successors that now
    answer for them (for the office to confirm)."""
    today = today or local_date()
    alive = AgencyVersion.objects.filter(valid_on_q(today)).values("agency_id")
    stranded = (
        assignment_list(user=user, today=today)
        .filter(state__in=OPEN_STATES)
        .exclude(agency_id__in=alive)
        .order_by("agency__code", "pk")
    )
    # One succession walk per distinct (agency, date), not per assignment.
    successors: dict[tuple[int, date], list] = {}
    result = []
    for assignment in stranded[:200]:
        key = (assignment.agency_id, assignment.assigned_on)
        if key not in successors:
            found = responsible_agencies(
                agency=assignment.agency, given_on=assignment.assigned_on, on=today
            )
            successors[key] = [r.agency for r in found]
        result.append((assignment, successors[key]))
    return result


def escalation_list(*, user) -> QuerySet[Escalation]:
    """Escalations of the assignments ``user`` may see, with what the office page shows."""
    return (
        Escalation.objects.restrict(user, "view")
        .select_related("level", "assignment__agency", "assignment__item__directive", "decided_by")
        .order_by("resolved_at", "-raised_at", "pk")
    )
