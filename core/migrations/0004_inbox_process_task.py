"""The open tasks of a process (core.inbox): an agency's work is found from its assignments'
processes, and each one's open task is then read from this index alone, not from every task
the process ever had (five or more rows of viewflow's table per assignment)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0003_inbox_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS inbox_process_task ON viewflow_task "
            "(process_id, flow_task, created, id) WHERE status IN ('NEW', 'ASSIGNED')",
            "DROP INDEX IF EXISTS inbox_process_task",
        ),
    ]
