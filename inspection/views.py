"""The inspection's pages: parse → service → render. Reads through ``selectors``, changes
through ``services``; a page about one inspection is 404 to whoever may not see it and 403 to
whoever sees it but may not take its step."""

import json
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from agencies.models import Agency
from agencies.selectors import agency_name_on
from core import access, inbox
from core.exceptions import DomainError, Forbidden, InvalidInput, NotFound
from core.views import (
    ScopedActionView,
    SelectorDetailView,
    ServiceFormView,
    SignedInActionView,
    SignedInTemplateView,
    SortableMixin,
    selected,
)
from workflow import evidence as workflow_evidence

from . import selectors, services
from .choices import FindingResult, FindingSide, InspectionAction, InspectionStatus, TeamRole
from .forms import (
    ConclusionForm,
    ConfirmForm,
    CriterionForm,
    EvidenceForm,
    FindingForm,
    InspectionPlanForm,
    MinutesForm,
    RecommendationForm,
    ScheduleForm,
    VerifyForm,
    YearForm,
)
from .inbox import INSPECTION_KINDS, VERIFICATION_KINDS
from .models import (
    ChecklistTemplate,
    Criterion,
    FindingEvidence,
    Inspection,
    InspectionPlan,
    Recommendation,
)


def _read(select, **kwargs):
    # NotFound rather than Http404: the finding's JSON answer turns it into its error body.
    return selected(select, missing=NotFound, **kwargs)


def _year(request) -> int:
    form = YearForm(request.GET)
    if form.is_valid() and form.cleaned_data["year"]:
        return form.cleaned_data["year"]
    return timezone.localdate().year


# --- plans --------------------------------------------------------------------------------------


class PlanListView(SortableMixin, SignedInTemplateView):
    """The year's plans (``?sort=``) and their inspections by month (the calendar), with the
    user's own inspection tasks on top: an inspector's landing page."""

    template_name = "inspection/plan_list.html"
    # A year holds a few plans: any order is cheap.
    sorts = {
        "organiser": (_lazy("By organiser"), ("organiser_name", "title", "pk")),
        "newest": (
            _lazy("Newest decision first"),
            (F("decision_date").desc(nulls_last=True), "-pk"),
        ),
        "title": (_lazy("By title"), ("title", "pk")),
    }

    def get_context_data(self, **kwargs):
        user, year = self.request.user, _year(self.request)
        counts = inbox.inbox_counts(user=user)
        kinds = [(k, counts[k.code]) for k in INSPECTION_KINDS + VERIFICATION_KINDS]
        inspections = list(selectors.inspection_list(user=user, year=year))
        months: dict[int, list] = {}
        for i in inspections:
            months.setdefault(i.scheduled_on.month, []).append(i)
        return {
            **super().get_context_data(**kwargs),
            "year": year,
            "years": selectors.plan_years(user=user),
            "plans": self.sorted_rows(selectors.plan_list(user=user, year=year)),
            "months": sorted(months.items()),
            "inspections_total": len(inspections),
            "tasks": [(k, n) for k, n in kinds if n],
            "may_create": access.may(user, InspectionAction.MANAGE, InspectionPlan),
            "may_edit_templates": access.may(
                user, InspectionAction.EDIT_TEMPLATES, ChecklistTemplate
            ),
        }


class PlanCreateView(ServiceFormView):
    form_class = InspectionPlanForm
    template_name = "inspection/form.html"

    def load(self):
        access.require_may(self.request.user, InspectionAction.MANAGE, InspectionPlan)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": _("New inspection plan")}

    def perform(self, form):
        return services.plan_create(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        messages.success(self.request, _("The plan is registered."))
        return reverse("inspection:plan", args=[self.result.pk])


class PlanDetailView(SelectorDetailView):
    template_name = "inspection/plan_detail.html"
    context_object_name = "plan"

    def select(self, *, user, pk):
        return selectors.plan_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        plan = self.object
        return {
            **super().get_context_data(**kwargs),
            "inspections": selectors.inspection_list(user=self.request.user, plan=plan),
            "may_manage": access.can(self.request.user, InspectionAction.MANAGE, plan),
        }


class ScheduleView(ServiceFormView):
    form_class = ScheduleForm
    template_name = "inspection/form.html"

    def load(self):
        self.plan = _read(selectors.plan_get, user=self.request.user, pk=self.kwargs["pk"])
        access.require(self.request.user, InspectionAction.MANAGE, self.plan)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Schedule an inspection"),
            "subtitle": self.plan.title,
        }

    def perform(self, form):
        data = form.cleaned_data
        team = [
            services.Member(user=u, agency=a, role=TeamRole.LEAD if lead else TeamRole.MEMBER)
            for u, a, lead in form.team()
        ]
        return services.inspection_schedule(
            actor=self.request.user,
            plan=self.plan,
            agency=data["agency"],
            template=data["template"],
            team_decision_number=data["team_decision_number"],
            team_decision_date=data["team_decision_date"],
            scheduled_on=data["scheduled_on"],
            team=team,
            self_report_due=data["self_report_due"],
            self_assessment_requested=data["self_assessment_requested"],
        )

    def get_success_url(self):
        messages.success(self.request, _("The inspection is scheduled and the team is told."))
        return reverse("inspection:inspection", args=[self.result.pk])


