"""Choosing an agency: only those that exist on the day in question, by their name of that
day, grouped by kind (the code travels as the value, for the API and the services)."""

from datetime import date
from itertools import groupby

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.time import local_date
from core.widgets import FastSelect, FastSelectMultiple

from .choices import AgencyKind
from .models import Agency
from .selectors import agencies_ever, agencies_existing_on

# The select becomes a type-ahead chooser in the browser (static/js/typeahead.js); without
# JavaScript it stays the plain select. The texts are the script's, translated here.
TYPEAHEAD_ATTRS = {
    "data-typeahead": True,
    "data-typeahead-placeholder": _("Type a few letters of the name"),
    "data-typeahead-empty": _("No agency matches."),
    "data-typeahead-remove": _("Remove"),
    "data-typeahead-found": _("{n} agencies found"),
}


class _Grouped:
    """Choices grouped by the agency's kind on the form's day, offered through a type-ahead
    chooser. The form calls ``set_day`` in its ``__init__`` (a field declared on the class must
    not freeze the day it was imported)."""

    empty_label: str | None
    widget: forms.Widget
    former = False  # also offer agencies that no longer exist (in a group of their own)

    def __init__(self, *, searched: bool = False, **kwargs):
        # ``searched``: the page holds only the agency chosen, the type-ahead asks the server
        # for the others as one types (agencies:choices) — for choosers on pages that must
        # stay light (the lists' filters, the steps of an assignment's page). It needs
        # JavaScript; the others are written out whole and work without.
        self.searched = searched
        super().__init__(**kwargs)
        self.widget.attrs = {**TYPEAHEAD_ATTRS, **self.widget.attrs}

    def set_day(self, on: date | None = None, *, within=None) -> None:
        """Offer the agencies of ``on`` (today by default), among ``within`` if given; with
        ``former``, every agency, those gone last under "no longer exists". A ``searched``
        chooser offers what agencies:choices finds (the agencies the user may see, of that
        day or of any time): ``within`` must not narrow that (it still bounds what is
        accepted)."""
        day = on or local_date()
        queryset = agencies_ever() if self.former else agencies_existing_on(day)
        if within is not None:
            queryset = queryset.filter(pk__in=within.values("pk"))
        self.queryset = queryset
        empty = getattr(self, "empty_label", None)
        if self.searched:
            query = "?ever=1" if self.former else f"?on={day.isoformat()}"

            def chosen(codes):
                return [(a.code, a.name_then) for a in queryset.filter(code__in=codes)]

            self.widget.searched(
                reverse("agencies:choices") + query,
                chosen,
                fixed=[("", empty)] if empty is not None else [],
            )
            return
        former, built = self.former, []

        def choices():
            # Read when the select is rendered, once: a form that is only validated (a POST
            # that goes through) never reads the agencies of the day for its page.
            if not built:
                rows = list(queryset)
                gone = [a for a in rows if former and a.exists_today is None]
                rows = [a for a in rows if not (former and a.exists_today is None)]
                groups = [
                    (
                        AgencyKind(kind).label if kind else "",
                        [(a.code, a.name_then) for a in agencies],
                    )
                    for kind, agencies in groupby(rows, key=lambda a: a.kind_then)
                ]
                if gone:
                    groups.append(
                        (_("No longer in existence"), [(a.code, a.name_then) for a in gone])
                    )
                built.append(([("", empty)] if empty is not None else []) + groups)
            return built[0]

        self.widget.choices = choices

    def label_from_instance(self, obj):
        return getattr(obj, "name_then", None) or str(obj)


class AgencyChoiceField(_Grouped, forms.ModelChoiceField):
    widget = FastSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("empty_label", _("Choose an agency"))
        super().__init__(queryset=Agency.objects.none(), **kwargs)


class AgencyEverChoiceField(AgencyChoiceField):
    """An agency of any time (a filter over past work)."""

    former = True


class AgencyMultipleChoiceField(_Grouped, forms.ModelMultipleChoiceField):
    widget = FastSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(queryset=Agency.objects.none(), **kwargs)


class AgencyDayForm(forms.Form):
    """A form whose agency choosers offer the agencies of today: for forms built from fields
    declared once (a filterset's), where each form's own copy of a chooser must be given its
    day."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, _Grouped):
                field.set_day()
