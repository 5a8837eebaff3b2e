"""The deadline sweep: for a given ``now``, record every escalation level an open assignment
has crossed, resolve the levels that no longer apply, and plan the notices they imply.

- Incremental: a pass reads only what can have changed since the last one — for each level,
  the open assignments whose due date entered the level's window since its watermark
  (``EscalationLevel.swept_through``, an index range on the due date), and the
  assignments that are new or whose due date moved (``Assignment.sweep_pending``, claimed
  into a temporary table at the start of the pass; their stale levels are closed too). A
  pass with nothing new reads a few index pages; a day's pass costs in proportion to the rows
  that crossed a level. The first pass of a level (or of a changed level or policy) has no
  watermark and weighs every open assignment: the backfill, which also closes the stale
  levels of the whole table and opens any review process an older version left unopened.
- Set-based: a number of queries that depends on the policy, not on how many assignments
  there are: INSERT … SELECT per level, one UPDATE per resolution, INSERT … SELECT per level
  and audience for the notices.
- Idempotent: an escalation is unique per (assignment, level, due date) and inserted with
  ON CONFLICT DO NOTHING; notices are unique per (recipient, key). On PostgreSQL a
  transaction-level advisory lock lets one sweep run at a time (a second one returns at once);
  SQLite has one writer at a time anyway.
- Resumable: the whole pass is one transaction — claims, escalations, watermarks, notices and
  review processes — so a crash half-way leaves nothing behind and the next run does the
  whole job; mail goes out only after the commit.

The same escalations and notices as weighing every open assignment on every pass
(tests/escalation/test_sweep_incremental.py compares the two over random histories): an
assignment that is neither claimed nor inside a window kept its due date and its state since
a pass that weighed it, and the level's threshold only moves forward with the day.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Count, DateTimeField, Exists, F, OuterRef, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agencies.choices import Role
from agencies.models import Membership, valid_on_q
from agencies.selectors import agency_namer
from core.calendar import WorkCalendar
from core.sql import insert_select, reversed_url
from core.text import fold
from core.time import local_date
from notifications.models import Category
from notifications.services import (
    Planned,
    digests_send,
    notices_insert_from,
    notices_plan,
    urgent_send,
)
from workflow.choices import OPEN_STATES, Modality
from workflow.models import Assignment

from .choices import REQUEST_LEVEL_KINDS, Audience, EscalationResolution, LevelKind
from .models import Escalation, EscalationLevel, EscalationPolicy
from .services import escalations_resolve, review_processes_start

LOCK_KEY = 0x646F6E646F63  # "dondoc"

CATEGORY: dict[str, Category] = {
    LevelKind.REMINDER: Category.REMINDER,
    LevelKind.WARNING: Category.WARNING,
    LevelKind.OFFICE: Category.ESCALATION,
    LevelKind.LEADER: Category.ESCALATION,
}


@dataclass
class SweepReport:
    at: datetime
    skipped: bool = False
    escalations: int = 0
    resolved: int = 0
    notices: int = 0
    flows_opened: int = 0
    mailed: int = 0
    digests: int = 0

    def __str__(self):
        if self.skipped:
            return "skipped: another sweep is running"
        return (
            f"{self.escalations} escalations, {self.resolved} resolved, {self.notices} "
            f"notices, {self.flows_opened} review tasks opened, {self.mailed} urgent notices "
            f"mailed, {self.digests} digests"
        )


def _try_lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]


# The pass's claim (constant SQL: the names are ours; ``Assignment._meta.db_table`` is
# "workflow_assignment"): per database, the statements before the claim, the claim (its row
# count is the number claimed) and the statements after it.
BATCH_IDS = "SELECT id FROM escalation_sweep_batch"
BATCH_DROP = "DROP TABLE IF EXISTS escalation_sweep_batch"
CLAIM: dict[str, tuple[list[str], str, list[str]]] = {
    "postgresql": (
        [
            BATCH_DROP,
            "CREATE TEMPORARY TABLE escalation_sweep_batch (id bigint PRIMARY KEY) ON COMMIT DROP",
        ],
        "WITH claimed AS (UPDATE workflow_assignment SET sweep_pending = false"
        " WHERE sweep_pending RETURNING id) INSERT INTO escalation_sweep_batch"
        " SELECT id FROM claimed",
        [],
    ),
    # SQLite: one writer at a time, so nothing can change between the claim and the UPDATE.
    "sqlite": (
        [BATCH_DROP, "CREATE TEMPORARY TABLE escalation_sweep_batch (id integer PRIMARY KEY)"],
        "INSERT INTO escalation_sweep_batch SELECT id FROM workflow_assignment WHERE sweep_pending",
        [
            "UPDATE workflow_assignment SET sweep_pending = 0"
            " WHERE id IN (SELECT id FROM escalation_sweep_batch)"
        ],
    ),
}


def _claim_pending() -> int:
    """Take the assignments that are new or whose due date moved since the last pass
    (``Assignment.sweep_pending``) into the temporary table ``escalation_sweep_batch``,
    clearing their flag in the same statement on PostgreSQL: a service that moves a due date
    meanwhile waits for this transaction's row lock and sets the flag again, for the next
    pass. Returns how many were claimed."""
    before, claim, after = CLAIM[connection.vendor]
    with connection.cursor() as cursor:
        for statement in before:
            cursor.execute(statement)
        cursor.execute(claim)
        claimed = max(cursor.rowcount, 0)
        for statement in after:
            cursor.execute(statement)
        if connection.vendor == "postgresql" and claimed > 1000:
            cursor.execute("ANALYZE escalation_sweep_batch")  # temporary tables have no stats
    return claimed


# Past this many escalations raised by one pass, and more than this share of the rows the
# statistics know (autovacuum's own default share), their table is analyzed before the pass
# reads them back.
ANALYZE_FROM, ANALYZE_SHARE = 10_000, 0.1


def _analyze_if_grown(raised: int) -> None:
    """Let PostgreSQL's planner see the escalations this pass raised before it reads them
    back (stale levels, review processes). Autovacuum cannot count rows that are not committed
    yet, so after a first pass over old data the statistics still describe the table as it
    was, maybe empty; then the review processes' bulk insert, which selects the escalations of
    a batch by their keys, was planned as a nested loop over every escalation for every key
    (20,000 × 1.3 million comparisons: it ran for minutes). ANALYZE inside the transaction
    counts the transaction's own rows, and its statistics roll back with it. A day's pass,
    which adds a small share to a table the statistics know, is not delayed by it."""
    if connection.vendor != "postgresql" or raised < ANALYZE_FROM:
        return
    table = Escalation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        known = max(cursor.fetchone()[0], 0)  # -1: never analyzed
        if raised > ANALYZE_SHARE * known:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _release_batch() -> None:
    if connection.vendor != "postgresql":  # PostgreSQL drops it at commit
        with connection.cursor() as cursor:
            cursor.execute(BATCH_DROP)


def _in_batch() -> Q:
    return Q(pk__in=RawSQL(BATCH_IDS, []))  # noqa: S611 (constant SQL)


def _scope_key(level: EscalationLevel, scope: str) -> str:
    """What a level's watermark depends on besides the calendar: its kind and offset and the
    assignments its policy covers. A changed level or policy starts again from nothing."""
    raw = f"{level.kind}:{level.offset_working_days}:{scope}"
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def _candidates(level: EscalationLevel, scope: Q, today: date, threshold: date):
    candidates = Assignment.objects.filter(
        scope, state__in=OPEN_STATES, due_date__isnull=False, due_date__lte=threshold
    )
    if level.kind == LevelKind.REMINDER:
        candidates = candidates.filter(due_date__gte=today)
    if level.kind not in REQUEST_LEVEL_KINDS:
        candidates = candidates.filter(modality=Modality.ORDER)
    return candidates


def _record(level: EscalationLevel, candidates, now) -> int:
    rows = candidates.order_by().values_list(
        "pk",
        "agency_id",
        Value(level.pk),
        "due_date",
        Value(now, output_field=DateTimeField()),
        Value(""),
        Value(""),
        Value(False),
    )
    return insert_select(
        Escalation,
        [
            "assignment_id",
            "agency_id",
            "level_id",
            "due_date",
            "raised_at",
            "resolution",
            "decision_note",
            "sent_to_leader",
        ],
        rows,
        ["assignment_id", "level_id", "due_date"],
    )


def _sweep_level(
    level: EscalationLevel,
    scope: Q,
    mark: date | None,
    today: date,
    threshold: date,
    now,
    claimed: int,
) -> int:
    """Record the level for the assignments that reached it since its watermark ``mark``, and
    for the claimed ones whatever their due date; without a watermark (first pass, changed
    level or policy), for every open assignment — the backfill."""
    candidates = _candidates(level, scope, today, threshold)
    if mark is None:
        return _record(level, candidates, now)
    created = 0
    if threshold > mark:
        created += _record(level, candidates.filter(due_date__gt=mark), now)
    if claimed:
        created += _record(level, candidates.filter(_in_batch()), now)
    return created


def _titles(level: EscalationLevel) -> str:
    if level.kind == LevelKind.REMINDER:
        return _("Due in {n} working days: ").format(n=-level.offset_working_days)
    if level.kind == LevelKind.WARNING:
        return _("Overdue: ")
    if level.kind == LevelKind.OFFICE:
        return _("Escalated to the provincial office: ")
    return _("Escalated to a leader of the provincial People's Committee: ")


def _insert_notices(escalations, recipient: str, level: EscalationLevel, now) -> int:
    """One notice per escalation and recipient found through the ``recipient`` path."""
    return notices_insert_from(
        escalations,
        recipient=recipient,
        key=Concat(Value(f"escalation:{level.pk}:"), Cast("pk", CharField())),
        category=CATEGORY[level.kind],
        title=Concat(Value(_titles(level)), F("assignment__title"), output_field=CharField()),
        url=reversed_url("workflow:assignment", "assignment_id"),
        urgent=level.urgent,
        at=now,
    )


def _plan_notices(level: EscalationLevel, today: date, now) -> int:
    """Per-assignment notices where a person must act on that assignment (the reminder to the
    officer and the heads; the overdue warning to the officer), and for everything else one
    notice per head and agency saying how many of the agency's assignments reached the level."""
    new = Escalation.objects.filter(level=level, raised_at=now)
    planned = 0
    if level.kind in (LevelKind.REMINDER, LevelKind.WARNING):
        assigned = new.filter(
            assignment__assignee__isnull=False, assignment__assignee__is_active=True
        )
        planned += _insert_notices(assigned, "assignment__assignee_id", level, now)
    heads = new.filter(
        valid_on_q(today, "assignment__agency__memberships__"),
        assignment__agency__memberships__role__in=[Role.HEAD, Role.DEPUTY],
        assignment__agency__memberships__user__is_active=True,
    )
    head = "assignment__agency__memberships__user_id"
    if level.audience == Audience.ASSIGNEE_AND_HEADS:
        return planned + _insert_notices(heads, head, level, now)
    prefix = _("{level} ({day:%d/%m/%Y}): ").format(level=level.get_kind_display(), day=today)
    suffix = _(" assignments of your agency")
    per_agency = heads.values(head, "assignment__agency_id").annotate(n=Count("pk"))
    listing = reverse("escalation:list") + "?" + urlencode({"open": "true", "level": str(level.pk)})
    return planned + notices_insert_from(
        per_agency,
        recipient=head,
        key=Concat(
            Value(f"agency-level:{level.pk}:{today:%Y-%m-%d}:"),
            Cast("assignment__agency_id", CharField()),
        ),
        category=CATEGORY[level.kind],
        title=Concat(
            Value(prefix), Cast(Count("pk"), CharField()), Value(suffix), output_field=CharField()
        ),
        url=Concat(
            Value(listing + "&agency="), F("assignment__agency__code"), output_field=CharField()
        ),
        urgent=level.urgent,
        at=now,
    )


