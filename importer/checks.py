"""What ``confirm`` checks in a reviewed breakdown document before it writes anything.

The document comes back from a person (the review page's JSON) or a client (the API), so
nothing in it is trusted. Two passes, each collecting every problem with where it is:

- ``check_shape``: the JSON has the shape of ``importer.document`` (objects, lists, text,
  whole numbers, ISO dates, spans), within the bounds of ``importer.limits``. Refused with
  the code ``invalid_document``.
- ``check_rules``: the values are ones the office's rules know — roles, modalities, groups of
  agencies, deadline policies, periods — and every date lies within the directive's horizon
  (``limits.latest_deadline``). Refused with the code ``invalid_breakdown``.

Both raise ``InvalidInput`` whose ``details`` map a path in the document ("items.3.agencies.0.
role", indices from 0) to its messages; each message names the item (by its number) and the
agency or assignment (from 1) in words, for the review page.
"""

from datetime import date
from typing import NoReturn

from django.utils.translation import gettext as _

from agencies.choices import Collective
from core.exceptions import InvalidInput
from core.text import shorten
from workflow.choices import AssignmentRole, DuePolicy, Modality, Period

from .limits import (
    MAX_ITEMS,
    MAX_MENTIONS,
    MAX_TEXT_CHARS,
    MAX_WORKING_DAYS,
    earliest_start,
    latest_deadline,
)

_SHOWN = 5  # problems quoted in the message; ``details`` holds them all


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


