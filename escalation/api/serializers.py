from rest_framework import serializers

from escalation.models import Escalation


class EscalationSerializer(serializers.ModelSerializer):
    level = serializers.CharField(source="level.kind", read_only=True)
    offset_working_days = serializers.IntegerField(
        source="level.offset_working_days", read_only=True
    )
    agency = serializers.CharField(source="assignment.agency.code", read_only=True)
    # Nobody while it is open, or when it was closed by the sweep or by the work's end.
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Escalation
        fields = [
            "id",
            "assignment",
            "agency",
            "level",
            "offset_working_days",
            "due_date",
            "raised_at",
            "resolved_at",
            "resolution",
            "decided_by",
            "decision_note",
            "penalty_points",
            "sent_to_leader",
        ]
