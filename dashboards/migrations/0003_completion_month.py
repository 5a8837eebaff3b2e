"""Done work counted by its month of completion (the dashboard's trend of on-time
completion): the triggers anew, which count the rows already there."""

from django.db import migrations

from dashboards import tallies


def install(apps, schema_editor):
    tallies.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_escalation_tally_by_agency")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
