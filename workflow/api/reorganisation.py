"""The reorganisation transfer in the API: the agencies that ended with work still theirs, and
one POST that moves all of one agency's work (``services.reorganisation_transfer``), as the
page does; only the office."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from agencies.models import Agency
from core import access
from core.exceptions import InvalidInput
from core.throttle import ExpensiveThrottle
from workflow import selectors, services
from workflow.choices import AssignmentAction
from workflow.models import Assignment


class SuccessorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class EndedAgencySerializer(serializers.Serializer):
    code = serializers.CharField(source="agency.code")
    name = serializers.CharField(help_text="Its last name.")
    ended_on = serializers.DateField(help_text="The first day it no longer existed.")
    open_work = serializers.IntegerField(help_text="Its open assignments.")
    obligations = serializers.IntegerField(help_text="Recurring reports it still owes.")
    successors = SuccessorSerializer(many=True, help_text="The agencies that took it over.")


class TransferInput(serializers.Serializer):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    to_agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        help_text="Where all its work goes; omitted: the single agency that took it over.",
    )
    choices = serializers.DictField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all()),
        required=False,
        help_text="Per assignment id, the agency that takes that one over (a split).",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class TransferResult(serializers.Serializer):
    assignments = serializers.DictField(
        child=serializers.IntegerField(), help_text="Old assignment id → its successor's id."
    )
    obligations = serializers.DictField(
        child=serializers.IntegerField(), help_text="Old recurring report id → its continuation."
    )
    by_agency = serializers.DictField(
        child=serializers.IntegerField(), help_text="Receiving agency's code → assignments."
    )


class EndedPagination(PageNumberPagination):
    page_size = 20


class ReorganisationViewSet(viewsets.GenericViewSet):
    queryset = Agency.objects.none()  # (for the schema: the rows come from the selectors)
    serializer_class = EndedAgencySerializer
    pagination_class = EndedPagination
    throttle_scope = "reorganisation"

    def get_throttles(self):
        return [ExpensiveThrottle()] if self.action == "create" else []

    def _require(self):
        access.require_may(self.request.user, AssignmentAction.TRANSFER, Assignment)

    def list(self, request):
        self._require()
        rows = selectors.ended_agencies(user=request.user)
        page = self.paginate_queryset(rows)
        ended = selectors.ended_agencies_read(list(page or []))
        return self.get_paginated_response(EndedAgencySerializer(ended, many=True).data)

    @extend_schema(request=TransferInput, responses={201: TransferResult})
    def create(self, request):
        self._require()
        given = TransferInput(data=request.data)
        if not given.is_valid():
            raise InvalidInput(details=given.errors)
        data = given.validated_data
        try:
            choices = {int(pk): agency for pk, agency in data.get("choices", {}).items()}
        except ValueError as exc:
            message = _("Each key of choices is the id of an assignment.")
            raise InvalidInput(message, details={"choices": [message]}) from exc
        moved = services.reorganisation_transfer(
            actor=request.user,
            agency=data["agency"],
            to_agency=data.get("to_agency"),
            choices=choices,
            note=data["note"],
        )
        codes = dict(Agency.objects.filter(pk__in=moved.by_agency).values_list("pk", "code"))
        body = {
            "assignments": moved.assignments,
            "obligations": moved.obligations,
            "by_agency": {codes[pk]: n for pk, n in moved.by_agency.items()},
        }
        return Response(TransferResult(body).data, status=status.HTTP_201_CREATED)
