"""Rate limits on the expensive operations (issue 11): reading a directive's text and confirming
a breakdown, moving a reorganised agency's work — counted per person, on the page and the API
alike, answered 429 in Vietnamese (the API in its error shape, with Retry-After); reads are
never limited."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

RATES = {"import": "2/hour", "reorganisation": "2/hour"}


@pytest.fixture(autouse=True)
def rates(settings):
    settings.EXPENSIVE_RATES = RATES
    cache.clear()
    yield
    cache.clear()


def api_parse(client):
    return client.post("/api/v1/imports/parse/", {}, content_type="application/json")


def test_the_third_import_in_an_hour_is_refused_on_the_api_and_the_page(client, people, figure):
    client.force_login(people["reviewer"])
    assert [api_parse(client).status_code for _ in range(2)] == [400, 400]
    refused = api_parse(client)
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "throttled" and "phút" in body["message"]
    assert int(refused["Retry-After"]) > 0
    # The page counts against the same rate: the person has used it up.
    page = client.post(reverse("importer:import"), {"text": "Chỉ thị."})
    assert page.status_code == 429
    assert "phút" in page.content.decode()
    figure("expensive requests refused past their rate", 2, 0)


def test_the_rate_is_each_person_s_own(client, people, user_with_role, small_tree):
    client.force_login(people["reviewer"])
    for _ in range(3):
        api_parse(client)
    other = user_with_role("reviewer", small_tree["P2"], date(2025, 8, 1), username="reviewer2")
    client.force_login(other)
    assert api_parse(client).status_code == 400


def test_the_reorganisation_s_writes_are_limited_but_not_its_list(client, people):
    client.force_login(people["reviewer"])
    move = {"agency": "KHDT", "to_agency": "TC"}
    codes = [
        client.post("/api/v1/reorganisation/", move, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes == [409, 409, 429]  # (KHDT has no work left: refused by the rule, counted)
    assert all(client.get("/api/v1/reorganisation/").status_code == 200 for _ in range(5))
    page = client.post(
        reverse("workflow:reorganisation"),
        {"agency-KHDT-agency": "KHDT", "agency-KHDT-to_agency": "TC"},
    )
    assert page.status_code == 429
