"""Escalation policy and levels, the escalations the sweep records, and their review process."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from core.querysets import RestrictedManager
from workflow.models import Assignment, Directive

from .choices import Audience, EscalationResolution, LevelKind

USER = settings.AUTH_USER_MODEL


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
    # The sweep's watermark: every open assignment whose due date is at most ``swept_through``
    # has been weighed against this level, as the level and its policy's scope stood then
    # (``swept_scope``, see escalation/sweep.py); another scope means the mark no longer holds.
    swept_through = models.DateField(null=True, blank=True, editable=False)
    swept_scope = models.CharField(max_length=200, blank=True, default="", editable=False)

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
    # The agency that was late: the assignment's when the level was crossed (work moved on
    # later to another agency keeps the escalation with the one it was raised against). The
    # overview's tally counts the open ones by it (dashboards.tallies).
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
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

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        # Object permissions django-guardian may grant: "<action>_escalation".
        permissions = [
            ("decide_escalation", _("Can decide the escalation as the provincial office")),
            ("decide_as_leader_escalation", _("Can decide the escalation as a leader")),
        ]
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "level", "due_date"],
                name="escalation_once_per_level_and_due_date",
            ),
        ]
        indexes = [
            # Open ones first, newest first, then by key: the escalations page reads it
            # backwards for its order; the sweep and the office's queue read its prefix.
            models.Index(fields=["resolved_at", "raised_at", "id"], name="escalation_queue"),
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