class _Problems:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(str(message))

    def raise_if_any(self, code: str, summary: str) -> None:
        if not self.errors:
            return
        messages = [m for ms in self.errors.values() for m in ms]
        shown = "; ".join(m.rstrip(".") for m in messages[:_SHOWN])
        if len(messages) > _SHOWN:
            shown += " " + _("(and {count} more)").format(count=len(messages) - _SHOWN)
        raise InvalidInput(summary.format(problems=shown), code=code, details=self.errors)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _iso(value) -> date | None:
    """The date an ISO string names; None for anything else."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _shown(value) -> str:
    return shorten(str(value), 40)


def _item_where(item, n: int) -> str:
    number = item.get("number") if isinstance(item, dict) else None
    if isinstance(number, str | int) and not isinstance(number, bool) and str(number).strip():
        return _("item {number}").format(number=_shown(number))
    return _("item at position {n}").format(n=n + 1)


class _Shape:
    """Type checks of one object, reporting under ``path`` as ``where``."""

    def __init__(self, problems: _Problems, obj: dict, path: str, where: str) -> None:
        self.problems, self.obj, self.path, self.where = problems, obj, path, where

    def _bad(self, key: str, message: str) -> None:
        self.problems.add(f"{self.path}.{key}" if self.path else key, message)

    def _label(self, key: str) -> str:
        return f"{self.where} ({key})"

    def text(self, *keys: str, limit: int | None = None) -> None:
        for key in keys:
            value = self.obj.get(key)
            if value is not None and not isinstance(value, str):
                self._bad(key, _("{where} must be text.").format(where=self._label(key)))
            elif limit is not None and value is not None and len(value) > limit:
                self._bad(
                    key,
                    _("{where} is too long (at most {limit} characters).").format(
                        where=self._label(key), limit=limit
                    ),
                )

    def number(self, key: str) -> None:
        value = self.obj.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            self._bad(key, _("{where} must be text.").format(where=self._label(key)))

    def whole(self, *keys: str) -> None:
        for key in keys:
            value = self.obj.get(key)
            if value is not None and not _is_int(value):
                self._bad(key, _("{where} must be a whole number.").format(where=self._label(key)))

    def dates(self, *keys: str) -> None:
        for key in keys:
            value = self.obj.get(key)
            if value is not None and _iso(value) is None:
                self._bad(
                    key,
                    _("{where} must be a date written YYYY-MM-DD, not “{value}”.").format(
                        where=self._label(key), value=_shown(value)
                    ),
                )

    def span(self, key: str = "span") -> None:
        value = self.obj.get(key)
        if value is None:
            return
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(_is_int(v) and v >= 0 for v in value)
            and value[0] <= value[1]
        ):
            self._bad(
                key,
                _("{where} must be a pair of offsets [start, end].").format(where=self._label(key)),
            )

    def objects(self, key: str) -> list[dict]:
        """The list of objects under ``key`` (reporting what is not one)."""
        value = self.obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self._bad(key, _("{where} must be a list.").format(where=self._label(key)))
            return []
        out = []
        for n, entry in enumerate(value):
            if isinstance(entry, dict):
                out.append(entry)
            else:
                self._bad(
                    f"{key}.{n}",
                    _("{where} must be a JSON object.").format(where=f"{self._label(key)} {n + 1}"),
                )
        return out

    def obj_or_none(self, key: str) -> dict | None:
        value = self.obj.get(key)
        if value is None or isinstance(value, dict):
            return value
        self._bad(key, _("{where} must be a JSON object.").format(where=self._label(key)))
        return None

    def texts(self, key: str) -> None:
        value = self.obj.get(key)
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._bad(key, _("{where} must be a list of texts.").format(where=self._label(key)))

    def sub(self, key: str, obj: dict, where: str) -> "_Shape":
        return _Shape(self.problems, obj, f"{self.path}.{key}" if self.path else key, where)


def _fail_not_object() -> NoReturn:
    raise InvalidInput(
        _("Send the reviewed breakdown as a JSON object."),
        code="invalid_document",
        details={"document": [str(_("The breakdown must be a JSON object."))]},
    )


def check_shape(document) -> None:
    """Refuse a document that is not shaped as ``importer.document`` says (see the module)."""
    if not isinstance(document, dict):
        _fail_not_object()
    problems = _Problems()
    top = _Shape(problems, document, "", _("the breakdown"))
    top.text("raw", "text", "preamble", "closing", limit=MAX_TEXT_CHARS)
    head = top.obj_or_none("directive")
    if head is not None:
        h = top.sub("directive", head, _("the directive"))
        h.text("kind", "issuer", "title", "signer", "note")
        h.number("number")
        h.dates("date")
    items = document.get("items")
    if items is not None and not isinstance(items, list):
        problems.add("items", _("{where} must be a list.").format(where="items"))
        items = []
    items = items or []
    if len(items) > MAX_ITEMS:
        problems.add(
            "items",
            _("The breakdown has {count} items; at most {limit} are accepted.").format(
                count=len(items), limit=MAX_ITEMS
            ),
        )
        items = []
    mentions = 0
    for n, item in enumerate(items):
        where = _item_where(item, n)
        if not isinstance(item, dict):
            problems.add(f"items.{n}", _("{where} must be a JSON object.").format(where=where))
            continue
        i = _Shape(problems, item, f"items.{n}", where)
        i.number("number")
        i.number("parent")
        i.text("text", "title", "expected_output", "focal_agency")
        i.span()
        agencies = i.objects("agencies")
        mentions += len(agencies)
        for k, entry in enumerate(agencies):
            a = i.sub(f"agencies.{k}", entry, _mention_where(where, k, entry))
            a.text("text", "matched", "collective", "role", "modality", "inherited")
            a.span()
        for key in ("deadline", "recurrence"):
            found = i.obj_or_none(key)
            if found is not None:
                d = i.sub(key, found, f"{where} ({key})")
                d.text("policy")
                d.dates("date")
                d.whole("days")
                d.texts("periods")
                d.span()
        for k, indicator in enumerate(i.objects("indicators")):
            t = i.sub(f"indicators.{k}", indicator, f"{where} (indicators {k + 1})")
            t.text("text", "name")
            t.span()
        if item.get("groups") is not None:
            for k, group in enumerate(i.objects("groups")):
                _group_shape(i.sub(f"groups.{k}", group, _group_where(where, k)))
    if mentions > MAX_MENTIONS:
        problems.add(
            "items",
            _("The breakdown names {count} agencies; at most {limit} are accepted.").format(
                count=mentions, limit=MAX_MENTIONS
            ),
        )
    problems.raise_if_any(
        "invalid_document", _("The breakdown is not in the expected form: {problems}.")
    )


def _group_shape(g: _Shape) -> None:
    g.texts("to")
    g.texts("coordinators")
    g.text("as_written", "modality", "title", "expected_output")
    due = g.obj_or_none("due")
    if due is not None:
        d = g.sub("due", due, f"{g.where} (due)")
        d.text("policy")
        d.dates("date")
        d.whole("days")
    recurrence = g.obj_or_none("recurrence")
    if recurrence is not None:
        r = g.sub("recurrence", recurrence, f"{g.where} (recurrence)")
        r.text("period")
        r.dates("starts_on", "ends_on")
        r.whole("report_day", "month_offset")


def _mention_where(where: str, k: int, entry: dict) -> str:
    text = entry.get("text")
    if isinstance(text, str) and text:
        return _("{item}, agency {n} (“{text}”)").format(item=where, n=k + 1, text=_shown(text))
    return _("{item}, agency {n}").format(item=where, n=k + 1)


def _group_where(where: str, k: int) -> str:
    return _("{item}, assignment {n}").format(item=where, n=k + 1)


def _not_one_of(where: str, value, choices) -> str:
    return _("{where}: “{value}” is not one of {allowed}.").format(
        where=where, value=_shown(value), allowed=", ".join(choices.values)
    )


class _Rules:
    """The office's rules over a well-shaped document of a directive issued on ``on``."""

    def __init__(self, on: date) -> None:
        self.on, self.latest, self.problems = on, latest_deadline(on), _Problems()

    def choice(self, path: str, where: str, value, choices) -> None:
        """``value``, when given, is one of ``choices`` (an empty value takes the default)."""
        if value not in (None, "") and value not in choices.values:
            self.problems.add(path, _not_one_of(where, value, choices))

    def deadline(self, path: str, where: str, value) -> None:
        day = _iso(value)
        if day is not None and day > self.latest:
            self.problems.add(
                path,
                _(
                    "{where}: the date {day} is later than {latest}, the latest a directive "
                    "issued on {issued} may set."
                ).format(
                    where=where, day=_day(day), latest=_day(self.latest), issued=_day(self.on)
                ),
            )

    def due(self, path: str, where: str, due: dict, *, needs_date: bool) -> None:
        policy = due.get("policy")
        if needs_date and policy in (None, ""):
            self.problems.add(
                f"{path}.policy",
                _("{where}: say how the deadline is set (policy).").format(where=where),
            )
        self.choice(f"{path}.policy", where, policy, DuePolicy)
        self.deadline(f"{path}.date", where, due.get("date"))
        if needs_date and policy == DuePolicy.FIXED and not due.get("date"):
            self.problems.add(
                f"{path}.date", _("{where}: a fixed deadline needs its date.").format(where=where)
            )
        days = due.get("days")
        in_range = isinstance(days, int) and 1 <= days <= MAX_WORKING_DAYS
        if policy == DuePolicy.WORKING_DAYS and (isinstance(days, bool) or not in_range):
            self.problems.add(
                f"{path}.days",
                _("{where}: the number of working days must be between 1 and {limit}.").format(
                    where=where, limit=MAX_WORKING_DAYS
                ),
            )

    def recurrence(self, path: str, where: str, rec: dict) -> None:
        if rec.get("period") in (None, ""):
            self.problems.add(
                f"{path}.period",
                _("{where}: a recurring report needs its period.").format(where=where),
            )
        self.choice(f"{path}.period", where, rec.get("period"), Period)
        starts, ends = _iso(rec.get("starts_on")), _iso(rec.get("ends_on"))
        if starts is None:
            self.problems.add(
                f"{path}.starts_on",
                _("{where}: a recurring report needs the date its periods start from.").format(
                    where=where
                ),
            )
        elif not earliest_start(self.on) <= starts <= self.latest:
            self.problems.add(
                f"{path}.starts_on",
                _(
                    "{where}: the reports cannot start on {day} (from {earliest} to {latest})."
                ).format(
                    where=where,
                    day=_day(starts),
                    earliest=_day(earliest_start(self.on)),
                    latest=_day(self.latest),
                ),
            )
        self.deadline(f"{path}.ends_on", where, rec.get("ends_on"))
        if starts is not None and ends is not None and ends < starts:
            self.problems.add(
                f"{path}.ends_on",
                _("{where}: the reports end before they start.").format(where=where),
            )
        report_day, offset = rec.get("report_day"), rec.get("month_offset")
        if report_day is not None and not 1 <= report_day <= 31:
            self.problems.add(
                f"{path}.report_day",
                _("{where}: the report day must be between 1 and 31.").format(where=where),
            )
        if offset is not None and not -12 <= offset <= 12:
            self.problems.add(
                f"{path}.month_offset",
                _("{where}: the month offset must be between -12 and 12.").format(where=where),
            )


