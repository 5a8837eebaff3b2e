"""The import API: directive text → proposed breakdown (no side effects) → confirmed directive."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSet, form_serializer, valid
from core.exceptions import InvalidInput
from core.throttle import ExpensiveThrottle
from importer import services
from importer.forms import ImportForm
from workflow.api.serializers import DirectiveDetailSerializer
from workflow.models import Directive


class ConfirmInput(serializers.Serializer):
    document = serializers.JSONField(
        help_text="The reviewed breakdown document (importer/document.py), as parse returned it."
    )


class ImportViewSet(ScopedViewSet):
    """Directive text → proposed breakdown (no side effects) → confirmed directive."""

    queryset = Directive.objects.none()
    throttle_classes = [ExpensiveThrottle]
    throttle_scope = "import"

    @extend_schema(request=form_serializer(ImportForm), responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def parse(self, request):
        data = valid(ImportForm(data=request.data, files=request.FILES, user=request.user))
        document = services.import_parse(
            actor=request.user,
            text=data["text"],
            upload=data["file"],
            on=data["on"],
            issuer=data["issuer"],
        )
        return Response(document)

    @extend_schema(request=ConfirmInput, responses={201: DirectiveDetailSerializer})
    @action(detail=False, methods=["post"])
    def confirm(self, request):
        data = request.data
        document = data.get("document", data) if isinstance(data, dict) else data
        if not isinstance(document, dict):
            raise InvalidInput(
                _("Send the reviewed breakdown as a JSON object."),
                code="invalid_document",
                details={"document": [_("The breakdown must be a JSON object.")]},
            )
        directive = services.import_confirm(actor=request.user, document=document)
        return Response(DirectiveDetailSerializer(directive).data, status=status.HTTP_201_CREATED)
