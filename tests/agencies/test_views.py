import pytest
from django.urls import reverse

from agencies.choices import Role


@pytest.fixture
def officer(small_tree, user_with_role):
    return user_with_role(Role.OFFICER, small_tree["TC"], username="officer")


def test_login_page_speaks_vietnamese_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert "Mật khẩu" in html


def test_an_english_browser_still_gets_vietnamese(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập" in response.content.decode()


def test_english_on_request_through_the_language_switch(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get(reverse("login"))
    assert "Sign in" in response.content.decode()
    assert '<html lang="en">' in response.content.decode()


def test_signing_in_leads_to_the_profile_with_memberships(client, officer):
    response = client.post(reverse("login"), {"username": "officer", "password": "pw-Secret-1"})
    assert response.url == reverse("home")
    html = client.get(reverse("profile")).content.decode()
    assert "Chuyên viên" in html  # the officer role, in Vietnamese
    assert "TC" in html
    assert "Đang hiệu lực" in html
    assert "01/01/2024" in html  # dates dd/mm/yyyy


def test_a_wrong_password_is_refused_in_vietnamese(client, officer):
    response = client.post(reverse("login"), {"username": "officer", "password": "nope"})
    assert response.status_code == 200
    assert "sai" in response.content.decode()


def test_signing_out_needs_a_post_and_ends_the_session(client, officer):
    client.force_login(officer)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("profile")).status_code == 302


@pytest.mark.parametrize("name", ["profile", "agencies:list"])
def test_pages_need_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_agency_list_filters_by_kind_and_date(client, officer):
    client.force_login(officer)
    response = client.get(reverse("agencies:list"), {"kind": "district", "valid_on": "01/09/2022"})
    html = response.content.decode()
    assert "Ủy ban nhân dân huyện Một" in html
    assert "Sở Tài chính" not in html


def test_agency_list_searches_names_without_diacritics(client, officer):
    client.force_login(officer)
    response = client.get(reverse("agencies:list"), {"q": "ke hoach", "valid_on": "2022-09-01"})
    assert "Sở Kế hoạch và Đầu tư" in response.content.decode()


def test_agency_list_query_count_does_not_grow(client, officer, django_assert_max_num_queries):
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("agencies:list"), {"valid_on": "2022-09-01"})
    assert len(response.context["agencies"]) == 9


def test_agency_detail_shows_history_and_succession(client, officer, small_tree):
    client.force_login(officer)
    response = client.get(reverse("agencies:detail", args=["KHDT"]))
    html = response.content.decode()
    assert "Sở Kế hoạch và Đầu tư" in html
    assert "NĐ 45/2025/NĐ-CP" in html
    assert 'href="/agencies/TC/"' in html
    # Names, not codes: the successor and the parent are named, the codes stay in links.
    assert '"/agencies/TC/">Sở Tài chính</a>' in html
    assert ">TC<" not in html and ">KHDT<" not in html and ">P2<" not in html


def test_agency_list_names_agencies_and_parents_not_codes(client, officer):
    client.force_login(officer)
    html = client.get(reverse("agencies:list"), {"valid_on": "2022-09-01"}).content.decode()
    html = html[html.index("<table") :]
    assert ">Sở Kế hoạch và Đầu tư</a>" in html
    assert ">KHDT<" not in html and ">P2<" not in html


def test_agency_detail_lists_members_only_to_managers(client, small_tree, user_with_role, officer):
    head = user_with_role(Role.HEAD, small_tree["TC"], username="thehead")
    client.force_login(head)
    assert "officer" in client.get(reverse("agencies:detail", args=["TC"])).content.decode()
    other_head = user_with_role(Role.HEAD, small_tree["NV"], username="otherhead")
    client.force_login(other_head)
    html = client.get(reverse("agencies:detail", args=["TC"])).content.decode()
    assert ">officer<" not in html and "Chuyên viên" not in html


def test_unknown_agency_is_404(client, officer):
    client.force_login(officer)
    assert client.get(reverse("agencies:detail", args=["NOPE"])).status_code == 404
