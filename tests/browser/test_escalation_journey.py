"""In Chromium: the deadline sweep has escalated two overdue assignments; the provincial office
opens its escalation queue, decides one by extending its due date through the page's form, and
the queue, the assignment and the audit trail say so, while the other stays open."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.choices import AuditChannel
from core.models import AuditEvent
from escalation.choices import EscalationResolution, LevelKind
from escalation.models import Escalation
from escalation.sweep import sweep
from tests.browser.conftest import DESK, open_as
from tests.workflow.scoped import assignment_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE_LEVEL = "Văn phòng UBND tỉnh đôn đốc"


def a_working_day_a_month_ahead():
    day = timezone.localdate() + timedelta(days=30)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_the_office_extends_an_escalated_assignment_from_its_queue(
    live_server, browser, assignment, directive, small_tree, people, artefact
):
    other = assignment_to(small_tree["NV"], directive, people, title="Rà soát biên chế công chức")
    sweep(now=timezone.now(), send_mail=False)  # both were due on 27/02/2026
    raised = Escalation.objects.filter(assignment=assignment)
    assert raised.filter(level__kind=LevelKind.OFFICE).exists()
    new_due = a_working_day_a_month_ahead()

    context, page = open_as(browser, live_server, "reviewer", DESK)
    page.click("nav#main-menu a:has-text('Đôn đốc, cảnh báo')")
    page.wait_for_url(f"{live_server.url}/escalations/")
    row = page.locator("tbody tr", has_text=assignment.title).filter(has_text=OFFICE_LEVEL)
    assert "Sở Tài chính" in row.inner_text() and "27/02/2026" in row.inner_text()
    assert "đang mở" in row.inner_text()
    row.locator("a:has-text('Quyết định')").click()
    page.wait_for_url(lambda url: "/decide/" in url)

    # Only the chosen decision's fields are offered: the new due date comes with "extend".
    form = page.locator("form.decision-form")
    due = form.locator("#id_due_date")
    assert not due.is_visible()
    form.locator("label:has-text('Gia hạn') input[type=radio]").check()
    assert due.is_visible()
    due.fill(new_due.isoformat())  # the date picker shows it dd/mm/yyyy, sends yyyy-mm-dd
    form.locator("#id_note").fill("Sở Tài chính đã giải trình lý do chậm.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/escalations/")

    message = page.inner_text("ul.messages")
    assert f"nay là ngày {new_due:%d/%m/%Y}" in message and assignment.title in message
    today = f"{timezone.localdate():%d/%m/%Y}"
    levels = page.locator("tbody tr", has_text=assignment.title).all()
    assert len(levels) == raised.count() > 1
    for level in levels:
        assert f"Đã gia hạn ({today})" in level.inner_text()  # every level of that due date
        assert level.locator("a:has-text('Quyết định')").count() == 0
    still_open = page.locator("tbody tr", has_text=other.title).filter(has_text=OFFICE_LEVEL)
    assert "đang mở" in still_open.inner_text()
    artefact(page, "journey-c-escalation-extended")

    decided = raised.get(level__kind=LevelKind.OFFICE)
    assert decided.resolution == EscalationResolution.EXTENDED
    assert decided.resolved_at is not None and decided.decided_by == people["reviewer"]
    assert decided.decision_note == "Sở Tài chính đã giải trình lý do chậm."
    assert not raised.filter(resolved_at__isnull=True).exists()
    assert Escalation.objects.filter(assignment=other, resolved_at__isnull=True).exists()
    assignment.refresh_from_db()
    assert assignment.due_date == new_due
    trail = AuditEvent.objects.filter(object_id=str(assignment.pk), actor=people["reviewer"])
    extended = trail.get(verb="escalation.extend")
    assert extended.after["escalation"] == decided.pk
    assert extended.note == "Sở Tài chính đã giải trình lý do chậm."
    assert extended.channel == AuditChannel.PAGE
    assert trail.filter(verb="assignment.extend").count() == 1
    context.close()
