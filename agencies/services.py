"""Every change to agencies, people and memberships.

``actor=None`` means the system itself (a management command run by an operator on the
server); every request-driven call passes the signed-in user and is checked by core.access.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, Model, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, JSONObject
from django.utils.translation import gettext as _

from core.access import require
from core.audit import audit_record, audit_record_from
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

    def add(self, bucket: str, what: str, number: int) -> None:
        if number:
            target = self.created if bucket == "created" else self.updated
            target[what] = target.get(what, 0) + number

    def __str__(self):
        def fmt(counts):
            return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "0"

        return f"created {fmt(self.created)}; updated {fmt(self.updated)}"


def agencies_load(*, actor, text: str) -> LoadReport:
    """Load the reference data file whole or not at all; running it twice changes nothing.

    Set-based: a handful of reads whatever the size of the file, then one bulk write (and one
    audit INSERT … SELECT) per kind of row that changed; a second load writes nothing. Raises
    ``datafile.DataFileError`` naming the line of the first problem (checked in memory against
    the file and what the database already holds, before anything is written).
    """
    data = datafile.parse(text)
    with transaction.atomic():
        _require_admin(actor)
        loader = _Loader(actor, data)
        loader.read()
        loader.plan_versions()
        loader.check_parents()
        loader.plan_aliases()
        loader.plan_successions()
        loader.write()
    return loader.report


_VERSION_FIELDS = (
    "valid_until",
    "name",
    "short_name",
    "name_key",
    "short_name_key",
    "kind",
    "parent_id",
    "legal_basis",
    "verified",
    "source",
)
_SUCCESSION_FIELDS = ("legal_basis", "verified", "source")


def _clean(instance, line: int, exclude: list[str]) -> None:
    """Field and model checks without a query (foreign keys are resolved from codes already
    read; uniqueness and the period constraint are guaranteed by the checks in memory)."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise datafile.DataFileError(line, "; ".join(exc.messages)) from exc


