"""In Chromium: the head delegates, the officer reports with a PDF, the head approves, the
office accepts, and the item's progress and the timeline show it."""

import pytest

from tests.fixtures.workflow import assignment, directive, people  # noqa: F401 (fixtures)
from tests.security.evidence_samples import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-Secret-1")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def sign_out(page):
    page.click("button:has-text('Đăng xuất')")


def open_step(page, label):
    page.click(f"summary:has-text('{label}')")


def test_from_delegation_to_acceptance(live_server, page, assignment, tmp_path, artefact):  # noqa: F811
    base = live_server.url
    detail = f"{base}/assignments/{assignment.pk}/"

    sign_in(page, base, "head")
    page.click("text=Việc cần xử lý")
    page.click("text=Báo cáo giải ngân vốn đầu tư công")
    open_step(page, "Tiếp nhận, phân công xử lý")
    page.select_option("#id_receive-assignee", label="officer")
    page.click("form[action$='/receive/'] button[type=submit]")
    assert "Đang thực hiện" in page.inner_text(".facts")
    sign_out(page)

    evidence = tmp_path / "ket-qua.pdf"
    evidence.write_bytes(PDF)
    sign_in(page, base, "officer")
    page.goto(detail)
    open_step(page, "Báo cáo kết quả")
    page.fill("#id_report-text", "Đã giải ngân 100% kế hoạch vốn.")
    page.set_input_files("#id_report-files", str(evidence))
    page.click("form[action$='/report/'] button[type=submit]")
    assert "ket-qua.pdf" in page.inner_text("main")
    sign_out(page)

    sign_in(page, base, "head")
    page.goto(detail)
    open_step(page, "Duyệt báo cáo")
    page.click("form[action$='/approve/'] button[type=submit]")
    sign_out(page)

    sign_in(page, base, "reviewer")
    page.goto(detail)
    open_step(page, "Xác nhận hoàn thành")
    page.fill("#id_accept-comment", "Đạt yêu cầu.")
    page.click("form[action$='/accept/'] button[type=submit]")
    assert "Đã hoàn thành" in page.inner_text(".facts")
    timeline = page.inner_text(".timeline")
    for said in ("tiếp nhận, giao", "báo cáo kết quả", "duyệt báo cáo", "xác nhận hoàn thành"):
        assert said in timeline
    assert "report.accept" not in timeline

    page.click(f"a[href='/directives/{assignment.item.directive_id}/']")
    item = page.locator("section.item", has_text="Giao Sở Tài chính").inner_text()
    assert "Hoàn thành đúng hạn: 1" in item or "Hoàn thành quá hạn: 1" in item
    artefact(page, "journey-a-assignment-accepted")
