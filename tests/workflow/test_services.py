"""Extensions, transfers, recurrence, uploads and bad input."""

import io
import zipfile
from datetime import date

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.choices import SuccessionKind
from agencies.models import Succession
from core.exceptions import DomainError, InvalidInput
from tests.fixtures.workflow import vn
from workflow.choices import (
    AssignmentSource,
    AssignmentState,
    DirectiveKind,
    DuePolicy,
    ExtensionStatus,
    Modality,
    Period,
)
from workflow.deadlines import DueRule
from workflow.models import Assignment, Attachment, Directive, ProgressReport
from workflow.services import (
    AlreadyHandled,
    Target,
    assignment_receive,
    assignment_transfer,
    assignments_create,
    completion_report_file,
    directive_create,
    extension_decide,
    extension_endorse,
    extension_request,
    item_add,
    obligation_create,
    occurrences_generate,
)

# Extensions ---------------------------------------------------------------------------------


def test_an_approved_extension_moves_the_due_date_but_not_the_original(assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    extension = extension_request(
        actor=people["officer"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Chờ số liệu.",
    )
    assert extension.status == ExtensionStatus.REQUESTED
    extension_endorse(actor=people["head"], extension=extension, endorse=True)
    extension_decide(actor=people["reviewer"], extension=extension, approve=True)
    assignment.refresh_from_db()
    assert assignment.due_date == date(2026, 3, 31)
    assert assignment.original_due_date == date(2026, 2, 27)


def test_a_denied_extension_changes_no_date_and_needs_a_reason(assignment, people):
    extension = extension_request(
        actor=people["head"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Chờ số liệu.",
    )
    assert extension.status == ExtensionStatus.ENDORSED  # a head's own request
    with pytest.raises(InvalidInput):
        extension_decide(actor=people["reviewer"], extension=extension, approve=False)
    extension_decide(
        actor=people["reviewer"], extension=extension, approve=False, note="Không có căn cứ."
    )
    assignment.refresh_from_db()
    assert assignment.due_date == date(2026, 2, 27)
    with pytest.raises(AlreadyHandled):
        extension_decide(actor=people["reviewer"], extension=extension, approve=True)


def test_the_head_can_decline_to_endorse(assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    extension = extension_request(
        actor=people["officer"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Xin thêm.",
    )
    extension_endorse(actor=people["head"], extension=extension, endorse=False, note="Kịp.")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.DENIED
    # A new request may be made once the last one is closed.
    extension_request(
        actor=people["officer"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 15),
        reason="Lần hai.",
    )


@pytest.mark.parametrize(
    ("due", "code"), [(date(2026, 2, 27), "not_later"), (date(2026, 1, 1), "not_later")]
)
def test_an_extension_must_move_the_date_later(assignment, people, due, code):
    with pytest.raises(InvalidInput) as error:
        extension_request(
            actor=people["head"], assignment=assignment, requested_due_date=due, reason="x"
        )
    assert error.value.code == code


def test_one_pending_extension_at_a_time(assignment, people):
    extension_request(
        actor=people["head"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Chờ.",
    )
    with pytest.raises(AlreadyHandled):
        extension_request(
            actor=people["head"],
            assignment=assignment,
            requested_due_date=date(2026, 4, 30),
            reason="Chờ nữa.",
        )


# Assigning: bad input -----------------------------------------------------------------------


def test_a_due_date_before_the_assignment_date_is_refused(directive, small_tree, people):
    with pytest.raises(InvalidInput) as error:
        assignments_create(
            actor=people["reviewer"],
            item=directive.items.first(),
            targets=[Target(agency=small_tree["TC"])],
            due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 1, 1)),
            title="x",
            assigned_on=date(2026, 1, 5),
        )
    assert error.value.code == "due_before_assigned"
    assert not Assignment.objects.exists()


def test_an_agency_that_does_not_exist_on_the_day_is_refused(directive, small_tree, people):
    with pytest.raises(InvalidInput) as error:
        assignments_create(
            actor=people["reviewer"],
            item=directive.items.first(),
            targets=[Target(agency=small_tree["TC"]), Target(agency=small_tree["KHDT"])],
            due_rule=DueRule(DuePolicy.CONTINUOUS),
            title="x",
            assigned_on=date(2026, 1, 5),
        )
    assert error.value.code == "agency_not_valid"
    assert "KHDT" in str(error.value.message)
    assert not Assignment.objects.exists()


def test_coordinators_need_exactly_one_lead(directive, small_tree, people):
    with pytest.raises(InvalidInput):
        assignments_create(
            actor=people["reviewer"],
            item=directive.items.first(),
            targets=[
                Target(agency=small_tree["TC"]),
                Target(agency=small_tree["NV"]),
                Target(agency=small_tree["CA"], role="coordinating"),
            ],
            due_rule=DueRule(DuePolicy.CONTINUOUS),
            title="x",
        )


def test_contributions_are_due_before_the_lead(directive, small_tree, people):
    lead, contribution = assignments_create(
        actor=people["reviewer"],
        item=directive.items.get(number="2"),
        targets=[
            Target(agency=small_tree["TC"]),
            Target(agency=small_tree["NV"], role="coordinating"),
        ],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27)),
        title="Phối hợp",
        assigned_on=date(2026, 1, 5),
    )
    assert contribution.parent == lead
    assert contribution.source == AssignmentSource.CONTRIBUTION
    # 3 working days before Friday 27/2/2026 → Tuesday 24/2.
    assert contribution.due_date == date(2026, 2, 24)


def test_a_draft_directive_cannot_be_assigned(small_tree, people):
    draft = directive_create(
        actor=people["reviewer"],
        kind=DirectiveKind.KE_HOACH,
        title="Kế hoạch",
        issued_on=date(2026, 1, 5),
        issuer=small_tree["P2"],
    )
    item = item_add(actor=people["reviewer"], directive=draft, number="1", text="Nội dung.")
    with pytest.raises(DomainError) as error:
        assignments_create(
            actor=people["reviewer"],
            item=item,
            targets=[Target(agency=small_tree["TC"])],
            due_rule=DueRule(DuePolicy.CONTINUOUS),
            title="x",
        )
    assert error.value.code == "not_published"


def test_a_directive_issued_by_an_agency_that_did_not_exist_is_refused(small_tree, people):
    with pytest.raises(InvalidInput):
        directive_create(
            actor=people["reviewer"],
            kind=DirectiveKind.CHI_THI,
            title="x",
            issued_on=date(2026, 1, 5),
            issuer=small_tree["P"],
        )
    assert not Directive.objects.exists()


# Reports and evidence -----------------------------------------------------------------------


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def in_progress(assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    return assignment


def test_a_report_without_text_is_refused(in_progress, people):
    with pytest.raises(InvalidInput) as error:
        completion_report_file(actor=people["officer"], assignment=in_progress, text="  ")
    assert error.value.code == "text_required"
    in_progress.refresh_from_db()
    assert in_progress.state == AssignmentState.IN_PROGRESS
    assert not ProgressReport.objects.exists()


def test_a_word_document_is_accepted_by_its_content(in_progress, people):
    upload = SimpleUploadedFile("bao-cao.docx", docx_bytes())
    report = completion_report_file(
        actor=people["officer"], assignment=in_progress, text="Xong.", files=[upload]
    )
    attachment = report.attachments.get()
    assert attachment.content_type.endswith("wordprocessingml.document")
    # Stored outside the web root under a random name, never the uploader's.
    path = attachment.file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert "bao-cao" not in path
    assert not path.startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.pdf", b"MZ\x90\x00 this is an executable"),
        ("fake.docx", b"PK\x03\x04 not really a zip"),
        ("notes.docx", b"\x00\x01\x02 binary"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_whatever_its_name(in_progress, people, name, content):
    with pytest.raises(InvalidInput) as error:
        completion_report_file(
            actor=people["officer"],
            assignment=in_progress,
            text="Xong.",
            files=[SimpleUploadedFile(name, content)],
        )
    assert error.value.code == "file_type"
    assert not Attachment.objects.exists() and not ProgressReport.objects.exists()
    in_progress.refresh_from_db()
    assert in_progress.state == AssignmentState.IN_PROGRESS


def test_a_file_over_the_limit_is_refused(in_progress, people, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    with pytest.raises(InvalidInput) as error:
        completion_report_file(
            actor=people["officer"], assignment=in_progress, text="Xong.", files=[big]
        )
    assert error.value.code == "file_too_big"
    assert not ProgressReport.objects.exists()


# Transfer after reorganisation -------------------------------------------------------------


def test_transfer_keeps_the_agency_as_written(assignment, people, small_tree):
    # A transfer goes to a successor (tests/security/test_probe_transfer.py): one of TC's
    # functions moved to NV after the work was given.
    Succession.objects.create(
        predecessor=small_tree["TC"],
        successor=small_tree["NV"],
        kind=SuccessionKind.TRANSFER_FUNCTION,
        effective_on=date(2026, 2, 1),
        function="quản lý biên chế",
    )
    successor = assignment_transfer(
        actor=people["reviewer"],
        assignment=assignment,
        to_agency=small_tree["NV"],
        note="Sáp nhập.",
    )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.TRANSFERRED
    assert successor.agency == small_tree["NV"]
    assert successor.agency_as_written == small_tree["TC"]
    assert successor.agency_text == "Sở Tài chính"
    assert successor.transferred_from == assignment
    assert successor.original_due_date == assignment.original_due_date
    assert assignment.process.status == "CANCELED"


# Recurrence ---------------------------------------------------------------------------------


def test_occurrences_are_generated_once_per_period(directive, small_tree, people):
    obligation_create(
        actor=people["reviewer"],
        item=directive.items.get(number="1"),
        agency=small_tree["NV"],
        title="Báo cáo 6 tháng về CCHC",
        period=Period.HALF_YEARLY,
        starts_on=date(2026, 1, 1),
        report_day=15,
        month_offset=0,
        modality=Modality.ORDER,
    )
    first = occurrences_generate(until=date(2026, 12, 31), at=vn(2026, 1, 5))
    assert [(a.period_start, a.due_date) for a in first] == [
        (date(2026, 1, 1), date(2026, 6, 12)),
        (date(2026, 7, 1), date(2026, 12, 14)),
    ]
    assert occurrences_generate(until=date(2026, 12, 31)) == []
    assert len(occurrences_generate(until=date(2027, 1, 1))) == 1
    assert Assignment.objects.filter(obligation__isnull=False).count() == 3


def test_no_occurrence_for_a_period_after_the_agency_ended(directive, small_tree, people):
    Directive.objects.filter(pk=directive.pk).update(issued_on=date(2023, 12, 1))
    obligation_create(
        actor=people["reviewer"],
        item=directive.items.get(number="1"),
        agency=small_tree["H4"],
        title="Báo cáo năm",
        period=Period.YEARLY,
        starts_on=date(2024, 1, 1),
        report_day=15,
        month_offset=-1,
    )
    created = occurrences_generate(until=date(2026, 12, 31))
    assert [a.period_start for a in created] == [date(2024, 1, 1), date(2025, 1, 1)]


def test_no_report_is_asked_for_before_the_directive_that_asks_for_it(
    directive, small_tree, people
):
    """The directive of 05/01/2026 asks for quarterly reports counted from 01/04/2025: those
    due before it (the last three quarters of 2025) are not asked, and the first quarter
    of 2026, begun before it, is given on the directive's day."""
    obligation_create(
        actor=people["reviewer"],
        item=directive.items.get(number="1"),
        agency=small_tree["NV"],
        title="Báo cáo quý",
        period=Period.QUARTERLY,
        starts_on=date(2025, 4, 1),
    )
    created = occurrences_generate(until=date(2026, 4, 1))
    assert [(a.period_start, a.assigned_on) for a in created] == [
        (date(2026, 1, 1), date(2026, 1, 5)),
        (date(2026, 4, 1), date(2026, 4, 1)),
    ]
    assert all(a.assigned_on >= directive.issued_on for a in created)


def test_the_generate_command_is_idempotent(directive, small_tree, people):
    from io import StringIO

    from django.core.management import call_command

    obligation_create(
        actor=people["reviewer"],
        item=directive.items.get(number="1"),
        agency=small_tree["NV"],
        title="Báo cáo quý",
        period=Period.QUARTERLY,
        starts_on=date(2026, 1, 1),
    )
    out = StringIO()
    call_command("generate_occurrences", "--ahead", "0", stdout=out)
    first = Assignment.objects.count()
    assert first >= 4
    call_command("generate_occurrences", "--ahead", "0", stdout=out)
    assert Assignment.objects.count() == first
