"""The open escalations counted per level and per agency they were raised against (the
province overview groups them by agency): the tally table anew and the current triggers, which
count the rows already there."""

import django.db.models.deletion
from django.db import migrations, models

from dashboards import tallies


def install(apps, schema_editor):
    """Nothing: the triggers are the current module's, which keep the agencies' rows too;
    migration 0004 installs them once that table exists."""


def drop(apps, schema_editor):
    tallies.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("dashboards", "0001_initial"),
        ("escalation", "0006_escalation_agency"),
    ]

    operations = [
        migrations.RunPython(drop, migrations.RunPython.noop),
        migrations.DeleteModel(name="EscalationTally"),
        migrations.CreateModel(
            name="EscalationTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("n", models.IntegerField()),
                (
                    "agency",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="agencies.agency",
                    ),
                ),
                (
                    "level",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="escalation.escalationlevel",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("level", "agency"), name="escalation_tally_key"
                    )
                ],
            },
        ),
        migrations.RunPython(install, drop),
    ]
