from django.urls import path

from . import views

app_name = "escalation"

urlpatterns = [
    path("", views.EscalationListView.as_view(), name="list"),
    path("<int:pk>/decide/", views.EscalationDecideView.as_view(), name="decide"),
]
