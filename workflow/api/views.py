"""The workflow API: lists through the shared filtersets, one POST action per step.

Step input is validated by the same forms as the pages (``workflow.steps``), and the schema
declares each form as the step's request body; errors come back as {"code", "message",
"errors"} with 400, 403, 404 or 409.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import KeysFirstPagination, ScopedViewSet, form_serializer, valid
from workflow import selectors, services
from workflow.choices import DirectiveAction, ExtensionStepName
from workflow.filtersets import AssignmentFilterSet, DirectiveFilterSet, ExtensionRequestFilter
from workflow.forms import AssignForm, DirectiveForm, ItemForm, PublicationForm
from workflow.models import Assignment, Directive, DirectiveItem, ExtensionRequest
from workflow.steps import EXTENSION_STEPS, STEPS, assign_item, make_form

from .serializers import (
    AssignmentDetailSerializer,
    AssignmentSerializer,
    DirectiveDetailSerializer,
    DirectiveItemSerializer,
    DirectiveSerializer,
    ExtensionListSerializer,
    ExtensionSerializer,
    PublicationSerializer,
)


class DirectiveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Directive.objects.all()
    filterset_class = DirectiveFilterSet
    action_permissions = {
        "publish": DirectiveAction.PUBLISH,
        "add_item": DirectiveAction.CHANGE,
        "make_public": DirectiveAction.PUBLICIZE,
        "withdraw_public": DirectiveAction.PUBLICIZE,
    }

    def get_queryset(self):
        return selectors.directive_list(user=self.request.user).order_by("-issued_on", "-pk")

    def get_serializer_class(self):
        return DirectiveDetailSerializer if self.action == "retrieve" else DirectiveSerializer

    @extend_schema(request=form_serializer(DirectiveForm), responses=DirectiveDetailSerializer)
    def create(self, request):
        form = DirectiveForm(data=request.data, user=request.user)
        directive = services.directive_create(actor=request.user, **valid(form))
        return Response(DirectiveDetailSerializer(directive).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DirectiveDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        directive = services.directive_publish(actor=request.user, directive=self.get_object())
        return Response(DirectiveDetailSerializer(directive).data)

    @extend_schema(request=form_serializer(PublicationForm), responses=PublicationSerializer)
    @action(detail=True, methods=["post"], url_path="public")
    def make_public(self, request, pk=None):
        """Make the directive public (công khai) with the chosen items, or change the choice."""
        directive = self.get_object()
        data = valid(PublicationForm(data=request.data, directive=directive))
        publication = services.publication_publish(
            actor=request.user, directive=directive, items=data["items"]
        )
        return Response(PublicationSerializer(publication).data)

    @extend_schema(request=None, responses=PublicationSerializer)
    @action(detail=True, methods=["post"], url_path="public/withdraw")
    def withdraw_public(self, request, pk=None):
        """Take the directive off the public page."""
        publication = services.publication_withdraw(actor=request.user, directive=self.get_object())
        return Response(PublicationSerializer(publication).data)

    @extend_schema(request=form_serializer(ItemForm), responses={201: DirectiveItemSerializer})
    @action(detail=True, methods=["post"], url_path="items")
    def add_item(self, request, pk=None):
        data = valid(ItemForm(data=request.data))
        item = services.item_add(actor=request.user, directive=self.get_object(), **data)
        return Response(DirectiveItemSerializer(item).data, status=status.HTTP_201_CREATED)


class DirectiveItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = DirectiveItem.objects.all()
    serializer_class = DirectiveItemSerializer
    filterset_fields = ["directive"]

    def get_queryset(self):
        return super().get_queryset().order_by("directive", "order")

    @extend_schema(
        request=form_serializer(AssignForm), responses={201: AssignmentSerializer(many=True)}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        item = self.get_object()
        data = valid(AssignForm(data=request.data, user=request.user))
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

    pagination_class = KeysFirstPagination

    def get_queryset(self):
        if self.action == "list":
            return selectors.api_rows(user=self.request.user).order_by("due_date", "pk")
        return selectors.assignment_detail_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return AssignmentSerializer
        return AssignmentDetailSerializer

    def run_step(self, name):
        step = STEPS[name]
        assignment = self.get_object()
        data = valid(
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
    step = STEPS[name]
    return extend_schema(
        request=form_serializer(step.form, f"{name.title().replace('_', '')}StepInput"),
        responses=AssignmentDetailSerializer,
        description=str(step.label),
    )(endpoint)


for _name in STEPS:
    setattr(AssignmentViewSet, f"step_{_name}", _step_endpoint(_name))


class ExtensionViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, ScopedViewSet):
    """Extension requests of visible assignments, filtered as on their page (``status``
    pending/decided, ``agency`` code, ``directive``, ``mine``: waiting for me); the head
    endorses, the office decides."""

    queryset = ExtensionRequest.objects.all()
    serializer_class = ExtensionListSerializer
    filterset_class = ExtensionRequestFilter
    action_permissions = {name: step.access for name, step in EXTENSION_STEPS.items()}

    def get_queryset(self):
        return selectors.extension_request_list(user=self.request.user)

    def _run(self, request, name):
        extension = self.get_object()
        step = EXTENSION_STEPS[name]
        data = valid(
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

    @extend_schema(
        request=form_serializer(EXTENSION_STEPS[ExtensionStepName.ENDORSE].form),
        responses=ExtensionSerializer,
    )
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        return self._run(request, ExtensionStepName.ENDORSE)

    @extend_schema(
        request=form_serializer(EXTENSION_STEPS[ExtensionStepName.DECIDE].form),
        responses=ExtensionSerializer,
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._run(request, ExtensionStepName.DECIDE)
