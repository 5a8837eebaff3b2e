"""Reads of the organisation tree in time, memberships and succession."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from core.text import fold

from .choices import COLLECTIVE_KINDS, Collective, SuccessionKind
from .models import Agency, AgencyAlias, AgencyVersion, Membership, Succession, valid_on_q


def _today() -> date:
    return timezone.localdate()


def agency_version_on(*, agency: Agency, on: date | None = None) -> AgencyVersion | None:
    """The version of ``agency`` in force on ``on``; None when it did not exist then."""
    return AgencyVersion.objects.filter(valid_on_q(on or _today()), agency=agency).first()


def agency_name_on(*, agency: Agency, on: date | None = None) -> str:
    """The name as it was on ``on`` (a 2022 text reads "Sở Kế hoạch và Đầu tư")."""
    version = agency_version_on(agency=agency, on=on)
    return version.name if version else ""


def agency_list(
    *,
    user,
    on: date | None = None,
    kind: str | None = None,
    parent: Agency | None = None,
    q: str | None = None,
) -> QuerySet[Agency]:
    """Agencies existing on ``on``, annotated with that day's name, kind and parent code."""
    on = on or _today()
    versions = AgencyVersion.objects.filter(valid_on_q(on))
    matching = versions
    if kind:
        matching = matching.filter(kind=kind)
    if parent is not None:
        matching = matching.filter(parent=parent)
    queryset = Agency.objects.restrict(user, "view").filter(pk__in=matching.values("agency_id"))
    if q:
        key = fold(q)
        named = AgencyVersion.objects.filter(
            Q(name_key__contains=key) | Q(short_name_key__contains=key)
        ).values("agency_id")
        aliased = AgencyAlias.objects.filter(key__contains=key).values("agency_id")
        queryset = queryset.filter(Q(pk__in=named) | Q(pk__in=aliased))
    current = versions.filter(agency=OuterRef("pk"))
    return (
        queryset.annotate(
            name=Subquery(current.values("name")[:1]),
            short_name=Subquery(current.values("short_name")[:1]),
            kind=Subquery(current.values("kind")[:1]),
            parent_code=Subquery(current.values("parent__code")[:1]),
            parent_id=Subquery(current.values("parent_id")[:1]),
            valid_from=Subquery(current.values("valid_from")[:1]),
            valid_until=Subquery(current.values("valid_until")[:1]),
        )
        .annotate(parent_name=name_on("parent_id", on))
        .prefetch_related(Prefetch("aliases", queryset=AgencyAlias.objects.order_by("text")))
        .order_by("kind", "name")
    )


def agency_history_list(*, user) -> QuerySet[Agency]:
    """Agencies ``user`` may see, each with its whole history prefetched; the parent of each
    version named as it was then, each predecessor and successor by its last name."""
    parent_then = Coalesce(
        NullIf(name_on("parent_id", OuterRef("valid_from")), Value("")), name_latest("parent_id")
    )
    return Agency.objects.restrict(user, "view").prefetch_related(
        Prefetch(
            "versions",
            queryset=AgencyVersion.objects.select_related("parent")
            .annotate(parent_name=parent_then)
            .order_by("valid_from"),
        ),
        Prefetch(
            "successions",
            queryset=Succession.objects.select_related("successor")
            .annotate(successor_name=name_latest("successor_id"))
            .order_by("effective_on"),
        ),
        Prefetch(
            "predecessions",
            queryset=Succession.objects.select_related("predecessor")
            .annotate(predecessor_name=name_latest("predecessor_id"))
            .order_by("effective_on"),
        ),
        Prefetch("aliases", queryset=AgencyAlias.objects.order_by("text")),
    )


def agency_ancestors(*, agency: Agency, on: date | None = None) -> list[AgencyVersion]:
    """The versions of ``agency``'s parent, grandparent… on ``on``, nearest first.

    One query per level; the tree is a handful of levels deep.
    """
    on = on or _today()
    chain: list[AgencyVersion] = []
    seen = {agency.pk}
    version = agency_version_on(agency=agency, on=on)
    while version is not None and version.parent_id and version.parent_id not in seen:
        seen.add(version.parent_id)
        version = (
            AgencyVersion.objects.filter(valid_on_q(on), agency_id=version.parent_id)
            .select_related("agency")
            .first()
        )
        if version is not None:
            chain.append(version)
    return chain


