"""`make run`'s reference directive: 15 items, assignments to the agencies each item names,
a played history, and a second run that adds nothing."""

import re
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from agencies.models import Agency, User
from core.inbox import inbox_tasks
from core.models import AuditEvent
from dashboards.selectors import agency_dashboard
from escalation.choices import LevelKind
from escalation.models import Escalation
from escalation.sweep import sweep
from notifications.models import Notice
from workflow.choices import OPEN_STATES, AssignmentSource, Timeliness
from workflow.models import Assignment, Directive, ExtensionRequest, RecurringObligation
from workflow.selectors import assignment_list

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_loaded(module_db, reference_tree_shared, django_db_blocker):
    """The whole demo, loaded once for this module and rolled back after it (``module_db``)."""
    assert reference_tree_shared
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=StringIO())
        call_command("load_demo_directive", stdout=StringIO())
        call_command("load_demo_inspection", stdout=StringIO())


@pytest.fixture
def demo(demo_loaded, db):
    return Directive.objects.get()


def test_the_reference_directive_is_loaded_with_its_items(demo):
    assert demo.items.count() == 15
    assert demo.status == "published"
    assert "(QTO)" in demo.full_text
    assert demo.number == ""  # not in the source text; the note says so
    assert "giả định" in demo.note and "mô phỏng" in demo.note  # what is real, what simulated


def test_each_item_goes_to_the_agencies_it_names(demo):
    def codes(number, **kw):
        return set(
            Assignment.objects.filter(item__directive=demo, item__number=number, **kw).values_list(
                "agency_as_written__code", flat=True
            )
        )

    assert {"QT-SNV", "QT-SKHCN", "QT-SKHDT", "QT-STC", "QT-STP", "QT-STTTT", "QT-VPUBND"} == codes(
        "12"
    )
    assert {"QT-CA", "QT-CTHUE", "QT-QLTT", "QT-BHXH", "QT-KBNN"} <= codes("13", modality="request")
    assert "QT-MTTQ" in codes("14", modality="request")


def test_the_office_s_review_corrected_the_proposal_and_kept_its_record(demo):
    """The review (importer/data/reference_review.yaml, DOMAIN.md §8): item 15 has one lead,
    Sở Nội vụ, with Văn phòng UBND tỉnh coordinating, and two reports a year; item 9 is Sở Nội
    vụ's with the education and health departments, no commune runs a SIPAS survey; item 4 is
    for every department, district and commune with Văn phòng UBND tỉnh gathering the results;
    item 7 takes no deadline from the plan it cites. Every item has a short title and what it
    must produce, and what the review changed is on record beside the proposal."""

    def codes(number, **kw):
        # What the directive gave (the demo's inspection adds its own work under item 15).
        rows = Assignment.objects.filter(item__directive=demo, item__number=number, **kw).exclude(
            source__in=[AssignmentSource.SELF_REPORT, AssignmentSource.INSPECTION]
        )
        return set(rows.values_list("agency_as_written__code", flat=True))

    assert codes("15", role="lead") == {"QT-SNV"}
    assert codes("15", role="coordinating") == {"QT-VPUBND"}
    periods = set(
        RecurringObligation.objects.filter(item__number="15").values_list("period", flat=True)
    )
    assert periods == {"half_yearly"}
    assert codes("9", role="lead") == {"QT-SNV"}
    assert codes("9", role="coordinating") == {"QT-SGDDT", "QT-SYT"}
    assert not RecurringObligation.objects.filter(
        item__number="9", agency__code__startswith="QT-X-"
    )
    four = codes("4")
    assert {"QT-STC", "QT-SNV"} <= four and any(c.startswith("QT-X-") for c in four)
    assert demo.items.get(number="4").focal_agency.code == "QT-VPUBND"
    assert not Assignment.objects.filter(item__number="7", due_date__isnull=False).exists()
    for item in demo.items.all():
        assert item.expected_output, item.number
    titles = set(Assignment.objects.filter(item__directive=demo).values_list("title", flat=True))
    assert max(len(t) for t in titles) <= 120, max(titles, key=len)
    [event] = AuditEvent.objects.filter(verb="directive.review", object_id=str(demo.pk))
    record = event.after["items"]
    assert record["15"]["agencies"] == {
        "proposed": ["QT-SNV: lead", "QT-VPUBND: lead"],
        "reviewed": ["QT-SNV: lead", "QT-VPUBND: coordinating"],
    }
    assert record["15"]["periods"] == {
        "proposed": ["half_yearly", "yearly"],
        "reviewed": ["half_yearly"],
    }
    assert record["7"]["deadline"] == {"proposed": "2025-12-31", "reviewed": None}
    assert "DOMAIN" in record["9"]["reason"]


