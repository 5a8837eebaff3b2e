from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NoticeListView.as_view(), name="list"),
    path("<int:pk>/read/", login_required(views.NoticeReadView.as_view()), name="read"),
    path("read-all/", login_required(views.NoticeReadAllView.as_view()), name="read_all"),
]
