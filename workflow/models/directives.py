from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.querysets import RestrictedManager
from core.text import search_key, shorten

from ..choices import (
    DirectiveKind,
    DirectiveStatus,
)

USER = settings.AUTH_USER_MODEL


def directive_search_text(*, number: str, title: str) -> str:
    """What a search of directives looks in (``Directive.search_text``): number and title,
    folded ("05/CT-UBND" is found as "05/ct-ubnd" or "05 ct ubnd")."""
    return search_key(number, title)


def item_search_text(*, text: str) -> str:
    """What a search finds in an item (``DirectiveItem.search_text``): its text, folded; a
    search of assignments also finds every assignment made of a matching item."""
    return search_key(text)


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
    # Kept by the services (``directive_search_text``); a few thousand rows, no index needed.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        # Object permissions django-guardian may grant (codename "<action>_<model>").
        permissions = [
            ("publish_directive", _("Can publish the directive")),
            ("assign_directive", _("Can assign the directive's items")),
        ]
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["status", "issued_on"], name="directive_status_issued")]

    def __str__(self):
        label = self.number or self.get_kind_display()
        return shorten(f"{label}: {self.title}", 255)


class DirectiveItem(models.Model):
    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), on_delete=models.CASCADE, related_name="items"
    )
    number = models.CharField(_("number"), max_length=16)
    text = models.TextField(_("text"))
    order = models.PositiveIntegerField(_("order"), default=0)
    # What the item must produce (a report, a plan, a figure reached), as the office writes it.
    expected_output = models.CharField(_("expected output"), max_length=500, blank=True)
    # The agency that gathers everyone's results of the item for the province (cơ quan đầu
    # mối tổng hợp: Sở Nội vụ for the CCHC reports), and reports on it.
    focal_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("focal agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept by the services (``item_search_text``); a pg_trgm GIN index on PostgreSQL, as for
    # ``Assignment.search_text``.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    # Shown on the public page while its directive is public (chosen by the office through
    # ``workflow.services.publication``; kept when the directive is withdrawn).
    public = models.BooleanField(_("public"), default=False)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("directive item")
        verbose_name_plural = _("directive items")
        ordering = ["directive", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "number"], name="item_number_unique")
        ]

    def __str__(self):
        return f"{self.number}. {shorten(self.text, 80)}"


class Publication(models.Model):
    """Whether a directive is public (công khai để dân biết) and who decided it when: the
    provincial office publishes a directive with the items it chooses (``DirectiveItem.public``)
    and may withdraw it. Only ``workflow.services.publication`` writes it; every change adds
    one to ``revision``, which the public page's cache key reads (``publication_revision``)."""

    directive = models.OneToOneField(
        Directive,
        verbose_name=_("directive"),
        on_delete=models.CASCADE,
        related_name="publication",
    )
    is_public = models.BooleanField(_("public"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [models.Index(fields=["is_public"], name="publication_public")]

    def __str__(self):
        return str(self.directive)
