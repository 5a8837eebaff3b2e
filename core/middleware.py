import ipaddress

from django.conf import settings

from . import access
from .audit import origin_of_request
from .choices import AuditChannel


def client_ip(request) -> str | None:
    """The requester's address, as the sign-in lockout (``config.signin.client_ip``, axes) and
    the audit record (``AuditOriginMiddleware``) both count it.

    ``REMOTE_ADDR`` unless ``CLIENT_IP_HEADER`` names the header that the site's own reverse
    proxy sets (e.g. ``HTTP_X_REAL_IP`` for nginx's ``proxy_set_header X-Real-IP $remote_addr``).
    For a list (``X-Forwarded-For``) the last entry is taken: it is the one the nearest proxy
    added; the entries before it come from the client and may be forged. A value that is not an
    IP address is ignored (``REMOTE_ADDR`` then). Never name a header that no proxy of yours
    overwrites: a client could then change its address at every request.
    """
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        last = request.META.get(header, "").rsplit(",", 1)[-1].strip()
        if _is_ip(last):
            return last
    remote = request.META.get("REMOTE_ADDR")
    return remote if remote and _is_ip(remote) else None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class AuditOriginMiddleware:
    """Every audit line a request writes says from where: the requester's address
    (``client_ip``) and the channel — the API under /api/, the admin site under ADMIN_URL, a
    web page otherwise (``core.audit.origin_of_request``)."""

    API_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        with origin_of_request(client_ip(request), self.channel(request.path_info)):
            return self.get_response(request)

    def channel(self, path: str) -> str:
        if path.startswith(self.API_PREFIX):
            return AuditChannel.API
        if path.startswith(self.admin_prefix):
            return AuditChannel.ADMIN
        return AuditChannel.PAGE


class VietnameseByDefaultMiddleware:
    """Serve Vietnamese unless the user chose another language with the language switch.

    Many officials run browsers set to English; the browser's Accept-Language must not turn the
    administration's pages into English. The switch stores the choice in the language cookie,
    which LocaleMiddleware (placed after this one) honours.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class AccessMemoMiddleware:
    """Each request reads what the access rules need to know about its user once
    (``core.access.memo``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with access.memo():
            return self.get_response(request)


class _WatchedStream:
    """The request's body stream, counting what arrives and looking for the multipart closing
    delimiter (``--<boundary>--``), across reads."""

    def __init__(self, stream, closing: bytes | None):
        self._stream = stream
        self.received = 0
        self._closing = closing or b""
        self.closed = not closing
        self._tail = b""

    def _note(self, data: bytes) -> bytes:
        self.received += len(data)
        if not self.closed and data:
            window = self._tail + data
            self.closed = self._closing in window
            self._tail = window[-len(self._closing) :]
        return data

    def read(self, size=-1, /):
        return self._note(self._stream.read(size))

    def readline(self, size=-1, /):
        return self._note(self._stream.readline(size))

    def close(self):
        self._stream.close()


class CompleteBodyMiddleware:
    """A request whose body did not arrive whole changes nothing.

    Django 5.2 does not refuse such a body. ``LimitedStream`` stops at CONTENT_LENGTH but returns
    whatever the connection gave, so a body cut short simply ends early; ``MultiPartParser`` then
    keeps every text field read so far (the last one truncated), and a file part cut before its
    closing boundary is never completed: the upload handlers are told ``upload_interrupted()``
    and the file is left out of ``request.FILES``, without an error. A report would be filed,
    and its step taken, without its evidence.

    So the body of every POST, PUT, PATCH and DELETE that declares one is read here, before any
    view (and CSRF's ``process_view``) sees it: forms (multipart and urlencoded) through
    Django's own parsing, which views and DRF then reuse; other bodies up to
    DATA_UPLOAD_MAX_MEMORY_SIZE through ``request.body``. The request is answered 400, with
    nothing done, when fewer bytes arrived than CONTENT_LENGTH declared, when a multipart body
    lacks its closing delimiter (a part cut short), when reading failed (the client went away:
    ``UnreadablePostError``), or when the body cannot be parsed (bad boundary, too many fields
    or files, too large). Pages get the message in the error page; the API (``/api/``) the
    error shape {"code", "message"}.
    """

    API_PREFIX = "/api/"
    FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._refusal(request)
        if refusal is not None:
            return self._refuse(request, *refusal)
        return self.get_response(request)

    def _refusal(self, request) -> tuple[str, str] | None:
        from django.core.exceptions import BadRequest, SuspiciousOperation
        from django.http import UnreadablePostError
        from django.http.multipartparser import MultiPartParserError
        from django.utils.translation import gettext as _

        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        try:
            expected = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            expected = 0
        if expected <= 0:
            return None
        form = request.method == "POST" and request.content_type in self.FORMS
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if not form and limit is not None and expected > limit:
            return None  # too big to hold here; left to whoever reads it, as before
        closing = None
        if form and request.content_type == "multipart/form-data":
            boundary = request.content_params.get("boundary", "")
            closing = b"--" + boundary.encode("ascii", "replace") + b"--"
        watched = _WatchedStream(request._stream, closing)
        request._stream = watched
        incomplete = (
            "incomplete_request",
            _(
                "The request arrived incomplete (the connection was cut during the upload). "
                "Nothing was saved; send it again."
            ),
        )
        try:
            if form:
                request.POST, request.FILES  # noqa: B018 — parsed once, reused by the view
            else:
                request.body  # noqa: B018
        except UnreadablePostError:
            return incomplete
        except (MultiPartParserError, SuspiciousOperation, BadRequest) as exc:
            import logging

            logging.getLogger("django.security").warning("Unreadable request body: %s", exc)
            return (
                "unreadable_request",
                _("The request could not be read (malformed or too large). Nothing was saved."),
            )
        if watched.received < expected or not watched.closed:
            return incomplete
        return None

    def _refuse(self, request, code: str, message: str):
        from django.http import JsonResponse
        from django.shortcuts import render

        from .exceptions import InvalidInput

        if request.path_info.startswith(self.API_PREFIX):
            return JsonResponse({"code": code, "message": message}, status=400)
        error = InvalidInput(message, code=code)
        return render(request, "core/error.html", {"error": error}, status=400)
