"""Parsing a directive's text into a reviewable breakdown document (a plain, JSON-ready dict).

    {"directive": {"kind", "number", "date", "issuer", "title", "evidence"},
     "preamble": str, "closing": str,
     "items": [{"number", "parent", "text", "span", "agencies": [...], "deadline", "recurrence",
                "indicators": [...]}],
     "text": the normalised text, "raw": the text as given, "warnings": [...]}

Offsets: an item's ``span`` indexes ``text`` (the normalised text); the spans of its agencies,
deadline, recurrence and indicators index the item's own ``text``. Agencies inherited from a
parent item or from the opening addressees have ``span: null`` and say where they come from in
``inherited``. Every extracted value carries a ``confidence`` in [0, 1].
"""

from datetime import date

from django.utils.translation import gettext as _

from core.calendar import WorkCalendar
from core.exceptions import InvalidInput

from ..document import BreakdownDocument
from ..limits import MAX_ITEMS, MAX_MENTIONS, MAX_TEXT_CHARS
from ..match import AgencyIndex
from ..normalise import normalise
from ..wordfile import too_long
from .agencies import find_agencies, name_trie, opening
from .deadlines import deadline, recurrence
from .header import find_issuer, read_header
from .indicators import find_indicators
from .lexicon import fold_chars, looks_vietnamese
from .structure import split

__all__ = ["fold_chars", "parse_text"]


def parse_text(
    raw: str,
    *,
    on: date | None = None,
    issuer: str | None = None,
    index: AgencyIndex | None = None,
    calendar: WorkCalendar | None = None,
) -> BreakdownDocument:
    """The breakdown document of a directive's text (see the module docstring).

    ``on`` is the directive's date when the text gives none; ``issuer`` an agency code when
    the text does not name a registered province. Raises InvalidInput on text that is empty,
    not Vietnamese, without numbered items, or without a date, and text beyond the bounds of
    ``importer.limits`` (characters, items, agency mentions). Every pass is linear in the text.
    """
    text = _checked_text(raw)
    items, preamble_end, closing_start, warnings = split(text)
    if not items:
        raise InvalidInput(
            _("No numbered items (“1.”, “2.” …) were found in the text."), code="no_items"
        )
    if len(items) > MAX_ITEMS:
        raise _too_many_items(len(items))
    preamble = text[:preamble_end].strip()
    directive, day = _directive(preamble, on=on, issuer=issuer)
    if directive["issuer"] is None:
        warnings.append({"code": "issuer_unknown", "item": None, "text": ""})
    if index is None:
        index = AgencyIndex.load(on=day, issuer=directive["issuer"])
    out_items = _items(text, items, day, index, warnings, calendar or WorkCalendar())
    _inherit(out_items, opening(preamble))
    return {
        "directive": directive,
        "preamble": preamble,
        "closing": text[closing_start:].strip(),
        "items": out_items,
        "text": text,
        "raw": raw,
        "warnings": warnings,
    }


def _too_many_items(count: int) -> InvalidInput:
    return InvalidInput(
        _(
            "The text has too many items and sub-items for one directive ({count}; at most "
            "{limit}). Check that it is a directive's text, or import it in parts."
        ).format(count=count, limit=MAX_ITEMS),
        code="too_many_items",
    )


def _too_many_mentions() -> InvalidInput:
    return InvalidInput(
        _(
            "The text names agencies too many times for one directive (more than {limit}, "
            "counting those an item takes from its parent). Check that it is a directive's "
            "text, or import it in parts."
        ).format(limit=f"{MAX_MENTIONS:,}".replace(",", ".")),
        code="too_many_mentions",
    )


def _checked_text(raw: str) -> str:
    """The normalised text; raises InvalidInput when it is empty or not Vietnamese."""
    if len(raw or "") > MAX_TEXT_CHARS:
        raise too_long(len(raw))
    if not (raw or "").strip():
        raise InvalidInput(_("The text is empty."), code="empty")
    text = normalise(raw)
    if not looks_vietnamese(text):
        raise InvalidInput(
            _("The text does not look like Vietnamese; paste the directive's own text."),
            code="not_vietnamese",
        )
    return text


def _directive(preamble: str, *, on: date | None, issuer: str | None) -> tuple[dict, date]:
    """The directive's header with the evidence of each value, and its date of issue."""
    head = read_header(preamble)
    day = head.pop("date") or on
    if on is not None and head["evidence"].get("date") is None:
        head["evidence"]["date"] = {"span": None, "confidence": 1.0, "given": True}
    if day is None:
        raise InvalidInput(
            _("The text gives no date of issue: give the directive's date."), code="no_date"
        )
    evidence = head.pop("evidence")
    if issuer is None:
        issuer, confidence = find_issuer(preamble, day)
        evidence["issuer"] = {"span": None, "confidence": confidence}
    else:
        evidence["issuer"] = {"span": None, "confidence": 1.0, "given": True}
    directive = {
        "kind": head["kind"],
        "number": head["number"],
        "date": day.isoformat(),
        "issuer": issuer,
        "title": head["title"],
        "evidence": evidence,
    }
    return directive, day


def _items(
    text: str,
    items: list[dict],
    day: date,
    index: AgencyIndex,
    warnings: list,
    calendar: WorkCalendar,
) -> list[dict]:
    """Each item's text with the agencies, deadline, recurrence and indicators read in it."""
    trie = name_trie(index)
    out_items, mentions = [], 0
    for item in items:
        s, e = item["span"]
        body = text[s:e]
        folded = fold_chars(body)
        agencies = find_agencies(body, index, trie, folded)
        mentions += len(agencies)
        if mentions > MAX_MENTIONS:
            raise _too_many_mentions()
        entry = {
            "number": item["number"],
            "parent": item["parent"],
            "text": body,
            "span": [s, e],
            "agencies": agencies,
            "deadline": deadline(body, folded, day, warnings, item["number"], calendar),
            "recurrence": recurrence(body, folded),
            "indicators": find_indicators(body, folded, day),
        }
        out_items.append(entry)
    return out_items


def _inherit(out_items: list[dict], addressees: list[dict]) -> None:
    """What an item does not say, from its parent item or the opening addressees.

    An item without agencies takes its parent's, else the opening's; a heading keeps none (they
    went to its sub-items); a sub-item without a deadline or recurrence takes its parent's.
    """
    parents = {it["parent"] for it in out_items if it["parent"]}
    by_number = {entry["number"]: entry for entry in out_items}
    mentions = sum(len(entry["agencies"]) for entry in out_items)
    for entry in out_items:
        if entry["number"] in parents:
            continue
        if not entry["agencies"]:  # count what it will inherit before copying it
            source = by_number[entry["parent"]]["agencies"] if entry["parent"] else []
            mentions += len(source or addressees)
            if mentions > MAX_MENTIONS:
                raise _too_many_mentions()
        if not entry["agencies"] and entry["parent"]:
            parent = by_number[entry["parent"]]
            entry["agencies"] = [
                {**a, "span": None, "inherited": parent["number"]} for a in parent["agencies"]
            ]
        if not entry["agencies"]:
            entry["agencies"] = [dict(a) for a in addressees]
    for entry in out_items:
        if entry["number"] in parents:
            entry["agencies"] = []  # a heading: its addressees went to its sub-items
        for key in ("deadline", "recurrence"):
            if entry[key] is None and entry["parent"]:
                inherited = by_number[entry["parent"]][key]
                if inherited:
                    entry[key] = {**inherited, "span": None, "inherited": entry["parent"]}