def test_the_history_gives_every_dashboard_something_true(demo):
    reviewer = User.objects.get(username="chuyenvien.vp")
    seen = Counter(a.timeliness for a in assignment_list(user=reviewer))
    for kind in (
        Timeliness.DONE_ON_TIME,
        Timeliness.DONE_LATE,
        Timeliness.OVERDUE,
        Timeliness.ON_TIME,
        Timeliness.CONTINUOUS,
        Timeliness.EXTENSION_REQUESTED,
        Timeliness.TRANSFERRED,
    ):
        assert seen[kind] > 0, kind
    head = User.objects.get(username="giamdoc.stc")
    board = agency_dashboard(user=head)
    assert board.counts[Timeliness.DONE_ON_TIME] > 0
    names = {task.flow_task.name for task in inbox_tasks(user=head)}
    assert {"receive", "approve", "endorse"} <= names
    assert {t.flow_task.name for t in inbox_tasks(user=reviewer)} >= {"review"}


def test_running_it_again_adds_nothing(demo):
    before = Assignment.objects.count()
    call_command("load_demo_directive", stdout=StringIO())
    assert Directive.objects.count() == 1
    assert Assignment.objects.count() == before


def test_the_reorganisation_left_no_open_work_with_an_agency_that_ended(demo):
    """The simulated 2025 reorganisation moved each ended agency's open work to its successor
    (a commune the registry names none for, to its district first), and the Đông Hà users have
    work of their own today."""
    today = timezone.localdate()
    alive = Agency.objects.valid_on(today).values("pk")
    stranded = Assignment.objects.filter(state__in=OPEN_STATES).exclude(agency_id__in=alive)
    left = set(stranded.values_list("agency_id", flat=True))
    assert not left, Agency.objects.filter(pk__in=left)
    assert Assignment.objects.filter(source="transfer", agency__code="QT-STC").count() > 1
    dong_ha = User.objects.get(username="chutich.dongha")
    assert list(inbox_tasks(user=dong_ha)), "the Đông Hà head has nothing to do"


def test_the_history_is_dated_from_the_directive_and_most_past_work_is_done(demo):
    """Nothing is given before the directive; of the work due before 2025, most was done (on
    time or late, as the office's follow-up sheet says: simulated) and only a few items are
    still overdue; no extension asks for more than a few months."""
    assert not Assignment.objects.filter(assigned_on__lt=demo.issued_on).exists()
    past = Assignment.objects.filter(due_date__lt=date(2025, 1, 1)).exclude(state="transferred")
    done = past.filter(state="done")
    late = done.filter(completed_on__gt=F("due_date"))
    assert done.count() >= 0.95 * past.count()
    assert 0.1 * done.count() <= late.count() <= 0.3 * done.count()
    assert 0 < past.filter(state__in=OPEN_STATES).count() <= 20
    for due, asked in ExtensionRequest.objects.values_list(
        "assignment__due_date", "requested_due_date"
    ):
        assert asked - due <= timedelta(days=92), (due, asked)


def test_the_sweep_raises_tens_of_escalations_and_the_leader_reads_one_line_a_level(demo):
    """Run today, the deadline sweep raises tens of escalations, not thousands (bounds: 100 at
    the office, 100 at the leaders), and the leader gets one summary per level naming agencies."""
    sweep(now=timezone.now(), send_mail=False)
    open_by_kind = Counter(
        dict(
            Escalation.objects.filter(resolved_at__isnull=True)
            .values_list("level__kind")
            .annotate(n=Count("pk"))
        )
    )
    assert 0 < open_by_kind[LevelKind.OFFICE] <= 100, open_by_kind
    assert 0 < open_by_kind[LevelKind.LEADER] <= 100, open_by_kind
    leader = User.objects.get(username="lanhdao")
    summaries = list(Notice.objects.filter(recipient=leader).values_list("title", flat=True))
    assert 0 < len(summaries) <= 2, summaries
    # "29 nhiệm vụ đến cấp độ “Báo cáo lãnh đạo UBND tỉnh” ngày …: Sở Tài chính 3, UBND phường
    # Đông Hà 3, … và 16 cơ quan khác."
    assert all(re.search(r": (Sở|UBND) [^,]+ \d+, ", title) for title in summaries), summaries


