from rest_framework import serializers

from agencies.choices import AgencyKind
from agencies.models import Agency, AgencyVersion, Succession


class AgencyVersionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = AgencyVersion
        fields = [
            "valid_from",
            "valid_until",
            "name",
            "short_name",
            "kind",
            "parent",
            "legal_basis",
            "verified",
            "source",
        ]


class SuccessionSerializer(serializers.ModelSerializer):
    predecessor = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # None for a dissolution with no successor.
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Succession
        fields = [
            "predecessor",
            "successor",
            "kind",
            "effective_on",
            "function",
            "legal_basis",
            "verified",
        ]


class AgencySerializer(serializers.ModelSerializer):
    """An agency as it stood on the requested date (``valid_on``, today by default)."""

    name = serializers.CharField(read_only=True)
    short_name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=AgencyKind.choices, read_only=True)
    parent = serializers.CharField(source="parent_code", read_only=True, allow_null=True)
    valid_from = serializers.DateField(read_only=True)
    valid_until = serializers.DateField(read_only=True, allow_null=True)
    aliases = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "valid_from",
            "valid_until",
            "aliases",
        ]


class AgencyDetailSerializer(serializers.ModelSerializer):
    versions = AgencyVersionSerializer(many=True, read_only=True)
    successions = SuccessionSerializer(many=True, read_only=True)
    predecessions = SuccessionSerializer(many=True, read_only=True)
    aliases = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)

    class Meta:
        model = Agency
        fields = ["code", "versions", "aliases", "successions", "predecessions"]
