"""The global default escalation policy (DESIGN.md §5; editable in the admin afterwards)."""

from django.db import migrations

LEVELS = [
    # kind, offset in working days, audience, urgent
    ("reminder", -3, "assignee_and_heads", False),
    ("warning", 1, "heads", False),
    ("office", 5, "reviewers", True),
    ("leader", 15, "leaders", True),
]


def create(apps, schema_editor):
    Policy = apps.get_model("escalation", "EscalationPolicy")
    Level = apps.get_model("escalation", "EscalationLevel")
    policy, _ = Policy.objects.get_or_create(name="Mặc định", directive=None)
    for kind, offset, audience, urgent in LEVELS:
        Level.objects.get_or_create(policy=policy, kind=kind, offset_working_days=offset,
                                    defaults={"audience": audience, "urgent": urgent})


def remove(apps, schema_editor):
    apps.get_model("escalation", "EscalationPolicy").objects.filter(
        name="Mặc định", directive=None).delete()


class Migration(migrations.Migration):
    dependencies = [("escalation", "0002_initial")]
    operations = [migrations.RunPython(create, remove)]
