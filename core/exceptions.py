"""The one family of errors that services raise and both surfaces (HTML and API) translate."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule refused the change. ``code`` is stable for clients; ``message`` is for people."""

    status = 409
    default_code = "conflict"
    default_message = _("This action conflicts with the current state.")

    def __init__(self, message=None, *, code=None, details=None):
        self.code = code or self.default_code
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    status = 400
    default_code = "invalid"
    default_message = _("The input is not valid.")


class Forbidden(DomainError):
    status = 403
    default_code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError):
    status = 404
    default_code = "not_found"
    default_message = _("Not found.")
