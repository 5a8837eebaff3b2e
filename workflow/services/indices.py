"""The province's national index results (PAR Index, SIPAS, PAPI): the office's reviewers
enter a year's result or correct it, by hand or from a file (``index_results_import``).

A result is for the province as it was that year (``province_for``) and ranks it out of the
number of provinces of that year (``workflow.indices``: 63 up to 2024, 34 from 2025).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.choices import AgencyKind
from agencies.models import Agency, AgencyVersion, valid_on_q
from agencies.selectors import agency_forerunners, agency_match
from core import access
from core.audit import audit_record
from core.exceptions import InvalidInput
from core.text import fold, nfc
from core.time import local_date

from ..choices import IndexResultAction, NationalIndex
from ..indices import FIRST_YEAR, rank_problems, schemes, year_end
from ..models import IndexComponent, IndexResult
from ._base import moment, refused, validated

# A file of results holds a few rows a year: anything larger is not one.
IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = 500
IMPORT_MAX_COLUMNS = 100
REQUIRED_COLUMNS = ("index", "year", "score", "rank", "rank_of")
OPTIONAL_COLUMNS = ("source",)
COMPONENT_PARTS = ("score", "max", "rank")
_INDEX_NAMES = {
    "par": NationalIndex.PAR_INDEX,
    "parindex": NationalIndex.PAR_INDEX,
    "sipas": NationalIndex.SIPAS,
    "papi": NationalIndex.PAPI,
}


@dataclass(frozen=True)
class ComponentValue:
    """One component's published value (``code`` from ``data/index_components.yaml``)."""

    code: str
    score: Decimal
    max_score: Decimal
    rank: int | None = None


@dataclass(frozen=True)
class ResultRow:
    index: str
    year: int
    score: Decimal
    rank: int
    rank_of: int
    source_note: str = ""
    components: tuple[ComponentValue, ...] = ()


@dataclass
class ImportSummary:
    """What an import did: the results created and those corrected, in the file's order."""

    created: list[IndexResult] = field(default_factory=list)
    corrected: list[IndexResult] = field(default_factory=list)

    @property
    def results(self) -> list[IndexResult]:
        return self.created + self.corrected


# The province ------------------------------------------------------------------------------


def province_for(year: int) -> Agency:
    """The province a result for ``year`` is about: the province that exists today, or the
    one of its predecessors (merged into it, renamed as it) that existed on 31 December of
    ``year`` — of two (the provinces merged in 2025), the one whose name today's carries on."""
    today = local_date()
    now = list(
        AgencyVersion.objects.filter(valid_on_q(today), kind=AgencyKind.PROVINCE).values_list(
            "agency_id", "name"
        )
    )
    if len(now) != 1:
        raise InvalidInput(
            _("The province is not set up: exactly one province must exist today."),
            code="no_province",
        )
    current, current_name = now[0]
    line = agency_forerunners(agency_ids={current})
    then = list(
        AgencyVersion.objects.filter(
            valid_on_q(year_end(year)), kind=AgencyKind.PROVINCE, agency_id__in=line
        ).select_related("agency")
    )
    if len(then) > 1:
        then = [v for v in then if fold(v.name) == fold(current_name)]
    if len(then) != 1:
        raise refused(
            _("No single province of this one existed at the end of {year}.").format(year=year),
            "no_province",
            "year",
        )
    return then[0].agency


def _component_agency(province: Agency, name: str, year: int) -> Agency | None:
    """The agency named ``name`` under ``province`` at the end of ``year`` (None: none)."""
    if not name:
        return None
    day = year_end(year)
    under = AgencyVersion.objects.filter(valid_on_q(day), parent=province).values("agency_id")
    found = list(agency_match(text=name, on=day).filter(pk__in=under)[:2])
    return found[0] if len(found) == 1 else None


# Checks of one row, shared by the form, the API and the import --------------------------------


