"""Reads for the landing pages; every figure is scoped by the apps' access rules
(``restrict``), so a dashboard never shows what its reader may not see. Those who may see the
whole province read its counts from the database's tallies (``models``), kept by triggers in the
same statement as the rows they count."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page
from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from agencies.access import memberships_today
from agencies.models import Agency
from agencies.selectors import agency_namer, name_shown, with_name_shown
from core.pagination import counted, counted_page
from core.text import fold
from core.time import local_date
from escalation.choices import LevelKind
from escalation.models import Escalation
from workflow.access import sees_every_assignment
from workflow.choices import (
    GONE_STATES,
    OPEN_STATES,
    AssignmentState,
    DirectiveKind,
    DirectiveStatus,
    IndicatorDirection,
    IndicatorStatus,
    NationalIndex,
    Timeliness,
)
from workflow.models import Assignment, DirectiveItem
from workflow.selectors import (
    agency_names,
    assignment_rows,
    directive_list,
    index_result_list,
    indicator_list,
    indicators_with_status,
    latest_explanation,
    timeliness_is,
)
from workflow.selectors import timeliness as timeliness_case
from workflow.targets import target_bound

from .models import AgencyTally, AssignmentTally, AwaitingTally, Bucket, EscalationTally

# The levels at which an escalation awaits a decision: the office's and the leaders'.
AWAITING_KINDS = (LevelKind.OFFICE, LevelKind.LEADER)


@dataclass
class AgencyRow:
    agency_id: int
    code: str
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

    agency_id: int
    code: str
    name: str
    office: int = 0
    leader: int = 0

    @property
    def total(self) -> int:
        return self.office + self.leader


@dataclass
class Overview:
    agencies: Page  # of AgencyRow, by name
    totals: dict[str, int]  # by timeliness, over every agency
    escalations_open: int
    results_awaiting: int
    escalated: Page  # of EscalatedRow, most first
    most_overdue: list[AgencyRow]  # the ten agencies with the most overdue work


def due_ahead(today: date, prefix: str = "") -> Q:
    """A tally's dated rows of open work due from ``today`` on: on time that day; the rest of
    its open work is overdue (``prefix``: the path to the rows)."""
    return Q(**{f"{prefix}bucket": Bucket.OPEN, f"{prefix}due_date__gte": today})


BUCKET_TIMELINESS = {
    Bucket.CONTINUOUS: Timeliness.CONTINUOUS,
    Bucket.EXTENSION: Timeliness.EXTENSION_REQUESTED,
    Bucket.DONE_ON_TIME: Timeliness.DONE_ON_TIME,
    Bucket.DONE_LATE: Timeliness.DONE_LATE,
    Bucket.CANCELLED: Timeliness.CANCELLED,
    Bucket.TRANSFERRED: Timeliness.TRANSFERRED,
}


def timeliness_tally(*, user, today: date | None = None) -> dict[int, dict[str, int]]:
    """How many assignments ``user`` may see each agency has in each timeliness on ``today``
    (``workflow.selectors.timeliness``), by agency id, in one query (``_counts_by_agency``:
    the database's tally for someone who sees every assignment, else the visible rows)."""
    today = today or local_date()
    return {
        row["agency_id"]: {t: row[f"n_{t}"] for t in COUNTED if row[f"n_{t}"]}
        for row in _counts_by_agency(user, today)
    }


def _results_awaiting(user) -> int:
    """How many visible assignments are approved by their agency and await the office's
    acceptance: counted from the index on state."""
    # Those who see every assignment need no rule of access read (one query fewer).
    rows = Assignment.objects if sees_every_assignment(user) else Assignment.objects.restrict(user)
    return rows.filter(state=AssignmentState.APPROVED).count()


def _awaiting(user):
    """The open escalations ``user`` may see at the office's and the leaders' levels, counted
    per agency and level (``count``): from the database's tally for someone who sees them all,
    else grouped from the rows."""
    if sees_every_assignment(user):
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


def named_agencies(ids, today: date) -> dict[int, Agency]:
    """The agencies ``ids``, each with its ``display_name``: today's (or its last): one query."""
    agencies = Agency.objects.filter(pk__in=list(ids)).annotate(
        display_name=name_shown("pk", today)
    )
    return {a.pk: a for a in agencies}


# The overview's tables by agency (a country has 12,000 agencies): counted, named, ordered and
# cut to a page by the database; each page's query also carries the whole table's size and
# totals (``core.pagination.counted_page``).
AGENCY_ROWS = 50
MOST_OVERDUE = 10
# Every timeliness, one count each.
COUNTED = (
    Timeliness.OVERDUE,
    Timeliness.ON_TIME,
    Timeliness.CONTINUOUS,
    Timeliness.EXTENSION_REQUESTED,
    Timeliness.DONE_ON_TIME,
    Timeliness.DONE_LATE,
    Timeliness.CANCELLED,
    Timeliness.TRANSFERRED,
)


def _counts_by_agency(user, today: date):
    """The assignments ``user`` may see counted by agency (``agency_id``) and timeliness (a
    column ``n_<timeliness>`` each, ``COUNTED``): from the database's tally for someone who
    sees them all (each agency's row, beside its open work due from ``today`` on: about two
    rows an agency, however many dates its work has), else from the rows
    (``workflow.selectors.timeliness_is``)."""
    if sees_every_assignment(user):
        # An agency's row (all its work whatever the dates) beside its dated rows of open
        # work due from today on, joined on the agency: that work is on time, the rest of
        # its open work overdue.
        return (
            AgencyTally.objects.filter(_counted_any())
            .annotate(ahead=FilteredRelation("dated", condition=due_ahead(today, "dated__")))
            .order_by()
            .values("agency_id")
            .annotate(**_tally_columns(Coalesce(Sum("ahead__n"), 0)))
        )
    rows = Assignment.objects.restrict(user, "view")
    return (
        rows.order_by()
        .values("agency_id")
        .annotate(**{f"n_{t}": Count("pk", filter=timeliness_is(t, today)) for t in COUNTED})
    )


def _tally_page(today: date, number, per_page: int):
    """The overview's page of agencies by name from the tally, and the totals of every
    agency: agencies' rows named, sorted and cut to the page with nothing grouped (their work
    due from ``today`` on is read for the page's rows alone, by key, once they are chosen),
    the totals summed over every row by window functions and, for the work due from today
    on, one sum over the dated rows. One query."""
    ahead = AssignmentTally.objects.filter(due_ahead(today)).order_by()
    of_agency = ahead.filter(agency_id=OuterRef("agency_id")).values("agency_id")
    on_time = Coalesce(Subquery(of_agency.annotate(s=Sum("n")).values("s")), 0)
    on_time_all = Subquery(ahead.values("bucket").annotate(s=Sum("n")).values("s"))
    rows = with_name_shown(
        AgencyTally.objects.filter(_counted_any())
        .values("agency_id")
        .annotate(code=F("agency__code"), **_tally_columns(on_time)),
        "agency",
        today,
        keyed=True,
    ).annotate(
        all_on_time=Coalesce(on_time_all, 0),
        **counted(**{b: F(b) for b in Bucket.values}),
    )
    table = counted_page(rows.order_by("name_key", "agency_id"), number, per_page)
    got = table.page.object_list
    on_time_total = got[0]["all_on_time"] if got else 0
    totals = {t: table.totals[b] for b, t in BUCKET_TIMELINESS.items()}
    totals[Timeliness.ON_TIME] = on_time_total
    totals[Timeliness.OVERDUE] = table.totals[Bucket.OPEN] - on_time_total
    return table, totals


def _tally_columns(on_time) -> dict:
    """An agency's tally row as the ``n_<timeliness>`` columns of ``COUNTED``, given
    ``on_time``, its open work due from today on (``due_ahead``): the rest of its open work
    is overdue, each other bucket is its timeliness."""
    return {
        f"n_{Timeliness.ON_TIME}": on_time,
        f"n_{Timeliness.OVERDUE}": F(Bucket.OPEN) - on_time,
        **{f"n_{t}": F(b) for b, t in BUCKET_TIMELINESS.items()},
    }


def _counted_any() -> Q:
    """An agency's row that counts anything."""
    counted_any = Q()
    for b in Bucket.values:
        counted_any |= Q(**{f"{b}__gt": 0})
    return counted_any


def _agency_row(row: dict) -> AgencyRow:
    return AgencyRow(
        agency_id=row["agency_id"],
        code=row["code"],
        name=row["name"],
        counts={t: row[f"n_{t}"] for t in COUNTED if row[f"n_{t}"]},
    )


def _awaiting_by_agency_counts(user):
    """``_awaiting`` by agency alone: ``office`` and ``leader``, the open escalations at each
    level, and ``awaiting``, both."""
    if sees_every_assignment(user):
        # Who sees every assignment sees every escalation too (escalation.access): one row
        # per agency, kept by the database, nothing to group.
        return (
            AwaitingTally.objects.filter(Q(office__gt=0) | Q(leader__gt=0))
            .values("agency_id", LevelKind.OFFICE.value, LevelKind.LEADER.value)
            .annotate(awaiting=F(LevelKind.OFFICE.value) + F(LevelKind.LEADER.value))
        )
    else:
        rows = Escalation.objects.restrict(user, "view").filter(
            resolved_at__isnull=True, level__kind__in=AWAITING_KINDS
        )
        at = {kind: Count("pk", filter=Q(level__kind=kind)) for kind in AWAITING_KINDS}
        total = Count("pk")
    return (
        rows.order_by()
        .values("agency_id")
        .annotate(
            office=Coalesce(at[LevelKind.OFFICE], 0),
            leader=Coalesce(at[LevelKind.LEADER], 0),
            awaiting=total,
        )
    )


def province_overview(
    *,
    user,
    today: date | None = None,
    agencies_page=1,
    escalated_page=1,
    per_page: int = AGENCY_ROWS,
) -> Overview:
    """Counts by timeliness per agency, a page of agencies by name; what waits for the office
    and the leaders, a page of agencies, most first; the ten agencies with the most overdue
    work; the totals of both tables and the work approved awaiting acceptance. Four queries,
    each read from a tally or an index, the agencies named and ordered by the database only
    for the rows it returns (none computes a timeliness row by row or reads every assignment
    of the province); a page past the end costs two more."""
    today = today or local_date()
    # Agencies by name as a reader sorts them (folded: "Đ" beside "D", "Ủ" beside "U").
    by_agency = with_name_shown(
        _counts_by_agency(user, today).annotate(code=F("agency__code")),
        "agency",
        today,
        keyed=True,
    )
    if sees_every_assignment(user):
        table, totals = _tally_page(today, agencies_page, per_page)
    else:
        table = counted_page(
            by_agency.annotate(**counted(**{t: F(f"n_{t}") for t in COUNTED})).order_by(
                "name_key", "agency_id"
            ),
            agencies_page,
            per_page,
        )
        totals = table.totals
    totals = {t: n for t, n in totals.items() if n}
    table.page.object_list = [_agency_row(row) for row in table.page.object_list]
    late = f"n_{Timeliness.OVERDUE}"
    ranked = by_agency.filter(**{f"{late}__gt": 0}).order_by(f"-{late}", "name_key", "agency_id")
    most = [_agency_row(row) for row in ranked[:MOST_OVERDUE]]
    awaiting = with_name_shown(
        _awaiting_by_agency_counts(user).annotate(code=F("agency__code")),
        "agency",
        today,
        keyed=True,
    ).annotate(**counted(awaiting=F("awaiting")))
    escalated = counted_page(
        awaiting.order_by("-awaiting", "name_key", "agency_id"), escalated_page, per_page
    )
    escalated.page.object_list = [
        EscalatedRow(
            agency_id=row["agency_id"],
            code=row["code"],
            name=row["name"],
            office=row["office"],
            leader=row["leader"],
        )
        for row in escalated.page.object_list
    ]
    return Overview(
        agencies=table.page,
        totals=totals,
        escalations_open=escalated.totals["awaiting"],
        results_awaiting=_results_awaiting(user),
        escalated=escalated.page,
        most_overdue=most,
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
    code: str | None  # the agency's (None for a row that is not one agency's)
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
    page of agencies — counted, named, ordered and cut by the database —, and their work
    grouped by agency, item and timeliness), each bounded by one directive."""
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
    # Cancelled and transferred work has no colour: an agency with only that has no row.
    work = (
        Assignment.objects.restrict(user, "view")
        .filter(item__directive=chosen)
        .exclude(state__in=GONE_STATES)
        .order_by()
    )
    # The agencies with such work, gathered by a hash of their ids (with DISTINCT, PostgreSQL
    # does not probe every agency's assignments in turn); none of the rows is sorted by name.
    holding = Agency.objects.filter(pk__in=work.values("agency_id").distinct()).values(
        "code", agency_id=F("pk")
    )
    agencies = counted_page(
        with_name_shown(holding, "", today, keyed=True)
        .annotate(**counted())
        .order_by("name_key", "agency_id"),
        page,
        HEAT_AGENCIES_PER_PAGE,
    ).page
    shown = [row["agency_id"] for row in agencies.object_list]
    grouped = (
        work.filter(agency_id__in=shown)
        .annotate(timeliness=timeliness_case(today))
        .values("agency_id", "item_id", "timeliness")
        .annotate(n=Count("pk"))
    )
    per_agency: dict[int, dict[int, dict[str, int]]] = {}
    for row in grouped:
        state = CELL_OF[row["timeliness"]]
        counts = per_agency.setdefault(row["agency_id"], {}).setdefault(row["item_id"], {})
        counts[state] = counts.get(state, 0) + row["n"]
    rows = [
        HeatRow(
            code=a["code"],
            name=a["name"],
            cells=[HeatCell(i.pk, per_agency.get(a["agency_id"], {}).get(i.pk, {})) for i in items],
        )
        for a in agencies.object_list
    ]
    count = agencies.paginator.count
    return HeatMap(
        chosen, published, items, rows, count, agencies.number, agencies.paginator.num_pages
    )


OLDEST_OVERDUE = 10


def oldest_overdue(*, user, today: date | None = None) -> list:
    """The ``OLDEST_OVERDUE`` visible assignments overdue the longest (due date first), named:
    one query, read in order from the partial index on open work by due date (the names of
    the few rows annotated)."""
    today = today or local_date()
    rows = list(
        assignment_rows(user=user, today=today)
        .filter(timeliness_is(Timeliness.OVERDUE, today))
        .annotate(
            **agency_names(today, written=False),
            **latest_explanation(user=user, about="assignment", today=today),
        )
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


def on_time_trend(
    *, user, today: date | None = None, months: int = 12, agency_ids=None
) -> list[MonthShare]:
    """Of the visible assignments completed in each of the last ``months`` months (this one
    included), how many on time and how many late (``Timeliness.DONE_ON_TIME`` / ``DONE_LATE``;
    a completion with no date counts nowhere): one query, from the tally for someone who sees
    every assignment (done work is counted by month of completion), else grouped from the
    agencies' covering index. With ``agency_ids`` (the user's own agencies, whose members see
    all of their work), those agencies' rows of the tally."""
    today = today or local_date()
    first = _months_back(today, months)
    shares = {m: MonthShare(m, 0, 0) for m in first}
    if agency_ids is not None or sees_every_assignment(user):
        tallied = AssignmentTally.objects.filter(
            bucket__in=[Bucket.DONE_ON_TIME, Bucket.DONE_LATE], due_date__gte=first[0]
        )
        if agency_ids is not None:
            tallied = tallied.filter(agency_id__in=list(agency_ids))
        rows = tallied.values("due_date", "bucket").annotate(n=Sum("n")).order_by()
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
    indicators: list = field(default_factory=list)  # every one, with its status


