"""Pages of directives and assignments: parse → service → render; no rules here."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from agencies.models import Agency
from agencies.selectors import CHOICES_SHOWN
from core import access, inbox
from core.exceptions import DomainError
from core.pagination import KeysFirstPaginator
from core.text import decimal_text
from core.throttle import throttle_check
from core.views import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    SelectorDetailView,
    ServiceFormView,
    SignedInTemplateView,
    SortableMixin,
    chosen_sort,
    selected,
)

from . import evidence, selectors, services
from .choices import (
    AssignmentAction,
    AssignmentRole,
    AssignmentState,
    DirectiveAction,
    DirectiveKind,
    ExplanationAction,
    ExplanationStatus,
    IndexResultAction,
    IndicatorAction,
    MeasurementAction,
    Modality,
    NationalIndex,
    Timeliness,
)
from .filtersets import AssignmentFilterSet, DirectiveFilterSet, ExtensionRequestFilter
from .forms import (
    AssignForm,
    DirectiveForm,
    ExplanationAnswerForm,
    ExplanationRequestForm,
    ExplanationWithdrawForm,
    IndexImportForm,
    IndexResultForm,
    IndicatorForm,
    ItemForm,
    MeasurementCorrectForm,
    MeasurementForm,
    PublicationForm,
    ReorganisationForm,
)
from .models import (
    Assignment,
    Attachment,
    Directive,
    DirectiveItem,
    ExplanationRequest,
    IndexResult,
    Indicator,
    Measurement,
)
from .selectors.explanations import AWAITED
from .steps import (
    EXTENSION_STEPS,
    STEP_CHECKS,
    STEPS,
    assign_item,
    available_extension_steps,
    available_steps,
    make_form,
)

TIMELINESS_ORDER = [
    Timeliness.DONE_ON_TIME,
    Timeliness.DONE_LATE,
    Timeliness.ON_TIME,
    Timeliness.OVERDUE,
    Timeliness.EXTENSION_REQUESTED,
    Timeliness.CONTINUOUS,
    Timeliness.TRANSFERRED,
    Timeliness.CANCELLED,
]


def labelled(rows):
    """Give assignment rows what ``_assignment_rows.html`` shows besides their columns: the
    labels of their role, modality and state, their directive's number (or kind) and their
    page's address, each by one dictionary lookup (``get_FOO_display`` and ``{% url %}`` cost a
    row a tenth of a millisecond each, the bulk of a 50-row table)."""
    marker = 918273645
    prefix, suffix = reverse("workflow:assignment", args=[marker]).split(str(marker))
    roles, modalities, states, kinds = (
        {value: str(label) for value, label in choices.choices}
        for choices in (AssignmentRole, Modality, AssignmentState, DirectiveKind)
    )
    for a in rows:
        a.url = f"{prefix}{a.pk}{suffix}"
        a.role_label = roles.get(a.role, a.role)
        a.modality_label = modalities.get(a.modality, a.modality)
        a.state_label = states.get(a.state, a.state)
        directive = a.item.directive
        a.directive_label = directive.number or kinds.get(directive.kind, directive.kind)
    return rows


def _bars(counter) -> list[dict]:
    total = sum(counter.values()) or 1
    return [
        {
            "key": key,
            "label": Timeliness(key).label,
            "count": counter[key],
            "percent": round(100 * counter[key] / total, 1),
        }
        for key in TIMELINESS_ORDER
        if counter.get(key)
    ]


class DirectiveListView(ScopedListView):
    filterset_class = DirectiveFilterSet
    # A province issues hundreds of directives a year: any order is cheap.
    sorts = {
        "newest": (_lazy("Issued date, newest first"), ("-issued_on", "-pk")),
        "oldest": (_lazy("Issued date, oldest first"), ("issued_on", "pk")),
        "number": (_lazy("Number"), ("number", "pk")),
    }
    template_name = "workflow/directive_list.html"
    context_object_name = "directives"

    def select(self):
        return selectors.directive_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_create"] = access.may(self.request.user, DirectiveAction.ADD, Directive)
        return context


class DirectiveChoicesView(SignedInTemplateView):
    """What a directive type-ahead chooser offers for the letters typed (``?q=``): JSON
    ``{"results": [{"value", "label"}], "more"}``, the value being the directive's key."""

    def get(self, request, *args, **kwargs):
        rows = selectors.directive_choices(user=request.user, text=request.GET.get("q", ""))
        shown = CHOICES_SHOWN
        results = [{"value": d.pk, "label": str(d), "group": ""} for d in rows[:shown]]
        return JsonResponse({"results": results, "more": len(rows) > shown})


