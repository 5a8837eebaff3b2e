from django.conf import settings


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
