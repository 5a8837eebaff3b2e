"""The escalation API: the list through the page's filterset, one POST to decide."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSet, form_serializer, valid
from escalation import selectors, services
from escalation.filtersets import EscalationFilterSet
from escalation.forms import EscalationDecisionForm
from escalation.models import Escalation

from .serializers import EscalationSerializer


class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Escalations of visible assignments; the office (or a leader, once sent up) decides."""

    queryset = Escalation.objects.all()
    serializer_class = EscalationSerializer
    filterset_class = EscalationFilterSet

    def get_queryset(self):
        return selectors.escalation_list(user=self.request.user)

    @extend_schema(request=form_serializer(EscalationDecisionForm), responses=EscalationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        escalation = self.get_object()
        form = EscalationDecisionForm(data=request.data, user=request.user, escalation=escalation)
        valid(form)
        result = services.escalation_decide(
            actor=request.user, escalation=escalation, decision=form.as_decision()
        )
        return Response(EscalationSerializer(result).data)
