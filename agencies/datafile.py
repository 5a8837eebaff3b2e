"""Reading the reference data file (YAML) into plain rows that remember their line numbers.

The file format is documented at the top of ``agencies/data/quang_tri.yaml``. Parsing checks
the shape of every row and the rules that need no database (a code listed twice, versions of
one agency that overlap, successions that form a cycle); the rules that need the database run
in ``services.agencies_load``.
"""

from dataclasses import dataclass, field
from datetime import date

import yaml
from django.utils.translation import gettext as _

from .choices import AgencyKind, SuccessionKind


class DataFileError(Exception):
    """A problem in the data file, with the line it is on."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        where = _("line {line}").format(line=line) if line else _("file")
        super().__init__(f"{where}: {message}")


# libyaml's parser when PyYAML was built with it (about ten times faster on the reference file).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type, misc]
    """SafeLoader that records, in every mapping, the line it starts on."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


@dataclass
class VersionRow:
    line: int
    valid_from: date
    valid_until: date | None
    name: str
    short_name: str
    kind: str
    parent: str | None
    legal_basis: str
    verified: bool
    source: str


@dataclass
class AgencyRow:
    line: int
    code: str
    versions: list[VersionRow]
    aliases: list[str] = field(default_factory=list)


@dataclass
class SuccessionRow:
    line: int
    predecessor: str
    successor: str | None
    kind: str
    effective_on: date
    function: str
    legal_basis: str
    verified: bool
    source: str


@dataclass
class DataFile:
    agencies: list[AgencyRow]
    successions: list[SuccessionRow]


def _require(row: dict, key: str, kind, *, optional=False):
    value = row.get(key)
    if value is None:
        if optional:
            return None
        raise DataFileError(row["__line__"], _("the field “{key}” is missing").format(key=key))
    if not isinstance(value, kind):
        raise DataFileError(
            row["__line__"],
            _("the field “{key}” has the wrong type ({value!r})").format(key=key, value=value),
        )
    return value


def _text(row: dict, key: str, *, optional=False) -> str:
    value = row.get(key)
    if value is None and optional:
        return ""
    return str(_require(row, key, (str, int)))


def _date(row: dict, key: str, *, optional=False) -> date | None:
    value = _require(row, key, date, optional=optional)
    if value is not None and not isinstance(value, date):
        raise DataFileError(row["__line__"], _("“{key}” is not a date").format(key=key))
    return value


def _choice(row: dict, key: str, choices) -> str:
    value = _text(row, key)
    if value not in choices.values:
        raise DataFileError(
            row["__line__"],
            _("“{value}” is not a valid {key} (expected one of: {allowed})").format(
                value=value, key=key, allowed=", ".join(choices.values)
            ),
        )
    return value


def _version(version: dict) -> VersionRow:
    row = VersionRow(
        line=version["__line__"],
        valid_from=_date(version, "valid_from"),
        valid_until=_date(version, "valid_until", optional=True),
        name=_text(version, "name"),
        short_name=_text(version, "short_name", optional=True),
        kind=_choice(version, "kind", AgencyKind),
        parent=_text(version, "parent", optional=True) or None,
        legal_basis=_text(version, "legal_basis", optional=True),
        verified=bool(version.get("verified", False)),
        source=_text(version, "source", optional=True),
    )
    if row.valid_until is not None and row.valid_until <= row.valid_from:
        raise DataFileError(row.line, _("The end must come after the start."))
    return row


def parse(text: str) -> DataFile:
    """Parse the YAML text; raise DataFileError naming the line of the first problem."""
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DataFileError(mark.line + 1 if mark else None, str(exc.problem)) from exc
    except (yaml.YAMLError, ValueError) as exc:
        raise DataFileError(None, str(exc)) from exc
    if not isinstance(document, dict) or not isinstance(document.get("agencies"), list):
        raise DataFileError(None, _("the file must have a list “agencies”"))

    agencies = []
    for row in document["agencies"]:
        if not isinstance(row, dict):
            raise DataFileError(None, _("each agency must be a mapping"))
        versions = []
        for version in _require(row, "versions", list):
            if not isinstance(version, dict):
                raise DataFileError(row["__line__"], _("each version must be a mapping"))
            versions.append(_version(version))
        if not versions:
            raise DataFileError(row["__line__"], _("an agency needs at least one version"))
        aliases = row.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise DataFileError(row["__line__"], _("“aliases” must be a list of texts"))
        agencies.append(
            AgencyRow(
                line=row["__line__"], code=_text(row, "code"), versions=versions, aliases=aliases
            )
        )

    agencies += _unit_tables(document.get("units") or [])

    successions = []
    for row in document.get("successions") or []:
        if not isinstance(row, dict):
            raise DataFileError(None, _("each succession must be a mapping"))
        successions.append(
            SuccessionRow(
                line=row["__line__"],
                predecessor=_text(row, "from"),
                successor=_text(row, "to", optional=True) or None,
                kind=_choice(row, "kind", SuccessionKind),
                effective_on=_date(row, "effective_on"),
                function=_text(row, "function", optional=True),
                legal_basis=_text(row, "legal_basis", optional=True),
                verified=bool(row.get("verified", False)),
                source=_text(row, "source", optional=True),
            )
        )
    data = DataFile(agencies=agencies, successions=successions)
    _check_codes(data)
    _check_overlaps(data)
    _check_cycles(data)
    return data