def _row_problems(row: ResultRow) -> list[str]:
    """What is wrong with ``row`` before the database is asked anything (empty: nothing)."""
    problems = []
    if row.index not in NationalIndex.values:
        problems.append(_("Choose the index: PAR Index, SIPAS or PAPI."))
        return problems
    this_year = local_date().year
    if not FIRST_YEAR <= row.year <= this_year:
        problems.append(
            _("The year must be from {first} to {last}.").format(first=FIRST_YEAR, last=this_year)
        )
        return problems
    scheme = schemes()[row.index]
    if not 0 <= row.score <= scheme.max_score:
        problems.append(_("The score must be from 0 to {n}.").format(n=scheme.max_score))
    problems.extend(rank_problems(year=row.year, rank=row.rank, rank_of=row.rank_of).values())
    seen = set()
    for c in row.components:
        if c.code not in scheme.components:
            problems.append(
                _("{code} is not a component of {index}.").format(
                    code=c.code, index=NationalIndex(row.index).label
                )
            )
            continue
        if c.code in seen:
            problems.append(_("{code} is given twice.").format(code=c.code))
        seen.add(c.code)
        if not (c.max_score > 0 and 0 <= c.score <= c.max_score):
            problems.append(
                _("{code}: the score must be from 0 to its maximum, above 0.").format(code=c.code)
            )
        if c.rank is not None and not 1 <= c.rank <= row.rank_of:
            problems.append(
                _("{code}: the rank must be from 1 to {n}.").format(code=c.code, n=row.rank_of)
            )
    return problems


def _state(result: IndexResult) -> dict:
    return {
        "index": result.index,
        "year": result.year,
        "province": result.province.code,
        "score": f"{Decimal(result.score).normalize():f}",
        "rank": result.rank,
        "rank_of": result.rank_of,
        "source_note": result.source_note,
    }


def _components_state(rows) -> list:
    return [[c.code, f"{Decimal(c.score).normalize():f}", c.rank] for c in rows]


def _write(*, actor, row: ResultRow, province: Agency, at: datetime) -> tuple[IndexResult, bool]:
    """Create the result of ``row`` or correct the one already entered (locked); its
    components are replaced when ``row`` gives some. True when created."""
    result = (
        IndexResult.objects.select_for_update(of=("self",))
        .select_related("province")
        .filter(index=row.index, year=row.year, province=province)
        .first()
    )
    created = result is None
    old = None if result is None else _state(result)
    old_components = None if result is None else _components_state(result.components.all())
    if result is None:
        result = IndexResult(index=row.index, year=row.year, province=province)
    result.score, result.rank, result.rank_of = row.score, row.rank, row.rank_of
    result.source_note = nfc(row.source_note).strip()[:500]
    result.entered_by, result.entered_at = actor, at
    validated(result)
    result.save()
    new = _state(result)
    if row.components:
        scheme = schemes()[row.index]
        components = []
        for c in row.components:
            component = scheme.components[c.code]
            named = component.agency_name_on(year_end(row.year))
            agency = _component_agency(province, named, row.year)
            components.append(
                IndexComponent(
                    result=result,
                    code=c.code,
                    name=component.name,
                    score=c.score,
                    max_score=c.max_score,
                    rank=c.rank,
                    agency=agency,
                )
            )
        result.components.all().delete()  # replaced: the new ones are checked without them
        for row_component in components:
            validated(row_component)
        IndexComponent.objects.bulk_create(components)
        new["components"] = _components_state(components)
        if old is not None:
            old["components"] = old_components
    audit_record(
        actor=actor,
        verb="index_result.create" if created else "index_result.correct",
        obj=result,
        old=old,
        new=new,
        at=at,
    )
    return result, created


def index_result_save(
    *,
    actor,
    index: str,
    year: int,
    score: Decimal,
    rank: int,
    rank_of: int,
    source_note: str = "",
    components: tuple[ComponentValue, ...] = (),
    at: datetime | None = None,
) -> IndexResult:
    """The office's reviewers enter the province's result in an index for a year, or correct
    the one entered (one per index, year and province): rank 1 to ``rank_of``, ``rank_of`` the
    number of provinces that year ranks."""
    access.require_may(actor, IndexResultAction.CHANGE, IndexResult)
    row = ResultRow(index, year, score, rank, rank_of, source_note, tuple(components))
    problems = _row_problems(row)
    if problems:
        raise InvalidInput(" ".join(problems), code="invalid_result", details={"result": problems})
    province = province_for(year)
    with transaction.atomic():
        return _write(actor=actor, row=row, province=province, at=moment(at))[0]


# The import ------------------------------------------------------------------------------------


def _file_error(message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, details={"file": [message]})


