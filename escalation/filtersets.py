"""The escalation list's filters, shared by the page and the API."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from agencies.forms import AgencyDayForm
from core.widgets import FastSelect
from workflow.filtersets import AgencyEverFilter, DirectiveFilter, directive_choices

from .models import Escalation
from .selectors import level_list

# The oldest age the list filters by: ten years, further back than the office follows work up.
# Unbounded, a number of days could reach back before the first date (100 000 000 days is no
# date at all: the page and the API failed on it).
MAX_AGE_DAYS = 3650


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_AGE_DAYS})
class DaysFilter(django_filters.NumberFilter):
    """A whole number of days, up to ``MAX_AGE_DAYS``."""

    field_class = forms.IntegerField


class EscalationFilterSet(django_filters.FilterSet):
    level = django_filters.ModelChoiceFilter(
        label=_("Level"),
        queryset=lambda request: level_list(),
        empty_label=_("All"),
        widget=FastSelect,
    )
    # By name, grouped by kind, with the type-ahead (the value is still the code): the agency
    # the escalation was raised against, as the overview counts them.
    agency = AgencyEverFilter(
        label=_("Agency"), field_name="agency", empty_label=_("All"), searched=True
    )
    directive = DirectiveFilter(
        label=_("Directive"),
        field_name="assignment__item__directive",
        queryset=directive_choices,
        empty_label=_("All"),
    )
    older_than = DaysFilter(
        label=_("Raised at least N days ago"),
        method="by_age",
        min_value=0,
        max_value=MAX_AGE_DAYS,
        error_messages={
            "max_value": _("Enter at most %(limit_value)s days."),
            "min_value": _("Enter a number of days from 0."),
            "invalid": _("Enter a whole number of days."),
        },
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
