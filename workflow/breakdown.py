"""Reading a hand-authored directive breakdown (YAML): a directive, its items, and for each
item the groups of agencies it is given to. The shape is documented at the top of
``workflow/data/reference_directive.yaml``; ``services.breakdown_load`` writes it.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from agencies.choices import Collective
from core.exceptions import InvalidInput

from .choices import AssignmentRole, DirectiveKind, DuePolicy, Modality, Period


@dataclass
class Group:
    to: list[str]
    as_written: str
    role: str
    modality: str
    title: str
    expected_output: str
    due_policy: str
    due_date: date | None
    working_days: int | None
    coordinators: list[str]
    recurrence: dict | None


@dataclass
class Item:
    number: str
    text: str
    groups: list[Group]


@dataclass
class Breakdown:
    directive: dict
    full_text: str
    items: list[Item]


def _fail(message: str):
    raise InvalidInput(message, code="invalid_breakdown")


def _one_of(value, choices, where: str) -> str:
    if value not in choices.values:
        _fail(
            _("{where}: “{value}” is not one of {allowed}.").format(
                where=where, value=value, allowed=", ".join(choices.values)
            )
        )
    return value


def parse(path: Path) -> Breakdown:
    """Parse and check the shape of a breakdown file; agencies are resolved by the service."""
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
    items = []
    for raw in document["items"]:
        where = _("item {number}").format(number=raw.get("number"))
        groups = []
        for g in raw.get("assignments") or []:
            due = g.get("due") or {}
            policy = _one_of(due.get("policy"), DuePolicy, f"{where}: due.policy")
            for name in g.get("to") or []:
                if name.isidentifier() and name.islower() and name not in Collective.values:
                    _fail(_("{where}: unknown group “{name}”.").format(where=where, name=name))
            recurrence = g.get("recurrence")
            if recurrence:
                _one_of(recurrence.get("period"), Period, f"{where}: recurrence.period")
            groups.append(
                Group(
                    to=list(g.get("to") or []),
                    as_written=str(g.get("as_written") or ""),
                    role=_one_of(g.get("role", "lead"), AssignmentRole, f"{where}: role"),
                    modality=_one_of(g.get("modality", "order"), Modality, f"{where}: modality"),
                    title=str(g.get("title") or ""),
                    expected_output=str(g.get("expected_output") or ""),
                    due_policy=policy,
                    due_date=due.get("date"),
                    working_days=due.get("days"),
                    coordinators=list(g.get("coordinators") or []),
                    recurrence=recurrence,
                )
            )
        items.append(
            Item(number=str(raw["number"]), text=str(raw.get("text") or ""), groups=groups)
        )
    return Breakdown(directive=head, full_text=full_text, items=items)
