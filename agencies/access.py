"""Who may see and do what with agencies and memberships (registered in core.access)."""

from django.db.models import BigIntegerField, Exists, Q, Value
from django.db.models.functions import Cast
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
    today = timezone.localdate()
    if on is None or on == today:
        return any(role in roles for _agency, role in memberships_today(user))
    return Membership.objects.active_on(on).filter(user_id=user.pk, role__in=list(roles)).exists()


def memberships_today(user) -> frozenset[tuple[int, str]]:
    """The (agency id, role) of every membership ``user`` holds today: one query, once per
    request (``core.access.remember``) however many rules, menus and checks ask."""
    return memberships_with(user)[0]


def memberships_with(user, riders: dict | None = None):
    """``memberships_today`` and, read by the same query, the keys other apps' rules need
    about the same person (``riders``: name -> (queryset, its key column); the queryset may
    use ``todays_memberships(user)``): ``(memberships, {name: set of keys})``, once per
    request.
    When the memberships are known already, the riders alone are read (one query)."""
    today = timezone.localdate()
    riders = riders or {}
    memo_key = ("memberships", user.pk, today)
    wanted = {name: ("rider", name, user.pk, today) for name in riders}
    known = access.recall(memo_key)
    found = {name: access.recall(key) for name, key in wanted.items()}
    missing = {name: riders[name] for name, value in found.items() if value is None}
    if known is not None and not missing:
        return known, found
    parts = [
        queryset.order_by().values_list(column, Value(f"{RIDER}{name}"))
        for name, (queryset, column) in missing.items()
    ]
    if known is None:
        rows = todays_memberships(user).values_list("agency_id", "role")
        # Whether the person holds any object grant rides along: a row with no agency for
        # each kind of grant held.
        parts = [
            rows,
            *(
                probe.values_list(Cast(Value(None), BigIntegerField()), Value(GRANT)).distinct()
                for probe in access.grant_probes(user)
            ),
            *parts,
        ]
    read = set(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else set(parts[0])
    if known is None:
        access.learn_grants(user, any(role == GRANT for _key, role in read))
        known = frozenset(
            (key, role) for key, role in read if role != GRANT and not role.startswith(RIDER)
        )
        access.learn(memo_key, known)
    for name in missing:
        keys = {key for key, role in read if role == f"{RIDER}{name}"}
        found[name] = keys
        access.learn(wanted[name], keys)
    return known, found


def todays_memberships(user):
    """The memberships ``user`` holds today (a queryset, for subqueries of ``riders``)."""
    return Membership.objects.active_on(timezone.localdate()).filter(user_id=user.pk).order_by()


RIDER = "(rider) "  # never a role (roles are identifiers)
GRANT = "(object grant)"  # never a role (roles are identifiers)


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
