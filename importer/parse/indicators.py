"""An item's quantified targets ("đạt 20-25%", "nhóm 10 tỉnh dẫn đầu")."""

import re
from datetime import date

from .agencies import clause_bounds
from .deadlines import year_ok

_NUM = r"(\d+(?:[.,]\d+)?)"
_INDICATORS = [
    ("range%", re.compile(_NUM + r" ?(?:-|–|den) ?" + _NUM + r" ?%")),
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
_LEFT_VERB = re.compile(r"(?:cat giam|giam|dat|tang|toi thieu|it nhat|tren|phan dau) $")


def _number(value: str) -> float | int:
    value = value.replace(",", ".")
    return float(value) if "." in value else int(value)


def find_indicators(text: str, folded: str, on: date) -> list[dict]:
    found_all, claimed = [], []
    for kind, pattern in _INDICATORS:
        for found in pattern.finditer(folded):
            s, e = found.span()
            if any(s < ce and cs < e for cs, ce in claimed):
                continue
            claimed.append((s, e))
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
            c0, _c1 = clause_bounds(folded, s, ";.\n")
            years = [int(y) for y in re.findall(r"den nam (\d{4})", folded[c0:e])]
            years = [y for y in years if year_ok(y, on)]
            if years:
                target["year"] = years[-1]
            left = _LEFT_VERB.search(folded[max(0, s - 12) : s])
            if left:
                s -= len(left.group())
            if kind in ("range%", "percent"):
                tail = re.match(r"(?: [^\s,;.()]+){1,3}", folded[e:])
                if tail:
                    e += tail.end()
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