def agency_descendants(*, agency: Agency, on: date | None = None) -> list[AgencyVersion]:
    """Every version below ``agency`` on ``on``, level by level (one query per level)."""
    on = on or _today()
    found: list[AgencyVersion] = []
    seen = {agency.pk}
    frontier = [agency.pk]
    while frontier:
        level = list(
            AgencyVersion.objects.filter(valid_on_q(on), parent_id__in=frontier)
            .exclude(agency_id__in=seen)
            .select_related("agency")
            .order_by("kind", "name")
        )
        found.extend(level)
        frontier = [v.agency_id for v in level]
        seen.update(frontier)
    return found


def collective_members(
    *, collective: str, on: date | None = None, within: Agency | None = None
) -> QuerySet[AgencyVersion]:
    """The agencies a collective phrase ("các sở, ban, ngành", "UBND cấp xã"…) meant on ``on``.

    ``within`` keeps only those under one agency (a province), at any depth.
    """
    on = on or _today()
    kind = COLLECTIVE_KINDS[Collective(collective)]
    members = AgencyVersion.objects.filter(valid_on_q(on), kind=kind)
    if within is not None:
        below = [v.pk for v in agency_descendants(agency=within, on=on)]
        members = members.filter(pk__in=below)
    return members.select_related("agency").order_by("name")


def agency_names_by_code(*, codes, on: date | None = None) -> dict[str, str]:
    """code -> the agency's name on ``on`` (or its last name, for one gone by then)."""
    on = on or _today()
    rows = Agency.objects.filter(code__in=list(codes)).annotate(shown=name_shown("pk", on))
    return {code: name or code for code, name in rows.values_list("code", "shown")}


def collectives_existing(*, on: date | None = None) -> list[str]:
    """The collectives that had members on ``on``, in their order ("UBND cấp huyện" only
    before the district level ended on 01/07/2025)."""
    kinds = set(
        AgencyVersion.objects.filter(valid_on_q(on or _today()), kind__in=COLLECTIVE_KINDS.values())
        .values_list("kind", flat=True)
        .distinct()
    )
    return [c for c in Collective.values if COLLECTIVE_KINDS[Collective(c)] in kinds]


def agency_match(*, text: str, on: date | None = None) -> QuerySet[Agency]:
    """Agencies existing on ``on`` whose name, short name or alias folds to the same key."""
    on = on or _today()
    key = fold(text)
    named = AgencyVersion.objects.filter(
        Q(name_key=key) | Q(short_name_key=key), valid_on_q(on)
    ).values("agency_id")
    aliased = AgencyAlias.objects.filter(key=key).values("agency_id")
    return Agency.objects.valid_on(on).filter(Q(pk__in=named) | Q(pk__in=aliased))


def agency_ids_named(*, text: str) -> list[int]:
    """The ids of the agencies whose name or short name, in any version (former names too),
    or an alias contains ``text`` once folded ("so ke hoach" finds Sở Kế hoạch và Đầu tư).

    One query over the small tables of names; a search of work then filters by these ids.
    """
    key = fold(text)
    if not key:
        return []
    named = AgencyVersion.objects.filter(
        Q(name_key__contains=key) | Q(short_name_key__contains=key)
    ).values_list("agency_id", flat=True)
    aliased = AgencyAlias.objects.filter(key__contains=key).values_list("agency_id", flat=True)
    return sorted(set(named.order_by().union(aliased.order_by())))


def user_memberships(*, user, on: date | None = None) -> QuerySet[Membership]:
    """The memberships ``user`` holds on ``on`` (today by default), with their agencies."""
    on = on or _today()
    current = AgencyVersion.objects.filter(valid_on_q(on), agency=OuterRef("agency_id"))
    return (
        Membership.objects.active_on(on)
        .filter(user=user)
        .annotate(agency_name=Subquery(current.values("name")[:1]))
        .select_related("agency")
        .order_by("agency_name", "role")
    )


def user_agencies(*, user, on: date | None = None) -> dict[Agency, set[str]]:
    """The agencies ``user`` acts for on ``on``, each with the roles held there."""
    roles: dict[Agency, set[str]] = {}
    for membership in user_memberships(user=user, on=on):
        roles.setdefault(membership.agency, set()).add(membership.role)
    return roles


