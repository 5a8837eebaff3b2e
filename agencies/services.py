"""Every change to agencies, people and memberships.

``actor=None`` means the system itself (a management command run by an operator on the
server); every request-driven call passes the signed-in user and is checked by core.access.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from core.access import require
from core.audit import audit_record
from core.exceptions import Forbidden, InvalidInput
from core.text import fold, nfc

from . import datafile
from .choices import DELEGABLE_ROLES
from .models import Agency, AgencyAlias, AgencyVersion, Membership, Succession, User

Period = tuple[date, date | None]


def _require_admin(actor) -> None:
    if actor is not None and not actor.is_superuser:
        raise Forbidden()


def _overlap(a: Period, b: Period) -> bool:
    a_from, a_until = a
    b_from, b_until = b
    return (b_until is None or a_from < b_until) and (a_until is None or b_from < a_until)


def _periods(agency_id: int) -> list[Period]:
    return list(
        AgencyVersion.objects.filter(agency_id=agency_id).values_list("valid_from", "valid_until")
    )


def _covered(period: Period, periods: list[Period]) -> bool:
    """True when the union of ``periods`` covers ``period`` without a gap."""
    start, end = period
    for p_from, p_until in sorted(periods):
        if p_from > start:
            return False
        if p_until is None or (end is not None and p_until >= end):
            return True
        start = max(start, p_until)
    return False


def _alias_conflicts(agency: Agency, key: str) -> list[str]:
    """Agencies alive at the same time as ``agency`` that the same key would also match."""
    mine = _periods(agency.pk)
    conflicts = []
    named = AgencyVersion.objects.filter(Q(name_key=key) | Q(short_name_key=key)).exclude(
        agency=agency
    )
    for version in named.select_related("agency"):
        if any(_overlap((version.valid_from, version.valid_until), p) for p in mine):
            conflicts.append(version.agency.code)
    aliased = AgencyAlias.objects.filter(key=key).exclude(agency=agency).select_related("agency")
    for alias in aliased:
        theirs = _periods(alias.agency_id)
        if any(_overlap(a, b) for a in mine for b in theirs):
            conflicts.append(alias.agency.code)
    return sorted(set(conflicts))


def _check_alias(agency: Agency, text: str) -> str:
    key = fold(text)
    if not key:
        raise InvalidInput(_("An alias cannot be empty."), code="alias_empty")
    conflicts = _alias_conflicts(agency, key)
    if conflicts:
        raise InvalidInput(
            _("The alias “{alias}” of {code} would also match {others}.").format(
                alias=nfc(text), code=agency.code, others=", ".join(conflicts)
            ),
            code="alias_ambiguous",
        )
    return key


def alias_add(*, actor, agency: Agency, text: str) -> AgencyAlias:
    """Add a spelling that texts use for ``agency``; refused if it would match two agencies."""
    with transaction.atomic():
        _require_admin(actor)
        key = _check_alias(agency, text)
        alias, created = AgencyAlias.objects.get_or_create(
            agency=agency, key=key, defaults={"text": nfc(text)}
        )
        if created:
            alias.full_clean()
            audit_record(
                actor=actor, verb="agency.alias_add", obj=agency, new={"alias": alias.text}
            )
        return alias


def user_create(
    *, actor, username: str, password: str, full_name: str = "", email: str = ""
) -> User:
    """Create a person who can sign in (administrators only)."""
    with transaction.atomic():
        _require_admin(actor)
        if User.objects.filter(username=username).exists():
            raise InvalidInput(
                _("The user name “{name}” is taken.").format(name=username), code="user_exists"
            )
        user = User(username=username, full_name=nfc(full_name), email=email)
        user.set_password(password)
        user.full_clean()
        user.save()
        audit_record(actor=actor, verb="user.create", obj=user, new={"username": username})
        return user


def membership_grant(
    *,
    actor,
    user: User,
    agency: Agency,
    role: str,
    valid_from: date,
    valid_until: date | None = None,
    title: str = "",
) -> Membership:
    """Let ``user`` act for ``agency`` in ``role`` over a period in which the agency exists.

    A head grants deputy, officer and clerk roles in the head's own agency; other roles are
    granted by an administrator. Overlapping grants of the same role are refused.
    """
    with transaction.atomic():
        if role in DELEGABLE_ROLES and actor is not None and not actor.is_superuser:
            require(actor, "manage_members", agency)
        else:
            _require_admin(actor)
        if not Agency.objects.valid_on(valid_from).filter(pk=agency.pk).exists():
            raise InvalidInput(
                _("{agency} does not exist on {day:%d/%m/%Y}.").format(
                    agency=agency.code, day=valid_from
                ),
                code="agency_not_valid",
            )
        membership = Membership(
            user=user,
            agency=agency,
            role=role,
            valid_from=valid_from,
            valid_until=valid_until,
            title=nfc(title),
        )
        try:
            membership.full_clean()
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), code="invalid_membership") from exc
        same = Membership.objects.select_for_update().filter(user=user, agency=agency, role=role)
        if any(_overlap((m.valid_from, m.valid_until), (valid_from, valid_until)) for m in same):
            raise InvalidInput(
                _("{user} already holds this role in {agency} in that period.").format(
                    user=user, agency=agency.code
                ),
                code="membership_overlap",
            )
        membership.save()
        audit_record(
            actor=actor,
            verb="membership.grant",
            obj=membership,
            new={
                "user": user.username,
                "agency": agency.code,
                "role": role,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
        )
        return membership


def membership_end(*, actor, membership: Membership, on: date) -> Membership:
    """End a membership from ``on`` (the first day it no longer applies)."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if actor is not None and not actor.is_superuser:
            require(actor, "end", membership)
        if on <= membership.valid_from or (
            membership.valid_until is not None and on >= membership.valid_until
        ):
            raise InvalidInput(
                _("The end date must fall inside the membership's period."), code="invalid_end"
            )
        old = {"valid_until": membership.valid_until}
        membership.valid_until = on
        membership.full_clean()
        membership.save(update_fields=["valid_until"])
        audit_record(
            actor=actor,
            verb="membership.end",
            obj=membership,
            old=old,
            new={"valid_until": on},
        )
        return membership


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, what: str) -> None:
        target = self.created if bucket == "created" else self.updated
        target[what] = target.get(what, 0) + 1

    def __str__(self):
        def fmt(counts):
            return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "0"

        return f"created {fmt(self.created)}; updated {fmt(self.updated)}"


