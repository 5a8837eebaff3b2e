"""Set-based writes the ORM does not offer."""

import sqlite3
from collections.abc import Sequence
from typing import cast

from django.db import connection
from django.db.models import (
    CharField,
    Expression,
    F,
    Field,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import Lookup
from django.urls import reverse

_MARKER = 918273645


def insert_select(model, columns: list[str], queryset, conflict: list[str]) -> int:
    """``INSERT INTO <model's table> (columns) SELECT … ON CONFLICT (conflict) DO NOTHING``
    with the rows of ``queryset`` (a ``values_list`` in the order of ``columns``); returns how
    many rows were inserted. One statement whatever the number of rows."""
    sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) {sql} "
        f"ON CONFLICT ({', '.join(map(quote, conflict))}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def reversed_url(viewname: str, pk: Expression | str, query: str = "") -> Concat:
    """The URL of ``viewname`` for a primary key the database computes (``reverse`` with a
    marker, split around it), for URLs written by INSERT … SELECT."""
    prefix, suffix = reverse(viewname, args=[_MARKER]).split(str(_MARKER))
    return Concat(
        Value(prefix), Cast(pk, CharField()), Value(suffix + query), output_field=CharField()
    )


def columns_of(fields) -> list[str]:
    """The database columns of concrete ``fields`` (each has one), in their order."""
    return [cast(str, f.column) for f in fields]


def constant(value, field) -> Value:
    """``value`` of ``field`` as a constant of a SELECT list, as saving it would write it (SQL
    NULL for None, also for a JSON field, where ``Value(None, JSONField())`` is JSON null)."""
    if value is None:
        return Value(None, output_field=TextField())  # a bare NULL: any column takes it
    # Prepared by the field, passed to the driver as it is (a plain Field does not convert).
    return Value(field.get_db_prep_save(value, connection), output_field=Field())


def insert_from(model, columns: list[str], queryset, *, returning: Sequence[str] = ()) -> list:
    """``INSERT INTO <model's table> (columns) SELECT …`` with the rows of ``queryset`` (a
    ``values_list`` in the order of ``columns``), in one statement whatever the number of rows.
    Returns, for each row inserted, the ``returning`` columns (in no promised order), or with
    no ``returning`` an empty list."""
    sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) {sql}"
    )
    if returning:
        statement += f" RETURNING {', '.join(map(quote, returning))}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if returning else []


def _parameters_per_statement() -> int:
    """How many parameters one statement may carry: SQLite's own limit (999 before SQLite 3.32,
    32,766 since, 250,000 in Debian's build), PostgreSQL's protocol limit otherwise."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535


def values_insert(model, fields: list, rows: Sequence[tuple]) -> None:
    """INSERT rows of plain values (numbers and text, as the driver takes them) into the
    columns of ``fields`` of ``model``'s table: on PostgreSQL in one statement whatever their
    number (one array per column, ``unnest``), elsewhere in multi-row ``VALUES`` statements,
    as many rows in each as the database's limit of parameters allows."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})",  # noqa: S608
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 (quoted names, values bound)
        row = f"({', '.join(['%s'] * len(fields))})"
        size = max(_parameters_per_statement() // len(fields), 1)
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(head + ", ".join([row] * len(chunk)), [v for r in chunk for v in r])


class _AnyOf(Lookup):
    """``lhs IN (SELECT unnest(%s))``: the right-hand side is one array parameter
    (PostgreSQL). Not ``lhs = ANY(%s)``: a parameter array is not hashed, so when the planner
    scans the table (its statistics still say it is small, as inside the transaction that
    filled it) each row is compared with every key — minutes for 20,000 keys over a million
    rows; the sub-select is planned as a join. Which side of that join comes first still
    follows the statistics: a table filled in the same transaction is analyzed before it is
    read back this way (``escalation.sweep._analyze_if_grown``)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN (SELECT unnest(%s))", [*params, list(self.rhs)]


def among(field: str, values):
    """A filter: ``field`` is one of ``values`` (``<field>__in``), given to PostgreSQL as one
    array (``_AnyOf``), so that thousands of keys cost the driver and the server one
    parameter, not thousands."""
    values = list(values)
    if connection.vendor == "postgresql" and values:  # (an empty array has no element type)
        return _AnyOf(F(field), values)
    return Q(**{f"{field}__in": values})


class _AmongRows(Lookup):
    """``lhs = ANY(ARRAY(subquery))`` on PostgreSQL, ``lhs IN (subquery)`` elsewhere."""

    lookup_name = "among_rows"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = compiler.compile(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)


def among_rows(field: str, rows: QuerySet) -> Q:
    """A condition: ``field`` is one of the values of ``rows`` (a one-column ``values()``).

    As ``<field>__in=rows``, but on PostgreSQL written ``= ANY(ARRAY(subquery))``: the subquery
    runs once before the scan (an InitPlan) and the test is then an index condition, which
    the planner can combine with the rule's other conditions (a BitmapOr of index scans). An
    ``IN (subquery)`` OR'ed with other conditions is a filter run on every row of a full scan
    instead: at a province's volume, the difference between milliseconds and a second.
    """
    return Q(_AmongRows(F(field), Subquery(rows.order_by())))
