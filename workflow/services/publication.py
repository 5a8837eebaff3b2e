"""Making a directive public to citizens (công khai để dân biết) and withdrawing it: the
provincial office's reviewers choose which of its items the public page shows."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core import access
from core.audit import audit_record
from core.exceptions import DomainError, InvalidInput

from ..choices import DirectiveAction, DirectiveStatus
from ..models import Directive, DirectiveItem, Publication
from ._base import moment


def _locked(actor, directive: Directive) -> tuple[Directive, Publication]:
    """The directive and its publication row, locked, once ``actor`` may make it public."""
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    access.require(actor, DirectiveAction.PUBLICIZE, directive)
    publication, _created = Publication.objects.select_for_update().get_or_create(
        directive=directive
    )
    return directive, publication


def _public_numbers(directive: Directive) -> list[str]:
    return list(
        directive.items.filter(public=True).order_by("order", "pk").values_list("number", flat=True)
    )


def publication_publish(
    *, actor, directive: Directive, items: Iterable[DirectiveItem], at: datetime | None = None
) -> Publication:
    """Make a published (not draft) directive public with the chosen items, at least one of
    its own; published again, the new choice replaces the old one."""
    at = moment(at)
    with transaction.atomic():
        directive, publication = _locked(actor, directive)
        if directive.status == DirectiveStatus.DRAFT:
            raise DomainError(
                _("A draft directive cannot be made public: publish it first."), code="draft"
            )
        chosen = {item.pk for item in items}
        own = set(directive.items.filter(pk__in=chosen).values_list("pk", flat=True))
        if chosen - own:
            message = _("Choose items of this directive only.")
            raise InvalidInput(message, code="item_not_of_directive", details={"items": [message]})
        if not chosen:
            message = _("Choose at least one item to make public.")
            raise InvalidInput(message, code="no_public_items", details={"items": [message]})
        old = {"public": publication.is_public, "items": _public_numbers(directive)}
        directive.items.exclude(pk__in=chosen).filter(public=True).update(public=False)
        directive.items.filter(pk__in=chosen, public=False).update(public=True)
        publication.is_public = True
        publication.published_at, publication.published_by = at, actor
        publication.revision += 1
        publication.changed_at = at
        publication.full_clean()
        publication.save()
        audit_record(
            actor=actor,
            verb="directive.make_public",
            obj=directive,
            old=old,
            new={"public": True, "items": _public_numbers(directive)},
            at=at,
        )
        return publication


def publication_withdraw(*, actor, directive: Directive, at: datetime | None = None) -> Publication:
    """Take a public directive off the public page (its choice of items is kept)."""
    at = moment(at)
    with transaction.atomic():
        directive, publication = _locked(actor, directive)
        if not publication.is_public:
            raise DomainError(_("This directive is not public."), code="not_public")
        publication.is_public = False
        publication.withdrawn_at, publication.withdrawn_by = at, actor
        publication.revision += 1
        publication.changed_at = at
        publication.full_clean()
        publication.save()
        audit_record(
            actor=actor,
            verb="directive.withdraw_public",
            obj=directive,
            old={"public": True},
            new={"public": False},
            at=at,
        )
        return publication
