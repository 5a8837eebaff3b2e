"""The timeline speaks Vietnamese: who did what, to whom, the values changed, in time order."""

from datetime import date

from django.urls import reverse

from agencies.models import Membership
from escalation.choices import LevelKind
from escalation.models import Escalation
from escalation.services import Decision, escalation_decide
from escalation.sweep import sweep
from tests.fixtures.workflow import vn
from workflow.selectors import assignment_timeline
from workflow.services import (
    assignment_receive,
    completion_report_file,
    progress_report_file,
    report_accept,
    report_approve,
)


def named(user, full_name, title):
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    Membership.objects.filter(user=user).update(title=title)


def test_each_step_is_a_sentence_with_who_and_to_whom(assignment, people):
    named(people["head"], "Nguyễn Văn An", "Giám đốc Sở Tài chính")
    named(people["officer"], "Trần Thị Bình", "Chuyên viên")
    assignment_receive(
        actor=people["head"], assignment=assignment, assignee=people["officer"], at=vn(2026, 1, 6)
    )
    progress_report_file(
        actor=people["officer"],
        assignment=assignment,
        text="Đang làm.",
        percent=50,
        at=vn(2026, 1, 20),
    )
    completion_report_file(
        actor=people["officer"], assignment=assignment, text="Đã xong.", at=vn(2026, 2, 2)
    )
    report_approve(actor=people["head"], assignment=assignment, at=vn(2026, 2, 3))
    report_accept(actor=people["reviewer"], assignment=assignment, at=vn(2026, 2, 4))

    sentences = [e.sentence for e in assignment_timeline(assignment=assignment)]
    assert sentences == [
        "reviewer giao nhiệm vụ cho Sở Tài chính (Chủ trì), thời hạn hoàn thành 27/02/2026.",
        "Giám đốc Sở Tài chính Nguyễn Văn An tiếp nhận, giao Chuyên viên Trần Thị Bình xử lý.",
        "Chuyên viên Trần Thị Bình cập nhật tiến độ (50%): Đang làm.",
        "Chuyên viên Trần Thị Bình báo cáo kết quả: Đã xong.",
        "Giám đốc Sở Tài chính Nguyễn Văn An duyệt báo cáo, trình Văn phòng UBND tỉnh.",
        "reviewer xác nhận hoàn thành nhiệm vụ.",
    ]


def test_a_penalty_and_a_new_due_date_say_their_values(assignment, people, client):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    office = Escalation.objects.get(assignment=assignment, level__kind=LevelKind.OFFICE)
    escalation_decide(
        actor=people["reviewer"],
        escalation=office,
        decision=Decision("penalty", note="Chậm 3 tháng.", penalty_points=2),
        at=vn(2026, 6, 2),
    )
    sentences = [e.sentence for e in assignment_timeline(assignment=assignment)]
    assert sentences[-1] == "reviewer ghi nhận kết quả chậm, trừ 2 điểm: Chậm 3 tháng."
    client.force_login(people["head"])
    html = client.get(reverse("workflow:assignment", args=[assignment.pk])).content.decode()
    assert "trừ 2 điểm" in html
    assert "escalation.penalty" not in html and "assignment.create" not in html


def test_a_written_date_on_a_day_off_is_explained(directive, people, small_tree):
    from workflow.choices import DuePolicy
    from workflow.deadlines import DueRule
    from workflow.services import Target, assignments_create

    sunday = assignments_create(
        actor=people["reviewer"],
        item=directive.items.get(number="1"),
        targets=[Target(agency=small_tree["NV"])],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 6, 14)),
        title="Báo cáo",
        assigned_on=date(2026, 1, 5),
    )[0]
    assert sunday.due_date == date(2026, 6, 15)
    assert sunday.due_date_as_written == date(2026, 6, 14)
    first = assignment_timeline(assignment=sunday)[0].sentence
    assert "15/06/2026" in first and "14/06/2026" in first
