"""The import's input forms: shapes and field validation only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from workflow.forms import DATE_INPUT, agencies_for


class ImportForm(forms.Form):
    text = forms.CharField(
        label=_("Paste the directive's text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    file = forms.FileField(label=_("Or upload it (.txt or .docx)"), required=False)
    on = forms.DateField(
        label=_("Date of issue, if the text gives none"), required=False, widget=DATE_INPUT
    )
    issuer = forms.ModelChoiceField(
        label=_("Issuing agency, if the text names none"),
        queryset=Agency.objects.none(),
        required=False,
        to_field_name="code",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = agencies_for(user)

    def clean(self):
        data = super().clean()
        if not data.get("text") and not data.get("file"):
            raise forms.ValidationError(_("Paste the text or choose a file."))
        return data


class ConfirmImportForm(forms.Form):
    document = forms.JSONField(
        label=_("Reviewed breakdown (JSON)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "mono"}),
    )
