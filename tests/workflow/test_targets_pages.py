"""Targets on the pages and in the API: an item's targets with their status and values, the
entry forms, the evidence files, the confirmation and the correction; each allowance beside its
denial, bad input never a 500."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import AuditEvent
from core.time import local_date
from workflow.choices import Period
from workflow.models import Indicator, Measurement, MeasurementEvidence
from workflow.services import indicator_create, measurement_confirm, measurement_report
from workflow.targets import indicator_status


def _report(indicator, people, year=2025, value=99):
    return measurement_report(
        actor=people["officer"],
        indicator=indicator,
        period=Period.YEARLY,
        year=year,
        value=Decimal(value),
        evidence_note="Báo cáo năm.",
    )


# Pages ----------------------------------------------------------------------------------------


def test_the_item_page_shows_status_and_values_to_the_reporting_agency_only(
    client, indicator, people
):
    _report(indicator, people)
    url = reverse("workflow:item_indicators", args=[indicator.item_id])
    client.force_login(people["officer"])
    page = client.get(url).content.decode()
    assert "Tỷ lệ giải ngân vốn đầu tư công" in page
    assert "Báo cáo năm." in page and "Sở Tài chính" in page  # the agency by its name
    assert reverse("workflow:measurement_report", args=[indicator.pk]) in page
    client.force_login(people["other_officer"])
    page = client.get(url).content.decode()
    assert "Tỷ lệ giải ngân vốn đầu tư công" in page and "Báo cáo năm." not in page
    assert reverse("workflow:measurement_report", args=[indicator.pk]) not in page


def test_the_office_adds_a_target_on_its_page_and_an_officer_cannot(client, item, people):
    url = reverse("workflow:indicator_create", args=[item.pk])
    data = {
        "name": "Chỉ số SIPAS",
        "unit": "%",
        "target_min": "85",
        "direction": "higher",
        "due_on": "31/12/2026",
        "agency": "NV",
    }
    client.force_login(people["officer"])
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert not Indicator.objects.exists()
    client.force_login(people["reviewer"])
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302
    made = Indicator.objects.get()
    assert made.due_on == date(2026, 12, 31) and made.agency.code == "NV"


def test_a_reversed_range_is_a_form_error_not_a_500(client, item, people):
    client.force_login(people["reviewer"])
    url = reverse("workflow:indicator_create", args=[item.pk])
    response = client.post(
        url, {"name": "X", "target_min": "10", "target_max": "5", "direction": "higher"}
    )
    assert response.status_code == 400
    assert not Indicator.objects.exists()
    response = client.post(url, {"name": "X", "target_min": "abc", "direction": "sideways"})
    assert response.status_code == 400


def test_the_office_corrects_a_target_and_the_head_cannot(client, indicator, people):
    url = reverse("workflow:indicator_edit", args=[indicator.pk])
    data = {"name": "Tỷ lệ mới", "target_min": "97", "direction": "higher", "agency": "TC"}
    client.force_login(people["head"])
    assert client.post(url, data).status_code == 403
    client.force_login(people["reviewer"])
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.name == "Tỷ lệ mới" and indicator.target_min == Decimal(97)


def test_the_agency_reports_on_its_page_and_another_cannot(client, indicator, people):
    url = reverse("workflow:measurement_report", args=[indicator.pk])
    data = {"period": "quarterly", "year": "2025", "number": "3", "value": "97,5"}
    client.force_login(people["other_officer"])
    assert client.post(url, data).status_code == 403
    client.force_login(people["officer"])
    assert client.post(url, {**data, "number": "5"}).status_code == 400
    assert not Measurement.objects.exists()
    response = client.post(url, {**data, "value": "97.5"})
    assert response.status_code == 302
    assert Measurement.objects.get().value == Decimal("97.5")
    assert client.post(url, {**data, "value": "97.5"}).status_code == 409  # reported already


def test_the_office_confirms_on_the_page_and_the_head_cannot(client, indicator, people):
    measurement = _report(indicator, people)
    url = reverse("workflow:measurement_confirm", args=[measurement.pk])
    client.force_login(people["head"])
    assert client.post(url).status_code == 403
    client.force_login(people["other_officer"])
    assert client.post(url).status_code == 404
    client.force_login(people["reviewer"])
    page = client.get(reverse("workflow:item_indicators", args=[indicator.item_id]))
    assert url in page.content.decode()
    assert client.post(url).status_code == 302
    measurement.refresh_from_db()
    assert measurement.confirmed_by == people["reviewer"]
    assert client.post(url).status_code == 409


@pytest.mark.parametrize("n", [1, 10])
def test_the_item_page_costs_the_same_for_one_or_many(
    n, client, item, people, small_tree, django_assert_max_num_queries
):
    for k in range(n):
        made = indicator_create(
            actor=people["reviewer"],
            item=item,
            name=f"Chỉ tiêu {k}",
            target_min=Decimal(k),
            agency=small_tree["TC"],
        )
        for year in (2024, 2025):
            m = _report(made, people, year=year, value=k)
            measurement_confirm(actor=people["reviewer"], measurement=m)
    client.force_login(people["reviewer"])
    url = reverse("workflow:item_indicators", args=[item.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<section class="card item indicator') == n


# API ------------------------------------------------------------------------------------------


def test_the_api_sets_reports_and_confirms_a_target(client, item, people):
    client.force_login(people["reviewer"])
    response = client.post(
        "/api/v1/indicators/",
        {
            "item": item.pk,
            "name": "Chỉ số PAPI",
            "target_max": "20",
            "direction": "lower",
            "agency": "TC",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    key = response.json()["id"]
    assert response.json()["status"] == "in_progress"
    client.force_login(people["officer"])
    response = client.post(
        f"/api/v1/indicators/{key}/report/",
        {"period": "yearly", "year": 2025, "value": "18"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    measurement = response.json()["id"]
    assert client.post(f"/api/v1/measurements/{measurement}/confirm/").status_code == 403
    client.force_login(people["reviewer"])
    assert client.post(f"/api/v1/measurements/{measurement}/confirm/").status_code == 200
    body = client.get(f"/api/v1/indicators/{key}/").json()
    assert body["status"] == "met" and body["agency_name"] == "Sở Tài chính"
    assert AuditEvent.objects.filter(verb__startswith="measurement.").count() == 2


def test_the_api_refuses_with_the_error_shape(client, indicator, item, people):
    client.force_login(people["officer"])
    response = client.post(
        "/api/v1/indicators/",
        {"item": item.pk, "name": "X", "target_min": "1", "direction": "higher"},
        content_type="application/json",
    )
    assert response.status_code == 403 and {"code", "message"} <= response.json().keys()
    client.force_login(people["reviewer"])
    for body in ({"item": "abc"}, {"item": 999999}, {"item": item.pk, "target_min": "x"}):
        response = client.post("/api/v1/indicators/", body, content_type="application/json")
        assert response.status_code == 400, body
        assert {"code", "message", "errors"} <= response.json().keys()
    client.force_login(people["officer"])
    response = client.post(
        f"/api/v1/indicators/{indicator.pk}/report/",
        {"period": "monthly", "year": 2025, "number": 13, "value": "1"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "errors" in response.json()
    assert not Measurement.objects.exists()


def test_the_api_lists_only_what_the_person_may_see(
    client, indicator, people, django_assert_max_num_queries
):
    _report(indicator, people)
    client.force_login(people["other_officer"])
    assert client.get("/api/v1/measurements/").json()["count"] == 0
    assert client.get(f"/api/v1/indicators/?item={indicator.item_id}").json()["count"] == 1
    client.force_login(people["officer"])
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/measurements/").json()["count"] == 1
    expected = indicator_status(
        value=None,
        target_min=indicator.target_min,
        target_max=indicator.target_max,
        direction=indicator.direction,
        due_on=indicator.due_on,
        today=local_date(),
    )
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/indicators/").json()["results"][0]["status"] == expected


# Evidence files and corrections -----------------------------------------------------------


@pytest.fixture
def memory_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def _png(name="minh-chung.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_evidence_files_are_listed_and_served_only_to_who_sees_the_value(
    client, indicator, people, memory_storage
):
    url = reverse("workflow:measurement_report", args=[indicator.pk])
    data = {"period": "yearly", "year": "2025", "value": "97", "evidence_note": "Báo cáo năm."}
    client.force_login(people["officer"])
    response = client.post(url, {**data, "files": [_png("Báo cáo quý.png")]})
    assert response.status_code == 302
    row = MeasurementEvidence.objects.get()
    served = reverse("workflow:measurement_evidence", args=[row.pk])
    page = client.get(reverse("workflow:item_indicators", args=[indicator.item_id]))
    html = page.content.decode()
    assert served in html and "Báo cáo quý.png" in html
    assert row.file.name not in html  # never the storage address
    response = client.get(served)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    body = client.get(f"/api/v1/measurements/{row.measurement_id}/").json()
    assert body["evidence_files"][0]["url"] == served
    assert body["evidence_files"][0]["name"] == "Báo cáo quý.png"
    client.force_login(people["other_officer"])
    assert client.get(served).status_code == 404
    client.logout()
    assert client.get(served).status_code == 302  # to the sign-in page


def test_a_rejected_file_keeps_what_was_typed_and_reports_nothing(
    client, indicator, people, memory_storage
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["officer"])
    url = reverse("workflow:measurement_report", args=[indicator.pk])
    fake = SimpleUploadedFile("bao-cao.pdf", b"not a pdf at all")
    response = client.post(
        url,
        {
            "period": "yearly",
            "year": "2025",
            "value": "97",
            "evidence_note": "Ghi chú",
            "files": [fake],
        },
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "bao-cao.pdf" in html and "Ghi chú" in html and 'value="97"' in html
    assert not Measurement.objects.exists() and not MeasurementEvidence.objects.exists()


def test_the_agency_corrects_on_the_page_before_confirmation_and_not_after(
    client, indicator, people
):
    measurement = _report(indicator, people)
    url = reverse("workflow:measurement_correct", args=[measurement.pk])
    client.force_login(people["other_officer"])
    assert client.get(url).status_code == 404
    client.force_login(people["officer"])
    page = client.get(reverse("workflow:item_indicators", args=[indicator.item_id]))
    assert url in page.content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, {"value": "98", "note": ""}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400 and 'value="98"' in response.content.decode()
    assert "Hãy nêu lý do điều chỉnh." in response.content.decode()
    measurement.refresh_from_db()
    assert measurement.value == Decimal(99)
    response = client.post(url, {"value": "98", "note": "Nhập nhầm."})
    assert response.status_code == 302
    measurement.refresh_from_db()
    assert measurement.value == Decimal(98)
    measurement_confirm(actor=people["reviewer"], measurement=measurement)
    assert client.get(url).status_code == 403
    assert client.post(url, {"value": "97", "note": "Lại sai."}).status_code == 403
    page = client.get(reverse("workflow:item_indicators", args=[indicator.item_id]))
    assert url not in page.content.decode()
    client.force_login(people["reviewer"])
    assert client.post(url, {"value": "97", "note": "Theo kiểm tra."}).status_code == 302
    measurement.refresh_from_db()
    assert measurement.value == Decimal(97) and measurement.confirmed_by == people["reviewer"]
    assert AuditEvent.objects.filter(verb="measurement.correct").count() == 2


def test_the_api_corrects_a_value_with_the_error_shape_on_refusal(client, indicator, people):
    measurement = _report(indicator, people)
    path = f"/api/v1/measurements/{measurement.pk}/correct/"
    client.force_login(people["other_officer"])
    assert (
        client.post(path, {"value": "90", "note": "x"}, content_type="application/json").status_code
        == 404
    )
    client.force_login(people["reviewer"])
    response = client.post(path, {"value": "90"}, content_type="application/json")
    assert response.status_code == 400
    assert {"code", "message", "errors"} <= response.json().keys()
    assert "note" in response.json()["errors"]
    response = client.post(
        path, {"value": "99", "note": "Không đổi."}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "value_unchanged"
    measurement.refresh_from_db()
    assert measurement.value == Decimal(99) and measurement.corrected_at is None
    response = client.post(
        path, {"value": "90", "note": "Theo kiểm tra."}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["value"] == "90.0000" and body["corrected_by"] == people["reviewer"].username
    assert body["confirmed_at"] is None  # corrected before any confirmation: still to confirm
