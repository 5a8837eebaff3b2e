"""The whole life of an assignment, step by step, through the services."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from core.exceptions import InvalidInput
from core.models import AuditEvent
from tests.fixtures.workflow import vn
from tests.security.evidence_samples import PDF  # a real PDF: evidence is read whole
from workflow.choices import AssignmentState, ReportStatus
from workflow.flows import AssignmentFlow
from workflow.services import (
    AlreadyHandled,
    assignment_receive,
    assignment_refuse,
    assignment_triage,
    completion_report_file,
    progress_report_file,
    report_accept,
    report_approve,
    report_return,
    report_return_office,
)


def pdf(name="bao-cao.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def open_tasks(assignment):
    return sorted(
        t.flow_task.name
        for t in Task.objects.filter(
            process=assignment.process, status__in=[STATUS.NEW, STATUS.ASSIGNED]
        )
    )


def verbs(assignment):
    return list(
        AuditEvent.objects.filter(
            object_id=str(assignment.pk), content_type__model="assignment"
        ).values_list("verb", flat=True)
    )


def test_happy_path_from_receipt_to_acceptance(assignment, people):
    assert open_tasks(assignment) == ["receive"]
    assignment_receive(
        actor=people["clerk"], assignment=assignment, assignee=people["officer"], at=vn(2026, 1, 6)
    )
    assert open_tasks(assignment) == ["report"]
    report_task = Task.objects.get(process=assignment.process, flow_task=AssignmentFlow.report)
    assert report_task.owner == people["officer"]

    progress_report_file(
        actor=people["officer"],
        assignment=assignment,
        text="Đã rà soát 50%.",
        percent=50,
        at=vn(2026, 1, 20),
    )
    assert open_tasks(assignment) == ["report"]

    report = completion_report_file(
        actor=people["officer"],
        assignment=assignment,
        text="Đã hoàn thành báo cáo.",
        files=[pdf()],
        at=vn(2026, 2, 20),
    )
    assert report.attachments.get().content_type == "application/pdf"
    assert open_tasks(assignment) == ["approve"]

    report_approve(actor=people["head"], assignment=assignment, at=vn(2026, 2, 23))
    assert open_tasks(assignment) == ["review"]
    report_accept(
        actor=people["reviewer"], assignment=assignment, comment="Đạt.", at=vn(2026, 3, 2)
    )

    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.DONE
    # Done on the day it was reported, not the day the office got round to accepting it.
    assert assignment.completed_on == date(2026, 2, 20)
    assert open_tasks(assignment) == []
    assignment.process.refresh_from_db()
    assert assignment.process.status == PROCESS.DONE
    assert verbs(assignment) == [
        "assignment.create",
        "assignment.receive",
        "report.progress",
        "report.complete",
        "report.approve",
        "report.accept",
    ]


def test_the_head_returns_the_report_and_the_officer_reports_again(assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    completion_report_file(actor=people["officer"], assignment=assignment, text="Xong.")
    with pytest.raises(InvalidInput):
        report_return(actor=people["head"], assignment=assignment, comment=" ")
    report_return(actor=people["head"], assignment=assignment, comment="Thiếu số liệu quý IV.")
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.IN_PROGRESS
    assert assignment.reports.get().status == ReportStatus.RETURNED_BY_HEAD
    assert open_tasks(assignment) == ["report"]
    completion_report_file(actor=people["officer"], assignment=assignment, text="Bổ sung.")
    report_approve(actor=people["head"], assignment=assignment)
    assert open_tasks(assignment) == ["review"]


def test_the_office_returns_the_result_to_the_agency(assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    completion_report_file(actor=people["officer"], assignment=assignment, text="Xong.")
    report_approve(actor=people["head"], assignment=assignment)
    report_return_office(
        actor=people["reviewer"], assignment=assignment, comment="Chưa đúng mẫu báo cáo."
    )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.IN_PROGRESS
    assert open_tasks(assignment) == ["report"]
    assert verbs(assignment)[-1] == "report.return_office"


def test_refusal_goes_back_to_the_office_which_returns_it(assignment, people):
    with pytest.raises(InvalidInput):
        assignment_refuse(actor=people["head"], assignment=assignment, reason="")
    assignment_refuse(
        actor=people["head"], assignment=assignment, reason="Không thuộc chức năng của Sở."
    )
    assert open_tasks(assignment) == ["triage"]
    assignment_triage(
        actor=people["reviewer"],
        assignment=assignment,
        decision="return",
        note="Đề nghị Sở thực hiện theo Quyết định phân công.",
    )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.NEW
    assert open_tasks(assignment) == ["receive"]


def test_refusal_reassigned_to_another_agency(assignment, people, small_tree):
    assignment_refuse(actor=people["head"], assignment=assignment, reason="Thuộc Sở Nội vụ.")
    assignment_triage(
        actor=people["reviewer"],
        assignment=assignment,
        decision="reassign",
        agency=small_tree["NV"],
    )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.TRANSFERRED
    successor = assignment.transferred_to
    assert successor.agency == small_tree["NV"]
    assert successor.agency_as_written == small_tree["TC"]
    assert successor.due_date == assignment.due_date
    assert open_tasks(successor) == ["receive"]
    assert open_tasks(assignment) == []


def test_an_action_out_of_turn_is_refused_and_changes_nothing(assignment, people):
    with pytest.raises(AlreadyHandled):
        report_approve(actor=people["head"], assignment=assignment)
    with pytest.raises(AlreadyHandled):
        completion_report_file(actor=people["head"], assignment=assignment, text="Xong.")
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.NEW
    assert verbs(assignment) == ["assignment.create"]


def test_approving_twice_the_second_is_told_it_was_handled(assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    completion_report_file(actor=people["officer"], assignment=assignment, text="Xong.")
    report_approve(actor=people["head"], assignment=assignment)
    with pytest.raises(AlreadyHandled) as error:
        report_approve(actor=people["head"], assignment=assignment)
    assert error.value.status == 409


def test_delegating_to_someone_outside_the_agency_is_refused(assignment, people):
    with pytest.raises(InvalidInput) as error:
        assignment_receive(
            actor=people["head"], assignment=assignment, assignee=people["other_officer"]
        )
    assert error.value.code == "assignee_not_member"
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.NEW
