"""The deadline sweep: for a given ``now``, record every escalation level an open assignment
has crossed, resolve the levels that no longer apply, and plan the notices they imply.

- Set-based: one INSERT … SELECT per level, one UPDATE per resolution, one INSERT … SELECT
  per level and audience for the notices — a number of queries that depends on the policy,
  not on how many assignments there are.
- Idempotent: an escalation is unique per (assignment, level, due date) and inserted with
  ON CONFLICT DO NOTHING; notices are unique per (recipient, key). On PostgreSQL a
  transaction-level advisory lock lets one sweep run at a time (a second one returns at once);
  SQLite has one writer at a time anyway.
- Resumable: the whole pass is one transaction, so a crash half-way leaves nothing behind and
  the next run does the whole job; mail goes out only after the commit.

Opening the office's review task is per row (viewflow starts one process per escalation), so
it is done for at most ``open_flows_limit`` escalations per pass, oldest first; the rest are
opened by the next passes.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Count, DateTimeField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agencies.choices import Role
from agencies.models import Membership, valid_on_q
from core.calendar import WorkCalendar
from core.sql import insert_select, reversed_url
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
from .flows import EscalationFlow
from .models import Escalation, EscalationLevel, EscalationPolicy
from .services import escalations_resolve

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
    flows_waiting: int = 0
    mailed: int = 0
    digests: int = 0

    def __str__(self):
        if self.skipped:
            return "skipped: another sweep is running"
        return (
            f"{self.escalations} escalations, {self.resolved} resolved, {self.notices} "
            f"notices, {self.flows_opened} review tasks opened ({self.flows_waiting} "
            f"waiting), {self.mailed} urgent notices mailed, {self.digests} digests"
        )


def _try_lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]


def _record(level: EscalationLevel, scope: Q, today: date, threshold: date, now) -> int:
    candidates = Assignment.objects.filter(
        scope, state__in=OPEN_STATES, due_date__isnull=False, due_date__lte=threshold
    )
    if level.kind == LevelKind.REMINDER:
        candidates = candidates.filter(due_date__gte=today)
    if level.kind not in REQUEST_LEVEL_KINDS:
        candidates = candidates.filter(modality=Modality.ORDER)
    rows = candidates.order_by().values_list(
        "pk",
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
    title = _("{n} assignments reached the level “{level}” on {day:%d/%m/%Y}.").format(
        n=count, level=level.get_kind_display(), day=today
    )
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


def _resolve_stale(now) -> int:
    """Close the levels of assignments that were closed, or whose due date moved, by other
    means than workflow's services (those close them at once through the hooks)."""
    # Rows raised by this pass agree with their assignments by construction. EXISTS keeps the
    # plan a semi-join on both databases, however stale the table statistics are.
    still_open = Escalation.objects.filter(resolved_at__isnull=True, raised_at__lt=now)
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


def open_review_tasks(*, limit: int) -> tuple[int, int]:
    """Start the office's review process for office-level escalations that have none yet."""
    waiting = Escalation.objects.filter(
        level__kind=LevelKind.OFFICE, resolved_at__isnull=True, process__isnull=True
    ).order_by("raised_at", "pk")
    opened = 0
    for escalation in waiting[:limit]:
        EscalationFlow.start.run(escalation=escalation)
        opened += 1
    return opened, max(waiting.count(), 0)


def sweep(
    *, now: datetime | None = None, open_flows_limit: int = 200, send_mail: bool = True
) -> SweepReport:
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
        overridden = [p.directive_id for p in policies if p.directive_id]
        for policy in policies:
            scope = (
                Q(item__directive_id=policy.directive_id)
                if policy.directive_id
                else ~Q(item__directive_id__in=overridden)
            )
            for level in policy.levels.all():
                threshold = cal.latest_reached(today, level.offset_working_days)
                created = _record(level, scope, today, threshold, now)
                report.escalations += created
                if created:
                    report.notices += _plan_notices(level, today, now)
                    report.notices += _plan_summaries(level, created, today, now)
        report.resolved += _resolve_stale(now)
        report.flows_opened, report.flows_waiting = open_review_tasks(limit=open_flows_limit)
    if send_mail:
        report.mailed = urgent_send(at=now)
        if timezone.localtime(now).hour == settings.DIGEST_HOUR:
            report.digests = digests_send(at=now)
    return report
