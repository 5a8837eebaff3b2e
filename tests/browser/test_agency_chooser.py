"""In Chromium: an agency chooser filters as one types, without diacritics, keeps the kinds as
headings, works with the keyboard and on a phone, and the plain select still works without
JavaScript. Set SHOTS=<dir> to keep screenshots of the chooser and of the extension list."""

import pytest

from tests.browser.conftest import DESK, PHONE, open_as, shot
from tests.workflow.factories import ExtensionFactory
from tests.workflow.scoped import assignment_to
from workflow.models import Assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def chooser(page, select_id):
    return page.locator("span.ta", has=page.locator(f"#{select_id}"))


def fill_the_rest_of_the_assign_form(page):
    page.fill("#id_title", "Rà soát giải ngân vốn đầu tư công")
    page.select_option("#id_due_policy", "fixed")
    page.fill("#id_due_date", "31/03/2027")
    page.click("form.card button[type=submit]")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_typing_without_diacritics_picks_the_agency_and_the_assignment_goes_to_it(
    live_server, browser, directive, viewport
):
    context, page = open_as(browser, live_server, "reviewer", viewport)
    item = directive.items.get(number="1")
    page.goto(f"{live_server.url}/items/{item.pk}/assign/")
    leads = chooser(page, "id_leads")
    box = leads.locator("input.ta-input")
    assert page.locator("#id_leads").bounding_box()["width"] <= 1  # kept in the form, unseen

    box.click()
    options = leads.locator("li[role=option]")
    assert leads.locator(".ta-group", has_text="Sở, ban, ngành").is_visible()
    assert options.filter(has_text="Sở Nội vụ").is_visible()
    box.press_sequentially("tai chinh")
    visible = [o.inner_text() for o in options.all() if o.is_visible()]
    assert visible == ["Sở Tài chính"]
    headings = [g.inner_text() for g in leads.locator(".ta-group").all() if g.is_visible()]
    assert headings == ["Sở, ban, ngành"]
    assert options.filter(has_text="Sở Tài chính").bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, f"chooser-open-{viewport['width']}")

    box.press("Enter")  # the first match is the active one
    assert leads.locator("button.ta-chip", has_text="Sở Tài chính").is_visible()
    assert page.eval_on_selector(
        "#id_leads", "s => Array.from(s.selectedOptions).map(o => o.value)"
    ) == ["TC"]
    box.press("Escape")
    assert not leads.locator("ul.ta-list").is_visible()

    # A second agency by the keyboard alone, then removed again with Backspace.
    box.press_sequentially("so noi")
    box.press("ArrowDown")
    box.press("Enter")
    assert page.eval_on_selector(
        "#id_leads", "s => Array.from(s.selectedOptions).map(o => o.value)"
    ) == ["NV", "TC"]
    chips = [c.inner_text() for c in leads.locator("button.ta-chip").all()]
    assert chips == ["Sở Tài chính ×", "Sở Nội vụ ×"]  # in the order they were chosen
    box.press("Backspace")
    assert page.eval_on_selector(
        "#id_leads", "s => Array.from(s.selectedOptions).map(o => o.value)"
    ) == ["TC"]
    box.press("Escape")
    # The office's abbreviations find the full names.
    box.press_sequentially("ubnd phuong moi")
    assert [o.inner_text() for o in options.all() if o.is_visible()] == [
        "Ủy ban nhân dân phường Mới"
    ]
    box.press("Escape")
    assert box.input_value() == ""

    fill_the_rest_of_the_assign_form(page)
    page.wait_for_url(f"{live_server.url}/directives/{directive.pk}/")
    created = Assignment.objects.get(title="Rà soát giải ngân vốn đầu tư công")
    assert created.agency.code == "TC"
    context.close()


def test_without_javascript_the_plain_select_still_assigns(live_server, browser, directive):
    context, page = open_as(browser, live_server, "reviewer", DESK, java_script_enabled=False)
    item = directive.items.get(number="1")
    page.goto(f"{live_server.url}/items/{item.pk}/assign/")
    assert page.locator("input.ta-input").count() == 0
    page.select_option("#id_leads", label="Sở Tài chính")
    fill_the_rest_of_the_assign_form(page)
    page.wait_for_url(f"{live_server.url}/directives/{directive.pk}/")
    assert Assignment.objects.get(title="Rà soát giải ngân vốn đầu tư công").agency.code == "TC"
    context.close()


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_the_office_filters_the_extension_requests_by_an_agency_typed_in(
    live_server, browser, directive, small_tree, people, viewport
):
    ExtensionFactory(
        assignment=assignment_to(small_tree["TC"], directive, people, title="Báo cáo quý IV"),
        actor=people["head"],
    )
    ExtensionFactory(
        assignment=assignment_to(
            small_tree["NV"], directive, people, title="Rà soát biên chế công chức"
        ),
        actor=people["other_head"],
    )
    context, page = open_as(browser, live_server, "reviewer", viewport)
    if viewport is PHONE:
        page.click("label.menu-button")
    page.click("nav#main-menu a:has-text('Đề nghị gia hạn')")
    page.wait_for_url(f"{live_server.url}/extensions/")
    rows = page.locator("table.extensions tbody tr")
    assert rows.count() == 2
    assert "Chờ xử lý (2)" in page.inner_text("nav.tabs")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, f"extension-list-{viewport['width']}")

    if viewport is PHONE:
        page.click("label.filters-button")
    agency = chooser(page, "id_agency")
    box = agency.locator("input.ta-input")
    box.click()
    box.press_sequentially("NOI VU")
    # The page holds no agency list: the chooser asks the server as one types.
    agency.locator("li[role=option]", has_text="Sở Nội vụ").wait_for()
    assert [o.inner_text() for o in agency.locator("li[role=option]").all() if o.is_visible()] == [
        "Sở Nội vụ"
    ]
    shot(page, f"extension-filter-open-{viewport['width']}")
    box.press("Enter")
    assert box.input_value() == "Sở Nội vụ"
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "agency=NV" in url)
    assert rows.count() == 1
    assert "Rà soát biên chế công chức" in rows.first.inner_text()
    assert chooser(page, "id_agency").locator("input.ta-input").input_value() == "Sở Nội vụ"
    context.close()
