"""workflow's inbox sources: assignment steps and extension requests (registered in core.inbox)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import holds_role, member_agencies
from agencies.choices import Role
from core import inbox

from .access import APPROVERS, RECEIVERS
from .flows import AssignmentFlow, ExtensionFlow

LABELS = {
    "AssignmentFlow.receive": _("Receive and delegate"),
    "AssignmentFlow.triage": _("Decide on a refusal"),
    "AssignmentFlow.report": _("Report completion"),
    "AssignmentFlow.approve": _("Approve the report"),
    "AssignmentFlow.review": _("Accept or return the result"),
    "ExtensionFlow.endorse": _("Endorse an extension request"),
    "ExtensionFlow.decide": _("Decide an extension request"),
}

ASSIGNMENT = "process__assignmentprocess__assignment__"
EXTENSION = "process__extensionprocess__extension__assignment__"


def _assignment_tasks(user) -> Q:
    agency = f"{ASSIGNMENT}agency_id__in"
    return (
        Q(flow_task=AssignmentFlow.receive, **{agency: member_agencies(user, roles=RECEIVERS)})
        | Q(flow_task=AssignmentFlow.report, owner_id=user.pk)
        | Q(flow_task=AssignmentFlow.approve, **{agency: member_agencies(user, roles=APPROVERS)})
        | (
            holds_role(user, [Role.REVIEWER])
            & Q(flow_task__in=[AssignmentFlow.review, AssignmentFlow.triage])
        )
    )


def _extension_tasks(user) -> Q:
    agency = f"{EXTENSION}agency_id__in"
    return Q(
        flow_task=ExtensionFlow.endorse, **{agency: member_agencies(user, roles=APPROVERS)}
    ) | (holds_role(user, [Role.REVIEWER]) & Q(flow_task=ExtensionFlow.decide))


def _row(task, assignment) -> inbox.InboxRow:
    return inbox.InboxRow(
        task=task,
        label=str(LABELS[f"{task.flow_task.flow_class.__name__}.{task.flow_task.name}"]),
        subject=assignment,
        url=reverse("workflow:assignment", args=[assignment.pk]),
    )


def register() -> None:
    inbox.register(
        inbox.TaskSource(
            name="workflow.assignment",
            flows=(AssignmentFlow,),
            condition=_assignment_tasks,
            row=lambda task: _row(task, task.process.assignmentprocess.assignment),
            select_related=(f"{ASSIGNMENT}agency", f"{ASSIGNMENT}item__directive"),
        )
    )
    inbox.register(
        inbox.TaskSource(
            name="workflow.extension",
            flows=(ExtensionFlow,),
            condition=_extension_tasks,
            row=lambda task: _row(task, task.process.extensionprocess.extension.assignment),
            select_related=(f"{EXTENSION}agency", f"{EXTENSION}item__directive"),
        )
    )
