"""Output shapes of the workflow API (input goes through the same forms as the pages)."""

from rest_framework import serializers

from workflow.choices import ExtensionStepName, Timeliness
from workflow.models import (
    Assignment,
    Attachment,
    Directive,
    DirectiveItem,
    ExtensionRequest,
    ProgressReport,
    Publication,
)


class DirectiveItemSerializer(serializers.ModelSerializer):
    focal_agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = DirectiveItem
        fields = ["id", "directive", "number", "text", "order", "expected_output", "focal_agency"]


class DirectiveSerializer(serializers.ModelSerializer):
    issuer = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Directive
        fields = [
            "id",
            "kind",
            "number",
            "title",
            "issued_on",
            "issuer",
            "signer",
            "status",
            "note",
        ]


class DirectiveDetailSerializer(DirectiveSerializer):
    items = DirectiveItemSerializer(many=True, read_only=True)

    class Meta(DirectiveSerializer.Meta):
        fields = [*DirectiveSerializer.Meta.fields, "full_text", "contribution_lead_days", "items"]


class PublicationSerializer(serializers.ModelSerializer):
    """Whether a directive is public, since when, and which of its items (by id)."""

    items = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = ["directive", "is_public", "published_at", "withdrawn_at", "revision", "items"]

    def get_items(self, publication) -> list[int]:
        return list(
            publication.directive.items.filter(public=True)
            .order_by("order", "pk")
            .values_list("pk", flat=True)
        )


class AssignmentSerializer(serializers.ModelSerializer):
    directive = serializers.IntegerField(source="item.directive_id", read_only=True)
    item_number = serializers.CharField(source="item.number", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_as_written = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # Nobody until the agency receives it.
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    timeliness = serializers.ChoiceField(choices=Timeliness.choices, read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "directive",
            "item",
            "item_number",
            "title",
            "expected_output",
            "agency",
            "agency_as_written",
            "agency_text",
            "role",
            "modality",
            "parent",
            "source",
            "assigned_on",
            "due_policy",
            "due_date",
            "original_due_date",
            "period_start",
            "period_end",
            "state",
            "timeliness",
            "assignee",
            "received_on",
            "completed_on",
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "url"]

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("workflow:attachment", args=[obj.pk])


class ReportSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "kind",
            "author",
            "text",
            "percent",
            "submitted_at",
            "status",
            "attachments",
        ]


class ExtensionSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    # Nobody until the head endorses it, or the office decides it.
    endorsed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "assignment",
            "requested_by",
            "requested_at",
            "current_due_date",
            "requested_due_date",
            "reason",
            "status",
            "endorsed_by",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class ExtensionListSerializer(ExtensionSerializer):
    """A row of the extension requests' list: with its assignment's title and agency (code and
    name of today) and the step the user may take on it now ("" for none)."""

    assignment_title = serializers.CharField(source="assignment.title", read_only=True)
    agency = serializers.CharField(source="assignment.agency.code", read_only=True)
    agency_name = serializers.CharField(read_only=True)
    step = serializers.ChoiceField(
        choices=ExtensionStepName.choices, allow_blank=True, read_only=True
    )

    class Meta(ExtensionSerializer.Meta):
        fields = [
            *ExtensionSerializer.Meta.fields[:2],
            "assignment_title",
            "agency",
            "agency_name",
            *ExtensionSerializer.Meta.fields[2:],
            "step",
        ]


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    verb = serializers.CharField()
    note = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()
    sentence = serializers.CharField()


class AssignmentDetailSerializer(AssignmentSerializer):
    reports = ReportSerializer(many=True, read_only=True)
    extension_requests = ExtensionSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()
    available_steps = serializers.SerializerMethodField()

    class Meta(AssignmentSerializer.Meta):
        fields = [
            *AssignmentSerializer.Meta.fields,
            "reports",
            "extension_requests",
            "timeline",
            "available_steps",
        ]

    def get_timeline(self, obj) -> list[dict]:
        from workflow.selectors import assignment_timeline

        entries = assignment_timeline(assignment=obj)
        rows = [
            {
                **{
                    f: getattr(e.event, f)
                    for f in ("at", "actor", "verb", "note", "before", "after")
                },
                "sentence": e.sentence,
            }
            for e in entries
        ]
        return EventSerializer(rows, many=True).data

    def get_available_steps(self, obj) -> list[str]:
        from workflow.steps import available_steps

        return [s.name for s in available_steps(user=self.context["request"].user, assignment=obj)]
