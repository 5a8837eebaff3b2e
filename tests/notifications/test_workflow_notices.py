"""Every step that hands work to someone tells them: once per person and event, never the
person who acted, in the app at once and by mail as each chose."""

import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Category, Delivery, Notice, NoticePreference
from notifications.services import DEFAULT, digests_send, notice_preferences_set
from tests.fixtures.workflow import vn
from workflow import notices
from workflow.choices import DuePolicy
from workflow.deadlines import DueRule
from workflow.services import (
    Target,
    assignment_reassign,
    assignment_receive,
    assignment_refuse,
    assignments_create,
    completion_report_file,
    extension_decide,
    extension_endorse,
    extension_request,
    report_accept,
    report_approve,
    report_return,
    report_return_office,
)

pytestmark = pytest.mark.django_db


def told(category) -> dict[str, list[str]]:
    """username -> titles of the notices of ``category``."""
    found: dict[str, list[str]] = {}
    for username, title in Notice.objects.filter(category=category).values_list(
        "recipient__username", "title"
    ):
        found.setdefault(username, []).append(title)
    return found


def received(assignment, people):
    return assignment_receive(
        actor=people["clerk"], assignment=assignment, assignee=people["officer"], at=vn(2026, 1, 6)
    )


def reported(assignment, people):
    received(assignment, people)
    completion_report_file(
        actor=people["officer"], assignment=assignment, text="Đã xong.", at=vn(2026, 2, 1)
    )


def test_new_work_is_told_to_those_who_receive_it_once_per_directive_and_day(
    assignment, directive, people, small_tree
):
    # A second item of the same directive, given the same day: still one notice per person.
    assignments_create(
        actor=people["reviewer"],
        item=directive.items.get(number="1"),
        targets=[Target(agency=small_tree["TC"])],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 3, 31)),
        title="Tuyên truyền cải cách hành chính",
        assigned_on=date(2026, 1, 5),
        at=vn(2026, 1, 5, 10),
    )
    assert {u: len(t) for u, t in told(Category.NEW_WORK).items()} == {"head": 1, "clerk": 1}
    notice = Notice.objects.get(recipient=people["head"], category=Category.NEW_WORK)
    assert "05/CT-UBND" in notice.title
    assert notice.url.startswith(reverse("workflow:assignments") + "?")
    assert not Notice.objects.filter(recipient=people["other_head"]).exists()


def test_each_step_tells_the_next_person_and_never_the_actor(assignment, people):
    received(assignment, people)
    assert list(told(Category.DELEGATED)) == ["officer"]
    assert "27/02/2026" in told(Category.DELEGATED)["officer"][0]

    completion_report_file(actor=people["officer"], assignment=assignment, text="Đã xong.")
    assert list(told(Category.APPROVAL)) == ["head"]

    report_return(actor=people["head"], assignment=assignment, comment="Thiếu số liệu quý IV.")
    returned = told(Category.RETURNED)
    assert list(returned) == ["officer"] and "Thiếu số liệu quý IV." in returned["officer"][0]

    completion_report_file(actor=people["officer"], assignment=assignment, text="Đã bổ sung.")
    assert len(told(Category.APPROVAL)["head"]) == 2  # a new report, a new notice
    report_approve(actor=people["head"], assignment=assignment)
    assert list(told(Category.ACCEPTANCE)) == ["reviewer"]

    report_return_office(actor=people["reviewer"], assignment=assignment, comment="Chưa đạt.")
    assert set(told(Category.RETURNED)) == {"officer", "head"}

    completion_report_file(actor=people["officer"], assignment=assignment, text="Lần 3.")
    report_approve(actor=people["head"], assignment=assignment)
    report_accept(actor=people["reviewer"], assignment=assignment)
    assert set(told(Category.COMPLETED)) == {"officer", "head"}
    assert not Notice.objects.filter(recipient=people["leader"]).exists()
    assert not Notice.objects.filter(recipient=people["other_head"]).exists()


def test_a_refusal_reaches_the_office_with_the_reason(assignment, people):
    assignment_refuse(
        actor=people["head"], assignment=assignment, reason="Thuộc chức năng của Sở Nội vụ."
    )
    refused = told(Category.REFUSED)
    assert list(refused) == ["reviewer"]
    assert "Thuộc chức năng của Sở Nội vụ." in refused["reviewer"][0]


def test_work_given_to_another_agency_is_told_to_those_who_receive_it_there(
    assignment, people, small_tree
):
    successor = assignment_reassign(
        actor=people["reviewer"],
        assignment=assignment,
        agency=small_tree["NV"],
        note="Đúng chức năng.",
    )
    transferred = told(Category.TRANSFERRED)
    assert list(transferred) == ["other_head"]
    notice = Notice.objects.get(category=Category.TRANSFERRED)
    assert notice.url == reverse("workflow:assignment", args=[successor.pk])


