"""workflow's inbox sources: assignment steps and extension requests (registered in core.inbox)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import holds_role, member_agencies
from agencies.choices import Role
from core import inbox

from .access import APPROVERS, RECEIVERS
from .flows import AssignmentFlow, ExtensionFlow

ASSIGNMENT = "process__assignmentprocess__assignment__"
EXTENSION = "process__extensionprocess__extension__assignment__"

ASSIGNMENT_KINDS = (
    inbox.TaskKind("receive", _("To receive and delegate"), (AssignmentFlow.receive,)),
    inbox.TaskKind("report", _("To carry out and report"), (AssignmentFlow.report,)),
    inbox.TaskKind("approve", _("Report to approve"), (AssignmentFlow.approve,)),
    inbox.TaskKind("accept", _("Result to confirm"), (AssignmentFlow.review,)),
    inbox.TaskKind("triage", _("Proposal to change the agency"), (AssignmentFlow.triage,)),
)
EXTENSION_KINDS = (
    inbox.TaskKind("endorse", _("Extension request to endorse"), (ExtensionFlow.endorse,)),
    inbox.TaskKind("decide_extension", _("Extension request to decide"), (ExtensionFlow.decide,)),
)


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
    endorse = Q(
        flow_task=ExtensionFlow.endorse,
        **{f"{EXTENSION}agency_id__in": member_agencies(user, roles=APPROVERS)},
    )
    return endorse | (holds_role(user, [Role.REVIEWER]) & Q(flow_task=ExtensionFlow.decide))


def _row(task, kind, assignment) -> inbox.InboxRow:
    return inbox.InboxRow(
        task=task,
        kind=kind,
        subject=assignment,
        url=reverse("workflow:assignment", args=[assignment.pk]),
    )


def register() -> None:
    inbox.register(
        inbox.TaskSource(
            name="workflow.assignment",
            flows=(AssignmentFlow,),
            condition=_assignment_tasks,
            row=lambda task, kind: _row(task, kind, task.process.assignmentprocess.assignment),
            kinds=ASSIGNMENT_KINDS,
            due_date=f"{ASSIGNMENT}due_date",
            select_related=(f"{ASSIGNMENT}agency", f"{ASSIGNMENT}item__directive"),
        )
    )
    inbox.register(
        inbox.TaskSource(
            name="workflow.extension",
            flows=(ExtensionFlow,),
            condition=_extension_tasks,
            row=lambda task, kind: _row(
                task, kind, task.process.extensionprocess.extension.assignment
            ),
            kinds=EXTENSION_KINDS,
            due_date=f"{EXTENSION}due_date",
            select_related=(f"{EXTENSION}agency", f"{EXTENSION}item__directive"),
        )
    )
