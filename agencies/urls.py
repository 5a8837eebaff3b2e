from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("", views.AgencyListView.as_view(), name="list"),
    path("choices/", views.AgencyChoicesView.as_view(), name="choices"),
    path("<str:code>/", views.AgencyDetailView.as_view(), name="detail"),
]
