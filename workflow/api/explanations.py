"""Explanation requests in the API: the requests the user may see, with their standing; the
office asks (POST with an assignment or an indicator), the agency answers, the office
withdraws — each validated by the page's form; errors come back as {"code", "message",
"errors"}."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSet, form_serializer, valid
from core.exceptions import InvalidInput
from workflow import selectors, services
from workflow.choices import ExplanationAction
from workflow.forms import ExplanationAnswerForm, ExplanationRequestForm, ExplanationWithdrawForm
from workflow.models import Assignment, ExplanationRequest, Indicator

STANDINGS = ["awaiting", "overdue", "on_time", "late", "withdrawn"]


class ExplanationSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(read_only=True)
    subject_title = serializers.CharField(read_only=True)
    standing = serializers.ChoiceField(choices=STANDINGS, read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    answered_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ExplanationRequest
        fields = [
            "id",
            "assignment",
            "indicator",
            "subject_title",
            "agency",
            "agency_name",
            "question",
            "due_on",
            "status",
            "standing",
            "requested_by",
            "requested_at",
            "answer",
            "answered_by",
            "answered_at",
            "withdrawn_at",
            "withdrawal_note",
        ]


class ExplanationCreateInput(form_serializer(ExplanationRequestForm, "ExplanationFields")):  # type: ignore[misc]
    assignment = serializers.IntegerField(required=False, help_text="A late assignment's key.")
    indicator = serializers.IntegerField(
        required=False, help_text="The key of an indicator at risk or missed."
    )


def _subject(user, data) -> dict:
    """The one subject named in ``data``, read as the user may see it."""
    named = [key for key in ("assignment", "indicator") if data.get(key) not in (None, "")]
    if len(named) != 1:
        message = _("Ask about one assignment or one indicator.")
        raise InvalidInput(message, code="one_subject_required", details={"assignment": [message]})
    key = named[0]
    value = str(data[key])
    select = selectors.assignment_get if key == "assignment" else selectors.indicator_get
    try:
        if not value.isdigit():
            raise ValueError
        return {key: select(user=user, pk=int(value))}
    except (ValueError, Assignment.DoesNotExist, Indicator.DoesNotExist):
        message = _("No such assignment or indicator.")
        raise InvalidInput(message, code="not_found", details={key: [message]}) from None


class ExplanationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Explanation requests the user may see (``?standing=`` one of awaiting, overdue,
    on_time, late, withdrawn), those to explain first."""

    queryset = ExplanationRequest.objects.all()
    serializer_class = ExplanationSerializer
    action_permissions = {
        "answer": ExplanationAction.ANSWER,
        "withdraw": ExplanationAction.WITHDRAW,
    }

    def get_queryset(self):
        standing = self.request.query_params.get("standing")
        return selectors.explanation_list(user=self.request.user, group=standing)

    def _fresh(self, explanation, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.explanation_get(user=self.request.user, pk=explanation.pk)
        return Response(ExplanationSerializer(fresh).data, status=code)

    @extend_schema(request=ExplanationCreateInput, responses={201: ExplanationSerializer})
    def create(self, request):
        subject = _subject(request.user, request.data)
        data = valid(ExplanationRequestForm(data=request.data))
        explanation = services.explanation_request(actor=request.user, **subject, **data)
        return self._fresh(explanation, status.HTTP_201_CREATED)

    @extend_schema(request=form_serializer(ExplanationAnswerForm), responses=ExplanationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = valid(ExplanationAnswerForm(data=request.data))
        explanation = services.explanation_answer(
            actor=request.user, explanation=self.get_object(), **data
        )
        return self._fresh(explanation)

    @extend_schema(
        request=form_serializer(ExplanationWithdrawForm), responses=ExplanationSerializer
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = valid(ExplanationWithdrawForm(data=request.data))
        explanation = services.explanation_withdraw(
            actor=request.user, explanation=self.get_object(), **data
        )
        return self._fresh(explanation)
