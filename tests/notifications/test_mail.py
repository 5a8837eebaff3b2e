"""Mail that works outside the app: absolute links, and the digest at the configured hour."""

from django.core import mail

from escalation.sweep import sweep
from notifications.models import Digest
from notifications.services import digests_send, urgent_send
from tests.fixtures.workflow import vn


def with_mail(people):
    for name, user in people.items():
        user.email = f"{name}@example.vn"
        user.save(update_fields=["email"])


def test_links_in_mail_are_absolute(
    settings, assignment, people, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://dondoc.quangtri.gov.vn"
    with_mail(people)
    sweep(now=vn(2026, 6, 1, 6), send_mail=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert urgent_send(at=vn(2026, 6, 1, 6)) > 0
    body = mail.outbox[0].body
    assert "https://dondoc.quangtri.gov.vn/escalations/?" in body
    assert "\n  /" not in body  # no link left relative


def test_the_sweep_sends_the_digest_during_the_configured_hour_only(
    settings, assignment, people, django_capture_on_commit_callbacks
):
    settings.DIGEST_HOUR = 7
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep(now=vn(2026, 2, 24, 10))  # the first pass of a server started at 10:00
    assert report.digests == 0 and not Digest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep(now=vn(2026, 2, 25, 7, 5))
    assert report.digests > 0
    assert Digest.objects.filter(recipient=people["head"]).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(now=vn(2026, 2, 25, 7, 10)).digests == 0  # once a day


def test_a_digest_link_is_absolute_too(
    settings, assignment, people, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://10.0.0.5:8080"
    with_mail(people)
    sweep(now=vn(2026, 2, 24, 6), send_mail=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(at=vn(2026, 2, 24, 7)) >= 1
    assert any(f"http://10.0.0.5:8080/assignments/{assignment.pk}/" in m.body for m in mail.outbox)
