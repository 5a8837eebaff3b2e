"""Set-based writes the ORM does not offer."""

from django.db import connection
from django.db.models import CharField, Expression, Value
from django.db.models.functions import Cast, Concat
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
