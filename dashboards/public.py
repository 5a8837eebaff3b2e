"""The public page's figures (công khai để dân biết): the directives the provincial office made
public, their public items and, per agency, how many assignments of those items were given,
done on time, done late, are open and are overdue (``workflow.selectors.timeliness``, the
rules every list uses); and the targets (indicators) of the public items, each with its
latest value the office confirmed and its status (met, at risk, missed, in progress:
``workflow.targets``). Nothing about people: no names, reports, comments, evidence or files,
no value still awaiting the office's confirmation.

Read without signing in, so kept in Django's cache for ``CACHE_SECONDS`` — under a key that
holds the publications' revision (``workflow.selectors.publication_revision``, which every
publication and withdrawal moves, read from the database by each request: one small query,
right for every server process whatever cache they share) and the day (overdue work is
counted against it). A publication or withdrawal therefore shows at once; the counts and the
texts of what is already public at most ``CACHE_SECONDS`` late, and the page says when they
were read ("Số liệu cập nhật lúc").
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from hashlib import sha256

from django.core.cache import cache
from django.core.paginator import Page
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.selectors import with_name_shown
from core.pagination import CountedPaginator, counted, counted_page, page_number
from core.templatetags.text import number as _number
from core.text import fold
from core.time import local_date
from workflow import selectors
from workflow.choices import DirectiveKind, IndicatorDirection, IndicatorStatus, Timeliness
from workflow.models.targets import period_label
from workflow.targets import indicator_status, target_bound

from .models import Bucket, ItemTally
from .selectors import BUCKET_TIMELINESS, due_ahead, named_agencies

CACHE_SECONDS = 300

# Each timeliness counted in one public column (and all but the cancelled and the
# transferred — counted again at the successor — in "assigned").
COLUMN_OF = {
    Timeliness.DONE_ON_TIME: "done_on_time",
    Timeliness.DONE_LATE: "done_late",
    Timeliness.OVERDUE: "overdue",
    Timeliness.ON_TIME: "open",
    Timeliness.CONTINUOUS: "open",
    Timeliness.EXTENSION_REQUESTED: "open",
}
COLUMNS = ("assigned", "done_on_time", "done_late", "open", "overdue")
COLUMN_LABELS = (_("Assigned"), _("Done on time"), _("Done late"), _("Still open"), _("Overdue"))


@dataclass
class Counts:
    assigned: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open: int = 0
    overdue: int = 0

    def add(self, timeliness: str, n: int) -> None:
        column = COLUMN_OF.get(timeliness)
        if column is None:
            return
        self.assigned += n
        setattr(self, column, getattr(self, column) + n)

    def as_list(self) -> list[int]:
        return [getattr(self, c) for c in COLUMNS]

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(label, count) of each column, in the reader's language."""
        return [(str(label), n) for label, n in zip(COLUMN_LABELS, self.as_list(), strict=True)]


@dataclass
class PublicIndicator:
    """A target of a public item as the public sees it: its numbers, its latest confirmed
    value and the period it is for, and its status (``workflow.targets``) — nothing else."""

    name: str
    unit: str
    baseline: Decimal | None
    target_min: Decimal | None
    target_max: Decimal | None
    direction: str
    target_year: int | None
    due_on: date | None
    latest_value: Decimal | None
    latest_period: str  # "2025", "Quarterly 2/2026"; "" with no confirmed value
    status: str

    @property
    def status_label(self) -> str:
        return str(IndicatorStatus(self.status).label)

    @property
    def baseline_label(self) -> str:
        return _number(self.baseline)

    @property
    def latest_label(self) -> str:
        return _number(self.latest_value)

    @property
    def target_label(self) -> str:
        """The target as a reader says it: "20 to 25", "≤ 20", "≥ 80"."""
        low, high = self.target_min, self.target_max
        if low is not None and high is not None and low != high:
            return _("{low} to {high}").format(low=_number(low), high=_number(high))
        bound = target_bound(target_min=low, target_max=high, direction=self.direction)
        sign = "≤ " if self.direction == IndicatorDirection.LOWER else "≥ "
        return sign + _number(bound)


def _period_label(row: dict) -> str:
    period = row["latest_period"]
    return period_label(period, row["latest_year"], row["latest_number"]) if period else ""


