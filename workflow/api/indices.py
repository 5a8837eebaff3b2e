"""The province's national index results in the API: read them (everyone signed in), import a
file of them (the office's reviewers); errors come back as {"code", "message", "errors"} — an
import refused names each wrong row under "errors" → "rows"."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import access
from core.api import ScopedViewSet, form_serializer, valid
from workflow import selectors, services
from workflow.choices import IndexResultAction, NationalIndex
from workflow.forms import IndexImportForm
from workflow.models import IndexComponent, IndexResult


class IndexComponentSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    agency_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = IndexComponent
        fields = ["code", "name", "score", "max_score", "rank", "agency", "agency_name"]


class IndexResultSerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(slug_field="code", read_only=True)
    province_name = serializers.CharField(read_only=True)
    entered_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    components = IndexComponentSerializer(many=True, read_only=True)

    class Meta:
        model = IndexResult
        fields = [
            "id",
            "index",
            "year",
            "province",
            "province_name",
            "score",
            "rank",
            "rank_of",
            "source_note",
            "entered_by",
            "entered_at",
            "components",
        ]


class IndexImportSerializer(serializers.Serializer):
    created = IndexResultSerializer(many=True)
    corrected = IndexResultSerializer(many=True)


ByIndex = OpenApiParameter(
    "index", str, enum=NationalIndex.values, description="Only the results of this index."
)


@extend_schema_view(list=extend_schema(parameters=[ByIndex]))
class IndexResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The province's results in the PAR Index, SIPAS and PAPI (newest year first)."""

    queryset = IndexResult.objects.all()
    serializer_class = IndexResultSerializer

    def get_queryset(self):
        index = self.request.query_params.get("index", "")
        return selectors.index_result_list(
            user=self.request.user, index=index if index in NationalIndex.values else None
        )

    @extend_schema(
        request={"multipart/form-data": form_serializer(IndexImportForm, "IndexImportInput")},
        responses={201: IndexImportSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Import a CSV or XLSX file of results: every row, or none (see the import page for
        the format)."""
        access.require_may(request.user, IndexResultAction.CHANGE, IndexResult)
        data = valid(IndexImportForm(data=request.data, files=request.FILES))
        summary = services.index_results_import(actor=request.user, file=data["file"])
        keys = [r.pk for r in summary.results]
        fresh = selectors.index_result_list(user=request.user).in_bulk(keys)
        body = {
            part: IndexResultSerializer([fresh[r.pk] for r in rows], many=True).data
            for part, rows in (("created", summary.created), ("corrected", summary.corrected))
        }
        return Response(body, status=status.HTTP_201_CREATED)
