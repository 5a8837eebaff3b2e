from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="overview"),
]
