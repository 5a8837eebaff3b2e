"""Directives, their items, the assignments made from them, and what happens to each."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from agencies.models import Agency
from core.querysets import RestrictedQuerySet

from .choices import (
    AssignmentRole,
    AssignmentSource,
    AssignmentState,
    Audience,
    CalendarDayKind,
    DirectiveKind,
    DirectiveStatus,
    DuePolicy,
    EscalationResolution,
    ExtensionStatus,
    LevelKind,
    Modality,
    Period,
    ReportKind,
    ReportStatus,
    Timeliness,
)

USER = settings.AUTH_USER_MODEL


class CalendarOverride(models.Model):
    """A day the office declares off, or a Saturday it declares a make-up working day."""

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    reason = models.CharField(_("reason"), max_length=255)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} · {self.get_kind_display()}"


class Directive(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=DirectiveKind.choices)
    number = models.CharField(_("number and symbol"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=500)
    issued_on = models.DateField(_("issued on"))
    issuer = models.ForeignKey(
        Agency, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="directives"
    )
    signer = models.CharField(_("signer"), max_length=255, blank=True)
    full_text = models.TextField(_("full text"), blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DirectiveStatus.choices, default=DirectiveStatus.DRAFT
    )
    contribution_lead_days = models.PositiveSmallIntegerField(
        _("contributions due before the lead (working days)"), default=3
    )
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = models.Manager.from_queryset(RestrictedQuerySet)()

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["status", "issued_on"], name="directive_status_issued")]

    def __str__(self):
        label = self.number or self.get_kind_display()
        return f"{label}: {self.title}"[:255]


class DirectiveItem(models.Model):
    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), on_delete=models.CASCADE, related_name="items"
    )
    number = models.CharField(_("number"), max_length=16)
    text = models.TextField(_("text"))
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = models.Manager.from_queryset(RestrictedQuerySet)()

    class Meta:
        verbose_name = _("directive item")
        verbose_name_plural = _("directive items")
        ordering = ["directive", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "number"], name="item_number_unique")
        ]

    def __str__(self):
        return f"{self.number}. {self.text[:80]}"


class RecurringObligation(models.Model):
    """A report an agency owes every period (e.g. the 6-month CCHC report of item 15).

    Each period becomes its own Assignment, generated ahead by ``generate_occurrences``.
    The occurrence is due on the last working day before ``report_day`` of the month that is
    ``month_offset`` months after the period's last month (−1 for "before 15/11" of a year).
    """

    item = models.ForeignKey(
        DirectiveItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="obligations"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="obligations"
    )
    agency_as_written = models.CharField(_("agency as written"), max_length=500, blank=True)
    modality = models.CharField(
        _("modality"), max_length=8, choices=Modality.choices, default=Modality.ORDER
    )
    title = models.CharField(_("title"), max_length=255)
    expected_output = models.CharField(_("expected output"), max_length=500, blank=True)
    period = models.CharField(_("period"), max_length=16, choices=Period.choices)
    report_day = models.PositiveSmallIntegerField(_("report before day"), default=15)
    month_offset = models.SmallIntegerField(_("month offset"), default=0)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("recurring obligation")
        verbose_name_plural = _("recurring obligations")
        ordering = ["item", "agency__code", "period"]

    def __str__(self):
        return f"{self.title} ({self.get_period_display()})"


class Assignment(models.Model):
    item = models.ForeignKey(
        DirectiveItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    agency_as_written = models.ForeignKey(
        Agency,
        verbose_name=_("agency as written"),
        on_delete=models.PROTECT,
        related_name="assignments_as_written",
    )
    agency_text = models.CharField(_("as written"), max_length=500, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency responsible"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)
    modality = models.CharField(
        _("modality"), max_length=8, choices=Modality.choices, default=Modality.ORDER
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    obligation = models.ForeignKey(
        RecurringObligation,
        verbose_name=_("recurring obligation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occurrences",
    )
    transferred_from = models.OneToOneField(
        "self",
        verbose_name=_("transferred from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_to",
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=255)
    expected_output = models.CharField(_("expected output"), max_length=500, blank=True)
    assigned_on = models.DateField(_("assigned on"))
    due_policy = models.CharField(_("due date policy"), max_length=16, choices=DuePolicy.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    original_due_date = models.DateField(_("original due date"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=AssignmentSource.choices,
        default=AssignmentSource.DIRECTIVE,
    )
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=AssignmentState.choices, default=AssignmentState.NEW
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = models.Manager.from_queryset(RestrictedQuerySet)()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["item__directive", "item__order", "agency__code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=models.F("assigned_on")),
                name="assignment_due_after_assigned",
            ),
            models.UniqueConstraint(
                fields=["obligation", "period_start"],
                condition=Q(obligation__isnull=False),
                name="assignment_one_occurrence_per_period",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "due_date"], name="assignment_agency_state"),
            models.Index(fields=["state", "due_date"], name="assignment_state_due"),
            models.Index(fields=["item", "agency"], name="assignment_item_agency"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def timeliness_label(self) -> str:
        """The label of the ``timeliness`` annotated by ``selectors.assignment_list``."""
        value = getattr(self, "timeliness", None)
        return Timeliness(value).label if value else ""


class AssignmentProcess(Process):
    """The viewflow process that walks one assignment through its steps."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, related_name="process", null=True
    )

    class Meta:
        verbose_name = _("assignment process")
        verbose_name_plural = _("assignment processes")
        ordering = ["-pk"]


