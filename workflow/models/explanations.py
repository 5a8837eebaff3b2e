"""Explanation requests (yêu cầu giải trình): the office asks the agency responsible for an
overdue assignment or an indicator at risk to explain, by a date; the agency's head answers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.querysets import RestrictedManager

from ..choices import ExplanationStatus

USER = settings.AUTH_USER_MODEL


class ExplanationRequest(models.Model):
    """One request to explain, about exactly one subject: an assignment or an indicator.

    ``agency`` is the agency asked (the assignment's agency, the indicator's reporting
    agency), kept as it was asked. Answered on time or late, or left unanswered past
    ``due_on``: what scoring counts (``workflow.selectors.explanations.explanation_tally``)."""

    assignment = models.ForeignKey(
        "workflow.Assignment",
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="explanation_requests",
    )
    indicator = models.ForeignKey(
        "workflow.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="explanation_requests",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency asked"), on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("what to explain"))
    due_on = models.DateField(_("explain by"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ExplanationStatus.choices,
        default=ExplanationStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        USER, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("explanation"), blank=True)
    answered_by = models.ForeignKey(
        USER,
        verbose_name=_("explained by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_note = models.TextField(_("reason for withdrawing"), blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("explanation request")
        verbose_name_plural = _("explanation requests")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignment__isnull=True, indicator__isnull=False)
                | Q(assignment__isnull=False, indicator__isnull=True),
                name="explanation_one_subject",
            ),
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="requested", assignment__isnull=False),
                name="one_open_explanation_per_assignment",
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(status="requested", indicator__isnull=False),
                name="one_open_explanation_per_indicator",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_on"], name="explanation_agency"),
            models.Index(fields=["status", "due_on"], name="explanation_open"),
        ]

    def __str__(self):
        return f"{self.agency_id}: {self.due_on:%d/%m/%Y}"

    @property
    def subject(self):
        return self.assignment if self.assignment_id else self.indicator
