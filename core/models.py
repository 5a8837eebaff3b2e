from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditChannel, CalendarDayKind, OverrideOrigin


class AuditEvent(models.Model):
    """One append-only line of history: who did what to which object, with before and after,
    and from where (the requester's address and the channel: page, API, admin, command)."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("verb"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    note = models.TextField(_("note"), blank=True)
    # From where (core.audit, from the request core.middleware.AuditOriginMiddleware notes):
    # no address outside a request (commands, the sweep, Celery); an empty channel on lines
    # written before it was kept, or by raw SQL that does not say (db_default).
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=AuditChannel.choices,
        blank=True,
        default="",
        db_default="",
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="audit_object_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")


class CalendarOverride(models.Model):
    """A day the Government or the office declares off, or a Saturday made a working day.

    The Government's swapped and make-up days are shipped as data (``core/data``) and loaded by
    ``manage.py load_calendar``; the office adds its own, or next year's notice, in the admin.
    """

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    reason = models.CharField(_("reason"), max_length=255)
    source = models.CharField(_("legal source"), max_length=500, blank=True)
    origin = models.CharField(
        _("set by"), max_length=16, choices=OverrideOrigin.choices, default=OverrideOrigin.OFFICE
    )

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} · {self.get_kind_display()}"
