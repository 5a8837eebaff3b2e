"""Rate limits on the expensive operations (issue 11): reading a directive's text into a
breakdown, confirming one, moving a reorganised agency's work. One rule for the page and the
API: the same counter per person and operation, in the cache (``CACHES``: per process with the
default memory cache; a shared cache such as Redis counts across processes).

The rates are ``EXPENSIVE_RATES`` in the settings (``{"import": "30/hour", …}``, DRF's rate
syntax); an operation without a rate is not limited."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.throttling import ScopedRateThrottle

from .exceptions import DomainError


class Throttled(DomainError):
    status = 429
    default_code = "throttled"


class ExpensiveThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, with the rates read from the settings at each request (the
    class's own copy is frozen when DRF is imported), by person, never by address alone:
    these operations need a signed-in person."""

    def get_rate(self):
        return getattr(settings, "EXPENSIVE_RATES", {}).get(self.scope)

    def allow_request(self, request, view):
        self.scope = getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)


class _Scope:
    def __init__(self, scope: str):
        self.throttle_scope = scope


def throttle_check(request, scope: str) -> None:
    """For a page: count this request against ``scope``; past the rate, Throttled (429) with
    how long to wait."""
    throttle = ExpensiveThrottle()
    if not throttle.allow_request(request, _Scope(scope)):
        raise Throttled(too_many(throttle.wait()))


def too_many(wait: float | None) -> str:
    minutes = max(1, round((wait or 60) / 60))
    return _("Too many requests of this kind: try again in {n} minutes.").format(n=minutes)
