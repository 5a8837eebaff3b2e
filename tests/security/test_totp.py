"""Optional two-factor sign-in (TOTP, django-otp; core/twofactor.py, config/signin.py).

A person enrols an authenticator app from the profile page (a QR code and the secret,
confirmed with one code); from then on signing in asks for the app's 6-digit code after the
password, and the session is verified (``user.is_verified()``). A wrong code counts for the
lockout like a wrong password; turning it off needs a code; the admin's sign-in goes through
the same two steps. A person without an authenticator signs in as before.
"""

import re
from base64 import b32decode
from datetime import date

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent

PASSWORD = "pw-Secret-1"
IP = "10.7.7.7"


class Clock:
    """django-otp's clock for TOTP (its module's ``time``), moved by the tests: codes are once
    each, so a test that needs two waits a step (30 s) in between."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now

    def wait_a_step(self):
        self.now += 30


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(1_790_000_000.0)
    monkeypatch.setattr("django_otp.plugins.otp_totp.models.time", clock)
    return clock


@pytest.fixture
def leader(django_user_model):
    return django_user_model.objects.create_user(username="lanhdao", password=PASSWORD)


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(username="quantri", password=PASSWORD)


def code_of(device: TOTPDevice, clock: Clock, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = clock.now + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device, clock) -> str:
    right = {code_of(device, clock, k) for k in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in right)


def enrolled(user, clock) -> TOTPDevice:
    """``user`` with a confirmed authenticator, enrolled through the pages; the clock moved on
    a step (the enrolment's code is spent)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.post(reverse("two-factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("two-factor"), {"action": "confirm", "code": code_of(device, clock)})
    device.refresh_from_db()
    assert device.confirmed
    clock.wait_a_step()
    return device


def sign_in(client, username, password=PASSWORD, url=None, **extra):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password, **extra},
        REMOTE_ADDR=IP,
    )


def give_code(client, code):
    return client.post(reverse("login-code"), {"code": code}, REMOTE_ADDR=IP)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_enrolment_shows_a_qr_code_and_the_secret_and_needs_one_code(client, leader, clock):
    client.force_login(leader)
    profile = client.get(reverse("profile")).content.decode()
    assert "Xác thực hai bước" in profile and "Bật xác thực hai bước" in profile
    assert client.post(reverse("two-factor"), {"action": "start"}).status_code == 302
    device = TOTPDevice.objects.get(user=leader)
    assert not device.confirmed
    page = client.get(reverse("two-factor"))
    html = page.content.decode()
    assert "no-store" in page["Cache-Control"]  # the secret is never kept in a cache
    qr = html[html.index('<div class="qr">') :]
    assert qr.startswith('<div class="qr"><svg')  # an inline SVG: no image fetched
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # and no inline script (CSP)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    # A wrong code confirms nothing; the right one turns it on, verified, audited.
    refused = client.post(
        reverse("two-factor"), {"action": "confirm", "code": wrong_code(device, clock)}
    )
    assert refused.status_code == 400
    assert "Mã không đúng" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()
    response = client.post(
        reverse("two-factor"), {"action": "confirm", "code": code_of(device, clock)}
    )
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditEvent.objects.filter(verb="user.otp_enrol", object_id=str(leader.pk)).exists()
    profile = client.get(reverse("profile")).content.decode()
    assert "Tắt xác thực hai bước" in profile
    assert '<code class="secret">' not in client.get(reverse("two-factor")).content.decode()


def test_sign_in_asks_for_the_code_after_the_password(client, leader, clock):
    device = enrolled(leader, clock)
    response = sign_in(client, "lanhdao", next="/accounts/profile/")
    assert response.status_code == 302 and response["Location"] == reverse("login-code")
    assert not signed_in(client)  # the password alone signs nobody in
    assert client.get(reverse("profile")).status_code == 302
    page = client.get(reverse("login-code")).content.decode()
    assert "mã gồm 6 chữ số" in page
    response = give_code(client, code_of(device, clock))
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # verified
    assert client.get(reverse("profile")).status_code == 200


def test_without_the_code_nobody_is_signed_in(client, leader, clock, settings):
    device = enrolled(leader, clock)
    # The code step without the password step sends to the sign-in page.
    assert give_code(client, code_of(device, clock))["Location"] == reverse("login")
    assert not signed_in(client)
    # After the password, the code is awaited only for SIGNIN_CODE_MINUTES.
    sign_in(client, "lanhdao")
    session = client.session
    session["signin_pending"]["at"] -= settings.SIGNIN_CODE_MINUTES * 60 + 1
    session.save()
    assert give_code(client, code_of(device, clock))["Location"] == reverse("login")
    assert not signed_in(client)


