"""Done work counted by its month of completion (the dashboard's trend of on-time
completion): the triggers anew, which count the rows already there."""

from django.db import migrations

from dashboards import tallies


def install(apps, schema_editor):
    """Nothing: the triggers are the current module's, which keep the agencies' rows too;
    migration 0004 installs them once that table exists."""


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_escalation_tally_by_agency")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
