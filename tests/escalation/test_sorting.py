"""The escalation queue in its orders (``?sort=``), an unknown one being the default."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from escalation.choices import LevelKind
from escalation.models import Escalation, EscalationLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(assignment):
    """An older open escalation and a newer decided one."""
    office = EscalationLevel.objects.filter(kind=LevelKind.OFFICE).first()
    now = timezone.now()

    def make(days, **fields):
        return Escalation.objects.create(
            assignment=assignment,
            agency_id=assignment.agency_id,
            level=office,
            due_date=assignment.due_date - timedelta(days=days),
            raised_at=now - timedelta(days=days),
            **fields,
        )

    return make(10), make(2, resolved_at=now)


def listed(response) -> list[int]:
    return [e.pk for e in response.context["escalations"]]


def test_the_queue_puts_the_open_first_and_the_dates_order_on_request(client, people, raised):
    older_open, newer_decided = raised
    client.force_login(people["reviewer"])
    url = reverse("escalation:list")
    assert listed(client.get(url)) == [older_open.pk, newer_decided.pk]
    assert listed(client.get(url, {"sort": "newest"})) == [newer_decided.pk, older_open.pk]
    oldest = client.get(url, {"sort": "oldest"})
    assert listed(oldest) == [older_open.pk, newer_decided.pk]
    content = oldest.content.decode()
    assert '<option value="oldest" selected>' in content
    assert "2 lượt đôn đốc" in content


def test_an_unknown_order_is_the_queue(client, people, raised):
    client.force_login(people["reviewer"])
    url = reverse("escalation:list")
    response = client.get(url, {"sort": "raised_at; drop"})
    assert response.status_code == 200
    assert listed(response) == listed(client.get(url))