class DirectiveDetailView(SelectorDetailView):
    template_name = "workflow/directive_detail.html"
    context_object_name = "directive"

    def select(self, *, user, pk):
        return selectors.directive_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, directive = self.request.user, self.object
        progress = selectors.item_progress(user=user, directive=directive)
        context["items"] = [
            {
                "item": item,
                "bars": _bars(progress.get(item.pk, {})),
                "total": sum(progress.get(item.pk, {}).values()),
            }
            for item in directive.items.all()
        ]
        context["may_change"] = access.can(user, DirectiveAction.CHANGE, directive)
        context["may_assign"] = access.can(user, DirectiveAction.ASSIGN, directive)
        return context


class DirectiveCreateView(ServiceFormView):
    form_class = DirectiveForm
    template_name = "workflow/directive_form.html"

    def load(self):
        # Who may not register a directive is refused before the form is read or shown.
        access.require_may(self.request.user, DirectiveAction.ADD, Directive)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        return services.directive_create(actor=self.request.user, **data)

    def get_success_url(self):
        return reverse("workflow:directive", args=[self.result.pk])


class DirectiveUpdateView(ServiceFormView):
    form_class = DirectiveForm
    template_name = "workflow/directive_form.html"

    def load(self):
        self.directive = get_object_or_404(
            Directive.objects.restrict(self.request.user, "view"), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        access.require(self.request.user, DirectiveAction.CHANGE, self.directive)
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "instance": Directive.objects.get(pk=self.directive.pk),
        }

    def perform(self, form):
        changes = {k: v for k, v in form.cleaned_data.items() if k != "issuer"}
        return services.directive_update(
            actor=self.request.user, directive=self.directive, **changes
        )

    def get_success_url(self):
        return reverse("workflow:directive", args=[self.directive.pk])


class DirectivePublishView(ScopedActionView):
    queryset = Directive.objects.all()
    action = DirectiveAction.PUBLISH

    def perform(self, directive):
        services.directive_publish(actor=self.request.user, directive=directive)
        messages.success(self.request, _("The directive is published."))
        return redirect("workflow:directive", pk=directive.pk)


class PublicationView(ServiceFormView):
    """The office makes a directive public with the items it chooses (công khai), or changes
    the choice; withdrawing is ``PublicationWithdrawView``."""

    form_class = PublicationForm
    template_name = "workflow/publication.html"

    def load(self):
        self.directive, self.publication = selectors.publication_get(
            user=self.request.user, pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "directive": self.directive}

    def get_initial(self):
        return {"items": [item.pk for item in self.directive.items.filter(public=True)]}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "directive": self.directive,
            "publication": self.publication,
        }

    def perform(self, form):
        publication = services.publication_publish(
            actor=self.request.user, directive=self.directive, items=form.cleaned_data["items"]
        )
        messages.success(self.request, _("The directive is public: citizens can see it."))
        return publication

    def get_success_url(self):
        return reverse("workflow:publication", args=[self.directive.pk])


class PublicationWithdrawView(ScopedActionView):
    queryset = Directive.objects.all()
    action = DirectiveAction.PUBLICIZE

    def perform(self, directive):
        services.publication_withdraw(actor=self.request.user, directive=directive)
        messages.success(self.request, _("The directive is no longer public."))
        return redirect("workflow:publication", pk=directive.pk)


class ItemFormView(ServiceFormView):
    form_class = ItemForm
    template_name = "workflow/item_form.html"

    def load(self):
        self.directive = get_object_or_404(
            Directive.objects.restrict(self.request.user, "view"), pk=self.kwargs["pk"]
        )
        self.item = None
        if "item" in self.kwargs:
            self.item = get_object_or_404(self.directive.items, pk=self.kwargs["item"])

    def get_form_kwargs(self):
        access.require(self.request.user, DirectiveAction.CHANGE, self.directive)
        kwargs = super().get_form_kwargs()
        if self.item is not None:
            kwargs["instance"] = DirectiveItem.objects.get(pk=self.item.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "directive": self.directive}

    def perform(self, form):
        data = form.cleaned_data
        if self.item is None:
            return services.item_add(actor=self.request.user, directive=self.directive, **data)
        return services.item_update(actor=self.request.user, item=self.item, **data)

    def get_success_url(self):
        return reverse("workflow:directive", args=[self.directive.pk])