def _upsert(actor, model, lookup: dict, values: dict, line: int, report: LoadReport, what: str):
    instance = model.objects.filter(**lookup).first()
    bucket = "created"
    if instance is None:
        instance = model(**lookup, **values)
    else:
        changed = {k for k, v in values.items() if getattr(instance, k) != v}
        if not changed:
            return instance
        for key in changed:
            setattr(instance, key, values[key])
        bucket = "updated"
    try:
        instance.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise datafile.DataFileError(line, "; ".join(exc.messages)) from exc
    instance.save()
    report.count(bucket, what)
    audit_record(
        actor=actor,
        verb=f"{what}.load",
        obj=instance,
        new={k: (v.pk if isinstance(v, Model) else v) for k, v in {**lookup, **values}.items()},
    )
    return instance


def agencies_load(*, actor, text: str) -> LoadReport:
    """Load the reference data file whole or not at all; running it twice changes nothing.

    Raises ``datafile.DataFileError`` naming the line of the first problem.
    """
    data = datafile.parse(text)
    with transaction.atomic():
        _require_admin(actor)
        loader = _Loader(actor, data)
        loader.load_agencies()
        for row in data.agencies:
            loader.versions(row)
        for row in data.agencies:
            loader.check_parents(row)
            loader.aliases(row)
        for succession in data.successions:
            loader.succession(succession)
    return loader.report


