"""In Chromium, on phones: the team's head records the findings on site, one of them typed
while the network is cut off (it arrives once when the network is back), then drafts and signs
the minutes; the inspected agency's head finds them in the inbox and signs them with an
objection, which stays with the minutes."""

import pytest

from core.models import AuditEvent
from inspection.choices import InspectionStatus
from inspection.models import FindingSubmission
from tests.browser.conftest import PHONE, open_as
from tests.browser.test_inspection_conduct import audit_lines, findings, record, state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINUTES = "Sở Tài chính quán triệt đầy đủ các Chỉ số; kế hoạch CCHC năm ban hành chậm."
OBJECTION = "Kế hoạch CCHC năm ban hành đúng hạn theo Quyết định số 15/QĐ-STC."


def saved(page, criterion):
    page.wait_for_selector(
        f"form.finding[data-criterion='{criterion.pk}'] .save-state[data-state=saved]"
    )


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_findings_on_a_phone_then_minutes_signed_with_an_objection(
    live_server, browser, world, artefact
):
    inspection = world.inspection
    first, second, third = world.criteria
    home = f"{live_server.url}/inspections/{inspection.pk}/"

    # The team's head, on site with a phone, opens the inspection and records the findings.
    context, page = open_as(browser, live_server, "inspector_lead", PHONE)
    page.goto(home)
    page.click("a.button:has-text('Ghi nhận kết quả kiểm tra')")
    page.wait_for_url(f"{home}conduct/")
    record(page, first, "met", "5")
    saved(page, first)

    context.set_offline(True)
    record(page, second, "partly", "6,5")
    page.wait_for_selector(
        f"form.finding[data-criterion='{second.pk}'] .save-state[data-state=pending]"
    )
    assert state(page, second).inner_text() == "chưa gửi"
    assert not findings(inspection, second).exists()

    context.set_offline(False)  # the browser says it is online again: what waits is sent
    saved(page, second)
    record(page, third, "not_met", "0")
    saved(page, third)
    finding = findings(inspection, second).get()
    assert (finding.result, str(finding.points), finding.version) == ("partly", "6.50", 1)
    assert FindingSubmission.objects.filter(finding=finding).count() == 1
    assert len(audit_lines(inspection, second)) == 1
    assert fits_the_phone(page)

    # Every criterion has its finding: the head of the team drafts and signs the minutes.
    page.click(f"a[href='/inspections/{inspection.pk}/']")
    page.click("a.button:has-text('Lập và ký biên bản')")
    page.get_by_label("Biên bản: kết quả kiểm tra").fill(MINUTES)  # its own label, one field
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(home)
    assert "Biên bản chờ thủ trưởng cơ quan được kiểm tra ký" in page.inner_text("h1 .chip")
    context.close()

    # The inspected agency's head, on a phone too, finds the minutes in the inbox.
    context, page = open_as(browser, live_server, "head", PHONE)
    page.goto(f"{live_server.url}/inbox/")
    page.click(f"a[href='/inspections/{inspection.pk}/confirm/']")
    assert MINUTES in page.inner_text("main .card")
    assert fits_the_phone(page)
    page.fill("#id_objection", OBJECTION)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(home)

    assert "Đã ký biên bản." in page.inner_text("ul.messages")
    assert page.inner_text("h1 .chip") == "Biên bản đã ký, chờ kết luận"
    facts = page.locator("table.facts")
    objection = facts.locator("tr", has_text="Ý kiến không thống nhất của cơ quan")
    assert objection.locator("td").inner_text() == OBJECTION
    signatures = facts.locator("tr", has_text="Thủ trưởng cơ quan được kiểm tra ký").inner_text()
    assert "inspector_lead" in signatures and "head" in signatures
    # Signed, the minutes open the team's findings to the agency, the one typed offline too.
    partly = page.locator("table.checklist tr", has_text=second.text).inner_text()
    assert "Đạt một phần" in partly and "6,5" in partly
    assert fits_the_phone(page)
    artefact(page, "journey-b-minutes-signed-with-objection-360")

    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.MINUTES_SIGNED
    assert inspection.objection == OBJECTION
    assert inspection.minutes_text == MINUTES
    assert inspection.minutes_signed_by_lead == world.people["lead"]
    assert inspection.minutes_signed_by_head == world.people["head"]
    assert inspection.minutes_signed_by_head_at is not None
    confirmed = AuditEvent.objects.get(
        verb="inspection.minutes_confirm", object_id=str(inspection.pk)
    )
    assert confirmed.after["objection"] == OBJECTION
    # Still once, after everything that followed.
    assert findings(inspection, second).count() == 1
    context.close()
