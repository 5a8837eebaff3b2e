"""Reads for the landing pages; every figure is scoped by the apps' access rules
(``restrict``), so a dashboard never shows what its reader may not see. Those who may see the
whole province read its counts from the database's tallies (``models``), kept by triggers in the
same statement as the rows they count."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, Sum

from agencies.access import has_role
from agencies.models import Agency
from agencies.selectors import name_latest, name_on
from core.time import local_date
from escalation.choices import LevelKind
from escalation.models import Escalation
from workflow.access import OVERSEERS
from workflow.choices import OPEN_STATES, AssignmentState, ExtensionStatus, Timeliness
from workflow.models import Assignment

from .models import AssignmentTally, Bucket, EscalationTally

# The levels at which an escalation awaits a decision: the office's and the leaders'.
AWAITING_KINDS = (LevelKind.OFFICE, LevelKind.LEADER)


@dataclass
class AgencyRow:
    agency: Agency
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def overdue(self) -> int:
        return self.counts.get(Timeliness.OVERDUE, 0)


@dataclass
class EscalatedRow:
    """The open escalations raised against one agency, at the office's and the leaders'
    levels."""

    agency: Agency
    name: str
    office: int = 0
    leader: int = 0

    @property
    def total(self) -> int:
        return self.office + self.leader


@dataclass
class Overview:
    rows: list[AgencyRow]
    totals: dict[str, int]
    escalations_open: int
    results_awaiting: int
    escalated: list[EscalatedRow] = field(default_factory=list)

    @property
    def most_overdue(self) -> list[AgencyRow]:
        """The ten agencies with the most overdue work (a ranking; every agency is in rows)."""
        late = [r for r in self.rows if r.overdue]
        return sorted(late, key=lambda r: (-r.overdue, r.name))[:10]


def _timeliness(state: str, no_due: bool, late: bool, in_time: bool | None) -> str:
    """``workflow.selectors.timeliness``, from an assignment's state and the tests it makes on
    the dates (no due date; due before today; completed by the due date — None when a date is
    missing, as SQL has it), but for the test of a pending extension request (applied after,
    see ``timeliness_tally``)."""
    if state == AssignmentState.CANCELLED:
        return Timeliness.CANCELLED
    if state == AssignmentState.TRANSFERRED:
        return Timeliness.TRANSFERRED
    if state == AssignmentState.DONE:
        return Timeliness.DONE_ON_TIME if no_due or in_time else Timeliness.DONE_LATE
    if no_due:
        return Timeliness.CONTINUOUS
    return Timeliness.OVERDUE if late else Timeliness.ON_TIME


def _tests(today: date, via: str = "") -> dict:
    return {
        "no_due": Q(**{f"{via}due_date__isnull": True}),
        "late": Q(**{f"{via}due_date__lt": today}),
        "in_time": Q(**{f"{via}completed_on__lte": F(f"{via}due_date")}),
    }


def _sees_everything(user) -> bool:
    """Whether ``user`` may see every assignment and escalation (the rule of access: the
    office, leaders, inspectors and emulation officers follow the whole province); for them
    the overview reads the database's tallies instead of counting the rows."""
    return user.is_active and (user.is_superuser or has_role(user, OVERSEERS))


def _from_tally(today: date) -> dict[int, dict[str, int]]:
    """Every assignment's timeliness by agency, from ``AssignmentTally`` (a row per agency,
    bucket and due date of open work), summed by the database: one query over a few thousand
    rows at any size."""
    tally: dict[int, dict[str, int]] = {}
    rows = (
        AssignmentTally.objects.filter(n__gt=0)
        .annotate(late=Q(due_date__lt=today))
        .values("agency_id", "bucket", "late")
        .annotate(total=Sum("n"))
    )
    for row in rows:
        if row["bucket"] == Bucket.OPEN:
            timeliness = Timeliness.OVERDUE if row["late"] else Timeliness.ON_TIME
        else:
            timeliness = BUCKET_TIMELINESS[row["bucket"]]
        counts = tally.setdefault(row["agency_id"], {})
        counts[timeliness] = counts.get(timeliness, 0) + row["total"]
    return tally


BUCKET_TIMELINESS = {
    Bucket.CONTINUOUS: Timeliness.CONTINUOUS,
    Bucket.DONE_ON_TIME: Timeliness.DONE_ON_TIME,
    Bucket.DONE_LATE: Timeliness.DONE_LATE,
    Bucket.CANCELLED: Timeliness.CANCELLED,
    Bucket.TRANSFERRED: Timeliness.TRANSFERRED,
}