def status_counts(indicators) -> dict[str, int]:
    """How many of ``indicators`` (read with their status) stand in each status."""
    counts = {s: 0 for s in IndicatorStatus.values}
    for indicator in indicators:
        counts[indicator.status] += 1
    return counts


def targets_summary(*, user) -> TargetSummary:
    """The visible indicators by status (``workflow.targets``), with the at-risk and missed
    ones listed: one query (``indicator_list``)."""
    explained = latest_explanation(user=user, about="indicator")
    indicators = indicators_with_status(list(indicator_list(user=user).annotate(**explained)))
    return TargetSummary(
        counts=status_counts(indicators),
        at_risk=[i for i in indicators if i.status == IndicatorStatus.AT_RISK],
        missed=[i for i in indicators if i.status == IndicatorStatus.MISSED],
        indicators=indicators,
    )


# The national indices' ranks over the years (issue 14), against the directive's rank target.

# The unit the importer gives a "top N" target (``importer.confirm.RANK_UNIT``: a rank, lower
# is better); an indicator in it is the province's rank target.
RANK_UNITS = ("hạng",)
# The reference directive's goal for 2025 (item 3: "thuộc nhóm 20 tỉnh, thành phố đứng đầu cả
# nước"), drawn when no indicator records a rank target — and said so on the page.
DEFAULT_RANK_TARGET, DEFAULT_TARGET_YEAR = 20, 2025