# How many agencies a summary names; the others are counted.
NAMED_AGENCIES = 5


def _by_agency(level: EscalationLevel, today: date, now) -> str:
    """ ": Sở A 12, Sở B 7 … and 9 other agencies." — the agencies with the most assignments
    that reached ``level`` in this pass (each escalation's own agency), the busiest first and
    then by name as a reader sorts it (``core.text.fold``: Đ beside D). Two queries: the
    counts by agency, grouped with nothing else (a name beside the group cost its sub-queries
    once per escalation), then the names of the agencies that can be among the first
    ``NAMED_AGENCIES`` (those counting at least the fifth's count)."""
    counts = list(
        Escalation.objects.filter(level=level, raised_at=now)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("agency_id", "n")
    )
    if not counts:
        return "."
    cut = counts[min(NAMED_AGENCIES, len(counts)) - 1][1]
    candidates = dict(pair for pair in counts if pair[1] >= cut)
    namer = agency_namer(candidates)
    names = {pk: namer.name(pk, today, short=True) for pk in candidates}
    first = sorted(candidates.items(), key=lambda pair: (-pair[1], fold(names[pair[0]])))
    named = ", ".join(f"{names[pk]} {n}" for pk, n in first[:NAMED_AGENCIES])
    rest = len(counts) - NAMED_AGENCIES
    if rest > 0:
        return ": " + _("{named} and {n} other agencies.").format(named=named, n=rest)
    return f": {named}."


