"""The API's OpenAPI schema (drf-spectacular): every operation declares the errors that the one
exception handler (``core.api.exception_handler``) answers with, in its one shape."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import Direction, OpenApiResponse
from rest_framework import serializers

from .throttle import ExpensiveThrottle

WRITES = ("POST", "PUT", "PATCH", "DELETE")


class ErrorSerializer(serializers.Serializer):
    """What every refused or failed request answers: {"code", "message", "errors"}."""

    code = serializers.CharField(
        help_text="Stable, for programs: invalid, not_authenticated, permission_denied, "
        "not_found, conflict, or the rule's own code."
    )
    message = serializers.CharField(help_text="For people, in Vietnamese.")
    # A declared field leaves the class (DRF's metaclass collects it), so it does not hide
    # ``Serializer.errors`` at run time; the type checker sees only the assignment.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(),
        required=False,
        help_text="400 only: each field's problems, by field name.",
    )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="The input or a filter is not valid."),
    403: OpenApiResponse(
        ErrorSerializer, description="Not signed in, or not allowed to do this on this object."
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such object that you may see."),
    409: OpenApiResponse(
        ErrorSerializer, description="A rule refused it in the object's current state."
    ),
    415: OpenApiResponse(
        ErrorSerializer,
        description="The body is not JSON, a form or multipart (or says no Content-Type).",
    ),
    429: OpenApiResponse(
        ErrorSerializer,
        description="Too many of these expensive requests: wait as Retry-After says.",
    ),
}
# A list's 404: the page asked for is past the last one (DRF's page numbers).
NO_SUCH_PAGE = OpenApiResponse(ErrorSerializer, description="No such page of the list.")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with the error responses of each operation: 403 everywhere
    (the API signs in by session, so "not signed in" is 403 too), 404 where the path names an
    object or on a list (a page past the last), 400 where a body or a filter is read, 409 on
    writes, 415 where a body is read (DRF's parsers refuse other media types)."""

    def _error_statuses(self) -> list[int]:
        statuses = [403]
        if "{" in self.path or self._is_list_view():
            statuses.append(404)
        if self.method in WRITES or self._is_list_view():
            statuses.append(400)
        if self.method in WRITES:
            statuses.append(409)
            if self.get_request_serializer() is not None:
                statuses.append(415)
        if self._throttled():
            statuses.append(429)
        return sorted(statuses)

    def _throttled(self) -> bool:
        """The operation counts against a rate (core/throttle.py)."""
        throttles = self.view.get_throttles() if hasattr(self.view, "get_throttles") else []
        return any(isinstance(t, ExpensiveThrottle) for t in throttles)

    def _get_response_bodies(self, direction: Direction = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            # An operation's own declaration of a status wins.
            error = ERRORS[status]
            if status == 404 and "{" not in self.path:
                error = NO_SUCH_PAGE
            responses.setdefault(str(status), self._get_response_for_code(error, str(status)))
        return responses
