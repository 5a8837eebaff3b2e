"""Working days as the administration counts them."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import WorkCalendar
from core.choices import CalendarDayKind
from core.exceptions import InvalidInput
from core.models import CalendarOverride
from workflow.choices import DuePolicy, Period
from workflow.deadlines import Due, DueRule, occurrence_due_date, period_bounds

CAL = WorkCalendar(overrides={})


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2023, 1, 20), False),  # 29 Tết (Quý Mão)
        (date(2023, 1, 26), False),  # mùng 5 Tết
        (date(2023, 1, 27), True),  # back to work
        (date(2024, 2, 8), False),  # 29 Tết (Giáp Thìn)
        (date(2024, 2, 14), False),  # mùng 5
        (date(2024, 2, 15), True),
        (date(2024, 4, 29), False),  # swapped day off before 30/4
        (date(2024, 4, 30), False),
        (date(2024, 5, 1), False),
        (date(2024, 5, 4), True),  # make-up Saturday for 29/4
        (date(2024, 9, 2), False),
        (date(2024, 9, 3), False),
        (date(2024, 9, 4), True),
        (date(2025, 4, 26), True),  # make-up Saturday for 2/5/2025
        (date(2025, 5, 2), False),
        (date(2026, 2, 21), False),  # an ordinary Saturday
    ],
)
def test_public_holidays_and_make_up_saturdays(day, working):
    assert CAL.is_working_day(day) is working


def test_working_days_skip_tet_2024():
    # Received Wednesday 7/2/2024, the day before the Tết break (8–14/2): 3 working days later
    # is Monday 19/2 (15, 16 and 19 February).
    assert CAL.add_working_days(date(2024, 2, 7), 3) == date(2024, 2, 19)


def test_working_days_skip_tet_2023():
    # Friday 13/1/2023 + 5 working days: 16, 17, 18, 19/1 then the break 20–26/1, then 27/1.
    assert CAL.add_working_days(date(2023, 1, 13), 5) == date(2023, 1, 27)


def test_working_days_across_30_4_and_1_5_2024_count_the_make_up_saturday():
    # Friday 26/4/2024: 29/4, 30/4, 1/5 are off; 2/5 (1), 3/5 (2), Saturday 4/5 (3).
    assert CAL.add_working_days(date(2024, 4, 26), 3) == date(2024, 5, 4)


def test_national_day_2024():
    assert CAL.add_working_days(date(2024, 8, 30), 1) == date(2024, 9, 4)


def test_office_overrides_win(db):
    CalendarOverride.objects.create(
        day=date(2026, 3, 2),
        kind=CalendarDayKind.DAY_OFF,
        reason="Nghỉ bù theo thông báo của UBND tỉnh",
    )
    CalendarOverride.objects.create(
        day=date(2026, 3, 7), kind=CalendarDayKind.WORKING_DAY, reason="Làm bù"
    )
    cal = WorkCalendar()
    assert not cal.is_working_day(date(2026, 3, 2))
    assert cal.is_working_day(date(2026, 3, 7))
    # Friday 27/2/2026 + 2 working days: Monday 2/3 is off → 3/3, 4/3.
    assert cal.add_working_days(date(2026, 2, 27), 2) == date(2026, 3, 4)


def test_due_rules():
    assert DueRule(DuePolicy.CONTINUOUS).resolve(assigned_on=date(2026, 1, 5), cal=CAL).date is None
    fixed = DueRule(DuePolicy.FIXED, fixed_date=date(2026, 6, 30))
    assert fixed.resolve(assigned_on=date(2026, 1, 5), cal=CAL) == Due(date(2026, 6, 30))
    ten = DueRule(DuePolicy.WORKING_DAYS, working_days=10)
    assert ten.resolve(assigned_on=date(2026, 1, 5), cal=CAL).date == date(2026, 1, 19)


def test_a_fixed_date_on_a_sunday_moves_to_monday_and_says_so():
    # Bộ luật Dân sự 2015, art. 148: a period ending on a day off ends on the next working day.
    sunday = DueRule(DuePolicy.FIXED, fixed_date=date(2026, 6, 14))
    due = sunday.resolve(assigned_on=date(2026, 1, 5), cal=CAL)
    assert due == Due(date(2026, 6, 15), as_written=date(2026, 6, 14))


def test_a_fixed_date_on_tet_moves_past_the_whole_holiday():
    # 17/2/2026 is the first day of Tết Bính Ngọ; the holiday runs to Friday 20/2.
    due = DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 17)).resolve(
        assigned_on=date(2026, 1, 5), cal=CAL
    )
    assert due.date == date(2026, 2, 23)


def test_the_setting_keeps_a_fixed_date_as_written(settings):
    settings.DUE_DATE_MOVES_OFF_DAYS_OFF = False
    due = DueRule(DuePolicy.FIXED, fixed_date=date(2026, 6, 14)).resolve(
        assigned_on=date(2026, 1, 5), cal=CAL
    )
    assert due == Due(date(2026, 6, 14))


def test_a_due_rule_is_built_whole_or_refused():
    with pytest.raises(InvalidInput):
        DueRule.of(DuePolicy.FIXED)
    with pytest.raises(InvalidInput):
        DueRule.of(DuePolicy.WORKING_DAYS, working_days=0)
    with pytest.raises(InvalidInput):
        DueRule.of("soon")
    assert DueRule.of(DuePolicy.CONTINUOUS, fixed_date=date(2026, 1, 1)).fixed_date is None


def test_recurring_report_dates():
    first, last = period_bounds(Period.HALF_YEARLY, date(2026, 1, 1), 0)
    assert (first, last) == (date(2026, 1, 1), date(2026, 6, 30))
    # "trước ngày 15/6": Sunday 14/6/2026 and Saturday 13/6 are rest days → Friday 12/6.
    assert occurrence_due_date(period_end=last, report_day=15, month_offset=0, cal=CAL) == date(
        2026, 6, 12
    )
    first, last = period_bounds(Period.YEARLY, date(2022, 1, 1), 1)
    assert (first, last) == (date(2023, 1, 1), date(2023, 12, 31))
    # Annual report "trước ngày 15/11": offset −1 from December.
    assert occurrence_due_date(period_end=last, report_day=15, month_offset=-1, cal=CAL) == date(
        2023, 11, 14
    )
    assert period_bounds(Period.QUARTERLY, date(2026, 1, 1), 3) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    assert period_bounds(Period.MONTHLY, date(2026, 1, 31), 1)[0] == date(2026, 2, 28)


@settings(max_examples=60, deadline=None)
@given(
    st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=1, max_value=40),
)
def test_adding_n_working_days_lands_on_a_working_day_n_working_days_later(start, n):
    end = CAL.add_working_days(start, n)
    assert CAL.is_working_day(end)
    assert CAL.working_days_between(start, end) == n
    assert CAL.subtract_working_days(end, n) <= start
    assert end - start >= timedelta(days=n)
