"""Sign-in protection (django-axes): who is counted, and what a locked-out person sees.

The settings are in ``config/settings/base.py`` (``AXES_*``): five wrong passwords for one user
name from one address within the cool-off time lock that pair out for the cool-off time (15
minutes by default), on the site's sign-in page and the admin's alike. Administrators unlock
through the admin (Axes › Access attempts: delete the row) or ``manage.py axes_reset_username``;
see deploy/README.md.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The address a sign-in attempt is counted against.

    ``REMOTE_ADDR`` unless ``CLIENT_IP_HEADER`` names the header that the site's own reverse
    proxy sets (e.g. ``HTTP_X_REAL_IP`` for nginx's ``proxy_set_header X-Real-IP $remote_addr``).
    For a list (``X-Forwarded-For``) the last entry is taken: it is the one the nearest proxy
    added; the entries before it come from the client and may be forged. Never name a header
    that no proxy of yours overwrites: a client could then change its address at every attempt.
    """
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        value = request.META.get(header, "")
        last = value.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")


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
