"""In Chromium: the choosers that hold only what is chosen (the assignment list's filters, the
steps of an assignment's page) find the others on the server as one types, without
diacritics, and what is picked is submitted as with any select. Set SHOTS=<dir> to keep
screenshots."""

import pytest

from tests.browser.conftest import DESK, PHONE, open_as, shot
from tests.browser.test_agency_chooser import chooser
from tests.workflow.scoped import assignment_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible_options(box):
    return [o.inner_text() for o in box.locator("li[role=option]").all() if o.is_visible()]


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_the_list_is_filtered_by_an_agency_and_a_directive_found_as_one_types(
    live_server, browser, directive, small_tree, people, viewport
):
    assignment_to(small_tree["TC"], directive, people, title="Báo cáo quý IV của Sở Tài chính")
    assignment_to(small_tree["NV"], directive, people, title="Rà soát biên chế công chức")
    context, page = open_as(browser, live_server, "reviewer", viewport)
    page.goto(f"{live_server.url}/assignments/")
    # The page holds the blank choice only: nothing else is written into it.
    assert page.locator("#id_agency option").count() == 1
    assert page.locator("#id_directive option").count() == 1
    if viewport is PHONE:
        page.click("label.filters-button")

    agency = chooser(page, "id_agency")
    box = agency.locator("input.ta-input")
    box.click()
    box.press_sequentially("noi vu")
    agency.locator("li[role=option]", has_text="Sở Nội vụ").wait_for()
    assert visible_options(agency) == ["Sở Nội vụ"]
    assert agency.locator(".ta-group", has_text="Sở, ban, ngành").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, f"searched-agency-{viewport['width']}")
    box.press("Enter")
    assert box.input_value() == "Sở Nội vụ"

    chosen = chooser(page, "id_directive")
    words = chosen.locator("input.ta-input")
    words.click()
    words.press_sequentially("05/ct")
    chosen.locator("li[role=option]", has_text="05/CT-UBND").wait_for()
    words.press("Enter")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "agency=NV" in url and f"directive={directive.pk}" in url)
    html = page.inner_text("main")
    assert "Rà soát biên chế công chức" in html
    assert "Báo cáo quý IV của Sở Tài chính" not in html
    # What was chosen is written back into the page, by its name.
    assert chooser(page, "id_agency").locator("input.ta-input").input_value() == "Sở Nội vụ"
    assert "05/CT-UBND" in chooser(page, "id_directive").locator("input.ta-input").input_value()
    shot(page, f"searched-filtered-{viewport['width']}")
    context.close()


def test_another_person_is_not_offered_what_they_may_not_see(live_server, browser, people):
    """The search answers as the lists do: through the access layer (a draft directive is
    the office's)."""
    from tests.workflow.factories import DirectiveFactory

    DirectiveFactory(actor=people["reviewer"], number="77/CT-UBND", published=False)
    context, page = open_as(browser, live_server, "officer", DESK)
    answer = page.request.get(f"{live_server.url}/directives/choices/?q=77")
    assert answer.json() == {"results": [], "more": False}
    context.close()
