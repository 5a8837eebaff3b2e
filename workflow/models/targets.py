"""The quantified targets of a directive's items (chỉ tiêu) and the values agencies report."""

import calendar
import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.querysets import RestrictedManager

from ..choices import PERIOD_MONTHS, IndicatorDirection, NationalIndex, Period
from ..indices import rank_problems
from .directives import DirectiveItem
from .reports import EvidenceFile

USER = settings.AUTH_USER_MODEL
DIGITS = {"max_digits": 14, "decimal_places": 4}


def periods_in_year(period: str) -> int:
    """How many periods of ``period`` a year has: 12 months, 4 quarters, 2 halves, 1 year."""
    return 12 // PERIOD_MONTHS[Period(period)]


def period_end(period: str, year: int, number: int) -> date:
    """The last day of the ``number``-th ``period`` of ``year`` (the 2nd half of 2025 ends on
    31/12/2025): what orders a measurement among the others."""
    month = number * PERIOD_MONTHS[Period(period)]
    return date(year, month, calendar.monthrange(year, month)[1])


def period_label(period: str, year: int, number: int) -> str:
    """A reporting period as the office writes it: "2025", "Quý 2/2026"."""
    if period == Period.YEARLY:
        return str(year)
    return f"{Period(period).label} {number}/{year}"


class Indicator(models.Model):
    """A target of an item: "PAR Index up 5 to 10 places", "in the top 20 by 2025".

    The target is a value (``target_min`` = ``target_max``) or a range; ``workflow.targets``
    says when it is met."""

    item = models.ForeignKey(
        DirectiveItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    baseline = models.DecimalField(_("baseline"), null=True, blank=True, **DIGITS)
    target_min = models.DecimalField(_("target (from)"), null=True, blank=True, **DIGITS)
    target_max = models.DecimalField(_("target (up to)"), null=True, blank=True, **DIGITS)
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=IndicatorDirection.choices,
        default=IndicatorDirection.HIGHER,
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    # The agency that reports the values; none until the office chooses it (an import of an
    # item that names no focal agency).
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("reporting agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The words of the item the target was read from (the importer), for the reviewer.
    source_text = models.CharField(_("as written"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["item", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_min__isnull=False) | Q(target_max__isnull=False),
                name="indicator_has_target",
            ),
            models.CheckConstraint(
                condition=Q(target_min__isnull=True)
                | Q(target_max__isnull=True)
                | Q(target_min__lte=F("target_max")),
                name="indicator_range_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.target_min is None and self.target_max is None:
            raise ValidationError({"target_min": _("Give the target value or its range.")})
        if (
            self.target_min is not None
            and self.target_max is not None
            and self.target_min > self.target_max
        ):
            raise ValidationError(
                {"target_max": _("The end of the range must not be below its start.")}
            )


class Measurement(models.Model):
    """The value an agency reports for one period (year, half, quarter or month) of an
    indicator; it counts once the office confirms it."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("reporting period"), max_length=16, choices=Period.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("period number"), default=1)
    # Kept by the services (``period_end``): the order of the measurements.
    period_end = models.DateField(_("end of the period"), editable=False)
    value = models.DecimalField(_("value"), **DIGITS)
    evidence_note = models.TextField(_("evidence"), blank=True)
    reported_by = models.ForeignKey(
        USER, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        USER,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The last correction (``measurement_correct``); the values before it are in the audit.
    corrected_by = models.ForeignKey(
        USER,
        verbose_name=_("corrected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "year", "number"], name="measurement_period_unique"
            )
        ]
        indexes = [
            models.Index(fields=["indicator", "-period_end"], name="measurement_latest"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.period_label})"

    @property
    def period_label(self) -> str:
        return period_label(self.period, self.year, self.number)

    def clean(self):
        if self.period in Period.values and not 1 <= self.number <= periods_in_year(self.period):
            raise ValidationError(
                {"number": _("A year has {n} such periods.").format(n=periods_in_year(self.period))}
            )


# The folder of the measurements' evidence files, apart from the assignments' (``evidence``):
# the orphan sweep of ``workflow.evidence`` reads only its own folder, against ``Attachment``.
MEASUREMENT_EVIDENCE_DIR = "targets"


def measurement_evidence_path(instance, filename):
    # Never the uploader's file name on disk (``workflow.evidence.store`` names the file).
    return f"{MEASUREMENT_EVIDENCE_DIR}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class MeasurementEvidence(EvidenceFile):
    """A file attached to a reported value (tài liệu kiểm chứng), checked and stored as an
    assignment's evidence is (``workflow.evidence``) and served only to those who may see its
    measurement; never on the public page."""

    measurement = models.ForeignKey(
        Measurement,
        verbose_name=_("measurement"),
        on_delete=models.CASCADE,
        related_name="evidence_files",
    )
    file = models.FileField(_("file"), upload_to=measurement_evidence_path)

    class Meta:
        verbose_name = _("evidence file of a measurement")
        verbose_name_plural = _("evidence files of measurements")
        ordering = ["measurement", "pk"]


class IndexResult(models.Model):
    """A province's result in a national index for one year, as published: its score and its
    rank out of ``rank_of`` provinces (``workflow.indices``: 63 up to 2024, 34 from 2025).

    The province is the one that existed that year (the old province before the 1 July 2025
    merger, the merged one after): an index series belongs to the historical entity."""

    index = models.CharField(_("index"), max_length=16, choices=NationalIndex.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    province = models.ForeignKey(
        Agency, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"))
    rank_of = models.PositiveSmallIntegerField(_("out of"))
    source_note = models.CharField(_("source"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("index result")
        verbose_name_plural = _("index results")
        ordering = ["index", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["index", "year", "province"], name="index_result_unique"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=F("rank_of")),
                name="index_result_rank_within",
            ),
        ]

    def __str__(self):
        return f"{self.get_index_display()} {self.year}"

    def clean(self):
        if None not in (self.year, self.rank, self.rank_of):
            problems = rank_problems(year=self.year, rank=self.rank, rank_of=self.rank_of)
            if problems:
                raise ValidationError(problems)


class IndexComponent(models.Model):
    """One component of an index result (a PAR Index field, a SIPAS element, a PAPI
    dimension) with the provincial agency that advises on it (``data/index_components.yaml``;
    empty when the sources do not say)."""

    result = models.ForeignKey(
        IndexResult,
        verbose_name=_("index result"),
        on_delete=models.CASCADE,
        related_name="components",
    )
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=255)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("advisory agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("index component")
        verbose_name_plural = _("index components")
        ordering = ["result", "code"]
        constraints = [
            models.UniqueConstraint(fields=["result", "code"], name="index_component_unique"),
            models.CheckConstraint(
                condition=Q(max_score__gt=0) & Q(score__gte=0) & Q(score__lte=F("max_score")),
                name="index_component_score_within",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"
