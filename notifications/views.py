from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core.views import ScopedActionView, ScopedListView, SignedInActionView

from .models import Notice
from .selectors import notice_list
from .services import notice_mark_read, notices_mark_all_read


class NoticeListView(ScopedListView):
    template_name = "notifications/notice_list.html"
    context_object_name = "notices"

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