def membership_list(*, user, of_user=None, agency: Agency | None = None) -> QuerySet[Membership]:
    """Memberships ``user`` may see, optionally of one person or one agency, every period.

    Each carries ``in_force``: whether it grants anything today.
    """
    queryset = (
        Membership.objects.restrict(user, "view")
        .select_related("user", "agency")
        .annotate(
            in_force=ExpressionWrapper(valid_on_q(_today()), output_field=BooleanField()),
            agency_name=Coalesce(
                NullIf(name_on("agency_id", _today()), Value("")), name_latest("agency_id")
            ),
            agency_kind=kind_latest("agency_id"),
        )
    )
    if of_user is not None:
        queryset = queryset.filter(user=of_user)
    if agency is not None:
        queryset = queryset.filter(agency=agency)
    return queryset.order_by("-valid_from", "role")


@dataclass(frozen=True)
class Responsibility:
    """Where an earlier obligation of an agency lands today, and the path that led there."""

    agency: Agency
    path: tuple[Succession, ...]


def responsible_agencies(
    *, agency: Agency, given_on: date, on: date | None = None, function: str | None = None
) -> list[Responsibility]:
    """Who answers on ``on`` for what ``agency`` was given on ``given_on``.

    Follows renames, mergers, splits and dissolutions with a named successor that took effect
    after ``given_on`` and by ``on``, in date order, across any number of steps (a split then a
    merge). A function transfer is followed only for the same ``function``. A dissolution with no
    successor ends that branch: the office must reassign by hand. One query per step.
    """
    on = on or _today()
    result: list[Responsibility] = []
    frontier: list[tuple[Agency, date, tuple[Succession, ...]]] = [(agency, given_on, ())]
    followed = {
        SuccessionKind.RENAME,
        SuccessionKind.MERGE_INTO,
        SuccessionKind.SPLIT,
        SuccessionKind.DISSOLVE,
    }
    while frontier:
        ids = {a.pk for a, _since, _path in frontier}
        edges = list(
            Succession.objects.filter(
                predecessor_id__in=ids,
                effective_on__lte=on,
                effective_on__gt=min(since for _a, since, _p in frontier),
            )
            .select_related("predecessor", "successor")
            .order_by("effective_on", "pk")
        )
        next_frontier = []
        for current, since, path in frontier:
            mine = [e for e in edges if e.predecessor_id == current.pk and e.effective_on > since]
            whole = [e for e in mine if e.kind in followed]
            if function:
                whole += [
                    e
                    for e in mine
                    if e.kind == SuccessionKind.TRANSFER_FUNCTION
                    and fold(e.function) == fold(function)
                ]
            if not whole:
                result.append(Responsibility(current, path))
                continue
            first_day = min(e.effective_on for e in whole)
            for edge in (e for e in whole if e.effective_on == first_day):
                # Each step moves strictly forward in time, so the walk always ends.
                if edge.successor is not None:
                    next_frontier.append((edge.successor, edge.effective_on, (*path, edge)))
        frontier = next_frontier
    unique: dict[int, Responsibility] = {}
    for item in result:
        unique.setdefault(item.agency.pk, item)
    return list(unique.values())


def agency_last_name(*, agency: Agency) -> str:
    """The name of its latest version (an agency that no longer exists is still named)."""
    version = AgencyVersion.objects.filter(agency=agency).order_by("-valid_from").first()
    return version.name if version else agency.code


def agency_ended_on(*, agency: Agency) -> date | None:
    """The first day ``agency`` no longer existed (the end of its last version, exclusive);
    None while a version of it has no end."""
    versions = AgencyVersion.objects.filter(agency=agency)
    if versions.filter(valid_until__isnull=True).exists():
        return None
    return versions.aggregate(end=Max("valid_until"))["end"]


def successor_agencies(*, agency: Agency, given_on: date, on: date) -> list[Agency]:
    """The agencies existing on ``on`` that took over, through the successions, the work
    ``agency`` was given on ``given_on``: renamed, merged into, split into — and the agencies a
    function of it was transferred to (work does not record which of its agency's functions it
    concerns: the office confirms that by choosing). The agency itself is never among them."""
    found = responsible_agencies(agency=agency, given_on=given_on, on=on)
    functions = (
        Succession.objects.filter(
            predecessor_id=agency.pk,
            kind=SuccessionKind.TRANSFER_FUNCTION,
            effective_on__gt=given_on,
            effective_on__lte=on,
        )
        .values_list("function", flat=True)
        .distinct()
    )
    for function in functions:
        found += responsible_agencies(agency=agency, given_on=given_on, on=on, function=function)
    candidates = {r.agency.pk: r.agency for r in found if r.agency.pk != agency.pk}
    living = set(Agency.objects.valid_on(on).filter(pk__in=candidates).values_list("pk", flat=True))
    return [a for pk, a in candidates.items() if pk in living]


