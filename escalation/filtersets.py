"""The escalation list's filters, shared by the page and the API."""

from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.forms import AgencyDayForm
from core.widgets import FastSelect
from workflow.filtersets import AgencyEverFilter, DirectiveFilter, directive_choices

from .models import Escalation
from .selectors import level_list


class EscalationFilterSet(django_filters.FilterSet):
    level = django_filters.ModelChoiceFilter(
        label=_("Level"),
        queryset=lambda request: level_list(),
        empty_label=_("All"),
        widget=FastSelect,
    )
    # By name, grouped by kind, with the type-ahead (the value is still the code).
    agency = AgencyEverFilter(
        label=_("Agency"), field_name="assignment__agency", empty_label=_("All"), searched=True
    )
    directive = DirectiveFilter(
        label=_("Directive"),
        field_name="assignment__item__directive",
        queryset=directive_choices,
        empty_label=_("All"),
    )
    older_than = django_filters.NumberFilter(
        label=_("Raised at least N days ago"), method="by_age", min_value=0
    )
    open = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("true", _("Awaiting a decision")), ("false", _("Decided or closed"))],
        empty_label=_("All"),
        method="by_status",
        widget=FastSelect,
    )

    class Meta:
        model = Escalation
        form = AgencyDayForm
        fields = ["level", "agency", "directive", "older_than", "open"]

    def by_status(self, queryset, name, value):
        return queryset.filter(resolved_at__isnull=value == "true")

    def by_age(self, queryset, name, value):
        return queryset.filter(raised_at__lte=timezone.now() - timedelta(days=int(value)))
