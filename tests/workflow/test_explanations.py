"""Explanation requests (yêu cầu giải trình): the office asks the agency of late work or of a
target at risk to explain by a date, the agency's head answers, the office may withdraw —
each allowance beside its denial; the rule of standing at its boundaries; the pages, the API,
the timeline and the notices."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.exceptions import DomainError, Forbidden, InvalidInput, NotFound
from core.flowtasks import AlreadyHandled
from core.models import AuditEvent
from notifications.models import Category, Notice
from workflow import selectors
from workflow.choices import AssignmentState, ExplanationStatus
from workflow.explanations import assignment_is_late, explanation_standing
from workflow.models import ExplanationRequest
from workflow.services import (
    explanation_answer,
    explanation_request,
    explanation_withdraw,
    indicator_create,
    measurement_confirm,
    measurement_report,
)

D = date(2026, 6, 15)


def soon(days=7):
    return timezone.localdate() + timedelta(days=days)


# The rules, at their boundaries --------------------------------------------------------------


def test_an_assignment_is_late_from_the_day_after_its_due_date_or_when_done_after_it():
    late = lambda **kw: assignment_is_late(today=D, **kw)  # noqa: E731
    open_ = AssignmentState.IN_PROGRESS
    assert not late(state=open_, due_date=D, completed_on=None)
    assert late(state=open_, due_date=D - timedelta(days=1), completed_on=None)
    assert not late(state=open_, due_date=None, completed_on=None)  # a continuous duty
    done = AssignmentState.DONE
    assert not late(state=done, due_date=D - timedelta(days=9), completed_on=D - timedelta(days=9))
    assert late(state=done, due_date=D - timedelta(days=9), completed_on=D - timedelta(days=8))
    assert not late(
        state=AssignmentState.CANCELLED, due_date=D - timedelta(days=9), completed_on=None
    )


def test_an_explanation_given_on_its_day_is_on_time_and_the_day_after_late():
    s = lambda status, answered=None, today=D: explanation_standing(  # noqa: E731
        status=status, due_on=D, answered_on=answered, today=today
    )
    assert s(ExplanationStatus.ANSWERED, D) == "on_time"
    assert s(ExplanationStatus.ANSWERED, D + timedelta(days=1)) == "late"
    assert s(ExplanationStatus.REQUESTED) == "awaiting"
    assert s(ExplanationStatus.REQUESTED, today=D + timedelta(days=1)) == "overdue"
    assert s(ExplanationStatus.WITHDRAWN, today=D + timedelta(days=9)) == "withdrawn"


# The services ---------------------------------------------------------------------------------


def test_the_office_asks_about_late_work_and_an_agency_cannot(assignment, people):
    with pytest.raises(Forbidden):
        explanation_request(
            actor=people["head"], assignment=assignment, question="Vì sao?", due_on=soon()
        )
    explanation = explanation_request(
        actor=people["reviewer"], assignment=assignment, question="Vì sao chậm?", due_on=soon()
    )
    assert explanation.agency_id == assignment.agency_id
    assert explanation.status == ExplanationStatus.REQUESTED
    line = AuditEvent.objects.get(verb="explanation.request")
    assert line.object_id == str(assignment.pk)  # on the assignment's timeline
    sentences = [e.sentence for e in selectors.assignment_timeline(assignment=assignment)]
    assert any("giải trình" in s or "explain" in s for s in sentences), sentences
    told = Notice.objects.filter(category=Category.EXPLANATION)
    assert set(told.values_list("recipient", flat=True)) == {people["head"].pk}


def test_only_late_work_and_one_request_at_a_time(assignment, people, directive, small_tree):
    explanation_request(
        actor=people["reviewer"], assignment=assignment, question="Vì sao?", due_on=soon()
    )
    with pytest.raises(AlreadyHandled):
        explanation_request(
            actor=people["leader"], assignment=assignment, question="Lần hai", due_on=soon()
        )
    assignment.due_date = timezone.localdate() + timedelta(days=30)
    assignment.save(update_fields=["due_date"])
    ExplanationRequest.objects.all().delete()
    with pytest.raises(DomainError) as refused:
        explanation_request(
            actor=people["reviewer"], assignment=assignment, question="Vì sao?", due_on=soon()
        )
    assert refused.value.code == "not_late"


def test_a_request_needs_a_question_and_a_date_from_today(assignment, people):
    for question, due_on, field in (
        ("  ", soon(), "question"),
        ("Vì sao?", timezone.localdate() - timedelta(days=1), "due_on"),
        ("Vì sao?", None, "due_on"),
    ):
        with pytest.raises(InvalidInput) as refused:
            explanation_request(
                actor=people["reviewer"], assignment=assignment, question=question, due_on=due_on
            )
        assert field in refused.value.details
    assert not ExplanationRequest.objects.exists()
    assert not AuditEvent.objects.filter(verb="explanation.request").exists()


def test_a_target_at_risk_is_explained_by_its_reporting_agency(indicator, people):
    # Due 31/12/2026 with no confirmed value: at risk.
    explanation = explanation_request(
        actor=people["reviewer"], indicator=indicator, question="Giải ngân thấp", due_on=soon()
    )
    assert explanation.agency_id == indicator.agency_id
    assert AuditEvent.objects.get(verb="explanation.request").object_id == str(indicator.pk)


def test_a_target_met_has_nothing_to_explain(indicator, people):
    m = measurement_report(
        actor=people["head"], indicator=indicator, period="yearly", year=2025, value=Decimal(96)
    )
    measurement_confirm(actor=people["reviewer"], measurement=m)
    with pytest.raises(DomainError) as refused:
        explanation_request(
            actor=people["reviewer"], indicator=indicator, question="?", due_on=soon()
        )
    assert refused.value.code == "not_at_risk"


def test_a_target_without_a_reporting_agency_cannot_be_explained(item, people):
    indicator = indicator_create(
        actor=people["reviewer"],
        item=item,
        name="Chỉ số PAR",
        target_max=Decimal(20),
        direction="lower",
        due_on=date(2025, 12, 31),
    )
    with pytest.raises(DomainError) as refused:
        explanation_request(
            actor=people["reviewer"], indicator=indicator, question="?", due_on=soon()
        )
    assert refused.value.code == "no_agency"


def test_the_head_answers_and_another_agency_or_an_officer_cannot(assignment, people):
    explanation = explanation_request(
        actor=people["reviewer"], assignment=assignment, question="Vì sao?", due_on=soon()
    )
    with pytest.raises(NotFound):  # another agency does not even see it
        explanation_answer(actor=people["other_head"], explanation=explanation, answer="x")
    with pytest.raises(Forbidden):
        explanation_answer(actor=people["officer"], explanation=explanation, answer="x")
    with pytest.raises(InvalidInput):
        explanation_answer(actor=people["head"], explanation=explanation, answer="  ")
    explanation.refresh_from_db()
    assert explanation.status == ExplanationStatus.REQUESTED
    explanation_answer(actor=people["head"], explanation=explanation, answer="Chờ số liệu.")
    explanation.refresh_from_db()
    assert explanation.status == ExplanationStatus.ANSWERED
    assert explanation.answered_by == people["head"]
    assert Notice.objects.filter(
        recipient=people["reviewer"], category=Category.EXPLANATION
    ).exists()
    with pytest.raises(AlreadyHandled):
        explanation_answer(actor=people["head"], explanation=explanation, answer="Lần hai")
    row = selectors.explanation_get(user=people["reviewer"], pk=explanation.pk)
    assert row.standing == "on_time"


def test_the_office_withdraws_with_a_reason_and_the_head_cannot(assignment, people):
    explanation = explanation_request(
        actor=people["reviewer"], assignment=assignment, question="Vì sao?", due_on=soon()
    )
    with pytest.raises(Forbidden):
        explanation_withdraw(actor=people["head"], explanation=explanation, note="x")
    with pytest.raises(InvalidInput):
        explanation_withdraw(actor=people["reviewer"], explanation=explanation, note="")
    explanation_withdraw(actor=people["reviewer"], explanation=explanation, note="Hỏi nhầm.")
    explanation.refresh_from_db()
    assert explanation.status == ExplanationStatus.WITHDRAWN
    # A withdrawn request makes room for a new one.
    explanation_request(
        actor=people["reviewer"], assignment=assignment, question="Lần này", due_on=soon()
    )


def test_the_tally_counts_on_time_late_and_overdue_answers(assignment, people):
    explanation = explanation_request(
        actor=people["reviewer"], assignment=assignment, question="?", due_on=soon(0)
    )
    late = timezone.now() + timedelta(days=2)
    explanation_answer(actor=people["head"], explanation=explanation, answer="Muộn.", at=late)
    tally = selectors.explanation_tally(user=people["reviewer"], agency_id=assignment.agency_id)
    assert (tally.asked, tally.on_time, tally.late, tally.overdue) == (1, 0, 1, 0)
    explanation_request(
        actor=people["reviewer"], assignment=assignment, question="?", due_on=soon(0)
    )
    later = selectors.explanation_tally(
        user=people["reviewer"],
        agency_id=assignment.agency_id,
        today=timezone.localdate() + timedelta(days=1),
    )
    assert (later.asked, later.late, later.overdue) == (2, 1, 1)


# The pages ------------------------------------------------------------------------------------


def test_the_office_asks_from_the_assignment_page(client, assignment, people):
    client.force_login(people["reviewer"])
    page = client.get(reverse("workflow:assignment", args=[assignment.pk])).content.decode()
    ask = reverse("workflow:explanation_request_assignment", args=[assignment.pk])
    assert ask in page
    refused = client.post(ask, {"question": "Vì sao chậm?", "due_on": "01/01/2020"})
    assert refused.status_code == 400
    assert "Vì sao chậm?" in refused.content.decode()  # what was typed is kept
    response = client.post(ask, {"question": "Vì sao chậm?", "due_on": soon().strftime("%d/%m/%Y")})
    explanation = ExplanationRequest.objects.get()
    assert response.url == reverse("workflow:explanation", args=[explanation.pk])
    page = client.get(reverse("workflow:assignment", args=[assignment.pk])).content.decode()
    assert ask not in page  # one awaited at a time
    assert "Vì sao chậm?" in page


def test_the_head_does_not_get_the_ask_button(client, assignment, people):
    client.force_login(people["head"])
    page = client.get(reverse("workflow:assignment", args=[assignment.pk])).content.decode()
    assert reverse("workflow:explanation_request_assignment", args=[assignment.pk]) not in page
    response = client.get(reverse("workflow:explanation_request_assignment", args=[assignment.pk]))
    assert response.status_code == 403


def test_the_head_answers_on_the_request_page_and_the_list_counts_it(client, assignment, people):
    explanation = explanation_request(
        actor=people["reviewer"], assignment=assignment, question="Vì sao?", due_on=soon()
    )
    client.force_login(people["head"])
    page = client.get(reverse("workflow:explanation", args=[explanation.pk])).content.decode()
    answer = reverse("workflow:explanation_answer", args=[explanation.pk])
    assert answer in page
    assert reverse("workflow:explanation_withdraw", args=[explanation.pk]) not in page
    assert client.post(answer, {"answer": ""}).status_code == 400
    client.post(answer, {"answer": "Đang chờ số liệu của xã."})
    explanation.refresh_from_db()
    assert explanation.answer == "Đang chờ số liệu của xã."
    listing = client.get(reverse("workflow:explanations") + "?group=on_time").content.decode()
    assert assignment.title in listing
    assert "(1)" in listing
    client.force_login(people["other_head"])
    assert client.get(reverse("workflow:explanation", args=[explanation.pk])).status_code == 404
    other = client.get(reverse("workflow:explanations") + "?group=all").content.decode()
    assert assignment.title not in other


def test_the_office_asks_from_the_targets_page(client, indicator, people):
    client.force_login(people["reviewer"])
    page = client.get(reverse("workflow:item_indicators", args=[indicator.item_id]))
    ask = reverse("workflow:explanation_request_indicator", args=[indicator.pk])
    assert ask in page.content.decode()
    client.post(ask, {"question": "Giải ngân thấp", "due_on": soon().strftime("%d/%m/%Y")})
    explanation = ExplanationRequest.objects.get()
    page = client.get(reverse("workflow:item_indicators", args=[indicator.item_id]))
    assert reverse("workflow:explanation", args=[explanation.pk]) in page.content.decode()


def test_the_list_costs_the_same_for_one_or_many(client, assignment, people):
    explanation_request(
        actor=people["reviewer"], assignment=assignment, question="?", due_on=soon()
    )
    client.force_login(people["reviewer"])
    url = reverse("workflow:explanations") + "?group=all"
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):  # three more: withdrawn, each followed by a new request
        awaited = ExplanationRequest.objects.get(status=ExplanationStatus.REQUESTED)
        explanation_withdraw(actor=people["reviewer"], explanation=awaited, note="x")
        explanation_request(
            actor=people["reviewer"], assignment=assignment, question="?", due_on=soon()
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 4
    assert len(many) == len(one)


# The API --------------------------------------------------------------------------------------


def test_the_api_asks_answers_and_says_what_is_wrong(client, assignment, people):
    client.force_login(people["reviewer"])
    url = reverse("api:explanation-list")
    bad = client.post(
        url, {"question": "?", "due_on": soon().isoformat()}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "one_subject_required"
    made = client.post(
        url,
        {"assignment": assignment.pk, "question": "Vì sao?", "due_on": soon().strftime("%d/%m/%Y")},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["standing"] == "awaiting"
    client.force_login(people["other_head"])
    assert client.get(reverse("api:explanation-detail", args=[pk])).status_code == 404
    client.force_login(people["head"])
    answer = reverse("api:explanation-answer", args=[pk])
    empty = client.post(answer, {"answer": ""}, content_type="application/json")
    assert empty.status_code == 400 and "answer" in empty.json()["errors"]
    done = client.post(answer, {"answer": "Chờ số liệu."}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["standing"] == "on_time"
    listed = client.get(url + "?standing=on_time").json()
    assert [row["id"] for row in listed["results"]] == [pk]


def test_the_database_says_the_same_standing_as_the_rule(assignment, indicator, people):
    """``selectors.explanations.standing`` (SQL) and ``explanation_standing`` (Python) are one
    rule written twice: the list reads the first, the rule's boundaries are tested on the
    second; here they must agree, on their day and the day after."""
    answered = explanation_request(
        actor=people["reviewer"], assignment=assignment, question="?", due_on=soon(0)
    )
    explanation_answer(
        actor=people["head"],
        explanation=answered,
        answer="Muộn.",
        at=timezone.now() + timedelta(days=1),
    )
    explanation_request(actor=people["reviewer"], indicator=indicator, question="?", due_on=soon(0))
    for today in (timezone.localdate(), timezone.localdate() + timedelta(days=1)):
        for row in selectors.explanation_list(user=people["reviewer"], today=today):
            answered_on = timezone.localdate(row.answered_at) if row.answered_at else None
            assert row.standing == explanation_standing(
                status=row.status, due_on=row.due_on, answered_on=answered_on, today=today
            )
