"""Sign-in: the password, then (for those who enrolled an authenticator) its code; and its
protection (django-axes): who is counted, and what a locked-out person sees.

The settings are in ``config/settings/base.py`` (``AXES_*``): five wrong passwords for one user
name from one address within the cool-off time lock that pair out for the cool-off time (15
minutes by default), on the site's sign-in page and the admin's alike. Administrators unlock
through the admin (Axes › Access attempts: delete the row) or ``manage.py axes_reset_username``;
see deploy/README.md.
"""

from __future__ import annotations

import time
from typing import Any

import django_otp
from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from core import middleware, twofactor
from core.exceptions import InvalidInput


def client_ip(request: HttpRequest) -> str | None:
    """The address a sign-in attempt is counted against: the same rule as the audit record's
    (``core.middleware.client_ip``: ``REMOTE_ADDR``, or the last entry of the header
    ``CLIENT_IP_HEADER`` names when the site's own reverse proxy sets it)."""
    return middleware.client_ip(request)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The page shown instead of the sign-in form while a user name is locked out from this
    address: 429 Too Many Requests, in Vietnamese, with the time to wait and who can unlock."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


class TestClientAxesBackend(AxesStandaloneBackend):
    """For ``config/settings/test.py`` only: Django's test client ``login()`` authenticates
    without a request, which axes refuses with a ValueError (it has no address to count).
    Such a call is let through unguarded here; every other sign-in, as in production, is
    guarded by axes. Production uses ``axes.backends.AxesStandaloneBackend`` itself, which
    fails closed."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is not None:
            super().authenticate(request, username=username, password=password, **kwargs)


# Two-factor sign-in (core/twofactor.py): after the right password, a person with a confirmed
# authenticator is not signed in yet; the session remembers who (for SIGNIN_CODE_MINUTES) and
# the code step (SignInCodeView) signs them in, verified (django_otp.login), on the right code.
PENDING = "signin_pending"


class SignInView(LoginView):
    """The site's sign-in (and, through ``config.adminsite``, the admin's): the password, then
    the authenticator's code for those who enrolled one."""

    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The sign-in lockout, said before it happens.
        context.setdefault("signin_failure_limit", settings.AXES_FAILURE_LIMIT)
        context.setdefault(
            "signin_lockout_minutes", int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        )
        return context

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.confirmed_device(user) is None:
            return super().form_valid(form)  # signed in as before
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", None),
            "next": self.get_success_url(),
            "at": int(time.time()),
        }
        return redirect("login-code")


def _pending(request: HttpRequest):
    """The person whose password was right and whose code is awaited, or None."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > settings.SIGNIN_CODE_MINUTES * 60:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model()._default_manager.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return None
    return user, pending


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class SignInCodeView(View):
    """The second step of signing in: the 6-digit code of the person's authenticator. A wrong
    code counts for the lockout like a wrong password (django-axes: five per user name and
    address lock the pair out); django-otp's throttle also makes each further code wait."""

    template_name = "registration/login_code.html"

    def dispatch(self, request, *args, **kwargs):
        found = _pending(request)
        if found is None:
            messages.info(request, _("Sign in with your user name and password first."))
            return redirect("login")
        self.user, self.pending = found
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(error=None)

    def post(self, request):
        credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(PENDING, None)
            return locked_out(request, credentials=credentials)
        device = twofactor.confirmed_device(self.user)
        if device is None:  # removed meanwhile: sign in again
            request.session.pop(PENDING, None)
            return redirect("login")
        wait = twofactor.wait_seconds(device)
        if wait is not None:
            return self.render(error=twofactor.wrong_code_message(wait))
        if not twofactor.code_check(device, request.POST.get("code", "")):
            # As a wrong password: axes counts it, and marks the request locked out at the
            # limit (its middleware then answers with the lockout page).
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                request.session.pop(PENDING, None)
            return self.render(error=twofactor.wrong_code_message(None))
        request.session.pop(PENDING, None)
        auth.login(request, self.user, backend=self.pending.get("backend"))
        django_otp.login(request, device)
        return redirect(self.pending.get("next") or settings.LOGIN_REDIRECT_URL)

    def render(self, *, error):
        return render(
            self.request,
            self.template_name,
            {"error": error, "signin_failure_limit": settings.AXES_FAILURE_LIMIT},
        )


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("code"), name="post")
class TwoFactorView(LoginRequiredMixin, View):
    """The person's own two-factor sign-in: GET shows its state (while enrolling: the QR code
    and the secret, never cached); POST ``action`` = start, confirm (with ``code``), cancel or
    remove (with ``code``). Reached from the profile page."""

    template_name = "registration/two_factor.html"

    def get(self, request):
        return self.render()

    def post(self, request):
        action = request.POST.get("action")
        code = request.POST.get("code", "")
        user = request.user
        try:
            if action == "start":
                twofactor.enrolment_start(actor=user)
                return redirect("two-factor")
            if action == "confirm":
                device = twofactor.enrolment_confirm(actor=user, code=code)
                django_otp.login(request, device)  # this session is verified from now on
                messages.success(request, _("Two-factor sign-in is now on."))
                return redirect("profile")
            if action == "cancel":
                twofactor.enrolment_cancel(actor=user)
                return redirect("profile")
            if action == "remove":
                twofactor.device_remove(actor=user, code=code)
                request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
                messages.success(request, _("Two-factor sign-in is now off."))
                return redirect("profile")
        except InvalidInput as error:
            return self.render(error=error.message, status=400)
        return self.render(error=_("Choose an action."), status=400)

    def render(self, *, error=None, status=200):
        user = self.request.user
        device = twofactor.confirmed_device(user)
        pending = None if device else twofactor.pending_device(user)
        context = {"device": device, "pending": pending, "error": error}
        if pending is not None:
            context["qr"] = twofactor.qr_svg(pending)
            context["secret"] = twofactor.secret_text(pending)
        return render(self.request, self.template_name, context, status=status)


class TwoFactorRequiredMiddleware:
    """Where the province requires it (``OTP_REQUIRED_ROLES``, e.g. ``leader,reviewer``): a
    person holding one of those roles today uses the app only in a session verified with an
    authenticator's code. Without an authenticator they are sent to enrol (the API answers
    403 ``otp_required``); with one, in a session not verified (opened before it was
    enrolled), they are signed out to sign in again with the code. Not installed at all while
    the setting is empty (the default): two-factor sign-in is then optional for everyone."""

    def __init__(self, get_response):
        if not getattr(settings, "OTP_REQUIRED_ROLES", None):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not self._exempt(request.path_info)
            and self._required_for(user)
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        from django.urls import reverse

        names = ("login", "login-code", "logout", "two-factor", "set_language")
        return path.startswith("/" + settings.STATIC_URL.lstrip("/")) or path in {
            reverse(name) for name in names
        }

    @staticmethod
    def _required_for(user) -> bool:
        from django.utils import timezone

        from agencies.models import Membership

        return (
            Membership.objects.active_on(timezone.localdate())
            .filter(user=user, role__in=settings.OTP_REQUIRED_ROLES)
            .exists()
        )

    def _refuse(self, request):
        if twofactor.confirmed_device(request.user) is not None:
            auth.logout(request)
            return redirect_to_login(request.get_full_path())
        message = _("Your role requires two-factor sign-in: turn it on before using the app.")
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"code": "otp_required", "message": message, "errors": {}}, status=403
            )
        messages.warning(request, message)
        return redirect("two-factor")