_UNIT_FIELDS = ("valid_from", "valid_until", "kind", "parent", "legal_basis", "verified", "source")


def _unit_tables(tables) -> list[AgencyRow]:
    """The compact tables of ``units:``: one agency with one version per row, the table's
    values (dates, kind, source, name templates) filling what a row does not say."""
    if not isinstance(tables, list):
        raise DataFileError(None, _("“units” must be a list of tables"))
    agencies = []
    for table in tables:
        if not isinstance(table, dict):
            raise DataFileError(None, _("each table of “units” must be a mapping"))
        rows = _require(table, "rows", list)
        for row in rows:
            if not isinstance(row, dict):
                raise DataFileError(table["__line__"], _("each row of a table must be a mapping"))
            merged = {**{k: table[k] for k in _UNIT_FIELDS if k in table}, **row}
            if row.get("note"):
                merged["source"] = f"{table.get('source') or ''}; {row['note']}".strip("; ")
            unit, place = _text(row, "unit"), _text(row, "place", optional=True)
            for key in ("name", "short_name"):
                if key not in row and key in table:
                    template = _text(table, key)
                    if not place:
                        template = template.replace(", {place}", "").replace(" ({place})", "")
                    merged[key] = template.format(unit=unit, place=place)
            merged.setdefault("name", unit)
            version = _version(merged)
            aliases = row.get("aliases") or []
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise DataFileError(row["__line__"], _("“aliases” must be a list of texts"))
            agencies.append(
                AgencyRow(
                    line=row["__line__"],
                    code=_text(row, "code"),
                    versions=[version],
                    aliases=aliases,
                )
            )
    return agencies


def _check_codes(data: DataFile) -> None:
    seen: set[str] = set()
    for row in data.agencies:
        if row.code in seen:
            raise DataFileError(row.line, _("the code {code} appears twice").format(code=row.code))
        seen.add(row.code)


def overlap(a_from: date, a_until: date | None, b_from: date, b_until: date | None) -> bool:
    """True when the half-open periods [a_from, a_until) and [b_from, b_until) share a day."""
    return (b_until is None or a_from < b_until) and (a_until is None or b_from < a_until)


def _check_overlaps(data: DataFile) -> None:
    for row in data.agencies:
        ordered = sorted(row.versions, key=lambda v: v.valid_from)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if overlap(before.valid_from, before.valid_until, after.valid_from, after.valid_until):
                raise DataFileError(
                    after.line,
                    _("this version overlaps the one before it (line {line})").format(
                        line=before.line
                    ),
                )


def _check_cycles(data: DataFile) -> None:
    """Refuse successions through which an agency would succeed itself (A → B → … → A)."""
    edges: dict[str, list[SuccessionRow]] = {}
    for row in data.successions:
        if row.successor:
            edges.setdefault(row.predecessor, []).append(row)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in list(edges):
        if state.get(start):
            continue
        stack = [(start, iter(edges.get(start, ())))]
        state[start] = 1
        while stack:
            code, pending = stack[-1]
            row = next(pending, None)
            if row is None:
                state[code] = 2
                stack.pop()
                continue
            successor = row.successor
            assert successor is not None
            if state.get(successor) == 1:
                path = [c for c, _it in stack[[c for c, _it in stack].index(successor) :]]
                raise DataFileError(
                    row.line,
                    _("the successions form a cycle: {path}").format(
                        path=" → ".join([*path, successor])
                    ),
                )
            if not state.get(successor):
                state[successor] = 1
                stack.append((successor, iter(edges.get(successor, ()))))