class AssignView(ServiceFormView):
    """One item → many agencies, lead or coordinating, with a due date policy."""

    form_class = AssignForm
    template_name = "workflow/assign.html"

    def load(self):
        self.item = get_object_or_404(
            DirectiveItem.objects.restrict(self.request.user, "view").select_related("directive"),
            pk=self.kwargs["item"],
        )

    def get_form_kwargs(self):
        access.require(self.request.user, DirectiveAction.ASSIGN, self.item.directive)
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        # What the item must produce is what each agency given it must produce, unless the
        # office writes it otherwise for them.
        return {**super().get_initial(), "expected_output": self.item.expected_output}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "item": self.item}

    def perform(self, form):
        created = assign_item(actor=self.request.user, item=self.item, data=form.cleaned_data)
        messages.success(self.request, _("{n} assignments created.").format(n=len(created)))
        return created

    def get_success_url(self):
        return reverse("workflow:directive", args=[self.item.directive_id])


class AssignmentListView(ScopedListView):
    filterset_class = AssignmentFilterSet
    template_name = "workflow/assignment_list.html"
    context_object_name = "assignments"
    paginator_class = KeysFirstPaginator
    # Both read from an index, forwards or backwards: ``assignment_due_order`` (due_date, id)
    # for the province, ``assignment_agency_due`` for an agency. "Latest assigned" (by id) is
    # not offered: for an agency it would scan the whole table's primary key.
    sorts = {
        "due": (_lazy("Due date, earliest first"), ("due_date", "pk")),
        "due_latest": (_lazy("Due date, latest first"), ("-due_date", "-pk")),
    }

    def select(self):
        return selectors.assignment_rows(user=self.request.user)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = labelled(selectors.name_rows(list(rows)))
        return paginator, page, page.object_list, is_paginated


class AssignmentDetailView(SelectorDetailView):
    template_name = "workflow/assignment_detail.html"
    context_object_name = "assignment"

    def select(self, *, user, pk):
        return selectors.assignment_page(user=user, pk=pk, checks=STEP_CHECKS)

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user, assignment = self.request.user, self.object
        forms = []
        for step in available_steps(user=user, assignment=assignment):
            form = (
                bound
                if bound is not None and bound.prefix == step.name
                else make_form(step, user=user, assignment=assignment)
            )
            forms.append((step, form))
        extensions = []
        for extension in assignment.extension_requests.all():
            steps = [
                (
                    step,
                    bound
                    if bound is not None and bound.prefix == step.name
                    else make_form(step, user=user, assignment=assignment),
                )
                for step in available_extension_steps(user=user, extension=extension)
            ]
            extensions.append((extension, steps))
        labelled(list(assignment.children.all()))  # its contributions, as a list shows them
        timeline = selectors.assignment_timeline(assignment=assignment)
        explanations = selectors.explanations_told(timeline)
        context.update(
            steps=forms,
            extensions=extensions,
            timeline=timeline,
            today=timezone.localdate(),
            explanations=explanations,
            may_ask_explanation=selectors.explanation_offered(
                user,
                assignment=assignment,
                awaited=any(e.status == ExplanationStatus.REQUESTED for e in explanations),
            ),
        )
        return context


class _Subject:
    """An assignment known by its key; the row is read (by ``load``) at the first use of
    anything else."""

    def __init__(self, pk, load):
        self.pk = pk
        self._load = load
        self._row = None

    def __getattr__(self, name):
        if self._row is None:
            self._row = self._load()
        return getattr(self._row, name)