@dataclass
class RankPoint:
    year: int
    rank: int
    rank_of: int
    score: object  # Decimal


@dataclass
class IndexSeries:
    index: str
    label: str
    points: list[RankPoint]  # oldest year first

    def point(self, year: int) -> RankPoint | None:
        return next((p for p in self.points if p.year == year), None)


@dataclass
class RankTarget:
    rank: int
    year: int | None
    indicator: object = None  # the Indicator it is read from, None: the directive's goal
    status: str = ""  # the indicator's status (``workflow.targets``), "" without one


@dataclass
class IndexRanks:
    series: list[IndexSeries]
    target: RankTarget
    years: list[int]  # every year with a result, oldest first
    sources: list[str] = field(default_factory=list)  # the results' source notes, each once

    @property
    def rows(self) -> list[tuple[int, list[RankPoint | None]]]:
        """The table: a row per year, a cell per index (None: no result that year)."""
        return [(year, [s.point(year) for s in self.series]) for year in self.years]

    @property
    def target_met(self) -> list[bool | None]:
        """Per index: whether its result for the target's year is within the target rank
        (None: no result for that year yet, or a target without a year)."""
        year, rank = self.target.year, self.target.rank
        found = [s.point(year) if year else None for s in self.series]
        return [None if p is None else p.rank <= rank for p in found]


