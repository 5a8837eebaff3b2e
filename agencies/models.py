"""The organisation tree in time, people, and the roles they hold.

Validity periods are half-open: ``valid_from`` is the first day, ``valid_until`` the first day
on which the row no longer applies (null: still valid). A change of name, parent or kind is a
new ``AgencyVersion``; nothing is overwritten, so a 2022 text still reads as it was written.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet
from core.text import fold, nfc

from .choices import AgencyKind, Role, SuccessionKind, role_label


def valid_on_q(on, prefix: str = "") -> Q:
    """Rows whose half-open [valid_from, valid_until) period contains the date ``on``."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": on})
    )


class ValidityPeriod(models.Model):
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The first day on which it no longer applies; empty while still valid."),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end must come after the start.")})


class User(AbstractUser):
    """A person who signs in. Deactivate, never delete: workflow tasks keep their owners."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.full_name or self.get_full_name() or self.username


class AgencyQuerySet(RestrictedQuerySet):
    def valid_on(self, on):
        """Agencies that exist on ``on`` (some version covers the date)."""
        return self.filter(pk__in=AgencyVersion.objects.filter(valid_on_q(on)).values("agency_id"))


class Agency(models.Model):
    """The identity of an agency across its versions; everything else lives in the versions."""

    code = models.CharField(_("code"), max_length=32, unique=True)

    objects = models.Manager.from_queryset(AgencyQuerySet)()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self):
        return self.code

    @property
    def kind_label(self) -> str:
        """The label of ``kind`` as annotated by ``selectors.agency_list``."""
        kind = getattr(self, "kind", None)
        return AgencyKind(kind).label if kind else ""

    @property
    def latest_version(self):
        """The most recent version (uses the prefetched ``versions`` when present)."""
        versions = sorted(self.versions.all(), key=lambda v: v.valid_from)
        return versions[-1] if versions else None


class AgencyVersion(ValidityPeriod):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="versions"
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=128, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        Agency,
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="child_versions",
    )
    name_key = models.CharField(max_length=255, editable=False, db_index=True)
    short_name_key = models.CharField(max_length=128, editable=False, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("agency version")
        verbose_name_plural = _("agency versions")
        ordering = ["agency__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "valid_from"], name="agency_version_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="agency_version_period",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "valid_from", "valid_until"], name="agency_version_kind"),
            models.Index(fields=["parent", "valid_from"], name="agency_version_parent"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.name = nfc(self.name)
        self.short_name = nfc(self.short_name)
        self.name_key = fold(self.name)
        self.short_name_key = fold(self.short_name)
        if self.parent_id and self.parent_id == self.agency_id:
            raise ValidationError({"parent": _("An agency cannot be its own parent.")})


class Succession(models.Model):
    """Who took over what an agency did, from a date (DOMAIN.md §2.4)."""

    predecessor = models.ForeignKey(
        Agency, verbose_name=_("predecessor"), on_delete=models.PROTECT, related_name="successions"
    )
    successor = models.ForeignKey(
        Agency,
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SuccessionKind.choices)
    effective_on = models.DateField(_("effective on"))
    function = models.CharField(_("function"), max_length=255, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["effective_on", "predecessor__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "kind", "effective_on", "function"],
                name="succession_unique",
            ),
        ]

    def __str__(self):
        target = self.successor.code if self.successor_id else "—"
        return (
            f"{self.predecessor.code} → {target} ({self.get_kind_display()}, {self.effective_on})"
        )

    def clean(self):
        super().clean()
        if self.kind == SuccessionKind.DISSOLVE:
            return
        if not self.successor_id:
            raise ValidationError({"successor": _("Only a dissolution may have no successor.")})
        if self.successor_id == self.predecessor_id:
            raise ValidationError({"successor": _("An agency cannot succeed itself.")})
        if self.kind == SuccessionKind.TRANSFER_FUNCTION and not self.function:
            raise ValidationError({"function": _("Name the function that was transferred.")})


class AgencyAlias(models.Model):
    """Another spelling of an agency's name that texts use ("Sở NV", "VP UBND tỉnh")."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="aliases"
    )
    text = models.CharField(_("text"), max_length=255)
    key = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("agency alias")
        verbose_name_plural = _("agency aliases")
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="agency_alias_unique"),
        ]

    def __str__(self):
        return self.text

    def clean(self):
        super().clean()
        self.text = nfc(self.text)
        self.key = fold(self.text)
        if not self.key:
            raise ValidationError({"text": _("An alias cannot be empty.")})


class MembershipQuerySet(RestrictedQuerySet):
    def active_on(self, on):
        return self.filter(valid_on_q(on), user__is_active=True)


class Membership(ValidityPeriod):
    """A user acts for an agency in a role during a period; outside it the role grants nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=150, blank=True)

    objects = models.Manager.from_queryset(MembershipQuerySet)()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["agency__code", "role", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role", "valid_from"], name="membership_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="membership_period",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "valid_from", "valid_until"], name="membership_user"),
            models.Index(fields=["agency", "role"], name="membership_agency_role"),
        ]

    def __str__(self):
        return f"{self.user} · {self.role_label} · {self.agency}"

    @property
    def role_label(self) -> str:
        """The role's name in this agency ("Chủ tịch UBND" in a commune); needs ``agency_kind``
        as annotated by ``selectors.membership_list``, else the general name."""
        return role_label(self.role, getattr(self, "agency_kind", None))
