from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.views import ScopedActionView, ScopedListView, ServiceFormView, SignedInActionView

from .forms import NoticePreferencesForm
from .models import Notice
from .selectors import notice_list, notice_preferences
from .services import notice_mark_read, notice_preferences_set, notices_mark_all_read


class NoticeListView(ScopedListView):
    template_name = "notifications/notice_list.html"
    context_object_name = "notices"
    # One person's notices (``notice_unread`` finds them): either way is a small sort.
    sorts = {
        "newest": (_lazy("Newest first"), ()),
        "oldest": (_lazy("Oldest first"), ("created_at", "pk")),
    }

    def select(self):
        return notice_list(user=self.request.user)


class NoticeReadView(ScopedActionView):
    queryset = Notice.objects.all()
    action = "mark_read"

    def perform(self, notice):
        notice_mark_read(actor=self.request.user, notice=notice)
        return redirect(notice.url or "notifications:list")


class NoticeReadAllView(SignedInActionView):
    def post(self, request):
        count = notices_mark_all_read(actor=request.user)
        messages.success(request, _("{n} notices marked as read.").format(n=count))
        return redirect("notifications:list")


class NoticePreferencesView(ServiceFormView):
    """How each kind of notice reaches me: mail at once, the daily digest, or the app only.
    Shown on the profile page; this view saves it (and shows it alone on a form error)."""

    template_name = "notifications/preferences.html"
    form_class = NoticePreferencesForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = {"form": context["form"], "digest_hour": settings.DIGEST_HOUR}
        return context

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "held": notice_preferences(user=self.request.user)}

    def perform(self, form):
        notice_preferences_set(actor=self.request.user, choices=form.choices())
        messages.success(self.request, _("Your notice settings are saved."))

    def get_success_url(self):
        return reverse("profile") + "#notices"


def preferences_section(request) -> dict:
    """The profile page's section (``core.profile``)."""
    return {
        "form": NoticePreferencesForm(held=notice_preferences(user=request.user)),
        "digest_hour": settings.DIGEST_HOUR,
    }
