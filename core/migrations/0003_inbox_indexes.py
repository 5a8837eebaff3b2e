"""Indexes of the inbox (core.inbox) on viewflow's task table, which no app of ours owns (so
SQL, not AddIndex): the open tasks of a node by arrival, and a user's own open tasks. On
PostgreSQL, planner statistics on the pair (node, status) too: without them the planner takes
the open tasks of a node for a few thousandth of the table, whatever their number, and
misjudges the plans of the largest kinds (the office's late work)."""

from django.db import migrations

OPEN = "status IN ('NEW', 'ASSIGNED')"
INDEXES = {
    "inbox_open_task": "(flow_task, created, id)",
    "inbox_owned_task": "(owner_id, flow_task, created, id)",
}
STATISTICS = "inbox_task_node_status"


def statistics_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv) ON flow_task, status "
            "FROM viewflow_task"
        )
        schema_editor.execute("ANALYZE viewflow_task")


def statistics_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_calendaroverride"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        *(
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {name} ON viewflow_task {columns} WHERE {OPEN}",
                f"DROP INDEX IF EXISTS {name}",
            )
            for name, columns in INDEXES.items()
        ),
        migrations.RunPython(statistics_create, statistics_drop),
    ]
