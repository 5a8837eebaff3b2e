"""The workflow API: lists through the shared filtersets, one POST action per step.

Step input is validated by the same forms as the pages (``workflow.actions``); errors come
back as {"code", "message", "errors"} with 400, 403, 404 or 409.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core import access
from core.api import ScopedViewSet
from core.exceptions import InvalidInput
from workflow import importing, selectors, services
from workflow.actions import EXTENSION_STEPS, STEPS, assign_item, make_form
from workflow.filtersets import AssignmentFilterSet, DirectiveFilterSet, EscalationFilterSet
from workflow.forms import (
    AssignForm,
    DirectiveForm,
    EscalationDecisionForm,
    ImportForm,
    ItemForm,
)
from workflow.models import (
    Assignment,
    Directive,
    DirectiveItem,
    Escalation,
    ExtensionRequest,
)

from .serializers import (
    AssignmentDetailSerializer,
    AssignmentSerializer,
    DirectiveDetailSerializer,
    DirectiveItemSerializer,
    DirectiveSerializer,
    ExtensionSerializer,
)


def _valid(form):
    if not form.is_valid():
        raise InvalidInput(_("The input is not valid."), details=form.errors.get_json_data())
    return form.cleaned_data


class DirectiveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Directive.objects.all()
    filterset_class = DirectiveFilterSet
    action_permissions = {"publish": "publish", "add_item": "change"}

    def get_queryset(self):
        return selectors.directive_list(user=self.request.user).order_by("-issued_on", "-pk")

    def get_serializer_class(self):
        return DirectiveDetailSerializer if self.action == "retrieve" else DirectiveSerializer

    @extend_schema(request=None, responses=DirectiveDetailSerializer)
    def create(self, request):
        form = DirectiveForm(data=request.data, user=request.user)
        directive = services.directive_create(actor=request.user, **_valid(form))
        return Response(DirectiveDetailSerializer(directive).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DirectiveDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        directive = services.directive_publish(actor=request.user, directive=self.get_object())
        return Response(DirectiveDetailSerializer(directive).data)

    @extend_schema(request=None, responses=DirectiveItemSerializer)
    @action(detail=True, methods=["post"], url_path="items")
    def add_item(self, request, pk=None):
        data = _valid(ItemForm(data=request.data))
        item = services.item_add(actor=request.user, directive=self.get_object(), **data)
        return Response(DirectiveItemSerializer(item).data, status=status.HTTP_201_CREATED)


class DirectiveItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = DirectiveItem.objects.all()
    serializer_class = DirectiveItemSerializer
    filterset_fields = ["directive"]

    def get_queryset(self):
        return super().get_queryset().order_by("directive", "order")

    @extend_schema(request=None, responses=AssignmentSerializer(many=True))
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        item = self.get_object()
        data = _valid(AssignForm(data=request.data, user=request.user))
        created = assign_item(actor=request.user, item=item, data=data)
        return Response(
            AssignmentSerializer(
                selectors.assignment_list(user=request.user).filter(pk__in=[a.pk for a in created]),
                many=True,
            ).data,
            status=status.HTTP_201_CREATED,
        )


class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Assignments the user may see; POST ``/{id}/<step>/`` takes one workflow step."""

    queryset = Assignment.objects.all()
    filterset_class = AssignmentFilterSet
    action_permissions = {f"step_{name}": step.access for name, step in STEPS.items()}

    def get_queryset(self):
        if self.action == "list":
            return selectors.assignment_list(user=self.request.user).order_by("due_date", "pk")
        return selectors.assignment_detail_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return AssignmentSerializer
        return AssignmentDetailSerializer

    def run_step(self, name):
        step = STEPS[name]
        assignment = self.get_object()
        data = _valid(
            make_form(
                step,
                user=self.request.user,
                assignment=assignment,
                data=self.request.data,
                files=self.request.FILES,
                prefix=False,
            )
        )
        step.run(self.request.user, assignment, data)
        fresh = selectors.assignment_get(user=self.request.user, pk=assignment.pk)
        return Response(AssignmentDetailSerializer(fresh, context={"request": self.request}).data)


