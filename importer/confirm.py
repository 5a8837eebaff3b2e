"""Confirming a reviewed breakdown document: the directive, its items, assignments and
recurring obligations, created through ``workflow.services`` in one transaction. This is the
only code that turns a document (``importer.document``) into a directive, whichever reader made
the document."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import NoReturn, cast

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.choices import Collective
from agencies.models import Agency
from agencies.selectors import agencies_expand, responsible_agencies
from core.exceptions import InvalidInput
from core.text import shorten
from core.time import local_date
from workflow.choices import (
    AssignmentRole,
    DirectiveKind,
    DuePolicy,
    IndicatorDirection,
    Modality,
    Period,
)
from workflow.deadlines import DueRule, recurring_due_text
from workflow.models import Directive, DirectiveItem
from workflow.services import (
    Addressees,
    assignments_create_for_groups,
    directive_create,
    directive_publish,
    indicator_create,
    item_add,
    obligation_create,
)

from .checks import check_rules, check_shape
from .document import BreakdownDocument, Group, GroupRecurrence, Header, Item, Mention
from .parse.indicators import TargetWords

_PERIOD_RULES = {  # period -> (report_day, month_offset), as in reference_directive.yaml
    Period.MONTHLY: (15, 0),
    Period.QUARTERLY: (15, 0),
    Period.HALF_YEARLY: (15, 0),
    Period.YEARLY: (15, -1),
}


def _invalid(message: str, code: str) -> NoReturn:
    raise InvalidInput(message, code=code)


def _date(value, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        _invalid(_("{what}: “{value}” is not a date.").format(what=what, value=value), "bad_date")


def _period_start(period: str, on: date) -> date:
    if period == Period.YEARLY:
        return date(on.year, 1, 1)
    if period == Period.HALF_YEARLY:
        return date(on.year, 1 if on.month <= 6 else 7, 1)
    if period == Period.QUARTERLY:
        return date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    return on.replace(day=1)


def recurrence_wording(period: str, on: date) -> str:
    """ "Every 6 months: trước ngày 15 các tháng 6 và 12": how a recurring report found in a
    directive of ``on`` will be due once confirmed (the review shows it before confirmation)."""
    report_day, month_offset = _PERIOD_RULES[Period(period)]
    due = recurring_due_text(
        period=period,
        starts_on=_period_start(period, on),
        report_day=report_day,
        month_offset=month_offset,
    )
    return f"{Period(period).label}: {due}"


def _title(text: str) -> str:
    """An item's first sentence as the title of its assignments; a longer one ends with "…"
    at a word."""
    first = text.strip().split("\n")[0]
    for stop in (". ", "; "):
        if stop in first[20:]:
            first = first[: first.index(stop, 20)]
    return shorten(first.rstrip(" ,;:."), 250)


def _check(document: BreakdownDocument) -> tuple[Header, list[Item], date]:
    head = document.get("directive") or cast(Header, {})
    items = document.get("items") or []
    if not items:
        _invalid(_("The document has no items."), "no_items")
    if not head.get("date"):
        _invalid(_("The directive has no date of issue."), "no_date")
    if not head.get("issuer"):
        _invalid(_("Choose the agency that issued the directive."), "no_issuer")
    if not (head.get("title") or "").strip():
        _invalid(_("The directive has no title."), "no_title")
    if head.get("kind", DirectiveKind.CHI_THI) not in DirectiveKind.values:
        _invalid(_("Unknown kind of directive: {kind}.").format(kind=head["kind"]), "bad_kind")
    numbers = [str(i.get("number") or "").strip() for i in items]
    if not all(numbers):
        _invalid(_("Every item needs a number."), "no_number")
    return head, items, _date(head["date"], "date")


def _codes(items: list[Item]) -> tuple[set[str], list[str]]:
    """The agency codes a document names, and the mentions left unmatched."""
    codes: set[str] = set()
    unmatched = []
    for item in items:
        for entry in item.get("agencies") or []:
            if entry.get("collective"):
                if entry["collective"] not in Collective.values:
                    _invalid(
                        _("Unknown group of agencies: {name}.").format(name=entry["collective"]),
                        "bad_collective",
                    )
            elif matched := entry.get("matched"):
                codes.add(matched)
            else:
                unmatched.append(f"{item['number']}: {entry.get('text', '')}")
        for group in item.get("groups") or []:
            codes.update(c for c in group.get("to") or [] if c not in Collective.values)
            codes.update(group.get("coordinators") or [])
        if focal := item.get("focal_agency"):
            codes.add(focal)
    return codes, unmatched


def _agencies_on(codes: set[str], on: date) -> dict[str, Agency]:
    """The agencies of ``codes``; refuses any that did not exist on ``on``."""
    agencies = {a.code: a for a in Agency.objects.valid_on(on).filter(code__in=codes)}
    missing = sorted(codes - set(agencies))
    if missing:
        raise InvalidInput(
            _("Not an agency on {day:%d/%m/%Y}: {codes}.").format(day=on, codes=", ".join(missing)),
            code="agency_not_valid",
            details={"codes": missing},
        )
    return agencies


def breakdown_confirm(
    *,
    actor,
    document: BreakdownDocument,
    skip_unmatched: bool = True,
    at: datetime | None = None,
) -> Directive:
    """Create the directive of a reviewed document, publish it, and give each item to its
    agencies (its explicit ``groups``, or the groups its mentions make).

    Refuses, creating nothing, a document of the wrong shape or breaking the office's rules
    (``importer.checks``: every problem, with the item and agency or assignment it is in), and
    an agency code that does not exist on the directive's date. Mentions left unmatched
    (``matched: null``, no ``collective``) are skipped, or refused when ``skip_unmatched`` is
    False.
    """
    check_shape(document)
    head, items, issued_on = _check(document)
    check_rules(items, issued_on)
    issuer = cast(str, head["issuer"])  # _check refused a directive without one
    codes, unmatched = _codes(items)
    if unmatched and not skip_unmatched:
        _invalid(
            _("Agencies not matched to the registry: {names}.").format(names="; ".join(unmatched)),
            "agency_unmatched",
        )
    with transaction.atomic():
        agencies = _agencies_on(codes | {issuer}, issued_on)
        directive = directive_create(
            actor=actor,
            kind=head.get("kind") or DirectiveKind.CHI_THI,
            number=head.get("number") or "",
            title=head["title"],
            issued_on=issued_on,
            issuer=agencies[issuer],
            signer=head.get("signer") or "",
            full_text=document.get("raw") or document.get("text") or "",
            note=head.get("note") or "",
        )
        created = [
            (
                item_add(
                    actor=actor,
                    directive=directive,
                    number=str(item["number"]).strip(),
                    text=item.get("text") or "",
                    expected_output=item.get("expected_output") or "",
                    focal_agency=agencies[focal] if (focal := item.get("focal_agency")) else None,
                ),
                item,
            )
            for item in items
        ]
        for db_item, item in created:
            reporter = _reporter(db_item.focal_agency, issued_on)
            words = TargetWords(str(item.get("text") or ""))
            for k, entry in enumerate(item.get("indicators") or []):
                fields = _indicator(item, k, entry, issued_on, words)
                indicator_create(actor=actor, item=db_item, agency=reporter, **fields, at=at)
        directive = directive_publish(actor=actor, directive=directive)
        for db_item, item in created:
            groups = item.get("groups")
            if groups is None:
                groups = _groups_from_mentions(item, agencies, issued_on)
            for group in groups:
                _give(actor, db_item, group, agencies, issued_on, at)
        return directive


# The unit of a "top N" target as the office writes it: a rank, where lower is better.
RANK_UNIT = "hạng"


def _reporter(focal: Agency | None, given_on: date) -> Agency | None:
    """Who reports an item's targets: its focal agency, or the one agency that took it over
    whole when it has ended (Sở Nội vụ of old Quảng Trị → of the merged province; a function
    moved elsewhere does not count); none when there is no such single agency (the office
    chooses it)."""
    if focal is None:
        return None
    today = local_date()
    if Agency.objects.valid_on(today).filter(pk=focal.pk).exists():
        return focal
    found = responsible_agencies(agency=focal, given_on=given_on, on=today)
    successors = {r.agency.pk: r.agency for r in found if r.agency.pk != focal.pk}
    living = Agency.objects.valid_on(today).filter(pk__in=successors)
    return living.get() if len(successors) == 1 and living.exists() else None


def _indicator(item: Item, k: int, entry: dict, on: date, words: TargetWords) -> dict:
    """The ``indicator_create`` arguments of the ``k``-th target read in an item: a range
    ("từ 5 đến 10 bậc", "20-25%"), a value ("đạt 80%") or a rank ("nhóm 20 tỉnh dẫn đầu", at
    most 20, lower is better), with its target year ("đến năm 2025": due on 31/12 that year;
    else the item's own deadline) and the item's focal agency reporting it. Refuses a target
    that is not numbers, or whose year is before the directive's.

    Its name is the one the breakdown gives, else the clause of the item its target stands in
    (``TargetWords``: whole words, at most 255 characters, "Thực hiện cắt giảm 20-25% thời gian
    giải quyết thủ tục hành chính (TTHC)"), else the words it was read from; the clause in full
    words (at most 500) is kept as its source text."""
    where = _("Item {number}, target {k}").format(number=item.get("number"), k=k + 1)
    target = entry.get("target") if isinstance(entry, dict) else None
    if not isinstance(target, dict):
        _invalid(_("{where}: the target is missing.").format(where=where), "bad_indicator")

    def number(key: str) -> Decimal | None:
        value = target.get(key)
        if value is None:
            return None
        try:
            found = Decimal(str(value))
        except InvalidOperation:
            found = Decimal("NaN")
        if isinstance(value, bool) or not found.is_finite():
            _invalid(
                _("{where}: “{value}” is not a number.").format(where=where, value=value),
                "bad_indicator",
            )
        return found

    low, high, value, top = number("min"), number("max"), number("value"), number("top")
    direction = IndicatorDirection.HIGHER
    unit = str(target.get("unit") or "")
    if top is not None:
        low, high, direction, unit = None, top, IndicatorDirection.LOWER, RANK_UNIT
    elif value is not None:
        low = high = value
    if low is None and high is None:
        _invalid(_("{where}: the target has no value.").format(where=where), "bad_indicator")
    year = target.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or year < on.year):
        _invalid(
            _("{where}: the target year {year} is before the directive.").format(
                where=where, year=year
            ),
            "bad_indicator",
        )
    text = str(entry.get("text") or "").strip()
    span = entry.get("span")
    clause = name = ""
    if span is not None and words.holds(span, str(entry.get("text") or "")):
        clause, name = words.source(*span), words.name(*span)
    text = clause or text
    return {
        "name": shorten(str(entry.get("name") or name or text or where), 255),
        "unit": unit[:32],
        "target_min": low,
        "target_max": high,
        "direction": direction,
        "target_year": year,
        "due_on": date(year, 12, 31) if year is not None else _due(item, on),
        "source_text": text,
    }


def _due(item: Item, on: date) -> date | None:
    deadline = item.get("deadline") or {}
    if deadline.get("policy") == DuePolicy.FIXED and deadline.get("date"):
        due = _date(deadline["date"], str(item["number"]))
        return due if due >= on else None
    return None


def _groups_from_mentions(item: Item, agencies: dict[str, Agency], on: date) -> list[Group]:
    """The groups an item's mentions make: per modality, the lead agencies and collectives
    (expanded to the agencies of ``on``, none twice) with their coordinators, and for a
    recurrence one group per period beside the duty itself (item 15 monitors the directive
    and reports every six months). The expanded agencies join ``agencies``."""
    entries = [e for e in item.get("agencies") or [] if e.get("matched") or e.get("collective")]
    title = item.get("title") or _title(item.get("text") or "")
    due = _due(item, on)
    periods = (item.get("recurrence") or {}).get("periods") or []
    groups: list[Group] = []
    done: set[int] = set()
    for modality in (Modality.ORDER, Modality.REQUEST):
        group = [e for e in entries if (e.get("modality") or Modality.ORDER) == modality]
        if not group:
            continue
        everyone, helpers = _leads_and_helpers(group, agencies, on, done)
        as_written = ", ".join(dict.fromkeys(e.get("text") or "" for e in group if e.get("text")))
        common: Group = {
            "modality": modality,
            "as_written": shorten(as_written, 500),
            "title": title,
            "expected_output": item.get("expected_output") or "",
        }
        for period in periods:
            report_day, month_offset = _PERIOD_RULES[Period(period)]
            recurrence: GroupRecurrence = {
                "period": period,
                "starts_on": _period_start(period, on).isoformat(),
                "ends_on": due.isoformat() if due else None,
                "report_day": report_day,
                "month_offset": month_offset,
            }
            groups.append({**common, "to": [a.code for a in everyone], "recurrence": recurrence})
        if everyone or helpers:
            if not everyone:
                everyone, helpers = helpers, []
            policy = DuePolicy.FIXED if due else DuePolicy.CONTINUOUS
            groups.append(
                {
                    **common,
                    "to": [a.code for a in everyone],
                    "coordinators": [a.code for a in helpers],
                    "due": {"policy": policy, "date": due.isoformat() if due else None},
                }
            )
        done.update(a.pk for a in [*everyone, *helpers])
    return groups


def _leads_and_helpers(group: list[Mention], agencies, on: date, done: set[int]):
    leads = [e for e in group if (e.get("role") or AssignmentRole.LEAD) == AssignmentRole.LEAD]
    everyone = agencies_expand(
        agencies=[agencies[e["matched"]] for e in leads if e.get("matched")],
        collectives=[c for e in leads if (c := e.get("collective"))],
        on=on,
    )
    everyone = [a for a in everyone if a.pk not in done]
    agencies.update({a.code: a for a in everyone})
    helpers = [
        agencies[e["matched"]]
        for e in group
        if e.get("role") == AssignmentRole.COORDINATING and e.get("matched")
    ]
    helpers = [a for a in dict.fromkeys(helpers) if a not in everyone and a.pk not in done]
    return everyone, helpers


def _give(actor, item: DirectiveItem, group: Group, agencies, on: date, at) -> None:
    """One group: a recurring obligation per agency, or the assignments of a one-off duty."""
    to = group.get("to") or []
    named = [agencies[c] for c in to if c not in Collective.values]
    collectives = [c for c in to if c in Collective.values]
    title = group.get("title") or _title(item.text)
    modality = group.get("modality") or Modality.ORDER
    recurrence = group.get("recurrence")
    if recurrence:
        for agency in agencies_expand(agencies=named, collectives=collectives, on=on):
            obligation_create(
                actor=actor,
                item=item,
                agency=agency,
                title=title,
                period=recurrence["period"],
                starts_on=_date(recurrence["starts_on"], "recurrence.starts_on"),
                ends_on=_date(recurrence["ends_on"], "recurrence.ends_on")
                if recurrence.get("ends_on")
                else None,
                report_day=recurrence.get("report_day", 15),
                month_offset=recurrence.get("month_offset", 0),
                modality=modality,
                expected_output=group.get("expected_output") or "",
                agency_as_written=group.get("as_written") or "",
            )
        return
    due = group.get("due") or {"policy": DuePolicy.CONTINUOUS}
    assignments_create_for_groups(
        actor=actor,
        item=item,
        addressees=Addressees(
            leads=named,
            collectives=collectives,
            coordinators=[agencies[c] for c in group.get("coordinators") or []],
            modality=modality,
            as_written=group.get("as_written") or "",
        ),
        due_rule=DueRule.of(
            due.get("policy"),
            fixed_date=_date(due["date"], "due.date") if due.get("date") else None,
            working_days=due.get("days"),
        ),
        title=title,
        expected_output=group.get("expected_output") or "",
        assigned_on=on,
        at=at,
    )
