"""The office's decision page: only the chosen decision's fields, a message saying what
changed, the list's filters kept, totals, and no placeholder labels."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from escalation.choices import LevelKind
from escalation.models import Escalation
from escalation.sweep import sweep
from tests.fixtures.workflow import vn


@pytest.fixture
def office_level(assignment, people, client):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    client.force_login(people["reviewer"])
    return Escalation.objects.get(assignment=assignment, level__kind=LevelKind.OFFICE)


def decide(client, escalation, data, next_url=""):
    url = reverse("escalation:decide", args=[escalation.pk])
    return client.post(url, {**data, "next": next_url})


def test_each_optional_field_belongs_to_one_decision(client, office_level):
    html = client.get(reverse("escalation:decide", args=[office_level.pk])).content.decode()
    for field in ("due_date", "agency", "assignee", "penalty_points"):
        assert f"f-{field} dependent" in html
    assert 'type="radio"' in html and 'type="date"' in html
    assert "Sở Tài chính" in html  # the agency by its name
    assert "---------" not in html


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"decision": "extend", "due_date": "2026-07-31", "note": "Gia hạn."}, "31/07/2026"),
        ({"decision": "penalty", "penalty_points": "2.5", "note": "Chậm."}, "trừ 2,5 điểm"),
        ({"decision": "close"}, "đã đóng"),
        ({"decision": "close", "send_up": "on", "note": "Xin ý kiến."}, "Đã trình lãnh đạo"),
    ],
)
def test_a_decision_says_what_changed_and_returns_to_the_filtered_list(
    client, office_level, data, said
):
    back = reverse("escalation:list") + "?open=true&level=" + str(office_level.level_id)
    response = decide(client, office_level, data, next_url=back)
    assert response.status_code == 302
    assert response.url == back
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1 and said in messages[0]
    assert office_level.assignment.title in messages[0]


def test_a_missing_field_of_the_chosen_decision_is_a_form_error(client, office_level):
    response = decide(client, office_level, {"decision": "extend", "note": "Gia hạn."})
    assert response.status_code == 400
    assert "Nhập thời hạn hoàn thành mới." in response.content.decode()
    office_level.refresh_from_db()
    assert office_level.resolved_at is None


def test_an_outside_address_is_never_the_way_back(client, office_level):
    response = decide(client, office_level, {"decision": "close"}, "https://evil.example/")
    assert response.url == reverse("escalation:list")


def test_the_list_has_its_total_and_plain_filter_labels(client, office_level):
    page = client.get(reverse("escalation:list"), {"open": "true"})
    html = page.content.decode()
    assert page.context["paginator"].count == 3
    assert "3 lượt đôn đốc, cảnh báo" in html  # levels, not assignments
    assert "Chưa xác định" not in html and "---------" not in html
    assert "Chờ quyết định" in html
    closed = client.get(reverse("escalation:list"), {"open": "false"})
    assert closed.context["paginator"].count == 0
