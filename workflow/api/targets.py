"""The items' targets in the API: indicators with their status, the values reported, and one
POST per action (set, correct, report, confirm, correct a value), each validated by the page's
form; a value's evidence files are listed with the address that serves them to those who may see
the value; errors come back as {"code", "message", "errors"}."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSet, form_serializer, valid
from core.exceptions import InvalidInput
from workflow import selectors, services
from workflow.choices import IndicatorAction, IndicatorStatus, MeasurementAction
from workflow.forms import IndicatorForm, MeasurementCorrectForm, MeasurementForm
from workflow.models import DirectiveItem, Indicator, Measurement, MeasurementEvidence


class IndicatorSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    agency_name = serializers.CharField(read_only=True)
    latest_value = serializers.DecimalField(
        max_digits=14, decimal_places=4, read_only=True, allow_null=True
    )
    latest_period_end = serializers.DateField(source="latest_end", read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=IndicatorStatus.choices, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "item",
            "name",
            "unit",
            "baseline",
            "target_min",
            "target_max",
            "direction",
            "target_year",
            "due_on",
            "agency",
            "agency_name",
            "source_text",
            "latest_value",
            "latest_period_end",
            "status",
        ]


class MeasurementEvidenceSerializer(serializers.ModelSerializer):
    """An evidence file of a value: its label and the address that serves it to those who may
    see the value (never the storage address)."""

    name = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = MeasurementEvidence
        fields = ["id", "name", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, row) -> str:
        return reverse("workflow:measurement_evidence", args=[row.pk])


class MeasurementSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(read_only=True)
    reported_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    confirmed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    corrected_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    evidence_files = MeasurementEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "indicator",
            "agency",
            "agency_name",
            "period",
            "year",
            "number",
            "period_end",
            "value",
            "evidence_note",
            "reported_by",
            "reported_at",
            "confirmed_by",
            "confirmed_at",
            "corrected_by",
            "corrected_at",
            "evidence_files",
        ]


class IndicatorCreateInput(form_serializer(IndicatorForm, "IndicatorFields")):  # type: ignore[misc]
    item = serializers.IntegerField(help_text="The key of the item the target is for.")


def _item_key(data) -> int:
    try:
        return int(data.get("item"))
    except (TypeError, ValueError):
        message = _("Give the item's key.")
        raise InvalidInput(message, details={"item": [message]}) from None


class IndicatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Indicators the user may see (``?item=`` for one item's), with their status."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    action_permissions = {"change": IndicatorAction.CHANGE, "report": IndicatorAction.REPORT}

    def get_queryset(self):
        rows = selectors.indicator_list(user=self.request.user)
        item = self.request.query_params.get("item", "")
        return rows.filter(item_id=int(item)) if item.isdigit() else rows

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.indicators_with_status(page)

    def get_object(self):
        return selectors.indicators_with_status([super().get_object()])[0]

    def _fresh(self, indicator: Indicator) -> dict:
        return IndicatorSerializer(
            selectors.indicator_get(user=self.request.user, pk=indicator.pk)
        ).data

    @extend_schema(request=IndicatorCreateInput, responses={201: IndicatorSerializer})
    def create(self, request):
        try:
            item = selectors.item_get(user=request.user, pk=_item_key(request.data))
        except DirectiveItem.DoesNotExist:
            message = _("No such item.")
            raise InvalidInput(message, code="not_found", details={"item": [message]}) from None
        data = valid(IndicatorForm(data=request.data))
        indicator = services.indicator_create(actor=request.user, item=item, **data)
        return Response(self._fresh(indicator), status=status.HTTP_201_CREATED)

    @extend_schema(request=form_serializer(IndicatorForm), responses=IndicatorSerializer)
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        indicator = self.get_object()
        instance = Indicator.objects.select_related("agency").get(pk=indicator.pk)
        data = valid(IndicatorForm(data=request.data, instance=instance))
        indicator = services.indicator_update(actor=request.user, indicator=indicator, **data)
        return Response(self._fresh(indicator))

    @extend_schema(request=form_serializer(MeasurementForm), responses={201: MeasurementSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        indicator = self.get_object()
        data = valid(MeasurementForm(data=request.data, files=request.FILES))
        measurement = services.measurement_report(actor=request.user, indicator=indicator, **data)
        fresh = selectors.measurement_get(user=request.user, pk=measurement.pk)
        return Response(MeasurementSerializer(fresh).data, status=status.HTTP_201_CREATED)


class MeasurementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The values the user may see (``?indicator=`` for one indicator's); the office confirms."""

    queryset = Measurement.objects.all()
    serializer_class = MeasurementSerializer
    action_permissions = {
        "confirm": MeasurementAction.CONFIRM,
        "correct": MeasurementAction.CORRECT,
    }

    def get_queryset(self):
        rows = selectors.measurement_list(user=self.request.user, with_evidence=True)
        indicator = self.request.query_params.get("indicator", "")
        return rows.filter(indicator_id=int(indicator)) if indicator.isdigit() else rows

    @extend_schema(request=None, responses=MeasurementSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        measurement = services.measurement_confirm(
            actor=request.user, measurement=self.get_object()
        )
        fresh = selectors.measurement_get(user=request.user, pk=measurement.pk)
        return Response(MeasurementSerializer(fresh).data)

    @extend_schema(request=form_serializer(MeasurementCorrectForm), responses=MeasurementSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        measurement = self.get_object()
        data = valid(MeasurementCorrectForm(data=request.data, files=request.FILES))
        measurement = services.measurement_correct(
            actor=request.user, measurement=measurement, **data
        )
        fresh = selectors.measurement_get(user=request.user, pk=measurement.pk)
        return Response(MeasurementSerializer(fresh).data)
