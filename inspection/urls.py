from django.urls import path

from . import views

app_name = "inspection"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="home"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan"),
    path("plans/<int:pk>/schedule/", views.ScheduleView.as_view(), name="schedule"),
    path("<int:pk>/", views.InspectionDetailView.as_view(), name="inspection"),
    path("<int:pk>/conduct/", views.ConductView.as_view(), name="conduct"),
    path("<int:pk>/self-assessment/", views.SelfAssessView.as_view(), name="self_assess"),
    path("<int:pk>/findings/", views.FindingSaveView.as_view(), name="finding_save"),
    path("<int:pk>/minutes/", views.MinutesView.as_view(), name="minutes"),
    path("<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path("<int:pk>/conclude/", views.ConcludeView.as_view(), name="conclude"),
    path(
        "<int:pk>/recommendations/new/",
        views.RecommendationAddView.as_view(),
        name="recommendation_add",
    ),
    path(
        "recommendations/<int:pk>/remove/",
        views.RecommendationRemoveView.as_view(),
        name="recommendation_remove",
    ),
    path("recommendations/<int:pk>/verify/", views.VerifyView.as_view(), name="verify"),
    path("findings/<int:pk>/evidence/", views.EvidenceAddView.as_view(), name="evidence_add"),
    path("evidence/<int:pk>/", views.EvidenceView.as_view(), name="evidence"),
    path("agencies/<str:code>/", views.AgencyHistoryView.as_view(), name="agency_history"),
    path("checklists/", views.TemplateListView.as_view(), name="templates"),
    path("checklists/<int:pk>/", views.TemplateDetailView.as_view(), name="template"),
    path(
        "checklists/<int:pk>/criteria/new/",
        views.CriterionEditView.as_view(),
        name="criterion_add",
    ),
    path(
        "checklists/<int:pk>/criteria/<int:criterion>/",
        views.CriterionEditView.as_view(),
        name="criterion_edit",
    ),
    path(
        "checklists/<int:pk>/criteria/<int:criterion>/remove/",
        views.CriterionRemoveView.as_view(),
        name="criterion_remove",
    ),
]
