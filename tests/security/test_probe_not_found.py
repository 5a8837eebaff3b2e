"""A path that matches no route, or a failure, is answered in the API's error shape under
/api/, and by the site's page elsewhere (config/urls.py's handler404 and handler500)."""

import json

import pytest
from django.test import RequestFactory

from core.views import server_error


@pytest.mark.parametrize(
    "path",
    ["/api/v1/extensions/1.5/endorse/", "/api/v1/nothing/", "/api/v1/assignments/abc/x/"],
)
def test_an_api_path_matching_nothing_gets_the_error_shape(client, people, path):
    client.force_login(people["reviewer"])
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy."}


def test_a_page_matching_nothing_gets_the_site_page(client, people):
    client.force_login(people["reviewer"])
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_failure_under_the_api_gets_the_error_shape(db):
    response = server_error(RequestFactory().get("/api/v1/assignments/"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"
    page = server_error(RequestFactory().get("/assignments/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