class StepView(AssignmentDetailView):
    """POST one step of the assignment's workflow; errors re-render the page, nothing lost."""

    http_method_names = ["post"]

    def subject(self):
        """The assignment a step is about, as its service needs it: its key. The service
        reads it under lock and checks the step's right in the same query (not visible →
        404, not allowed → 403, as here before); the row is read here, scoped, only if the
        step's form asks for more than the key (the receive form, for the agency's people),
        and the page's full read only to show the page again."""
        pk = self.kwargs["pk"]

        def load():
            try:
                return (
                    Assignment.objects.restrict(self.request.user, access.VIEW)
                    .select_related("agency")
                    .get(pk=pk)
                )
            except Assignment.DoesNotExist as exc:
                raise Http404 from exc

        return _Subject(pk, load)

    def post(self, request, pk, step):
        if step not in STEPS:
            raise Http404
        self.object = self.subject()
        definition = STEPS[step]
        form = make_form(
            definition,
            user=request.user,
            assignment=self.object,
            data=request.POST,
            files=request.FILES,
        )
        return self._run(definition, form, self.object)

    def _run(self, definition, form, target):
        if form.is_valid():
            try:
                definition.run(self.request.user, target, form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                return self._again(form, exc.status, str(exc.message))
            messages.success(self.request, _("Done: {step}.").format(step=definition.label))
            return redirect("workflow:assignment", pk=self.object.pk)
        return self._again(form, 400, _("The action was not carried out."))

    def _again(self, form, status, message):
        self.object = self.get_object()
        messages.error(self.request, message)
        return render(
            self.request, self.template_name, self.get_context_data(bound=form), status=status
        )


class ExtensionStepView(StepView):
    def post(self, request, pk, step):
        extension = get_object_or_404(selectors.extension_list(user=request.user), pk=pk)
        self.kwargs["pk"] = extension.assignment_id
        self.object = self.subject()
        if step not in EXTENSION_STEPS:
            raise Http404
        definition = EXTENSION_STEPS[step]
        form = make_form(definition, user=request.user, assignment=self.object, data=request.POST)
        return self._run(definition, form, extension)


class AttachmentView(ScopedDetailView):
    """Evidence is served only to people who may see its assignment."""

    queryset = Attachment.objects.all()

    def get(self, request, *args, **kwargs):
        return _evidence_download(self.get_object())


def _evidence_download(row) -> FileResponse:
    """An evidence file (of a report or of a reported value) as a download under a safe
    name, never shown inline and never sniffed into another type."""
    response = FileResponse(
        row.file.open("rb"),
        as_attachment=True,
        filename=evidence.download_name(row.original_name, row.content_type),
        content_type=row.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class InboxView(SignedInTemplateView):
    """Every task the user must act on, paginated with the total; by kind, by arrival or due
    date."""

    template_name = "workflow/inbox.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        user, query = self.request.user, self.request.GET
        kinds = {k.code: k for k in inbox.inbox_kinds()}
        kind = query.get("kind") if query.get("kind") in kinds else None
        order = query.get("order") if query.get("order") in inbox.ORDERS else "kind"
        counts = inbox.inbox_counts(user=user)
        # The counts by kind hold the total, and tell the inbox which kinds a page needs.
        tasks = inbox.inbox_tasks(user=user, kind=kind, order=order, counts=counts)
        paginator = Paginator(tasks, self.paginate_by)
        page = paginator.get_page(query.get("page"))
        rows = inbox.rows_with_subjects(
            user=user,
            rows=[inbox.inbox_row(task) for task in page],
            assignments=selectors.inbox_subjects,
        )
        rest = query.copy()
        rest.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            "page_obj": page,
            "is_paginated": page.paginator.num_pages > 1,
            "query_without_page": rest.urlencode(),
            "kinds": [(k, counts[k.code]) for k in kinds.values() if counts[k.code]],
            "kind": kind,
            "order": order,
            "orders": [
                ("kind", _("kind of task")),
                ("arrival", _("arrival")),
                ("due", _("due date")),
            ],
            "total": sum(counts.values()),
        }


class TransferListView(ScopedListView):
    """Open work of agencies that no longer exist, every row, paginated with the total."""

    template_name = "workflow/transfers.html"
    context_object_name = "stranded"
    # Open work of ended agencies only (a few thousand rows at most after a merger).
    sorts = {
        "agency": (_lazy("By agency"), ()),
        "due": (_lazy("Due date, earliest first"), ("due_date", "pk")),
    }

    def select(self):
        return selectors.stranded_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        successors = selectors.successors_for(context["stranded"])
        context["candidates"] = [(a, successors[a.pk]) for a in context["stranded"]]
        return context


class ReorganisationView(SignedInTemplateView):
    """Agencies that no longer exist with work still theirs, each with the agencies that took
    it over: the office moves all of one agency's work with one confirmation (20 agencies a
    page, with the total)."""

    template_name = "workflow/reorganisation.html"
    per_page = 20

    def get_context_data(self, *, failed=None, **kwargs):
        access.require_may(self.request.user, AssignmentAction.TRANSFER, Assignment)
        rows = selectors.ended_agencies(user=self.request.user)
        page = Paginator(rows, self.per_page).get_page(self.request.GET.get("page"))
        ended = selectors.ended_agencies_read(list(page.object_list))
        forms = [
            failed
            if failed is not None and failed.prefix == f"agency-{e.agency.pk}"
            else ReorganisationForm(ended=e)
            for e in ended
        ]
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "paginator": page.paginator,
            "rows": list(zip(ended, forms, strict=True)),
            "total_work": sum(n for _pk, n in rows),
            "query_without_page": "",
        }

    def post(self, request, *args, **kwargs):
        access.require_may(request.user, AssignmentAction.TRANSFER, Assignment)
        throttle_check(request, "reorganisation")
        code = next((v for k, v in request.POST.items() if k.endswith("-agency")), "")
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise Http404
        (ended,) = selectors.ended_agencies_read([(agency.pk, 0)])
        form = ReorganisationForm(request.POST, ended=ended)
        if form.is_valid():
            try:
                moved = services.reorganisation_transfer(
                    actor=request.user,
                    agency=agency,
                    to_agency=form.cleaned_data["to_agency"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                to = form.cleaned_data["to_agency"]
                done = _("{n} assignments and {m} recurring reports of {agency} now go to {to}.")
                messages.success(
                    request,
                    done.format(
                        n=len(moved.assignments),
                        m=len(moved.obligations),
                        agency=ended.name,
                        to=getattr(to, "name_then", None) or to,
                    ),
                )
                return redirect(request.get_full_path())
        context = self.get_context_data(failed=form)
        return self.render_to_response(context, status=400)


class ExtensionListView(ScopedListView):
    """Extension requests the user may see, pending (the default) or decided, with the total
    of each tab under the other filters; each row links to the step the user may take."""

    filterset_class = ExtensionRequestFilter
    template_name = "workflow/extension_list.html"
    context_object_name = "extensions"
    # The default keeps each tab's own order (``in_group``); the others read
    # ``extension_requested_order`` (requested_at, id), forwards or backwards.
    sorts = {
        "tab": (_lazy("The tab's order"), ()),
        "newest": (_lazy("Newest first"), ("-requested_at", "-pk")),
        "oldest": (_lazy("Oldest first"), ("requested_at", "pk")),
    }

    def select(self):
        return selectors.extension_request_list(user=self.request.user)

    def get_queryset(self):
        query = self.request.GET.copy()
        if "status" not in query:
            query["status"] = "pending"
        self.filterset = self.filterset_class(query, queryset=self.select(), request=self.request)
        return self.sorted_rows(self.filterset.qs)

    @cached_property
    def totals(self) -> dict[str, int]:
        return self.filterset.totals()

    def get_paginator(self, queryset, per_page, **kwargs):
        """The page's count is its tab's total (the list is the tab under the same filters):
        counted once, with the other tabs'."""
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.filterset.is_valid():
            group = self.filterset.form.cleaned_data.get("status") or "all"
            paginator.count = self.totals[group]
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.filterset.form.cleaned_data.get("status") or ""
        rest = self.request.GET.copy()
        rest.pop("page", None)
        rest.pop("status", None)
        context.update(
            group=group,
            totals=self.totals,
            query_without_status=rest.urlencode(),
            rows=[(e, EXTENSION_STEPS.get(e.step)) for e in context["extensions"]],
        )
        return context


# Targets (chỉ tiêu) ---------------------------------------------------------------------------


class ItemIndicatorsView(SelectorDetailView):
    """An item's targets, each with its status and the values the user may see."""

    template_name = "workflow/item_indicators.html"
    context_object_name = "item"

    def select(self, *, user, pk):
        return selectors.item_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, item = self.request.user, self.object
        acts = (IndicatorAction.CHANGE, IndicatorAction.REPORT)
        measurement_acts = (MeasurementAction.CONFIRM, MeasurementAction.CORRECT)
        rows = selectors.indicators_with_status(
            list(
                selectors.indicator_list(
                    user=user,
                    item=item,
                    with_measurements=True,
                    actions=acts,
                    measurement_actions=measurement_acts,
                ).annotate(**selectors.latest_explanation(user=user, about="indicator"))
            )
        )
        for row in rows:
            row.may = access.allowed(user, acts, row)
            for measurement in row.visible_measurements:
                may = access.allowed(user, measurement_acts, measurement)
                measurement.may_confirm = (
                    measurement.confirmed_at is None and MeasurementAction.CONFIRM in may
                )
                measurement.may_correct = MeasurementAction.CORRECT in may
        context["indicators"] = rows
        context["may_add"] = access.may(user, IndicatorAction.ADD, Indicator)
        for row in rows:
            awaited = row.explanation_standing in AWAITED
            row.explanation_awaited = row.explanation_id if awaited else None
            row.may_ask_explanation = selectors.explanation_offered(
                user, indicator=row, awaited=awaited
            )
        return context


class IndicatorFormView(ServiceFormView):
    """Add a target to an item (``item`` in the URL) or correct one (``pk``)."""

    form_class = IndicatorForm
    template_name = "workflow/indicator_form.html"

    def load(self):
        user = self.request.user
        self.indicator = None
        if "pk" in self.kwargs:
            self.indicator = selected(selectors.indicator_get, user=user, pk=self.kwargs["pk"])
            access.require(user, IndicatorAction.CHANGE, self.indicator)
            self.item = self.indicator.item
        else:
            self.item = selected(selectors.item_get, user=user, pk=self.kwargs["item"])
            access.require_may(user, IndicatorAction.ADD, Indicator)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.indicator is not None:
            kwargs["instance"] = Indicator.objects.select_related("agency").get(
                pk=self.indicator.pk
            )
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "item": self.item}

    def perform(self, form):
        data = form.cleaned_data
        if self.indicator is None:
            return services.indicator_create(actor=self.request.user, item=self.item, **data)
        return services.indicator_update(actor=self.request.user, indicator=self.indicator, **data)

    def get_success_url(self):
        return reverse("workflow:item_indicators", args=[self.item.pk])


class MeasurementReportView(ServiceFormView):
    """The reporting agency reports the value of one period."""

    form_class = MeasurementForm
    template_name = "workflow/measurement_form.html"

    def load(self):
        self.indicator = selected(
            selectors.indicator_get, user=self.request.user, pk=self.kwargs["pk"]
        )
        access.require(self.request.user, IndicatorAction.REPORT, self.indicator)

    def get_initial(self):
        return {**super().get_initial(), "year": timezone.localdate().year - 1}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "indicator": self.indicator}

    def perform(self, form):
        result = services.measurement_report(
            actor=self.request.user, indicator=self.indicator, **form.cleaned_data
        )
        messages.success(self.request, _("The value is reported; it counts once confirmed."))
        return result

    def get_success_url(self):
        return reverse("workflow:item_indicators", args=[self.indicator.item_id])