def _cell(value) -> str:
    """A cell as text: a whole number written without ".0" (spreadsheets store 40 as 40.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value)).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = []
            for values in sheet.iter_rows(values_only=True, max_col=IMPORT_MAX_COLUMNS):
                rows.append([_cell(v) for v in values])
                if len(rows) > IMPORT_MAX_ROWS + 1:
                    break
            return rows
        finally:
            book.close()
    # A damaged or disguised workbook fails anywhere inside openpyxl, zipfile or the XML
    # parser, with their own exceptions: any of them means "not a workbook we can read".
    except Exception as exc:  # noqa: BLE001
        raise _file_error(
            _("The file is not an Excel workbook (.xlsx) that can be read."), "bad_file"
        ) from exc


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(
            _('The CSV file is not UTF-8 text: save it as "CSV UTF-8".'), "bad_file"
        ) from exc
    if "\x00" in text:
        raise _file_error(_("The file is not a CSV text file."), "bad_file")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        rows = []
        for values in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append([_cell(v) for v in values[:IMPORT_MAX_COLUMNS]])
            if len(rows) > IMPORT_MAX_ROWS + 1:
                break
        return rows
    except csv.Error as exc:
        message = _("The CSV file cannot be read: {error}").format(error=exc)
        raise _file_error(message, "bad_file") from exc


def _table(file) -> list[list[str]]:
    """The rows of ``file`` (CSV or XLSX, by its name), the header first; refused clearly
    when too large, empty or of another kind."""
    name = (getattr(file, "name", "") or "").lower()
    if not name.endswith((".csv", ".xlsx")):
        raise _file_error(_("Send a CSV (.csv) or Excel (.xlsx) file."), "unsupported_file")
    size = getattr(file, "size", None)
    limit = _("The file is larger than {kb} KB: a file of results holds a few rows.").format(
        kb=IMPORT_MAX_BYTES // 1024
    )
    if size is not None and size > IMPORT_MAX_BYTES:
        raise _file_error(limit, "file_too_big")
    data = file.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise _file_error(limit, "file_too_big")
    if not data.strip():
        raise _file_error(_("The file is empty."), "empty_file")
    if name.endswith(".xlsx"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise _file_error(
                _("The file is not an Excel workbook (.xlsx) that can be read."), "bad_file"
            )
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    if len(rows) > IMPORT_MAX_ROWS + 1:
        raise _file_error(
            _("The file has more than {n} rows.").format(n=IMPORT_MAX_ROWS), "too_many_rows"
        )
    return rows


def _column_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


def _columns(header: list[str]) -> dict[str, int]:
    """Column name → position; refused when a required column is missing or one is unknown."""
    component_codes = {code.lower() for scheme in schemes().values() for code in scheme.components}
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    positions, unknown = {}, []
    for position, text in enumerate(header):
        name = _column_name(text)
        if not name:
            continue
        code, _sep, part = name.rpartition("_")
        if name in known or (code in component_codes and part in COMPONENT_PARTS):
            positions[name] = position
        else:
            unknown.append(text)
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        raise _file_error(
            _("The first row must name the columns; missing: {columns}.").format(
                columns=", ".join(missing)
            ),
            "missing_columns",
        )
    if unknown:
        raise _file_error(
            _("Unknown columns: {columns}.").format(columns=", ".join(unknown)), "unknown_columns"
        )
    return positions


def _number(text: str, label: str, whole: bool = False):
    """``text`` as a Decimal (a decimal comma accepted) or an int; ValueError names ``label``."""
    cleaned = text.replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or (whole and value != value.to_integral_value()):
        message = (
            _('{column}: "{text}" is not a whole number.')
            if whole
            else _('{column}: "{text}" is not a number.')
        )
        raise ValueError(message.format(column=label, text=text))
    if whole:
        return int(value)
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(
            _('{column}: "{text}" has more than 2 decimal places.').format(column=label, text=text)
        )
    return value


def _parse(cells: dict[str, str]) -> tuple[ResultRow | None, list[str]]:
    """One line of the file as a row, or what is wrong with it."""
    problems = []
    for name in REQUIRED_COLUMNS:
        if not cells.get(name):
            problems.append(_("{column} is empty.").format(column=name))
    if problems:
        return None, problems
    index = _INDEX_NAMES.get(re.sub(r"[^a-z]", "", fold(cells["index"])), "")
    if not index:
        message = _('index: "{text}" is not PAR Index, SIPAS or PAPI.')
        return None, [message.format(text=cells["index"])]
    values = {}
    for name, whole in (("year", True), ("score", False), ("rank", True), ("rank_of", True)):
        try:
            values[name] = _number(cells[name], name, whole)
        except ValueError as exc:
            problems.append(str(exc))
    components: list[ComponentValue] = []
    parts: dict[str, dict[str, tuple[str, str]]] = {}
    for name, text in cells.items():
        code, _sep, part = name.rpartition("_")
        if part in COMPONENT_PARTS and code and text:
            parts.setdefault(code.upper(), {})[part] = (name, text)
    for code, given in parts.items():
        if "score" not in given or "max" not in given:
            problems.append(_("{code}: give both its score and its maximum.").format(code=code))
            continue
        try:
            rank = given.get("rank")
            components.append(
                ComponentValue(
                    code=code,
                    score=_number(given["score"][1], given["score"][0]),
                    max_score=_number(given["max"][1], given["max"][0]),
                    rank=None if rank is None else _number(rank[1], rank[0], whole=True),
                )
            )
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        return None, problems
    row = ResultRow(
        index=index,
        year=values["year"],
        score=values["score"],
        rank=values["rank"],
        rank_of=values["rank_of"],
        source_note=cells.get("source", ""),
        components=tuple(components),
    )
    return row, _row_problems(row)


def index_results_import(*, actor, file, at: datetime | None = None) -> ImportSummary:
    """The office's reviewers import the province's results from a CSV or XLSX file — all of
    its rows or, when any row is wrong, none (InvalidInput naming each wrong row).

    The format: the first row names the columns (any order, case and accents ignored):
    ``index`` (PAR Index, SIPAS or PAPI), ``year``, ``score`` (up to 2 decimals, "," or "."),
    ``rank``, ``rank_of`` (63 for the years up to 2024, 34 from 2025), optionally ``source``
    (where it was published) and, per component of ``data/index_components.yaml`` (LV1–LV8 of
    the PAR Index, YT1–YT5 of SIPAS, ND1–ND8 of PAPI), ``<code>_score`` and ``<code>_max``
    (both, or neither) and ``<code>_rank``. One row per index and year; a row for a result
    already entered corrects it. A CSV is UTF-8, separated by "," or ";"; an XLSX is read from
    its first sheet. At most ``IMPORT_MAX_BYTES`` and ``IMPORT_MAX_ROWS`` rows.
    """
    access.require_may(actor, IndexResultAction.CHANGE, IndexResult)
    table = _table(file)
    if not table or not any(table[0]):
        raise _file_error(_("The file is empty."), "empty_file")
    positions = _columns(table[0])
    errors: list[str] = []
    prepared: list[tuple[ResultRow, Agency]] = []
    provinces: dict[int, Agency | str] = {}
    seen: dict[tuple[str, int], int] = {}
    for number, values in enumerate(table[1:], start=2):
        if not any(values):
            continue
        cells = {
            name: values[position] if position < len(values) else ""
            for name, position in positions.items()
        }
        row, problems = _parse(cells)
        if row is not None and not problems:
            key = (row.index, row.year)
            if key in seen:
                problems.append(_("the same index and year as row {n}.").format(n=seen[key]))
            seen.setdefault(key, number)
            if row.year not in provinces:
                try:
                    provinces[row.year] = province_for(row.year)
                except InvalidInput as exc:
                    provinces[row.year] = str(exc.message)
            province = provinces[row.year]
            if isinstance(province, str):
                problems.append(province)
            elif not problems:
                prepared.append((row, province))
        errors.extend(
            _("Row {n}: {problem}").format(n=number, problem=problem) for problem in problems
        )
    if errors:
        raise InvalidInput(
            _("Nothing was imported: correct the rows below and send the file again."),
            code="import_invalid",
            details={"rows": errors},
        )
    if not prepared:
        raise _file_error(_("The file has no rows of results."), "empty_file")
    summary = ImportSummary()
    at = moment(at)
    with transaction.atomic():
        for row, province in prepared:
            result, created = _write(actor=actor, row=row, province=province, at=at)
            (summary.created if created else summary.corrected).append(result)
    return summary
