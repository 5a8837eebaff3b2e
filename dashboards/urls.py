from django.urls import path
from django.views.decorators.http import require_safe

from . import feeds, views

app_name = "dashboards"

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("overview/heat-map/", views.HeatMapView.as_view(), name="heat_map"),
    # A head's agency dashboard, at the path it had in workflow (the landing of heads).
    path("dashboard/", views.AgencyDashboardView.as_view(), name="agency"),
    # The public page (công khai), without signing in, and its open data.
    path("cong-khai/", views.PublicView.as_view(), name="public"),
    path(
        "cong-khai/<int:pk>/co-quan/",
        views.PublicAgenciesView.as_view(),
        name="public_agencies",
    ),
    path("cong-khai/atom/", require_safe(feeds.PublicDirectivesFeed()), name="public_feed"),
    path("cong-khai/so-lieu.csv", views.PublicCsvView.as_view(), name="public_csv"),
    path("cong-khai/so-lieu.json", views.PublicJsonView.as_view(), name="public_json"),
    path(
        "cong-khai/chi-tieu.csv",
        views.PublicIndicatorsCsvView.as_view(),
        name="public_indicators_csv",
    ),
]