def test_a_wrong_code_is_refused_and_a_code_is_used_once(client, leader, clock, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the throttle has its own test
    device = enrolled(leader, clock)
    sign_in(client, "lanhdao")
    for code in (wrong_code(device, clock), "12ab56", "", "1234567"):
        response = give_code(client, code)
        assert response.status_code == 200
        assert "Mã không đúng" in response.content.decode()
        assert not signed_in(client)
    assert give_code(client, code_of(device, clock)).status_code == 302
    assert signed_in(client)
    client.logout()
    sign_in(client, "lanhdao")
    response = give_code(client, code_of(device, clock))  # the same code again
    assert response.status_code == 200 and not signed_in(client)


def test_wrong_codes_count_for_the_lockout_like_wrong_passwords(client, leader, clock, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrolled(leader, clock)
    sign_in(client, "lanhdao")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert give_code(client, wrong_code(device, clock)).status_code == 200
    assert AccessAttempt.objects.get(username="lanhdao").failures_since_start == 4
    locked = give_code(client, wrong_code(device, clock))
    assert locked.status_code == 429
    assert "Tạm khoá đăng nhập" in locked.content.decode()
    # Locked out: neither the right code nor the password signs in.
    assert give_code(client, code_of(device, clock))["Location"] == reverse("login")
    assert sign_in(client, "lanhdao").status_code == 429
    assert not signed_in(client)


def test_the_right_code_clears_the_count(client, leader, clock, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrolled(leader, clock)
    sign_in(client, "lanhdao")
    give_code(client, wrong_code(device, clock))
    give_code(client, code_of(device, clock))
    assert signed_in(client)
    assert not AccessAttempt.objects.filter(username="lanhdao").exists()


def test_the_throttle_makes_the_next_code_wait(client, leader, clock):
    device = enrolled(leader, clock)
    sign_in(client, "lanhdao")
    give_code(client, wrong_code(device, clock))
    response = give_code(client, code_of(device, clock))  # right, but too soon
    assert "giây" in response.content.decode()
    assert not signed_in(client)


def test_a_person_without_an_authenticator_signs_in_as_before(client, leader, clock):
    response = sign_in(client, "lanhdao")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert signed_in(client)
    assert DEVICE_ID_SESSION_KEY not in client.session
    # An enrolment started but not confirmed does not ask for a code either.
    client.post(reverse("two-factor"), {"action": "start"})
    client.logout()
    assert sign_in(client, "lanhdao")["Location"] == reverse("home")
    assert signed_in(client)


def test_removal_needs_a_code(client, leader, clock, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrolled(leader, clock)
    client.force_login(leader)
    for code in ("", wrong_code(device, clock)):
        response = client.post(reverse("two-factor"), {"action": "remove", "code": code})
        assert response.status_code == 400
        assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    response = client.post(
        reverse("two-factor"), {"action": "remove", "code": code_of(device, clock)}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=leader).exists()
    assert AuditEvent.objects.filter(verb="user.otp_remove", object_id=str(leader.pk)).exists()
    client.logout()
    assert sign_in(client, "lanhdao")["Location"] == reverse("home")  # no code asked any more


def test_a_confirmed_authenticator_is_not_replaced_without_removing_it(client, leader, clock):
    device = enrolled(leader, clock)
    client.force_login(leader)
    assert client.post(reverse("two-factor"), {"action": "start"}).status_code == 400
    assert list(TOTPDevice.objects.filter(user=leader)) == [device]
    assert client.post(reverse("two-factor"), {"action": "?"}).status_code == 400


def test_the_pages_are_for_signed_in_people(client, leader):
    assert client.get(reverse("two-factor"))["Location"].startswith(reverse("login"))
    assert client.post(reverse("two-factor"), {"action": "start"}).status_code == 302
    assert not TOTPDevice.objects.exists()


def test_the_admin_sign_in_takes_the_same_two_steps(client, admin_user, clock):
    device = enrolled(admin_user, clock)
    url = reverse("admin:login")
    response = sign_in(client, "quantri", url=url, next=reverse("admin:index"))
    assert response["Location"] == reverse("login-code")
    assert not signed_in(client)
    response = give_code(client, code_of(device, clock))
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_refuses_an_unverified_session_of_an_enrolled_person(client, admin_user, clock):
    enrolled(admin_user, clock)
    client.force_login(admin_user)  # signed in without the code
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_an_administrator_without_an_authenticator_uses_the_admin_as_before(client, admin_user):
    response = sign_in(client, "quantri", url=reverse("admin:login"), next=reverse("admin:index"))
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.fixture
def office_leader(small_tree, user_with_role):
    from agencies.choices import Role

    return user_with_role(Role.LEADER, small_tree["P2"], date(2025, 8, 1), username="chutich")


def test_where_the_roles_require_it_they_enrol_before_anything_else(
    client, office_leader, clock, settings
):
    settings.OTP_REQUIRED_ROLES = ["leader"]
    sign_in(client, "chutich")
    assert signed_in(client)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("two-factor")
    api = client.get("/api/v1/assignments/")
    assert api.status_code == 403 and api.json()["code"] == "otp_required"
    assert "hai bước" in api.json()["message"]
    # The enrolment itself is open to them, and once it is confirmed the app is too.
    client.post(reverse("two-factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=office_leader)
    client.post(reverse("two-factor"), {"action": "confirm", "code": code_of(device, clock)})
    assert client.get(reverse("profile")).status_code == 200


def test_a_session_opened_before_the_enrolment_must_sign_in_again(
    client, office_leader, clock, settings
):
    settings.OTP_REQUIRED_ROLES = ["leader"]
    enrolled(office_leader, clock)
    client.force_login(office_leader)  # a session without the code
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not signed_in(client)


def test_other_roles_and_the_default_setting_ask_nothing(
    client, small_tree, user_with_role, settings
):
    from agencies.choices import Role

    officer = user_with_role(Role.OFFICER, small_tree["TC"], date(2025, 8, 1), username="cv")
    settings.OTP_REQUIRED_ROLES = ["leader"]
    client.force_login(officer)
    assert client.get(reverse("profile")).status_code == 200
    assert settings.MIDDLEWARE.count("config.signin.TwoFactorRequiredMiddleware") == 1
