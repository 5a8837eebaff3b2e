"""In-app notices, which are also the e-mail outbox: each is mailed at most once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedManager


class Category(models.TextChoices):
    """What a notice is about; each person chooses per category how it reaches them by mail."""

    NEW_WORK = "new_work", _("New assignments for your agency")
    TRANSFERRED = "transferred", _("Work transferred to your agency")
    DELEGATED = "delegated", _("Work given to you")
    APPROVAL = "approval", _("Report awaiting your approval")
    ACCEPTANCE = "acceptance", _("Result awaiting the office")
    RETURNED = "returned", _("Work returned")
    REFUSED = "refused", _("Proposal to change the agency in charge")
    COMPLETED = "completed", _("Completion confirmed")
    EXTENSION_REQUESTED = "extension_requested", _("Extension request awaiting your opinion")
    EXTENSION_ENDORSED = "extension_endorsed", _("Extension request awaiting a decision")
    EXTENSION_DECIDED = "extension_decided", _("Extension request decided")
    REMINDER = "reminder", _("Reminder")
    WARNING = "warning", _("Overdue warning")
    ESCALATION = "escalation", _("Escalation")
    DECISION = "decision", _("Escalation decided")
    INSPECTION = "inspection", _("Inspections")
    EXPLANATION = "explanation", _("Explanation requests")
    INFO = "info", _("Information")


class Delivery(models.TextChoices):
    """How a notice reaches a person besides the app, where it always appears at once."""

    NOW = "now", _("E-mail at once")
    DIGEST = "digest", _("In the daily digest")
    NONE = "none", _("In the app only")


class Notice(models.Model):
    """One thing a person should know. ``key`` makes every notice unique per recipient, so the
    same event can be planned twice (a rerun sweep) and still reach the person once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    key = models.CharField(max_length=200)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    title = models.CharField(_("title"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    delivery = models.CharField(
        _("mail"), max_length=8, choices=Delivery.choices, default=Delivery.DIGEST
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notice_once_per_person"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_unread"),
            models.Index(
                fields=["delivery", "emailed_at"],
                condition=Q(emailed_at__isnull=True),
                name="notice_outbox",
            ),
        ]

    def __str__(self):
        return self.title


class NoticePreference(models.Model):
    """One person's choice of how notices of one category reach them by mail; without one, a
    notice goes in the daily digest (or at once, where the sender marks it urgent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    delivery = models.CharField(_("mail"), max_length=8, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="one_preference_per_kind"),
        ]

    def __str__(self):
        return f"{self.user} {self.category}: {self.delivery}"


class Digest(models.Model):
    """The daily e-mail of one person: at most one per day."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    notice_count = models.PositiveIntegerField(_("notices"))

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_day"),
        ]

    def __str__(self):
        return f"{self.recipient} {self.day:%d/%m/%Y}"