def rank_target(indicators) -> RankTarget:
    """The province's rank target: the first visible indicator in a rank (``RANK_UNITS``,
    lower is better, with an upper bound), else the directive's goal of top 20 by 2025."""
    for indicator in indicators:
        bound = target_bound(
            target_min=indicator.target_min,
            target_max=indicator.target_max,
            direction=indicator.direction,
        )
        if (
            indicator.unit.strip().lower() in RANK_UNITS
            and indicator.direction == IndicatorDirection.LOWER
            and bound is not None
        ):
            year = indicator.target_year or (indicator.due_on.year if indicator.due_on else None)
            return RankTarget(int(bound), year, indicator, getattr(indicator, "status", ""))
    return RankTarget(DEFAULT_RANK_TARGET, DEFAULT_TARGET_YEAR)


def index_ranks(*, user, indicators=None) -> IndexRanks:
    """The province's rank in each national index (PAR Index, SIPAS, PAPI) per year, out of
    the provinces ranked that year (``workflow.indices``: 63 up to 2024, 34 from 2025), with
    the rank target (``rank_target`` of ``indicators``, the visible ones with their status
    when not given): one query (the results), and one more when ``indicators`` is not given."""
    if indicators is None:
        indicators = indicators_with_status(list(indicator_list(user=user)))
    found: dict[str, dict[int, RankPoint]] = {i: {} for i in NationalIndex.values}
    rows = (
        index_result_list(user=user)
        .prefetch_related(None)  # the components are not drawn
        .values("index", "year", "rank", "rank_of", "score", "source_note")
        .order_by("index", "year")
    )
    sources: dict[str, None] = {}
    for row in rows:
        found[row["index"]].setdefault(
            row["year"], RankPoint(row["year"], row["rank"], row["rank_of"], row["score"])
        )
        if row["source_note"]:
            sources[row["source_note"]] = None
    series = [
        IndexSeries(index, str(NationalIndex(index).label), list(points.values()))
        for index, points in found.items()
    ]
    years = sorted({year for points in found.values() for year in points})
    return IndexRanks(
        series=series, target=rank_target(indicators), years=years, sources=list(sources)
    )