def timeliness_tally(*, user, today: date | None = None) -> dict[int, dict[str, int]]:
    """How many assignments ``user`` may see each agency has in each timeliness on ``today``
    (``workflow.selectors.timeliness``), by agency id, in two queries. The first counts the
    assignments by their columns: for someone who sees every assignment, from the database's
    tally (``AssignmentTally``); for anyone else, their visible assignments grouped by agency,
    state and the tests on the dates the timeliness makes (one pass over the covering index
    on agency, state and due date: no CASE, no sub-query per row). The second reads the open
    work with a pending extension request (a few rows, from the requests) and moves it to
    "extension requested", which comes first for open work."""
    today = today or local_date()
    visible = Assignment.objects.restrict(user, "view").order_by()
    tally: dict[int, dict[str, int]] = {}

    def add(agency_id: int, timeliness: str, n: int) -> None:
        counts = tally.setdefault(agency_id, {})
        counts[timeliness] = counts.get(timeliness, 0) + n
        if not counts[timeliness]:
            del counts[timeliness]

    columns = ("agency_id", "state", "no_due", "late", "in_time")
    if _sees_everything(user):
        tally = _from_tally(today)
    else:
        for row in visible.annotate(**_tests(today)).values(*columns).annotate(n=Count("pk")):
            timeliness = _timeliness(row["state"], row["no_due"], row["late"], row["in_time"])
            add(row["agency_id"], timeliness, row["n"])
    pending = visible.filter(
        state__in=list(OPEN_STATES),
        extension_requests__status__in=[ExtensionStatus.REQUESTED, ExtensionStatus.ENDORSED],
    )
    for row in (
        pending.annotate(**_tests(today)).values(*columns).annotate(n=Count("pk", distinct=True))
    ):
        timeliness = _timeliness(row["state"], row["no_due"], row["late"], row["in_time"])
        add(row["agency_id"], timeliness, -row["n"])
        add(row["agency_id"], Timeliness.EXTENSION_REQUESTED, row["n"])
    return tally


def _awaiting(user):
    """The open escalations ``user`` may see at the office's and the leaders' levels, counted
    per agency and level (``count``): from the database's tally for someone who sees them all,
    else grouped from the rows."""
    if _sees_everything(user):
        counted = EscalationTally.objects.filter(level__kind__in=AWAITING_KINDS, n__gt=0)
        return counted.values("agency_id", "level__kind").annotate(count=Sum("n")).order_by()
    return (
        Escalation.objects.restrict(user, "view")
        .filter(resolved_at__isnull=True, level__kind__in=AWAITING_KINDS)
        .values("agency_id", "level__kind")
        .annotate(count=Count("pk"))
        .order_by()
    )


def escalations_awaiting(*, user) -> int:
    """How many escalations ``user`` may see await the office's or a leader's decision (the
    open ones of those levels)."""
    return sum(row["count"] for row in _awaiting(user))


def escalations_by_agency(*, user, today: date | None = None) -> list[EscalatedRow]:
    """The agencies with open escalations awaiting the office or a leader, most first, with
    their names: two queries (``_awaiting``, then the names)."""
    today = today or local_date()
    per_agency: dict[int, dict[str, int]] = {}
    for row in _awaiting(user):
        per_agency.setdefault(row["agency_id"], {})[row["level__kind"]] = row["count"]
    agencies = Agency.objects.filter(pk__in=list(per_agency)).annotate(
        name_today=name_on("pk", today), name_last=name_latest("pk")
    )
    rows = [
        EscalatedRow(
            agency=a,
            name=a.name_today or a.name_last,
            office=per_agency[a.pk].get(LevelKind.OFFICE, 0),
            leader=per_agency[a.pk].get(LevelKind.LEADER, 0),
        )
        for a in agencies
    ]
    rows.sort(key=lambda r: (-r.total, r.name))
    return rows


def province_overview(*, user, today: date | None = None) -> Overview:
    """Counts by timeliness per agency (by name), what waits for the office and the leaders by
    agency: six queries, each read from a tally or an index, none computing a timeliness or
    testing a sub-query row by row, none reading every assignment of the province."""
    today = today or local_date()
    per_agency = timeliness_tally(user=user, today=today)
    totals: dict[str, int] = {}
    for counts in per_agency.values():
        for timeliness, n in counts.items():
            totals[timeliness] = totals.get(timeliness, 0) + n
    agencies = Agency.objects.filter(pk__in=list(per_agency)).annotate(
        name_today=name_on("pk", today), name_last=name_latest("pk")
    )
    rows = [
        AgencyRow(agency=a, name=a.name_today or a.name_last, counts=per_agency[a.pk])
        for a in agencies
    ]
    rows.sort(key=lambda r: r.name)
    approved = Assignment.objects.restrict(user, "view").filter(state=AssignmentState.APPROVED)
    escalated = escalations_by_agency(user=user, today=today)
    return Overview(
        rows=rows,
        totals=totals,
        escalations_open=sum(r.total for r in escalated),
        results_awaiting=approved.count(),
        escalated=escalated,
    )
