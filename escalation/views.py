"""The office's escalation pages: parse → service → render; no rules here."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from agencies.selectors import agency_name_on
from core.exceptions import DomainError, Forbidden
from core.pagination import KeysFirstPaginator
from core.views import ScopedListView, ServiceFormView

from . import selectors, services
from .access import may_decide_some
from .choices import EscalationDecision
from .filtersets import EscalationFilterSet
from .forms import DECISION_FIELDS, BulkEscalationForm, EscalationDecisionForm


class EscalationListView(ScopedListView):
    """The office's escalation queue: filter, then decide one or several at once."""

    filterset_class = EscalationFilterSet
    template_name = "escalation/escalation_list.html"
    context_object_name = "escalations"

    paginator_class = KeysFirstPaginator
    # The queue (awaiting a decision first, newest first) reads ``escalation_queue`` backwards;
    # by date alone, ``escalation_raised`` either way.
    sorts = {
        "queue": (_lazy("Awaiting a decision first"), ()),
        "newest": (_lazy("Newest first"), ("-raised_at", "-pk")),
        "oldest": (_lazy("Oldest first"), ("raised_at", "pk")),
    }

    def select(self):
        return selectors.escalation_rows(user=self.request.user)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = selectors.name_escalations(list(rows))
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_form"] = kwargs.get("bulk_form") or BulkEscalationForm(user=self.request.user)
        context["dependent"] = DECISION_FIELDS
        context["may_decide"] = may_decide_some(self.request.user)
        return context

    def post(self, request):
        if not may_decide_some(request.user):
            raise Forbidden()  # before the form is read
        form = BulkEscalationForm(data=request.POST, user=request.user)
        if form.is_valid():
            try:
                done = services.escalations_decide(
                    actor=request.user,
                    escalations=list(form.cleaned_data["escalations"]),
                    decision=form.as_decision(),
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("{n} escalations decided: {decision}.").format(
                        n=done, decision=EscalationDecision(form.cleaned_data["decision"]).label
                    ),
                )
                return redirect(request.get_full_path())
        self.object_list = self.get_queryset()
        return render(
            request, self.template_name, self.get_context_data(bulk_form=form), status=400
        )


class EscalationDecideView(ServiceFormView):
    form_class = EscalationDecisionForm
    template_name = "escalation/escalation_decide.html"

    def load(self):
        # Only those who may decide it open it: its form names the agency's people.
        self.escalation = selectors.escalation_to_decide(
            user=self.request.user, pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "escalation": self.escalation,
        }

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "escalation": self.escalation,
            "dependent": DECISION_FIELDS,
            "next": self._next(),
        }

    def perform(self, form):
        decision = form.as_decision()
        escalation = services.escalation_decide(
            actor=self.request.user, escalation=self.escalation, decision=decision
        )
        messages.success(self.request, decided_message(escalation, decision))
        return escalation

    def _next(self) -> str:
        """Back to the list as it was filtered (a local address only)."""
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return reverse("escalation:list")

    def get_success_url(self):
        return self._next()


def decided_message(escalation, decision) -> str:
    """What changed, in the office's words."""
    title = escalation.assignment.title
    if decision.send_up:
        return _("“{title}” was sent up to a leader of the provincial People's Committee.").format(
            title=title
        )
    if decision.decision == EscalationDecision.EXTEND:
        return _("The due date of “{title}” is now {day:%d/%m/%Y}.").format(
            title=title, day=decision.due_date
        )
    if decision.decision == EscalationDecision.REASSIGN:
        if decision.assignee is not None:
            return _("“{title}” is now given to {person}.").format(
                title=title, person=decision.assignee
            )
        return _("“{title}” is now given to {agency}.").format(
            title=title, agency=agency_name_on(agency=decision.agency)
        )
    if decision.decision == EscalationDecision.PENALTY:
        return _("“{title}”: accepted late, {points} penalty points recorded.").format(
            title=title, points=format(decision.penalty_points.normalize(), "f").replace(".", ",")
        )
    return _("“{title}”: closed as resolved.").format(title=title)
