"""The Government's swapped days off and make-up working days, as shipped in
core/data/government_calendar.yaml and loaded by ``manage.py load_calendar``.

Each test asserts only what the cited text says; a neighbouring ordinary day checks that the
override did not spill over.
"""

from datetime import date
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from core.calendar import WorkCalendar
from core.models import CalendarOverride

GOVERNMENT_CALENDAR = (
    Path(__file__).resolve().parents[2] / "core" / "data" / "government_calendar.yaml"
)


@pytest.fixture
def calendar(db):
    call_command("load_calendar")
    return WorkCalendar()


def _rows():
    return yaml.safe_load(GOVERNMENT_CALENDAR.read_text(encoding="utf-8"))


# Bộ luật Lao động số 45/2019/QH14, khoản 3 Điều 111: a holiday falling on the weekly rest day
# is made up on the next working day. 2022: 01/01 is a Saturday, Giỗ Tổ (10/04) a Sunday,
# 30/04 a Saturday and 01/05 a Sunday.
@pytest.mark.django_db
def test_2022_weekend_holidays_are_made_up_on_the_following_working_days(calendar):
    assert not calendar.is_working_day(date(2022, 1, 3))
    assert calendar.is_working_day(date(2022, 1, 4))
    assert not calendar.is_working_day(date(2022, 4, 11))
    assert calendar.is_working_day(date(2022, 4, 12))
    assert not calendar.is_working_day(date(2022, 5, 2))
    assert not calendar.is_working_day(date(2022, 5, 3))
    assert calendar.is_working_day(date(2022, 5, 4))


# Công văn số 8056/VPCP-KGVX ngày 01/12/2022: Tết Âm lịch from 20/01/2023 to 26/01/2023 and
# Quốc khánh from 01/09/2023 to 04/09/2023. Bộ luật Lao động 2019, khoản 3 Điều 111: Tết Dương
# lịch (Sunday 01/01) is made up on Monday 02/01; Giỗ Tổ (Saturday 29/04) and 30/04 (Sunday)
# on 02/05 and 03/05.
@pytest.mark.django_db
def test_2023_tet_runs_from_20_to_26_january_and_national_day_ends_on_monday_4_september(
    calendar,
):
    assert not calendar.is_working_day(date(2023, 1, 2))
    assert calendar.is_working_day(date(2023, 1, 3))
    assert calendar.is_working_day(date(2023, 1, 19))
    assert not calendar.is_working_day(date(2023, 1, 20))
    assert not calendar.is_working_day(date(2023, 1, 26))
    assert calendar.is_working_day(date(2023, 1, 27))
    assert not calendar.is_working_day(date(2023, 5, 2))
    assert not calendar.is_working_day(date(2023, 5, 3))
    assert calendar.is_working_day(date(2023, 5, 4))
    assert not calendar.is_working_day(date(2023, 9, 1))
    assert not calendar.is_working_day(date(2023, 9, 4))
    assert calendar.is_working_day(date(2023, 9, 5))


# Thông báo số 5015/TB-LĐTBXH ngày 22/11/2023: Tết Âm lịch from Thursday 08/02/2024 to
# Wednesday 14/02/2024. Công văn số 2450/VPCP-KGVX ngày 12/4/2024: Monday 29/04/2024 is swapped
# for Saturday 04/05/2024, so the 30/4–1/5 break runs from 27/04 to 01/05.
@pytest.mark.django_db
def test_2024_monday_29_april_is_off_and_saturday_4_may_is_made_up(calendar):
    assert calendar.is_working_day(date(2024, 2, 7))
    assert not calendar.is_working_day(date(2024, 2, 8))
    assert not calendar.is_working_day(date(2024, 2, 14))
    assert calendar.is_working_day(date(2024, 2, 15))
    assert calendar.is_working_day(date(2024, 4, 26))
    assert not calendar.is_working_day(date(2024, 4, 29))
    assert not calendar.is_working_day(date(2024, 4, 30))
    assert not calendar.is_working_day(date(2024, 5, 1))
    assert calendar.is_working_day(date(2024, 5, 2))
    assert calendar.is_working_day(date(2024, 5, 4))
    assert not calendar.is_working_day(date(2024, 5, 5))


