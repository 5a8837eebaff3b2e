"""``audit_record`` (and ``audit_record_from`` for many rows at once): the only writers of the
append-only history.

Each line says from where: the requester's address and the channel (web page, API, admin
site), which ``core.middleware.AuditOriginMiddleware`` notes for the request in a context
variable (``origin_of_request``); outside a request (management commands, the sweep, Celery
tasks) the channel is "command" and there is no address.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    CharField,
    Expression,
    Field,
    GenericIPAddressField,
    Model,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from .choices import AuditChannel
from .models import AuditEvent
from .sql import columns_of, constant, insert_from


@dataclass(frozen=True)
class Origin:
    """From where the changes of the current request (or command) come."""

    ip_address: str | None
    channel: str


OUTSIDE_A_REQUEST = Origin(ip_address=None, channel=AuditChannel.COMMAND)
_origin: ContextVar[Origin] = ContextVar("audit_origin", default=OUTSIDE_A_REQUEST)


@contextlib.contextmanager
def origin_of_request(ip_address: str | None, channel: str) -> Iterator[Origin]:
    """Every line recorded inside says it came from ``ip_address`` through ``channel``."""
    origin = Origin(ip_address=ip_address, channel=channel)
    token = _origin.set(origin)
    try:
        yield origin
    finally:
        _origin.reset(token)


def current_origin() -> Origin:
    return _origin.get()


def audit_record(
    *, actor, verb: str, obj: Model, old=None, new=None, note: str = "", at=None
) -> AuditEvent:
    """Append one event; call it inside the service's transaction so it lands with the change.

    ``at`` is when it happened, if not now (demo data and tests replay past actions).
    """
    origin = current_origin()
    return AuditEvent.objects.create(
        at=at or timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=old,
        after=new,
        note=note,
        ip_address=origin.ip_address,
        channel=origin.channel,
    )


def audit_record_from(
    queryset,
    *,
    actor,
    verb: str,
    obj_repr: Expression,
    old: Expression | None = None,
    new: Expression | None = None,
    note: str | Expression | Subquery = "",
    at=None,
) -> None:
    """``audit_record`` for every row of ``queryset`` at once, in one INSERT … SELECT whatever
    their number: ``obj_repr`` (what ``str(obj)`` gives, as an expression over the rows: the
    database cannot call ``__str__``), ``old`` and ``new`` (e.g. ``JSONObject``) are
    expressions over the queryset's model, and so may ``note`` be (else one text for every
    row). Call it inside the service's transaction."""
    at = at or timezone.now()
    actor = actor if actor is not None and actor.is_authenticated else None
    origin = current_origin()

    def field(name: str) -> Field:
        return cast(Field, AuditEvent._meta.get_field(name))

    rows = queryset.order_by("pk").values_list(
        Value(at, output_field=field("at")),
        Value(actor.pk if actor else None, output_field=field("actor")),
        Value(verb, output_field=field("verb")),
        Value(
            ContentType.objects.get_for_model(queryset.model).pk, output_field=field("content_type")
        ),
        Cast("pk", output_field=CharField()),
        Substr(obj_repr, 1, field("object_repr").max_length),
        constant(None, None) if old is None else old,  # SQL NULL, as audit_record writes
        constant(None, None) if new is None else new,
        Value(note, output_field=field("note")) if isinstance(note, str) else note,
        # Typed (PostgreSQL's inet takes no text in INSERT … SELECT); a bare NULL without one.
        constant(None, None)
        if origin.ip_address is None
        else Cast(Value(origin.ip_address), output_field=GenericIPAddressField()),
        Value(origin.channel, output_field=field("channel")),
    )
    names = ("at", "actor", "verb", "content_type", "object_id", "object_repr", "before", "after")
    columns = (*names, "note", "ip_address", "channel")
    insert_from(AuditEvent, columns_of(field(name) for name in columns), rows)


def audit_trail(obj: Model):
    """The events of one object, oldest first, with their actors."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
