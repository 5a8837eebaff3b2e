"""Each escalation keeps the agency it was raised against: the assignment's agency, filled in
for the escalations already recorded."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE escalation_escalation SET agency_id = (
    SELECT agency_id FROM workflow_assignment
    WHERE workflow_assignment.id = escalation_escalation.assignment_id
)
"""


class Migration(migrations.Migration):
    # Not in one transaction: on PostgreSQL the filled-in keys' deferred checks would still be
    # pending when the column becomes NOT NULL, which it refuses.
    atomic = False

    dependencies = [
        ("agencies", "0001_initial"),
        ("escalation", "0005_escalation_queue_index"),
        ("workflow", "0007_item_expected_output_focal_agency"),
    ]

    operations = [
        migrations.AddField(
            model_name="escalation",
            name="agency",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.agency",
                verbose_name="agency",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="escalation",
            name="agency",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.agency",
                verbose_name="agency",
            ),
        ),
    ]
