"""The importer's bounds, in one place: what a directive's text, its breakdown and its deadlines
may hold. Each is far above any real directive and low enough that a hostile input is refused in
well under a second, before it costs memory or time.

Text. The reference directive (Chỉ thị 23/CT-UBND, Quảng Trị 2022) is 12,000 characters; a long
plan with its appendices runs to some 120,000. ``MAX_TEXT_CHARS`` (200,000, about 65 A4 pages)
bounds the text as read (pasted, a .txt, or extracted from a .docx), whatever the size of the
upload: a 200 KB .docx can hold 20 MB of text. It also keeps the review → confirm round trip
(the reviewed document carries the text about three times) inside ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

Structure. Items are numbered 1–99 with lettered sub-items; ``MAX_ITEMS`` counts both.
``MAX_MENTIONS`` counts agency mentions over the whole document, inherited ones included (a
sub-item without addressees repeats its parent's, so 300 sub-items of an item naming 10,000
agencies would make three million).

Deadlines. ``latest_deadline``: a deadline, a recurring report's start or end may not fall after
31 December of the fifteenth year after the directive's year. The parser reads "đến năm 2030",
"giai đoạn 2021–2030" up to the same horizon (``parse.deadlines.year_ok``), so every deadline
it proposes is accepted at confirm, and a typo such as 9999-12-31 or 2202-12-31 is refused
(strategies "tầm nhìn đến năm 2045" state a vision, not a deadline to follow up). A recurring
report's periods start at the earliest on 1 January of the year before the directive's
(``earliest_start``), so that no sweep counts periods from 1900.
"""

from datetime import date

MAX_TEXT_CHARS = 200_000
MAX_ITEMS = 300
MAX_MENTIONS = 5_000
# A .docx: its main part (word/document.xml) is read as a stream and the text counted as it
# comes; the part itself is bounded too. Its markup is 5–20 times its text, so 8 MB is ample
# for 200,000 characters, and it stays under lxml's 10 MB bound on one text node (past which
# lxml raises instead of reading).
MAX_DOCX_XML_BYTES = 8 * 1024 * 1024

DEADLINE_HORIZON_YEARS = 15
# "Within N working days of receipt": directives say 5, 10, 15, 30 or 45 working days; a longer
# task is given a date. Two years of working days is the most accepted.
MAX_WORKING_DAYS = 500


def latest_deadline(issued_on: date) -> date:
    """The last day a directive issued on ``issued_on`` may set as a deadline (see above)."""
    return date(min(issued_on.year + DEADLINE_HORIZON_YEARS, date.max.year), 12, 31)


def earliest_start(issued_on: date) -> date:
    """The earliest day a recurring report's periods may be counted from: 1 January of the
    year before the directive's (a yearly report anchors on 1 January of its year; one issued
    early in a year may take up the year before)."""
    return date(max(issued_on.year - 1, date.min.year), 1, 1)