def agency_forerunners(*, agency_ids) -> set[int]:
    """The agencies ``agency_ids`` and every one that became them, going back through the
    mergers into them and the renamings as them (one query a generation)."""
    line = frontier = set(agency_ids)
    while frontier:
        before = set(
            Succession.objects.filter(
                successor_id__in=frontier,
                kind__in=(SuccessionKind.MERGE_INTO, SuccessionKind.RENAME),
            ).values_list("predecessor_id", flat=True)
        )
        frontier = before - line
        line = line | frontier
    return line


def agencies_expand(
    *, agencies: Sequence[Agency] = (), collectives: Sequence[str] = (), on: date
) -> list[Agency]:
    """The named agencies followed by every member of each collective on ``on``, once each and
    in that order: the one place where "UBND cấp xã" becomes the communes of the day."""
    everyone = list(agencies)
    for collective in collectives:
        everyone += [v.agency for v in collective_members(collective=collective, on=on)]
    return list(dict.fromkeys(everyone))


@dataclass(frozen=True)
class Lifetime:
    """The periods an agency existed, half-open like its versions (``valid_on_q`` in memory)."""

    periods: tuple[tuple[date, date | None], ...] = ()

    def exists_on(self, day: date) -> bool:
        return any(start <= day and (end is None or day < end) for start, end in self.periods)


def agency_lifetimes(*, agency_ids) -> defaultdict[int, Lifetime]:
    """The lifetime of each agency, read in one query, for checks over many dates."""
    periods: defaultdict[int, list] = defaultdict(list)
    rows = AgencyVersion.objects.filter(agency_id__in=list(agency_ids)).values_list(
        "agency_id", "valid_from", "valid_until"
    )
    for agency_id, start, end in rows:
        periods[agency_id].append((start, end))
    result: defaultdict[int, Lifetime] = defaultdict(Lifetime)
    result.update({agency_id: Lifetime(tuple(p)) for agency_id, p in periods.items()})
    return result


def name_on(agency_path: str, on, *, short: bool = False) -> Coalesce:
    """For annotations: the name of the agency at ``agency_path`` (an id field of the outer
    row) in force on ``on`` (a date, or an expression such as ``OuterRef("assigned_on")``);
    ``short`` gives the short name where there is one. Empty when it did not exist then."""
    # Ordered by the start alone (the agency is given): the model's ordering by the agency's
    # code joined the agency table and sorted in every row's subquery.
    versions = AgencyVersion.objects.filter(
        valid_on_q(on), agency_id=OuterRef(agency_path)
    ).order_by("valid_from")
    name = Subquery(versions.values("name")[:1])
    if not short:
        return Coalesce(name, Value(""))
    return Coalesce(NullIf(Subquery(versions.values("short_name")[:1]), Value("")), name, Value(""))


class AgencyNamer:
    """Every version of some agencies, to name them on any day in Python exactly as
    ``name_on`` does in the database (``agency_namer``)."""

    def __init__(self, versions):
        self._versions: dict[int, list[AgencyVersion]] = defaultdict(list)
        for version in versions:
            self._versions[version.agency_id].append(version)

    def name(self, agency_id, on, *, short: bool = False) -> str:
        """As ``name_on``: the name (``short``: the short name, else the name) of the version
        in force on ``on``, the earliest if several; empty when it did not exist then."""
        if on is None:
            return ""
        for version in self._versions.get(agency_id, ()):
            if version.valid_from <= on and (
                version.valid_until is None or version.valid_until > on
            ):
                return (version.short_name or version.name) if short else version.name
        return ""


def agency_namer(agency_ids) -> AgencyNamer:
    """The versions of the agencies ``agency_ids`` (one query), for naming rows already read (a
    page of a list) without a subquery per row."""
    versions = AgencyVersion.objects.filter(agency_id__in=list(agency_ids))
    return AgencyNamer(
        versions.only("agency_id", "valid_from", "valid_until", "name", "short_name").order_by(
            "agency_id", "valid_from"
        )
    )


