from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Delivery
from .services import DEFAULT

# The kinds a person may tune, in the order the chain runs; "information" stays the default.
TUNABLE = [c for c in Category if c != Category.INFO]


class NoticePreferencesForm(forms.Form):
    """One choice per kind of notice: how it reaches me besides the app."""

    def __init__(self, *args, held: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (DEFAULT, _("Default")),
            *Delivery.choices,
        ]
        for category in TUNABLE:
            self.fields[category.value] = forms.ChoiceField(
                label=category.label,
                choices=choices,
                initial=held.get(category.value, DEFAULT),
                required=False,  # a kind left out keeps its setting
            )

    def choices(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}
