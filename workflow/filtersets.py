"""One filterset per list, shared by the HTML pages and the API.

Searches are folded (case, diacritics, đ, punctuation: ``core.text.fold``) on both sides: the
query here, the text in ``search_text`` columns the services keep. So "cai cach" finds "Cải
cách" and "CẢI CÁCH" on SQLite and PostgreSQL alike, with a plain ``LIKE '%…%'``.

An assignment is found by its own folded title and expected output, by its item's folded text
(kept once on the item, not copied into every agency's assignment) or by the names of its
agencies. The items and agencies that match are looked up first, in small tables, and the
assignments are then filtered by their ids: on PostgreSQL each branch of the OR is then served by
an index (pg_trgm GIN on the folded column, B-tree on the ids), which a subquery inside an OR
would not be. SQLite has no trigram index: there the search reads the short folded column of
every visible row — milliseconds for an embedded install's tens of thousands of assignments, a few
tenths of a second at 200,000; an office at the scale of a million runs PostgreSQL.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from agencies.forms import AgencyChoiceField, AgencyDayForm, AgencyEverChoiceField
from agencies.selectors import agency_ids_named
from core.filtersets import visible
from core.text import fold

from .choices import AssignmentRole, AssignmentState, DirectiveKind, DirectiveStatus, Modality
from .choices import Timeliness as TimelinessChoices
from .models import Assignment, Directive, DirectiveItem
from .selectors.extensions import EXTENSION_GROUPS, awaiting, group_totals, in_group

# Past this many matching items (a word found in nearly every item) they are matched by a
# subquery instead of a list of ids, which keeps the query short; such a search reads most
# rows anyway.
ITEM_IDS_MAX = 5000


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
    directive = django_filters.ModelChoiceFilter(
        label=_("Directive"),
        field_name="item__directive",
        queryset=visible(Directive),
        empty_label=_("All"),
    )
    item = django_filters.ModelChoiceFilter(
        label=_("Item"),
        empty_label=_("All"),
        queryset=items_of_the_chosen_directive,
        help_text=_("Choose a directive first."),
    )
    agency = AgencyEverFilter(label=_("Agency"), empty_label=_("All"))
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=AssignmentState.choices, empty_label=_("All")
    )
    timeliness = django_filters.ChoiceFilter(
        label=_("Timeliness"), choices=TimelinessChoices.choices, empty_label=_("All")
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=AssignmentRole.choices, empty_label=_("All")
    )
    modality = django_filters.ChoiceFilter(
        label=_("Modality"), choices=Modality.choices, empty_label=_("All")
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
        """The folded words in the title, the expected output or the item's text, or in a name
        (any version's, or an alias) of the agency responsible or as written. Two queries
        before the list's own, whatever the number of rows."""
        key = fold(value)
        if not key:
            return queryset
        found = Q(search_text__contains=key)
        items = DirectiveItem.objects.filter(search_text__contains=key).values_list("pk", flat=True)
        item_ids = list(items.order_by()[: ITEM_IDS_MAX + 1])
        if len(item_ids) > ITEM_IDS_MAX:
            found |= Q(item_id__in=items)
        elif item_ids:
            found |= Q(item_id__in=item_ids)
        agencies = agency_ids_named(text=key)
        if agencies:
            found |= Q(agency_id__in=agencies) | Q(agency_as_written_id__in=agencies)
        return queryset.filter(found)


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
        label=_("Agency"), field_name="assignment__agency", empty_label=_("All")
    )
    directive = django_filters.ModelChoiceFilter(
        label=_("Directive"),
        field_name="assignment__item__directive",
        queryset=visible(Directive),
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
