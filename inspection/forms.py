"""The inspection's forms: parse and check the shape of the input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import member_agencies
from agencies.choices import Role
from agencies.forms import AgencyChoiceField
from agencies.models import Agency, Membership
from workflow.models import DirectiveItem

from .access import ORGANISER_ROLES
from .choices import FindingResult, FindingSide, PlanForm, VerificationResult
from .models import ChecklistTemplate, CriterionField

DATE_INPUT = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
TEXT = {"widget": forms.Textarea(attrs={"rows": 3})}
# Who may sit on a team: the province's inspectors and reviewers, and any member of the
# organiser (its heads and officers); each sits for the agency they hold that role in.
TEAM_ROLES = (Role.INSPECTOR, Role.REVIEWER, Role.HEAD, Role.DEPUTY, Role.OFFICER)


def _organisers(user):
    return Agency.objects.filter(pk__in=member_agencies(user, ORGANISER_ROLES))


class InspectionPlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
    organiser = AgencyChoiceField(label=_("Organiser"))
    title = forms.CharField(label=_("Title"), max_length=500)
    form = forms.ChoiceField(label=_("Form"), choices=PlanForm.choices)
    item = forms.ModelChoiceField(
        label=_("Directive item it carries out"), queryset=DirectiveItem.objects.none()
    )
    decision_number = forms.CharField(label=_("Plan number"), max_length=64, required=False)
    decision_date = forms.DateField(label=_("Plan date"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["organiser"].set_day(within=_organisers(user))
        self.fields["item"].queryset = (
            DirectiveItem.objects.restrict(user)
            .exclude(directive__status="draft")
            .select_related("directive")
            .order_by("-directive__issued_on", "directive_id", "order")
        )
        self.fields["item"].label_from_instance = lambda i: (
            f"{i.directive.number or i.directive.title[:40]} — {i.number}. {i.text[:80]}"
        )


def team_people(on=None):
    """The people a team may be made of, each with the agency they would sit for."""
    on = on or timezone.localdate()
    return (
        Membership.objects.active_on(on)
        .filter(role__in=list(TEAM_ROLES))
        .select_related("user")
        .order_by("user__username", "agency_id")
    )


class ScheduleForm(forms.Form):
    agency = AgencyChoiceField(label=_("Agency inspected"), searched=True)
    template = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.none()
    )
    team_decision_number = forms.CharField(label=_("Decision setting up the team"), max_length=64)
    team_decision_date = forms.DateField(label=_("Date of that decision"), widget=DATE_INPUT)
    scheduled_on = forms.DateField(label=_("Day of the visit"), widget=DATE_INPUT)
    lead = forms.ChoiceField(label=_("Head of the team"))
    members = forms.MultipleChoiceField(
        label=_("Members"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    self_report_due = forms.DateField(
        label=_("Self-report due"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Empty: five working days before the visit (none for an unannounced one)."),
    )
    self_assessment_requested = forms.BooleanField(
        label=_("Ask the agency to assess itself against the checklist"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import latest_templates

        self.fields["agency"].set_day()
        self.fields["template"].queryset = latest_templates(user=user)
        self.people = {f"{m.user_id}:{m.agency_id}": m for m in team_people()}
        choices = [(key, f"{m.user} — {m.get_role_display()}") for key, m in self.people.items()]
        self.fields["lead"].choices = [("", _("Choose a person"))] + choices
        self.fields["members"].choices = choices

    def team(self):
        """[(user, agency id, is lead)] from the chosen keys, the lead first."""
        keys = [self.cleaned_data["lead"]] + [
            k for k in self.cleaned_data["members"] if k != self.cleaned_data["lead"]
        ]
        return [(self.people[k].user, self.people[k].agency, n == 0) for n, k in enumerate(keys)]


class FindingForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    side = forms.ChoiceField(choices=FindingSide.choices, initial=FindingSide.TEAM, required=False)
    result = forms.ChoiceField(label=_("Result"), choices=FindingResult.choices)
    points = forms.DecimalField(label=_("Points"), required=False, max_digits=6, decimal_places=2)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or document"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "image/jpeg,image/png,image/heic,image/heif,.heic,.pdf,.docx,.xlsx",
                "capture": "environment",
            }
        ),
    )


class MinutesForm(forms.Form):
    conducted_on = forms.DateField(label=_("Day of the visit"), widget=DATE_INPUT)
    text = forms.CharField(
        label=_("Minutes: what the team found, strengths and shortcomings"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class ConfirmForm(forms.Form):
    objection = forms.CharField(
        label=_("Objection (kept with the minutes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Empty if the agency agrees with the minutes."),
    )


class RecommendationForm(forms.Form):
    text = forms.CharField(label=_("Recommendation"), **TEXT)
    agency = AgencyChoiceField(label=_("Agency responsible"), searched=True, required=False)
    criterion = forms.ModelChoiceField(
        label=_("Criterion it follows"), queryset=None, required=False
    )
    due_days = forms.IntegerField(
        label=_("Days after the conclusion notice"),
        min_value=1,
        max_value=365,
        required=False,
        initial=15,
    )
    due_date = forms.DateField(
        label=_("Or a deadline"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("A day off moves to the next working day."),
    )

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].set_day()
        self.fields["agency"].initial = inspection.agency.code
        self.fields["criterion"].queryset = inspection.template.criteria.order_by("order")


class ConclusionForm(forms.Form):
    number = forms.CharField(label=_("Number of the conclusion notice"), max_length=64)
    issued_on = forms.DateField(label=_("Date of the notice"), widget=DATE_INPUT)
    text = forms.CharField(
        label=_("Conclusion: strengths, shortcomings, causes"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class VerifyForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Remediation"), choices=VerificationResult.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), required=False, **TEXT)
    new_due_date = forms.DateField(
        label=_("New deadline (if not done)"), required=False, widget=DATE_INPUT
    )


class CriterionForm(forms.Form):
    field = forms.ModelChoiceField(label=_("Reform field"), queryset=CriterionField.objects.all())
    code = forms.CharField(label=_("Code"), max_length=32)
    text = forms.CharField(label=_("Criterion"), **TEXT)
    max_points = forms.DecimalField(
        label=_("Maximum points"), min_value=0.01, max_digits=6, decimal_places=2
    )
    guidance = forms.CharField(label=_("How to check"), required=False, **TEXT)
    evidence_expected = forms.CharField(label=_("Evidence expected"), required=False, **TEXT)
    items = forms.ModelMultipleChoiceField(
        label=_("Directive items it checks"),
        queryset=DirectiveItem.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = (
            DirectiveItem.objects.restrict(user)
            .select_related("directive")
            .order_by("-directive__issued_on", "directive_id", "order")
        )
        self.fields["items"].label_from_instance = lambda i: (
            f"{i.directive.number or i.directive.title[:40]} — {i.number}. {i.text[:60]}"
        )


class YearForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)


__all__ = [
    "ConclusionForm",
    "ConfirmForm",
    "CriterionForm",
    "EvidenceForm",
    "FindingForm",
    "MinutesForm",
    "InspectionPlanForm",
    "RecommendationForm",
    "ScheduleForm",
    "VerifyForm",
    "YearForm",
]
