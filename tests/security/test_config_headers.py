"""Response headers and cookies with the production settings, and what development keeps.

The probe found no HSTS, no HTTPS redirect and no Content-Security-Policy. The production
values are read from config/settings/production.py itself (imported with the environment a
server has) and applied over the test settings.
"""

import importlib
import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-Secret-1"
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}  # as the site's nginx sets it
PRODUCTION_KEYS = re.compile(
    r"^(SECURE_|SESSION_COOKIE_|CSRF_COOKIE_|LANGUAGE_COOKIE_|CONTENT_SECURITY_POLICY$|X_FRAME_OPTIONS$)"
)


def settings_module(name, monkeypatch, **env):
    """config.settings.<name> run again with ``env`` (base, already imported by the test
    settings, keeps its values; production reads the secret key from it)."""
    monkeypatch.setattr("config.settings.base.SECRET_KEY", secrets.token_urlsafe(50))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    module = importlib.import_module(f"config.settings.{name}")
    return importlib.reload(module)


@pytest.fixture
def production(monkeypatch):
    """The test settings with production's security settings over them."""
    module = settings_module("production", monkeypatch)
    values = {key: getattr(module, key) for key in dir(module) if PRODUCTION_KEYS.match(key)}
    with override_settings(**values):
        yield values


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="nguyenvana", password=PASSWORD)


def test_plain_http_is_redirected_to_https(client, db, production):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_https_pages_carry_the_security_headers(client, db, production):
    response = client.get(reverse("login"), **HTTPS)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        (part.split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "upgrade-insecure-requests" in policy


def test_the_cookies_are_secure_and_end_with_the_session(client, user, production):
    page = client.get(reverse("login"), **HTTPS)
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]
    response = client.post(
        reverse("login"), {"username": "nguyenvana", "password": PASSWORD}, **HTTPS
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]
    assert not session["max-age"] and not session["expires"]  # ends when the browser closes
    assert client.session.get_expiry_age() == 8 * 60 * 60  # and after a working day at most


def test_the_proxy_header_and_preloading_come_from_the_environment(monkeypatch):
    module = settings_module(
        "production",
        monkeypatch,
        SECURE_PROXY_SSL_HEADER="",
        SECURE_HSTS_PRELOAD="true",
    )
    assert module.SECURE_PROXY_SSL_HEADER is None
    assert module.SECURE_HSTS_PRELOAD is True
    assert module.SILENCED_SYSTEM_CHECKS == []
    other = settings_module(
        "production", monkeypatch, SECURE_PROXY_SSL_HEADER="HTTP_X_SCHEME", SECURE_HSTS_PRELOAD="0"
    )
    assert other.SECURE_PROXY_SSL_HEADER == ("HTTP_X_SCHEME", "https")
    assert other.SILENCED_SYSTEM_CHECKS == ["security.W021"]


def test_development_keeps_plain_http_and_ordinary_cookies(client, db, monkeypatch):
    dev = settings_module("dev", monkeypatch)
    assert not getattr(dev, "SECURE_SSL_REDIRECT", False)
    assert not getattr(dev, "SECURE_HSTS_SECONDS", 0)
    assert not getattr(dev, "SESSION_COOKIE_SECURE", False)
    assert not getattr(dev, "CSRF_COOKIE_SECURE", False)
    # What `make run` serves on http://127.0.0.1:8000 (the test settings share the same base).
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
    assert "csrftoken" in response.cookies and not response.cookies["csrftoken"]["secure"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_admin_is_not_at_the_well_known_path(client, db):
    assert settings.ADMIN_URL != "admin/"
    assert reverse("admin:index") == f"/{settings.ADMIN_URL}"
    assert client.get("/admin/").status_code == 404


def test_passwords_are_validated():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from agencies.models import User

    person = User(username="nguyenvana", full_name="Nguyễn Văn A")
    for weak in ("20261201123456", "Short-1a", "nguyenvana2026"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=person)
    validate_password("Chỉ thị 05 hoàn thành đúng hạn", user=person)


INLINE = [
    # (a data block, <script type="application/json">, runs nothing and is allowed)
    (
        re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I),
        "an inline <script>",
    ),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"<style", re.I), "a <style> element"),
]


def test_no_template_needs_what_the_content_security_policy_forbids():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for pattern, what in INLINE
        if pattern.search(
            re.sub(r"{% comment %}.*?{% endcomment %}", "", path.read_text(), flags=re.S)
        )
    ]
    assert found == []
