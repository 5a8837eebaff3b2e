"""Scheduling an inspection and recording findings: what the team, the organiser and the
inspected agency may rely on, and the bad input the issue lists (refused, nothing changed)."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.shortcuts import get_perms

from agencies.choices import Role
from core.audit import AuditEvent
from core.calendar import WorkCalendar
from core.exceptions import DomainError, Forbidden, InvalidInput, NotFound
from inspection import services
from inspection.choices import FindingResult, FindingSide, PlanForm, TeamRole
from inspection.models import (
    Finding,
    FindingEvidence,
    FindingSubmission,
    Inspection,
    TeamMember,
)
from notifications.models import Notice
from tests.conftest import grant
from tests.fixtures.inspection import another_plan, fill, today
from workflow.choices import AssignmentSource


def schedule(world, team, *, plan=None, **extra):
    return services.inspection_schedule(
        actor=world.people["lead"],
        plan=plan or world.plan,
        agency=world.tree["CA"],
        template=world.template,
        team_decision_number="35/QĐ-SNV",
        team_decision_date=today(),
        scheduled_on=today() + timedelta(days=21),
        team=team,
        **extra,
    )


def member(world, name, role=TeamRole.MEMBER):
    return services.Member(user=world.people[name], agency=world.tree["NV"], role=role)


# --- scheduling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "roles",
    [(TeamRole.MEMBER, TeamRole.MEMBER), (TeamRole.LEAD, TeamRole.LEAD)],
    ids=["no head", "two heads"],
)
def test_a_team_needs_exactly_one_head(world, roles):
    before = Inspection.objects.count()
    with pytest.raises(InvalidInput) as refused:
        schedule(world, [member(world, "lead", roles[0]), member(world, "member", roles[1])])
    assert refused.value.code == "team_lead"
    assert "team" in refused.value.details
    assert Inspection.objects.count() == before


def test_a_person_named_twice_in_the_team_is_refused(world):
    before = Inspection.objects.count()
    with pytest.raises(InvalidInput) as refused:
        schedule(world, [member(world, "lead", TeamRole.LEAD), member(world, "lead")])
    assert refused.value.code == "team_twice"
    assert Inspection.objects.count() == before


def test_the_agency_is_asked_for_a_self_report_5_working_days_before_the_visit(world):
    inspection = world.inspection
    report = inspection.self_report
    assert report is not None
    assert report.source == AssignmentSource.SELF_REPORT
    assert report.agency == world.tree["TC"]
    assert report.item == world.plan.item
    expected = WorkCalendar().subtract_working_days(inspection.scheduled_on, 5)
    assert inspection.self_report_due == report.due_date == expected
    assert today() <= report.due_date < inspection.scheduled_on


def test_a_given_self_report_date_is_kept_and_one_after_the_visit_refused(world):
    team = [member(world, "lead", TeamRole.LEAD)]
    on = today() + timedelta(days=3)
    while not WorkCalendar().is_working_day(on):
        on += timedelta(days=1)
    inspection = schedule(world, team, self_report_due=on)
    assert inspection.self_report.due_date == on
    with pytest.raises(InvalidInput) as refused:
        schedule(world, team, self_report_due=today() + timedelta(days=30))
    assert refused.value.code == "self_report_due"


def test_an_unannounced_inspection_asks_for_no_self_report(world):
    plan = another_plan(world, "Kiểm tra đột xuất", PlanForm.UNANNOUNCED)
    ca_head = grant(Role.HEAD, world.tree["CA"], today() - timedelta(days=30), username="ca_head")
    inspection = schedule(world, [member(world, "lead", TeamRole.LEAD)], plan=plan)
    assert inspection.self_report is None and inspection.self_report_due is None
    # Nor is the agency told beforehand; the team is.
    told = Notice.objects.filter(key__startswith=f"inspection:{inspection.pk}:")
    assert set(told.values_list("recipient", flat=True)) == {world.people["lead"].pk}
    assert not Notice.objects.filter(recipient=ca_head).exists()


def test_the_team_gets_its_rights_on_the_inspection_and_nobody_else(world):
    inspection = world.inspection
    assert set(get_perms(world.people["lead"], inspection)) == {
        "view_inspection",
        "record_inspection",
        "lead_inspection",
    }
    assert set(get_perms(world.people["member"], inspection)) == {
        "view_inspection",
        "record_inspection",
    }
    assert get_perms(world.people["outsider"], inspection) == []
    roles = dict(
        TeamMember.objects.filter(inspection=inspection).values_list("user__username", "role")
    )
    assert roles == {"inspector_lead": TeamRole.LEAD, "inspector_member": TeamRole.MEMBER}


def test_the_team_and_the_inspected_head_are_told(world):
    key = f"inspection:{world.inspection.pk}"
    told = set(Notice.objects.filter(key__startswith=key).values_list("recipient__username", "key"))
    assert told == {
        ("inspector_lead", f"{key}:scheduled"),
        ("inspector_member", f"{key}:scheduled"),
        ("head", f"{key}:announced"),
    }


def test_only_the_organiser_schedules(world):
    before = Inspection.objects.count()
    with pytest.raises(NotFound):
        services.inspection_schedule(
            actor=world.people["head"],
            plan=world.plan,
            agency=world.tree["CA"],
            template=world.template,
            team_decision_number="1",
            team_decision_date=today(),
            scheduled_on=today() + timedelta(days=21),
            team=[member(world, "lead", TeamRole.LEAD)],
        )
    assert Inspection.objects.count() == before


# --- findings -----------------------------------------------------------------------------


@pytest.fixture
def elsewhere(world):
    """An officer of an agency that is neither inspected nor inspecting (Công an tỉnh)."""
    return grant(Role.OFFICER, world.tree["CA"], today() - timedelta(days=30), username="ca")


def record(world, actor="lead", criterion=0, **kwargs):
    values = {"result": FindingResult.MET, "points": Decimal(4), **kwargs}
    actor = world.people[actor] if isinstance(actor, str) else actor
    return services.finding_record(
        actor=actor, inspection=world.inspection, criterion=world.criteria[criterion], **values
    )


def audit_count(world):
    return AuditEvent.objects.filter(object_id=str(world.inspection.pk)).count()


def test_a_team_member_records_a_finding(world):
    done = record(world, actor="member", note="Có kế hoạch số 12/KH")
    assert not done.replayed
    f = done.finding
    assert (f.side, f.result, f.points, f.version) == (FindingSide.TEAM, "met", Decimal(4), 1)
    assert f.recorded_by == world.people["member"]


def test_a_finding_on_an_inspection_you_are_not_on_is_refused(world, elsewhere):
    # The other inspector of Sở Nội vụ sees the inspection (an overseer) but may not record.
    with pytest.raises(Forbidden):
        record(world, actor="outsider")
    # An officer of the inspected agency sees it too, and may not record the team's finding.
    with pytest.raises(Forbidden):
        record(world, actor="officer")
    # An officer of an agency that is neither does not even see it.
    with pytest.raises(NotFound):
        record(world, actor=elsewhere)
    assert not Finding.objects.filter(inspection=world.inspection).exists()


def test_points_above_the_criterions_maximum_are_refused_and_nothing_changes(world):
    record(world, points=Decimal(3))
    events = audit_count(world)
    with pytest.raises(InvalidInput) as refused:
        record(world, points=Decimal("5.5"), version=1)
    assert refused.value.code == "points_range"
    assert "0" in refused.value.message and "5" in refused.value.message
    assert refused.value.details["points"]
    f = Finding.objects.get(inspection=world.inspection)
    assert (f.points, f.version) == (Decimal(3), 1)
    assert audit_count(world) == events


def test_points_finer_than_hundredths_are_refused(world):
    with pytest.raises(InvalidInput) as refused:
        record(world, points=Decimal("2.555"))
    assert refused.value.details["points"]
    assert not Finding.objects.filter(inspection=world.inspection).exists()


def test_the_maximum_itself_is_accepted(world):
    assert record(world, points=Decimal(5)).finding.points == Decimal(5)


def test_not_applicable_takes_no_points(world):
    with pytest.raises(InvalidInput) as refused:
        record(world, result=FindingResult.NOT_APPLICABLE, points=Decimal(1))
    assert refused.value.code == "points_not_applicable"
    assert not Finding.objects.filter(inspection=world.inspection).exists()
    done = record(world, result=FindingResult.NOT_APPLICABLE, points=None)
    assert done.finding.points is None


def test_a_result_other_than_not_applicable_needs_points(world):
    with pytest.raises(InvalidInput) as refused:
        record(world, points=None)
    assert refused.value.code == "points_required"


def test_a_finding_after_the_minutes_are_drafted_is_refused(world):
    fill(world, points=Decimal(2))
    services.minutes_draft(
        actor=world.people["lead"], inspection=world.inspection, text="…", conducted_on=today()
    )
    events = audit_count(world)
    with pytest.raises(DomainError) as refused:
        record(world, points=Decimal(5), version=1)
    assert refused.value.code == "minutes_drafted"
    assert Finding.objects.get(inspection=world.inspection, criterion=world.criteria[0]).points == 2
    assert audit_count(world) == events


def test_two_edits_from_the_same_version_the_second_sees_a_conflict(world):
    record(world, points=Decimal(1))
    first = record(world, actor="lead", points=Decimal(4), note="Trưởng đoàn", version=1)
    assert first.finding.version == 2

    with pytest.raises(services.FindingConflict) as conflict:
        record(world, actor="member", points=Decimal(2), note="Thành viên", version=1)
    assert conflict.value.status == 409
    assert conflict.value.details["version"] == ["2"]

    f = Finding.objects.get(inspection=world.inspection)
    assert (f.points, f.note, f.version, f.recorded_by) == (
        Decimal(4),
        "Trưởng đoàn",
        2,
        world.people["lead"],
    )


def test_a_new_finding_sent_as_an_edit_of_one_never_seen_is_a_conflict(world):
    record(world, points=Decimal(1))
    # The member's phone has not seen it: it sends without a version.
    with pytest.raises(services.FindingConflict):
        record(world, actor="member", points=Decimal(2))
    assert Finding.objects.get(inspection=world.inspection).points == Decimal(1)


def test_an_edit_of_a_finding_that_is_not_there_is_a_conflict_saying_so(world):
    # Another team member's phone edited a finding that was never saved (a lost first save).
    with pytest.raises(services.FindingConflict) as conflict:
        record(world, points=Decimal(2), version=1)
    assert conflict.value.details == {"version": [""]}  # nothing there yet: save it as new
    assert not Finding.objects.filter(inspection=world.inspection).exists()


def test_whole_points_given_as_a_number_are_taken(world):
    assert record(world, points=4).finding.points == Decimal(4)
    with pytest.raises(InvalidInput) as refused:
        record(world, points=9, version=1)
    assert refused.value.code == "points_range"


def test_a_finding_sent_again_with_its_key_is_applied_once(world):
    key = uuid.uuid4()
    first = record(world, points=Decimal(3), key=key)
    events = audit_count(world)

    again = record(world, points=Decimal(3), key=key)
    assert again.replayed and again.finding.pk == first.finding.pk
    # A replay with other values (stale phone) changes nothing either.
    stale = record(world, points=Decimal(1), key=key)
    assert stale.replayed

    f = Finding.objects.get(inspection=world.inspection)
    assert (f.points, f.version) == (Decimal(3), 1)
    assert FindingSubmission.objects.filter(key=key).count() == 1
    assert audit_count(world) == events


def test_a_key_of_the_teams_finding_sent_by_the_agency_reveals_nothing(world):
    key = uuid.uuid4()
    record(world, points=Decimal(3), key=key)
    with pytest.raises(InvalidInput) as refused:
        record(world, actor="officer", side=FindingSide.AGENCY, points=Decimal(5), key=key)
    assert refused.value.code == "key_reused"
    assert not Finding.objects.filter(side=FindingSide.AGENCY).exists()


def test_the_agency_assesses_itself_when_asked_and_the_team_does_not_for_it(world):
    done = record(world, actor="officer", side=FindingSide.AGENCY, points=Decimal(5))
    assert done.finding.side == FindingSide.AGENCY
    with pytest.raises(Forbidden):
        record(world, actor="lead", side=FindingSide.AGENCY, points=Decimal(1), version=1)
    # The team's finding on the same criterion is a row of its own.
    assert record(world, actor="lead", points=Decimal(2)).finding.pk != done.finding.pk


# --- recommendations: bad input ----------------------------------------------------------------


def signed(world, *, filled=False):
    if not filled:
        fill(world)
    services.minutes_draft(
        actor=world.people["lead"], inspection=world.inspection, text="…", conducted_on=today()
    )
    services.minutes_confirm(actor=world.people["head"], inspection=world.inspection)


@pytest.mark.parametrize(
    "given, field",
    [
        ({"agency": None, "due_days": 15}, "agency"),
        ({"due_date": None, "due_days": None}, "due_date"),
        ({"due_date": today() - timedelta(days=1)}, "due_date"),
        ({"due_days": 0}, "due_days"),
        ({"text": "   ", "due_days": 15}, "text"),
    ],
    ids=["no agency", "no deadline", "deadline past", "zero days", "no text"],
)
def test_a_recommendation_without_an_agency_or_a_deadline_is_refused(world, given, field):
    signed(world)
    values = {"text": "Khắc phục", "agency": world.tree["TC"], **given}
    with pytest.raises(InvalidInput) as refused:
        services.recommendation_add(
            actor=world.people["lead"], inspection=world.inspection, **values
        )
    assert field in refused.value.details
    assert not world.inspection.recommendations.exists()


def test_recommendations_are_drafted_by_the_teams_head_or_the_organisers_head(world):
    signed(world)
    values = {"text": "Khắc phục", "agency": world.tree["TC"], "due_days": 15}
    for name in ("member", "outsider", "head"):
        with pytest.raises(Forbidden):
            services.recommendation_add(
                actor=world.people[name], inspection=world.inspection, **values
            )
    services.recommendation_add(actor=world.people["lead"], inspection=world.inspection, **values)
    services.recommendation_add(
        actor=world.people["other_head"], inspection=world.inspection, **values
    )
    assert world.inspection.recommendations.count() == 2


# --- evidence of a finding ------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image(kind: str, size=(3000, 2000)) -> bytes:
    from PIL import Image

    if kind == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, kind)
    return out.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    "kind, name", [("PNG", "anh.png"), ("JPEG", "anh.jpg"), ("HEIF", "IMG.HEIC")]
)
def test_a_photo_from_the_phone_is_kept_as_a_resized_jpeg(world, media, kind, name):
    from PIL import Image

    finding = record(world).finding
    row = services.finding_evidence_add(
        actor=world.people["member"], finding=finding, upload=upload(name, image(kind))
    )
    assert (row.content_type, row.original_name, row.uploaded_by) == (
        "image/jpeg",
        name,
        world.people["member"],
    )
    with Image.open(row.file.path) as kept:
        assert kept.format == "JPEG" and max(kept.size) == 1600
    assert row.size == (media / row.file.name).stat().st_size


def test_the_orphan_sweep_removes_a_lost_inspection_photo_and_keeps_the_findings(world, media):
    """Inspection photos live in their own folder, registered for the sweep: a file there that
    no evidence row names goes once old; a finding's photo stays."""
    import os
    import time

    from django.core.management import call_command

    finding = record(world).finding
    row = services.finding_evidence_add(
        actor=world.people["member"], finding=finding, upload=upload("anh.jpg", image("JPEG"))
    )
    kept = media / row.file.name
    lost = media / "inspection" / "2025" / "11" / ("e" * 32 + ".jpg")
    lost.parent.mkdir(parents=True)
    lost.write_bytes(b"\xff\xd8 left by a killed request")
    old = time.time() - 48 * 3600
    for path in (kept, lost):
        os.utime(path, (old, old))
    out = io.StringIO()
    call_command("evidence_orphans_sweep", stdout=out)
    assert f"removed inspection/2025/11/{'e' * 32}.jpg" in out.getvalue()
    assert not lost.exists() and kept.exists()


