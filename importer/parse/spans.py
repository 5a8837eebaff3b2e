"""Span bookkeeping that keeps every parsing pass linear: each question is a binary search.

An item's text can hold thousands of matches (a hostile "đạt 5% " × 30,000); asking "does this
match overlap one already taken?" or "where does its clause start?" by scanning every earlier
match, or the text back to the last full stop, made the passes quadratic.
"""

import re
from bisect import bisect_left, bisect_right


class Claimed:
    """Spans already taken, kept as their sorted, disjoint union.

    ``overlaps(s, e)`` is True when the non-empty span [s, e) shares a position with a span
    added before; a span touching another one end to end does not overlap it.
    """

    def __init__(self, spans=()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for s, e in spans:
            self.add(s, e)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_left(self._starts, e) - 1  # the last run starting before e
        return i >= 0 and self._ends[i] > s

    def add(self, s: int, e: int) -> None:
        if e <= s:
            return
        i = bisect_left(self._ends, s)  # the first run ending at or after s
        j = bisect_right(self._starts, e)  # runs from i to j - 1 touch [s, e)
        if i < j:
            s, e = min(s, self._starts[i]), max(e, self._ends[j - 1])
        self._starts[i:j] = [s]
        self._ends[i:j] = [e]


class Clauses:
    """Where the clause around a position starts and ends, the clause being cut by any of
    ``seps`` (as ``folded.rfind`` / ``folded.find`` of each separator would say)."""

    def __init__(self, folded: str, seps: str) -> None:
        self._length = len(folded)
        self._cuts = [m.start() for m in re.finditer("[" + re.escape(seps) + "]", folded)]

    def bounds(self, pos: int) -> tuple[int, int]:
        i = bisect_left(self._cuts, pos)
        start = self._cuts[i - 1] + 1 if i else 0
        end = self._cuts[i] if i < len(self._cuts) else self._length
        return start, end


class Occurrences:
    """The positions of a literal phrase (one that cannot overlap itself) in a text."""

    def __init__(self, folded: str, phrase: str) -> None:
        self.phrase = phrase
        self._at = [m.start() for m in re.finditer(re.escape(phrase), folded)]

    def first(self, start: int, end: int) -> int:
        """The first occurrence lying wholly inside [start, end), or -1."""
        i = bisect_left(self._at, start)
        if i < len(self._at) and self._at[i] + len(self.phrase) <= end:
            return self._at[i]
        return -1
