from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from core.views import DomainErrorMixin, ScopedListView

from .models import Notice
from .selectors import notice_list
from .services import notice_mark_read, notices_mark_all_read


class NoticeListView(ScopedListView):
    template_name = "notifications/notice_list.html"
    context_object_name = "notices"

    def select(self):
        return notice_list(user=self.request.user)


class NoticeReadView(LoginRequiredMixin, DomainErrorMixin, View):
    def post(self, request, pk):
        notice = get_object_or_404(Notice.objects.restrict(request.user, "view"), pk=pk)
        notice_mark_read(actor=request.user, notice=notice)
        return redirect(notice.url or "notifications:list")


class NoticeReadAllView(LoginRequiredMixin, DomainErrorMixin, View):
    def post(self, request):
        count = notices_mark_all_read(actor=request.user)
        messages.success(request, _("{n} notices marked as read.").format(n=count))
        return redirect("notifications:list")
