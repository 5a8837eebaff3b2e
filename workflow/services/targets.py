"""The targets of an item (chỉ tiêu): the office sets them, the reporting agency reports a
value per period, the office confirms it (only confirmed values count: ``workflow.targets``)."""

from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import agency_last_name
from core import access
from core.audit import audit_record
from core.exceptions import DomainError, InvalidInput
from core.flowtasks import AlreadyHandled
from core.text import decimal_text, nfc, shorten
from core.time import local_date

from .. import evidence
from ..choices import (
    DirectiveStatus,
    IndicatorAction,
    IndicatorDirection,
    MeasurementAction,
    Period,
)
from ..models import DirectiveItem, Indicator, Measurement, MeasurementEvidence
from ..models.targets import MEASUREMENT_EVIDENCE_DIR, period_end, periods_in_year
from ._base import moment, refused, validated

INDICATOR_FIELDS = (
    "name",
    "unit",
    "baseline",
    "target_min",
    "target_max",
    "direction",
    "target_year",
    "due_on",
    "agency",
)
# The years a value may be reported for: none before the indices existed, none to come.
FIRST_YEAR = 2000


def _state(indicator: Indicator) -> dict:
    """What the audit keeps of an indicator (plain JSON)."""
    return {
        "name": indicator.name,
        "unit": indicator.unit,
        "baseline": _text(indicator.baseline),
        "target_min": _text(indicator.target_min),
        "target_max": _text(indicator.target_max),
        "direction": indicator.direction,
        "target_year": indicator.target_year,
        "due_on": indicator.due_on.isoformat() if indicator.due_on else None,
        "agency": indicator.agency.code if indicator.agency else None,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def _agency_check(agency: Agency | None) -> None:
    """The reporting agency reports from now on: it must exist today."""
    if agency is not None and not Agency.objects.valid_on(local_date()).filter(pk=agency.pk):
        raise refused(
            _("{agency} does not exist today: choose the agency that reports.").format(
                agency=agency_last_name(agency=agency)
            ),
            "agency_not_valid",
            "agency",
        )


def _open_check(item: DirectiveItem) -> None:
    if item.directive.status == DirectiveStatus.CLOSED:
        raise DomainError(_("A closed directive cannot be changed."), code="closed")


def indicator_create(
    *,
    actor,
    item: DirectiveItem,
    name: str,
    target_min: Decimal | None = None,
    target_max: Decimal | None = None,
    direction: str = IndicatorDirection.HIGHER,
    unit: str = "",
    baseline: Decimal | None = None,
    target_year: int | None = None,
    due_on: date | None = None,
    agency: Agency | None = None,
    source_text: str = "",
    at: datetime | None = None,
) -> Indicator:
    """The office (reviewers, leaders) gives an item of a directive that is not closed a
    target: a value or a range, which way is better, its due date, the agency that reports."""
    with transaction.atomic():
        locked = DirectiveItem.objects.select_for_update(of=("self",)).select_related("directive")
        item = cast(DirectiveItem, access.require_get(locked, actor, access.VIEW, item.pk))
        access.require_may(actor, IndicatorAction.ADD, Indicator)
        _open_check(item)
        _agency_check(agency)
        indicator = Indicator(
            item=item,
            name=nfc(name).strip(),
            unit=nfc(unit).strip(),
            baseline=baseline,
            target_min=target_min,
            target_max=target_max,
            direction=direction,
            target_year=target_year,
            due_on=due_on,
            agency=agency,
            source_text=shorten(nfc(source_text).strip(), 500),
            created_by=actor,
            created_at=moment(at),
        )
        validated(indicator)
        indicator.save()
        audit_record(
            actor=actor,
            verb="indicator.create",
            obj=indicator,
            new={"item": item.number, **_state(indicator)},
            at=at,
        )
        return indicator


def indicator_update(*, actor, indicator: Indicator, at: datetime | None = None, **changes):
    """The office corrects an indicator (any of ``INDICATOR_FIELDS``) while its directive is
    not closed."""
    with transaction.atomic():
        locked = Indicator.objects.select_for_update(of=("self",)).select_related(
            "item__directive", "agency"
        )
        indicator = cast(
            Indicator, access.require_get(locked, actor, IndicatorAction.CHANGE, indicator.pk)
        )
        unknown = set(changes) - set(INDICATOR_FIELDS)
        if unknown:
            raise InvalidInput(code="unknown_fields", details={f: ["unknown"] for f in unknown})
        _open_check(indicator.item)
        if "agency" in changes:
            _agency_check(changes["agency"])
        old = _state(indicator)
        for key, value in changes.items():
            setattr(indicator, key, nfc(value).strip() if isinstance(value, str) else value)
        validated(indicator)
        indicator.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            verb="indicator.update",
            obj=indicator,
            old=old,
            new=_state(indicator),
            at=at,
        )
        return indicator


