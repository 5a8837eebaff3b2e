"""Shapes of the inspection API: what it answers, and its input where the pages' forms do not
fit an API body. Agencies are named by their code, people by their username."""

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Agency
from inspection.choices import TeamRole
from inspection.forms import FindingForm, RecommendationForm, team_people
from inspection.models import (
    ChecklistTemplate,
    Finding,
    FindingEvidence,
    Inspection,
    InspectionPlan,
    Recommendation,
    TeamMember,
    Verification,
)

# Dates as ISO (2026-03-31) or as people write them (31/03/2026).
DATES = ["iso-8601", "%d/%m/%Y"]
POINTS = {"max_digits": 6, "decimal_places": 2}
ID_MAX = 2**63 - 1


def _user(serializer):
    return serializer.context["request"].user


class _Scoped:
    """A related field choosing among the rows the requesting user may see (``restrict``)."""

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.restrict(_user(self.root))


class ScopedSlugField(_Scoped, serializers.SlugRelatedField):
    """A related object by its slug, among those the user may see."""


class ScopedPrimaryKeyField(_Scoped, serializers.PrimaryKeyRelatedField):
    """A related object by its id, among those the user may see."""


# --- output -------------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    organiser = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organiser_name = serializers.CharField(read_only=True)
    directive = serializers.IntegerField(source="item.directive_id", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    inspections_count = serializers.IntegerField(read_only=True)
    concluded_count = serializers.IntegerField(
        read_only=True, help_text="Its inspections concluded or closed."
    )

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "year",
            "organiser",
            "organiser_name",
            "title",
            "decision_number",
            "decision_date",
            "form",
            "status",
            "directive",
            "item",
            "created_by",
            "created_at",
            "inspections_count",
            "concluded_count",
        ]


class InspectionSerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(read_only=True)
    organiser = serializers.CharField(source="plan.organiser.code", read_only=True)
    organiser_name = serializers.CharField(read_only=True)
    findings_count = serializers.IntegerField(
        read_only=True, help_text="The team's findings recorded so far."
    )
    open_recommendations = serializers.IntegerField(
        read_only=True, help_text="Recommendations issued and not yet verified done."
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "plan",
            "plan_title",
            "year",
            "agency",
            "agency_name",
            "organiser",
            "organiser_name",
            "template",
            "scheduled_on",
            "conducted_on",
            "status",
            "self_report_due",
            "self_report",
            "self_assessment_requested",
            "findings_count",
            "open_recommendations",
        ]


class TeamMemberSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    name = serializers.CharField(source="user", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(read_only=True)

    class Meta:
        model = TeamMember
        fields = ["user", "name", "agency", "agency_name", "role"]


class TemplateRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistTemplate
        fields = ["id", "family", "version", "name", "year"]


class InspectionDetailSerializer(InspectionSerializer):
    """One inspection with its team, its minutes and conclusion (signatures as people and
    times) and the steps the user may take on it now."""

    template = TemplateRefSerializer(read_only=True)
    team = TeamMemberSerializer(many=True, read_only=True)
    minutes_signed_by_lead = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    minutes_signed_by_head = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    concluded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    steps = serializers.SerializerMethodField(
        help_text="What the user may do on it: manage, record, lead, confirm, self_assess, "
        "conclude."
    )

    class Meta(InspectionSerializer.Meta):
        fields = [
            *[
                f
                for f in InspectionSerializer.Meta.fields
                if f not in {"findings_count", "open_recommendations"}  # the list's counts
            ],
            "team_decision_number",
            "team_decision_date",
            "team",
            "minutes_text",
            "minutes_signed_by_lead",
            "minutes_signed_by_lead_at",
            "minutes_signed_by_head",
            "minutes_signed_by_head_at",
            "objection",
            "conclusion_number",
            "conclusion_date",
            "conclusion_text",
            "concluded_by",
            "concluded_at",
            "closed_at",
            "steps",
        ]

    def get_steps(self, obj) -> list[str]:
        return sorted(self.context.get("steps", ()))


class FindingEvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = FindingEvidence
        fields = [
            "id",
            "finding",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
        ]


class FindingSerializer(serializers.ModelSerializer):
    criterion_code = serializers.CharField(source="criterion.code", read_only=True)
    max_points = serializers.DecimalField(source="criterion.max_points", read_only=True, **POINTS)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    evidence = FindingEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "criterion",
            "criterion_code",
            "max_points",
            "side",
            "result",
            "points",
            "note",
            "version",
            "recorded_by",
            "recorded_at",
            "evidence",
        ]


