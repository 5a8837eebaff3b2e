"""Generic scoped-object tests: every agency-scoped model subclasses ``ScopedAccessTests``.

A subclass provides three fixtures: ``obj_in_a`` and ``obj_in_b`` (one object of the model in
agency A and one in agency B) and ``user_in_a`` (a user whose role in A must let them see
``obj_in_a``). The tests then hold for every model: anonymous users see nothing; the user sees A's
object and not B's, in lists and through ``can``/``require`` (B's is a 404, never a 403); a
membership outside its dates grants nothing; a guardian grant on B's object opens exactly that
object.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from guardian.shortcuts import assign_perm

from agencies.models import Membership
from core import access
from core.exceptions import NotFound


class ScopedAccessTests:
    model = None

    def visible(self, user):
        return set(access.restrict(self.model._default_manager.all(), user, "view"))

    def test_anonymous_sees_nothing(self, obj_in_a, obj_in_b):
        assert self.visible(AnonymousUser()) == set()

    def test_user_sees_own_agencys_object_only(self, obj_in_a, obj_in_b, user_in_a):
        seen = self.visible(user_in_a)
        assert obj_in_a in seen
        assert obj_in_b not in seen
        assert access.can(user_in_a, "view", obj_in_a)
        assert not access.can(user_in_a, "view", obj_in_b)

    def test_other_agencys_object_is_not_found_rather_than_forbidden(self, obj_in_b, user_in_a):
        with pytest.raises(NotFound):
            access.require(user_in_a, "view", obj_in_b)
        with pytest.raises(NotFound):
            access.require(user_in_a, "change", obj_in_b)

    def test_inactive_user_sees_nothing(self, obj_in_a, user_in_a):
        user_in_a.is_active = False
        user_in_a.save(update_fields=["is_active"])
        assert self.visible(user_in_a) == set()

    def test_membership_outside_its_dates_grants_nothing(self, obj_in_a, user_in_a):
        today = timezone.localdate()
        Membership.objects.filter(user=user_in_a).update(
            valid_from=today + timedelta(days=1), valid_until=None
        )
        assert obj_in_a not in self.visible(user_in_a)
        Membership.objects.filter(user=user_in_a).update(
            valid_from=today - timedelta(days=30), valid_until=today
        )
        assert obj_in_a not in self.visible(user_in_a)

    def test_explicit_grant_opens_exactly_that_object(self, obj_in_a, obj_in_b, user_in_a):
        codename = f"view_{self.model._meta.model_name}"
        assign_perm(f"{self.model._meta.app_label}.{codename}", user_in_a, obj_in_b)
        assert obj_in_b in self.visible(user_in_a)
        assert access.can(user_in_a, "view", obj_in_b)

    def test_superuser_sees_everything(self, obj_in_a, obj_in_b, admin_user):
        assert {obj_in_a, obj_in_b} <= self.visible(admin_user)