def public_indicator(row: dict, today: date) -> PublicIndicator:
    status = indicator_status(
        value=row["latest_value"],
        target_min=row["target_min"],
        target_max=row["target_max"],
        direction=row["direction"],
        due_on=row["due_on"],
        today=today,
    )
    return PublicIndicator(
        name=row["name"],
        unit=row["unit"],
        baseline=row["baseline"],
        target_min=row["target_min"],
        target_max=row["target_max"],
        direction=row["direction"],
        target_year=row["target_year"],
        due_on=row["due_on"],
        latest_value=row["latest_value"],
        latest_period=_period_label(row),
        status=str(status),
    )


@dataclass
class PublicItem:
    number: str
    text: str
    expected_output: str
    counts: Counts = field(default_factory=Counts)
    indicators: list[PublicIndicator] = field(default_factory=list)


@dataclass
class PublicAgency:
    code: str
    name: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class PublicDirective:
    id: int
    kind: str
    number: str
    title: str
    issued_on: date
    issuer: str
    public_since: datetime | None
    items: list[PublicItem] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)

    @property
    def kind_label(self) -> str:
        return str(DirectiveKind(self.kind).label)


@dataclass
class PublicReport:
    directives: list[PublicDirective]
    read_at: datetime  # when the figures were counted

    @property
    def updated(self) -> datetime | None:
        """When the last directive was made public (the feed's date)."""
        return max((d.public_since for d in self.directives if d.public_since), default=None)

    def directive(self, pk: int) -> PublicDirective | None:
        return next((d for d in self.directives if d.id == pk), None)

    def as_json(self, agencies: dict[int, list[PublicAgency]]) -> dict:
        """The figures with ``agencies`` (``public_agency_rows``), directive by directive."""
        return {
            "read_at": self.read_at.isoformat(),
            "columns": list(COLUMNS),
            "directives": [
                {
                    **{k: v for k, v in asdict(d).items() if k != "items"},
                    "issued_on": d.issued_on.isoformat(),
                    "public_since": d.public_since.isoformat() if d.public_since else None,
                    "items": [asdict(item) for item in d.items],
                    "agencies": [asdict(agency) for agency in agencies.get(d.id, [])],
                }
                for d in self.directives
            ],
        }


def public_report_read(*, today: date | None = None) -> PublicReport:
    """The public figures counted now: four queries whatever the number of directives, items,
    indicators and agencies (the directives, their public items, the items' indicators with
    their latest confirmed values, the items' work from the tally by item). The figures per
    agency are read apart (``public_agencies_page``, ``public_agency_rows``): a country has
    12,000 agencies."""
    today = today or local_date()
    directives = {
        d.pk: PublicDirective(
            id=d.pk,
            kind=d.kind,
            number=d.number,
            title=d.title,
            issued_on=d.issued_on,
            issuer=d.issuer_name,
            public_since=d.public_since,
        )
        for d in selectors.public_directives()
    }
    items: dict[int, PublicItem] = {}
    directive_of: dict[int, PublicDirective] = {}
    for item in selectors.public_items():
        if item.directive_id in directives:
            items[item.pk] = PublicItem(
                number=item.number, text=item.text, expected_output=item.expected_output
            )
            directive_of[item.pk] = directives[item.directive_id]
            directive_of[item.pk].items.append(items[item.pk])
    for row in selectors.public_indicators():
        if row["item_id"] in items:  # else made public between the reads
            items[row["item_id"]].indicators.append(public_indicator(row, today))
    for item_id, timeliness, n in item_counts(list(items), today):
        items[item_id].counts.add(timeliness, n)
        directive_of[item_id].counts.add(timeliness, n)
    return PublicReport(directives=list(directives.values()), read_at=timezone.now())


def item_counts(item_ids: list[int], today: date):
    """(item id, timeliness, n) of the items' assignments on ``today``, from the tally by
    item (``models.ItemTally``: a few rows an item, however many agencies hold its work)."""
    ahead = due_ahead(today)
    sums = {
        Timeliness.OVERDUE: Sum("n", filter=Q(bucket=Bucket.OPEN) & ~ahead),
        Timeliness.ON_TIME: Sum("n", filter=ahead),
        **{t: Sum("n", filter=Q(bucket=b)) for b, t in BUCKET_TIMELINESS.items()},
    }
    rows = (
        ItemTally.objects.filter(item_id__in=item_ids)
        .order_by()
        .values("item_id")
        .annotate(**{f"n_{t}": n for t, n in sums.items()})
    )
    for row in rows:
        for timeliness in sums:
            if row[f"n_{timeliness}"]:
                yield row["item_id"], timeliness, row[f"n_{timeliness}"]


