"""On a 360 px phone the header folds into a menu that still reaches everything."""

from datetime import date

import pytest

from agencies.choices import Role
from agencies.services import membership_grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_on_a_phone_the_menu_reaches_the_inbox_and_signs_out(
    live_server, browser, small_tree, django_user_model
):
    officer = django_user_model.objects.create_user(username="chuyenvien", password="pw-Secret-1")
    membership_grant(
        actor=None,
        user=officer,
        agency=small_tree["TC"],
        role=Role.OFFICER,
        valid_from=date(2024, 1, 1),
    )
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "chuyenvien")
    page.fill("#id_password", "pw-Secret-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/inbox/")  # an officer lands on their own tasks

    # Folded: the links and the sign-out button are hidden until the menu is opened.
    inbox = page.locator("nav#main-menu a", has_text="Việc cần xử lý của tôi")
    sign_out = page.locator("button:has-text('Đăng xuất')")
    assert not inbox.is_visible() and not sign_out.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    menu = page.locator("label.menu-button")
    assert menu.bounding_box()["height"] >= 44

    menu.click()
    assert inbox.is_visible()
    inbox.click()
    page.wait_for_url(f"{live_server.url}/inbox/")
    assert page.locator("h1").inner_text().startswith("Việc cần xử lý của tôi")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.locator("label.menu-button").click()
    sign_out.click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    context.close()