def test_the_demo_inspector_logs_an_inspection_that_ends_in_work_for_the_department(demo, client):
    """Issue 13's journey on the demo: thanhtra.snv lands on the plans and their task, records
    the reference checklist's findings on a phone's screen, Sở Tài chính's head confirms the
    minutes with an objection, the conclusion issues two recommendations that arrive as
    assignments in the department's inbox, and one verified not done comes back with a new
    deadline."""
    import json
    import uuid

    from inspection.choices import InspectionStatus, RecommendationStatus
    from inspection.models import Inspection, Recommendation
    from workflow.services import (
        assignment_receive,
        completion_report_file,
        report_accept,
        report_approve,
    )

    users = User.objects.in_bulk(
        [
            "thanhtra.snv",
            "giamdoc.stc",
            "giamdoc.snv",
            "vanthu.stc",
            "chuyenvien.stc",
            "chuyenvien.vp",
        ],
        field_name="username",
    )
    inspection = Inspection.objects.get(agency__code="QT-STC")
    client.force_login(users["thanhtra.snv"])
    landing = client.get("/", follow=True)
    assert landing.request["PATH_INFO"] == "/inspections/"
    assert "dữ liệu mẫu" in landing.content.decode()  # the demo plan, labelled as demo data
    assert "inspection_conduct" in landing.content.decode()  # their task, linked to the inbox
    page = client.get(f"/inspections/{inspection.pk}/conduct/")
    assert page.status_code == 200
    criteria = list(inspection.template.criteria.order_by("order"))
    assert len(criteria) == 16
    for c in criteria:
        answer = client.post(
            f"/inspections/{inspection.pk}/findings/",
            json.dumps(
                {
                    "criterion": c.pk,
                    "side": "team",
                    "result": "met" if c.code != "4.2" else "partly",
                    "points": str(c.max_points if c.code != "4.2" else 3),
                    "note": "",
                    "version": None,
                    "key": str(uuid.uuid4()),
                }
            ),
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
    today = timezone.localdate()
    day = today.strftime("%d/%m/%Y")
    for text in ("Xin lỗi đầy đủ với hồ sơ trễ hạn.", "Niêm yết đủ thủ tục hành chính."):
        client.post(
            f"/inspections/{inspection.pk}/recommendations/new/",
            {"text": text, "agency": "QT-STC", "due_days": 15},
        )
    minutes = client.post(
        f"/inspections/{inspection.pk}/minutes/",
        {"conducted_on": day, "text": "Đoàn đã kiểm tra tại Sở Tài chính (dữ liệu mẫu)."},
    )
    assert minutes.status_code == 302

    client.force_login(users["giamdoc.stc"])
    objection = "Sở Tài chính đã gửi văn bản xin lỗi, đề nghị Đoàn xem lại tiêu chí 4.2."
    assert (
        client.post(f"/inspections/{inspection.pk}/confirm/", {"objection": objection}).status_code
        == 302
    )
    client.force_login(users["giamdoc.snv"])
    concluded = client.post(
        f"/inspections/{inspection.pk}/conclude/",
        {"number": "15/TB-SNV", "issued_on": day, "text": "Kết luận kiểm tra (dữ liệu mẫu)."},
    )
    assert concluded.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, inspection.objection) == (InspectionStatus.FOLLOW_UP, objection)
    recs = list(Recommendation.objects.filter(inspection=inspection).select_related("assignment"))
    assert len(recs) == 2 and all(r.assignment.agency.code == "QT-STC" for r in recs)
    assert all(r.assignment.due_date >= today + timedelta(days=15) for r in recs)
    inbox = {
        t.process.assignmentprocess.assignment_id
        for t in inbox_tasks(user=users["vanthu.stc"], kind="receive")
    }
    assert {r.assignment_id for r in recs} <= inbox

    rec = recs[0]
    now = timezone.now()
    assignment_receive(
        actor=users["vanthu.stc"],
        assignment=rec.assignment,
        assignee=users["chuyenvien.stc"],
        at=now,
    )
    completion_report_file(
        actor=users["chuyenvien.stc"], assignment=rec.assignment, text="Đã khắc phục (mẫu).", at=now
    )
    report_approve(actor=users["giamdoc.stc"], assignment=rec.assignment, at=now)
    report_accept(actor=users["chuyenvien.vp"], assignment=rec.assignment, at=now)
    client.force_login(users["thanhtra.snv"])
    again = today + timedelta(days=30)
    verified = client.post(
        f"/inspections/recommendations/{rec.pk}/verify/",
        {
            "result": "not_done",
            "note": "Chưa đủ văn bản xin lỗi.",
            "new_due_date": again.strftime("%d/%m/%Y"),
        },
    )
    assert verified.status_code == 302
    rec.refresh_from_db()
    assert (rec.status, rec.reissued) == (RecommendationStatus.ISSUED, 1)
    assert rec.assignment.due_date >= again and rec.assignment.agency.code == "QT-STC"
    assert rec.assignment.state == "new"
