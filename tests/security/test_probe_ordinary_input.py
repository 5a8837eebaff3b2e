"""Ordinary input the outside probe turned into 500s (issue 11): an extension request read by
its key, a key that is not a number, an age in days no date can hold. Each is a 4xx with the
error shape on the API and a page in Vietnamese, and changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from escalation.filtersets import MAX_AGE_DAYS
from escalation.models import Escalation
from tests.escalation.factories import EscalationFactory
from tests.workflow.factories import ExtensionFactory
from workflow.models import ExtensionRequest

API = "/api/v1"


@pytest.fixture
def browser(people):
    """A client that answers as the server would (a 500 is a response, not an exception)."""
    return Client(raise_request_exception=False)


@pytest.fixture
def extension(assignment, people):
    return ExtensionFactory(assignment=assignment, actor=people["head"])


def error_shape(response) -> dict:
    body = response.json()
    assert set(body) >= {"code", "message"}, body
    assert isinstance(body["code"], str) and body["message"]
    return body


# 1. An extension request read by its key --------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "head", "officer", "leader"])
def test_whoever_sees_an_extension_request_reads_it_by_its_key(browser, extension, people, who):
    browser.force_login(people[who])
    response = browser.get(f"{API}/extensions/{extension.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == extension.pk and body["assignment"] == extension.assignment_id
    assert body["status"] == extension.status and body["decided_by"] is None


def test_another_agency_does_not_find_the_extension_request(browser, extension, people):
    browser.force_login(people["other_officer"])
    response = browser.get(f"{API}/extensions/{extension.pk}/")
    assert response.status_code == 404
    assert error_shape(response)["code"] == "not_found"


def test_reading_extension_requests_under_production_settings(browser, extension, people, settings):
    settings.DEBUG = False
    browser.force_login(people["head"])
    assert browser.get(f"{API}/extensions/{extension.pk}/").status_code == 200
    assert browser.get(f"{API}/extensions/").json()["count"] == 1


# 2. A key that is not a number (or no key a row can have) ---------------------------------

NOT_KEYS = ["abc", "1.5", "-1", "0x1", "1e3", "%20", "99999999999999999999"]


@pytest.mark.parametrize("step", ["endorse", "decide"])
@pytest.mark.parametrize("key", NOT_KEYS)
def test_an_extension_step_on_a_key_that_is_not_one_is_not_found(
    browser, extension, people, step, key
):
    browser.force_login(people["reviewer"])
    before = list(ExtensionRequest.objects.values_list("pk", "status"))
    api = browser.post(
        f"{API}/extensions/{key}/{step}/", {"approve": "yes"}, content_type="application/json"
    )
    assert api.status_code == 404
    if "." not in key:  # a dot ends the route's key: no API route at all, Django's 404
        assert error_shape(api)["code"] == "not_found"
    page = browser.post(f"/extensions/{key}/steps/{step}/", {f"{step}-approve": "yes"})
    assert page.status_code == 404
    assert browser.get(f"{API}/extensions/{key}/").status_code == 404
    assert list(ExtensionRequest.objects.values_list("pk", "status")) == before


# 3. An age in days that no date can hold ---------------------------------------------------


@pytest.fixture
def escalated(assignment, people):
    return EscalationFactory(assignment=assignment)


@pytest.mark.parametrize("days", ["100000000", "999999999999", str(MAX_AGE_DAYS + 1)])
def test_too_old_an_age_is_a_field_error_on_the_api(browser, escalated, people, days):
    browser.force_login(people["reviewer"])
    response = browser.get(f"{API}/escalations/", {"older_than": days})
    assert response.status_code == 400
    body = error_shape(response)
    assert body["code"] == "invalid"
    assert body["message"] == "Dữ liệu nhập không hợp lệ."
    assert body["errors"]["older_than"] == [f"Chỉ nhập tối đa {MAX_AGE_DAYS} ngày."]


@pytest.mark.parametrize("days", ["-1", "1.5", "abc"])
def test_an_age_that_is_not_a_number_of_days_is_a_field_error(browser, escalated, people, days):
    browser.force_login(people["reviewer"])
    response = browser.get(f"{API}/escalations/", {"older_than": days})
    assert response.status_code == 400
    assert list(error_shape(response)["errors"]) == ["older_than"]


def test_the_page_says_the_age_filter_was_not_applied_and_lists_the_rest(
    browser, escalated, people
):
    browser.force_login(people["reviewer"])
    response = browser.get(reverse("escalation:list"), {"older_than": "100000000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Một bộ lọc chưa được áp dụng" in html
    assert f"Chỉ nhập tối đa {MAX_AGE_DAYS} ngày." in html
    assert response.context["paginator"].count == Escalation.objects.count()


def test_an_age_within_bounds_still_filters(browser, escalated, people):
    browser.force_login(people["reviewer"])
    everything = browser.get(f"{API}/escalations/", {"older_than": "0"}).json()["count"]
    assert everything == Escalation.objects.count() > 0
    assert browser.get(f"{API}/escalations/", {"older_than": MAX_AGE_DAYS}).json()["count"] == 0
    page = browser.get(reverse("escalation:list"), {"older_than": MAX_AGE_DAYS})
    assert page.status_code == 200 and page.context["paginator"].count == 0
