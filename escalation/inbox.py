"""escalation's inbox source: the review tasks of open escalations (registered in core.inbox)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import holds_role
from agencies.choices import Role
from core import inbox

from .flows import EscalationFlow

KINDS = (
    inbox.TaskKind("escalation", _("Late work to decide"), (EscalationFlow.office,)),
    inbox.TaskKind("escalation_leader", _("Late work sent up to you"), (EscalationFlow.leader,)),
)
PATH = "process__escalationprocess__escalation__"


def _tasks(user) -> Q:
    still_open = Q(**{f"{PATH}resolved_at__isnull": True})
    return still_open & (
        (holds_role(user, [Role.REVIEWER]) & Q(flow_task=EscalationFlow.office))
        | (holds_role(user, [Role.LEADER]) & Q(flow_task=EscalationFlow.leader))
    )


def _row(task, kind) -> inbox.InboxRow:
    escalation = task.process.escalationprocess.escalation
    return inbox.InboxRow(
        task=task,
        kind=kind,
        subject=escalation.assignment,
        url=reverse("escalation:decide", args=[escalation.pk]),
    )


def register() -> None:
    inbox.register(
        inbox.TaskSource(
            name="escalation.review",
            flows=(EscalationFlow,),
            condition=_tasks,
            row=_row,
            kinds=KINDS,
            due_date=f"{PATH}assignment__due_date",
            select_related=(f"{PATH}assignment__agency", f"{PATH}assignment__item__directive"),
        )
    )