def _plan_summaries(level: EscalationLevel, count: int, today: date, now) -> int:
    """Reviewers and leaders get one notice per level and day, not one per assignment."""
    roles: dict[str, Role] = {Audience.REVIEWERS: Role.REVIEWER, Audience.LEADERS: Role.LEADER}
    role = roles.get(level.audience)
    if role is None or not count:
        return 0
    people = (
        Membership.objects.active_on(today)
        .filter(role=role)
        .values_list("user_id", flat=True)
        .distinct()
    )
    title = _("{n} assignments reached the level “{level}” on {day:%d/%m/%Y}").format(
        n=count, level=level.get_kind_display(), day=today
    ) + _by_agency(level, today, now)
    url = reverse("escalation:list") + "?" + urlencode({"level": level.pk})
    return notices_plan(
        [
            Planned(
                recipient_id=user_id,
                key=f"escalations:{level.pk}:{today:%Y-%m-%d}",
                category=CATEGORY[level.kind],
                title=title,
                url=url,
                urgent=level.urgent,
            )
            for user_id in people
        ],
        at=now,
    )


def _resolve_stale(now, *, everything: bool) -> int:
    """Close the levels whose assignment was closed, or whose due date moved, by other means
    than workflow's services (those close them at once through the hooks): the claimed
    assignments' levels on every pass, every open level on a backfill pass."""
    # Rows raised by this pass agree with their assignments by construction. EXISTS keeps the
    # plan a semi-join on both databases, however stale the table statistics are.
    still_open = Escalation.objects.filter(resolved_at__isnull=True, raised_at__lt=now)
    if not everything:
        still_open = still_open.filter(
            assignment_id__in=RawSQL(BATCH_IDS, [])  # noqa: S611 (constant SQL)
        )
    closed = Assignment.objects.filter(pk=OuterRef("assignment_id")).exclude(state__in=OPEN_STATES)
    moved = Assignment.objects.filter(pk=OuterRef("assignment_id")).filter(
        Q(due_date__isnull=True) | ~Q(due_date=OuterRef("due_date"))
    )
    return escalations_resolve(
        escalations=still_open.filter(Exists(closed)),
        resolution=EscalationResolution.COMPLETED,
        at=now,
    ) + escalations_resolve(
        escalations=still_open.filter(Exists(moved)),
        resolution=EscalationResolution.SUPERSEDED,
        at=now,
    )


