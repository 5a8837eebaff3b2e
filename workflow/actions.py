"""The steps a person takes on an assignment: for each, the access action checked, the input
form, and the service called. The HTML pages and the API both read this table, so the two
surfaces cannot drift apart.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from core import access

from . import forms, services
from .choices import ACTION_STATES
from .deadlines import DueRule


@dataclass(frozen=True)
class Step:
    name: str
    label: Any
    access: str
    form: type
    run: Any  # (actor, assignment, cleaned_data) -> result


STEPS = {
    step.name: step
    for step in [
        Step(
            "receive",
            _("Receive and delegate"),
            "receive",
            forms.ReceiveForm,
            lambda actor, a, d: services.assignment_receive(
                actor=actor, assignment=a, assignee=d["assignee"]
            ),
        ),
        Step(
            "refuse",
            _("Return to the office (not our remit)"),
            "refuse",
            forms.ReasonForm,
            lambda actor, a, d: services.assignment_refuse(
                actor=actor, assignment=a, reason=d["reason"]
            ),
        ),
        Step(
            "triage",
            _("Decide on the refusal"),
            "triage",
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
            "progress",
            _("File a progress update"),
            "progress",
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
            "report",
            _("Report completion"),
            "report",
            forms.ReportForm,
            lambda actor, a, d: services.completion_report_file(
                actor=actor, assignment=a, text=d["text"], files=d.get("files") or []
            ),
        ),
        Step(
            "approve",
            _("Approve the report"),
            "approve",
            forms.CommentForm,
            lambda actor, a, d: services.report_approve(
                actor=actor, assignment=a, comment=d.get("comment", "")
            ),
        ),
        Step(
            "return",
            _("Return the report to the officer"),
            "approve",
            forms.CommentForm,
            lambda actor, a, d: services.report_return(
                actor=actor, assignment=a, comment=d.get("comment", "")
            ),
        ),
        Step(
            "accept",
            _("Accept the result"),
            "accept",
            forms.CommentForm,
            lambda actor, a, d: services.report_accept(
                actor=actor, assignment=a, comment=d.get("comment", "")
            ),
        ),
        Step(
            "return_office",
            _("Return the result to the agency"),
            "accept",
            forms.CommentForm,
            lambda actor, a, d: services.report_return_office(
                actor=actor, assignment=a, comment=d.get("comment", "")
            ),
        ),
        Step(
            "request_extension",
            _("Request an extension"),
            "request_extension",
            forms.ExtensionRequestForm,
            lambda actor, a, d: services.extension_request(
                actor=actor,
                assignment=a,
                requested_due_date=d["requested_due_date"],
                reason=d["reason"],
            ),
        ),
        Step(
            "transfer",
            _("Transfer to a successor"),
            "transfer",
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
        leads=data["leads"],
        collectives=data["collectives"],
        coordinators=data["coordinators"],
        modality=data["modality"],
        as_written=data["as_written"],
        due_rule=DueRule(
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
            "endorse",
            _("Endorse the extension request"),
            "endorse_extension",
            forms.EndorseForm,
            lambda actor, e, d: services.extension_endorse(
                actor=actor, extension=e, endorse=d["endorse"], note=d.get("note", "")
            ),
        ),
        Step(
            "decide",
            _("Decide the extension request"),
            "decide_extension",
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


def available_extension_steps(*, user, extension) -> list[Step]:
    """The extension steps ``user`` may take now on a pending request."""
    pending = {"requested": "endorse", "endorsed": "decide"}
    name = pending.get(extension.status)
    if name is None:
        return []
    step = EXTENSION_STEPS[name]
    return [step] if access.can(user, step.access, extension.assignment) else []


def available_steps(*, user, assignment) -> list[Step]:
    """The steps ``user`` may take now: the state allows it and the access layer agrees."""
    steps = [s for s in STEPS.values() if assignment.state in ACTION_STATES[s.name]]
    allowed = {}
    for step in steps:
        if step.access not in allowed:
            allowed[step.access] = access.can(user, step.access, assignment)
    return [s for s in steps if allowed[s.access]]
