from django.utils import timezone

from core import profile
from core.views import ScopedDetailView, ScopedListView, SignedInTemplateView

from .filtersets import AgencyFilterSet
from .models import Agency
from .selectors import agency_history_list, membership_list


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
