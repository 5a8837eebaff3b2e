from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies import views as agency_views
from config import signin
from dashboards.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # The password, then the authenticator's code for those who enrolled one (config/signin.py).
    path("accounts/login/", signin.SignInView.as_view(), name="login"),
    path("accounts/login/code/", signin.SignInCodeView.as_view(), name="login-code"),
    path("accounts/two-factor/", signin.TwoFactorView.as_view(), name="two-factor"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", agency_views.ProfileView.as_view(), name="profile"),
    path("agencies/", include("agencies.urls")),
    path("directives/import/", include("importer.urls")),
    path("", include("workflow.urls")),
    path("escalations/", include("escalation.urls")),
    path("inspections/", include("inspection.urls")),
    path("", include("dashboards.urls")),
    path("notifications/", include("notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Under ADMIN_URL (config/settings/base.py), never the well-known admin/.
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    # For signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]): the schema answers
    # a signed-out client with the API's JSON refusal, the docs page sends it to sign in. The
    # docs load their script from a URL of their own, not inline (the Content-Security-Policy).
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
]

# A path that matches nothing, or a failure, answered in the API's shape under /api/.
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
