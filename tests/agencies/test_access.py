from datetime import date

import pytest

from agencies.choices import Role
from agencies.models import Agency, Membership
from core import access
from tests.generic.access import ScopedAccessTests


class TestMembershipIsAgencyScoped(ScopedAccessTests):
    model = Membership

    @pytest.fixture
    def obj_in_a(self, small_tree, user_with_role):
        user = user_with_role(Role.OFFICER, small_tree["TC"], username="officer-a")
        return user.memberships.get()

    @pytest.fixture
    def obj_in_b(self, small_tree, user_with_role):
        user = user_with_role(Role.OFFICER, small_tree["NV"], username="officer-b")
        return user.memberships.get()

    @pytest.fixture
    def user_in_a(self, small_tree, user_with_role):
        return user_with_role(Role.HEAD, small_tree["TC"], username="head-a")


def test_everyone_signed_in_reads_the_organisation_tree(small_tree, user_with_role):
    officer = user_with_role(Role.OFFICER, small_tree["TC"])
    assert access.restrict(Agency.objects.all(), officer).count() == Agency.objects.count()


def test_an_officer_sees_own_memberships_but_not_colleagues(small_tree, user_with_role):
    officer = user_with_role(Role.OFFICER, small_tree["TC"])
    colleague = user_with_role(Role.OFFICER, small_tree["TC"])
    seen = set(access.restrict(Membership.objects.all(), officer))
    assert seen == set(officer.memberships.all())
    assert not seen & set(colleague.memberships.all())


def test_only_a_head_manages_members_and_only_in_own_agency(small_tree, user_with_role):
    head = user_with_role(Role.HEAD, small_tree["TC"])
    deputy = user_with_role(Role.DEPUTY, small_tree["TC"])
    assert access.can(head, "manage_members", small_tree["TC"])
    assert not access.can(head, "manage_members", small_tree["NV"])
    assert not access.can(deputy, "manage_members", small_tree["TC"])


def test_a_past_head_manages_nothing(small_tree, user_with_role):
    past = user_with_role(
        Role.HEAD, small_tree["TC"], valid_from=date(2020, 1, 1), valid_until=date(2021, 1, 1)
    )
    assert not access.can(past, "manage_members", small_tree["TC"])


def test_unknown_actions_are_denied(small_tree, user_with_role):
    head = user_with_role(Role.HEAD, small_tree["TC"])
    assert not access.can(head, "delete", small_tree["TC"])