class _Loader:
    """The stages of ``agencies_load``: read what exists, plan every write in memory (checking
    the file against it), then write in bulk."""

    def __init__(self, actor, data: datafile.DataFile):
        self.actor, self.data, self.report = actor, data, LoadReport()
        self.ids: dict[str, int] = {}  # code -> Agency pk (after new agencies are created)
        self.new_agencies: list[str] = []
        self.periods: dict[str, list[Period]] = {}  # code -> every period, file and database
        self.version_rows: list[tuple[str, datafile.VersionRow]] = []
        self.create: dict[type[Model], list[Any]] = {}
        self.update: dict[type[Model], list[Any]] = {}
        # The codes a new alias or succession refers to, until new agencies have their keys.
        self.codes: dict[int, tuple[str, str | None]] = {}

    # ---- reading
    def read(self) -> None:
        codes = [row.code for row in self.data.agencies]
        referenced = _referenced(self.data)
        self.ids = dict(
            Agency.objects.filter(code__in={*codes, *referenced}).values_list("code", "pk")
        )
        self.new_agencies = [code for code in codes if code not in self.ids]
        in_file = set(codes)
        for row in self.data.agencies:
            for version in row.versions:
                parent = version.parent
                if parent and parent not in self.ids and parent not in in_file:
                    raise self.unknown(parent, version.line)
        for edge in self.data.successions:
            for code in (edge.predecessor, edge.successor):
                if code and code not in in_file and code not in self.ids:
                    raise self.unknown(code, edge.line)
        known_ids = list(self.ids.values())
        self.existing_versions = {
            (v.agency_id, v.valid_from): v
            for v in AgencyVersion.objects.filter(agency_id__in=known_ids)
        }
        self.existing_successions: dict[tuple, Succession] = {
            (s.predecessor_id, s.successor_id, s.kind, s.effective_on, s.function): s
            for s in Succession.objects.filter(predecessor_id__in=known_ids)
        }

    @staticmethod
    def unknown(code: str, line: int) -> datafile.DataFileError:
        return datafile.DataFileError(line, _("unknown agency code {code}").format(code=code))

    def id_of(self, code: str | None) -> int | None:
        return None if code is None else self.ids.get(code)

    # ---- planning (in memory)
    def plan_versions(self) -> None:
        by_id_code = {pk: code for code, pk in self.ids.items()}
        for (known_id, valid_from), stored in self.existing_versions.items():
            self.periods.setdefault(by_id_code[known_id], []).append(
                (valid_from, stored.valid_until)
            )
        for row in self.data.agencies:
            agency_id = self.ids.get(row.code)
            in_file = {v.valid_from for v in row.versions}
            kept = [
                (v.valid_from, v.valid_until, v)
                for (a, start), v in self.existing_versions.items()
                if a == agency_id and agency_id is not None and start not in in_file
            ]
            for version in row.versions:
                for start, until, _old in kept:
                    if datafile.overlap(version.valid_from, version.valid_until, start, until):
                        raise datafile.DataFileError(
                            version.line,
                            _(
                                "this version overlaps the one from {day:%d/%m/%Y} already in "
                                "the database"
                            ).format(day=start),
                        )
                self.version_rows.append((row.code, version))
            self.periods[row.code] = [(s, u) for s, u, _o in kept] + [
                (v.valid_from, v.valid_until) for v in row.versions
            ]

    def check_parents(self) -> None:
        for _code, version in self.version_rows:
            if version.parent is None:
                continue
            if not _covered(
                (version.valid_from, version.valid_until), self.periods.get(version.parent, [])
            ):
                raise datafile.DataFileError(
                    version.line,
                    _("the parent {parent} does not exist over the whole period").format(
                        parent=version.parent
                    ),
                )

    def plan_aliases(self) -> None:
        """Each alias checked, in memory, against every other agency's names, short names and
        aliases in a period shared with its own agency (file rows and database rows alike)."""
        by_id_code = {pk: code for code, pk in self.ids.items()}
        names: dict[str, list[tuple[str, Period]]] = {}
        rewritten = {(row.code, v.valid_from) for row in self.data.agencies for v in row.versions}
        for (agency_id, start), v in self.existing_versions.items():
            code = by_id_code[agency_id]
            if (code, start) in rewritten:
                continue  # the file's values replace these
            for key in {v.name_key, v.short_name_key} - {""}:
                names.setdefault(key, []).append((code, (v.valid_from, v.valid_until)))
        others = AgencyVersion.objects.exclude(agency_id__in=list(self.ids.values()))
        outside: dict[int, list[Period]] = {}
        for agency_id, code, start, until, name_key, short_key in others.values_list(
            "agency_id", "agency__code", "valid_from", "valid_until", "name_key", "short_name_key"
        ):
            outside.setdefault(agency_id, []).append((start, until))
            by_id_code[agency_id] = code
            for key in {name_key, short_key} - {""}:
                names.setdefault(key, []).append((code, (start, until)))
        for code, version in self.version_rows:
            for key in {fold(version.name), fold(version.short_name)} - {""}:
                names.setdefault(key, []).append((code, (version.valid_from, version.valid_until)))
        for agency_id, periods in outside.items():
            self.periods.setdefault(by_id_code[agency_id], periods)
        aliased: dict[str, set[str]] = {}
        existing: dict[tuple[int, str], AgencyAlias] = {}
        for alias in AgencyAlias.objects.all():
            aliased.setdefault(alias.key, set()).add(by_id_code.get(alias.agency_id, ""))
            existing[(alias.agency_id, alias.key)] = alias

        def alive_together(period: Period, mine: list[Period]) -> bool:
            return any(datafile.overlap(*period, *p) for p in mine)

        for row in self.data.agencies:
            mine = self.periods[row.code]
            keys: set[str] = set()
            for text in row.aliases:
                key = fold(text)
                if not key:
                    raise datafile.DataFileError(row.line, _("An alias cannot be empty."))
                conflicts = {
                    code
                    for code, period in names.get(key, [])
                    if code != row.code and alive_together(period, mine)
                }
                conflicts |= {
                    code
                    for code in aliased.get(key, set())
                    if code
                    and code != row.code
                    and any(alive_together(p, mine) for p in self.periods.get(code, []))
                }
                if conflicts:
                    raise datafile.DataFileError(
                        row.line,
                        _("The alias “{alias}” of {code} would also match {others}.").format(
                            alias=nfc(text), code=row.code, others=", ".join(sorted(conflicts))
                        ),
                    )
                if key in keys:
                    continue  # another spelling of an alias already listed ("KH&ĐT", "KH & ĐT")
                keys.add(key)
                aliased.setdefault(key, set()).add(row.code)
                known_id = self.ids.get(row.code)
                if known_id is not None and (known_id, key) in existing:
                    alias = existing[(known_id, key)]
                    if alias.text != nfc(text):
                        alias.text = nfc(text)
                        self.update.setdefault(AgencyAlias, []).append(alias)
                else:
                    alias = AgencyAlias(key=key, text=nfc(text))
                    _clean(alias, row.line, ["agency"])
                    self.create.setdefault(AgencyAlias, []).append(alias)
                    self.codes[id(alias)] = (row.code, None)

    def plan_successions(self) -> None:
        seen: dict[tuple, int] = {}
        for row in self.data.successions:
            same = (row.predecessor, row.successor, row.kind, row.effective_on, fold(row.function))
            if same in seen:
                raise datafile.DataFileError(
                    row.line,
                    _("this succession repeats the one on line {line}").format(line=seen[same]),
                )
            seen[same] = row.line
            succession = Succession(
                kind=row.kind,
                effective_on=row.effective_on,
                function=nfc(row.function),
                legal_basis=row.legal_basis,
                verified=row.verified,
                source=row.source,
            )
            self.codes[id(succession)] = (row.predecessor, row.successor)
            # The model's own rules (a dissolution alone may lack a successor, …), on codes.
            succession.predecessor_id = -1
            succession.successor_id = None if row.successor is None else -2
            if row.successor == row.predecessor:
                succession.successor_id = -1
            _clean(succession, row.line, ["predecessor", "successor"])
            key = (
                self.id_of(row.predecessor),
                self.id_of(row.successor),
                row.kind,
                row.effective_on,
                succession.function,
            )
            current = self.existing_successions.get(key) if key[0] is not None else None
            if current is None:
                self.create.setdefault(Succession, []).append(succession)
            elif any(getattr(current, f) != getattr(succession, f) for f in _SUCCESSION_FIELDS):
                for f in _SUCCESSION_FIELDS:
                    setattr(current, f, getattr(succession, f))
                self.update.setdefault(Succession, []).append(current)

    # ---- writing
    def write(self) -> None:
        if self.new_agencies:
            created = Agency.objects.bulk_create([Agency(code=c) for c in self.new_agencies])
            self.ids.update({a.code: a.pk for a in created})
            self.audit(Agency, [a.pk for a in created], "agency", F("code"), "created")
        versions_new, versions_changed = [], []
        for code, row in self.version_rows:
            values = {
                "valid_until": row.valid_until,
                "name": nfc(row.name),
                "short_name": nfc(row.short_name),
                "name_key": fold(row.name),
                "short_name_key": fold(row.short_name),
                "kind": row.kind,
                "parent_id": self.id_of(row.parent),
                "legal_basis": row.legal_basis,
                "verified": row.verified,
                "source": row.source,
            }
            current = self.existing_versions.get((self.ids[code], row.valid_from))
            if current is None:
                version = AgencyVersion(agency_id=self.ids[code], valid_from=row.valid_from)
                for key, value in values.items():
                    setattr(version, key, value)
                _clean(version, row.line, ["agency", "parent"])
                versions_new.append(version)
            elif any(getattr(current, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(current, key, value)
                _clean(current, row.line, ["agency", "parent"])
                versions_changed.append(current)
        self.save(AgencyVersion, versions_new, versions_changed, _VERSION_FIELDS, "version")
        for alias in self.create.get(AgencyAlias, []):
            alias.agency_id = self.ids[self.codes[id(alias)][0]]
        self.save(
            AgencyAlias,
            self.create.get(AgencyAlias, []),
            self.update.get(AgencyAlias, []),
            ("text",),
            "alias",
        )
        for succession in self.create.get(Succession, []):
            before, after = self.codes[id(succession)]
            succession.predecessor_id = self.ids[before]
            succession.successor_id = self.id_of(after)
        self.save(
            Succession,
            self.create.get(Succession, []),
            self.update.get(Succession, []),
            _SUCCESSION_FIELDS,
            "succession",
        )

    def save(self, model, new: list, changed: list, fields, what: str) -> None:
        if new:
            model.objects.bulk_create(new, batch_size=500)
        if changed:
            model.objects.bulk_update(changed, list(fields), batch_size=500)
        self.audit(model, [o.pk for o in new], what, _REPR[what], "created")
        self.audit(model, [o.pk for o in changed], what, _REPR[what], "updated")

    def audit(self, model, pks: list[int], what: str, obj_repr, bucket: str) -> None:
        """One line per row written, recorded in one INSERT … SELECT."""
        if not pks:
            return
        self.report.add(bucket, what, len(pks))
        audit_record_from(
            model.objects.filter(pk__in=pks),
            actor=self.actor,
            verb=f"{what}.load",
            obj_repr=obj_repr,
            new=_NEW[what],
        )


_REPR = {
    "agency": F("code"),
    "version": F("name"),
    "alias": F("text"),
    "succession": Concat(
        F("predecessor__code"),
        Value(" → "),
        Coalesce(F("successor__code"), Value("—")),
        Value(" ("),
        F("kind"),
        Value(", "),
        Cast("effective_on", CharField()),
        Value(")"),
        output_field=CharField(),
    ),
}
_NEW = {
    "agency": JSONObject(code=F("code")),
    "version": JSONObject(
        agency=F("agency__code"),
        valid_from=Cast("valid_from", CharField()),
        valid_until=Cast("valid_until", CharField()),
        name=F("name"),
        short_name=F("short_name"),
        kind=F("kind"),
        parent=F("parent__code"),
        legal_basis=F("legal_basis"),
        verified=F("verified"),
        source=F("source"),
    ),
    "alias": JSONObject(agency=F("agency__code"), key=F("key"), text=F("text")),
    "succession": JSONObject(
        predecessor=F("predecessor__code"),
        successor=F("successor__code"),
        kind=F("kind"),
        effective_on=Cast("effective_on", CharField()),
        function=F("function"),
        legal_basis=F("legal_basis"),
        verified=F("verified"),
        source=F("source"),
    ),
}


def _referenced(data: datafile.DataFile) -> set[str]:
    codes = {v.parent for row in data.agencies for v in row.versions if v.parent}
    for row in data.successions:
        codes.add(row.predecessor)
        if row.successor:
            codes.add(row.successor)
    return codes
