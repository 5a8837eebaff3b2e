from django.db.models import QuerySet

from .models import Notice


def notice_list(*, user) -> QuerySet[Notice]:
    return Notice.objects.restrict(user, "view").order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