class FindingRecordedSerializer(FindingSerializer):
    replayed = serializers.BooleanField(
        read_only=True,
        help_text="The key was applied before: nothing changed now (the finding as it is).",
    )

    class Meta(FindingSerializer.Meta):
        fields = [*FindingSerializer.Meta.fields, "replayed"]


class VerificationSerializer(serializers.ModelSerializer):
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Verification
        fields = [
            "id",
            "assignment",
            "result",
            "note",
            "new_due_date",
            "verified_by",
            "verified_at",
        ]


class RecommendationSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(read_only=True)
    criterion_code = serializers.CharField(
        source="criterion.code", read_only=True, allow_null=True, default=None
    )
    verifications = VerificationSerializer(many=True, read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "inspection",
            "order",
            "criterion",
            "criterion_code",
            "text",
            "agency",
            "agency_name",
            "item",
            "due_date",
            "due_days",
            "status",
            "assignment",
            "reissued",
            "verifications",
        ]


# --- input --------------------------------------------------------------------------------------
# The writes validate with the pages' forms (``inspection.forms``; ``core.api.form_serializer``
# declares them in the schema). A body that names its inspection (the page has it in its URL)
# adds the field to the page's form.


class InspectionRefForm(forms.Form):
    inspection = forms.IntegerField(
        min_value=1, max_value=ID_MAX, help_text="The id of the inspection."
    )


class FindingApiForm(InspectionRefForm, FindingForm):
    """A finding as the conduct screen sends it, naming its inspection. ``version``: the one
    the edit was made on (empty for a new finding); ``key``: one per edit, so that an edit
    sent again is applied once."""


class RecommendationApiForm(InspectionRefForm, RecommendationForm):
    """For the schema only: the recommendation form (built for its inspection) and the id of
    that inspection."""


class TeamMemberInput(serializers.Serializer):
    user = serializers.CharField(help_text="The person's username.")
    agency = ScopedSlugField(
        Agency, slug_field="code", help_text="The code of the agency they sit for."
    )
    role = serializers.ChoiceField(choices=TeamRole.choices, default=TeamRole.MEMBER)

    def validate(self, attrs):
        # Who may sit on a team, for which agency: as the page offers them.
        member = team_people().filter(agency=attrs["agency"], user__username=attrs["user"]).first()
        if member is None:
            raise serializers.ValidationError(
                {"user": [_("This person may not sit on a team for that agency.")]}
            )
        return {**attrs, "user": member.user}


class InspectionScheduleInput(serializers.Serializer):
    """An inspection put in the plan. The page's form picks the team in two lists; here the
    team is a list of people by username with the agency they sit for and their role (one
    head of the team)."""

    agency = ScopedSlugField(
        Agency, slug_field="code", help_text="The code of the agency inspected."
    )
    template = ScopedPrimaryKeyField(ChecklistTemplate, help_text="The checklist version.")
    team_decision_number = serializers.CharField(max_length=64)
    team_decision_date = serializers.DateField(input_formats=DATES)
    scheduled_on = serializers.DateField(input_formats=DATES)
    team = TeamMemberInput(many=True, allow_empty=False)
    self_report_due = serializers.DateField(
        input_formats=DATES,
        required=False,
        allow_null=True,
        default=None,
        help_text="Omitted: five working days before the visit (none for an unannounced one).",
    )
    self_assessment_requested = serializers.BooleanField(required=False, default=False)


# --- list filters -------------------------------------------------------------------------------


class InspectionQuery(serializers.Serializer):
    plan = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    agency = serializers.CharField(required=False, help_text="An agency's code.")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class ByInspectionQuery(serializers.Serializer):
    inspection = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
