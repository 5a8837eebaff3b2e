import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedManager

from ..choices import (
    ReportKind,
    ReportStatus,
)

USER = settings.AUTH_USER_MODEL


class ProgressReport(models.Model):
    assignment = models.ForeignKey(
        "workflow.Assignment",
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="reports",
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


class EvidenceFile(models.Model):
    """What a stored evidence file keeps beside the file itself, whatever it supports (a
    report, a reported value): checked and stored by ``workflow.evidence``; the file's field,
    with its storage path, is each kind's own."""

    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name


class Attachment(EvidenceFile):
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=evidence_path)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["report", "pk"]
