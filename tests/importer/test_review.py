"""The review screen and the API: paste → proposed breakdown → confirm, for reviewers only."""

from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from agencies.models import User
from workflow.models import Assignment, Directive

from .conftest import REFERENCE_TEXT

pytestmark = pytest.mark.slow

URL = "/directives/import/"


@pytest.fixture(scope="module")
def demo_users(module_db, reference_tree_shared, django_db_blocker):
    """The demo users, created once for this module (``module_db``)."""
    assert reference_tree_shared
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=StringIO())


@pytest.fixture
def users(demo_users, reference_tree):
    return {u.username: u for u in User.objects.all()}


def paste(client, text, **extra):
    return client.post(URL, {"text": text, "on": "01/08/2022", **extra})


def test_pasting_the_reference_proposes_its_items_and_agencies(client, users):
    client.force_login(users["chuyenvien.vp"])
    response = paste(client, REFERENCE_TEXT.read_text(encoding="utf-8"))
    assert response.status_code == 200
    html = response.content.decode()
    document = response.context["document"]
    assert [i["number"] for i in document["items"]] == [str(n) for n in range(1, 16)]
    assert html.count('class="card item"') == 15
    assert '<mark class="m-agency">Văn phòng UBND tỉnh</mark>' in html
    # Matched agencies by their names on the directive's date, not their codes.
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Quảng Trị" in html and "Kho bạc Nhà nước" in html
    assert "<td>QT-MTTQ</td>" not in html and "<td>QT-KBNN</td>" not in html
    # Recurring reports as the office writes them, collectives by their names.
    assert "trước ngày 15 các tháng 6 và 12" in html
    assert Directive.objects.count() == 0  # nothing until confirmed


def test_confirming_creates_everything(client, users):
    client.force_login(users["chuyenvien.vp"])
    document = paste(client, REFERENCE_TEXT.read_text(encoding="utf-8")).context["document"]
    import json

    response = client.post(URL, {"document": json.dumps(document)})
    assert response.status_code == 302
    directive = Directive.objects.get()
    assert directive.items.count() == 15
    assert set(
        Assignment.objects.filter(item__number="12").values_list("agency__code", flat=True)
    ) >= {"QT-SNV", "QT-VPUBND", "QT-SKHDT"}
    assert directive.issued_on == date(2022, 8, 1)


def test_a_breakdown_naming_an_agency_that_did_not_exist_is_refused(client, users):
    client.force_login(users["chuyenvien.vp"])
    document = paste(client, REFERENCE_TEXT.read_text(encoding="utf-8")).context["document"]
    document["items"][11]["agencies"][0]["matched"] = "QT-SNNMT"  # founded in 2025
    import json

    response = client.post(URL, {"document": json.dumps(document)})
    assert response.status_code == 400
    assert "QT-SNNMT" in response.content.decode()
    assert Directive.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"text": ""}, "Dán nội dung"),
        (
            {"text": "Hello world. This is not a directive at all, only English words here."},
            "tiếng Việt",
        ),
        ({"text": "Chỉ thị về cải cách hành chính, không có nội dung đánh số."}, "đánh số"),
    ],
)
def test_bad_text_gets_a_clear_vietnamese_message(client, users, payload, message):
    client.force_login(users["chuyenvien.vp"])
    response = client.post(URL, {**payload, "on": "01/08/2022"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Directive.objects.count() == 0


def test_a_renamed_binary_and_a_huge_upload_are_refused(client, users):
    client.force_login(users["chuyenvien.vp"])
    fake = SimpleUploadedFile("chi-thi.docx", b"PK\x03\x04 not a document")
    response = client.post(URL, {"file": fake, "on": "01/08/2022"})
    assert response.status_code == 400
    assert "Word" in response.content.decode()
    huge = SimpleUploadedFile("chi-thi.txt", b"1" * (20 * 1024 * 1024))
    response = client.post(URL, {"file": huge, "on": "01/08/2022"})
    assert response.status_code == 400
    assert "MB" in response.content.decode()


def test_only_reviewers_import(client, users):
    client.force_login(users["giamdoc.stc"])
    assert client.get(URL).status_code == 404
    response = client.post(
        "/api/v1/imports/parse/", {"text": "1. Sở Nội vụ chủ trì.", "on": "2022-08-01"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    # The page refuses them before reading what they send, valid or not.
    for data in ({"text": "1. Sở Nội vụ chủ trì.", "on": "01/08/2022"}, {}):
        assert client.post(URL, data).status_code == 403
    assert not Directive.objects.exists()


def test_the_api_parses_without_side_effects_then_confirms(client, users):
    client.force_login(users["chuyenvien.vp"])
    response = client.post(
        "/api/v1/imports/parse/",
        {"text": REFERENCE_TEXT.read_text(encoding="utf-8"), "on": "2022-08-01"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    document = response.json()
    item14 = next(i for i in document["items"] if i["number"] == "14")
    assert {(a["matched"], a["modality"]) for a in item14["agencies"]} >= {("QT-MTTQ", "request")}
    assert Directive.objects.count() == 0
    response = client.post(
        "/api/v1/imports/confirm/", {"document": document}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["items"]) == 15
    response = client.post(
        "/api/v1/imports/parse/", {"text": "", "on": "2022-08-01"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
