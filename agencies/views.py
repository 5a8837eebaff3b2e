from datetime import date

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core import profile
from core.views import ScopedDetailView, ScopedListView, SignedInTemplateView

from .choices import AgencyKind
from .filtersets import AgencyFilterSet
from .models import Agency
from .selectors import CHOICES_SHOWN, agency_choices, agency_history_list, membership_list


class ProfileView(SignedInTemplateView):
    template_name = "agencies/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["memberships"] = membership_list(user=user, of_user=user)
        context["today"] = timezone.localdate()
        context["sections"] = profile.sections(self.request)
        return context


class AgencyListView(ScopedListView):
    queryset = Agency.objects.all()
    filterset_class = AgencyFilterSet
    template_name = "agencies/agency_list.html"
    context_object_name = "agencies"
    # A province's agencies (hundreds): the name is a cheap sort. Never by code (not shown).
    sorts = {
        "kind": (_lazy("By kind, then name"), ()),
        "name": (_lazy("Name, A to Z"), ("name", "pk")),
    }


class AgencyDetailView(ScopedDetailView):
    queryset = Agency.objects.all()
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "agencies/agency_detail.html"
    context_object_name = "agency"

    def get_base_queryset(self):
        return agency_history_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = membership_list(user=self.request.user, agency=self.object)
        context["today"] = timezone.localdate()
        return context


class AgencyChoicesView(SignedInTemplateView):
    """What an agency type-ahead chooser offers for the letters typed (``?q=``; ``ever=1``
    for agencies of any time): JSON ``{"results": [{"value", "label", "group"}], "more"}``,
    the value being the agency's code, the label its name, the group its kind."""

    def get(self, request, *args, **kwargs):
        try:
            on = date.fromisoformat(request.GET.get("on", ""))
        except ValueError:
            on = None
        rows = agency_choices(
            user=request.user,
            text=request.GET.get("q", ""),
            ever=request.GET.get("ever") == "1",
            on=on,
        )
        gone = _("No longer in existence")
        results = [
            {
                "value": a.code,
                "label": a.name_then or a.code,
                # As the chooser written whole: those gone since in a group of their own.
                "group": str(
                    gone
                    if getattr(a, "exists_today", True) is None
                    else (AgencyKind(a.kind_then).label if a.kind_then else "")
                ),
            }
            for a in rows[:CHOICES_SHOWN]
        ]
        return JsonResponse({"results": results, "more": len(rows) > CHOICES_SHOWN})
