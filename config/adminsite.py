"""The admin site, signed in through the site's own two-step sign-in (``config.signin``).

Django's admin logs a person in with the password alone; here its login page runs
``SignInView`` (with the admin's form and template), so an administrator who enrolled an
authenticator gives its code too, and the lockout counts the same. The admin also refuses a
session that holds an authenticator's owner but was not verified with a code.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        from core import twofactor  # models: not while the apps load (this module is an app's)

        if not super().has_permission(request):
            return False
        user = request.user
        verified = getattr(user, "is_verified", None)
        return bool(verified and verified()) or twofactor.confirmed_device(user) is None

    def login(self, request, extra_context=None):
        """``AdminSite.login`` with the site's two-step sign-in view."""
        from django.contrib.admin.forms import AdminAuthenticationForm

        from .signin import SignInView

        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return SignInView.as_view(
            extra_context=context,
            authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html",
        )(request)


class AdminConfig(DjangoAdminConfig):
    """``django.contrib.admin`` with ``AdminSite`` above as ``admin.site``."""

    default_site = "config.adminsite.AdminSite"
