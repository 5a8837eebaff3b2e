"""In Chromium: a citizen opens the public page without signing in and reads an item's target
with its status; a leader opens the province overview and its charts are drawn as SVG — the
index ranks against the target among them — with the same numbers in their tables; a head
opens the agency dashboard, what is due this week first. Phone-sized and desktop."""

from datetime import date
from decimal import Decimal

import pytest

from core.time import local_date
from escalation.sweep import sweep
from tests.browser.conftest import DESK, PHONE, open_as
from tests.fixtures.workflow import vn
from workflow.choices import IndicatorDirection
from workflow.indices import MERGER_YEAR
from workflow.services import (
    index_result_save,
    indicator_create,
    measurement_confirm,
    measurement_report,
    publication_publish,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVIDENCE = "Ghi chú minh chứng nội bộ"


@pytest.fixture
def figures(assignment, directive, small_tree, people):
    """Ranks for four years of PAR Index and two of SIPAS; item 2 public with a target whose
    value the office confirmed."""
    for index, rows in (
        ("par_index", ((2022, 44), (2023, 37), (2024, 29), (2025, 17))),
        ("sipas", ((2024, 31), (2025, 22))),
    ):
        for year, rank in rows:
            index_result_save(
                actor=people["reviewer"],
                index=index,
                year=year,
                score=Decimal("71.5"),
                rank=rank,
                rank_of=63 if year < MERGER_YEAR else 34,
            )
    two = directive.items.get(number="2")
    indicator = indicator_create(
        actor=people["reviewer"],
        item=two,
        name="Tỷ lệ hồ sơ giải quyết đúng hạn",
        unit="%",
        target_min=Decimal(95),
        direction=IndicatorDirection.HIGHER,
        due_on=date(local_date().year + 2, 12, 31),
        agency=small_tree["TC"],
    )
    value = measurement_report(
        actor=people["officer"],
        indicator=indicator,
        period="yearly",
        year=2025,
        value=Decimal("96.4"),
        evidence_note=EVIDENCE,
    )
    measurement_confirm(actor=people["reviewer"], measurement=value)
    publication_publish(actor=people["reviewer"], directive=directive, items=[two])
    sweep(now=vn(2026, 6, 1), send_mail=False)
    return indicator


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_a_citizen_reads_the_targets_on_the_public_page(
    live_server, browser, figures, viewport, artefact
):
    context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.goto(f"{live_server.url}/cong-khai/")
    assert "/accounts/login/" not in page.url
    table = page.locator("table.public-indicators")
    text = table.inner_text()
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in text and "Đạt" in text and "96,4" in text
    assert EVIDENCE not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]  # nothing wider than the screen
    artefact(page, f"public-{viewport['width']}")
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_a_leader_sees_the_overviews_charts_drawn_with_their_numbers(
    live_server, browser, figures, viewport, artefact
):
    context, page = open_as(browser, live_server, "leader", viewport)
    page.goto(f"{live_server.url}/overview/")
    indices = page.locator("#indices")
    assert indices.locator("svg.ranks").count() == 3  # PAR Index, SIPAS, PAPI
    par = indices.locator("svg.ranks").first
    assert par.locator("circle").count() == 4 and par.locator("line.rank-target").count() == 1
    box = par.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100  # drawn, not an empty box
    table = indices.locator("table.rank-table")
    assert "17/34" in table.inner_text() and "29/63" in table.inner_text()
    assert "17/34" in par.inner_html()  # the same number in the chart
    for chart in ("#trend svg.trend", "#targets svg.hbar"):
        assert page.locator(chart).count() == 1, chart
    page.locator("#indices").scroll_into_view_if_needed()
    artefact(page, f"overview-{viewport['width']}")
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_a_head_sees_the_agency_dashboard_due_this_week_first(
    live_server, browser, figures, viewport, artefact
):
    context, page = open_as(browser, live_server, "head", viewport)
    assert page.url == f"{live_server.url}/dashboard/"
    headings = page.locator("main h2").all_inner_texts()
    assert headings[0].startswith("Đến hạn trong tuần này")
    assert page.locator("#heat svg.heat").count() == 1
    assert page.locator("#trend svg.trend").count() == 1
    assert "Báo cáo giải ngân vốn đầu tư công" in page.locator("#overdue").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    artefact(page, f"agency-dashboard-{viewport['width']}")
    context.close()
