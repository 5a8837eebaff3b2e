from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("agencies.api.urls")),
    path("", include("workflow.api.urls")),
    path("", include("escalation.api.urls")),
    path("", include("inspection.api.urls")),
    path("", include("importer.api.urls")),
    path("", include("notifications.api.urls")),
]
