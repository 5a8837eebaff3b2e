"""Scoped base viewset and the one exception handler of the API."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import access
from .exceptions import DomainError


class ScopedViewSet(viewsets.GenericViewSet):
    """Restricts ``queryset`` to what the user may do before any handler runs.

    ``action_permissions`` maps a viewset action (``list``, ``retrieve``, or an ``@action``) to
    the access action; reads default to ``view``.
    """

    action_permissions: dict[str, str] = {}

    def get_access_action(self) -> str:
        return self.action_permissions.get(self.action, access.VIEW)

    def get_queryset(self):
        return access.restrict(super().get_queryset(), self.request.user, access.VIEW)

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        access.require(request.user, self.get_access_action(), obj)


def _body(code: str, message, errors=None, status=400) -> Response:
    data = {"code": code, "message": str(message)}
    if errors:
        data["errors"] = errors
    return Response(data, status=status)


def exception_handler(exc, context):
    """Every API error has the shape {"code", "message"} (plus "errors" for field problems)."""
    if isinstance(exc, DomainError):
        return _body(exc.code, exc.message, exc.details or None, exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return _body("invalid", _("The input is not valid."), response.data, response.status_code)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        message = _("Sign in first.")
    elif isinstance(exc, exceptions.PermissionDenied):
        message = _("You are not allowed to do this.")
    elif isinstance(exc, exceptions.NotFound):
        message = _("Not found.")
    else:
        message = exc.detail if isinstance(exc.detail, str) else str(exc)
    response.data = {"code": getattr(exc, "default_code", "error"), "message": str(message)}
    return response
