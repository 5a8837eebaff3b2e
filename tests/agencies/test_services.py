from datetime import date

import pytest

from agencies.choices import Role
from agencies.models import AgencyAlias, Membership
from agencies.services import alias_add, membership_end, membership_grant, user_create
from core.exceptions import Forbidden, InvalidInput, NotFound
from core.models import AuditEvent


@pytest.fixture
def head(small_tree, user_with_role):
    return user_with_role(Role.HEAD, small_tree["TC"], username="head")


@pytest.fixture
def newcomer(django_user_model):
    return django_user_model.objects.create_user(username="newcomer", password="pw-Secret-1")


def test_a_head_grants_an_officer_role_in_own_agency(small_tree, head, newcomer):
    membership = membership_grant(
        actor=head,
        user=newcomer,
        agency=small_tree["TC"],
        role=Role.OFFICER,
        valid_from=date(2026, 1, 1),
    )
    event = AuditEvent.objects.filter(verb="membership.grant", object_id=str(membership.pk)).get()
    assert event.actor == head
    assert event.after["role"] == "officer"


def test_a_head_cannot_grant_in_another_agency(small_tree, head, newcomer):
    with pytest.raises(Forbidden):
        membership_grant(
            actor=head,
            user=newcomer,
            agency=small_tree["NV"],
            role=Role.OFFICER,
            valid_from=date(2026, 1, 1),
        )
    assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.LEADER, Role.INSPECTOR, Role.HEAD])
def test_a_head_cannot_grant_roles_that_reach_beyond_the_agency(small_tree, head, newcomer, role):
    with pytest.raises(Forbidden):
        membership_grant(
            actor=head,
            user=newcomer,
            agency=small_tree["TC"],
            role=role,
            valid_from=date(2026, 1, 1),
        )


def test_an_officer_cannot_grant_anything(small_tree, user_with_role, newcomer):
    officer = user_with_role(Role.OFFICER, small_tree["TC"])
    with pytest.raises(Forbidden):
        membership_grant(
            actor=officer,
            user=newcomer,
            agency=small_tree["TC"],
            role=Role.OFFICER,
            valid_from=date(2026, 1, 1),
        )


def test_an_administrator_grants_a_reviewer_role(small_tree, admin_user, newcomer):
    membership_grant(
        actor=admin_user,
        user=newcomer,
        agency=small_tree["TC"],
        role=Role.REVIEWER,
        valid_from=date(2026, 1, 1),
    )
    assert newcomer.memberships.get().role == "reviewer"


def test_a_membership_must_start_while_the_agency_exists(small_tree, newcomer):
    with pytest.raises(InvalidInput) as error:
        membership_grant(
            actor=None,
            user=newcomer,
            agency=small_tree["KHDT"],
            role=Role.OFFICER,
            valid_from=date(2025, 6, 1),
        )
    assert error.value.code == "agency_not_valid"


def test_overlapping_grants_of_the_same_role_are_refused(small_tree, newcomer):
    membership_grant(
        actor=None,
        user=newcomer,
        agency=small_tree["TC"],
        role=Role.OFFICER,
        valid_from=date(2024, 1, 1),
        valid_until=date(2025, 1, 1),
    )
    with pytest.raises(InvalidInput) as error:
        membership_grant(
            actor=None,
            user=newcomer,
            agency=small_tree["TC"],
            role=Role.OFFICER,
            valid_from=date(2024, 6, 1),
        )
    assert error.value.code == "membership_overlap"
    membership_grant(
        actor=None,
        user=newcomer,
        agency=small_tree["TC"],
        role=Role.OFFICER,
        valid_from=date(2025, 1, 1),
    )
    assert newcomer.memberships.count() == 2


def test_an_end_before_the_start_is_refused(small_tree, newcomer):
    with pytest.raises(InvalidInput):
        membership_grant(
            actor=None,
            user=newcomer,
            agency=small_tree["TC"],
            role=Role.OFFICER,
            valid_from=date(2024, 1, 1),
            valid_until=date(2023, 1, 1),
        )


def test_a_head_ends_an_officers_membership(small_tree, head, user_with_role):
    officer = user_with_role(Role.OFFICER, small_tree["TC"])
    membership = officer.memberships.get()
    membership_end(actor=head, membership=membership, on=date(2026, 6, 1))
    membership.refresh_from_db()
    assert membership.valid_until == date(2026, 6, 1)
    assert AuditEvent.objects.filter(verb="membership.end", actor=head).exists()


def test_a_head_cannot_end_another_agencys_membership(small_tree, head, user_with_role):
    other = user_with_role(Role.OFFICER, small_tree["NV"]).memberships.get()
    with pytest.raises(NotFound):
        membership_end(actor=head, membership=other, on=date(2026, 6, 1))
    other.refresh_from_db()
    assert other.valid_until is None


def test_alias_ambiguity_is_refused_with_the_agencies_named(small_tree, admin_user):
    with pytest.raises(InvalidInput) as error:
        alias_add(actor=admin_user, agency=small_tree["TC"], text="Sở NV")
    assert error.value.code == "alias_ambiguous"
    assert "NV" in str(error.value.message)
    alias = alias_add(actor=admin_user, agency=small_tree["TC"], text="STC")
    assert alias.key == "stc"


def test_aliases_may_repeat_across_agencies_that_never_coexisted(small_tree, admin_user):
    assert AgencyAlias.objects.filter(key="ubnd tinh").count() == 2
    alias_add(actor=admin_user, agency=small_tree["X9"], text="UBND huyện Một")


def test_only_administrators_create_users(small_tree, head):
    with pytest.raises(Forbidden):
        user_create(actor=head, username="x", password="pw-Secret-1")
    with pytest.raises(InvalidInput):
        user_create(actor=None, username="head", password="pw-Secret-1")
