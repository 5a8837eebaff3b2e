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


# ---- Every commune-level unit: 125 in 2022 (NQ 832), 119 in April 2025, 78 from 01/07/2025


@pytest.mark.parametrize(
    ("day", "count"),
    [(DIRECTIVE_DAY, 125), (date(2025, 4, 23), 119), (date(2025, 7, 1), 78), (TODAY, 78)],
)
def test_the_commune_level_is_complete_on_each_date(reference_tree, day, count):
    communes = collective_members(collective=Collective.COMMUNES, on=day)
    assert communes.count() == count
    province = "QT-UBND" if day < date(2025, 7, 1) else "QT25-UBND"
    inside = collective_members(
        collective=Collective.COMMUNES, on=day, within=reference_tree[province]
    )
    assert inside.count() == count


def test_every_2022_commune_sits_in_a_district(reference_tree):
    communes = collective_members(collective=Collective.COMMUNES, on=DIRECTIVE_DAY)
    assert {v.parent.code for v in communes.select_related("parent")} == {
        v.agency.code for v in collective_members(collective=Collective.DISTRICTS, on=DIRECTIVE_DAY)
    } - {"QT-H-CONCO"}  # the island district had no commune-level units


def test_every_commune_of_june_2025_answers_today_through_one_new_commune(reference_tree):
    before = collective_members(collective=Collective.COMMUNES, on=date(2025, 6, 30))
    now = {v.agency.pk for v in collective_members(collective=Collective.COMMUNES, on=TODAY)}
    for version in before:
        found = responsible_agencies(agency=version.agency, given_on=date(2025, 6, 30), on=TODAY)
        assert len(found) == 1 and found[0].agency.pk in now, version.agency.code


def test_a_2022_commune_merged_in_2024_answers_today_through_both_steps(reference_tree):
    found = responsible_agencies(
        agency=reference_tree["QT-X-TP-TRIEUSON"], given_on=DIRECTIVE_DAY, on=TODAY
    )
    assert [r.agency.code for r in found] == ["QT-X-TRIEUCO"]
    assert [e.successor.code for e in found[0].path] == ["QT-X-TP-TRIEUCO", "QT-X-TRIEUCO"]


# ---- The 2025 corrections


@pytest.mark.parametrize(
    ("code", "now", "parent"),
    [
        ("QT-QLTT", "QT-CCQLTT", "QT-SCT"),
        ("QT-KBNN", "QT-KBNNKV", None),
        ("QT-BHXH", "QT-BHXHKV", None),
    ],
)
def test_central_agencies_reorganised_in_2025_are_followed(reference_tree, code, now, parent):
    assert agency_name_on(agency=reference_tree[code], on=TODAY) == ""
    found = responsible_agencies(agency=reference_tree[code], given_on=DIRECTIVE_DAY, on=TODAY)
    assert [r.agency.code for r in found] == [now]
    version = AgencyVersion.objects.get(agency__code=now, valid_until=None)
    assert (version.parent.code if version.parent else None) == parent


def test_the_one_stop_shop_has_its_2025_version(reference_tree):
    version = AgencyVersion.objects.get(agency__code="QT-TTPVHCC", valid_from=date(2025, 7, 1))
    assert "118/2025" in version.legal_basis and version.parent.code == "QT25-UBND"


def test_the_end_of_the_district_level_cites_the_constitution_and_the_2025_law(reference_tree):
    ends = Succession.objects.filter(predecessor__code__startswith="QT-H-", kind="dissolve")
    assert ends.count() == 9
    for edge in ends:
        assert "203/2025/QH15" in edge.legal_basis and "72/2025/QH15" in edge.legal_basis
        assert "202/2025" not in edge.legal_basis
    merger = Succession.objects.get(predecessor__code="QT-UBND", successor__code="QT25-UBND")
    assert "202/2025/QH15" in merger.legal_basis
