"""Scoped base viewset and the one exception handler of the API."""

from collections.abc import Iterable
from functools import cache
from typing import Any, TypedDict, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import access
from .exceptions import DomainError, InvalidInput
from .pagination import KeysFirstPaginator
from .throttle import too_many


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


class KeysFirstPagination(pagination.PageNumberPagination):
    """The API's page numbers, with deep pages read keys first (``KeysFirstPaginator``)."""

    django_paginator_class = KeysFirstPaginator


def valid(form) -> dict:
    """The form's cleaned data, or InvalidInput carrying the field errors (400)."""
    if not form.is_valid():
        raise InvalidInput(_("The input is not valid."), details=form.errors.get_json_data())
    return form.cleaned_data


class _CommonKwargs(TypedDict):
    required: bool
    help_text: str | None


def _choices(field: forms.ChoiceField) -> list[Any]:
    # The getter returns the normalised choices (a list or a CallableChoiceIterator); the stubs
    # type it with the setter's wider input type.
    return list(cast(Iterable[Any], field.choices))


def _field(field: forms.Field) -> serializers.Field:
    """The serializer field that documents a form field (the form still validates)."""
    common: _CommonKwargs = {
        "required": field.required,
        "help_text": str(field.help_text or field.label or "") or None,
    }
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.CharField(**common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.MultipleChoiceField(choices=_choices(field), **common)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=_choices(field), **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, help_text=common["help_text"])
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits, decimal_places=field.decimal_places, **common
        )
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(**common)
    if isinstance(field, forms.JSONField):
        return serializers.JSONField(**common)
    if isinstance(field, forms.FileField):
        many = getattr(field.widget, "allow_multiple_selected", False)
        return (
            serializers.ListField(child=serializers.FileField(), **common)
            if many
            else serializers.FileField(**common)
        )
    return serializers.CharField(
        allow_blank=not field.required, max_length=getattr(field, "max_length", None), **common
    )


@cache
def form_serializer(form_class: type[forms.Form], name: str = "") -> type[serializers.Serializer]:
    """A serializer declaring ``form_class``'s fields, so the OpenAPI schema shows the request
    body that the form (shared with the HTML page) validates."""
    fields = {key: _field(field) for key, field in form_class.base_fields.items()}
    name = name or form_class.__name__.removesuffix("Form") + "Input"
    return type(name, (serializers.Serializer,), fields)


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
    elif isinstance(exc, exceptions.Throttled):
        message = too_many(getattr(exc, "wait", None))
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        message = _("Send the body as JSON or as a form: its Content-Type is missing or unknown.")
    elif isinstance(exc, exceptions.ParseError):
        message = _("The body of the request could not be read.")
    else:
        message = exc.detail if isinstance(exc.detail, str) else str(exc)
    response.data = {"code": getattr(exc, "default_code", "error"), "message": str(message)}
    return response
