from django.db.models import QuerySet

from .models import Notice, NoticePreference


def notice_list(*, user) -> QuerySet[Notice]:
    return Notice.objects.restrict(user, "view").order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notice_preferences(*, user) -> dict[str, str]:
    """The person's chosen delivery per category; a category not listed keeps the default."""
    return dict(
        NoticePreference.objects.filter(user_id=user.pk).values_list("category", "delivery")
    )