class _Loader:
    """The stages of ``agencies_load``, sharing the agencies read so far and the report."""

    def __init__(self, actor, data):
        self.actor, self.data, self.report = actor, data, LoadReport()
        self.agencies: dict[str, Agency] = {}
        self.known: dict[str, Agency] = {}

    def upsert(self, model, keys: dict, values: dict, line: int, what: str):
        return _upsert(self.actor, model, keys, values, line, self.report, what)

    def resolve(self, code: str | None, line: int) -> Agency | None:
        if code is None:
            return None
        if code not in self.known:
            raise datafile.DataFileError(line, _("unknown agency code {code}").format(code=code))
        return self.known[code]

    def load_agencies(self) -> None:
        codes = [row.code for row in self.data.agencies]
        for row in self.data.agencies:
            if codes.count(row.code) > 1:
                raise datafile.DataFileError(
                    row.line, _("the code {code} appears twice").format(code=row.code)
                )
        for row in self.data.agencies:
            self.agencies[row.code] = self.upsert(
                Agency, {"code": row.code}, {}, row.line, "agency"
            )
        self.known = {
            **{a.code: a for a in Agency.objects.filter(code__in=_referenced(self.data))},
            **self.agencies,
        }

    def versions(self, row) -> None:
        ordered = sorted(row.versions, key=lambda v: v.valid_from)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if _overlap(
                (before.valid_from, before.valid_until), (after.valid_from, after.valid_until)
            ):
                raise datafile.DataFileError(
                    after.line, _("this version overlaps the one before it")
                )
        for version in ordered:
            self.upsert(
                AgencyVersion,
                {"agency": self.agencies[row.code], "valid_from": version.valid_from},
                {
                    "valid_until": version.valid_until,
                    "name": nfc(version.name),
                    "short_name": nfc(version.short_name),
                    "name_key": fold(version.name),
                    "short_name_key": fold(version.short_name),
                    "kind": version.kind,
                    "parent": self.resolve(version.parent, version.line),
                    "legal_basis": version.legal_basis,
                    "verified": version.verified,
                    "source": version.source,
                },
                version.line,
                "version",
            )

    def check_parents(self, row) -> None:
        for version in row.versions:
            if version.parent is None:
                continue
            parent = self.known[version.parent]
            if not _covered((version.valid_from, version.valid_until), _periods(parent.pk)):
                raise datafile.DataFileError(
                    version.line,
                    _("the parent {parent} does not exist over the whole period").format(
                        parent=parent.code
                    ),
                )

    def aliases(self, row) -> None:
        keys = set()
        for text in row.aliases:
            try:
                key = _check_alias(self.agencies[row.code], text)
            except InvalidInput as exc:
                raise datafile.DataFileError(row.line, str(exc.message)) from exc
            if key in keys:
                continue  # another spelling of an alias already listed ("KH&ĐT", "KH & ĐT")
            keys.add(key)
            self.upsert(
                AgencyAlias,
                {"agency": self.agencies[row.code], "key": key},
                {"text": nfc(text)},
                row.line,
                "alias",
            )

    def succession(self, row) -> None:
        self.upsert(
            Succession,
            {
                "predecessor": self.resolve(row.predecessor, row.line),
                "successor": self.resolve(row.successor, row.line),
                "kind": row.kind,
                "effective_on": row.effective_on,
                "function": nfc(row.function),
            },
            {"legal_basis": row.legal_basis, "verified": row.verified, "source": row.source},
            row.line,
            "succession",
        )


def _referenced(data: datafile.DataFile) -> set[str]:
    codes = {v.parent for row in data.agencies for v in row.versions if v.parent}
    for row in data.successions:
        codes.add(row.predecessor)
        if row.successor:
            codes.add(row.successor)
    return codes
