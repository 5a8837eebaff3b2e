"""Anonymous visitors reach nothing but the sign-in page, on every page and endpoint."""

import pytest
from django.urls import reverse

PAGES = [
    "/",
    "/overview/",
    "/dashboard/",
    "/inbox/",
    "/directives/",
    "/directives/new/",
    "/directives/1/",
    "/directives/1/edit/",
    "/directives/1/items/new/",
    "/items/1/assign/",
    "/assignments/",
    "/assignments/1/",
    "/attachments/1/",
    "/transfers/",
    "/extensions/",
    "/escalations/",
    "/escalations/1/decide/",
    "/notifications/",
    "/agencies/",
    "/agencies/QT-SNV/",
    "/accounts/profile/",
]
POSTS = [
    "/directives/1/publish/",
    "/assignments/1/steps/receive/",
    "/extensions/1/steps/decide/",
    "/notifications/1/read/",
    "/notifications/read-all/",
    "/escalations/",
]
API = [
    "/api/v1/agencies/",
    "/api/v1/directives/",
    "/api/v1/items/",
    "/api/v1/assignments/",
    "/api/v1/extensions/",
    "/api/v1/escalations/",
    "/api/v1/notifications/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_anonymous_visitors_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", POSTS)
def test_actions_send_anonymous_visitors_to_sign_in(client, db, url):
    response = client.post(url, {})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", API)
def test_the_api_answers_anonymous_visitors_with_a_json_refusal(client, db, url):
    response = client.get(url)
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


# From tests/workflow/test_api.py, whose other tests share one set of fixtures per module.
@pytest.mark.parametrize(
    "url", ["/api/v1/assignments/", "/api/v1/directives/", "/api/v1/items/", "/api/v1/extensions/"]
)
def test_every_endpoint_needs_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
