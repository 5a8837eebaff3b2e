from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agencies import views as agency_views
from dashboards.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", agency_views.ProfileView.as_view(), name="profile"),
    path("agencies/", include("agencies.urls")),
    path("directives/import/", include("importer.urls")),
    path("", include("workflow.urls")),
    path("escalations/", include("escalation.urls")),
    path("", include("dashboards.urls")),
    path("notifications/", include("notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
