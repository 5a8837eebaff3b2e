from datetime import date

import pytest

from agencies.choices import Collective, Role
from agencies.models import Agency
from agencies.selectors import (
    agency_ancestors,
    agency_descendants,
    agency_list,
    agency_match,
    agency_name_on,
    collective_members,
    responsible_agencies,
    user_agencies,
)

BEFORE = date(2022, 9, 1)
AFTER = date(2025, 8, 1)


def codes(versions):
    return sorted(v.agency.code for v in versions)


def test_a_2022_text_still_reads_the_2022_name(small_tree):
    assert agency_name_on(agency=small_tree["KHDT"], on=BEFORE) == "Sở Kế hoạch và Đầu tư"
    assert agency_name_on(agency=small_tree["KHDT"], on=AFTER) == ""


def test_ancestors_follow_the_parent_of_the_day(small_tree):
    assert [v.agency.code for v in agency_ancestors(agency=small_tree["X1"], on=BEFORE)] == [
        "H4",
        "P",
    ]
    assert [v.agency.code for v in agency_ancestors(agency=small_tree["TC"], on=AFTER)] == ["P2"]
    assert [v.agency.code for v in agency_ancestors(agency=small_tree["TC"], on=BEFORE)] == ["P"]


def test_descendants_before_and_after_the_2025_reform(small_tree):
    before = codes(agency_descendants(agency=small_tree["P"], on=BEFORE))
    assert before == ["H1", "H4", "KHDT", "NV", "TC", "X1"]
    assert agency_descendants(agency=small_tree["P"], on=AFTER) == []
    assert codes(agency_descendants(agency=small_tree["P2"], on=AFTER)) == ["NV", "TC", "X9"]


def test_descendants_take_one_query_per_level(small_tree, django_assert_num_queries):
    # P → districts/departments → communes → (empty level)
    with django_assert_num_queries(3):
        agency_descendants(agency=small_tree["P"], on=BEFORE)


def test_merged_department_answers_through_its_successor(small_tree):
    found = responsible_agencies(agency=small_tree["KHDT"], given_on=BEFORE, on=AFTER)
    assert [r.agency.code for r in found] == ["TC"]
    assert [edge.kind for edge in found[0].path] == ["merge_into"]


def test_before_the_merger_the_agency_still_answers_for_itself(small_tree):
    found = responsible_agencies(agency=small_tree["KHDT"], given_on=BEFORE, on=date(2025, 2, 28))
    assert [r.agency.code for r in found] == ["KHDT"]


def test_split_then_merge_is_followed_step_by_step(small_tree):
    found = responsible_agencies(
        agency=small_tree["H1"], given_on=date(2022, 1, 1), on=date(2025, 1, 1)
    )
    assert sorted(r.agency.code for r in found) == ["H2", "H4"]
    via_h3 = next(r for r in found if r.agency.code == "H4")
    assert [(e.predecessor.code, e.successor.code) for e in via_h3.path] == [
        ("H1", "H3"),
        ("H3", "H4"),
    ]


def test_dissolution_without_successor_leaves_nobody(small_tree):
    found = responsible_agencies(agency=small_tree["H1"], given_on=date(2022, 1, 1), on=AFTER)
    assert found == []


def test_work_given_after_a_change_is_not_moved_again(small_tree):
    found = responsible_agencies(
        agency=small_tree["H4"], given_on=date(2024, 7, 1), on=date(2025, 1, 1)
    )
    assert [r.agency.code for r in found] == ["H4"]


def test_collectives_expand_to_the_agencies_of_the_day(small_tree):
    assert codes(collective_members(collective=Collective.DISTRICTS, on=BEFORE)) == ["H1", "H4"]
    on_2024 = date(2024, 1, 1)
    assert codes(collective_members(collective=Collective.DISTRICTS, on=on_2024)) == [
        "H2",
        "H3",
        "H4",
    ]
    assert list(collective_members(collective=Collective.DISTRICTS, on=AFTER)) == []
    assert codes(collective_members(collective=Collective.DEPARTMENTS, on=BEFORE)) == [
        "KHDT",
        "NV",
        "TC",
    ]
    assert codes(collective_members(collective=Collective.DEPARTMENTS, on=AFTER)) == ["NV", "TC"]
    assert codes(collective_members(collective=Collective.COMMUNES, on=AFTER)) == ["X9"]
    assert codes(collective_members(collective=Collective.CENTRAL, on=AFTER)) == ["CA"]
    within = collective_members(collective=Collective.COMMUNES, on=BEFORE, within=small_tree["H4"])
    assert codes(within) == ["X1"]