def public_agency_rows(report: PublicReport, today: date) -> dict[int, list[PublicAgency]]:
    """Every agency's figures for each directive of ``report`` (the open data's downloads),
    by directive id, each list by name: one query counted by the database per directive,
    agency and timeliness, and one for the names."""
    per_agency: dict[tuple[int, int], Counts] = {}
    wanted = {d.id for d in report.directives}
    for row in selectors.public_progress(today=today, by=("directive_id", "agency_id")):
        if row["directive_id"] in wanted:
            key = (row["directive_id"], row["agency_id"])
            per_agency.setdefault(key, Counts()).add(row["timeliness"], row["n"])
    names = {
        pk: (a.code, a.display_name or a.code)
        for pk, a in named_agencies({agency for _d, agency in per_agency}, today).items()
    }
    by_directive: dict[int, list[PublicAgency]] = {}
    for (directive_id, agency_id), counts in per_agency.items():
        if counts.assigned:
            code, name = names[agency_id]
            by_directive.setdefault(directive_id, []).append(PublicAgency(code, name, counts))
    for agencies in by_directive.values():
        agencies.sort(key=lambda a: (fold(a.name), a.code))
    return by_directive


AGENCIES_PER_PAGE = 50


def public_agencies_read(directive_id: int, number, today: date) -> tuple[list, int, int]:
    """A page of the agencies that hold work of a public directive, by name, with their
    figures: (the page's ``PublicAgency`` rows, its number, how many agencies in all). Two
    queries: the agencies named, ordered and cut to the page by the database, with their
    number; the page's assignments counted by agency and timeliness."""
    rows = with_name_shown(
        selectors.public_agencies(directive_id=directive_id).values("code", agency_id=F("pk")),
        "",
        today,
        keyed=True,
    ).annotate(**counted())
    table = counted_page(rows.order_by("name_key", "code"), number, AGENCIES_PER_PAGE)
    shown = table.page.object_list
    counts: dict[int, Counts] = {row["agency_id"]: Counts() for row in shown}
    for row in selectors.public_progress(
        today=today, by=("agency_id",), directive_id=directive_id, agency_ids=list(counts)
    ):
        counts[row["agency_id"]].add(row["timeliness"], row["n"])
    agencies = [
        PublicAgency(row["code"], row["name"] or row["code"], counts[row["agency_id"]])
        for row in shown
    ]
    return agencies, table.page.number, table.page.paginator.count


def _key(revision: tuple, *parts) -> str:
    """A cache key of the publications' ``revision``, the day and ``parts``."""
    text = repr((revision, local_date().isoformat(), *parts))
    return "dashboards:public:" + sha256(text.encode()).hexdigest()


def public_report(revision: tuple | None = None) -> PublicReport:
    """The public figures from the cache, counted again when a publication changed, a new day
    began or ``CACHE_SECONDS`` passed (see the module's docstring); ``revision``: the
    publications' (``workflow.selectors.publication_revision``), if already read."""
    key = _key(revision or selectors.publication_revision())
    report = cache.get(key)
    if report is None:
        report = public_report_read(today=local_date())
        cache.set(key, report, CACHE_SECONDS)
    return report


@dataclass
class PublicAgencies:
    directive: PublicDirective
    page: Page  # of PublicAgency, by name
    read_at: datetime


def public_agencies_page(directive_id: int, number) -> PublicAgencies | None:
    """A page of a public directive's agencies and their figures, from the cache like the
    report (None: no such public directive). A missing or bad page number is the first, one
    past the end the last."""
    revision = selectors.publication_revision()
    directive = public_report(revision).directive(directive_id)
    if directive is None:
        return None
    wanted = page_number(number)
    key = _key(revision, "agencies", directive.id, wanted)
    read = cache.get(key)
    if read is None:
        read = (*public_agencies_read(directive.id, wanted, local_date()), timezone.now())
        cache.set(key, read, CACHE_SECONDS)
    agencies, shown, count, read_at = read
    page = Page(agencies, shown, CountedPaginator(count, AGENCIES_PER_PAGE))
    return PublicAgencies(directive=directive, page=page, read_at=read_at)


def public_download(name: str, build) -> bytes:
    """The body of an open-data download (``name``: which one, with the reader's language)
    from the cache, built by ``build(report, agencies)`` when a publication changed, a new day
    began or ``CACHE_SECONDS`` passed: a country's figures are 36,000 rows and more."""
    revision = selectors.publication_revision()
    key = _key(revision, "download", name)
    body = cache.get(key)
    if body is None:
        report = public_report(revision)
        body = build(report, public_agency_rows(report, local_date()))
        cache.set(key, body, CACHE_SECONDS)
    return body
