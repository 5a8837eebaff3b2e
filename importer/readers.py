"""The second reader of the breakdown document: a hand-authored YAML breakdown (its shape is
documented at the top of ``importer/data/reference_directive.yaml``). It checks the shape and
produces a ``BreakdownDocument`` with explicit ``groups``; agencies are checked by ``confirm``.
"""

from datetime import date
from pathlib import Path
from typing import NoReturn

import yaml
from django.utils.translation import gettext as _

from agencies.choices import Collective
from core.exceptions import InvalidInput
from workflow.choices import AssignmentRole, DirectiveKind, DuePolicy, Modality, Period

from .document import BreakdownDocument, Group, Item


def _fail(message: str) -> NoReturn:
    raise InvalidInput(message, code="invalid_breakdown")


def _one_of(value, choices, where: str) -> str:
    if value not in choices.values:
        _fail(
            _("{where}: “{value}” is not one of {allowed}.").format(
                where=where, value=value, allowed=", ".join(choices.values)
            )
        )
    return value


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _group(raw: dict, where: str) -> Group:
    due = raw.get("due") or {}
    policy = _one_of(due.get("policy"), DuePolicy, f"{where}: due.policy")
    for name in raw.get("to") or []:
        if name.isidentifier() and name.islower() and name not in Collective.values:
            _fail(_("{where}: unknown group “{name}”.").format(where=where, name=name))
    _one_of(raw.get("role", AssignmentRole.LEAD), AssignmentRole, f"{where}: role")
    group: Group = {
        "to": [str(n) for n in raw.get("to") or []],
        "coordinators": [str(c) for c in raw.get("coordinators") or []],
        "as_written": str(raw.get("as_written") or ""),
        "modality": _one_of(raw.get("modality", Modality.ORDER), Modality, f"{where}: modality"),
        "title": str(raw.get("title") or ""),
        "expected_output": str(raw.get("expected_output") or ""),
        "due": {"policy": policy, "date": _iso(due.get("date")), "days": due.get("days")},
        "recurrence": None,
    }
    recurrence = raw.get("recurrence")
    if recurrence:
        _one_of(recurrence.get("period"), Period, f"{where}: recurrence.period")
        group["recurrence"] = {
            "period": recurrence["period"],
            "starts_on": _iso(recurrence.get("starts_on")),
            "ends_on": _iso(recurrence.get("ends_on")),
            "report_day": recurrence.get("report_day", 15),
            "month_offset": recurrence.get("month_offset", 0),
        }
    return group


def read_breakdown(path: Path) -> BreakdownDocument:
    """The breakdown document of a YAML breakdown file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        _fail(str(exc))
    if not isinstance(document, dict) or "directive" not in document or "items" not in document:
        _fail(_("A breakdown needs “directive” and “items”."))
    head = document["directive"]
    _one_of(head.get("kind"), DirectiveKind, "directive.kind")
    full_text = ""
    if head.get("source_file"):
        full_text = (path.parent / head["source_file"]).read_text(encoding="utf-8")
    items: list[Item] = []
    for raw in document["items"]:
        where = _("item {number}").format(number=raw.get("number"))
        items.append(
            {
                "number": str(raw["number"]),
                "text": str(raw.get("text") or ""),
                "groups": [_group(g, where) for g in raw.get("assignments") or []],
            }
        )
    return {
        "directive": {
            "kind": head["kind"],
            "number": head.get("number") or "",
            "date": _iso(head.get("issued_on")),
            "issuer": head.get("issuer"),
            "title": head.get("title") or "",
            "signer": head.get("signer") or "",
            "note": head.get("note") or "",
        },
        "items": items,
        "raw": full_text,
    }
