"""Folded search columns on directives, items and assignments, filled for the rows already there,
and on PostgreSQL trigram indexes that let ``search_text LIKE '%…%'`` use an index; an index in
the lists' order (due date, id) so that the first page of many matches needs no sort.

The trigram indexes are made outside the model state (Django has no index that exists on one
database only), so ``makemigrations --check`` agrees on SQLite and PostgreSQL. pg_trgm is a trusted
extension (PostgreSQL 13+): the database's owner may create it without being a superuser.
"""

from django.db import migrations, models

from workflow.models.assigning import assignment_search_text
from workflow.models.directives import directive_search_text, item_search_text

BATCH = 2000
INDEXES = {
    "assignment_search_trgm": "workflow_assignment",
    "item_search_trgm": "workflow_directiveitem",
}


def _fill(model, fields, key):
    """Batched by primary key, so a million rows never sit in memory at once."""
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:BATCH]
        )
        if not rows:
            return
        model.objects.bulk_update(
            [model(pk=pk, search_text=key(*values)) for pk, *values in rows],
            ["search_text"],
            batch_size=500,
        )
        last = rows[-1][0]


def fill(apps, schema_editor):
    _fill(
        apps.get_model("workflow", "Directive"),
        ["number", "title"],
        lambda number, title: directive_search_text(number=number, title=title),
    )
    _fill(
        apps.get_model("workflow", "DirectiveItem"),
        ["text"],
        lambda text: item_search_text(text=text),
    )
    _fill(
        apps.get_model("workflow", "Assignment"),
        ["title", "expected_output"],
        lambda title, output: assignment_search_text(title=title, expected_output=output),
    )


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
            )


def unindex(apps, schema_editor):
    """The indexes go; the extension stays (other tables may use it)."""
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.AddField(
            model_name="directive",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.AddField(
            model_name="directiveitem",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["due_date", "id"], name="assignment_due_order"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        # Not TrigramExtension(): reversed on SQLite it would look for pg_extension.
        migrations.RunPython(index, unindex),
    ]
