"""The public page shows each public item's targets — name, unit, baseline, target, target year,
the latest value the office confirmed with its period, and met / at risk / missed / in progress
— in the page, the JSON and a CSV of their own, and nothing private about them: not who
reported or confirmed a value, not its evidence, not a value still awaiting the office."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.time import local_date
from workflow.choices import IndicatorDirection, IndicatorStatus, Period
from workflow.models import Measurement
from workflow.services import (
    indicator_create,
    measurement_confirm,
    measurement_report,
    publication_publish,
)

pytestmark = pytest.mark.django_db

PUBLIC = reverse("dashboards:public")
EVIDENCE = "Ghi chú minh chứng nội bộ số 7731"
REPORTER = ("Nguyễn", "Văn Báocáo")
CONFIRMER = ("Trần", "Thị Xácnhận")
UNCONFIRMED = Decimal("77.31")  # a value reported, not yet confirmed by the office


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _name(person, last, first):
    person.last_name, person.first_name, person.full_name = last, first, f"{last} {first}"
    person.save(update_fields=["last_name", "first_name", "full_name"])


@pytest.fixture
def targets(people, small_tree, directive):
    """Item 2 public with two targets: one met by a confirmed 2025 value (a later period's
    value reported, not confirmed), one not met due in a month (at risk); item 1, not public,
    with a target of its own."""
    _name(people["officer"], *REPORTER)
    _name(people["reviewer"], *CONFIRMER)
    one, two = directive.items.get(number="1"), directive.items.get(number="2")
    today = local_date()
    share = indicator_create(
        actor=people["reviewer"],
        item=two,
        name="Tỷ lệ hồ sơ giải quyết đúng hạn",
        unit="%",
        baseline=Decimal("82.5"),
        target_min=Decimal(95),
        target_max=Decimal(95),
        target_year=today.year + 1,
        due_on=date(today.year + 1, 12, 31),
        agency=small_tree["TC"],
    )
    reported = measurement_report(
        actor=people["officer"],
        indicator=share,
        period=Period.YEARLY,
        year=2025,
        value=Decimal("96.4"),
        evidence_note=EVIDENCE,
    )
    measurement_confirm(actor=people["reviewer"], measurement=reported)
    measurement_report(
        actor=people["officer"],
        indicator=share,
        period=Period.HALF_YEARLY,
        year=2026,
        number=1,
        value=UNCONFIRMED,
        evidence_note=EVIDENCE,
    )
    time = indicator_create(
        actor=people["reviewer"],
        item=two,
        name="Cắt giảm thời gian giải quyết",
        unit="%",
        target_min=Decimal(20),
        target_max=Decimal(25),
        direction=IndicatorDirection.HIGHER,
        due_on=date.fromordinal(today.toordinal() + 30),
        agency=small_tree["TC"],
    )
    indicator_create(
        actor=people["reviewer"],
        item=one,
        name="Chỉ tiêu của nội dung chưa công khai",
        target_min=Decimal(1),
        agency=small_tree["TC"],
    )
    publication_publish(actor=people["reviewer"], directive=directive, items=[two])
    return {"share": share, "time": time}


def test_each_public_item_shows_its_targets_with_their_status(client, targets):
    response = client.get(PUBLIC, HTTP_ACCEPT_LANGUAGE="vi")
    html = response.content.decode()
    [directive] = response.context["report"].directives
    [item] = directive.items
    share, time = item.indicators
    assert (share.name, share.unit, share.baseline) == (
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "%",
        Decimal("82.5"),
    )
    assert share.latest_value == Decimal("96.4") and share.latest_period == "2025"
    assert share.status == IndicatorStatus.MET
    assert time.latest_value is None and time.status == IndicatorStatus.AT_RISK
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in html and "Cắt giảm thời gian giải quyết" in html
    assert "96,4" in html or "96.4" in html
    assert str(IndicatorStatus.MET.label) in html and str(IndicatorStatus.AT_RISK.label) in html
    assert "từ 20 đến 25" in html  # the range, as a reader says it


def test_the_public_page_leaks_nothing_private_about_the_targets(client, targets):
    for name in ("dashboards:public", "dashboards:public_json", "dashboards:public_indicators_csv"):
        body = client.get(reverse(name)).content.decode("utf-8-sig")
        assert EVIDENCE not in body, name
        for last, first in (REPORTER, CONFIRMER):
            assert first not in body and f"{last} {first}" not in body, name
        assert "77.31" not in body and "77,31" not in body, name  # not confirmed yet
        assert "Chỉ tiêu của nội dung chưa công khai" not in body, name  # item 1 is not public
        assert "officer" not in body and "reviewer" not in body, name


def test_the_json_holds_each_items_targets(client, targets):
    data = json.loads(client.get(reverse("dashboards:public_json")).content)
    [item] = data["directives"][0]["items"]
    [share, time] = item["indicators"]
    assert share["name"] == "Tỷ lệ hồ sơ giải quyết đúng hạn"
    assert Decimal(share["latest_value"]) == Decimal("96.4") and share["latest_period"] == "2025"
    assert share["status"] == "met" and time["status"] == "at_risk"
    assert set(share) == {
        "name",
        "unit",
        "baseline",
        "target_min",
        "target_max",
        "direction",
        "target_year",
        "due_on",
        "latest_value",
        "latest_period",
        "status",
    }


def test_the_targets_have_a_csv_of_their_own_and_the_figures_csv_keeps_its_columns(client, targets):
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("dashboards:public_indicators_csv")).content.decode("utf-8-sig")
            )
        )
    )
    assert len(rows) == 3 and len(rows[0]) == 14
    share = rows[1]
    assert share[:4] == ["05/CT-UBND", "2", "Tỷ lệ hồ sơ giải quyết đúng hạn", "%"]
    assert share[4:7] == ["82.5", "95", "95"] and share[10:12] == ["96.4", "2025"]
    figures = list(
        csv.reader(
            io.StringIO(client.get(reverse("dashboards:public_csv")).content.decode("utf-8-sig"))
        )
    )
    assert len(figures[0]) == 10  # directive, title, agency code, name, 5 counts, updated at


def test_the_page_links_the_targets_csv(client, targets):
    assert reverse("dashboards:public_indicators_csv") in client.get(PUBLIC).content.decode()


def _queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PUBLIC).status_code == 200
    return len(queries)


def test_more_targets_cost_no_more_queries(client, targets, people, directive):
    few = _queries(client)
    two = directive.items.get(number="2")
    for n in range(5):
        made = indicator_create(
            actor=people["reviewer"], item=two, name=f"Chỉ tiêu {n}", target_min=Decimal(n + 1)
        )
        Measurement.objects.create(
            indicator=made,
            agency=made.item.directive.issuer,
            period=Period.YEARLY,
            year=2025,
            period_end=date(2025, 12, 31),
            value=Decimal(n),
            reported_by=people["officer"],
            confirmed_by=people["reviewer"],
            confirmed_at=timezone.now(),
        )
    assert _queries(client) == few <= 6  # the revision, then five reads
