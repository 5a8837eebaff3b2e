from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from core.querysets import RestrictedManager

from ..choices import (
    ExtensionStatus,
)

USER = settings.AUTH_USER_MODEL


class ExtensionRequest(models.Model):
    assignment = models.ForeignKey(
        "workflow.Assignment",
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

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        # Object permissions django-guardian may grant (codename "<action>_<model>").
        permissions = [
            ("endorse_extensionrequest", _("Can endorse the extension request")),
            ("decide_extensionrequest", _("Can decide the extension request")),
        ]
        ordering = ["assignment", "requested_at"]
        # The extension list's default tab, pending requests the longest wait first
        # (selectors.extensions.in_group): read in this order, the page stops at its rows.
        indexes = [models.Index(fields=["requested_at", "id"], name="extension_requested_order")]
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
