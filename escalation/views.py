"""The office's escalation pages: parse → service → render; no rules here."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from agencies.access import has_role
from agencies.choices import Role
from core.exceptions import DomainError
from core.views import ScopedListView, ServiceFormView

from . import selectors, services
from .filtersets import EscalationFilterSet
from .forms import BulkEscalationForm, EscalationDecisionForm


class EscalationListView(ScopedListView):
    """The office's escalation queue: filter, then decide one or several at once."""

    filterset_class = EscalationFilterSet
    template_name = "escalation/escalation_list.html"
    context_object_name = "escalations"

    def select(self):
        return selectors.escalation_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_form"] = kwargs.get("bulk_form") or BulkEscalationForm(user=self.request.user)
        context["may_decide"] = has_role(self.request.user, [Role.REVIEWER, Role.LEADER])
        return context

    def post(self, request):
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
                messages.success(request, _("{n} escalations decided.").format(n=done))
                return redirect(request.get_full_path())
        self.object_list = self.get_queryset()
        return render(
            request, self.template_name, self.get_context_data(bulk_form=form), status=400
        )


class EscalationDecideView(ServiceFormView):
    form_class = EscalationDecisionForm
    template_name = "escalation/escalation_decide.html"

    def load(self):
        self.escalation = get_object_or_404(
            selectors.escalation_list(user=self.request.user), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "escalation": self.escalation,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "escalation": self.escalation}

    def perform(self, form):
        return services.escalation_decide(
            actor=self.request.user, escalation=self.escalation, decision=form.as_decision()
        )

    def get_success_url(self):
        return reverse("escalation:list")
