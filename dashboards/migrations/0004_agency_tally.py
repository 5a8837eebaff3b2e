"""Every agency's assignments by bucket in one row (the province overview reads 12,000 of
them instead of every dated row), open work under a pending extension request counted in a
bucket of its own (kept by triggers on the requests too), each agency's escalations awaiting
the office or the leaders in one row, the dated rows again by directive item (the public
page), an index of the dated rows by bucket and date, and the triggers anew, which count the
rows already there."""

import django.db.models.deletion
from django.db import migrations, models

from dashboards import tallies


def install(apps, schema_editor):
    tallies.install(schema_editor.connection)


def drop(apps, schema_editor):
    # Migrated back: these triggers would write a table that is gone.
    tallies.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0001_initial'),
        ('dashboards', '0003_completion_month'),
        ('escalation', '0006_escalation_agency'),  # the triggers read the levels' kinds
        ('workflow', '0013_measurement_evidence'),  # and the extension requests
    ]

    operations = [
        migrations.CreateModel(
            name='AgencyTally',
            fields=[
                ('agency', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='agencies.agency')),
                ('open', models.IntegerField(default=0)),
                ('continuous', models.IntegerField(default=0)),
                ('extension', models.IntegerField(default=0)),
                ('done_on_time', models.IntegerField(default=0)),
                ('done_late', models.IntegerField(default=0)),
                ('cancelled', models.IntegerField(default=0)),
                ('transferred', models.IntegerField(default=0)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='AwaitingTally',
            fields=[
                ('agency', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='agencies.agency')),
                ('office', models.IntegerField(default=0)),
                ('leader', models.IntegerField(default=0)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ItemTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('bucket', models.CharField(choices=[('open', 'Open'), ('continuous', 'Continuous'), ('extension', 'Extension'), ('done_on_time', 'Done On Time'), ('done_late', 'Done Late'), ('cancelled', 'Cancelled'), ('transferred', 'Transferred')], max_length=16)),
                ('due_date', models.DateField()),
                ('n', models.IntegerField()),
            ],
        ),
        migrations.AlterField(
            model_name='assignmenttally',
            name='bucket',
            field=models.CharField(choices=[('open', 'Open'), ('continuous', 'Continuous'), ('extension', 'Extension'), ('done_on_time', 'Done On Time'), ('done_late', 'Done Late'), ('cancelled', 'Cancelled'), ('transferred', 'Transferred')], max_length=16),
        ),
        migrations.AddField(
            model_name='assignmenttally',
            name='summary',
            field=models.ForeignObject(from_fields=['agency'], null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='dated', to='dashboards.agencytally', to_fields=['agency']),
        ),
        migrations.AddIndex(
            model_name='assignmenttally',
            index=models.Index(fields=['bucket', 'due_date'], include=('agency', 'n'), name='assignment_tally_due'),
        ),
        migrations.AddField(
            model_name='itemtally',
            name='item',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='workflow.directiveitem'),
        ),
        migrations.AddConstraint(
            model_name='itemtally',
            constraint=models.UniqueConstraint(fields=('item', 'bucket', 'due_date'), name='item_tally_key'),
        ),
        migrations.RunPython(install, drop),
    ]