def kind_latest(agency_path: str) -> Subquery:
    """For annotations: the kind of the agency at ``agency_path`` in its last version."""
    versions = AgencyVersion.objects.filter(agency_id=OuterRef(agency_path)).order_by("-valid_from")
    return Subquery(versions.values("kind")[:1])


def name_latest(agency_path: str, column: str = "name") -> Subquery:
    """For annotations: the last name the agency at ``agency_path`` had (for one that no longer
    exists, the name it ended with); ``column`` "name_key": its folded form."""
    versions = AgencyVersion.objects.filter(agency_id=OuterRef(agency_path)).order_by("-valid_from")
    return Subquery(versions.values(column)[:1])


def name_shown(agency_path: str, on) -> Coalesce:
    """For annotations: the name a table shows for the agency at ``agency_path`` — its name on
    ``on``, else (one that no longer existed then) the last name it had."""
    return Coalesce(
        NullIf(name_on(agency_path, on), Value("")), name_latest(agency_path), Value("")
    )


def with_name_shown(rows, agency: str, on, name: str = "name", keyed: bool = False):
    """``rows`` annotated with ``name``: ``name_shown`` of the agency at the relation
    ``agency`` ("" when the rows are agencies), its name on ``on`` read by a join on the
    version then in force (one at most:
    the services and the data file refuse versions of an agency that overlap) instead of a
    sub-query per row — in a grouped query, one per row grouped. The last name, for an agency
    gone by then, is read only for those. With ``keyed``, ``<name>_key`` too: its folded form
    (``core.text.fold``), to sort by as a reader expects."""
    alias = f"{name}_version"
    versions = f"{agency}__versions" if agency else "versions"  # "": the rows are agencies
    key = f"{agency}_id" if agency else "pk"
    rows = rows.annotate(
        **{alias: FilteredRelation(versions, condition=valid_on_q(on, f"{versions}__"))}
    )
    shown = {name: Coalesce(NullIf(F(f"{alias}__name"), Value("")), name_latest(key), Value(""))}
    if keyed:
        shown[f"{name}_key"] = Coalesce(
            NullIf(F(f"{alias}__name_key"), Value("")),
            name_latest(key, "name_key"),
            Value(""),
        )
    return rows.annotate(**shown)


def agencies_existing_on(on: date):
    """The agencies of ``on`` with that day's name and kind, ordered for a chooser."""
    kind = (
        AgencyVersion.objects.filter(valid_on_q(on), agency_id=OuterRef("pk"))
        .order_by("valid_from")
        .values("kind")
    )
    return (
        Agency.objects.valid_on(on)
        .annotate(name_then=name_on("pk", on), kind_then=Subquery(kind[:1]))
        .order_by("kind_then", "name_then")
    )


CHOICES_SHOWN = 20  # what a type-ahead chooser is sent for one query
ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "mttq": "mat tran to quoc"}


def agency_choices(*, user, text: str, ever: bool = False, on: date | None = None) -> list:
    """The agencies a type-ahead chooser offers for ``text`` (folded name, short name or
    alias; every word must match): those of ``on`` (today), or with ``ever`` those of any time
    by their name today or their last; at most ``CHOICES_SHOWN`` + 1, in the chooser's order,
    each with ``name_then`` and ``kind_then``."""
    # The office's abbreviations, as the type-ahead reads them (static/js/typeahead.js).
    words = [ABBREVIATIONS.get(word, word) for word in fold(text).split()]
    keys = " ".join(words).split()
    rows = agencies_ever() if ever else agencies_existing_on(on or _today())
    rows = rows.filter(pk__in=Agency.objects.restrict(user, "view").values("pk"))
    for key in keys:
        named = AgencyVersion.objects.filter(
            Q(name_key__contains=key) | Q(short_name_key__contains=key)
        ).values("agency_id")
        aliased = AgencyAlias.objects.filter(key__contains=key).values("agency_id")
        rows = rows.filter(Q(pk__in=named) | Q(pk__in=aliased))
    return list(rows[: CHOICES_SHOWN + 1])


def agencies_ever():
    """Every agency, by its name today or, for one gone since, its last name (for filters over
    past work, where an agency merged away still names its old assignments)."""
    today = AgencyVersion.objects.filter(valid_on_q(_today()), agency_id=OuterRef("pk")).order_by()
    return Agency.objects.annotate(
        name_then=name_latest("pk"),
        kind_then=kind_latest("pk"),
        exists_today=Subquery(today.values("pk")[:1]),
    ).order_by("kind_then", "name_then")