def measurement_report(
    *,
    actor,
    indicator: Indicator,
    period: str,
    year: int,
    value: Decimal,
    number: int = 1,
    evidence_note: str = "",
    files=(),
    at: datetime | None = None,
) -> Measurement:
    """The reporting agency's head, deputy or officer reports the indicator's value for one
    period, with its evidence (a note, files checked as an assignment's evidence is), once: a
    period reported is corrected (``measurement_correct``), not reported again; it counts when
    the office confirms it."""
    at = moment(at)
    with evidence.kept_if_committed(), transaction.atomic():
        locked = Indicator.objects.select_for_update(of=("self",)).select_related("agency")
        indicator = cast(
            Indicator, access.require_get(locked, actor, IndicatorAction.REPORT, indicator.pk)
        )
        this_year = local_date(at).year
        if not FIRST_YEAR <= year <= this_year:
            raise refused(
                _("Report a value for a year from {first} to {last}.").format(
                    first=FIRST_YEAR, last=this_year
                ),
                "bad_year",
                "year",
            )
        measurement = Measurement(
            indicator=indicator,
            agency=indicator.agency,
            period=period,
            year=year,
            number=number,
            value=value,
            evidence_note=nfc(evidence_note).strip(),
            reported_by=actor,
            reported_at=at,
        )
        if period not in Period.values:
            raise refused(_("Choose a reporting period."), "bad_period", "period")
        if not 1 <= number <= periods_in_year(period):
            raise refused(
                _("A year has {n} such periods.").format(n=periods_in_year(period)),
                "bad_period_number",
                "number",
            )
        measurement.period_end = period_end(period, year, number)
        if indicator.measurements.filter(period=period, year=year, number=number).exists():
            raise DomainError(
                _("A value is already reported for {period}.").format(
                    period=measurement.period_label
                ),
                code="period_reported",
            )
        validated(measurement)
        checked = evidence.inspect_uploads(files)
        measurement.save()
        names = _attach(measurement, checked, actor=actor, at=at)
        audit_record(
            actor=actor,
            verb="measurement.report",
            obj=measurement,
            new={
                "indicator": indicator.pk,
                "period": period,
                "year": year,
                "number": number,
                "value": _text(value),
                "files": names,
            },
            at=at,
        )
        return measurement


def _attach(measurement: Measurement, checked: list[tuple], *, actor, at) -> list[str]:
    """Store the checked uploads as the measurement's evidence in its own folder (deleted
    again if the service fails: ``evidence.kept_if_committed``); returns the uploaders' names
    of the files, for the audit."""
    rows = evidence.files_save(
        partial(MeasurementEvidence, measurement=measurement),
        checked,
        actor=actor,
        at=at,
        folder=MEASUREMENT_EVIDENCE_DIR,
    )
    return [row.original_name for row in rows]


def measurement_confirm(*, actor, measurement: Measurement, at: datetime | None = None):
    """The office's reviewers confirm a reported value: from then on it counts (once)."""
    at = moment(at)
    with transaction.atomic():
        locked = Measurement.objects.select_for_update(of=("self",)).select_related("indicator")
        measurement = cast(
            Measurement,
            access.require_get(locked, actor, MeasurementAction.CONFIRM, measurement.pk),
        )
        if measurement.confirmed_at is not None:
            raise AlreadyHandled()
        measurement.confirmed_by, measurement.confirmed_at = actor, at
        measurement.save(update_fields=["confirmed_by", "confirmed_at"])
        audit_record(
            actor=actor,
            verb="measurement.confirm",
            obj=measurement,
            old={"confirmed": False},
            new={"confirmed": True, "value": _text(measurement.value)},
            at=at,
        )
        return measurement


def measurement_correct(
    *,
    actor,
    measurement: Measurement,
    value: Decimal,
    note: str,
    files=(),
    at: datetime | None = None,
) -> Measurement:
    """Correct a reported value (điều chỉnh số liệu), always with its reason: the office's
    reviewers at any time, the reporting agency its own value until it is confirmed.

    The rule on confirmation: only a reviewer can correct a confirmed value, and it stays
    confirmed — now by that reviewer, at the correction's moment, the correction being their
    own check of it; an unconfirmed value stays awaiting confirmation whoever corrects it
    (confirming is its own step). The value before and after, and the reason, are kept in the
    audit; new evidence files may come with the correction."""
    at = moment(at)
    reason = nfc(note or "").strip()
    with evidence.kept_if_committed(), transaction.atomic():
        locked = Measurement.objects.select_for_update(of=("self",)).select_related("indicator")
        measurement = cast(
            Measurement,
            access.require_get(locked, actor, MeasurementAction.CORRECT, measurement.pk),
        )
        if not reason:
            raise refused(_("Give the reason for the correction."), "reason_required", "note")
        if value is None:
            raise refused(_("Give the corrected value."), "value_required", "value")
        if Decimal(value) == measurement.value:
            raise refused(
                _("The corrected value is the value already reported."), "value_unchanged", "value"
            )
        old = {"value": _text(measurement.value), "confirmed": measurement.confirmed_at is not None}
        measurement.value = value
        measurement.corrected_by, measurement.corrected_at = actor, at
        fields = ["value", "corrected_by", "corrected_at"]
        if measurement.confirmed_at is not None:
            # Only a reviewer gets here (``workflow.access``): the value stays confirmed, by them.
            measurement.confirmed_by, measurement.confirmed_at = actor, at
            fields += ["confirmed_by", "confirmed_at"]
        validated(measurement)
        checked = evidence.inspect_uploads(files)
        measurement.save(update_fields=fields)
        names = _attach(measurement, checked, actor=actor, at=at)
        audit_record(
            actor=actor,
            verb="measurement.correct",
            obj=measurement,
            old=old,
            new={
                "value": _text(measurement.value),
                "confirmed": measurement.confirmed_at is not None,
                "files": names,
            },
            note=reason,
            at=at,
        )
        return measurement
