"""Confirming a reviewed breakdown document: the directive, its items, assignments and
recurring obligations, created through ``workflow.services`` in one transaction."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.choices import Collective
from agencies.models import Agency, AgencyVersion, valid_on_q
from agencies.selectors import collective_members
from core.exceptions import InvalidInput
from workflow.choices import DirectiveKind, DuePolicy, Modality, Period
from workflow.deadlines import DueRule
from workflow.models import Directive
from workflow.services import (
    assignments_create_for_groups,
    directive_create,
    directive_publish,
    item_add,
    obligation_create,
)

_PERIOD_RULES = {  # period -> (report_day, month_offset), as in reference_directive.yaml
    Period.MONTHLY: (15, 0),
    Period.QUARTERLY: (15, 0),
    Period.HALF_YEARLY: (15, 0),
    Period.YEARLY: (15, -1),
}


def _invalid(message: str, code: str):
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


def _title(text: str) -> str:
    first = text.strip().split("\n")[0]
    for stop in (". ", "; "):
        if stop in first[20:]:
            first = first[: first.index(stop, 20)]
    return first[:250].rstrip(" ,;:.")


def _check(document: dict) -> tuple[dict, list[dict], date]:
    head = document.get("directive") or {}
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


def breakdown_confirm(*, actor, document: dict, skip_unmatched: bool = True) -> Directive:
    """Create the directive of a reviewed document (``parse_text``'s shape), publish it, and give
    each item to its agencies: lead agencies and collectives as assignments (coordinators
    attached when there is one lead), a recurrence as one obligation per lead agency and period.

    Refuses, creating nothing, an agency code that does not exist on the directive's date.
    Mentions left unmatched (``matched: null``, no ``collective``) are skipped, or refused when
    ``skip_unmatched`` is False.
    """
    head, items, issued_on = _check(document)
    codes = {head["issuer"]}
    unmatched = []
    for item in items:
        for entry in item.get("agencies") or []:
            if entry.get("collective"):
                if entry["collective"] not in Collective.values:
                    _invalid(
                        _("Unknown group of agencies: {name}.").format(name=entry["collective"]),
                        "bad_collective",
                    )
            elif entry.get("matched"):
                codes.add(entry["matched"])
            else:
                unmatched.append(f"{item['number']}: {entry.get('text', '')}")
    if unmatched and not skip_unmatched:
        _invalid(
            _("Agencies not matched to the registry: {names}.").format(names="; ".join(unmatched)),
            "agency_unmatched",
        )
    with transaction.atomic():
        agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
        alive = set(
            AgencyVersion.objects.filter(valid_on_q(issued_on), agency__code__in=codes).values_list(
                "agency__code", flat=True
            )
        )
        missing = sorted(codes - alive)
        if missing:
            raise InvalidInput(
                _("Not an agency on {day:%d/%m/%Y}: {codes}.").format(
                    day=issued_on, codes=", ".join(missing)
                ),
                code="agency_not_valid",
                details={"codes": missing},
            )
        directive = directive_create(
            actor=actor,
            kind=head.get("kind") or DirectiveKind.CHI_THI,
            number=head.get("number") or "",
            title=head["title"],
            issued_on=issued_on,
            issuer=agencies[head["issuer"]],
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
                ),
                item,
            )
            for item in items
        ]
        directive = directive_publish(actor=actor, directive=directive)
        for db_item, item in created:
            _assign(actor, db_item, item, agencies, issued_on)
        return directive


def _members(collective: str, on: date) -> list[Agency]:
    return [v.agency for v in collective_members(collective=Collective(collective), on=on)]


def _assign(actor, db_item, item: dict, agencies: dict, on: date) -> None:
    entries = [e for e in item.get("agencies") or [] if e.get("matched") or e.get("collective")]
    if not entries:
        return
    title = _title(item.get("text") or "")
    deadline = item.get("deadline") or {}
    recurrence = item.get("recurrence") or {}
    due = None
    if deadline.get("policy") == DuePolicy.FIXED and deadline.get("date"):
        due = _date(deadline["date"], str(item["number"]))
        if due < on:
            due = None
    done: set[int] = set()
    for modality in (Modality.ORDER, Modality.REQUEST):
        group = [e for e in entries if (e.get("modality") or Modality.ORDER) == modality]
        if not group:
            continue
        leads = [e for e in group if (e.get("role") or "lead") == "lead"]
        named = [agencies[e["matched"]] for e in leads if e.get("matched")]
        collectives = list(dict.fromkeys(e["collective"] for e in leads if e.get("collective")))
        everyone = list(named)
        for name in collectives:
            everyone += _members(name, on)
        everyone = [a for a in dict.fromkeys(everyone) if a.pk not in done]
        helpers = [
            agencies[e["matched"]]
            for e in group
            if e.get("role") == "coordinating" and e.get("matched")
        ]
        helpers = [a for a in dict.fromkeys(helpers) if a not in everyone and a.pk not in done]
        as_written = ", ".join(dict.fromkeys(e.get("text") or "" for e in group if e.get("text")))
        if recurrence.get("periods"):
            ends_on = due
            for period in recurrence["periods"]:
                report_day, month_offset = _PERIOD_RULES[Period(period)]
                for agency in everyone:
                    obligation_create(
                        actor=actor,
                        item=db_item,
                        agency=agency,
                        title=title,
                        period=period,
                        starts_on=_period_start(period, on),
                        ends_on=ends_on,
                        report_day=report_day,
                        month_offset=month_offset,
                        modality=modality,
                        agency_as_written=as_written,
                    )
        # The duty itself (by its deadline, or continuous) is assigned beside the recurring
        # reports it carries: item 15 monitors the directive and reports every six months.
        if everyone or helpers:
            if not everyone:
                everyone, helpers = helpers, []
            # Members already given the item through a collective are passed as leads;
            # groups are expanded here so that an agency is never assigned twice.
            assignments_create_for_groups(
                actor=actor,
                item=db_item,
                leads=everyone,
                coordinators=helpers,
                modality=modality,
                as_written=as_written[:500],
                due_rule=DueRule(DuePolicy.FIXED, fixed_date=due)
                if due
                else DueRule(DuePolicy.CONTINUOUS),
                title=title,
                assigned_on=on,
            )
        done.update(a.pk for a in everyone)
        done.update(a.pk for a in helpers)
