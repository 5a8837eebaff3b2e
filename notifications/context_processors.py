from .selectors import unread_count


def notices(request):
    """The unread count in the header (one query per page, none for anonymous visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": unread_count(user=user)}