# --- one inspection -----------------------------------------------------------------------------


class InspectionMixin:
    """Reads the inspection of the URL for the user (404), and requires ``step`` (403)."""

    step: str | None = None
    # The steps the page offers, read with the inspection (none: only its own ``step``).
    steps_offered: tuple[str, ...] = selectors.INSPECTION_ACTIONS

    def inspection(self):
        user = self.request.user
        actions = self.steps_offered or ((self.step,) if self.step else ())
        inspection = _read(
            selectors.inspection_get, user=user, pk=self.kwargs["pk"], actions=actions
        )
        steps = access.allowed(user, actions, inspection)
        if self.step is not None and self.step not in steps:
            raise Forbidden()
        inspection.steps = steps
        return inspection


class InspectionDetailView(SignedInTemplateView, InspectionMixin):
    template_name = "inspection/inspection_detail.html"

    def get_context_data(self, **kwargs):
        inspection = self.inspection()
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "inspection": inspection,
            "steps": inspection.steps,
            "checklist": selectors.checklist(user=user, inspection=inspection),
            "recommendations": selectors.recommendation_list(user=user, inspection=inspection),
            "S": InspectionStatus,
        }


class ConductView(SignedInTemplateView, InspectionMixin):
    """The on-site screen: the checklist by field, each criterion's finding saved as it is
    entered (kept in the browser while offline, sent once when back: static/js/conduct.js),
    with what the agency filed for the items it checks and its self-assessment."""

    template_name = "inspection/conduct.html"
    side = FindingSide.TEAM
    steps_offered = ()  # the screen offers its own step only

    @property
    def step(self):
        return (
            InspectionAction.RECORD
            if self.side == FindingSide.TEAM
            else InspectionAction.SELF_ASSESS
        )

    def get_context_data(self, **kwargs):
        inspection = self.inspection()
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "inspection": inspection,
            "side": self.side,
            "checklist": selectors.checklist(
                user=user, inspection=inspection, with_filed=self.side == FindingSide.TEAM
            ),
            "open": inspection.status == InspectionStatus.SCHEDULED,
            "results": FindingResult.choices,
            "evidence_form": EvidenceForm(),
            "save_url": reverse("inspection:finding_save", args=[inspection.pk]),
            "draft": _draft(self.request, inspection.pk),
        }


class SelfAssessView(ConductView):
    side = FindingSide.AGENCY


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"code": exc.code, "message": str(exc.message), "errors": exc.details or {}},
        status=exc.status,
    )


DRAFT = "inspection.finding_draft"


def _keep_draft(request, inspection_pk: int, payload, exc: DomainError) -> None:
    """A finding sent without script and refused: what was typed, kept in the session for the
    conduct screen to show again beside the error (the note is not lost)."""
    try:
        criterion = int(payload.get("criterion", ""))
    except (TypeError, ValueError):
        return
    said = [str(exc.message)] + [str(e) for field in (exc.details or {}).values() for e in field]
    errors = list(dict.fromkeys(e for e in said if e))  # each once, in order
    request.session[DRAFT] = {
        "inspection": inspection_pk,
        "criterion": criterion,
        "result": str(payload.get("result") or ""),
        "points": str(payload.get("points") or ""),
        "note": str(payload.get("note") or ""),
        "errors": errors,
    }


def _draft(request, inspection_pk: int) -> dict | None:
    """The refused finding kept for this inspection's screen (read once)."""
    draft = request.session.get(DRAFT)
    if not draft or draft.get("inspection") != inspection_pk:
        return None
    del request.session[DRAFT]
    return draft


