"""Registering directives and their items (the provincial office's reviewers)."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import agency_last_name
from core import access
from core.audit import audit_record
from core.exceptions import DomainError, InvalidInput
from core.flowtasks import AlreadyHandled
from core.text import nfc
from core.time import local_date

from ..choices import DirectiveAction, DirectiveStatus
from ..models import Directive, DirectiveItem
from ..models.directives import directive_search_text, item_search_text
from ._base import agency_not_valid, validated


def directive_create(
    *,
    actor,
    kind: str,
    title: str,
    issued_on: date,
    issuer: Agency,
    number: str = "",
    signer: str = "",
    full_text: str = "",
    note: str = "",
    contribution_lead_days: int = 3,
) -> Directive:
    """Register a directive as a draft (reviewers of the provincial office)."""
    with transaction.atomic():
        access.require_may(actor, DirectiveAction.ADD, Directive)
        if not Agency.objects.valid_on(issued_on).filter(pk=issuer.pk).exists():
            raise agency_not_valid(issuer.code, issued_on)
        directive = Directive(
            kind=kind,
            number=nfc(number),
            title=nfc(title),
            issued_on=issued_on,
            issuer=issuer,
            signer=nfc(signer),
            full_text=full_text,
            note=nfc(note),
            contribution_lead_days=contribution_lead_days,
            created_by=actor,
        )
        directive.search_text = directive_search_text(
            number=directive.number, title=directive.title
        )
        validated(directive)
        directive.save()
        audit_record(
            actor=actor,
            verb="directive.create",
            obj=directive,
            new={"title": directive.title, "kind": kind},
        )
        return directive


DIRECTIVE_FIELDS = (
    "kind",
    "number",
    "title",
    "issued_on",
    "signer",
    "full_text",
    "note",
    "contribution_lead_days",
)


def directive_update(*, actor, directive: Directive, **changes) -> Directive:
    """Correct a directive's details (while it is not closed)."""
    with transaction.atomic():
        directive = Directive.objects.select_for_update().get(pk=directive.pk)
        access.require(actor, DirectiveAction.CHANGE, directive)
        if directive.status == DirectiveStatus.CLOSED:
            raise DomainError(_("A closed directive cannot be changed."), code="closed")
        unknown = set(changes) - set(DIRECTIVE_FIELDS)
        if unknown:
            raise InvalidInput(code="unknown_fields", details={f: ["unknown"] for f in unknown})
        old = {k: getattr(directive, k) for k in changes}
        for key, value in changes.items():
            setattr(
                directive,
                key,
                nfc(value) if isinstance(value, str) and key != "full_text" else value,
            )
        fields = list(changes)
        if {"number", "title"} & set(changes):
            directive.search_text = directive_search_text(
                number=directive.number, title=directive.title
            )
            fields.append("search_text")
        validated(directive)
        directive.save(update_fields=fields)
        audit_record(actor=actor, verb="directive.update", obj=directive, old=old, new=changes)
        return directive


def directive_publish(*, actor, directive: Directive) -> Directive:
    """Publish a draft directive that has at least one item: agencies can now be assigned."""
    with transaction.atomic():
        directive = Directive.objects.select_for_update().get(pk=directive.pk)
        access.require(actor, DirectiveAction.PUBLISH, directive)
        if directive.status != DirectiveStatus.DRAFT:
            raise AlreadyHandled()
        if not directive.items.exists():
            raise InvalidInput(_("Add at least one item before publishing."), code="no_items")
        directive.status = DirectiveStatus.PUBLISHED
        directive.save(update_fields=["status"])
        audit_record(
            actor=actor,
            verb="directive.publish",
            obj=directive,
            old={"status": "draft"},
            new={"status": "published"},
        )
        return directive


_KEEP = object()  # (item_update: leave the focal agency as it is)


def _item_state(item: DirectiveItem) -> dict:
    return {
        "number": item.number,
        "text": item.text,
        "expected_output": item.expected_output,
        "focal_agency": item.focal_agency.code if item.focal_agency else None,
    }


def _focal_check(agency) -> None:
    """A focal agency gathers the item's results now: it must exist today."""
    if (
        agency is not None
        and not Agency.objects.valid_on(local_date()).filter(pk=agency.pk).exists()
    ):
        raise InvalidInput(
            _("{agency} does not exist today: choose the agency that gathers the results.").format(
                agency=agency_last_name(agency=agency)
            ),
            code="agency_not_valid",
            details={"focal_agency": [_("Choose an agency that exists today.")]},
        )


def item_add(
    *,
    actor,
    directive: Directive,
    number: str,
    text: str,
    order: int | None = None,
    expected_output: str = "",
    focal_agency=None,
) -> DirectiveItem:
    """Add a numbered item ("4", "4.b") to a directive that is not closed, with what it must
    produce and the agency that gathers its results (optional)."""
    with transaction.atomic():
        directive = Directive.objects.select_for_update().get(pk=directive.pk)
        access.require(actor, DirectiveAction.CHANGE, directive)
        if directive.status == DirectiveStatus.CLOSED:
            raise DomainError(_("A closed directive cannot be changed."), code="closed")
        number = nfc(number)
        if directive.items.filter(number=number).exists():
            raise InvalidInput(
                _("Item {number} already exists.").format(number=number), code="item_exists"
            )
        if order is None:
            order = directive.items.count() + 1
        _focal_check(focal_agency)
        item = DirectiveItem(
            directive=directive,
            number=number,
            text=text.strip(),
            order=order,
            expected_output=nfc(expected_output).strip(),
            focal_agency=focal_agency,
        )
        item.search_text = item_search_text(text=item.text)
        validated(item)
        item.save()
        audit_record(
            actor=actor,
            verb="item.add",
            obj=directive,
            new={
                "item": number,
                "order": order,
                "expected_output": item.expected_output,
                "focal_agency": focal_agency.code if focal_agency else None,
            },
        )
        return item


def item_update(
    *,
    actor,
    item: DirectiveItem,
    number: str,
    text: str,
    expected_output: str | None = None,
    focal_agency=_KEEP,
) -> DirectiveItem:
    """Correct an item's number or text, what it must produce and its focal agency (left as
    they are when not given)."""
    with transaction.atomic():
        item = (
            DirectiveItem.objects.select_for_update(of=("self",))
            .select_related("directive", "focal_agency")
            .get(pk=item.pk)
        )
        access.require(actor, DirectiveAction.CHANGE, item.directive)
        old = _item_state(item)
        item.number, item.text = nfc(number), text.strip()
        if expected_output is not None:
            item.expected_output = nfc(expected_output).strip()
        if focal_agency is not _KEEP:
            _focal_check(focal_agency)
            item.focal_agency = focal_agency
        item.search_text = item_search_text(text=item.text)
        if item.directive.items.filter(number=item.number).exclude(pk=item.pk).exists():
            raise InvalidInput(
                _("Item {number} already exists.").format(number=item.number),
                code="item_exists",
            )
        validated(item)
        item.save(
            update_fields=["number", "text", "search_text", "expected_output", "focal_agency"]
        )
        audit_record(
            actor=actor, verb="item.update", obj=item.directive, old=old, new=_item_state(item)
        )
        return item
