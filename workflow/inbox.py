"""workflow's inbox sources: assignment steps and extension requests (registered in core.inbox)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import has_role, memberships_today
from agencies.choices import Role
from core import inbox

from .access import APPROVERS, RECEIVERS
from .choices import (
    EXTENSION_STEP_STATUS,
    STEP_STATES,
    ExtensionStepName,
    StepName,
)
from .flows import AssignmentFlow, ExtensionFlow
from .models import Assignment, AssignmentProcess, ExtensionProcess, ExtensionRequest

ASSIGNMENT = "process__assignmentprocess__assignment__"
EXTENSION = "process__extensionprocess__extension__assignment__"


def _agency_work(roles, step: StepName):
    """Assignment tasks of a ``step`` about the work of the agencies the user acts for in one
    of ``roles``, on assignments in a state the step is taken from (``STEP_STATES``: the
    services refuse it in any other, and the flow opens the step's task only there). As a
    semi-join over the agency's assignments in that state (the index on agency, state and due
    date), not over every assignment the agency ever had; none when the user acts for no
    agency in those roles."""

    def condition(user) -> Q | None:
        agencies = _agencies(user, roles)
        if not agencies:
            return None
        processes = AssignmentProcess.objects.filter(
            assignment__agency_id__in=agencies, assignment__state__in=list(STEP_STATES[step])
        )
        return Q(process_id__in=processes.values("pk"))

    return condition


def _agency_extensions(roles, step: ExtensionStepName):
    """Extension tasks of a ``step`` about requests on the work of the user's agencies, at the
    request status the step is taken from (``EXTENSION_STEP_STATUS``)."""

    def condition(user) -> Q | None:
        agencies = _agencies(user, roles)
        if not agencies:
            return None
        processes = ExtensionProcess.objects.filter(
            extension__assignment__agency_id__in=agencies,
            extension__status=EXTENSION_STEP_STATUS[step],
        )
        return Q(process_id__in=processes.values("pk"))

    return condition


def _agencies(user, roles) -> list[int]:
    """The agencies ``user`` acts for today in one of ``roles`` (read once per request)."""
    return sorted({agency for agency, role in memberships_today(user) if role in roles})


def _in_state(step: StepName) -> Q:
    """An open task of ``step`` is about an assignment in a state the step is taken from: the
    flow opens the task there and moves on when the state does (``STEP_STATES``). A hint for
    the due-date order (``TaskKind.subject_hint``): the assignments in that state, by due date,
    are the kind's subjects in order."""
    return Q(**{f"{ASSIGNMENT}state__in": list(STEP_STATES[step])})


def _subjects_in_state(step: StepName):
    """The assignments ``_in_state`` holds for, read on themselves (``TaskKind.subjects``)."""
    return lambda: Assignment.objects.filter(state__in=list(STEP_STATES[step]))


def _subjects_awaiting(step: ExtensionStepName):
    """The assignments with an extension request at the status ``step`` is taken from
    (``EXTENSION_STEP_STATUS``: the flow opens the step's task there and moves on with the
    status), for ``TaskKind.subjects``."""
    return lambda: Assignment.objects.filter(
        pk__in=ExtensionRequest.objects.filter(status=EXTENSION_STEP_STATUS[step]).values(
            "assignment_id"
        )
    )


def _reviewer(user) -> Q | None:
    """Every open task of the node, for the office's reviewers; none for anyone else."""
    return Q() if has_role(user, [Role.REVIEWER]) else None


ASSIGNMENT_KINDS = (
    inbox.TaskKind(
        "receive",
        _("To receive and delegate"),
        (AssignmentFlow.receive,),
        _agency_work(RECEIVERS, StepName.RECEIVE),
        _in_state(StepName.RECEIVE),
        _subjects_in_state(StepName.RECEIVE),
    ),
    inbox.TaskKind(
        "report",
        _("To carry out and report"),
        (AssignmentFlow.report,),
        lambda user: Q(owner_id=user.pk),
        _in_state(StepName.REPORT),
        _subjects_in_state(StepName.REPORT),
    ),
    inbox.TaskKind(
        "approve",
        _("Report to approve"),
        (AssignmentFlow.approve,),
        _agency_work(APPROVERS, StepName.APPROVE),
        _in_state(StepName.APPROVE),
        _subjects_in_state(StepName.APPROVE),
    ),
    inbox.TaskKind(
        "accept",
        _("Result to confirm"),
        (AssignmentFlow.review,),
        _reviewer,
        _in_state(StepName.ACCEPT),
        _subjects_in_state(StepName.ACCEPT),
    ),
    inbox.TaskKind(
        "triage",
        _("Proposal to change the agency"),
        (AssignmentFlow.triage,),
        _reviewer,
        _in_state(StepName.TRIAGE),
        _subjects_in_state(StepName.TRIAGE),
    ),
)
EXTENSION_KINDS = (
    inbox.TaskKind(
        "endorse",
        _("Extension request to endorse"),
        (ExtensionFlow.endorse,),
        _agency_extensions(APPROVERS, ExtensionStepName.ENDORSE),
    ),
    inbox.TaskKind(
        "decide_extension",
        _("Extension request to decide"),
        (ExtensionFlow.decide,),
        _reviewer,
        subjects=_subjects_awaiting(ExtensionStepName.DECIDE),
    ),
)


def _row(task, kind, assignment_id: int) -> inbox.InboxRow:
    return inbox.InboxRow(
        task=task,
        kind=kind,
        subject_id=assignment_id,
        url=reverse("workflow:assignment", args=[assignment_id]),
    )


def register() -> None:
    inbox.register(
        inbox.TaskSource(
            name="workflow.assignment",
            flows=(AssignmentFlow,),
            row=lambda task, kind: _row(task, kind, task.process.assignmentprocess.assignment_id),
            kinds=ASSIGNMENT_KINDS,
            due_date=f"{ASSIGNMENT}due_date",
            row_fields=("process__assignmentprocess__assignment_id",),
        )
    )
    inbox.register(
        inbox.TaskSource(
            name="workflow.extension",
            flows=(ExtensionFlow,),
            row=lambda task, kind: _row(
                task, kind, task.process.extensionprocess.extension.assignment_id
            ),
            kinds=EXTENSION_KINDS,
            due_date=f"{EXTENSION}due_date",
            row_fields=("process__extensionprocess__extension__assignment_id",),
        )
    )