def open_review_tasks(*, now, everything: bool) -> int:
    """Start the office's review process of the office-level escalations this pass raised (of
    every open one that has none yet, on a backfill pass)."""
    waiting = Escalation.objects.filter(
        level__kind=LevelKind.OFFICE, resolved_at__isnull=True, process__isnull=True
    )
    if not everything:
        waiting = waiting.filter(raised_at=now)
    return review_processes_start(waiting, at=now)


def sweep(*, now: datetime | None = None, send_mail: bool = True) -> SweepReport:
    """One pass of the deadline sweep (see the module's docstring)."""
    now = now or timezone.now()
    today = local_date(now)
    report = SweepReport(at=now)
    with transaction.atomic():
        if not _try_lock():
            report.skipped = True
            return report
        cal = WorkCalendar()
        policies = list(EscalationPolicy.objects.prefetch_related("levels"))
        overridden = sorted(p.directive_id for p in policies if p.directive_id)
        claimed = _claim_pending()
        backfill = False
        moved = []
        office_raised = 0
        for policy in policies:
            if policy.directive_id:
                scope = Q(item__directive_id=policy.directive_id)
                scope_name = f"directive {policy.directive_id}"
            else:
                scope = ~Q(item__directive_id__in=overridden)
                scope_name = f"all but {overridden}"
            for level in policy.levels.all():
                key = _scope_key(level, scope_name)
                mark = level.swept_through if level.swept_scope == key else None
                backfill |= mark is None
                threshold = cal.latest_reached(today, level.offset_working_days)
                created = _sweep_level(level, scope, mark, today, threshold, now, claimed)
                if mark is None or threshold > mark:  # the watermark moves
                    level.swept_through, level.swept_scope = threshold, key
                    moved.append(level)
                report.escalations += created
                if created:
                    office_raised += created if level.kind == LevelKind.OFFICE else 0
                    report.notices += _plan_notices(level, today, now)
                    report.notices += _plan_summaries(level, created, today, now)
        if moved:
            EscalationLevel.objects.bulk_update(moved, ["swept_through", "swept_scope"])
        _analyze_if_grown(report.escalations)
        if claimed or backfill:
            report.resolved += _resolve_stale(now, everything=backfill)
        if office_raised or backfill:
            report.flows_opened = open_review_tasks(now=now, everything=backfill)
        _release_batch()
    if send_mail:
        report.mailed = urgent_send(at=now)
        if timezone.localtime(now).hour == settings.DIGEST_HOUR:
            report.digests = digests_send(at=now)
    return report