class FindingSaveView(SignedInActionView):
    """POST one finding (JSON from the conduct screen, or its form without script): 200 with
    its version, or ``{"code","message","errors"}``; a key already applied answers as the
    first time did."""

    def post(self, request, *args, **kwargs):
        try:
            payload = (
                json.loads(request.body)
                if request.content_type == "application/json"
                else request.POST
            )
        except ValueError:
            return _error(InvalidInput(_("The request is not valid JSON."), code="json"))
        if not hasattr(payload, "get"):
            return _error(InvalidInput(_("The request is not valid JSON."), code="json"))
        payload = payload.copy()
        # "4,5" as the office writes it, or 4.5.
        payload["points"] = str(
            payload.get("points") if payload.get("points") is not None else ""
        ).replace(",", ".")
        form = FindingForm(payload)
        scripted = request.content_type == "application/json"
        try:
            # The service's lock reads and checks the inspection (404 unseen, 403 not the
            # team's): it is read here only when the input is refused, so that an inspection
            # the person may not see still answers 404 first.
            if not form.is_valid():
                _read(selectors.inspection_get, user=request.user, pk=kwargs["pk"])
                raise InvalidInput(
                    _("The finding is not complete."),
                    code="invalid",
                    details={k: [str(e) for e in v] for k, v in form.errors.items()},
                )
            data = form.cleaned_data
            criterion = Criterion.objects.filter(
                pk=data["criterion"], template__inspections=kwargs["pk"]
            ).first()
            inspection = Inspection(pk=kwargs["pk"])
            if criterion is None:
                _read(selectors.inspection_get, user=request.user, pk=kwargs["pk"])
                raise InvalidInput(
                    _("This criterion is not in the inspection's checklist."),
                    code="criterion",
                    details={"criterion": [_("Choose a criterion of the checklist.")]},
                )
            recorded = services.finding_record(
                actor=request.user,
                inspection=inspection,
                criterion=criterion,
                result=data["result"],
                points=data["points"],
                note=data["note"],
                version=data["version"],
                key=data["key"] or (None if not scripted else uuid.uuid4()),
                side=data["side"] or FindingSide.TEAM,
            )
        except DomainError as exc:
            if scripted:
                return _error(exc)
            if isinstance(exc, Forbidden | NotFound):
                raise  # the page of refusal (403 / 404), as every view answers
            messages.error(request, str(exc.message))
            _keep_draft(request, kwargs["pk"], payload, exc)
            return redirect(
                reverse("inspection:conduct", args=[kwargs["pk"]])
                + f"#c{payload.get('criterion', '')}"
            )
        finding = recorded.finding
        if not scripted:
            messages.success(request, _("Saved."))
            return redirect(
                reverse("inspection:conduct", args=[kwargs["pk"]]) + f"#c{criterion.pk}"
            )
        return JsonResponse(
            {
                "finding": finding.pk,
                "criterion": finding.criterion_id,
                "version": finding.version,
                "result": finding.result,
                "points": None if finding.points is None else str(finding.points),
                "replayed": recorded.replayed,
            }
        )


