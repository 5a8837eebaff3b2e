"""Reading the reference data file (YAML) into plain rows that remember their line numbers.

The file format is documented at the top of ``agencies/data/quang_tri.yaml``. Parsing checks
the shape of every row; the rules that need the database run in ``services.agencies_load``.
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


class _LineLoader(yaml.SafeLoader):
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
            versions.append(
                VersionRow(
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
            )
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
    return DataFile(agencies=agencies, successions=successions)
