"""Reads for the landing pages; every figure is scoped by the apps' access rules
(``restrict``), so a dashboard never shows what its reader may not see. Those who may see the
whole province read its counts from the database's tallies (``models``), kept by triggers in the
same statement as the rows they count."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from agencies.access import has_role
from agencies.models import Agency
from agencies.selectors import name_latest, name_on
from core.time import local_date
from escalation.choices import LevelKind
from escalation.models import Escalation
from workflow.access import OVERSEERS
from workflow.choices import (
    OPEN_STATES,
    AssignmentState,
    DirectiveStatus,
    ExtensionStatus,
    IndicatorStatus,
    Timeliness,
)
from workflow.models import Assignment, DirectiveItem
from workflow.selectors import (
    agency_names,
    assignment_rows,
    directive_list,
    indicator_list,
    indicators_with_status,
    timeliness_is,
)
from workflow.selectors import timeliness as timeliness_case

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


def _awaiting_by_agency(user) -> dict[int, dict[str, int]]:
    per_agency: dict[int, dict[str, int]] = {}
    for row in _awaiting(user):
        per_agency.setdefault(row["agency_id"], {})[row["level__kind"]] = row["count"]
    return per_agency


def named_agencies(ids, today: date) -> dict[int, Agency]:
    """The agencies ``ids``, each with its ``display_name``: today's (or its last): one query."""
    agencies = Agency.objects.filter(pk__in=list(ids)).annotate(
        name_today=name_on("pk", today), name_last=name_latest("pk")
    )
    for a in agencies:
        a.display_name = a.name_today or a.name_last
    return {a.pk: a for a in agencies}


def _escalated_rows(per_agency: dict[int, dict[str, int]], named: dict) -> list[EscalatedRow]:
    rows = [
        EscalatedRow(
            agency=named[pk],
            name=named[pk].display_name,
            office=counts.get(LevelKind.OFFICE, 0),
            leader=counts.get(LevelKind.LEADER, 0),
        )
        for pk, counts in per_agency.items()
        if pk in named
    ]
    rows.sort(key=lambda r: (-r.total, r.name))
    return rows


def escalations_by_agency(*, user, today: date | None = None) -> list[EscalatedRow]:
    """The agencies with open escalations awaiting the office or a leader, most first, with
    their names: two queries (``_awaiting``, then the names)."""
    today = today or local_date()
    per_agency = _awaiting_by_agency(user)
    return _escalated_rows(per_agency, named_agencies(per_agency, today))


def province_overview(*, user, today: date | None = None) -> Overview:
    """Counts by timeliness per agency (by name), what waits for the office and the leaders by
    agency: five queries, each read from a tally or an index, none computing a timeliness or
    testing a sub-query row by row, none reading every assignment of the province."""
    today = today or local_date()
    per_agency = timeliness_tally(user=user, today=today)
    totals: dict[str, int] = {}
    for counts in per_agency.values():
        for timeliness, n in counts.items():
            totals[timeliness] = totals.get(timeliness, 0) + n
    awaiting = _awaiting_by_agency(user)
    # One query names the agencies of both tables.
    named = named_agencies(set(per_agency) | set(awaiting), today)
    rows = [
        AgencyRow(agency=named[pk], name=named[pk].display_name, counts=counts)
        for pk, counts in per_agency.items()
        if pk in named
    ]
    rows.sort(key=lambda r: r.name)
    approved = Assignment.objects.restrict(user, "view").filter(state=AssignmentState.APPROVED)
    escalated = _escalated_rows(awaiting, named)
    return Overview(
        rows=rows,
        totals=totals,
        escalations_open=sum(r.total for r in escalated),
        results_awaiting=approved.count(),
        escalated=escalated,
    )


# The provincial dashboard's charts (issue 14): each a few queries, whatever the province's size.

# A heat map cell's state, worst first: what its assignments say, the worst of them winning.
CELL_OVERDUE, CELL_LATE, CELL_OPEN, CELL_ON_TIME = "overdue", "late", "open", "on_time"
CELL_STATES = (CELL_OVERDUE, CELL_LATE, CELL_OPEN, CELL_ON_TIME)
CELL_OF = {
    Timeliness.OVERDUE: CELL_OVERDUE,
    Timeliness.DONE_LATE: CELL_LATE,
    Timeliness.ON_TIME: CELL_OPEN,
    Timeliness.EXTENSION_REQUESTED: CELL_OPEN,
    Timeliness.CONTINUOUS: CELL_OPEN,
    Timeliness.DONE_ON_TIME: CELL_ON_TIME,
}  # cancelled and transferred work is not the agency's to answer for: no colour
HEAT_AGENCIES_PER_PAGE = 30
DIRECTIVES_OFFERED = 30


@dataclass
class HeatCell:
    item_id: int
    counts: dict[str, int] = field(default_factory=dict)  # by cell state

    @property
    def state(self) -> str:
        return next((s for s in CELL_STATES if self.counts.get(s)), "")


@dataclass
class HeatRow:
    agency: Agency
    name: str
    cells: list[HeatCell]


@dataclass
class HeatMap:
    directive: object  # workflow.models.Directive, or None when none is visible
    directives: list  # the directives offered by the chooser, newest first
    items: list
    rows: list[HeatRow]
    agency_count: int
    page: int
    pages: int

    @property
    def more(self) -> int:
        """The agencies after this page."""
        return max(0, self.agency_count - self.page * HEAT_AGENCIES_PER_PAGE)


