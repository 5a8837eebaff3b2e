"""Inspections of how agencies carry out directives (kiểm tra công tác CCHC): checklist
templates, plans, inspections with their team, findings, minutes, the conclusion, and the
recommendations that become remediation assignments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from core.querysets import RestrictedManager

from .choices import (
    FindingResult,
    FindingSide,
    InspectionStatus,
    PlanForm,
    PlanStatus,
    RecommendationStatus,
    TeamRole,
    VerificationResult,
)

USER = settings.AUTH_USER_MODEL
POINTS = {"max_digits": 6, "decimal_places": 2}


class CriterionField(models.Model):
    """A field of administrative reform a checklist groups its criteria by (lĩnh vực CCHC):
    data, not code."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("reform field")
        verbose_name_plural = _("reform fields")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class ChecklistTemplate(models.Model):
    """One version of a checklist. Versions of the same checklist share ``family``; a version
    an inspection used is never changed again (editing it makes the next version)."""

    family = models.CharField(_("checklist"), max_length=64)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year"))
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="template_version_once"),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class Criterion(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist template"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    field = models.ForeignKey(
        CriterionField, verbose_name=_("reform field"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=32)
    text = models.TextField(_("criterion"))
    guidance = models.TextField(_("how to check"), blank=True)
    max_points = models.DecimalField(_("maximum points"), **POINTS)
    items = models.ManyToManyField(
        "workflow.DirectiveItem",
        verbose_name=_("directive items it checks"),
        blank=True,
        related_name="+",
    )
    evidence_expected = models.TextField(_("evidence expected"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="criterion_code_once"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_points_positive"),
        ]

    def __str__(self):
        return f"{self.code}. {self.text[:80]}"


class InspectionPlan(models.Model):
    """A year's inspection plan of Sở Nội vụ or Văn phòng UBND tỉnh (Kế hoạch kiểm tra)."""

    year = models.PositiveSmallIntegerField(_("year"))
    organiser = models.ForeignKey(
        "agencies.Agency", verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=500)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    form = models.CharField(_("form"), max_length=24, choices=PlanForm.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.APPROVED
    )
    # The directive item the plan carries out: the agencies' self-reports are assigned under it,
    # and so are the recommendations whose criterion names no item.
    item = models.ForeignKey(
        "workflow.DirectiveItem",
        verbose_name=_("directive item it carries out"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-year", "organiser", "pk"]
        permissions = [("manage_inspectionplan", _("Can change the plan and add inspections"))]

    def __str__(self):
        return self.title


class Inspection(models.Model):
    """One agency inspected under a plan, by a team set up by a decision."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="inspections"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("inspected agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist template"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    team_decision_number = models.CharField(_("decision setting up the team"), max_length=64)
    team_decision_date = models.DateField(_("date of that decision"))
    scheduled_on = models.DateField(_("scheduled on"))
    conducted_on = models.DateField(_("conducted on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=InspectionStatus.choices,
        default=InspectionStatus.SCHEDULED,
    )
    self_assessment_requested = models.BooleanField(
        _("self-assessment against the checklist asked for"), default=False
    )
    self_report_due = models.DateField(_("self-report due"), null=True, blank=True)
    self_report = models.OneToOneField(
        "workflow.Assignment",
        verbose_name=_("self-report assignment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The minutes (biên bản kiểm tra), signed by the team's head, then by the agency's head.
    minutes_text = models.TextField(_("minutes"), blank=True)
    minutes_signed_by_lead = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes_signed_by_lead_at = models.DateTimeField(null=True, blank=True)
    minutes_signed_by_head = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes_signed_by_head_at = models.DateTimeField(null=True, blank=True)
    objection = models.TextField(_("the agency's objection"), blank=True)
    # The conclusion notice (thông báo kết luận kiểm tra).
    conclusion_number = models.CharField(_("conclusion number"), max_length=64, blank=True)
    conclusion_date = models.DateField(_("conclusion date"), null=True, blank=True)
    conclusion_text = models.TextField(_("conclusion"), blank=True)
    concluded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concluded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["scheduled_on", "pk"]
        # Object permissions django-guardian grants to the team: "<action>_inspection".
        permissions = [
            ("record_inspection", _("Can record findings and verify (team member)")),
            ("lead_inspection", _("Can draft the minutes (head of the team)")),
        ]
        indexes = [
            models.Index(fields=["plan", "scheduled_on"], name="inspection_plan_day"),
            models.Index(fields=["agency", "scheduled_on"], name="inspection_agency_day"),
        ]

    def __str__(self):
        return f"{self.plan.title} — {self.agency}"


class TeamMember(models.Model):
    """Who is on an inspection's team (from the decision setting it up), from which agency."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="team"
    )
    user = models.ForeignKey(USER, verbose_name=_("person"), on_delete=models.PROTECT)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("from agency"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role in the team"), max_length=16, choices=TeamRole.choices)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["inspection", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "user"], name="team_member_once"),
            models.UniqueConstraint(
                fields=["inspection"], condition=Q(role=TeamRole.LEAD), name="team_one_lead"
            ),
        ]
        indexes = [models.Index(fields=["user", "inspection"], name="team_member_user")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Finding(models.Model):
    """How the agency meets one criterion: the team's finding, or the agency's own
    self-assessment against the same checklist."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    side = models.CharField(
        _("by"), max_length=8, choices=FindingSide.choices, default=FindingSide.TEAM
    )
    result = models.CharField(_("result"), max_length=16, choices=FindingResult.choices)
    points = models.DecimalField(_("points"), null=True, blank=True, **POINTS)
    note = models.TextField(_("note"), blank=True)
    # Optimistic check: an edit names the version it was made on; a later one sees a conflict.
    version = models.PositiveIntegerField(_("version"), default=1)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "criterion", "side"], name="finding_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0), name="finding_points_positive"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.get_result_display()}"


class FindingSubmission(models.Model):
    """The key a client sent a finding with (an idempotency key): a finding typed offline and
    sent again when the connection returns is applied once."""

    key = models.UUIDField(unique=True)
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("finding submission")
        verbose_name_plural = _("finding submissions")

    def __str__(self):
        return str(self.key)


class FindingEvidence(models.Model):
    """A file or photo the team took as evidence of a finding (photos resized on arrival)."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="inspection/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("evidence of a finding")
        verbose_name_plural = _("evidence of findings")
        ordering = ["finding", "pk"]

    def __str__(self):
        return self.original_name


class Recommendation(models.Model):
    """A recommendation of the conclusion (kiến nghị): work for a responsible agency, with a
    deadline to report remediation; it becomes a remediation assignment when the conclusion
    is issued, and is verified by the team against the report."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("recommendation"))
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "workflow.DirectiveItem",
        verbose_name=_("directive item"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A date, or a number of days after the conclusion notice (15 by default: the date is then
    # set when the conclusion is issued).
    due_date = models.DateField(_("report remediation by"), null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(
        _("days after the conclusion notice"), null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.DRAFT,
    )
    assignment = models.OneToOneField(
        "workflow.Assignment",
        verbose_name=_("remediation assignment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendation",
    )
    reissued = models.PositiveSmallIntegerField(_("times re-issued"), default=0)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["inspection", "order", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="recommendation_open_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=False) | Q(due_days__isnull=False),
                name="recommendation_has_deadline",
            ),
        ]

    def __str__(self):
        return self.text[:80]


class Verification(models.Model):
    """The team's verdict on one round of remediation: done, or not done and re-issued with a
    new deadline (a new assignment)."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    assignment = models.ForeignKey(
        "workflow.Assignment",
        verbose_name=_("remediation assignment"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=16, choices=VerificationResult.choices)
    note = models.TextField(_("note"), blank=True)
    new_due_date = models.DateField(_("new deadline"), null=True, blank=True)
    verified_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["recommendation", "verified_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "assignment"], name="verification_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(result=VerificationResult.DONE, new_due_date__isnull=True)
                | Q(result=VerificationResult.NOT_DONE, new_due_date__isnull=False),
                name="verification_not_done_has_deadline",
            ),
        ]

    def __str__(self):
        return f"{self.recommendation_id}: {self.get_result_display()}"


class InspectionProcess(Process):
    """The viewflow process of one inspection (conduct → minutes confirmed → conclusion)."""

    inspection = models.OneToOneField(
        Inspection, on_delete=models.PROTECT, related_name="process", null=True
    )

    class Meta:
        verbose_name = _("inspection process")
        verbose_name_plural = _("inspection processes")
        ordering = ["-pk"]


class VerificationProcess(Process):
    """The team's verification of one round of remediation of a recommendation."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="processes", null=True
    )

    class Meta:
        verbose_name = _("verification process")
        verbose_name_plural = _("verification processes")
        ordering = ["-pk"]
