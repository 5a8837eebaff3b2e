"""Working days as the Vietnamese administration counts them.

A working day is Monday–Friday, or a make-up Saturday the Government sets, minus public
holidays (the ``holidays`` package: Tết Dương lịch, five days of lunar Tết, Giỗ Tổ Hùng Vương,
30/4, 1/5, Quốc khánh and the Government's swapped days), with the office's own
``CalendarOverride`` rows taking precedence. A task is due at 23:59:59 Asia/Ho_Chi_Minh of its
due date (``core.time.end_of_day``).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from .choices import PERIOD_MONTHS, CalendarDayKind, DuePolicy
from .models import CalendarOverride


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


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class DueRule:
    """How an assignment's due date is set: continuous, a fixed date, or N working days."""

    policy: str
    fixed_date: date | None = None
    working_days: int | None = None

    def due_date(self, *, assigned_on: date, cal: WorkCalendar) -> date | None:
        if self.policy == DuePolicy.CONTINUOUS:
            return None
        if self.policy == DuePolicy.FIXED:
            return self.fixed_date
        return cal.add_working_days(assigned_on, self.working_days or 0)


def period_bounds(period: str, start: date, index: int) -> tuple[date, date]:
    """The ``index``-th period of length ``period`` counted from ``start`` (first day, last day)."""
    months = PERIOD_MONTHS[period]
    first = add_months(start, months * index)
    last = add_months(start, months * (index + 1)) - timedelta(days=1)
    return first, last


def occurrence_due_date(
    *, period_end: date, report_day: int, month_offset: int, cal: WorkCalendar
) -> date:
    """The last working day before ``report_day`` of the month ``month_offset`` after the
    period's last month: "before 15/6" for January–June (offset 0), "before 15/11" for a
    calendar year (offset −1)."""
    month = add_months(period_end.replace(day=1), month_offset)
    day = min(report_day, calendar.monthrange(month.year, month.month)[1])
    return cal.last_working_day_before(month.replace(day=day))
