"""An interrupted upload changes nothing.

What Django 5.2 does with a body cut short (django/core/handlers/wsgi.py, LimitedStream;
django/http/multipartparser.py, MultiPartParser): LimitedStream stops at CONTENT_LENGTH but
hands over whatever the connection gave, and a short read is simply the end of the body. The
parser keeps every text field read so far; a file part with no boundary after it is never
completed (the upload handlers get ``upload_interrupted()``) and is left out of request.FILES,
without an error. So a report cut during its file was filed, and its step taken, with no
evidence. ``core.middleware.CompleteBodyMiddleware`` reads the body before any view and answers
400 when fewer bytes arrived than declared, when a multipart body lacks its closing delimiter,
or when reading failed.

Every request here goes through the real WSGI handler (django.test.Client) with a hand-built
``wsgi.input`` shorter than its CONTENT_LENGTH.
"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from core.models import AuditEvent
from tests.security.evidence_samples import pdf_bytes
from workflow.choices import AssignmentState
from workflow.models import Attachment, ProgressReport
from workflow.services import assignment_receive

API = "/api/v1"
TEXT = "Đã hoàn thành, báo cáo kèm theo."
EVIDENCE = pdf_bytes(b"x" * 20_000)
INCOMPLETE = "Yêu cầu gửi đến không đầy đủ"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(client, assignment, people, media):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    client.force_login(people["officer"])
    return client


def page_url(assignment, step="report"):
    return reverse("workflow:step", args=[assignment.pk, step])


def api_url(assignment, step="report"):
    return f"{API}/assignments/{assignment.pk}/{step}/"


def report_body(surface) -> bytes:
    prefix = "report-" if surface == "page" else ""
    upload = SimpleUploadedFile("ket-qua.pdf", EVIDENCE, content_type="application/pdf")
    return encode_multipart(BOUNDARY, {f"{prefix}text": TEXT, f"{prefix}files": upload})


def send(client, url, sent: bytes, declared: int, content_type=MULTIPART_CONTENT, stream=None):
    """POST ``sent`` while declaring ``declared`` bytes, as a client whose connection dropped."""
    return client.generic(
        "POST",
        url,
        sent,
        content_type=content_type,
        CONTENT_LENGTH=str(declared),
        **{"wsgi.input": stream or io.BytesIO(sent)},
    )


def url_for(surface, assignment, step="report"):
    return page_url(assignment, step) if surface == "page" else api_url(assignment, step)


def assert_refused(response, surface):
    assert response.status_code == 400
    if surface == "api":
        body = response.json()
        assert body["code"] == "incomplete_request"
        assert body["message"].startswith(INCOMPLETE)
    else:
        assert INCOMPLETE in response.content.decode()


def assert_nothing_changed(assignment, media, events):
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.IN_PROGRESS
    assert not ProgressReport.objects.exists() and not Attachment.objects.exists()
    assert AuditEvent.objects.count() == events
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_django_alone_keeps_the_text_and_drops_the_file_of_a_short_body():
    """The behaviour the guard exists for (no middleware: the bare request)."""
    body = report_body("page")
    cut = body.index(EVIDENCE) + 1000
    request = RequestFactory().generic(
        "POST",
        "/",
        body[:cut],
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": io.BytesIO(body[:cut])},
    )
    assert request.POST["report-text"] == TEXT
    assert "report-files" not in request.FILES  # silently dropped, no error


def test_the_whole_body_sent_the_same_way_goes_through(officer, assignment):
    body = report_body("page")
    response = send(officer, page_url(assignment), body, len(body))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.REPORTED
    assert Attachment.objects.get().size == len(EVIDENCE)


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(
    "where",
    ["in the file", "before the file", "in the text", "after the file, before the end"],
)
def test_a_body_shorter_than_its_content_length_changes_nothing(
    officer, assignment, media, surface, where
):
    events = AuditEvent.objects.count()
    body = report_body(surface)
    cut = {
        "in the file": body.index(EVIDENCE) + len(EVIDENCE) // 2,
        "before the file": body.index(b'filename="ket-qua.pdf"') - 60,
        "in the text": body.index(TEXT.encode()) + 5,
        "after the file, before the end": len(body) - 3,
    }[where]
    assert_refused(send(officer, url_for(surface, assignment), body[:cut], len(body)), surface)
    assert_nothing_changed(assignment, media, events)


@pytest.mark.parametrize("surface", ["page", "api"])
def test_a_file_part_cut_short_changes_nothing_even_when_the_length_agrees(
    officer, assignment, media, surface
):
    """A proxy that forwards what it received, with a Content-Length to match."""
    events = AuditEvent.objects.count()
    body = report_body(surface)
    sent = body[: body.index(EVIDENCE) + len(EVIDENCE) // 2]
    assert_refused(send(officer, url_for(surface, assignment), sent, len(sent)), surface)
    assert_nothing_changed(assignment, media, events)


@pytest.mark.parametrize("surface", ["page", "api"])
def test_a_multipart_body_without_its_closing_delimiter_changes_nothing(
    officer, assignment, media, surface
):
    events = AuditEvent.objects.count()
    body = report_body(surface)
    sent = body[: body.rindex(b"--" + BOUNDARY.encode() + b"--")]
    assert_refused(send(officer, url_for(surface, assignment), sent, len(sent)), surface)
    assert_nothing_changed(assignment, media, events)


class Reset(io.BytesIO):
    """A connection reset by the client after ``n`` bytes."""

    def __init__(self, data, n):
        super().__init__(data[:n])

    def read(self, size=-1, /):
        data = super().read(size)
        if not data:
            raise ConnectionResetError(104, "Connection reset by peer")
        return data


@pytest.mark.parametrize("surface", ["page", "api"])
def test_a_connection_reset_during_the_upload_changes_nothing(officer, assignment, media, surface):
    events = AuditEvent.objects.count()
    body = report_body(surface)
    cut = body.index(EVIDENCE) + 500
    stream = Reset(body, cut)
    response = send(officer, url_for(surface, assignment), body[:cut], len(body), stream=stream)
    assert_refused(response, surface)
    assert_nothing_changed(assignment, media, events)


def test_a_short_form_body_changes_nothing(client, assignment, people):
    client.force_login(people["head"])
    body = b"receive-assignee=officer"
    response = send(
        client,
        page_url(assignment, "receive"),
        body[:10],
        len(body),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert INCOMPLETE in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.NEW


def test_a_short_json_body_in_the_api_changes_nothing(client, assignment, people):
    client.force_login(people["head"])
    body = json.dumps({"assignee": "officer", "note": "x" * 200}).encode()
    cut = body.index(b'"note"') - 2  # what arrived is itself valid JSON
    response = send(
        client, api_url(assignment, "receive"), body[:cut] + b"}", len(body), "application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "incomplete_request"
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.NEW


def test_a_malformed_multipart_body_is_a_clear_400(officer, assignment, media):
    body = b"--x\r\nnot a part at all"
    response = send(
        officer, api_url(assignment), body, len(body), content_type="multipart/form-data"
    )  # no boundary in the content type
    assert response.status_code == 400
    assert response.json()["code"] == "unreadable_request"
    assert not ProgressReport.objects.exists()
