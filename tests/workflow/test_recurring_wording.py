"""A recurring report's deadline reads as the office writes it, not as a month offset."""

from datetime import date

import pytest
from django.utils import translation

from workflow.choices import Period
from workflow.deadlines import recurring_due_text


@pytest.mark.parametrize(
    ("period", "starts_on", "offset", "expected"),
    [
        (Period.MONTHLY, date(2026, 1, 1), 0, "trước ngày 15 hằng tháng"),
        (Period.QUARTERLY, date(2026, 1, 1), 0, "trước ngày 15 các tháng 3, 6, 9 và 12"),
        (Period.HALF_YEARLY, date(2026, 1, 1), 0, "trước ngày 15 các tháng 6 và 12"),
        (Period.HALF_YEARLY, date(2026, 7, 1), 0, "trước ngày 15 các tháng 6 và 12"),
        (Period.YEARLY, date(2026, 1, 1), -1, "trước ngày 15 tháng 11 hằng năm"),
        (Period.YEARLY, date(2026, 1, 1), 1, "trước ngày 15 tháng 1 hằng năm"),
    ],
)
def test_the_deadline_names_the_day_and_the_months(period, starts_on, offset, expected):
    with translation.override("vi"):
        text = recurring_due_text(
            period=period, starts_on=starts_on, report_day=15, month_offset=offset
        )
    assert text == expected