class MeasurementCorrectView(ServiceFormView):
    """Correct a reported value with its reason (the office, or the agency before the office
    confirms it: ``measurement_correct``)."""

    form_class = MeasurementCorrectForm
    template_name = "workflow/measurement_correct.html"

    def load(self):
        user = self.request.user
        self.measurement = selected(selectors.measurement_get, user=user, pk=self.kwargs["pk"])
        access.require(user, MeasurementAction.CORRECT, self.measurement)

    def get_initial(self):
        return {**super().get_initial(), "value": decimal_text(self.measurement.value)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "measurement": self.measurement}

    def perform(self, form):
        result = services.measurement_correct(
            actor=self.request.user, measurement=self.measurement, **form.cleaned_data
        )
        messages.success(self.request, _("The value is corrected."))
        return result

    def get_success_url(self):
        return reverse("workflow:item_indicators", args=[self.measurement.indicator.item_id])


class MeasurementEvidenceView(SelectorDetailView):
    """A value's evidence file, served only to those who may see the value (never its raw
    storage address)."""

    def select(self, *, user, pk):
        return selectors.measurement_evidence_get(user=user, pk=pk)

    def get(self, request, *args, **kwargs):
        return _evidence_download(self.get_object())


class MeasurementConfirmView(ScopedActionView):
    queryset = Measurement.objects.select_related("indicator")
    action = MeasurementAction.CONFIRM

    def perform(self, measurement):
        services.measurement_confirm(actor=self.request.user, measurement=measurement)
        messages.success(self.request, _("The value is confirmed."))
        return redirect("workflow:item_indicators", pk=measurement.indicator.item_id)


