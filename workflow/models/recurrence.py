from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from ..choices import (
    Modality,
    Period,
)
from ..deadlines import recurring_due_text

USER = settings.AUTH_USER_MODEL


class RecurringObligation(models.Model):
    """A report an agency owes every period (e.g. the 6-month CCHC report of item 15).

    Each period becomes its own Assignment, generated ahead by ``generate_occurrences``.
    The occurrence is due on the last working day before ``report_day`` of the month that is
    ``month_offset`` months after the period's last month (−1 for "before 15/11" of a year).
    """

    item = models.ForeignKey(
        "workflow.DirectiveItem",
        verbose_name=_("item"),
        on_delete=models.CASCADE,
        related_name="obligations",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="obligations"
    )
    agency_as_written = models.CharField(_("agency as written"), max_length=500, blank=True)
    modality = models.CharField(
        _("modality"), max_length=8, choices=Modality.choices, default=Modality.ORDER
    )
    title = models.CharField(_("title"), max_length=255)
    expected_output = models.CharField(_("expected output"), max_length=500, blank=True)
    period = models.CharField(_("period"), max_length=16, choices=Period.choices)
    report_day = models.PositiveSmallIntegerField(_("report before day"), default=15)
    month_offset = models.SmallIntegerField(_("month offset"), default=0)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # The obligation of an agency that ended which this one continues (a reorganisation).
    transferred_from = models.OneToOneField(
        "self",
        verbose_name=_("transferred from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_to",
    )

    class Meta:
        verbose_name = _("recurring obligation")
        verbose_name_plural = _("recurring obligations")
        ordering = ["item", "agency__code", "period"]

    def __str__(self):
        return f"{self.title} ({self.get_period_display()})"

    @property
    def due_text(self) -> str:
        """ "trước ngày 15 các tháng 6 và 12": the deadline as the office writes it."""
        return recurring_due_text(
            period=self.period,
            starts_on=self.starts_on,
            report_day=self.report_day,
            month_offset=self.month_offset,
        )
