"""The inbox never hides work: every task the user must act on, paginated with the total,
by kind, newest first or soonest due first, with the agency's name and the timeliness."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation.sweep import sweep
from tests.fixtures.workflow import vn
from tests.workflow.factories import AssignmentFactory, DirectiveFactory
from workflow.choices import DuePolicy
from workflow.deadlines import DueRule
from workflow.services import (
    Target,
    assignment_receive,
    assignments_create,
    completion_report_file,
    item_add,
    report_approve,
)


def overdue_work(directive, people, agency, count):
    """``count`` assignments of one agency, each on its own item, due in February 2026."""
    made = []
    for n in range(count):
        number = f"{agency.code}-{n}"
        item = item_add(actor=people["reviewer"], directive=directive, number=number, text="…")
        made += assignments_create(
            actor=people["reviewer"],
            item=item,
            targets=[Target(agency=agency)],
            due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27)),
            title=f"Nhiệm vụ số {n}",
            assigned_on=date(2026, 1, 5),
            at=vn(2026, 1, 5),
        )
    return made


def result_awaiting_the_office(assignment, people):
    assignment_receive(actor=people["clerk"], assignment=assignment, assignee=people["officer"])
    completion_report_file(actor=people["officer"], assignment=assignment, text="Đã xong.")
    report_approve(actor=people["head"], assignment=assignment)


def pages(client, **query):
    """Every row of every page, following the page links; and the first page's context."""
    seen, first, page = [], None, 1
    while True:
        response = client.get(reverse("workflow:inbox"), {**query, "page": page})
        assert response.status_code == 200
        first = first or response.context
        seen += [row.task.pk for row, _ in response.context["rows"]]
        if not response.context["page_obj"].has_next():
            return seen, first
        page += 1


@pytest.mark.slow
def test_a_reviewer_with_450_tasks_sees_every_one_across_the_pages(
    client, directive, assignment, people, small_tree
):
    overdue_work(directive, people, small_tree["TC"], 449)
    sweep(now=vn(2026, 6, 1), send_mail=False)
    result_awaiting_the_office(assignment, people)
    client.force_login(people["reviewer"])

    seen, first = pages(client)
    assert len(seen) == len(set(seen)) == 451
    assert first["total"] == 451
    assert first["page_obj"].paginator.count == 451
    # By kind, then newest first: the result awaiting the office is on the first page.
    row, subject = first["rows"][0]
    assert subject == assignment and row.kind.code == "accept"

    seen, first = pages(client, kind="accept")
    assert len(seen) == 1
    assert {k.code: n for k, n in first["kinds"]} == {"accept": 1, "escalation": 450}
    seen, first = pages(client, kind="escalation", order="due")
    assert len(seen) == 450
    due = [subject.due_date for _, subject in first["rows"]]
    assert due == sorted(due)

    html = client.get(reverse("workflow:inbox"), {"kind": "escalation"}).content.decode()
    assert "Sở Tài chính" in html
    assert "Đang thực hiện quá hạn" in html


def test_a_result_awaiting_the_office_stays_on_the_first_page_after_a_newer_batch(
    client, directive, assignment, people, small_tree
):
    result_awaiting_the_office(assignment, people)
    overdue_work(directive, people, small_tree["TC"], 59)
    # 60 late-work tasks, newer than the result (filed just now): review tasks are dated by
    # the pass that raised them.
    sweep(now=timezone.now() + timedelta(minutes=1), send_mail=False)
    client.force_login(people["reviewer"])
    first = client.get(reverse("workflow:inbox")).context
    assert first["total"] == 61 and first["is_paginated"]
    row, subject = first["rows"][0]
    assert subject == assignment and row.kind.code == "accept"
    # By arrival, the newest late work comes first and the result falls to the last page.
    by_arrival = client.get(reverse("workflow:inbox"), {"order": "arrival"}).context
    assert by_arrival["rows"][0][0].kind.code == "escalation"


def test_the_inbox_costs_the_same_queries_for_3_and_60_tasks(
    client, directive, assignment, people, small_tree
):
    client.force_login(people["reviewer"])
    overdue_work(directive, people, small_tree["TC"], 2)
    sweep(now=vn(2026, 6, 1), send_mail=False)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("workflow:inbox"))
    overdue_work(directive, people, small_tree["NV"], 57)
    sweep(now=vn(2026, 6, 2), send_mail=False)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("workflow:inbox"))
    assert response.context["total"] == 60
    assert response.context["is_paginated"]
    assert len(many) == len(few)


def test_each_person_sees_only_their_own_tasks(client, assignment, people):
    result_awaiting_the_office(assignment, people)
    client.force_login(people["officer"])
    seen, first = pages(client)
    assert seen == [] and first["total"] == 0
    client.force_login(people["other_head"])
    assert pages(client)[0] == []
    client.force_login(people["reviewer"])
    assert len(pages(client)[0]) == 1


def test_the_transfers_page_lists_every_stranded_assignment_with_its_total(
    client, small_tree, people
):
    old = DirectiveFactory(
        actor=people["reviewer"],
        title="Kế hoạch 2024",
        issued_on=date(2024, 6, 3),
        issuer=small_tree["P"],
        items=[f"Nội dung {n}." for n in range(60)],
    )
    for item in old.items.all():
        AssignmentFactory(
            item=item,
            agency=small_tree["KHDT"],
            due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2025, 12, 31)),
            assigned_on=date(2024, 6, 3),
            at=None,
        )
    client.force_login(people["reviewer"])
    first = client.get(reverse("workflow:transfers"))
    second = client.get(reverse("workflow:transfers"), {"page": 2})
    assert first.context["paginator"].count == 60
    rows = first.context["candidates"] + second.context["candidates"]
    assert len({a.pk for a, _ in rows}) == 60
    assert all([s.code for s in successors] == ["TC"] for _, successors in rows)
    assert "Sở Tài chính" in first.content.decode()
