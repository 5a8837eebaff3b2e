"""An item's quantified targets ("đạt 20-25%", "nhóm 10 tỉnh dẫn đầu")."""

import re
from bisect import bisect_right
from datetime import date

from .deadlines import year_ok
from .spans import Claimed, Clauses

_NUM = r"(\d+(?:[.,]\d+)?)"
_INDICATORS = [
    # (?<!\d): never start inside a run of digits (a match there would start at the run's first
    # digit anyway), so that a long run of digits costs one try, not one per digit.
    ("range%", re.compile(r"(?<!\d)" + _NUM + r" ?(?:-|–|den) ?" + _NUM + r" ?%")),
    ("steps", re.compile(r"tu (\d+) den (\d+) (bac|hang|diem)")),
    (
        "top",
        re.compile(
            r"(?:nhom|top) (\d+) (?:tinh, thanh pho|tinh, thanh|tinh|dia phuong|don vi)"
            r"(?: [a-z]+){0,3}? (?:dung dau|dan dau|cao nhat)"
        ),
    ),
    ("percent", re.compile(r"(?<![\d.,–-])" + _NUM + r" ?%")),
]
# The verb just before a target ("đạt 5%", "cắt giảm 30%"), read as part of the target's text:
# the longest that ends right before it (looked up by length, not searched for).
_LEFT_VERBS = frozenset(
    v + " " for v in ("cat giam", "giam", "dat", "tang", "toi thieu", "it nhat", "tren", "phan dau")
)
_LEFT_LENGTHS = sorted({len(v) for v in _LEFT_VERBS}, reverse=True)
_BY_YEAR = re.compile(r"den nam (\d{4})")
_TAIL = re.compile(r"(?: [^\s,;.()]+){1,3}")


class _TargetYears:
    """The "đến năm YYYY" of a text that a directive of ``on`` may target, by position."""

    def __init__(self, folded: str, on: date) -> None:
        found = [m for m in _BY_YEAR.finditer(folded) if year_ok(int(m.group(1)), on)]
        self._starts = [m.start() for m in found]
        self._ends = [m.end() for m in found]
        self._years = [int(m.group(1)) for m in found]

    def last(self, start: int, end: int) -> int | None:
        """The year of the last one lying wholly inside [start, end)."""
        i = bisect_right(self._ends, end) - 1
        return self._years[i] if i >= 0 and self._starts[i] >= start else None


def _number(value: str) -> float | int:
    value = value.replace(",", ".")
    return float(value) if "." in value else int(value)


def find_indicators(text: str, folded: str, on: date) -> list[dict]:
    found_all, claimed = [], Claimed()
    clauses, years = Clauses(folded, ";.\n"), _TargetYears(folded, on)
    for kind, pattern in _INDICATORS:
        for found in pattern.finditer(folded):
            s, e = found.span()
            if claimed.overlaps(s, e):
                continue
            claimed.add(s, e)
            if kind == "range%":
                target = {"min": _number(found.group(1)), "max": _number(found.group(2))}
                target["unit"] = "%"
            elif kind == "steps":
                unit = {"bac": "bậc", "hang": "hạng", "diem": "điểm"}[found.group(3)]
                target = {"min": int(found.group(1)), "max": int(found.group(2)), "unit": unit}
            elif kind == "top":
                target = {"top": int(found.group(1)), "unit": "rank"}
            else:
                target = {"value": _number(found.group(1)), "unit": "%"}
            c0, _c1 = clauses.bounds(s)
            year = years.last(c0, e)
            if year is not None:
                target["year"] = year
            for length in _LEFT_LENGTHS:
                if length <= s and folded[s - length : s] in _LEFT_VERBS:
                    s -= length
                    break
            if kind in ("range%", "percent"):
                tail = _TAIL.match(folded, e)
                if tail:
                    e = tail.end()
            found_all.append(
                {
                    "text": text[s:e],
                    "span": [s, e],
                    "target": target,
                    "confidence": 0.9 if kind != "percent" else 0.8,
                }
            )
    found_all.sort(key=lambda i: i["span"][0])
    return found_all
