"""A person sees and marks only their own notices."""

from django.db.models import Q

from core import access

from .models import Notice


@access.register(Notice)
def notice_rule(user, action: str) -> Q:
    if action in (access.VIEW, "mark_read"):
        return Q(recipient_id=user.pk)
    return Q(pk__in=[])