@pytest.mark.parametrize(
    "text",
    [
        "Sở Kế hoạch và Đầu tư",
        "SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
        "so ke hoach va dau tu",
        "Sở Kế hoạch và Đầu tư".encode().decode(),
        "Sở KH&ĐT",
        "khdt",
    ],
)
def test_names_and_aliases_match_whatever_the_spelling(small_tree, text):
    import unicodedata

    for form in ("NFC", "NFD"):
        assert list(agency_match(text=unicodedata.normalize(form, text), on=BEFORE)) == [
            small_tree["KHDT"]
        ]


def test_an_alias_only_matches_agencies_of_that_day(small_tree):
    assert list(agency_match(text="UBND tỉnh", on=BEFORE)) == [small_tree["P"]]
    assert list(agency_match(text="UBND tỉnh", on=AFTER)) == [small_tree["P2"]]
    assert list(agency_match(text="Sở KH&ĐT", on=AFTER)) == []


def test_roles_count_only_inside_their_validity(small_tree, user_with_role):
    user = user_with_role(
        Role.OFFICER, small_tree["TC"], valid_from=date(2024, 1, 1), valid_until=date(2025, 1, 1)
    )
    assert user_agencies(user=user, on=date(2024, 6, 1)) == {small_tree["TC"]: {"officer"}}
    assert user_agencies(user=user, on=date(2025, 1, 1)) == {}
    assert user_agencies(user=user, on=date(2023, 12, 31)) == {}


def test_a_user_may_act_for_several_agencies_in_several_roles(small_tree, user_with_role):
    user = user_with_role(Role.HEAD, small_tree["TC"], username="several")
    from agencies.services import membership_grant

    membership_grant(
        actor=None,
        user=user,
        agency=small_tree["NV"],
        role=Role.INSPECTOR,
        valid_from=date(2024, 1, 1),
    )
    membership_grant(
        actor=None,
        user=user,
        agency=small_tree["TC"],
        role=Role.EMULATION_OFFICER,
        valid_from=date(2024, 1, 1),
    )
    assert user_agencies(user=user, on=AFTER) == {
        small_tree["TC"]: {"head", "emulation_officer"},
        small_tree["NV"]: {"inspector"},
    }


def test_agency_list_filters_kind_parent_date_and_search(small_tree, admin_user):
    def listed(**kw):
        return sorted(a.code for a in agency_list(user=admin_user, **kw))

    assert listed(on=BEFORE, kind="district") == ["H1", "H4"]
    assert listed(on=AFTER, parent=small_tree["P2"]) == ["NV", "TC", "X9"]
    assert listed(on=BEFORE, parent=small_tree["P2"]) == []
    assert listed(on=BEFORE, q="ke hoach") == ["KHDT"]
    assert listed(on=AFTER, q="MTTQ") == ["MTTQ"]
    # Kind and parent must hold in the same version: TC was a department under P, not P2, in 2022.
    assert listed(on=BEFORE, kind="department", parent=small_tree["P2"]) == []
    named = {a.code: a.name for a in agency_list(user=admin_user, on=BEFORE)}
    assert named["KHDT"] == "Sở Kế hoạch và Đầu tư"


def test_agency_list_is_empty_for_anonymous(small_tree):
    from django.contrib.auth.models import AnonymousUser

    assert not agency_list(user=AnonymousUser(), on=BEFORE).exists()
    assert Agency.objects.count() == 13


def test_district_committees_are_offered_only_before_the_district_level_ended(small_tree):
    from datetime import date

    from agencies.selectors import collectives_existing

    before = collectives_existing(on=date(2025, 6, 30))
    after = collectives_existing(on=date(2025, 7, 1))
    assert "districts" in before and "districts" not in after
    assert "departments" in after