class EvidenceAddView(ScopedActionView):
    """POST a photo or document for one of the team's findings."""

    def get_base_queryset(self):
        from .models import Finding

        return Finding.objects.all()

    def perform(self, finding):
        # Refused before the input is read: only the team attaches evidence.
        access.require(self.request.user, InspectionAction.RECORD, finding.inspection)
        form = EvidenceForm(self.request.POST, self.request.FILES)
        target = (
            reverse("inspection:conduct", args=[finding.inspection_id])
            + f"#c{finding.criterion_id}"
        )
        if not form.is_valid():
            messages.error(self.request, _("Choose a photo or a document."))
            return redirect(target)
        try:
            services.finding_evidence_add(
                actor=self.request.user, finding=finding, upload=form.cleaned_data["file"]
            )
        except DomainError as exc:
            if isinstance(exc, Forbidden | NotFound):
                raise
            messages.error(self.request, str(exc.message))
            return redirect(target)
        messages.success(self.request, _("The evidence is attached."))
        return redirect(target)

    def get_object(self):
        from .models import Finding

        finding = Finding.objects.restrict(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if finding is None:
            raise Http404
        return finding


class EvidenceView(SignedInTemplateView):
    """A finding's photo or document, served to those who may see the finding."""

    def get(self, request, *args, **kwargs):
        row = FindingEvidence.objects.restrict(request.user).filter(pk=kwargs["pk"]).first()
        if row is None:
            raise Http404
        response = FileResponse(
            row.file.open("rb"),
            as_attachment=not row.content_type.startswith("image/"),
            filename=workflow_evidence.download_name(row.original_name, row.content_type),
            content_type=row.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class StepView(ServiceFormView, InspectionMixin):
    """A step on one inspection: its form, the service, back to the inspection."""

    template_name = "inspection/step.html"
    done_message = ""
    heading = ""

    def load(self):
        self.object = self.inspection()

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "inspection": self.object,
            "title": self.heading,
            "checklist": selectors.checklist(user=user, inspection=self.object),
            "recommendations": selectors.recommendation_list(user=user, inspection=self.object),
            # Its own ids: it sits on the page beside the step's form, which has a text too.
            "recommendation_form": RecommendationForm(inspection=self.object, auto_id="rec_%s")
            if self.shows_recommendations
            else None,
        }

    shows_recommendations = False

    def get_success_url(self):
        messages.success(self.request, self.done_message)
        return reverse("inspection:inspection", args=[self.object.pk])


class MinutesView(StepView):
    form_class = MinutesForm
    step = InspectionAction.LEAD
    heading = _("Draft and sign the minutes")
    done_message = _("The minutes are signed by the team's head and sent to the agency's head.")
    shows_recommendations = True

    def get_initial(self):
        return {"conducted_on": timezone.localdate()}

    def perform(self, form):
        return services.minutes_draft(
            actor=self.request.user, inspection=self.object, **form.cleaned_data
        )


class ConfirmView(StepView):
    form_class = ConfirmForm
    step = InspectionAction.CONFIRM
    heading = _("Confirm the minutes")
    done_message = _("The minutes are signed.")

    def perform(self, form):
        return services.minutes_confirm(
            actor=self.request.user, inspection=self.object, **form.cleaned_data
        )


class ConcludeView(StepView):
    form_class = ConclusionForm
    step = InspectionAction.CONCLUDE
    heading = _("Issue the conclusion")
    done_message = _("The conclusion is issued; each recommendation is now an assignment.")
    shows_recommendations = True

    def get_initial(self):
        return {"issued_on": timezone.localdate()}

    def perform(self, form):
        return services.conclusion_issue(
            actor=self.request.user, inspection=self.object, **form.cleaned_data
        )


class RecommendationAddView(ServiceFormView, InspectionMixin):
    form_class = RecommendationForm
    template_name = "inspection/form.html"

    def load(self):
        self.object = self.inspection()
        steps = self.object.steps
        if InspectionAction.LEAD not in steps and InspectionAction.CONCLUDE not in steps:
            raise Forbidden()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "inspection": self.object}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Add a recommendation"),
            "subtitle": self.object.agency_name,
        }

    def perform(self, form):
        return services.recommendation_add(
            actor=self.request.user, inspection=self.object, **form.cleaned_data
        )

    def get_success_url(self):
        messages.success(self.request, _("The recommendation is added to the conclusion to come."))
        back = self.request.POST.get("next")
        if back in ("minutes", "conclude"):
            return reverse(f"inspection:{back}", args=[self.object.pk])
        return reverse("inspection:inspection", args=[self.object.pk])


class RecommendationRemoveView(ScopedActionView):
    def get_base_queryset(self):
        return Recommendation.objects.all()

    def get_object(self):
        rec = (
            Recommendation.objects.restrict(self.request.user).filter(pk=self.kwargs["pk"]).first()
        )
        if rec is None:
            raise Http404
        return rec

    def perform(self, rec):
        services.recommendation_remove(actor=self.request.user, recommendation=rec)
        messages.success(self.request, _("The recommendation is taken out."))
        return redirect(reverse("inspection:inspection", args=[rec.inspection_id]))


class VerifyView(ServiceFormView):
    form_class = VerifyForm
    template_name = "inspection/verify.html"

    def load(self):
        user = self.request.user
        self.rec = _read(selectors.recommendation_get, user=user, pk=self.kwargs["pk"])
        access.require(user, InspectionAction.RECORD, self.rec.inspection)

    def get_context_data(self, **kwargs):
        reports, rounds = selectors.remediation_reports(recommendation=self.rec)
        return {
            **super().get_context_data(**kwargs),
            "rec": self.rec,
            "reports": reports,
            "rounds": rounds,
        }

    def perform(self, form):
        return services.recommendation_verify(
            actor=self.request.user, recommendation=self.rec, **form.cleaned_data
        )

    def get_success_url(self):
        messages.success(self.request, _("The verification is recorded."))
        return reverse("inspection:inspection", args=[self.rec.inspection_id])


# --- overview, history, checklists --------------------------------------------------------------


