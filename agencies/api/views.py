from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins

from agencies.filtersets import AgencyFilterSet
from agencies.models import Agency
from agencies.selectors import agency_history_list
from core.api import ScopedViewSet

from .serializers import AgencyDetailSerializer, AgencySerializer


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("valid_on", OpenApiTypes.DATE, description="Date (default: today)"),
        ]
    )
)
class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The organisation tree: read-only, names and kinds as they stood on a date."""

    queryset = Agency.objects.all()
    filterset_class = AgencyFilterSet
    lookup_field = "code"

    def get_serializer_class(self):
        return AgencyDetailSerializer if self.action == "retrieve" else AgencySerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return agency_history_list(user=self.request.user)
        return super().get_queryset()

    def filter_queryset(self, queryset):
        # The date filters choose versions for lists; a detail shows every version.
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)
