"""The shipped Quảng Trị data makes both the 2022 directive and today's structure true."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from agencies.choices import Collective
from agencies.models import AgencyVersion, Membership, Succession, User
from agencies.selectors import (
    agency_match,
    agency_name_on,
    collective_members,
    responsible_agencies,
    user_agencies,
)

DIRECTIVE_DAY = date(2022, 9, 1)
TODAY = date(2026, 11, 25)

# Item 12 of the reference directive: the seven advisory agencies for the CCHC fields.
ITEM_12 = {
    "Sở Nội vụ": "QT-SNV",
    "Sở Khoa học và Công nghệ": "QT-SKHCN",
    "Sở Kế hoạch và Đầu tư": "QT-SKHDT",
    "Sở Tài chính": "QT-STC",
    "Sở Tư pháp": "QT-STP",
    "Sở Thông tin và Truyền thông": "QT-STTTT",
    "Văn phòng UBND tỉnh": "QT-VPUBND",
}
# Item 13: central agencies located in the province; item 14: the Front, with the seed's typo.
ITEM_13_14 = {
    "Công an tỉnh": "QT-CA",
    "Cục Thuế tỉnh": "QT-CTHUE",
    "Cục Quản lý thị trường": "QT-QLTT",
    "Bảo hiểm xã hội": "QT-BHXH",
    "Kho bạc Nhà nước": "QT-KBNN",
    "Ủy ban MTTQN tỉnh": "QT-MTTQ",
}


@pytest.mark.parametrize(("text", "code"), {**ITEM_12, **ITEM_13_14}.items())
def test_every_agency_the_directive_names_is_found_on_its_date(reference_tree, text, code):
    assert [a.code for a in agency_match(text=text, on=DIRECTIVE_DAY)] == [code]


def test_2022_names_read_as_written(reference_tree):
    assert agency_name_on(agency=reference_tree["QT-SKHDT"], on=DIRECTIVE_DAY).startswith(
        "Sở Kế hoạch và Đầu tư"
    )
    assert agency_name_on(agency=reference_tree["QT-SKHDT"], on=TODAY) == ""


@pytest.mark.parametrize(
    ("code", "now_answers"),
    [
        ("QT-SKHDT", ["QT-STC"]),
        ("QT-STTTT", ["QT-SKHCN"]),
        ("QT-SLDTBXH", ["QT-SNV"]),
        ("QT-SNV", ["QT-SNV"]),
        ("QT-UBND", ["QT25-UBND"]),
        ("QT-X-DH-P1", ["QT-X-DONGHA"]),
    ],
)
def test_who_answers_today_for_2022_work(reference_tree, code, now_answers):
    found = responsible_agencies(agency=reference_tree[code], given_on=DIRECTIVE_DAY, on=TODAY)
    assert sorted(r.agency.code for r in found) == now_answers


def test_districts_existed_in_2022_and_are_gone_today(reference_tree):
    assert collective_members(collective=Collective.DISTRICTS, on=DIRECTIVE_DAY).count() == 10
    assert collective_members(collective=Collective.DISTRICTS, on=TODAY).count() == 0
    departments_2022 = collective_members(collective=Collective.DEPARTMENTS, on=DIRECTIVE_DAY)
    departments_now = collective_members(collective=Collective.DEPARTMENTS, on=TODAY)
    assert departments_now.count() < departments_2022.count()
    assert "QT-SKHDT" not in {v.agency.code for v in departments_now}


def test_every_row_says_where_it_comes_from(reference_tree):
    assert not AgencyVersion.objects.filter(source="").exists()
    assert not Succession.objects.filter(source="").exists()
    assert AgencyVersion.objects.filter(verified=True).exists()
    assert AgencyVersion.objects.filter(verified=False).exists()


def test_demo_users_are_created_once_and_hold_realistic_roles(reference_tree):
    call_command("load_demo", stdout=StringIO())
    users, roles = User.objects.count(), Membership.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert (User.objects.count(), Membership.objects.count()) == (users, roles)
    head = User.objects.get(username="giamdoc.stc")
    assert user_agencies(user=head, on=TODAY) == {reference_tree["QT-STC"]: {"head"}}
    district_head = User.objects.get(username="chutich.dongha")
    assert user_agencies(user=district_head, on=DIRECTIVE_DAY) == {
        reference_tree["QT-H-DONGHA"]: {"head"}
    }
    assert user_agencies(user=district_head, on=TODAY) == {reference_tree["QT-X-DONGHA"]: {"head"}}
    roles_held = set(Membership.objects.values_list("role", flat=True))
    assert roles_held == {
        "leader",
        "reviewer",
        "inspector",
        "emulation_officer",
        "head",
        "clerk",
        "officer",
    }


def test_a_demo_user_can_sign_in(reference_tree, client):
    call_command("load_demo", stdout=StringIO())
    assert client.login(username="chuyenvien.vp", password="demo-dondoc-2026")
