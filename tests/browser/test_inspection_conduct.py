"""In Chromium on a phone: the team's head records findings on site; one typed with the
network cut off is kept on the phone ("chưa gửi") and arrives once when the network is back;
one whose answer is lost on the way back is sent again with its key and applied once."""

import pytest

from core.models import AuditEvent
from inspection.models import Finding, FindingSubmission
from tests.browser.conftest import PHONE, open_as, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def form(page, criterion):
    return page.locator(f"form.finding[data-criterion='{criterion.pk}']")


def record(page, criterion, result, points):
    f = form(page, criterion)
    f.locator(f"input[name=result][value={result}]").check()
    f.locator("input[name=points]").fill(points)
    f.locator("button[type=submit]").click()


def state(page, criterion):
    return form(page, criterion).locator(".save-state")


def findings(inspection, criterion):
    return Finding.objects.filter(inspection=inspection, criterion=criterion)


def audit_lines(inspection, criterion):
    return [
        e
        for e in AuditEvent.objects.filter(verb="inspection.finding", object_id=str(inspection.pk))
        if (e.after or {}).get("criterion") == criterion.code
    ]


def test_a_finding_typed_offline_arrives_once_when_the_network_is_back(live_server, browser, world):
    inspection = world.inspection
    first, second, third = world.criteria
    context, page = open_as(browser, live_server, "inspector_lead", PHONE)
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/conduct/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Online: saved as entered.
    record(page, first, "met", "5")
    page.wait_for_selector(
        f"form.finding[data-criterion='{first.pk}'] .save-state[data-state=saved]"
    )
    assert state(page, first).inner_text() == "đã lưu"
    assert findings(inspection, first).get().points == 5

    # The network is cut: the finding stays on the phone, marked as not sent.
    context.set_offline(True)
    record(page, second, "partly", "6,5")
    page.wait_for_selector(
        f"form.finding[data-criterion='{second.pk}'] .save-state[data-state=pending]"
    )
    assert state(page, second).inner_text() == "chưa gửi"
    assert page.locator("#conduct-status[data-state=offline]").is_visible()
    assert not findings(inspection, second).exists()
    held = page.evaluate(f"localStorage.getItem('dondoc.findings.{inspection.pk}.team')")
    assert '"result":"partly"' in held
    shot(page, "inspection-conduct-offline-360")

    # Back online: sent, and applied once.
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector(
        f"form.finding[data-criterion='{second.pk}'] .save-state[data-state=saved]"
    )
    finding = findings(inspection, second).get()
    assert (finding.result, str(finding.points), finding.version) == ("partly", "6.50", 1)
    assert FindingSubmission.objects.filter(finding=finding).count() == 1
    assert len(audit_lines(inspection, second)) == 1
    assert page.evaluate(f"localStorage.getItem('dondoc.findings.{inspection.pk}.team')") == "{}"

    # The server applies an edit but its answer never reaches the phone: the phone sends it
    # again with the same key, and the finding is still recorded once.
    answered = []

    def lose_the_first_answer(route):
        if not answered:
            answered.append(route.fetch())  # reaches the server, which applies it
            route.abort()
        else:
            route.continue_()

    page.route("**/findings/", lose_the_first_answer)
    record(page, third, "not_met", "0")
    page.wait_for_selector(
        f"form.finding[data-criterion='{third.pk}'] .save-state[data-state=pending]"
    )
    assert findings(inspection, third).count() == 1  # applied, though the phone does not know
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector(
        f"form.finding[data-criterion='{third.pk}'] .save-state[data-state=saved]"
    )
    finding = findings(inspection, third).get()
    assert finding.version == 1
    assert len(audit_lines(inspection, third)) == 1

    # A later edit on the phone goes on from the version saved.
    page.unroute("**/findings/")
    record(page, third, "partly", "2")
    page.wait_for_selector(
        f"form.finding[data-criterion='{third.pk}'] .save-state[data-state=saved]"
    )
    finding.refresh_from_db()
    # Saved as it was entered (the result, then the points): each edit on the version before.
    assert (finding.result, finding.points) == ("partly", 2) and finding.version > 1
    shot(page, "inspection-conduct-360")
    context.close()


def test_points_above_the_maximum_are_refused_beside_the_criterion(live_server, browser, world):
    inspection = world.inspection
    first = world.criteria[0]
    context, page = open_as(browser, live_server, "inspector_lead", PHONE)
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/conduct/")
    record(page, first, "met", "50")
    page.wait_for_selector(
        f"form.finding[data-criterion='{first.pk}'] .save-state[data-state=error]"
    )
    message = form(page, first).locator(".error").inner_text()
    assert "0" in message and "5" in message
    assert not findings(inspection, first).exists()
    context.close()
