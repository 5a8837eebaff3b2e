"""An item's quantified targets ("đạt 20-25%", "nhóm 10 tỉnh dẫn đầu")."""

import re
from bisect import bisect_left, bisect_right
from datetime import date

from core.text import shorten

from .deadlines import year_ok
from .lexicon import fold_chars
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

# An indicator's name is the clause its target stands in: from the start of its sentence part
# (after a ";", ":", a full stop or a line break) to the end of the clause (up to a "," too),
# so that it never stops inside a word ("thời gian giải" | "quyết thủ tục hành chính").
# A "." or "," counts only before a space or the end: never the one inside "2,5%" or "1.000".
NAME_CHARS = 255  # Indicator.name
SOURCE_CHARS = 500  # Indicator.source_text
_NAME_START_SEPS = re.compile(r"[;:\n]|\.(?=\s|$)")
_NAME_END_SEPS = re.compile(r"[;:\n]|[.,](?=\s|$)")
_ELLIPSIS = "…"


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


class _Cuts:
    """The positions of a separator pattern in a text, asked by binary search (each target's
    clause is found without scanning back through the text: see ``spans``)."""

    def __init__(self, folded: str, pattern: re.Pattern) -> None:
        self._at = [m.start() for m in pattern.finditer(folded)]

    def before(self, pos: int) -> int:
        """Where the clause ending at ``pos`` starts: just after the last cut before it."""
        i = bisect_left(self._at, pos) - 1
        return self._at[i] + 1 if i >= 0 else 0

    def after(self, pos: int, length: int) -> int:
        """The first cut at or after ``pos`` (the text's end when none)."""
        i = bisect_left(self._at, pos)
        return self._at[i] if i < len(self._at) else length


def _lead(text: str, start: int, end: int, room: int) -> str:
    """The last words of ``text[start:end]`` in at most ``room`` characters, "…" first when
    some are left out."""
    words = text[start:end].split()
    if start > 0 and not text[start - 1].isspace() and not text[start : start + 1].isspace():
        words = words[1:]  # the window began inside a word
    kept, size = [], 0
    for word in reversed(words):
        if size + len(word) + 1 > room:
            return _ELLIPSIS + " ".join(reversed(kept)) if kept else ""
        kept.append(word)
        size += len(word) + 1
    return " ".join(reversed(kept))


def _tail(text: str, start: int, end: int, room: int, whole: bool) -> str:
    """The first words of ``text[start:end]`` in at most ``room`` characters, "…" last when
    some are left out (``whole``: ``end`` is the clause's end, not a cut inside a word)."""
    words = text[start:end].split()
    if not whole and words and not text[end : end + 1].isspace():
        words = words[:-1]  # the window ended inside a word
    kept, size = [], 0
    for word in words:
        if size + len(word) + 1 > room:
            return " ".join(kept) + _ELLIPSIS
        kept.append(word)
        size += len(word) + 1
    return " ".join(kept) + ("" if whole or len(kept) == len(words) else _ELLIPSIS)


def _clause(text: str, s: int, e: int, starts: _Cuts, ends: _Cuts, width: int) -> str:
    """The words of the clause around the target ``text[s:e]`` in at most ``width``
    characters, cut only between words: when the clause is longer, the words before and after
    the target share the room (either taking what the other leaves), the cuts marked "…"."""
    first, last = starts.before(s), ends.after(e, len(text))
    c0, c1 = max(first, s - width), min(last, e + width)
    target = " ".join(text[s:e].split())
    room = max(width - len(target) - 2, 0)
    before = _lead(text, c0, s, width)
    after = _tail(text, e, c1, width, whole=c1 == last)
    if c0 > first and before and not before.startswith(_ELLIPSIS):
        before = _ELLIPSIS + before
    if len(before) + len(after) > room:
        half = room // 2
        lead_room = max(half, room - len(after))
        before = _lead(text, c0, s, lead_room) if len(before) > lead_room else before
        after = _tail(text, e, c1, room - len(before), whole=c1 == last)
    name = " ".join(part for part in (before, target, after) if part)
    name = shorten(name, width).rstrip(" ,;:")
    return name if name.startswith(_ELLIPSIS) else name[:1].upper() + name[1:]


class TargetWords:
    """The readable words of the targets read in one item's ``text`` (by their ``span``): the
    ``name`` an indicator is given and the ``source`` it keeps. Built once per item (one pass
    over its text), then each target's words cost a binary search and a bounded slice."""

    def __init__(self, text: str) -> None:
        folded = fold_chars(text)
        self.text = text
        self._starts, self._ends = _Cuts(folded, _NAME_START_SEPS), _Cuts(folded, _NAME_END_SEPS)

    def holds(self, span, words: str) -> bool:
        """True when ``span`` is a pair of offsets of this text where ``words`` stand (a span
        edited away from its words names nothing)."""
        if not (isinstance(span, list | tuple) and len(span) == 2):
            return False
        s, e = span
        return (
            type(s) is int
            and type(e) is int
            and 0 <= s < e <= len(self.text)
            and self.text[s:e] == words
        )

    def name(self, s: int, e: int) -> str:
        """The clause of the target at [s, e) in at most ``NAME_CHARS``, whole words only."""
        return _clause(self.text, s, e, self._starts, self._ends, NAME_CHARS)

    def source(self, s: int, e: int) -> str:
        """The same clause in at most ``SOURCE_CHARS``, whole words only."""
        return _clause(self.text, s, e, self._starts, self._ends, SOURCE_CHARS)


def find_indicators(text: str, folded: str, on: date) -> list[dict]:
    """The targets of an item's ``text``, each with its ``span``, the words it was read from
    (``text``: the target and a few words after it) and its ``target``; the indicator's
    readable name comes from ``TargetWords`` when the import is confirmed."""
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
