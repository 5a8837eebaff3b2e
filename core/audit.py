"""``audit_record``: the only writer of the append-only history."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone

from .models import AuditEvent


def audit_record(
    *, actor, verb: str, obj: Model, old=None, new=None, note: str = "", at=None
) -> AuditEvent:
    """Append one event; call it inside the service's transaction so it lands with the change.

    ``at`` is when it happened, if not now (demo data and tests replay past actions).
    """
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
    )


def audit_trail(obj: Model):
    """The events of one object, oldest first, with their actors."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