# The agency dashboard (a head's landing, issue 14): the overview's charts for one's own agencies.

AGENCY_ROWS_SHOWN = 20
AGENCY_DIRECTIVES_SHOWN = 10


@dataclass
class HeatItem:
    pk: int
    number: str


@dataclass
class AgencyDashboard:
    agencies: list[str]  # the names of the user's agencies today
    week: tuple[date, date]  # today and the Sunday after
    counts: dict[str, int]  # the agencies' assignments by timeliness
    due_this_week: list  # the first ``AGENCY_ROWS_SHOWN``, soonest first
    due_this_week_count: int
    overdue: list  # the first ``AGENCY_ROWS_SHOWN``, overdue the longest first
    escalations: list  # awaiting the office or a leader, the oldest first (up to one more)
    heat: list[HeatMap]  # a one-row map per directive, the newest first
    heat_directives: int  # how many directives the agencies have work from
    trend: list[MonthShare]
    indicators: list  # those the agencies report, with their status

    @property
    def overdue_count(self) -> int:
        return self.counts.get(Timeliness.OVERDUE, 0)

    @property
    def escalations_more(self) -> bool:
        return len(self.escalations) > AGENCY_ROWS_SHOWN

    @property
    def indicator_counts(self) -> dict[str, int]:
        return status_counts(self.indicators)