# Công văn số 8726/VPCP-KGVX ngày 26/11/2024 and Thông báo số 6150/TB-BLĐTBXH ngày 03/12/2024:
# Tết Âm lịch from Saturday 25/01/2025 to Sunday 02/02/2025; the 30/4–1/5 break runs from
# 30/04 to 04/05/2025, Friday 02/05 being made up on Saturday 26/04/2025; Quốc khánh from
# Saturday 30/08 to Tuesday 02/09/2025.
@pytest.mark.django_db
def test_2025_friday_2_may_is_off_and_saturday_26_april_is_made_up(calendar):
    assert calendar.is_working_day(date(2025, 1, 24))
    assert not calendar.is_working_day(date(2025, 1, 27))
    assert not calendar.is_working_day(date(2025, 1, 31))
    assert calendar.is_working_day(date(2025, 2, 3))
    assert calendar.is_working_day(date(2025, 4, 25))
    assert calendar.is_working_day(date(2025, 4, 26))
    assert not calendar.is_working_day(date(2025, 4, 27))
    assert not calendar.is_working_day(date(2025, 4, 30))
    assert not calendar.is_working_day(date(2025, 5, 2))
    assert calendar.is_working_day(date(2025, 5, 5))
    assert not calendar.is_working_day(date(2025, 9, 1))
    assert not calendar.is_working_day(date(2025, 9, 2))
    assert calendar.is_working_day(date(2025, 9, 3))


# Công văn số 12729/VPCP-KGVX ngày 25/12/2025: Tết Dương lịch from Thursday 01/01/2026 to
# Sunday 04/01/2026, Friday 02/01 swapped for Saturday 10/01/2026. Công văn số 9859/VPCP-KGVX
# ngày 13/10/2025 and Thông báo số 9441 ngày 16/10/2025 của Bộ Nội vụ: Tết Âm lịch from 14/02 to
# 22/02/2026 (Tết days 16/02–20/02); Quốc khánh from Saturday 29/08 to Wednesday 02/09/2026,
# Monday 31/08 swapped for Saturday 22/08/2026. Bộ luật Lao động 2019, khoản 3 Điều 111: Giỗ Tổ
# (Sunday 26/04/2026) is made up on Monday 27/04.
@pytest.mark.django_db
def test_2026_new_year_friday_is_off_and_saturday_10_january_is_made_up(calendar):
    assert not calendar.is_working_day(date(2026, 1, 1))
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert calendar.is_working_day(date(2026, 1, 5))
    assert calendar.is_working_day(date(2026, 1, 9))
    assert calendar.is_working_day(date(2026, 1, 10))
    assert not calendar.is_working_day(date(2026, 1, 11))
    assert calendar.is_working_day(date(2026, 2, 13))
    assert not calendar.is_working_day(date(2026, 2, 16))
    assert not calendar.is_working_day(date(2026, 2, 20))
    assert calendar.is_working_day(date(2026, 2, 23))
    assert not calendar.is_working_day(date(2026, 4, 27))
    assert calendar.is_working_day(date(2026, 4, 28))
    assert calendar.is_working_day(date(2026, 8, 21))
    assert calendar.is_working_day(date(2026, 8, 22))
    assert not calendar.is_working_day(date(2026, 8, 23))
    assert calendar.is_working_day(date(2026, 8, 28))
    assert not calendar.is_working_day(date(2026, 8, 31))
    assert not calendar.is_working_day(date(2026, 9, 1))
    assert not calendar.is_working_day(date(2026, 9, 2))
    assert calendar.is_working_day(date(2026, 9, 3))


# Công văn số 12729/VPCP-KGVX ngày 25/12/2025: 01/01 is Tết Dương lịch, 02/01 a swapped day off
# and 03–04/01 the weekend, so one working day after 31/12/2025 is Monday 05/01/2026.
@pytest.mark.django_db
def test_a_deadline_counted_across_new_year_2026_skips_the_swapped_friday(calendar):
    assert WorkCalendar().add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)


@pytest.mark.django_db
def test_every_shipped_row_is_loaded_and_names_its_legal_source():
    rows = _rows()
    call_command("load_calendar")
    days = [row["day"] for row in rows]
    assert len(set(days)) == len(rows)
    assert all(str(row.get("source") or "").strip() for row in rows)
    loaded = CalendarOverride.objects.filter(day__in=days)
    assert loaded.count() == len(rows)
    assert {(o.day, o.kind) for o in loaded} == {(row["day"], row["kind"]) for row in rows}
    assert all(o.source.strip() for o in loaded)


@pytest.mark.django_db
def test_loading_the_calendar_twice_creates_no_duplicate():
    call_command("load_calendar")
    first = CalendarOverride.objects.all().count()
    call_command("load_calendar")
    assert CalendarOverride.objects.all().count() == first
    assert first == len(_rows())
