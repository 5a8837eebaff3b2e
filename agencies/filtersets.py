"""One filterset for the HTML agency list and the API list; the rules live in the selector."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AgencyKind
from .models import Agency
from .selectors import agency_list


class AgencyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or alias"), method="noop")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AgencyKind.choices, method="noop")
    parent = django_filters.ModelChoiceFilter(
        label=_("Parent"),
        queryset=lambda request: Agency.objects.restrict(request.user, "view"),
        to_field_name="code",
        method="by_code",
    )
    valid_on = django_filters.DateFilter(label=_("Valid on"), method="noop")

    class Meta:
        model = Agency
        fields = ["q", "kind", "parent", "valid_on"]

    def noop(self, queryset, name, value):
        return queryset

    def by_code(self, queryset, name, value: str):
        return queryset

    def filter_queryset(self, queryset):
        # Kind, parent and date must apply to the same version row, so one selector call
        # applies them together instead of one join per filter.
        data = self.form.cleaned_data
        user = getattr(self.request, "user", None)
        return agency_list(
            user=user,
            on=data.get("valid_on") or timezone.localdate(),
            kind=data.get("kind") or None,
            parent=data.get("parent"),
            q=data.get("q") or None,
        )