def test_an_extension_request_goes_to_the_head_then_the_office_then_back(assignment, people):
    received(assignment, people)
    extension = extension_request(
        actor=people["officer"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Chờ số liệu của Kho bạc.",
    )
    assert list(told(Category.EXTENSION_REQUESTED)) == ["head"]
    extension_endorse(actor=people["head"], extension=extension, endorse=True)
    endorsed = told(Category.EXTENSION_ENDORSED)
    assert list(endorsed) == ["reviewer"] and "31/03/2026" in endorsed["reviewer"][0]
    extension_decide(actor=people["reviewer"], extension=extension, approve=True)
    decided = told(Category.EXTENSION_DECIDED)
    assert set(decided) == {"officer", "head"} and "31/03/2026" in decided["officer"][0]


def test_a_heads_own_request_skips_the_heads_and_goes_to_the_office(assignment, people):
    extension_request(
        actor=people["head"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Chờ số liệu.",
    )
    assert told(Category.EXTENSION_REQUESTED) == {}
    assert list(told(Category.EXTENSION_ENDORSED)) == ["reviewer"]


def test_the_same_event_replayed_tells_nobody_twice(assignment, people):
    received(assignment, people)
    notice = Notice.objects.get(category=Category.DELEGATED)
    event_key = notice.key
    again = notices.announce(
        verb="assignment.receive",
        assignment=assignment,
        actor=people["clerk"],
        note="",
        new={},
        key=event_key,
        at=vn(2026, 1, 6),
    )
    assert again == 0 and Notice.objects.filter(category=Category.DELEGATED).count() == 1


# Preferences ---------------------------------------------------------------------------------


def with_mail(people):
    for name, user in people.items():
        user.email = f"{name}@example.vn"
        user.save(update_fields=["email"])


def test_a_head_who_chose_mail_at_once_hears_of_a_report_without_opening_the_app(
    assignment, people, django_capture_on_commit_callbacks
):
    with_mail(people)
    notice_preferences_set(actor=people["head"], choices={Category.APPROVAL: Delivery.NOW})
    received(assignment, people)
    with django_capture_on_commit_callbacks(execute=True):
        completion_report_file(actor=people["officer"], assignment=assignment, text="Đã xong.")
    sent = [m for m in mail.outbox if m.to == ["head@example.vn"]]
    assert len(sent) == 1 and "Báo cáo chờ phê duyệt" in sent[0].body
    assert f"/assignments/{assignment.pk}/" in sent[0].body
    # The digest does not send it again; the officer's delegation notice waits for it.
    with django_capture_on_commit_callbacks(execute=True):
        digests_send(at=vn(2026, 2, 2, 7))
    assert len([m for m in mail.outbox if m.to == ["head@example.vn"]]) == 2  # + new work
    head_digest = [m for m in mail.outbox if m.to == ["head@example.vn"]][1]
    assert "Báo cáo chờ phê duyệt" not in head_digest.body


def test_by_default_workflow_notices_wait_for_the_digest(
    assignment, people, django_capture_on_commit_callbacks
):
    with_mail(people)
    with django_capture_on_commit_callbacks(execute=True):
        reported(assignment, people)
    assert mail.outbox == []
    assert Notice.objects.get(category=Category.APPROVAL).delivery == Delivery.DIGEST
    with django_capture_on_commit_callbacks(execute=True):
        digests_send(at=vn(2026, 2, 2, 7))
    assert any(
        "Báo cáo chờ phê duyệt" in m.body for m in mail.outbox if m.to == ["head@example.vn"]
    )


def test_app_only_is_never_mailed_but_is_in_the_app(
    assignment, people, django_capture_on_commit_callbacks
):
    with_mail(people)
    notice_preferences_set(
        actor=people["head"],
        choices={Category.APPROVAL: Delivery.NONE, Category.NEW_WORK: Delivery.NONE},
    )
    Notice.objects.filter(recipient=people["head"]).update(delivery=Delivery.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        reported(assignment, people)
        digests_send(at=vn(2026, 2, 2, 7))
    assert not [m for m in mail.outbox if m.to == ["head@example.vn"]]
    notice = Notice.objects.get(recipient=people["head"], category=Category.APPROVAL)
    assert notice.delivery == Delivery.NONE and notice.read_at is None


def test_preferences_are_set_whole_or_not_at_all(people):
    head = people["head"]
    notice_preferences_set(actor=head, choices={Category.APPROVAL: Delivery.NOW})
    with pytest.raises(Exception) as refused:
        notice_preferences_set(
            actor=head, choices={Category.APPROVAL: Delivery.NONE, "nonsense": Delivery.NOW}
        )
    assert refused.value.code == "invalid_preference"
    assert dict(NoticePreference.objects.values_list("category", "delivery")) == {
        Category.APPROVAL: Delivery.NOW
    }
    notice_preferences_set(actor=head, choices={Category.APPROVAL: DEFAULT})
    assert not NoticePreference.objects.exists()


def test_the_profile_page_shows_and_saves_the_choices(client, people):
    head = people["head"]
    client.force_login(head)
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Báo cáo chờ phê duyệt" in text and "Gửi thư điện tử ngay" in text
    response = client.post(
        reverse("notifications:preferences"),
        {Category.APPROVAL: Delivery.NOW, Category.WARNING: Delivery.NONE},
    )
    assert response.status_code == 302 and response.url.endswith("#notices")
    assert dict(head.notice_preferences.values_list("category", "delivery")) == {
        Category.APPROVAL: Delivery.NOW,
        Category.WARNING: Delivery.NONE,
    }
    page = client.get(reverse("profile")).content.decode()

    def chosen(name):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
        return re.search(r'<option value="(\w+)" selected>', select).group(1)

    assert (chosen("approval"), chosen("warning"), chosen("reminder")) == ("now", "none", "default")


def test_a_bad_choice_is_refused_in_vietnamese_and_changes_nothing(client, people):
    client.force_login(people["head"])
    response = client.post(reverse("notifications:preferences"), {Category.APPROVAL: "fax"})
    assert response.status_code == 400
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert not NoticePreference.objects.exists()


def test_preferences_need_sign_in(client):
    response = client.post(reverse("notifications:preferences"), {Category.APPROVAL: "now"})
    assert response.status_code == 302 and "login" in response.url
    assert not NoticePreference.objects.exists()
