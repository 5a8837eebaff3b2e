"""Due dates: how an assignment's deadline is set and when a recurring report is due.

Working days are counted by ``core.calendar.WorkCalendar``. A task is due at 23:59:59
Asia/Ho_Chi_Minh of its due date (``core.time.end_of_day``).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from core.calendar import WorkCalendar
from core.exceptions import InvalidInput

from .choices import PERIOD_MONTHS, DuePolicy


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Due:
    """A resolved due date; ``as_written`` is the written date when it fell on a day off and
    was moved to the next working day."""

    date: date | None
    as_written: date | None = None


@dataclass(frozen=True)
class DueRule:
    """How an assignment's due date is set: continuous, a fixed date, or N working days.

    Build it with ``DueRule.of`` (pages, API, breakdown documents all do), which refuses a
    fixed policy without a date and a working-days policy without a positive count.
    """

    policy: str
    fixed_date: date | None = None
    working_days: int | None = None

    @classmethod
    def of(cls, policy, *, fixed_date=None, working_days=None) -> "DueRule":
        if policy not in DuePolicy.values:
            raise InvalidInput(_("Choose how the due date is set."), code="due_policy")
        if policy == DuePolicy.FIXED and fixed_date is None:
            raise InvalidInput(_("Give the due date."), code="due_date_required")
        if policy == DuePolicy.WORKING_DAYS and not (working_days and working_days > 0):
            raise InvalidInput(_("Give the number of working days."), code="days_required")
        return cls(
            DuePolicy(policy),
            fixed_date=fixed_date if policy == DuePolicy.FIXED else None,
            working_days=working_days if policy == DuePolicy.WORKING_DAYS else None,
        )

    def resolve(self, *, assigned_on: date, cal: WorkCalendar) -> Due:
        """The due date for work assigned on ``assigned_on``. A fixed date on a day off moves
        to the next working day (Bộ luật Dân sự 2015, art. 148) unless
        ``settings.DUE_DATE_MOVES_OFF_DAYS_OFF`` is false."""
        if self.policy == DuePolicy.CONTINUOUS:
            return Due(None)
        if self.policy == DuePolicy.FIXED:
            written = self.fixed_date
            if written is None or not settings.DUE_DATE_MOVES_OFF_DAYS_OFF:
                return Due(written)
            moved = cal.on_or_after(written)
            return Due(moved, as_written=written if moved != written else None)
        return Due(cal.add_working_days(assigned_on, self.working_days or 0))


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


def recurring_due_text(*, period: str, starts_on: date, report_day: int, month_offset: int) -> str:
    """How the office writes a recurring report's deadline: "trước ngày 15 hằng tháng",
    "trước ngày 15 các tháng 6 và 12", "trước ngày 15 tháng 11 hằng năm" (the months are those
    ``occurrence_due_date`` reaches for periods counted from ``starts_on``)."""
    months = PERIOD_MONTHS[period]
    if months == 1:
        return _("before day {day} of every month").format(day=report_day)
    reached = sorted(
        {
            add_months(starts_on.replace(day=1), months * k - 1 + month_offset).month
            for k in range(1, 12 // months + 1)
        }
    )
    if len(reached) == 1:
        return _("before day {day} of month {month} every year").format(
            day=report_day, month=reached[0]
        )
    listed = ", ".join(str(m) for m in reached[:-1])
    return _("before day {day} of months {months} and {last}").format(
        day=report_day, months=listed, last=reached[-1]
    )
