from django.urls import path

from . import views

app_name = "workflow"

urlpatterns = [
    path("directives/", views.DirectiveListView.as_view(), name="directives"),
    path("directives/new/", views.DirectiveCreateView.as_view(), name="directive_create"),
    path("directives/choices/", views.DirectiveChoicesView.as_view(), name="directive_choices"),
    path("directives/<int:pk>/", views.DirectiveDetailView.as_view(), name="directive"),
    path("directives/<int:pk>/edit/", views.DirectiveUpdateView.as_view(), name="directive_edit"),
    path(
        "directives/<int:pk>/publish/",
        views.DirectivePublishView.as_view(),
        name="directive_publish",
    ),
    path("directives/<int:pk>/public/", views.PublicationView.as_view(), name="publication"),
    path(
        "directives/<int:pk>/public/withdraw/",
        views.PublicationWithdrawView.as_view(),
        name="publication_withdraw",
    ),
    path("directives/<int:pk>/items/new/", views.ItemFormView.as_view(), name="item_create"),
    path(
        "directives/<int:pk>/items/<int:item>/edit/", views.ItemFormView.as_view(), name="item_edit"
    ),
    path("items/<int:item>/assign/", views.AssignView.as_view(), name="assign"),
    path("items/<int:pk>/indicators/", views.ItemIndicatorsView.as_view(), name="item_indicators"),
    path(
        "items/<int:item>/indicators/new/",
        views.IndicatorFormView.as_view(),
        name="indicator_create",
    ),
    path("indicators/<int:pk>/edit/", views.IndicatorFormView.as_view(), name="indicator_edit"),
    path(
        "indicators/<int:pk>/report/",
        views.MeasurementReportView.as_view(),
        name="measurement_report",
    ),
    path(
        "measurements/<int:pk>/confirm/",
        views.MeasurementConfirmView.as_view(),
        name="measurement_confirm",
    ),
    path(
        "measurements/<int:pk>/correct/",
        views.MeasurementCorrectView.as_view(),
        name="measurement_correct",
    ),
    path(
        "measurement-evidence/<int:pk>/",
        views.MeasurementEvidenceView.as_view(),
        name="measurement_evidence",
    ),
    path("indices/", views.IndexResultListView.as_view(), name="index_results"),
    path("indices/new/", views.IndexResultFormView.as_view(), name="index_result_create"),
    path("indices/<int:pk>/edit/", views.IndexResultFormView.as_view(), name="index_result_edit"),
    path("indices/import/", views.IndexImportView.as_view(), name="index_import"),
    path("assignments/", views.AssignmentListView.as_view(), name="assignments"),
    path("assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment"),
    path("assignments/<int:pk>/steps/<str:step>/", views.StepView.as_view(), name="step"),
    path("extensions/", views.ExtensionListView.as_view(), name="extension_list"),
    # Explanation requests (yêu cầu giải trình).
    path("explanations/", views.ExplanationListView.as_view(), name="explanations"),
    path("explanations/<int:pk>/", views.ExplanationDetailView.as_view(), name="explanation"),
    path(
        "explanations/<int:pk>/answer/",
        views.ExplanationAnswerView.as_view(),
        name="explanation_answer",
    ),
    path(
        "explanations/<int:pk>/withdraw/",
        views.ExplanationWithdrawView.as_view(),
        name="explanation_withdraw",
    ),
    path(
        "assignments/<int:assignment>/explanation/",
        views.ExplanationRequestView.as_view(),
        name="explanation_request_assignment",
    ),
    path(
        "indicators/<int:indicator>/explanation/",
        views.ExplanationRequestView.as_view(),
        name="explanation_request_indicator",
    ),
    path(
        "extensions/<int:pk>/steps/<str:step>/",
        views.ExtensionStepView.as_view(),
        name="extension_step",
    ),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("transfers/", views.TransferListView.as_view(), name="transfers"),
    path("transfers/agencies/", views.ReorganisationView.as_view(), name="reorganisation"),
]
