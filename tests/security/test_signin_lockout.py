"""Brute-force protection of sign-in (django-axes, config/signin.py).

The probe tried 50 wrong passwords with no delay and no lockout, on the site's sign-in page and
the admin's. Now five wrong passwords for one user name from one address lock that pair out
for 15 minutes: the right password is refused too, with a Vietnamese page (429); another user
name from the same address, or the same name from another address, still signs in; an
administrator's reset (or the 15 minutes) unlocks it.
"""

from datetime import timedelta

import pytest
from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

PASSWORD = "pw-Secret-1"
LIMIT = 5


@pytest.fixture
def people(django_user_model):
    made = {
        name: django_user_model.objects.create_user(username=name, password=PASSWORD)
        for name in ("nguyenvana", "tranthib")
    }
    made["admin"] = django_user_model.objects.create_superuser(
        username="quantri", password=PASSWORD
    )
    return made


def sign_in(client, username, password, url=None, ip="10.1.2.3"):
    url = url or reverse("login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def fail(client, username, times, url=None, ip="10.1.2.3"):
    return [sign_in(client, username, "wrong-password", url, ip) for _ in range(times)]


def assert_locked_page(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "Tạm khoá đăng nhập" in html
    assert "Mật khẩu hoặc mã xác thực" in html and "5 lần liên tiếp" in html
    assert "15 phút" in html
    assert "quản trị viên" in html


def test_the_configuration_is_five_failures_per_user_name_and_address_in_15_minutes():
    assert settings.AXES_ENABLED
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    first = import_string(settings.AUTHENTICATION_BACKENDS[0])
    assert issubclass(first, AxesStandaloneBackend)


def test_four_wrong_passwords_are_refused_but_the_fifth_locks_out(client, people):
    for response in fail(client, "nguyenvana", LIMIT - 1):
        assert response.status_code == 200
        html = response.content.decode()
        assert "sai" in html
        # The form says beforehand what five wrong passwords do.
        assert "Sau 5 lần nhập sai mật khẩu liên tiếp" in html and "15 phút" in html
    assert_locked_page(fail(client, "nguyenvana", 1)[0])
    assert AccessAttempt.objects.get(username="nguyenvana").failures_since_start == LIMIT


def test_while_locked_out_the_right_password_is_refused(client, people):
    fail(client, "nguyenvana", LIMIT)
    response = sign_in(client, "nguyenvana", PASSWORD)
    assert_locked_page(response)
    assert not signed_in(client)
    assert client.get(reverse("profile")).status_code == 302  # still sent to sign in


def test_the_lockout_is_for_the_user_name_and_address_together(client, people):
    fail(client, "nguyenvana", LIMIT)
    # Another user name from the same address signs in.
    assert sign_in(client, "tranthib", PASSWORD).status_code == 302
    assert signed_in(client)
    client.logout()
    # The same user name from another address signs in too.
    assert sign_in(client, "nguyenvana", PASSWORD, ip="10.9.9.9").status_code == 302
    assert signed_in(client)
    client.logout()
    # From the first address it is still locked out.
    assert_locked_page(sign_in(client, "nguyenvana", PASSWORD))
    assert not signed_in(client)


def test_the_admin_sign_in_is_locked_out_the_same(client, people):
    url = reverse("admin:login")
    for response in fail(client, "quantri", LIMIT - 1, url=url):
        assert response.status_code == 200
    assert_locked_page(fail(client, "quantri", 1, url=url)[0])
    assert_locked_page(sign_in(client, "quantri", PASSWORD, url=url))
    assert not signed_in(client)
    # Failures on the admin's page and the site's add up for the same name and address.
    assert_locked_page(sign_in(client, "quantri", PASSWORD))


def test_an_administrator_unlocks_with_the_reset_command(client, people):
    fail(client, "nguyenvana", LIMIT)
    assert_locked_page(sign_in(client, "nguyenvana", PASSWORD))
    call_command("axes_reset_username", "nguyenvana", verbosity=0)
    assert not AccessAttempt.objects.filter(username="nguyenvana").exists()
    assert sign_in(client, "nguyenvana", PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_administrator_unlocks_in_the_admin(client, people):
    fail(client, "nguyenvana", LIMIT)
    attempt = AccessAttempt.objects.get(username="nguyenvana")
    admin = client.__class__()
    admin.force_login(people["admin"])
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert "nguyenvana" in listing.content.decode()
    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="nguyenvana").exists()
    assert sign_in(client, "nguyenvana", PASSWORD).status_code == 302


def test_the_lockout_ends_15_minutes_after_the_last_attempt(client, people):
    fail(client, "nguyenvana", LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert_locked_page(sign_in(client, "nguyenvana", PASSWORD))  # and the wait starts again
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "nguyenvana", PASSWORD).status_code == 302
    assert signed_in(client)


def test_failures_more_than_15_minutes_apart_do_not_add_up(client, people):
    fail(client, "nguyenvana", LIMIT - 1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert fail(client, "nguyenvana", 1)[0].status_code == 200
    assert sign_in(client, "nguyenvana", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(client, people):
    fail(client, "nguyenvana", LIMIT - 1)
    assert sign_in(client, "nguyenvana", PASSWORD).status_code == 302
    client.logout()
    for response in fail(client, "nguyenvana", LIMIT - 1):
        assert response.status_code == 200
    assert sign_in(client, "nguyenvana", PASSWORD).status_code == 302


def test_the_lockout_page_speaks_english_on_request(client, people):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = fail(client, "nguyenvana", LIMIT)[-1]
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()


def test_the_api_accepts_no_password_so_it_cannot_be_guessed_through(client, people):
    import base64

    token = base64.b64encode(f"nguyenvana:{PASSWORD}".encode()).decode()
    response = client.get("/api/v1/agencies/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "rest_framework.authentication.SessionAuthentication"
    ]
    assert not AccessAttempt.objects.exists()


def test_the_address_is_the_proxys_header_only_when_configured(rf, settings):
    from config.signin import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.7")
    settings.CLIENT_IP_HEADER = ""
    assert client_ip(request) == "127.0.0.1"
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_ip(request) == "10.0.0.7"  # the entry the proxy added, not the client's
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client_ip(request) == "127.0.0.1"  # header missing: the connection's address


@pytest.mark.slow
def test_a_thousand_wrong_passwords_are_all_refused_after_the_fifth(client, people, figure):
    """Guessing at speed: 1,000 wrong passwords for one user name from one address. Four are
    refused as wrong, every later one meets the lockout (not even checked), and the right
    password is refused at the end too; one lockout record, not a thousand."""
    statuses = [r.status_code for r in fail(client, "nguyenvana", 1000)]
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert set(statuses[LIMIT - 1 :]) == {429}
    assert_locked_page(sign_in(client, "nguyenvana", PASSWORD))
    assert not signed_in(client)
    attempt = AccessAttempt.objects.get(username="nguyenvana")
    assert attempt.failures_since_start >= LIMIT
    figure("wrong passwords tried (one name, one address)", len(statuses), 0)
