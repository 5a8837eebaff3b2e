"""Working days as the Vietnamese administration counts them.

A working day is Monday–Friday, or a make-up Saturday, minus public holidays. The public
holidays come from the ``holidays`` package (Tết Dương lịch, five days of lunar Tết, Giỗ Tổ Hùng
Vương, 30/4, 1/5, Quốc khánh); ``CalendarOverride`` rows take precedence over it: the
Government's yearly notices of swapped days off and make-up working days, shipped as data in
``core/data/government_calendar.yaml`` with their legal sources (the package is not always right:
it keeps Friday 2/1/2026 a working day), and the office's own days entered in the admin.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import holidays
import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit_record
from .choices import CalendarDayKind, OverrideOrigin
from .exceptions import InvalidInput
from .models import CalendarOverride

GOVERNMENT_CALENDAR = Path(__file__).resolve().parent / "data" / "government_calendar.yaml"


class WorkCalendar:
    """A calendar loaded once (one query for the overrides) and then used in memory."""

    def __init__(self, overrides: dict[date, str] | None = None):
        if overrides is None:
            overrides = dict(CalendarOverride.objects.values_list("day", "kind"))
        self.overrides = overrides
        self._years: dict[int, holidays.HolidayBase] = {}

    def _public(self, year: int) -> holidays.HolidayBase:
        if year not in self._years:
            self._years[year] = holidays.country_holidays("VN", years=year)
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        kind = self.overrides.get(day)
        if kind == CalendarDayKind.DAY_OFF:
            return False
        if kind == CalendarDayKind.WORKING_DAY:
            return True
        public = self._public(day.year)
        if day in public:
            return False
        return day.weekday() < 5 or day in public.weekend_workdays

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (the day of receipt is not counted)."""
        if days < 0:
            return self.subtract_working_days(start, -days)
        day = start
        while days > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def subtract_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day before ``start``."""
        day = start
        while days > 0:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def shift(self, day: date, offset: int) -> date:
        """``offset`` working days after ``day`` (before it when negative; ``day`` itself at 0)."""
        return self.add_working_days(day, offset) if offset else day

    def latest_reached(self, today: date, offset: int) -> date:
        """The latest day whose ``offset``-th working day has come by ``today``: a level at +5
        is reached on the fifth working day after the due date, one at −3 on the third working
        day before it."""
        if offset == 0:
            return today
        guess = self.shift(today, -offset)
        while self.shift(guess, offset) > today:
            guess -= timedelta(days=1)
        while self.shift(guess + timedelta(days=1), offset) <= today:
            guess += timedelta(days=1)
        return guess

    def on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the next one (Bộ luật Dân sự 2015, art. 148:
        a period ending on a day off ends on the next working day)."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def last_working_day_before(self, day: date) -> date:
        """For "trước ngày D": the last working day strictly before ``day``."""
        return self.subtract_working_days(day, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1
            for n in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=n))
        )


@dataclass(frozen=True)
class LoadReport:
    created: int
    updated: int
    unchanged: int


def _rows(path: Path) -> list[dict]:
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(str(exc), code="invalid_calendar") from exc
    if not isinstance(rows, list):
        raise InvalidInput(_("The calendar file must be a list of days."), code="invalid_calendar")
    for n, row in enumerate(rows, start=1):
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("day"), date)
            or row.get("kind") not in CalendarDayKind.values
            or not str(row.get("reason") or "").strip()
            or not str(row.get("source") or "").strip()
        ):
            raise InvalidInput(
                _("Row {n}: a day needs a date, a kind, a reason and its legal source.").format(
                    n=n
                ),
                code="invalid_calendar",
            )
    return rows


def government_calendar_load(*, actor=None, path: Path = GOVERNMENT_CALENDAR) -> LoadReport:
    """Load the Government's swapped and make-up days, idempotently and all or nothing; a day
    the office entered itself is never overwritten."""
    rows = _rows(path)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            o.day: o for o in CalendarOverride.objects.filter(day__in=[r["day"] for r in rows])
        }
        for row in rows:
            values = {
                "kind": row["kind"],
                "reason": str(row["reason"]).strip(),
                "source": str(row["source"]).strip(),
                "origin": OverrideOrigin.GOVERNMENT,
            }
            current = existing.get(row["day"])
            if current is None:
                override = CalendarOverride.objects.create(day=row["day"], **values)
                audit_record(actor=actor, verb="calendar.load", obj=override, new=values)
                created += 1
            elif current.origin == OverrideOrigin.OFFICE or all(
                getattr(current, k) == v for k, v in values.items()
            ):
                unchanged += 1
            else:
                old = {k: getattr(current, k) for k in values}
                for key, value in values.items():
                    setattr(current, key, value)
                current.save(update_fields=list(values))
                audit_record(actor=actor, verb="calendar.load", obj=current, old=old, new=values)
                updated += 1
    return LoadReport(created=created, updated=updated, unchanged=unchanged)
