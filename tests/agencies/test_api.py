import pytest
from django.urls import reverse

from agencies.choices import Role

LIST = "/api/v1/agencies/"


@pytest.fixture
def api(client, small_tree, user_with_role):
    client.force_login(user_with_role(Role.OFFICER, small_tree["TC"], username="officer"))
    return client


def test_the_api_requires_sign_in_and_answers_in_json(client, small_tree):
    response = client.get(LIST)
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["message"]


def test_basic_auth_is_not_accepted(client, small_tree, user_with_role):
    user_with_role(Role.OFFICER, small_tree["TC"], username="basic")
    import base64

    token = base64.b64encode(b"basic:pw-Secret-1").decode()
    response = client.get(LIST, HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 403


def test_list_is_paginated_and_keeps_vietnamese_names(api):
    body = api.get(LIST, {"valid_on": "2022-09-01"}).json()
    assert body["count"] == 9
    names = {row["code"]: row for row in body["results"]}
    assert names["KHDT"]["name"] == "Sở Kế hoạch và Đầu tư"
    assert names["KHDT"]["aliases"] == ["KHĐT"]
    assert names["KHDT"]["parent"] == "P"
    assert "Sở Kế hoạch và Đầu tư".encode() in api.get(LIST, {"valid_on": "2022-09-01"}).content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "district", "valid_on": "2022-09-01"}, ["H1", "H4"]),
        ({"parent": "P2"}, ["NV", "TC", "X9"]),
        ({"q": "mat tran"}, ["MTTQ"]),
        ({"q": "MTTQN"}, ["MTTQ"]),
        ({}, ["CA", "MTTQ", "NV", "P2", "TC", "X9"]),
    ],
)
def test_list_filters(api, params, expected):
    body = api.get(LIST, params).json()
    assert sorted(row["code"] for row in body["results"]) == expected


def test_a_bad_filter_is_a_structured_400(api):
    response = api.get(LIST, {"kind": "planet"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "kind" in body["errors"]


def test_detail_has_the_whole_history(api):
    body = api.get(f"{LIST}KHDT/").json()
    assert body["versions"][0]["name"] == "Sở Kế hoạch và Đầu tư"
    assert {(s["successor"], s["kind"]) for s in body["successions"]} == {
        ("TC", "merge_into"),
        ("TC", "transfer_function"),
    }


def test_unknown_agency_is_a_json_404(api):
    response = api.get(f"{LIST}NOPE/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_query_count_does_not_grow_with_rows(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        body = api.get(LIST, {"valid_on": "2022-09-01"}).json()
    assert body["count"] == 9


def test_the_api_is_read_only(api):
    assert api.post(LIST, {"code": "NEW"}).status_code == 405


def test_the_schema_validates_and_lists_the_agencies_endpoint(api):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert "/api/v1/agencies/" in schema["paths"]
    response = api.get(reverse("schema"))  # not public (tests/security)
    assert response.status_code == 200


def test_the_docs_page_serves_its_assets_locally(api):
    import re

    html = api.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in html
    external = re.findall(r'(?:src|href)\s*=\s*["\'](?:https?:)?//', html)
    assert external == []
    assert "/static/drf_spectacular_sidecar/" in html
