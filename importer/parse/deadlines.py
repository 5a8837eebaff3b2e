"""An item's deadline and its recurring reports."""

import re
from datetime import date, timedelta

from core.calendar import WorkCalendar
from workflow.choices import DuePolicy

from ..limits import DEADLINE_HORIZON_YEARS, latest_deadline
from .header import safe_date
from .spans import Claimed

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_BEFORE_FULL = re.compile(
    r"(?:truoc|cham nhat(?: la)?(?: ngay)?|han chot) (?:ngay )?(\d{1,2})(?:/|-| thang )(\d{1,2})"
    r"(?:/|-| nam )(\d{4})"
)
_BEFORE_SHORT = re.compile(r"(?:truoc|cham nhat) ngay (\d{1,2})/(\d{1,2})(?![/\d])")
_QUARTER = re.compile(r"trong quy (iv|iii|ii|i|[1-4])(?: nam |/| )(\d{4})")
_BY_YEAR = re.compile(r"den nam (\d{4})")
_PERIOD = re.compile(r"giai doan (\d{4}) ?[-–] ?(\d{4})")
_ONGOING = re.compile(r"(?:trong )?nam (\d{4}) va (?:nhung|cac) nam tiep theo")
_YEAR = re.compile(r"(?<!thang \d)(?<!thang \d\d)(?:trong )?nam (\d{4})")
_CONTINUOUS = re.compile(r"(?<!chi )thuong xuyen|lien tuc")
_RECURRING = [
    (
        re.compile(r"(?:bao cao )?6 thang(?:,| va)? (?:bao cao )?(?:ca )?nam"),
        ("half_yearly", "yearly"),
    ),
    (re.compile(r"(?:dinh ky|hang|hang) 6 thang|6 thang (?:mot|1) lan"), ("half_yearly",)),
    (re.compile(r"(?:hang|dinh ky) quy|bao cao quy"), ("quarterly",)),
    (re.compile(r"(?:hang|dinh ky) thang|bao cao thang"), ("monthly",)),
    (re.compile(r"hang nam|dinh ky nam|bao cao nam"), ("yearly",)),
]
_ORDER = ("monthly", "quarterly", "half_yearly", "yearly")


def year_ok(year: int, on: date) -> bool:
    """A year a directive of ``on`` may target: from its own year to the horizon that confirm
    accepts (``importer.limits``)."""
    return on.year <= year <= on.year + DEADLINE_HORIZON_YEARS


def _warn_past_years(text: str, folded: str, on: date, warnings: list, number: str) -> None:
    for found in _YEAR.finditer(folded):
        if int(found.group(1)) < on.year:  # "PAS Index năm 2002": never a target year
            warnings.append(
                {
                    "code": "year_before_directive",
                    "item": number,
                    "text": text[slice(*found.span())],
                }
            )


def deadline(
    text: str, folded: str, on: date, warnings: list, number: str, calendar: WorkCalendar
) -> dict | None:
    """The item's deadline; "trước ngày D" is the last working day before D, counted by the
    office's calendar (its overrides included)."""

    def out(policy, day, found, confidence, **extra):
        s, e = found.span()
        return {
            "policy": policy,
            "date": day.isoformat() if day else None,
            "text": text[s:e],
            "span": [s, e],
            "confidence": confidence,
            **extra,
        }

    _warn_past_years(text, folded, on, warnings, number)
    for found in _BEFORE_FULL.finditer(folded):
        day = safe_date(found.group(3), found.group(2), found.group(1))
        if day and on < day <= latest_deadline(on):
            due = calendar.last_working_day_before(day)
            return out(DuePolicy.FIXED, due, found, 0.95, before=day.isoformat())
    for found in _BEFORE_SHORT.finditer(folded):
        day = safe_date(str(on.year), found.group(2), found.group(1))
        if day and day <= on:
            day = safe_date(str(on.year + 1), found.group(2), found.group(1))
        if day:
            due = calendar.last_working_day_before(day)
            return out(DuePolicy.FIXED, due, found, 0.85, before=day.isoformat())
    for found in _QUARTER.finditer(folded):
        quarter, year = _ROMAN[found.group(1)], int(found.group(2))
        if year_ok(year, on):
            end = date(year, quarter * 3, 1) + timedelta(days=31)
            return out(DuePolicy.FIXED, end.replace(day=1) - timedelta(days=1), found, 0.9)
    for found in _PERIOD.finditer(folded):
        year = int(found.group(2))
        if year_ok(year, on):
            return out(DuePolicy.FIXED, date(year, 12, 31), found, 0.75)
    for found in _BY_YEAR.finditer(folded):
        if folded[max(0, found.start() - 11) : found.start()].endswith("dinh huong "):
            continue
        year = int(found.group(1))
        if year_ok(year, on):
            return out(DuePolicy.FIXED, date(year, 12, 31), found, 0.8)
    found = _ONGOING.search(folded)
    if found:
        return out(DuePolicy.CONTINUOUS, None, found, 0.8, since=int(found.group(1)))
    for found in _YEAR.finditer(folded):
        year = int(found.group(1))
        if year_ok(year, on):
            return out(DuePolicy.FIXED, date(year, 12, 31), found, 0.7)
    found = _CONTINUOUS.search(folded)
    if found:
        return out(DuePolicy.CONTINUOUS, None, found, 0.6)
    return None


def recurrence(text: str, folded: str) -> dict | None:
    periods, first = set(), None
    claimed = Claimed()
    for pattern, names in _RECURRING:
        for found in pattern.finditer(folded):
            s, e = found.span()
            if claimed.overlaps(s, e):
                continue
            claimed.add(s, e)
            periods.update(names)
            if first is None or s < first[0]:
                first = (s, e)
    if not periods:
        return None
    s, e = first
    return {
        "periods": [p for p in _ORDER if p in periods],
        "text": text[s:e],
        "span": [s, e],
        "confidence": 0.8,
    }
