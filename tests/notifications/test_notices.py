"""Notices: a person sees and marks only their own; the header counts the unread."""

import pytest
from django.urls import reverse

from agencies.choices import Role
from notifications.models import Category
from notifications.services import Planned, notices_plan
from tests.agencies.factories import member


@pytest.fixture
def two(small_tree):
    an = member(Role.OFFICER, small_tree["TC"], username="an")
    return an, member(Role.OFFICER, small_tree["NV"], username="binh")


def plan(user, key, title="Nhắc hạn"):
    return notices_plan(
        [
            Planned(
                recipient_id=user.pk,
                key=key,
                category=Category.REMINDER,
                title=title,
                url="/dashboard/",
            )
        ]
    )


def test_the_same_notice_is_planned_once(two):
    an, _ = two
    assert plan(an, "k1") == 1
    assert plan(an, "k1") == 0
    assert an.notices.count() == 1


def test_unread_count_in_the_header_and_mark_read(client, two):
    an, binh = two
    plan(an, "k1", "Nhắc hạn báo cáo quý")
    plan(an, "k2")
    client.force_login(an)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "Nhắc hạn báo cáo quý" in html
    assert '<span class="count">2</span>' in html
    notice = an.notices.get(key="k1")
    response = client.post(reverse("notifications:read", args=[notice.pk]))
    assert response.url == "/dashboard/"
    assert '<span class="count">1</span>' in client.get(reverse("profile")).content.decode()
    client.post(reverse("notifications:read_all"))
    assert 'class="count"' not in client.get(reverse("profile")).content.decode()


def test_nobody_reads_or_marks_someone_elses_notices(client, two):
    an, binh = two
    plan(an, "secret", "Thông tin riêng")
    notice = an.notices.get()
    client.force_login(binh)
    assert "Thông tin riêng" not in client.get(reverse("notifications:list")).content.decode()
    assert client.post(reverse("notifications:read", args=[notice.pk])).status_code == 404
    assert client.post(f"/api/v1/notifications/{notice.pk}/read/").status_code == 404
    assert client.get("/api/v1/notifications/").json()["count"] == 0
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_api_lists_and_marks(client, two):
    an, _ = two
    plan(an, "k1")
    client.force_login(an)
    body = client.get("/api/v1/notifications/").json()
    assert body["results"][0]["title"] == "Nhắc hạn"
    notice_id = body["results"][0]["id"]
    assert client.post(f"/api/v1/notifications/{notice_id}/read/").json()["read_at"]
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
