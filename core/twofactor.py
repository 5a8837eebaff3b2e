"""Optional two-factor sign-in (TOTP, django-otp): a person enrols an authenticator app on
their profile, and from then on signing in asks for its 6-digit code after the password
(``config/signin.py``).

One device per person: enrolment makes an unconfirmed ``TOTPDevice`` (a fresh secret, shown
once as a QR code and as text), confirmed by one code from the app; removal needs a code too.
Confirming and removing are audited. Codes are checked by django-otp (each code once, one
step of clock drift either way, its throttle: after n wrong codes the next is refused for
2^(n-1) seconds); the sign-in step also counts wrong codes for the lockout like wrong
passwords (django-axes).
"""

from __future__ import annotations

from base64 import b32encode
from typing import TYPE_CHECKING

import segno
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_record
from .exceptions import InvalidInput

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

DEVICE_NAME = "authenticator"


def confirmed_device(user) -> TOTPDevice | None:
    """The person's confirmed authenticator, if they enrolled one."""
    if getattr(user, "pk", None) is None:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice | None:
    """The authenticator being enrolled (made, not yet confirmed by a code)."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()


def enrolment_start(*, actor: AbstractBaseUser) -> TOTPDevice:
    """A new secret for ``actor``'s authenticator, to confirm with one code. Starting again
    replaces the secret of an enrolment not yet confirmed; with a confirmed authenticator,
    remove it first."""
    with transaction.atomic():
        if confirmed_device(actor) is not None:
            raise InvalidInput(
                _("Two-factor sign-in is already on. Remove the authenticator first."),
                code="otp_already_on",
            )
        TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)


def enrolment_cancel(*, actor: AbstractBaseUser) -> None:
    """Forget an enrolment not yet confirmed (its secret)."""
    TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).delete()


def code_check(device: TOTPDevice, code: str) -> bool:
    """Whether ``code`` is the device's current code (once each, within django-otp's throttle),
    checked with the device locked so that two requests cannot both use one code."""
    code = (code or "").replace(" ", "")
    if not (code.isdigit() and len(code) == device.digits):
        # Still a wrong code for the throttle: a malformed guess is a guess.
        device.throttle_increment(commit=True)
        return False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        verified = locked.verify_token(code)
    device.refresh_from_db()
    return verified


def wait_seconds(device: TOTPDevice) -> int | None:
    """How long django-otp's throttle makes the next code wait, or None."""
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return None
    from django.utils import timezone

    return max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)


def enrolment_confirm(*, actor: AbstractBaseUser, code: str) -> TOTPDevice:
    """Turn two-factor sign-in on: the code shows the app holds the secret."""
    device = pending_device(actor)
    if device is None:
        raise InvalidInput(
            _("Start the enrolment again: no authenticator is waiting to be confirmed."),
            code="otp_no_enrolment",
        )
    _require_code(device, code)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=actor, verb="user.otp_enrol", obj=actor, new={"device": device.pk})
    return device


def device_remove(*, actor: AbstractBaseUser, code: str) -> None:
    """Turn two-factor sign-in off, with a current code from the app (whoever holds only the
    open session cannot turn it off)."""
    device = confirmed_device(actor)
    if device is None:
        raise InvalidInput(_("Two-factor sign-in is not on."), code="otp_not_on")
    _require_code(device, code)
    with transaction.atomic():
        audit_record(actor=actor, verb="user.otp_remove", obj=actor, old={"device": device.pk})
        TOTPDevice.objects.filter(user_id=actor.pk).delete()


def _require_code(device: TOTPDevice, code: str) -> None:
    wait = wait_seconds(device)
    if wait is not None:
        raise InvalidInput(wrong_code_message(wait), code="otp_throttled")
    if not code_check(device, code):
        raise InvalidInput(wrong_code_message(None), code="otp_wrong_code")


def wrong_code_message(wait: int | None) -> str:
    if wait is None:
        return _("The code is wrong or has expired. Enter the 6 digits the app shows now.")
    return _(
        "Too many wrong codes: wait {seconds} seconds, then enter the code the app shows."
    ).format(seconds=wait)


def secret_text(device: TOTPDevice) -> str:
    """The secret as the apps take it when typed (base32), in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// URL of the device as an inline SVG QR code (no image request, no
    script: the Content-Security-Policy allows neither from elsewhere)."""
    code = segno.make(device.config_url, error="m")
    return mark_safe(  # noqa: S308 — segno's own SVG of a URL built here
        code.svg_inline(scale=4, border=3, dark="#000", light="#fff", title=_("QR code"))
    )


def profile_section(request) -> dict:
    """The profile page's section (``core.profile``)."""
    return {"device": confirmed_device(request.user), "pending": pending_device(request.user)}
