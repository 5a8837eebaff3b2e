"""Reports an agency owes every period, and the assignments generated for each period."""

from datetime import date, datetime
from typing import cast

from django.db import transaction

from agencies.models import Agency
from agencies.selectors import agency_lifetimes
from core import access
from core.audit import audit_record
from core.calendar import WorkCalendar
from core.text import nfc, shorten

from ..choices import (
    AssignmentRole,
    AssignmentSource,
    DirectiveAction,
    DirectiveStatus,
    DuePolicy,
    Modality,
)
from ..deadlines import occurrence_due_date, period_bounds
from ..models import Assignment, DirectiveItem, RecurringObligation
from ._base import moment, validated
from .assigning import assignment_start


def obligation_create(
    *,
    actor,
    item: DirectiveItem,
    agency: Agency,
    title: str,
    period: str,
    starts_on: date,
    ends_on: date | None = None,
    report_day: int = 15,
    month_offset: int = 0,
    modality: str = Modality.ORDER,
    expected_output: str = "",
    agency_as_written: str = "",
) -> RecurringObligation:
    """Record that ``agency`` owes a report every ``period`` for ``item``."""
    with transaction.atomic():
        access.require(actor, DirectiveAction.ASSIGN, item.directive)
        obligation = RecurringObligation(
            item=item,
            agency=agency,
            title=nfc(title),
            period=period,
            starts_on=starts_on,
            ends_on=ends_on,
            report_day=report_day,
            month_offset=month_offset,
            modality=modality,
            expected_output=nfc(expected_output),
            agency_as_written=nfc(agency_as_written),
        )
        validated(obligation)
        obligation.save()
        audit_record(
            actor=actor,
            verb="obligation.create",
            obj=item.directive,
            new={"obligation": obligation.pk, "agency": agency.code, "period": period},
        )
        return obligation


def _occurrence_title(title: str, first: date, last: date) -> str:
    suffix = f" ({first:%d/%m/%Y}–{last:%d/%m/%Y})"
    room = cast(int, Assignment._meta.get_field("title").max_length) - len(suffix)
    return shorten(title, room) + suffix


def _missing_periods(obligation, *, until: date, existing: set, lifetime):
    """The (first, last) days of each period of ``obligation`` that starts by ``until``, has no
    occurrence yet and begins while its agency exists."""
    index = 0
    while True:
        first, last = period_bounds(obligation.period, obligation.starts_on, index)
        index += 1
        if first > until or (obligation.ends_on and first >= obligation.ends_on):
            return
        if (obligation.pk, first) not in existing and lifetime.exists_on(first):
            yield first, last


def occurrences_generate(*, until: date, at: datetime | None = None) -> list[Assignment]:
    """Create every missing occurrence whose period starts by ``until`` (idempotent).

    Existing occurrences are read in one query; a unique constraint on (obligation, period
    start) makes a concurrent second run fail rather than duplicate.
    """
    at = moment(at)
    created = []
    with transaction.atomic():
        obligations = list(
            RecurringObligation.objects.select_related("item__directive", "agency").filter(
                starts_on__lte=until, item__directive__status=DirectiveStatus.PUBLISHED
            )
        )
        existing = set(
            Assignment.objects.filter(obligation__in=obligations).values_list(
                "obligation_id", "period_start"
            )
        )
        cal = WorkCalendar()
        lifetimes = agency_lifetimes(agency_ids={o.agency_id for o in obligations})
        for obligation in obligations:
            periods = _missing_periods(
                obligation, until=until, existing=existing, lifetime=lifetimes[obligation.agency_id]
            )
            for first, last in periods:
                due = occurrence_due_date(
                    period_end=last,
                    report_day=obligation.report_day,
                    month_offset=obligation.month_offset,
                    cal=cal,
                )
                if due < obligation.item.directive.issued_on:
                    continue  # a report that fell due before the directive asked for it
                created.append(_occurrence_start(obligation, first, last, due, at))
    return created


def _occurrence_start(obligation, first: date, last: date, due: date, at) -> Assignment:
    return assignment_start(
        actor=None,
        at=at,
        item=obligation.item,
        agency_as_written=obligation.agency,
        agency=obligation.agency,
        agency_text=obligation.agency_as_written,
        role=AssignmentRole.LEAD,
        modality=obligation.modality,
        obligation=obligation,
        period_start=first,
        period_end=last,
        title=_occurrence_title(obligation.title, first, last),
        expected_output=obligation.expected_output,
        # Given when its period starts, but never before the directive that asks for it.
        assigned_on=min(max(first, obligation.item.directive.issued_on), due),
        due_policy=DuePolicy.FIXED,
        due_date=due,
        source=AssignmentSource.RECURRENCE,
    )
