"""The inspection API: plans, inspections, findings and recommendations, read through the
selectors (or ``objects.restrict``), each write one call of ``inspection.services``.

Input is validated by the pages' forms (``inspection.forms``, declared as each write's
request body through ``core.api.form_serializer``; a body also names the inspection where the
page has it in its URL), and the services decide the rest. Errors come back as {"code",
"message", "errors"} with 400, 403, 404 or 409, as in the workflow API; a finding edited
meanwhile by someone else is a 409 ``finding_conflict`` whose ``errors`` hold the finding as
it is now.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from agencies.models import Agency
from agencies.selectors import name_latest
from core import access
from core.api import KeysFirstPagination, ScopedViewSet, form_serializer, valid
from core.exceptions import InvalidInput, NotFound
from core.schema import ErrorSerializer
from inspection import selectors, services
from inspection.choices import FindingSide, InspectionAction
from inspection.forms import (
    ConclusionForm,
    ConfirmForm,
    EvidenceForm,
    InspectionPlanForm,
    MinutesForm,
    RecommendationForm,
    VerifyForm,
    YearForm,
)
from inspection.models import (
    Criterion,
    Finding,
    FindingEvidence,
    Inspection,
    InspectionPlan,
    Recommendation,
    Verification,
)

from .serializers import (
    ByInspectionQuery,
    FindingApiForm,
    FindingEvidenceSerializer,
    FindingRecordedSerializer,
    FindingSerializer,
    InspectionDetailSerializer,
    InspectionQuery,
    InspectionRefForm,
    InspectionScheduleInput,
    InspectionSerializer,
    PlanSerializer,
    RecommendationApiForm,
    RecommendationSerializer,
)

# A write that names its inspection in the body: 404 when the user may not see it.
NO_SUCH_INSPECTION = OpenApiResponse(
    ErrorSerializer, description="No such inspection that you may see."
)


def _valid(serializer_class, request, data=None) -> dict:
    """The input validated by a serializer (where no page's form fits), or InvalidInput
    carrying each field's problems (400)."""
    given = serializer_class(
        data=request.data if data is None else data, context={"request": request}
    )
    if not given.is_valid():
        raise InvalidInput(details=given.errors)
    return dict(given.validated_data)


def _query(serializer_class, request) -> dict:
    """A list's filters, read from the query string (400 when one is not valid)."""
    if request is None:  # the schema generator
        return {}
    return _valid(serializer_class, request, request.query_params)


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def _visible_inspection(user, pk) -> Inspection:
    """The inspection ``pk`` if ``user`` may see it, else NotFound (what it may do with it is
    the service's to say: 403)."""
    inspection = Inspection.objects.restrict(user).filter(pk=_pk(pk)).first()
    if inspection is None:
        raise NotFound()
    return inspection


def _criterion(user, inspection: Inspection, pk) -> Criterion:
    """The criterion ``pk`` of the inspection's checklist (as the conduct screen reads it)."""
    criterion = (
        Criterion.objects.restrict(user).filter(pk=pk, template_id=inspection.template_id).first()
    )
    if criterion is None:
        raise InvalidInput(
            _("This criterion is not in the inspection's checklist."),
            code="criterion",
            details={"criterion": [_("Choose a criterion of the checklist.")]},
        )
    return criterion


def _inspection_detail(request, pk, code=status.HTTP_200_OK) -> Response:
    """One inspection as its page reads it (``selectors.inspection_get``), with the codes of
    its agencies, and the steps the user may take on it."""
    try:
        inspection = selectors.inspection_get(user=request.user, pk=_pk(pk))
    except Inspection.DoesNotExist:
        raise NotFound() from None
    prefetch_related_objects([inspection], "agency", "plan__organiser")
    prefetch_related_objects(list(inspection.team.all()), "agency")
    steps = selectors.allowed_steps(user=request.user, inspection=inspection)
    body = InspectionDetailSerializer(inspection, context={"request": request, "steps": steps})
    return Response(body.data, status=code)


@extend_schema_view(list=extend_schema(parameters=[form_serializer(YearForm, "PlanYearQuery")]))
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Inspection plans the user may see (``?year=``); an inspector registers one for their
    agency, and the organiser puts inspections in it."""

    queryset = InspectionPlan.objects.all()
    serializer_class = PlanSerializer
    pagination_class = KeysFirstPagination
    action_permissions = {"schedule": InspectionAction.MANAGE}

    def get_queryset(self):
        year = None
        if self.action == "list" and self.request is not None:
            year = valid(YearForm(self.request.query_params))["year"]
        return selectors.plan_list(user=self.request.user, year=year).select_related(
            "organiser", "item", "created_by"
        )

    @extend_schema(request=form_serializer(InspectionPlanForm), responses={201: PlanSerializer})
    def create(self, request):
        # Who may register a plan at all before what they sent (403 rather than 400).
        access.require_may(request.user, InspectionAction.MANAGE, InspectionPlan)
        data = valid(InspectionPlanForm(data=request.data, user=request.user))
        plan = services.plan_create(actor=request.user, **data)
        fresh = self.get_queryset().get(pk=plan.pk)
        return Response(PlanSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InspectionScheduleInput, responses={201: InspectionDetailSerializer})
    @action(detail=True, methods=["post"], url_path="inspections")
    def schedule(self, request, pk=None):
        plan = self.get_object()
        data = _valid(InspectionScheduleInput, request)
        team = [
            services.Member(user=m["user"], agency=m["agency"], role=m["role"])
            for m in data.pop("team")
        ]
        inspection = services.inspection_schedule(actor=request.user, plan=plan, team=team, **data)
        return _inspection_detail(request, inspection.pk, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[InspectionQuery]),
    retrieve=extend_schema(responses=InspectionDetailSerializer),
)
class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Inspections the user may see (``?plan=&agency=&year=``); POST ``/{id}/minutes/`` (the
    team's head), ``/{id}/confirm/`` (the inspected agency's head, with an objection or not),
    ``/{id}/conclude/`` (the organiser's head: the recommendations become assignments)."""

    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    pagination_class = KeysFirstPagination
    action_permissions = {
        "minutes": InspectionAction.LEAD,
        "confirm": InspectionAction.CONFIRM,
        "conclude": InspectionAction.CONCLUDE,
    }

    def get_queryset(self):
        filters = _query(InspectionQuery, self.request) if self.action == "list" else {}
        agency = None
        if filters.get("agency"):
            agency = (
                Agency.objects.restrict(self.request.user).filter(code=filters["agency"]).first()
            )
            if agency is None:
                message = _("No agency has this code.")
                raise InvalidInput(message, details={"agency": [message]})
        return selectors.inspection_list(
            user=self.request.user,
            plan=filters.get("plan"),
            agency=agency,
            year=filters.get("year"),
        ).select_related("agency", "plan__organiser")

    def retrieve(self, request, pk=None):
        return _inspection_detail(request, pk)

    @extend_schema(request=form_serializer(MinutesForm), responses=InspectionDetailSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        inspection = self.get_object()
        data = valid(MinutesForm(data=request.data))
        services.minutes_draft(actor=request.user, inspection=inspection, **data)
        return _inspection_detail(request, inspection.pk)

    @extend_schema(
        request=form_serializer(ConfirmForm, "MinutesConfirmInput"),
        responses=InspectionDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        inspection = self.get_object()
        data = valid(ConfirmForm(data=request.data))
        services.minutes_confirm(actor=request.user, inspection=inspection, **data)
        return _inspection_detail(request, inspection.pk)

    @extend_schema(request=form_serializer(ConclusionForm), responses=InspectionDetailSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        inspection = self.get_object()
        data = valid(ConclusionForm(data=request.data))
        services.conclusion_issue(actor=request.user, inspection=inspection, **data)
        return _inspection_detail(request, inspection.pk)


@extend_schema_view(list=extend_schema(parameters=[ByInspectionQuery]))
class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Findings the user may see (``?inspection=``): the team's, and the agency's
    self-assessment. POST records one (a team member; the agency for its self-assessment):
    201 when new, 200 when an edit or the replay of a key already applied."""

    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
    pagination_class = KeysFirstPagination

    def get_queryset(self):
        user = self.request.user
        rows = (
            Finding.objects.restrict(user)
            .select_related("criterion", "recorded_by")
            .prefetch_related(
                Prefetch(
                    "evidence",
                    queryset=FindingEvidence.objects.restrict(user).select_related("uploaded_by"),
                )
            )
        )
        if self.action == "list":
            inspection = _query(ByInspectionQuery, self.request).get("inspection")
            if inspection is not None:
                rows = rows.filter(inspection_id=inspection)
        return rows.order_by("inspection_id", "criterion__order", "side", "pk")

    @extend_schema(
        request=form_serializer(FindingApiForm, "FindingInput"),
        responses={
            201: FindingRecordedSerializer,
            200: FindingRecordedSerializer,
            404: NO_SUCH_INSPECTION,
        },
    )
    def create(self, request):
        data = valid(FindingApiForm(data=request.data))
        inspection = _visible_inspection(request.user, data["inspection"])
        recorded = services.finding_record(
            actor=request.user,
            inspection=inspection,
            criterion=_criterion(request.user, inspection, data["criterion"]),
            result=data["result"],
            points=data["points"],
            note=data["note"],
            version=data["version"],
            key=data["key"],
            side=data["side"] or FindingSide.TEAM,
        )
        finding = self.get_queryset().get(pk=recorded.finding.pk)
        finding.replayed = recorded.replayed
        new = not recorded.replayed and finding.version == 1
        return Response(
            FindingRecordedSerializer(finding).data,
            status=status.HTTP_201_CREATED if new else status.HTTP_200_OK,
        )

    @extend_schema(
        request={"multipart/form-data": form_serializer(EvidenceForm, "FindingEvidenceInput")},
        responses={201: FindingEvidenceSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        finding = self.get_object()
        data = valid(EvidenceForm(data=request.data, files=request.FILES))
        row = services.finding_evidence_add(
            actor=request.user, finding=finding, upload=data["file"]
        )
        return Response(FindingEvidenceSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[ByInspectionQuery]))
class RecommendationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Recommendations the user may see (``?inspection=``): the team's head drafts them (the
    organiser's head may add to them), the conclusion issues them, the team verifies each."""

    queryset = Recommendation.objects.all()
    serializer_class = RecommendationSerializer
    pagination_class = KeysFirstPagination

    def get_queryset(self):
        rows = (
            Recommendation.objects.restrict(self.request.user)
            .select_related("agency", "criterion")
            .prefetch_related(
                Prefetch(
                    "verifications", queryset=Verification.objects.select_related("verified_by")
                )
            )
            .annotate(agency_name=name_latest("agency_id"))
        )
        if self.action == "list":
            inspection = _query(ByInspectionQuery, self.request).get("inspection")
            if inspection is not None:
                rows = rows.filter(inspection_id=inspection)
        return rows.order_by("inspection_id", "order", "pk")

    @extend_schema(
        request=form_serializer(RecommendationApiForm, "RecommendationInput"),
        responses={201: RecommendationSerializer, 404: NO_SUCH_INSPECTION},
    )
    def create(self, request):
        ref = valid(InspectionRefForm(data=request.data))
        inspection = _visible_inspection(request.user, ref["inspection"])
        data = valid(RecommendationForm(data=request.data, inspection=inspection))
        recommendation = services.recommendation_add(
            actor=request.user, inspection=inspection, **data
        )
        fresh = self.get_queryset().get(pk=recommendation.pk)
        return Response(RecommendationSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=form_serializer(VerifyForm, "VerificationInput"), responses=RecommendationSerializer
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        recommendation = self.get_object()
        services.recommendation_verify(
            actor=request.user,
            recommendation=recommendation,
            **valid(VerifyForm(data=request.data)),
        )
        fresh = self.get_queryset().get(pk=recommendation.pk)
        return Response(RecommendationSerializer(fresh).data)
