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
