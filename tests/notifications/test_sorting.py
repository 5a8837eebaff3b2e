"""One's notices newest first, or oldest first on request, with their count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Category, Notice

pytestmark = pytest.mark.django_db


def test_the_notices_come_newest_first_or_oldest_first(client, people):
    me, now = people["head"], timezone.now()
    old, new = (
        Notice.objects.create(
            recipient=me,
            key=f"k{i}",
            category=Category.NEW_WORK,
            title=f"Thông báo {i}",
            created_at=now - timedelta(days=days),
        )
        for i, days in enumerate((5, 1))
    )
    client.force_login(me)
    url = reverse("notifications:list")

    def listed(**query):
        return [n.pk for n in client.get(url, query).context["notices"]]

    assert listed() == [new.pk, old.pk]
    assert listed(sort="oldest") == [old.pk, new.pk]
    assert listed(sort="?") == [new.pk, old.pk]
    content = client.get(url, {"sort": "oldest"}).content.decode()
    assert '<option value="oldest" selected>' in content
    assert "2 thông báo" in content