def _agency_heat(grouped: dict) -> list[HeatMap]:
    """A ``HeatMap`` per directive of ``grouped`` (directive → its label, its items → counts by
    cell state), one row (the directive) of its items, for ``charts.heat_geometry``."""
    maps = []
    for directive_id, (label, title, items) in grouped.items():
        heat_items = [HeatItem(pk, number) for pk, (number, _order, _c) in items.items()]
        cells = [HeatCell(pk, counts) for pk, (_n, _order, counts) in items.items()]
        directive = {"pk": directive_id, "label": label, "title": title}
        maps.append(HeatMap(directive, [], heat_items, [HeatRow(None, label, cells)], 1, 1, 1))
    return maps


def agency_dashboard(*, user, today: date | None = None) -> AgencyDashboard:
    """What a head (deputy, clerk) follows of their own agencies: what is due this week,
    what is overdue (the oldest first), their escalations awaiting the office's or a leader's
    decision, a heat row per directive of their work on each item, twelve months of on-time
    completion and the targets they report with their status. Seven queries whatever the
    agencies hold: the work grouped by item, timeliness and "due this week" (the counts, the
    week's total and the heat rows at once), the two lists, the names (of the lists' agencies
    and the user's, from their versions), the escalations, the trend (the database's tally of
    the agencies' rows: their members see all of their work), the indicators."""
    today = today or local_date()
    agency_ids = sorted({agency for agency, _role in memberships_today(user)})
    week = (today, today + timedelta(days=6 - today.weekday()))
    mine = Assignment.objects.restrict(user, "view").filter(agency_id__in=agency_ids)
    grouped = (
        mine.annotate(
            timeliness=timeliness_case(today),
            this_week=Q(due_date__gte=week[0], due_date__lte=week[1]),
        )
        .order_by()
        .values(
            "item_id",
            "item__number",
            "item__order",
            "item__directive_id",
            "item__directive__number",
            "item__directive__kind",
            "item__directive__title",
            "item__directive__issued_on",
            "timeliness",
            "this_week",
        )
        .annotate(n=Count("pk"))
    )
    counts: dict[str, int] = {}
    due_count = 0
    directives: dict[int, tuple] = {}
    for row in grouped:
        timeliness, n = row["timeliness"], row["n"]
        counts[timeliness] = counts.get(timeliness, 0) + n
        if row["this_week"] and timeliness in (Timeliness.ON_TIME, Timeliness.EXTENSION_REQUESTED):
            due_count += n  # open work due from today to Sunday (none of it overdue yet)
        kind = row["item__directive__kind"]
        label = row["item__directive__number"] or str(DirectiveKind(kind).label)
        key = (row["item__directive__issued_on"], row["item__directive_id"])
        _label, _title, items = directives.setdefault(
            key, (label, row["item__directive__title"], {})
        )
        number = row["item__number"] or "?"
        _number, _order, cell = items.setdefault(row["item_id"], (number, row["item__order"], {}))
        state = CELL_OF.get(timeliness)
        if state is not None:
            cell[state] = cell.get(state, 0) + n
    newest = sorted(directives, reverse=True)
    heat_source = {
        key[1]: (
            directives[key][0],
            directives[key][1],
            dict(sorted(directives[key][2].items(), key=lambda kv: (kv[1][1], kv[0]))),
        )
        for key in newest[:AGENCY_DIRECTIVES_SHOWN]
    }
    rows = assignment_rows(user=user, today=today).filter(agency_id__in=agency_ids)
    due = list(
        rows.filter(state__in=OPEN_STATES, due_date__gte=week[0], due_date__lte=week[1]).order_by(
            "due_date", "pk"
        )[:AGENCY_ROWS_SHOWN]
    )
    overdue = list(
        rows.filter(timeliness_is(Timeliness.OVERDUE, today))
        .annotate(**latest_explanation(user=user, about="assignment", today=today))
        .order_by("due_date", "pk")[:AGENCY_ROWS_SHOWN]
    )
    names = agency_namer(set(agency_ids) | {a.agency_id for a in due + overdue})
    for a in due + overdue:
        a.agency_name = names.name(a.agency_id, today) or names.name(a.agency_id, a.assigned_on)
        a.days_overdue = (today - a.due_date).days
    # The user's agencies are members' agencies today: each has today's name.
    agencies = sorted((names.name(pk, today) for pk in agency_ids), key=fold)
    escalations = list(
        Escalation.objects.restrict(user, "view")
        .filter(resolved_at__isnull=True, level__kind__in=AWAITING_KINDS, agency_id__in=agency_ids)
        .select_related("level", "assignment")
        .order_by("raised_at", "pk")[: AGENCY_ROWS_SHOWN + 1]
    )
    explained = latest_explanation(user=user, about="indicator", today=today)
    indicators = indicators_with_status(
        list(indicator_list(user=user).filter(agency_id__in=agency_ids).annotate(**explained))
    )
    return AgencyDashboard(
        agencies=agencies,
        week=week,
        counts=counts,
        due_this_week=due,
        due_this_week_count=due_count,
        overdue=overdue,
        escalations=escalations,
        heat=_agency_heat(heat_source),
        heat_directives=len(directives),
        trend=on_time_trend(user=user, today=today, agency_ids=agency_ids),
        indicators=indicators,
    )
