"""The OpenAPI schema and its docs page are for signed-in users only.

The probe found `/api/schema/` and `/api/docs/` public. Signed out, the schema answers with the
API's JSON refusal and the docs page sends the visitor to sign in; signed in, both work, and
the docs page loads only this site's files, none inline (the Content-Security-Policy).
"""

import re

import pytest
from django.urls import reverse


@pytest.fixture
def reader(client, django_user_model):
    user = django_user_model.objects.create_user(username="nguyenvana", password="pw-Secret-1")
    client.force_login(user)
    return client


def test_the_schema_refuses_a_signed_out_client_in_the_api_shape(client, db):
    response = client.get(reverse("schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert body["message"]
    assert "openapi" not in response.content.decode()
    # In the schema's default format (YAML) too.
    response = client.get(reverse("schema"))
    assert response.status_code == 403
    assert "not_authenticated" in response.content.decode()
    assert "openapi" not in response.content.decode()


def test_the_docs_send_a_signed_out_visitor_to_sign_in(client, db):
    for url in (reverse("api-docs"), reverse("api-docs") + "?script="):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
        assert b"swagger" not in response.content.lower()


def test_a_signed_in_user_reads_the_schema(reader):
    response = reader.get(reverse("schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/agencies/" in schema["paths"]


def test_a_signed_in_user_reads_the_docs_from_this_sites_files_only(reader):
    response = reader.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    # Every script and style sheet is a file of this site; none is inline.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls)
    assert any(url.startswith("/static/drf_spectacular_sidecar/") for url in urls)
    assert "/static/css/swagger.css" in urls
    # The page's own script, from its own URL.
    script = next(url for url in urls if "script=" in url)
    init = reader.get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
    assert "/api/schema/" in init.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