@pytest.mark.parametrize(
    "name, data, code",
    [
        ("ghi-chu.txt", b"plain text, not evidence", None),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, None),
        ("anh.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "file_damaged"),
    ],
    ids=["a type not accepted", "a damaged PNG", "a damaged HEIC"],
)
def test_evidence_of_a_refused_type_leaves_nothing(world, media, name, data, code):
    finding = record(world).finding
    events = audit_count(world)
    with pytest.raises(InvalidInput) as refused:
        services.finding_evidence_add(
            actor=world.people["lead"], finding=finding, upload=upload(name, data)
        )
    if code:
        assert refused.value.code == code
    assert name in refused.value.message  # a clear message names the file
    assert not FindingEvidence.objects.exists()
    assert audit_count(world) == events
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_evidence_too_big_is_refused(world, media, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    finding = record(world).finding
    for name, kind in (("anh.png", "PNG"), ("anh.heic", "HEIF")):
        with pytest.raises(InvalidInput) as refused:
            services.finding_evidence_add(
                actor=world.people["lead"], finding=finding, upload=upload(name, image(kind))
            )
        assert refused.value.code == "file_too_big"
    assert not FindingEvidence.objects.exists()


def test_evidence_only_by_the_team_while_findings_may_change(world, media, elsewhere):
    fill(world)
    finding = Finding.objects.get(inspection=world.inspection, criterion=world.criteria[0])
    photo = image("PNG", (200, 100))
    with pytest.raises(Forbidden):
        services.finding_evidence_add(
            actor=world.people["outsider"], finding=finding, upload=upload("a.png", photo)
        )
    with pytest.raises(NotFound):
        services.finding_evidence_add(
            actor=elsewhere, finding=finding, upload=upload("a.png", photo)
        )
    own = record(world, actor="officer", side=FindingSide.AGENCY).finding
    with pytest.raises(InvalidInput) as refused:
        services.finding_evidence_add(
            actor=world.people["lead"], finding=own, upload=upload("a.png", photo)
        )
    assert refused.value.code == "side"
    signed(world, filled=True)
    with pytest.raises(DomainError) as refused:
        services.finding_evidence_add(
            actor=world.people["lead"], finding=finding, upload=upload("a.png", photo)
        )
    assert refused.value.code == "minutes_drafted"
    assert not FindingEvidence.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]
