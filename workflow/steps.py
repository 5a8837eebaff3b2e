"""The steps a person takes on an assignment: for each, the access action checked, the input
form, and the service called. The HTML pages and the API both read this table, so the two
surfaces cannot drift apart.
"""

from dataclasses import dataclass
from typing import Any

from core import access

from . import forms, services
from .choices import (
    EXTENSION_STEP_STATUS,
    STEP_STATES,
    AssignmentAction,
    ExtensionAction,
    ExtensionStepName,
    StepName,
)
from .deadlines import DueRule


@dataclass(frozen=True)
class Step:
    name: str  # StepName or ExtensionStepName
    access: str  # the access action checked on the step's object
    form: type
    run: Any  # (actor, object, cleaned_data) -> result

    @property
    def label(self) -> str:
        choices = StepName if self.name in StepName.values else ExtensionStepName
        return choices(self.name).label


STEPS = {
    step.name: step
    for step in [
        Step(
            StepName.RECEIVE,
            AssignmentAction.RECEIVE,
            forms.ReceiveForm,
            lambda actor, a, d: services.assignment_receive(
                actor=actor, assignment=a, assignee=d["assignee"]
            ),
        ),
        Step(
            StepName.REFUSE,
            AssignmentAction.REFUSE,
            forms.ReasonForm,
            lambda actor, a, d: services.assignment_refuse(
                actor=actor, assignment=a, reason=d["reason"]
            ),
        ),
        Step(
            StepName.TRIAGE,
            AssignmentAction.TRIAGE,
            forms.TriageForm,
            lambda actor, a, d: services.assignment_triage(
                actor=actor,
                assignment=a,
                decision=d["decision"],
                agency=d.get("agency"),
                note=d.get("note", ""),
            ),
        ),
        Step(
            StepName.PROGRESS,
            AssignmentAction.PROGRESS,
            forms.ProgressForm,
            lambda actor, a, d: services.progress_report_file(
                actor=actor,
                assignment=a,
                text=d["text"],
                percent=d.get("percent"),
                files=d.get("files") or [],
            ),
        ),
        Step(
            StepName.REPORT,
            AssignmentAction.REPORT,
            forms.ReportForm,
            lambda actor, a, d: services.completion_report_file(
                actor=actor, assignment=a, text=d["text"], files=d.get("files") or []
            ),
        ),
        Step(
            StepName.APPROVE,
            AssignmentAction.APPROVE,
            forms.CommentForm,
            lambda actor, a, d: services.report_approve(
                actor=actor, assignment=a, comment=d.get("comment", "")
            ),
        ),
        Step(
            StepName.RETURN,
            AssignmentAction.APPROVE,
            forms.CommentForm,
            lambda actor, a, d: services.report_return(
                actor=actor, assignment=a, comment=d.get("comment", "")
            ),
        ),
        Step(
            StepName.ACCEPT,
            AssignmentAction.ACCEPT,
            forms.CommentForm,
            lambda actor, a, d: services.report_accept(
                actor=actor, assignment=a, comment=d.get("comment", "")
            ),
        ),
        Step(
            StepName.RETURN_OFFICE,
            AssignmentAction.ACCEPT,
            forms.CommentForm,
            lambda actor, a, d: services.report_return_office(
                actor=actor, assignment=a, comment=d.get("comment", "")
            ),
        ),
        Step(
            StepName.REQUEST_EXTENSION,
            AssignmentAction.REQUEST_EXTENSION,
            forms.ExtensionRequestForm,
            lambda actor, a, d: services.extension_request(
                actor=actor,
                assignment=a,
                requested_due_date=d["requested_due_date"],
                reason=d["reason"],
            ),
        ),
        Step(
            StepName.TRANSFER,
            AssignmentAction.TRANSFER,
            forms.TransferForm,
            lambda actor, a, d: services.assignment_transfer(
                actor=actor, assignment=a, to_agency=d["to_agency"], note=d.get("note", "")
            ),
        ),
    ]
}


def assign_item(*, actor, item, data: dict):
    """The assign screen's input (``forms.AssignForm``) → assignments."""
    return services.assignments_create_for_groups(
        actor=actor,
        item=item,
        addressees=services.Addressees(
            leads=data["leads"],
            collectives=data["collectives"],
            coordinators=data["coordinators"],
            modality=data["modality"],
            as_written=data["as_written"],
        ),
        due_rule=DueRule.of(
            data["due_policy"],
            fixed_date=data.get("due_date"),
            working_days=data.get("working_days"),
        ),
        title=data["title"],
        expected_output=data["expected_output"],
        assigned_on=data["assigned_on"],
    )


def make_form(step: Step, *, user, assignment, data=None, files=None, prefix=True):
    return step.form(
        data=data,
        files=files,
        prefix=step.name if prefix else None,
        assignment=assignment,
        user=user,
    )


EXTENSION_STEPS = {
    step.name: step
    for step in [
        Step(
            ExtensionStepName.ENDORSE,
            ExtensionAction.ENDORSE,
            forms.EndorseForm,
            lambda actor, e, d: services.extension_endorse(
                actor=actor, extension=e, endorse=d["endorse"], note=d.get("note", "")
            ),
        ),
        Step(
            ExtensionStepName.DECIDE,
            ExtensionAction.DECIDE,
            forms.DecideForm,
            lambda actor, e, d: services.extension_decide(
                actor=actor,
                extension=e,
                approve=d["approve"],
                due_date=d.get("due_date"),
                note=d.get("note", ""),
            ),
        ),
    ]
}


# Every access action a step of an assignment checks (an assignment's page reads them with it).
STEP_CHECKS = frozenset(step.access for step in STEPS.values())


def available_extension_steps(*, user, extension) -> list[Step]:
    """The extension steps ``user`` may take now on a pending request."""
    names = [n for n, status in EXTENSION_STEP_STATUS.items() if status == extension.status]
    steps = [EXTENSION_STEPS[n] for n in names]
    allowed = access.allowed(user, {s.access for s in steps}, extension)
    return [s for s in steps if s.access in allowed]


def available_steps(*, user, assignment) -> list[Step]:
    """The steps ``user`` may take now: the state allows it and the access layer agrees."""
    steps = [s for s in STEPS.values() if assignment.state in STEP_STATES[s.name]]
    allowed = access.allowed(user, {s.access for s in steps}, assignment)  # one query
    return [s for s in steps if s.access in allowed]