def check_rules(items: list, on: date) -> None:
    """Refuse values the office's rules do not know, and dates beyond the horizon of a
    directive issued on ``on`` (see the module); ``items`` passed ``check_shape``."""
    rules = _Rules(on)
    for n, item in enumerate(items):
        where = _item_where(item, n)
        path = f"items.{n}"
        for k, entry in enumerate(item.get("agencies") or []):
            w, p = _mention_where(where, k, entry), f"{path}.agencies.{k}"
            rules.choice(f"{p}.role", w, entry.get("role"), AssignmentRole)
            rules.choice(f"{p}.modality", w, entry.get("modality"), Modality)
            rules.choice(f"{p}.collective", w, entry.get("collective"), Collective)
        deadline = item.get("deadline")
        if deadline:
            rules.due(f"{path}.deadline", where, deadline, needs_date=False)
        for period in (item.get("recurrence") or {}).get("periods") or []:
            rules.choice(f"{path}.recurrence.periods", where, period, Period)
        for k, group in enumerate(item.get("groups") or []):
            w, p = _group_where(where, k), f"{path}.groups.{k}"
            rules.choice(f"{p}.modality", w, group.get("modality"), Modality)
            if group.get("due"):
                rules.due(f"{p}.due", w, group["due"], needs_date=True)
            if group.get("recurrence"):
                rules.recurrence(f"{p}.recurrence", w, group["recurrence"])
    rules.problems.raise_if_any(
        "invalid_breakdown", _("The breakdown cannot be confirmed: {problems}.")
    )
