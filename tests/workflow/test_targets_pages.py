"""Targets on the pages and in the API: an item's targets with their status and values, the
entry forms, the confirmation; each allowance beside its denial, bad input never a 500."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import AuditEvent
from core.time import local_date
from workflow.choices import Period
from workflow.models import Indicator, Measurement
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