def directive_heat_map(
    *, user, directive_id: int | None = None, page: int = 1, today: date | None = None
) -> HeatMap:
    """The agencies × items of one directive (``directive_id``, else the most recently issued
    published one), each cell the worst state of the agency's work on the item (overdue, done
    late, open, done on time: ``workflow.selectors.timeliness``), agencies by name, a page of
    ``HEAT_AGENCIES_PER_PAGE`` at a time: four queries (the directives offered, the items, the
    directive's assignments grouped by agency, item and timeliness, the page's names), each
    bounded by one directive."""
    today = today or local_date()
    published = list(
        directive_list(user=user).filter(status=DirectiveStatus.PUBLISHED)[:DIRECTIVES_OFFERED]
    )
    chosen = next((d for d in published if d.pk == directive_id), None)
    if chosen is None and directive_id is not None:
        chosen = directive_list(user=user).filter(pk=directive_id).first()
        if chosen is not None:
            published.append(chosen)
    if chosen is None:
        chosen = published[0] if published else None
    if chosen is None:
        return HeatMap(None, [], [], [], 0, 1, 1)
    items = list(DirectiveItem.objects.filter(directive=chosen).order_by("order", "pk"))
    grouped = (
        Assignment.objects.restrict(user, "view")
        .filter(item__directive=chosen)
        .annotate(timeliness=timeliness_case(today))
        .order_by()
        .values("agency_id", "item_id", "timeliness")
        .annotate(n=Count("pk"))
    )
    per_agency: dict[int, dict[int, dict[str, int]]] = {}
    for row in grouped:
        state = CELL_OF.get(row["timeliness"])
        if state is None:
            continue
        counts = per_agency.setdefault(row["agency_id"], {}).setdefault(row["item_id"], {})
        counts[state] = counts.get(state, 0) + row["n"]
    pages = max(1, -(-len(per_agency) // HEAT_AGENCIES_PER_PAGE))
    page = min(max(1, page), pages)
    names = Agency.objects.filter(pk__in=list(per_agency)).annotate(
        name_today=name_on("pk", today), name_last=name_latest("pk")
    )
    named = sorted(names, key=lambda a: a.name_today or a.name_last or "")
    start = (page - 1) * HEAT_AGENCIES_PER_PAGE
    rows = [
        HeatRow(
            agency=a,
            name=a.name_today or a.name_last,
            cells=[HeatCell(item.pk, per_agency[a.pk].get(item.pk, {})) for item in items],
        )
        for a in named[start : start + HEAT_AGENCIES_PER_PAGE]
    ]
    return HeatMap(chosen, published, items, rows, len(per_agency), page, pages)


OLDEST_OVERDUE = 10


def oldest_overdue(*, user, today: date | None = None) -> list:
    """The ``OLDEST_OVERDUE`` visible assignments overdue the longest (due date first), named:
    one query, read in order from the partial index on open work by due date (the names of
    the few rows annotated)."""
    today = today or local_date()
    rows = list(
        assignment_rows(user=user, today=today)
        .filter(timeliness_is(Timeliness.OVERDUE, today))
        .annotate(**agency_names(today, written=False))
        .order_by("due_date", "pk")[:OLDEST_OVERDUE]
    )
    for row in rows:
        row.days_overdue = (today - row.due_date).days
    return rows


@dataclass
class MonthShare:
    month: date  # its first day
    on_time: int
    late: int

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> int | None:
        """The share done on time, in whole percent (None: nothing completed that month)."""
        return round(100 * self.on_time / self.done) if self.done else None


def _months_back(today: date, n: int) -> list[date]:
    months, year, month = [], today.year, today.month
    for _i in range(n):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def on_time_trend(*, user, today: date | None = None, months: int = 12) -> list[MonthShare]:
    """Of the visible assignments completed in each of the last ``months`` months (this one
    included), how many on time and how many late (``Timeliness.DONE_ON_TIME`` / ``DONE_LATE``;
    a completion with no date counts nowhere): one query, from the tally for someone who sees
    every assignment (done work is counted by month of completion), else grouped from the
    agencies' covering index."""
    today = today or local_date()
    first = _months_back(today, months)
    shares = {m: MonthShare(m, 0, 0) for m in first}
    if _sees_everything(user):
        rows = (
            AssignmentTally.objects.filter(
                bucket__in=[Bucket.DONE_ON_TIME, Bucket.DONE_LATE], due_date__gte=first[0]
            )
            .values("due_date", "bucket")
            .annotate(n=Sum("n"))
            .order_by()
        )
        for row in rows:
            share = shares.get(row["due_date"].replace(day=1))
            if share is None:
                continue
            if row["bucket"] == Bucket.DONE_ON_TIME:
                share.on_time += row["n"]
            else:
                share.late += row["n"]
        return list(shares.values())
    on_time = Q(due_date__isnull=True) | Q(completed_on__lte=F("due_date"))
    rows = (
        Assignment.objects.restrict(user, "view")
        .filter(state=AssignmentState.DONE, completed_on__gte=first[0])
        .annotate(month=TruncMonth("completed_on"))
        .order_by()
        .values("month")
        .annotate(on_time=Count("pk", filter=on_time), n=Count("pk"))
    )
    for row in rows:
        share = shares.get(row["month"])
        if share is not None:
            share.on_time += row["on_time"]
            share.late += row["n"] - row["on_time"]
    return list(shares.values())


@dataclass
class TargetSummary:
    counts: dict[str, int]
    at_risk: list
    missed: list


def targets_summary(*, user) -> TargetSummary:
    """The visible indicators by status (``workflow.targets``), with the at-risk and missed
    ones listed: one query (``indicator_list``)."""
    indicators = indicators_with_status(list(indicator_list(user=user)))
    counts = {s: 0 for s in IndicatorStatus.values}
    for indicator in indicators:
        counts[indicator.status] += 1
    return TargetSummary(
        counts=counts,
        at_risk=[i for i in indicators if i.status == IndicatorStatus.AT_RISK],
        missed=[i for i in indicators if i.status == IndicatorStatus.MISSED],
    )
