"""escalation's inbox source: the review tasks of open escalations (registered in core.inbox)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import has_role
from agencies.choices import Role
from core import inbox
from workflow.choices import OPEN_STATES

from .flows import EscalationFlow

PATH = "process__escalationprocess__escalation__"


def _of_open_escalations(roles):
    """Review tasks of escalations still open, for the holders of ``roles``.

    An open review task is always one of an open escalation: the two writers that close an
    escalation close its review process in the same transaction (``services._record``
    completes the task, ``services.escalations_resolve`` cancels the process). So the open
    tasks of the node are the whole answer, counted from the inbox's index alone, without
    reading each escalation (at a province's scale, hundreds of thousands of rows to count)."""
    return lambda user: Q() if has_role(user, roles) else None


# An open escalation is about open work: closing an assignment closes its escalations and
# their review processes (``services._on_assignment_closed``).
OPEN_WORK = Q(**{f"{PATH}assignment__state__in": list(OPEN_STATES)})

KINDS = (
    inbox.TaskKind(
        "escalation",
        _("Late work to decide"),
        (EscalationFlow.office,),
        _of_open_escalations([Role.REVIEWER]),
        OPEN_WORK,
    ),
    inbox.TaskKind(
        "escalation_leader",
        _("Late work sent up to you"),
        (EscalationFlow.leader,),
        _of_open_escalations([Role.LEADER]),
        OPEN_WORK,
    ),
)


def _row(task, kind) -> inbox.InboxRow:
    escalation = task.process.escalationprocess.escalation
    return inbox.InboxRow(
        task=task,
        kind=kind,
        subject_id=escalation.assignment_id,
        url=reverse("escalation:decide", args=[escalation.pk]),
    )


def register() -> None:
    inbox.register(
        inbox.TaskSource(
            name="escalation.review",
            flows=(EscalationFlow,),
            row=_row,
            kinds=KINDS,
            due_date=f"{PATH}assignment__due_date",
            row_fields=("process__escalationprocess__escalation__assignment_id",),
        )
    )
