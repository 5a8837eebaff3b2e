"""escalation's inbox source: the review tasks of open escalations (registered in core.inbox)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import holds_role
from agencies.choices import Role
from core import inbox

from .flows import EscalationFlow

LABELS = {
    "EscalationFlow.office": _("Decide an escalation"),
    "EscalationFlow.leader": _("Decide an escalation sent up to you"),
}
PATH = "process__escalationprocess__escalation__"


def _tasks(user) -> Q:
    still_open = Q(**{f"{PATH}resolved_at__isnull": True})
    return still_open & (
        (holds_role(user, [Role.REVIEWER]) & Q(flow_task=EscalationFlow.office))
        | (holds_role(user, [Role.LEADER]) & Q(flow_task=EscalationFlow.leader))
    )


def _row(task) -> inbox.InboxRow:
    escalation = task.process.escalationprocess.escalation
    return inbox.InboxRow(
        task=task,
        label=str(LABELS[f"{task.flow_task.flow_class.__name__}.{task.flow_task.name}"]),
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
            select_related=(f"{PATH}assignment__agency", f"{PATH}assignment__item__directive"),
        )
    )
