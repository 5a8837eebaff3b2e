"""One filterset per list, shared by the HTML pages and the API; the rules live in the
selectors (the search: ``selectors.search``)."""

import django_filters
from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from agencies.forms import AgencyChoiceField, AgencyDayForm, AgencyEverChoiceField
from core.text import fold
from core.time import local_date
from core.widgets import FastSelect, SearchedChoiceField

from .choices import AssignmentRole, AssignmentState, DirectiveKind, DirectiveStatus, Modality
from .choices import Timeliness as TimelinessChoices
from .models import Assignment, Directive, DirectiveItem
from .selectors.assigning import timeliness_is
from .selectors.extensions import EXTENSION_GROUPS, awaiting, group_totals, in_group
from .selectors.search import assignments_matching


class DirectiveFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or title"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DirectiveKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DirectiveStatus.choices)

    class Meta:
        model = Directive
        fields = ["q", "kind", "status"]

    def search(self, queryset, name, value):
        key = fold(value)
        return queryset.filter(search_text__contains=key) if key else queryset


@extend_schema_field(OpenApiTypes.STR)
class AgencyOfTodayFilter(django_filters.Filter):
    """An agency chosen by its name among those that exist today, grouped by kind (the value
    is its code, as in the API); the filterset's form must be an ``AgencyDayForm``."""

    field_class = AgencyChoiceField


@extend_schema_field(OpenApiTypes.STR)
class AgencyEverFilter(django_filters.Filter):
    """An agency of any time by its name (those gone in a group of their own), for lists of
    past and present work; the filterset's form must be an ``AgencyDayForm``."""

    field_class = AgencyEverChoiceField


@extend_schema_field(OpenApiTypes.INT)
class DirectiveFilter(django_filters.ModelChoiceFilter):
    """A directive, chosen with the type-ahead's search (the page holds the one chosen only:
    a province issues hundreds a year)."""

    field_class = SearchedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("url", reverse_lazy("workflow:directive_choices"))
        kwargs.setdefault("texts", DIRECTIVE_CHOOSER_TEXTS)
        super().__init__(*args, **kwargs)


DIRECTIVE_CHOOSER_TEXTS = {
    "placeholder": _("Type its number or words of its title"),
    "empty": _("No directive matches."),
    "found": _("{n} directives found"),
    "remove": _("Remove"),
}


def directive_choices(request):
    """The directives a filter offers: those the user may see, read with the columns their
    label needs only (not their full text)."""
    return Directive.objects.restrict(request.user, "view").only("pk", "kind", "number", "title")


def items_of_the_chosen_directive(request):
    """The item filter offers the items of the directive chosen (or the item already chosen),
    not every item of every directive: a select of thousands is unusable, and slow to draw."""
    items = DirectiveItem.objects.restrict(request.user, "view").order_by("directive_id", "pk")
    params = request.GET if request is not None else {}
    directive, item = str(params.get("directive", "")), str(params.get("item", ""))
    if directive.isdigit():
        return items.filter(directive_id=int(directive))
    if item.isdigit():
        return items.filter(pk=int(item))
    return items.none()


class AssignmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_(
            "Words of the title, the item, the expected output or an agency's name, "
            "with or without diacritics."
        ),
    )
    directive = DirectiveFilter(
        label=_("Directive"),
        field_name="item__directive",
        queryset=directive_choices,
        empty_label=_("All"),
    )
    item = django_filters.ModelChoiceFilter(
        label=_("Item"),
        empty_label=_("All"),
        queryset=items_of_the_chosen_directive,
        help_text=_("Choose a directive first."),
        widget=FastSelect,
    )
    agency = AgencyEverFilter(label=_("Agency"), empty_label=_("All"), searched=True)
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=AssignmentState.choices, empty_label=_("All"), widget=FastSelect
    )
    timeliness = django_filters.ChoiceFilter(
        label=_("Timeliness"),
        choices=TimelinessChoices.choices,
        empty_label=_("All"),
        method="by_timeliness",
        widget=FastSelect,
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=AssignmentRole.choices, empty_label=_("All"), widget=FastSelect
    )
    modality = django_filters.ChoiceFilter(
        label=_("Modality"), choices=Modality.choices, empty_label=_("All"), widget=FastSelect
    )
    due_after = django_filters.DateFilter(
        label=_("Due from"), field_name="due_date", lookup_expr="gte"
    )
    due_before = django_filters.DateFilter(
        label=_("Due until"), field_name="due_date", lookup_expr="lte"
    )

    class Meta:
        model = Assignment
        form = AgencyDayForm
        fields = [
            "q",
            "directive",
            "item",
            "agency",
            "state",
            "timeliness",
            "role",
            "modality",
            "due_after",
            "due_before",
        ]

    def search(self, queryset, name, value):
        return assignments_matching(queryset, text=value)

    def by_timeliness(self, queryset, name, value):
        # On the columns, not on the annotated CASE (see ``timeliness_is``).
        return queryset.filter(timeliness_is(value, local_date())) if value else queryset


class ExtensionRequestFilter(django_filters.FilterSet):
    """The extension requests' filters, shared by their page and the API (the status groups
    and "waiting for me" are the selector's rules)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("pending", _("Pending")), ("decided", _("Decided"))],
        empty_label=_("All"),
        method="by_group",
    )
    agency = AgencyOfTodayFilter(
        label=_("Agency"), field_name="assignment__agency", empty_label=_("All"), searched=True
    )
    directive = DirectiveFilter(
        label=_("Directive"),
        field_name="assignment__item__directive",
        queryset=directive_choices,
        empty_label=_("All"),
    )
    mine = django_filters.BooleanFilter(
        label=_("Waiting for me"), method="by_awaiting", widget=forms.CheckboxInput
    )

    class Meta:
        form = AgencyDayForm

    def totals(self) -> dict[str, int]:
        """How many requests each status group holds under the other filters (one query)."""
        queryset = self.queryset
        for name, value in self.form.cleaned_data.items():
            if name != "status":
                queryset = self.filters[name].filter(queryset, value)
        return group_totals(queryset)

    def by_group(self, queryset, name, value):
        return in_group(queryset, value) if value in EXTENSION_GROUPS else queryset

    def by_awaiting(self, queryset, name, value):
        return awaiting(queryset, user=self.request.user) if value else queryset
