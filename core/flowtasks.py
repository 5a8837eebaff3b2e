"""Completing a viewflow human task from a service (viewflow checks no permission there: the
service has called ``core.access.require`` before)."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

from .exceptions import DomainError

OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED)


class AlreadyHandled(DomainError):
    default_code = "already_handled"
    default_message = _("This step has already been handled by someone else.")


def task_complete(process, node, actor, at: datetime) -> None:
    """Complete the open ``node`` task of ``process`` as ``actor``; AlreadyHandled if none."""
    task = process.task_set.filter(flow_task=node, status__in=OPEN_TASK).first()
    if task is None:
        raise AlreadyHandled()
    with task.activation() as activation:
        if activation.task.status == STATUS.NEW:
            activation.assign(actor)
        elif activation.task.owner_id != actor.pk:
            activation.reassign(actor)
        activation.start(None)
        activation.task.started = at
        activation.execute()