def _step_endpoint(name):
    def endpoint(self, request, pk=None):
        return self.run_step(name)

    # The name must be set before @action records it in the route's method mapping.
    endpoint.__name__ = f"step_{name}"
    endpoint = action(
        detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name
    )(endpoint)
    return extend_schema(
        request=None, responses=AssignmentDetailSerializer, description=str(STEPS[name].label)
    )(endpoint)


for _name in STEPS:
    setattr(AssignmentViewSet, f"step_{_name}", _step_endpoint(_name))


class ExtensionViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, ScopedViewSet):
    """Extension requests of visible assignments; the head endorses, the office decides."""

    queryset = ExtensionRequest.objects.all()
    serializer_class = ExtensionSerializer

    def get_queryset(self):
        visible = selectors.assignment_list(user=self.request.user).values("pk")
        return (
            ExtensionRequest.objects.filter(assignment__in=visible)
            .select_related("requested_by")
            .order_by("-requested_at")
        )

    def _run(self, request, pk, name):
        extension = get_object_or_404(self.get_queryset(), pk=pk)
        step = EXTENSION_STEPS[name]
        access.require(request.user, step.access, extension.assignment)
        data = _valid(
            make_form(
                step,
                user=request.user,
                assignment=extension.assignment,
                data=request.data,
                prefix=False,
            )
        )
        result = step.run(request.user, extension, data)
        return Response(ExtensionSerializer(result).data)

    @extend_schema(request=None, responses=ExtensionSerializer)
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        return self._run(request, pk, "endorse")

    @extend_schema(request=None, responses=ExtensionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._run(request, pk, "decide")


class EscalationSerializer(serializers.ModelSerializer):
    level = serializers.CharField(source="level.kind", read_only=True)
    offset_working_days = serializers.IntegerField(
        source="level.offset_working_days", read_only=True
    )
    agency = serializers.CharField(source="assignment.agency.code", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

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


class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Escalations of visible assignments; the office (or a leader, once sent up) decides."""

    queryset = Escalation.objects.all()
    serializer_class = EscalationSerializer
    filterset_class = EscalationFilterSet

    def get_queryset(self):
        return selectors.escalation_list(user=self.request.user)

    @extend_schema(request=None, responses=EscalationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        escalation = self.get_object()
        data = _valid(EscalationDecisionForm(data=request.data, user=request.user))
        result = services.escalation_decide(
            actor=request.user,
            escalation=escalation,
            decision=data["decision"],
            note=data["note"],
            due_date=data.get("due_date"),
            agency=data.get("agency"),
            assignee=data.get("assignee"),
            penalty_points=data.get("penalty_points"),
            send_up=data.get("send_up", False),
        )
        return Response(EscalationSerializer(result).data)


class ImportViewSet(ScopedViewSet):
    """Directive text → proposed breakdown (no side effects) → confirmed directive."""

    queryset = Directive.objects.none()

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def parse(self, request):
        form = ImportForm(data=request.data, files=request.FILES, user=request.user)
        data = _valid(form)
        document = importing.import_parse(
            actor=request.user,
            text=data["text"],
            upload=data["file"],
            on=data["on"],
            issuer=data["issuer"],
        )
        return Response(document)

    @extend_schema(request=None, responses=DirectiveDetailSerializer)
    @action(detail=False, methods=["post"])
    def confirm(self, request):
        document = request.data.get("document", request.data)
        if not isinstance(document, dict):
            raise InvalidInput(
                _("Send the reviewed breakdown as a JSON object."), code="invalid_document"
            )
        directive = importing.import_confirm(actor=request.user, document=document)
        return Response(DirectiveDetailSerializer(directive).data, status=status.HTTP_201_CREATED)
