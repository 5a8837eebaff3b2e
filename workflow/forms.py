"""Input forms: shapes and field validation only; every rule lives in the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.choices import Collective
from agencies.forms import AgencyChoiceField, AgencyMultipleChoiceField
from agencies.models import Agency, User
from agencies.selectors import collectives_existing

from .choices import DuePolicy, Modality, NationalIndex, Period, TriageDecision
from .indices import FIRST_YEAR
from .models import Directive, DirectiveItem, Indicator
from .selectors import assignees_for

DATE_INPUT = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


def agencies_for(user):
    return Agency.objects.restrict(user, "view").order_by("code")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DirectiveForm(forms.ModelForm):
    class Meta:
        model = Directive
        fields = [
            "kind",
            "number",
            "title",
            "issued_on",
            "issuer",
            "signer",
            "full_text",
            "note",
            "contribution_lead_days",
        ]
        widgets = {"issued_on": DATE_INPUT, "full_text": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = agencies_for(user)
        self.fields["issuer"].to_field_name = "code"
        if self.instance.pk:
            # The issuer is fixed once registered: shown, never read from the input. A disabled
            # field cleans its initial value, which must be the code its choices are keyed by
            # (the instance's would be the key, "not a valid choice").
            self.fields["issuer"].disabled = True
            self.initial["issuer"] = self.instance.issuer.code


class ItemForm(forms.ModelForm):
    focal_agency = AgencyChoiceField(
        label=_("Focal agency"),
        required=False,
        help_text=_("The agency that gathers everyone's results of the item and reports on it."),
    )

    class Meta:
        model = DirectiveItem
        fields = ["number", "text", "expected_output", "focal_agency"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focal_agency"].set_day()
        if self.instance.focal_agency_id:
            self.initial["focal_agency"] = self.instance.focal_agency.code


class AssignForm(forms.Form):
    leads = AgencyMultipleChoiceField(label=_("Lead agencies"), required=False)
    collectives = forms.MultipleChoiceField(
        label=_("Or whole groups (as they stood on the day of assignment)"),
        choices=Collective.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    coordinators = AgencyMultipleChoiceField(label=_("Coordinating agencies"), required=False)
    modality = forms.ChoiceField(
        label=_("Modality"), choices=Modality.choices, initial=Modality.ORDER
    )
    as_written = forms.CharField(label=_("As written in the text"), required=False, max_length=500)
    title = forms.CharField(label=_("Title"), max_length=255)
    expected_output = forms.CharField(label=_("Expected output"), required=False, max_length=500)
    assigned_on = forms.DateField(label=_("Assigned on"), widget=DATE_INPUT)
    due_policy = forms.ChoiceField(label=_("Due date policy"), choices=DuePolicy.choices)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_INPUT)
    working_days = forms.IntegerField(
        label=_("Working days"), required=False, min_value=1, max_value=365
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("assigned_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        # Offer the agencies of the day of assignment (today unless the form says otherwise).
        day = self.fields["assigned_on"].widget.value_from_datadict(self.data, {}, "assigned_on")
        try:
            on = self.fields["assigned_on"].to_python(day) if self.is_bound else None
        except forms.ValidationError:
            on = None
        for name in ("leads", "coordinators"):
            self.fields[name].set_day(on, within=agencies_for(user))
        existing = set(collectives_existing(on=on))
        self.fields["collectives"].choices = [c for c in Collective.choices if c[0] in existing]

    def clean(self):
        data = super().clean()
        if not data.get("leads") and not data.get("collectives"):
            raise forms.ValidationError(_("Choose at least one agency or group."))
        policy = data.get("due_policy")
        if policy == DuePolicy.FIXED and not data.get("due_date"):
            self.add_error("due_date", _("Enter the due date."))
        if policy == DuePolicy.WORKING_DAYS and not data.get("working_days"):
            self.add_error("working_days", _("Enter the number of working days."))
        return data


class StepForm(forms.Form):
    """A step's input; it knows the assignment and the user, to scope its choices."""

    def __init__(self, *args, assignment=None, user=None, **kwargs):
        self.assignment, self.user = assignment, user
        super().__init__(*args, **kwargs)


class ReceiveForm(StepForm):
    assignee = forms.ModelChoiceField(
        label=_("Give it to"),
        queryset=User.objects.none(),
        to_field_name="username",
        empty_label=_("Choose a person"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees_for(agency=self.assignment.agency)


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(StepForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TriageForm(StepForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=TriageDecision.choices,
    )
    agency = AgencyChoiceField(label=_("Other agency"), required=False, searched=True)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].set_day(within=agencies_for(self.user))


class ReportForm(StepForm):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(
        label=_("Evidence (PDF, Word, Excel, PNG, JPEG)"),
        # A hint for the file picker only; the content decides (workflow/evidence.py).
        widget=MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}),
    )


class ProgressForm(ReportForm):
    percent = forms.IntegerField(
        label=_("Percent done"), required=False, min_value=0, max_value=100
    )


