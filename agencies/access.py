"""Who may see and do what with agencies and memberships (registered in core.access)."""

from django.db.models import Exists, Q
from django.utils import timezone

from core import access

from .choices import DELEGABLE_ROLES, MANAGING_ROLES, Role
from .models import Agency, Membership

NOTHING = Q(pk__in=[])


def member_agencies(user, roles=None, on=None):
    """Subquery of the ids of agencies ``user`` acts for on ``on`` (today by default).

    Every agency-scoped rule of every app builds on this, so "an agency sees its own work"
    is written once.
    """
    on = on or timezone.localdate()
    memberships = Membership.objects.active_on(on).filter(user_id=user.pk)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return memberships.values("agency_id")


def holds_role(user, roles, on=None) -> Q:
    """A condition true for every row when ``user`` holds one of ``roles`` anywhere today.

    Evaluated inside the row query (an EXISTS the database runs once), so a rule like
    "reviewers see everything" costs no extra query.
    """
    on = on or timezone.localdate()
    return Q(Exists(Membership.objects.active_on(on).filter(user_id=user.pk, role__in=list(roles))))


def has_role(user, roles, on=None) -> bool:
    """True when ``user`` holds one of ``roles`` in any agency today (for roles that see across)."""
    on = on or timezone.localdate()
    return Membership.objects.active_on(on).filter(user_id=user.pk, role__in=list(roles)).exists()


@access.register(Agency)
def agency_rule(user, action: str) -> Q:
    if action == access.VIEW:
        # The organisation tree is reference data every signed-in user may read.
        return Q()
    if action == "manage_members":
        return Q(pk__in=member_agencies(user, roles=[Role.HEAD]))
    return NOTHING


@access.register(Membership)
def membership_rule(user, action: str) -> Q:
    if action == access.VIEW:
        return Q(user_id=user.pk) | Q(agency_id__in=member_agencies(user, roles=MANAGING_ROLES))
    if action == "end":
        return Q(agency_id__in=member_agencies(user, roles=[Role.HEAD])) & Q(
            role__in=DELEGABLE_ROLES
        )
    return NOTHING
