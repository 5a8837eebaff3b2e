"""Agencies, people and memberships for tests (factory_boy).

An agency comes with one version (``version__name=…``, ``version__kind=…``); a membership is
granted through ``agencies.services.membership_grant``, so it passes the same checks as a real
grant. ``member(role, agency)`` is the usual way to get a person who acts for an agency.
"""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from agencies.choices import AgencyKind, Role
from agencies.models import Agency, AgencyVersion, Membership, User
from agencies.services import membership_grant

PASSWORD = "pw-Secret-1"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nguoi-dung-{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    password = factory.django.Password(PASSWORD)


class AgencyVersionFactory(DjangoModelFactory):
    """One version of an agency, cleaned as the loader cleans it (name keys for matching)."""

    class Meta:
        model = AgencyVersion

    agency = factory.SubFactory("tests.agencies.factories.AgencyFactory", version=None)
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm {n}")
    kind = AgencyKind.DEPARTMENT
    parent = None
    valid_from = date(2000, 1, 1)
    valid_until = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        version = model_class(*args, **kwargs)
        version.full_clean()
        version.save()
        return version


class AgencyFactory(DjangoModelFactory):
    """An agency with one version, valid from 2000 and still valid."""

    class Meta:
        model = Agency
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"AG{n}")
    version = factory.RelatedFactory(AgencyVersionFactory, factory_related_name="agency")


class MembershipFactory(factory.Factory):
    """A role in an agency over a period, granted by ``membership_grant`` (as an administrator)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.OFFICER
    valid_from = date(2024, 1, 1)
    valid_until = None
    title = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return membership_grant(actor=None, **kwargs)


def member(role, agency, **kwargs) -> User:
    """A person holding ``role`` in ``agency`` (``username=…``, ``valid_from=…`` …)."""
    user_fields = {k: kwargs.pop(k) for k in ("username", "full_name") if k in kwargs}
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, agency=agency, role=role, **kwargs)
    return user