class ExtensionRequestForm(StepForm):
    requested_due_date = forms.DateField(label=_("New due date"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class EndorseForm(StepForm):
    endorse = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Endorse and send to the office")), ("no", _("Decline"))],
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(StepForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Approve")), ("no", _("Deny"))],
    )
    due_date = forms.DateField(
        label=_("New due date (if different)"), required=False, widget=DATE_INPUT
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(StepForm):
    to_agency = AgencyChoiceField(label=_("Successor agency"), searched=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].set_day(within=agencies_for(self.user))


class ReorganisationForm(forms.Form):
    """Where all the work of one agency that ended goes: one of the agencies that took it
    over (offered alone when there is one), or any agency of today when none was named."""

    agency = forms.CharField(widget=forms.HiddenInput)
    to_agency = AgencyChoiceField(label=_("Agency that takes the work over"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, ended, **kwargs):
        super().__init__(*args, prefix=f"agency-{ended.agency.code}", **kwargs)
        self.fields["agency"].initial = ended.agency.code
        field = self.fields["to_agency"]
        if ended.successors:
            field.set_day(
                within=Agency.objects.filter(pk__in=[s.agency.pk for s in ended.successors])
            )
            if len(ended.successors) == 1:
                field.initial = ended.successors[0].code
        else:
            field.searched = True
            field.set_day()


class PublicationForm(forms.Form):
    """The items of a directive the public page shows (công khai); the service checks there is
    at least one."""

    items = forms.ModelMultipleChoiceField(
        label=_("Public items"),
        queryset=DirectiveItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Citizens see these items and the progress counts of the agencies."),
    )

    def __init__(self, *args, directive: Directive | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if directive is not None:
            field = self.fields["items"]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = directive.items.order_by("order", "pk")
            field.label_from_instance = lambda item: str(item)


class IndicatorForm(forms.ModelForm):
    """A target of an item: a value (the same in both boxes, or one box) or a range."""

    agency = AgencyChoiceField(
        label=_("Reporting agency"),
        required=False,
        help_text=_("The agency that reports the values of the indicator."),
    )

    class Meta:
        model = Indicator
        fields = [
            "name",
            "unit",
            "baseline",
            "target_min",
            "target_max",
            "direction",
            "target_year",
            "due_on",
            "agency",
        ]
        widgets = {"due_on": DATE_INPUT}
        help_texts = {
            "target_min": _("A single target value: write it here, or in both boxes."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].set_day()
        if self.instance.agency_id:
            self.initial["agency"] = self.instance.agency.code


class MeasurementForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Reporting period"), choices=Period.choices, initial=Period.YEARLY
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(
        label=_("Period number"),
        min_value=1,
        max_value=12,
        initial=1,
        required=False,
        help_text=_("The month (1–12), quarter (1–4) or half (1–2) of the year; 1 for a year."),
    )
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=4)
    evidence_note = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The report or document the value comes from."),
    )
    files = MultipleFileField(
        label=_("Evidence files (PDF, Word, Excel, PNG, JPEG)"),
        # A hint for the file picker only; the content decides (workflow/evidence.py).
        widget=MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}),
    )

    def clean_number(self):
        return self.cleaned_data.get("number") or 1


class MeasurementCorrectForm(forms.Form):
    """A reported value corrected (điều chỉnh số liệu), with its reason."""

    value = forms.DecimalField(label=_("Corrected value"), max_digits=14, decimal_places=4)
    note = forms.CharField(
        label=_("Reason for the correction"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the correction.")},
    )
    files = MultipleFileField(
        label=_("Evidence files (PDF, Word, Excel, PNG, JPEG)"),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}),
    )


class IndexResultForm(forms.Form):
    """A year's result of the province in a national index, as published."""

    index = forms.ChoiceField(label=_("Index"), choices=NationalIndex.choices)
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=2100)
    score = forms.DecimalField(label=_("Score"), max_digits=7, decimal_places=2, min_value=0)
    rank = forms.IntegerField(label=_("Rank"), min_value=1, max_value=100)
    rank_of = forms.IntegerField(
        label=_("Out of (provinces)"),
        min_value=1,
        max_value=100,
        help_text=_("63 for the results up to 2024, 34 from 2025 (after the provinces merged)."),
    )
    source_note = forms.CharField(
        label=_("Source"),
        max_length=500,
        required=False,
        help_text=_("Where the result was published (decision, report, page)."),
    )

    def __init__(self, *args, correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if correcting:  # a correction keeps its index and year: another one is a new result
            self.fields["index"].disabled = True
            self.fields["year"].disabled = True


class IndexImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("The first row names the columns; see the format below."),
    )


class ExplanationRequestForm(forms.Form):
    """The office asks an agency to explain late work or a target at risk, by a date."""

    question = forms.CharField(
        label=_("What to explain"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The causes, what the agency is doing about it, and by when it will catch up."),
    )
    due_on = forms.DateField(label=_("Explain by"), widget=DATE_INPUT)


class ExplanationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Explanation"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )


class ExplanationWithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for withdrawing"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