# National index results (PAR Index, SIPAS, PAPI) ---------------------------------------------


class IndexResultListView(SortableMixin, SignedInTemplateView):
    """The province's results in the national indices, by year (``?index=`` for one; a few
    rows a year, one page)."""

    template_name = "workflow/index_results.html"
    sorts = {
        "newest": (_lazy("Newest first"), ()),
        "oldest": (_lazy("Oldest first"), ("year", "index")),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        index = self.request.GET.get("index", "")
        index = index if index in NationalIndex.values else ""
        user = self.request.user
        context.update(
            results=self.sorted_rows(selectors.index_result_list(user=user, index=index or None)),
            indices=NationalIndex.choices,
            index=index,
            may_change=access.may(user, IndexResultAction.CHANGE, IndexResult),
        )
        return context


class IndexResultFormView(ServiceFormView):
    """Enter a year's result (no ``pk``) or correct one (``pk``): the office's reviewers."""

    form_class = IndexResultForm
    template_name = "workflow/index_result_form.html"

    def load(self):
        user = self.request.user
        self.result = None
        if "pk" in self.kwargs:
            self.result = selected(selectors.index_result_get, user=user, pk=self.kwargs["pk"])
            access.require(user, IndexResultAction.CHANGE, self.result)
        else:
            access.require_may(user, IndexResultAction.CHANGE, IndexResult)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "correcting": self.result is not None}

    def get_initial(self):
        if self.result is None:
            return {**super().get_initial(), "year": timezone.localdate().year - 1}
        r = self.result
        return {
            "index": r.index,
            "year": r.year,
            "score": r.score,
            "rank": r.rank,
            "rank_of": r.rank_of,
            "source_note": r.source_note,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "result": self.result}

    def perform(self, form):
        result = services.index_result_save(actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The result is saved."))
        return result

    def get_success_url(self):
        return reverse("workflow:index_results")


class IndexImportView(ServiceFormView):
    """Import results from a file: every row, or none with each wrong row listed."""

    form_class = IndexImportForm
    template_name = "workflow/index_import.html"

    def load(self):
        access.require_may(self.request.user, IndexResultAction.CHANGE, IndexResult)

    def form_valid(self, form):
        try:
            summary = services.index_results_import(
                actor=self.request.user, file=form.cleaned_data["file"]
            )
        except DomainError as exc:
            context = self.get_context_data(form=form)
            context.update(error=exc.message, row_errors=exc.details.get("rows", []))
            return self.render_to_response(context, status=exc.status)
        context = self.get_context_data(form=IndexImportForm(), summary=summary)
        return self.render_to_response(context)


# Explanation requests (yêu cầu giải trình) ---------------------------------------------------

EXPLANATION_ACTIONS = (ExplanationAction.ANSWER, ExplanationAction.WITHDRAW)
EXPLANATION_TABS = (
    ("awaiting", _lazy("Awaiting")),
    ("overdue", _lazy("Overdue")),
    ("on_time", _lazy("Explained on time")),
    ("late", _lazy("Explained late")),
    ("withdrawn", _lazy("Withdrawn")),
    ("all", _lazy("All")),
)


class ExplanationListView(SortableMixin, SignedInTemplateView):
    """The explanation requests the user may see, by tab (``?group=``; those awaiting an
    answer first), each tab with its count, sorted (``?sort=``), paginated with the total."""

    template_name = "workflow/explanation_list.html"
    paginate_by = 50
    sorts = {
        "due": (_lazy("Explain by, earliest first"), ("due_on", "pk")),
        "newest": (_lazy("Newest request first"), ("-requested_at", "-pk")),
        "answered": (
            _lazy("Latest explanation first"),
            (F("answered_at").desc(nulls_last=True), "-pk"),
        ),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, query = self.request.user, self.request.GET
        group = chosen_sort(query.get("group"), dict(EXPLANATION_TABS))  # a tab, as a sort is
        totals = selectors.explanation_group_totals(selectors.explanation_list(user=user))
        rows = self.sorted_rows(
            selectors.explanation_list(user=user, group=None if group == "all" else group)
        )
        paginator = Paginator(rows, self.paginate_by)
        paginator.count = totals[group]  # counted once, with the other tabs
        page = paginator.get_page(query.get("page"))
        rest = query.copy()
        for key in ("page", "group"):
            rest.pop(key, None)
        context.update(
            page_obj=page,
            is_paginated=page.has_other_pages(),
            explanations=page.object_list,
            tabs=[(key, label, totals[key]) for key, label in EXPLANATION_TABS],
            group=group,
            query_without_group=rest.urlencode(),
            query_without_page=urlencode({"group": group, "sort": self.sort}),
        )
        return context


class ExplanationDetailView(SelectorDetailView):
    """One request: what was asked, by when, the answer; the agency's head answers here, the
    office withdraws a request still awaited."""

    template_name = "workflow/explanation.html"
    context_object_name = "explanation"

    def select(self, *, user, pk):
        return selectors.explanation_get(user=user, pk=pk, actions=EXPLANATION_ACTIONS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        explanation = self.object
        may = access.allowed(self.request.user, EXPLANATION_ACTIONS, explanation)
        awaited = explanation.status == ExplanationStatus.REQUESTED
        context.update(
            may_answer=awaited and ExplanationAction.ANSWER in may,
            may_withdraw=awaited and ExplanationAction.WITHDRAW in may,
            answer_form=kwargs.get("answer_form") or ExplanationAnswerForm(),
            withdraw_form=kwargs.get("withdraw_form") or ExplanationWithdrawForm(),
        )
        return context


class ExplanationRequestView(ServiceFormView):
    """Ask the agency of a late assignment (``assignment`` in the URL) or the reporting agency
    of an indicator at risk (``indicator``) to explain."""

    form_class = ExplanationRequestForm
    template_name = "workflow/explanation_form.html"

    def load(self):
        user = self.request.user
        self.assignment = self.indicator = None
        if "assignment" in self.kwargs:
            self.assignment = selected(
                selectors.assignment_get, user=user, pk=self.kwargs["assignment"]
            )
        else:
            self.indicator = selected(
                selectors.indicator_get, user=user, pk=self.kwargs["indicator"]
            )
        access.require_may(user, ExplanationAction.ADD, ExplanationRequest)

    def get_initial(self):
        # Ten days is the office's usual time to explain; the form says so and may be changed.
        return {**super().get_initial(), "due_on": timezone.localdate() + timedelta(days=10)}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "assignment": self.assignment,
            "indicator": self.indicator,
        }

    def perform(self, form):
        result = services.explanation_request(
            actor=self.request.user,
            assignment=self.assignment,
            indicator=self.indicator,
            **form.cleaned_data,
        )
        messages.success(self.request, _("The agency is asked to explain."))
        return result

    def get_success_url(self):
        return reverse("workflow:explanation", args=[self.result.pk])


class _ExplanationStepView(ExplanationDetailView):
    """POST one step on a request from its page; a refused form shows the page again with
    what was typed."""

    http_method_names = ["post"]
    form_class: type = ExplanationAnswerForm
    form_key = "answer_form"

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.step(form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                return redirect("workflow:explanation", pk=self.object.pk)
        else:
            status = 400
        context = self.get_context_data(**{self.form_key: form})
        return self.render_to_response(context, status=status)


class ExplanationAnswerView(_ExplanationStepView):
    def step(self, data):
        services.explanation_answer(
            actor=self.request.user, explanation=self.object, answer=data["answer"]
        )
        messages.success(self.request, _("The explanation is sent to the office."))


class ExplanationWithdrawView(_ExplanationStepView):
    form_class = ExplanationWithdrawForm
    form_key = "withdraw_form"

    def step(self, data):
        services.explanation_withdraw(
            actor=self.request.user, explanation=self.object, note=data["note"]
        )
        messages.success(self.request, _("The request is withdrawn."))
