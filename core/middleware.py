from django.conf import settings

from . import access


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
