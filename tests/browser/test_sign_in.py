from datetime import date

import pytest

from agencies.choices import Role
from agencies.services import membership_grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_head_signs_in_and_sees_the_roles_in_vietnamese(
    live_server, page, small_tree, django_user_model
):
    head = django_user_model.objects.create_user(
        username="giamdoc", password="pw-Secret-1", full_name="Hoàng Văn Giám Đốc"
    )
    membership_grant(
        actor=None, user=head, agency=small_tree["TC"], role=Role.HEAD, valid_from=date(2024, 1, 1)
    )

    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.fill("#id_username", "giamdoc")
    page.fill("#id_password", "pw-Secret-1")
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.click("a.who")
    assert page.locator("h1").inner_text() == "Hoàng Văn Giám Đốc"
    row = page.locator("table tbody tr").first
    assert "Thủ trưởng" in row.inner_text()
    assert "01/01/2024" in row.inner_text()

    page.click("text=Cơ quan")
    page.fill("#id_q", "tai chinh")
    page.click("button:has-text('Lọc')")
    assert page.locator("table tbody tr").count() == 1
    assert "Sở Tài chính" in page.locator("table tbody").inner_text()

    page.click("button:has-text('Đăng xuất')")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
