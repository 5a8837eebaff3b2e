"""Input forms for escalation decisions: shapes and field validation only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import AgencyChoiceField
from agencies.models import User
from workflow.forms import agencies_for
from workflow.selectors import assignees_for

from .choices import EscalationDecision
from .models import Escalation
from .selectors import escalation_list
from .services import Decision

# The fields each decision needs: the page shows only these for the chosen decision.
DECISION_FIELDS = {
    "due_date": EscalationDecision.EXTEND,
    "agency": EscalationDecision.REASSIGN,
    "assignee": EscalationDecision.REASSIGN,
    "penalty_points": EscalationDecision.PENALTY,
}


class EscalationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=EscalationDecision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The browser's date picker shows the date the user's way (dd/mm/yyyy in Vietnamese) and
    # sends it as yyyy-mm-dd, which the date formats accept.
    due_date = forms.DateField(
        label=_("New due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    agency = AgencyChoiceField(label=_("Other agency"), required=False, searched=True)
    assignee = forms.ModelChoiceField(
        label=_("Other officer"),
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
        required=False,
        to_field_name="username",
    )
    penalty_points = forms.DecimalField(
        label=_("Penalty points"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    send_up = forms.BooleanField(label=_("Send it up to a leader instead"), required=False)

    offers_agency = True  # another agency to give the work to (not when deciding several)

    def __init__(self, *args, user, escalation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.offers_agency:
            self.fields["agency"].set_day(within=agencies_for(user))
        if escalation is not None:
            self.fields["assignee"].queryset = assignees_for(agency=escalation.assignment.agency)

    def as_decision(self) -> Decision:
        """The cleaned input as the service takes it."""
        data = self.cleaned_data
        return Decision(
            decision=data["decision"],
            note=data.get("note", ""),
            due_date=data.get("due_date"),
            agency=data.get("agency"),
            assignee=data.get("assignee"),
            penalty_points=data.get("penalty_points"),
            send_up=data.get("send_up", False),
        )


class BulkEscalationForm(EscalationDecisionForm):
    """Several escalations decided at once (extend, penalty or close)."""

    escalations = forms.ModelMultipleChoiceField(
        label=_("Escalations"), queryset=Escalation.objects.none()
    )

    offers_agency = False

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["decision"].choices = [
            c for c in EscalationDecision.choices if c[0] != EscalationDecision.REASSIGN
        ]
        self.fields["escalations"].queryset = escalation_list(user=user).filter(
            resolved_at__isnull=True
        )
        for name in ("agency", "assignee", "send_up"):
            del self.fields[name]
