from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSet
from notifications.models import Notice
from notifications.selectors import notice_list
from notifications.services import notice_mark_read, notices_mark_all_read


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "category", "title", "url", "urgent", "created_at", "read_at"]


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The signed-in person's notices, newest first."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    filterset_fields = ["category", "urgent"]
    action_permissions = {"read": "mark_read"}

    def get_queryset(self):
        return notice_list(user=self.request.user)

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        return Response(
            NoticeSerializer(notice_mark_read(actor=request.user, notice=self.get_object())).data
        )

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notices_mark_all_read(actor=request.user)})