class ProgressReport(models.Model):
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    author = models.ForeignKey(
        USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"))
    percent = models.PositiveSmallIntegerField(_("percent done"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=24, choices=ReportStatus.choices, default=ReportStatus.FILED
    )

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["assignment", "submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="report_percent"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


def evidence_path(instance, filename):
    # Never the uploader's file name on disk: it is kept in ``original_name``.
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["report", "pk"]

    def __str__(self):
        return self.original_name


class ExtensionRequest(models.Model):
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="extension_requests",
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    current_due_date = models.DateField(_("due date when requested"))
    requested_due_date = models.DateField(_("requested due date"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.REQUESTED,
    )
    endorsed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["assignment", "requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status__in=["requested", "endorsed"]),
                name="one_pending_extension_per_assignment",
            )
        ]

    def __str__(self):
        return f"{self.assignment_id}: {self.requested_due_date:%d/%m/%Y}"


class ExtensionProcess(Process):
    """The viewflow process of one extension request (request → endorse → decide)."""

    extension = models.OneToOneField(
        ExtensionRequest, on_delete=models.PROTECT, related_name="process", null=True
    )

    class Meta:
        verbose_name = _("extension process")
        verbose_name_plural = _("extension processes")
        ordering = ["-pk"]


class EscalationPolicy(models.Model):
    """Levels of reminders and escalations; one global default, overridable per directive."""

    name = models.CharField(_("name"), max_length=150)
    directive = models.OneToOneField(
        Directive,
        verbose_name=_("directive"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_policy",
        help_text=_("Empty for the global default policy."),
    )

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")
        ordering = ["directive", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(directive__isnull=True), name="one_global_policy_name"
            ),
        ]

    def __str__(self):
        return self.name


class EscalationLevel(models.Model):
    policy = models.ForeignKey(
        EscalationPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="levels"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LevelKind.choices)
    offset_working_days = models.SmallIntegerField(
        _("offset (working days)"),
        help_text=_("Relative to the due date: −3 is three working days before, +5 five after."),
    )
    audience = models.CharField(_("who is told"), max_length=24, choices=Audience.choices)
    urgent = models.BooleanField(_("e-mail at once"), default=False)

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        ordering = ["policy", "offset_working_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "kind", "offset_working_days"], name="level_unique_in_policy"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.offset_working_days:+d})"


class Escalation(models.Model):
    """A level an open assignment crossed for one due date; recorded once, whatever reruns."""

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="escalations",
    )
    level = models.ForeignKey(
        EscalationLevel,
        verbose_name=_("level"),
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    due_date = models.DateField(_("due date it refers to"))
    raised_at = models.DateTimeField(_("raised at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=16, blank=True, choices=EscalationResolution.choices
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    penalty_points = models.DecimalField(
        _("penalty points"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    sent_to_leader = models.BooleanField(_("sent up to a leader"), default=False)

    objects = models.Manager.from_queryset(RestrictedQuerySet)()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "level", "due_date"],
                name="escalation_once_per_level_and_due_date",
            ),
        ]
        indexes = [
            models.Index(fields=["resolved_at", "raised_at"], name="escalation_open"),
            models.Index(fields=["raised_at"], name="escalation_raised"),
        ]

    def __str__(self):
        return f"#{self.assignment_id} {self.level}"


class EscalationProcess(Process):
    """The viewflow process of one office-level escalation (decide → optionally a leader)."""

    escalation = models.OneToOneField(
        Escalation, on_delete=models.PROTECT, related_name="process", null=True
    )

    class Meta:
        verbose_name = _("escalation process")
        verbose_name_plural = _("escalation processes")
        ordering = ["-pk"]
