"""Reports with evidence, and their review by the head and then by the office."""

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import InvalidInput
from core.flowtasks import AlreadyHandled, task_complete
from core.time import local_date

from .. import evidence, hooks
from ..choices import AssignmentAction, AssignmentState, ReportKind, ReportStatus, StepName
from ..flows import AssignmentFlow
from ..models import Assignment, Attachment, ProgressReport
from ._base import expect_state, locked_for, moment, timeline_record, validated


def _store_report(
    *, actor, assignment, kind, text, percent, files, at
) -> tuple[ProgressReport, int]:
    """The report and its evidence, saved; returns the report and how many files it holds."""
    if not text or not text.strip():
        raise InvalidInput(_("Write what was done."), code="text_required")
    checked = evidence.inspect_uploads(files)
    report = ProgressReport(
        assignment=assignment,
        kind=kind,
        author=actor,
        text=text.strip(),
        percent=percent,
        submitted_at=at,
    )
    validated(report)
    report.save()
    evidence.files_save(partial(Attachment, report=report), checked, actor=actor, at=at)
    return report, len(checked)


def progress_report_file(
    *,
    actor,
    assignment: Assignment,
    text: str,
    percent: int | None = None,
    files=(),
    at: datetime | None = None,
) -> ProgressReport:
    """File a progress update at any time; the flow does not move."""
    at = moment(at)
    with evidence.kept_if_committed(), transaction.atomic():
        assignment = locked_for(actor, AssignmentAction.PROGRESS, assignment)
        expect_state(assignment, StepName.PROGRESS)
        report, attachments = _store_report(
            actor=actor,
            assignment=assignment,
            kind=ReportKind.PROGRESS,
            text=text,
            percent=percent,
            files=files,
            at=at,
        )
        timeline_record(
            actor,
            "report.progress",
            assignment,
            at=at,
            note=report.text,
            new={
                "report": report.pk,
                "percent": percent,
                "attachments": attachments,
            },
        )
        return report


def completion_report_file(
    *, actor, assignment: Assignment, text: str, files=(), at: datetime | None = None
) -> ProgressReport:
    """The officer reports the work done, with evidence; the head approves next."""
    at = moment(at)
    with evidence.kept_if_committed(), transaction.atomic():
        assignment = locked_for(actor, AssignmentAction.REPORT, assignment)
        expect_state(assignment, StepName.REPORT)
        report, attachments = _store_report(
            actor=actor,
            assignment=assignment,
            kind=ReportKind.COMPLETION,
            text=text,
            percent=100,
            files=files,
            at=at,
        )
        assignment.state = AssignmentState.REPORTED
        assignment.save(update_fields=["state"])
        timeline_record(
            actor,
            "report.complete",
            assignment,
            at=at,
            note=report.text,
            old={"state": AssignmentState.IN_PROGRESS},
            new={
                "state": assignment.state,
                "report": report.pk,
                "attachments": attachments,
            },
        )
        task_complete(assignment.process, AssignmentFlow.report, actor, at)
        return report


def _pending_report(assignment: Assignment, status: str) -> ProgressReport:
    report = assignment.reports.filter(kind=ReportKind.COMPLETION, status=status).last()
    if report is None:
        raise AlreadyHandled()
    return report


@dataclass(frozen=True)
class Review:
    """One way a filed or approved report is answered: who may, from which report status to
    which, where the assignment goes, and the timeline verb."""

    step: StepName
    action: str
    node: object
    report_from: str
    report_to: str
    to_state: str
    verb: str
    comment_required: bool = False


APPROVE = Review(
    StepName.APPROVE,
    AssignmentAction.APPROVE,
    AssignmentFlow.approve,
    ReportStatus.FILED,
    ReportStatus.APPROVED,
    AssignmentState.APPROVED,
    "report.approve",
)
RETURN = Review(
    StepName.RETURN,
    AssignmentAction.APPROVE,
    AssignmentFlow.approve,
    ReportStatus.FILED,
    ReportStatus.RETURNED_BY_HEAD,
    AssignmentState.IN_PROGRESS,
    "report.return",
    comment_required=True,
)
ACCEPT = Review(
    StepName.ACCEPT,
    AssignmentAction.ACCEPT,
    AssignmentFlow.review,
    ReportStatus.APPROVED,
    ReportStatus.ACCEPTED,
    AssignmentState.DONE,
    "report.accept",
)
RETURN_OFFICE = Review(
    StepName.RETURN_OFFICE,
    AssignmentAction.ACCEPT,
    AssignmentFlow.review,
    ReportStatus.APPROVED,
    ReportStatus.RETURNED_BY_OFFICE,
    AssignmentState.IN_PROGRESS,
    "report.return_office",
    comment_required=True,
)


def _review(*, actor, assignment: Assignment, review: Review, comment: str, at) -> Assignment:
    at = moment(at)
    with transaction.atomic():
        assignment = locked_for(actor, review.action, assignment)
        expect_state(assignment, review.step)
        from_state = assignment.state
        if review.comment_required and not comment.strip():
            raise InvalidInput(_("Say what must be redone."), code="comment_required")
        report = _pending_report(assignment, review.report_from)
        report.status = review.report_to
        report.save(update_fields=["status"])
        assignment.state = review.to_state
        fields = ["state"]
        if review.to_state == AssignmentState.DONE:
            assignment.completed_on = local_date(report.submitted_at)
            fields.append("completed_on")
        assignment.save(update_fields=fields)
        timeline_record(
            actor,
            review.verb,
            assignment,
            at=at,
            note=comment.strip(),
            old={"state": from_state},
            new={"state": review.to_state, "report": report.pk},
        )
        task_complete(assignment.process, review.node, actor, at)
        if review.to_state == AssignmentState.DONE:
            hooks.assignment_closed.send(assignment=assignment, state=assignment.state, at=at)
        return assignment


def report_approve(
    *, actor, assignment: Assignment, comment: str = "", at: datetime | None = None
) -> Assignment:
    """The head approves the officer's report and sends it to the provincial office."""
    return _review(actor=actor, assignment=assignment, review=APPROVE, comment=comment, at=at)


def report_return(
    *, actor, assignment: Assignment, comment: str, at: datetime | None = None
) -> Assignment:
    """The head returns the report to the officer with a comment."""
    return _review(actor=actor, assignment=assignment, review=RETURN, comment=comment, at=at)


def report_accept(
    *, actor, assignment: Assignment, comment: str = "", at: datetime | None = None
) -> Assignment:
    """The office accepts the result: the assignment is done on the day it was reported."""
    return _review(actor=actor, assignment=assignment, review=ACCEPT, comment=comment, at=at)


def report_return_office(
    *, actor, assignment: Assignment, comment: str, at: datetime | None = None
) -> Assignment:
    """The office returns the result to the agency with a comment."""
    return _review(actor=actor, assignment=assignment, review=RETURN_OFFICE, comment=comment, at=at)