class OverviewView(SignedInTemplateView):
    """The organiser's overview of a year: inspections done, recommendations open and overdue."""

    template_name = "inspection/overview.html"

    def get_context_data(self, **kwargs):
        user, year = self.request.user, _year(self.request)
        overdue = Paginator(selectors.overdue_recommendations(user=user, year=year), 50)
        return {
            **super().get_context_data(**kwargs),
            "year": year,
            "years": selectors.plan_years(user=user),
            "rows": selectors.organiser_overview(user=user, year=year),
            "overdue_page": overdue.get_page(self.request.GET.get("page")),
        }


class AgencyHistoryView(SignedInTemplateView):
    """An agency's inspections over the years, with the result per criterion."""

    template_name = "inspection/agency_history.html"

    def get_context_data(self, **kwargs):
        agency = Agency.objects.filter(code=self.kwargs["code"]).first()
        if agency is None:
            raise Http404
        history = selectors.agency_history(user=self.request.user, agency=agency)
        return {
            **super().get_context_data(**kwargs),
            "agency": agency,
            "agency_name": agency_name_on(agency=agency),
            "history": history,
        }


class TemplateListView(SortableMixin, SignedInTemplateView):
    """Every checklist version (``?sort=``): by checklist, newest version first (the default),
    by year, or by name."""

    template_name = "inspection/template_list.html"
    sorts = {
        "family": (_lazy("By checklist, newest version first"), ()),
        "year": (_lazy("Newest year first"), ("-year", "family", "-version")),
        "name": (_lazy("By name"), ("name", "-version", "pk")),
    }

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "templates": self.sorted_rows(selectors.template_list(user=self.request.user)),
        }


class TemplateDetailView(SelectorDetailView):
    template_name = "inspection/template_detail.html"
    context_object_name = "template"

    def select(self, *, user, pk):
        return selectors.template_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        template = self.object
        return {
            **super().get_context_data(**kwargs),
            "criteria": selectors.template_criteria(template=template),
            "may_edit": access.may(
                self.request.user, InspectionAction.EDIT_TEMPLATES, ChecklistTemplate
            )
            and not hasattr(template, "next_version"),
            "used": template.inspections.exists(),
        }


class CriterionEditView(ServiceFormView):
    form_class = CriterionForm
    template_name = "inspection/form.html"

    def load(self):
        user = self.request.user
        access.require_may(user, InspectionAction.EDIT_TEMPLATES, ChecklistTemplate)
        self.template = _read(selectors.template_get, user=user, pk=self.kwargs["pk"])
        self.criterion = None
        if "criterion" in self.kwargs:
            self.criterion = self.template.criteria.filter(pk=self.kwargs["criterion"]).first()
            if self.criterion is None:
                raise NotFound()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        c = self.criterion
        if c is None:
            return {}
        return {
            "field": c.field_id,
            "code": c.code,
            "text": c.text,
            "max_points": c.max_points,
            "guidance": c.guidance,
            "evidence_expected": c.evidence_expected,
            "items": list(c.items.all()),
        }

    def get_context_data(self, **kwargs):
        used = self.template.inspections.exists()
        return {
            **super().get_context_data(**kwargs),
            "title": _("Change a criterion") if self.criterion else _("Add a criterion"),
            "subtitle": str(self.template),
            "notice": _("An inspection used this version: saving makes version {n}.").format(
                n=self.template.version + 1
            )
            if used
            else "",
        }

    def perform(self, form):
        data = form.cleaned_data
        template, _criterion = services.criterion_save(
            actor=self.request.user,
            template=self.template,
            criterion=self.criterion,
            data=services.CriterionData(
                field=data["field"],
                code=data["code"],
                text=data["text"],
                max_points=data["max_points"],
                guidance=data["guidance"],
                evidence_expected=data["evidence_expected"],
                items=tuple(data["items"]),
            ),
        )
        return template

    def get_success_url(self):
        messages.success(
            self.request, _("The checklist is saved (version {n}).").format(n=self.result.version)
        )
        return reverse("inspection:template", args=[self.result.pk])


class CriterionRemoveView(ScopedActionView):
    queryset = ChecklistTemplate.objects.all()

    def perform(self, template):
        access.require_may(self.request.user, InspectionAction.EDIT_TEMPLATES, ChecklistTemplate)
        criterion = template.criteria.filter(pk=self.kwargs["criterion"]).first()
        if criterion is None:
            raise Http404
        result = services.criterion_remove(
            actor=self.request.user, template=template, criterion=criterion
        )
        messages.success(
            self.request, _("The criterion is removed (version {n}).").format(n=result.version)
        )
        return redirect(reverse("inspection:template", args=[result.pk]))
