"""The escalation decision page leaked the user directory (issue 11): its officer dropdown
listed every active user, and officers and clerks could open it though they cannot decide.
Only those who may decide the escalation open it, and the dropdown offers only the people the
work may be given to: the members of the assignment's agency on the day."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.models import User
from escalation.choices import LevelKind
from escalation.models import Escalation
from escalation.services import Decision, escalation_decide
from tests.conftest import grant
from tests.escalation.factories import EscalationFactory


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


@pytest.fixture
def escalated(assignment, people):
    return EscalationFactory(assignment=assignment, level=LevelKind.OFFICE)


def page(escalation):
    return reverse("escalation:decide", args=[escalation.pk])


def options(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, f"no {name} select"
    return set(re.findall(r'<option value="([^"]+)"', select.group(0)))


def snapshot():
    return list(
        Escalation.objects.order_by("pk").values_list("pk", "resolved_at", "sent_to_leader")
    )


@pytest.mark.parametrize("who", ["officer", "officer2", "clerk", "head", "leader"])
def test_who_cannot_decide_it_cannot_open_it(browser, escalated, people, who):
    browser.force_login(people[who])
    before = snapshot()
    response = browser.get(page(escalated))
    assert response.status_code == 403
    assert 'name="assignee"' not in response.content.decode()
    assert browser.post(page(escalated), {"decision": "close"}).status_code == 403
    assert snapshot() == before


def test_another_agency_does_not_even_find_it(browser, escalated, people):
    browser.force_login(people["other_head"])
    assert browser.get(page(escalated)).status_code == 404
    assert browser.post(page(escalated), {"decision": "close"}).status_code == 404


def test_the_office_opens_it_and_a_leader_once_it_is_sent_up(browser, escalated, people):
    browser.force_login(people["reviewer"])
    assert browser.get(page(escalated)).status_code == 200
    escalation_decide(
        actor=people["reviewer"],
        escalation=escalated,
        decision=Decision(decision="close", note="Xin ý kiến.", send_up=True),
    )
    assert browser.get(page(escalated)).status_code == 403  # the leader's now
    browser.force_login(people["leader"])
    assert browser.get(page(escalated)).status_code == 200


def test_the_officer_dropdown_offers_only_the_agencys_people_of_the_day(
    browser, escalated, people, small_tree
):
    today = timezone.localdate()
    grant(Role.OFFICER, small_tree["TC"], date(2025, 8, 1), today, username="gone_yesterday")
    grant(Role.OFFICER, small_tree["TC"], today + timedelta(days=1), username="starts_tomorrow")
    grant(Role.OFFICER, small_tree["TC"], date(2025, 8, 1), username="inactive")
    User.objects.filter(username="inactive").update(is_active=False)
    User.objects.create_user(username="nobody_s", password="x", full_name="Người Ngoài")
    browser.force_login(people["reviewer"])
    html = browser.get(page(escalated)).content.decode()
    # Its officers, deputies and head: never the clerk, another agency, the office, or anyone
    # who is not a member today.
    assert options(html, "assignee") == {"head", "officer", "officer2"}
    for username in ("other_officer", "other_head", "gone_yesterday", "starts_tomorrow"):
        assert username not in html
    assert "inactive" not in options(html, "assignee")
    assert "Người Ngoài" not in html and "nobody_s" not in html


def test_an_officer_outside_the_dropdown_is_refused_and_nothing_changes(browser, escalated, people):
    browser.force_login(people["reviewer"])
    before = snapshot()
    response = browser.post(
        page(escalated),
        {"decision": "reassign", "assignee": "other_officer", "note": "Giao người khác."},
    )
    assert response.status_code == 400
    assert snapshot() == before
    escalated.assignment.refresh_from_db()
    assert escalated.assignment.assignee_id != people["other_officer"].pk
