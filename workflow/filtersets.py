"""One filterset per list, shared by the HTML pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.filtersets import visible

from .choices import AssignmentRole, AssignmentState, DirectiveKind, DirectiveStatus, Modality
from .choices import Timeliness as TimelinessChoices
from .models import Assignment, Directive, DirectiveItem


class DirectiveFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or title"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DirectiveKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DirectiveStatus.choices)

    class Meta:
        model = Directive
        fields = ["q", "kind", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))


class AssignmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title"), field_name="title", lookup_expr="icontains")
    directive = django_filters.ModelChoiceFilter(
        label=_("Directive"), field_name="item__directive", queryset=visible(Directive)
    )
    item = django_filters.ModelChoiceFilter(label=_("Item"), queryset=visible(DirectiveItem))
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"), queryset=visible(Agency), to_field_name="code"
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=AssignmentState.choices)
    timeliness = django_filters.ChoiceFilter(
        label=_("Timeliness"), choices=TimelinessChoices.choices
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=AssignmentRole.choices)
    modality = django_filters.ChoiceFilter(label=_("Modality"), choices=Modality.choices)
    due_after = django_filters.DateFilter(
        label=_("Due from"), field_name="due_date", lookup_expr="gte"
    )
    due_before = django_filters.DateFilter(
        label=_("Due until"), field_name="due_date", lookup_expr="lte"
    )

    class Meta:
        model = Assignment
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
