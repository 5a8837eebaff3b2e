"""The office brings in the outcomes of past work from its follow-up sheet (``outcomes_record``):
each assignment is done on its day, with an accepted report, a closed process and a line on its
timeline, in the same number of statements for three or thirty; anything wrong refuses the
whole batch and changes nothing."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import Forbidden, InvalidInput
from core.inbox import inbox_tasks
from tests.fixtures.workflow import vn
from workflow.choices import AssignmentState, DuePolicy, ReportStatus, Timeliness
from workflow.deadlines import DueRule
from workflow.models import Assignment
from workflow.selectors import assignment_list, assignment_timeline
from workflow.services import (
    Outcome,
    Target,
    assignment_receive,
    assignments_create,
    item_add,
    outcomes_record,
)

SHEET = "Bảng theo dõi nhiệm vụ năm 2025 của Văn phòng UBND tỉnh"
AT = vn(2026, 6, 1)


def make(directive, people, agency, n: int) -> list[Assignment]:
    item = item_add(actor=people["reviewer"], directive=directive, number=f"H{n}", text="…")
    return [
        assignments_create(
            actor=people["reviewer"],
            item=item,
            targets=[Target(agency=agency)],
            due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27)),
            title=f"Việc {n}.{i}",
            assigned_on=date(2026, 1, 5),
            at=vn(2026, 1, 5),
        )[0]
        for i in range(n)
    ]


def test_the_office_records_past_outcomes_in_a_constant_number_of_statements(
    directive, people, small_tree
):
    tc = small_tree["TC"]
    three, thirty = make(directive, people, tc, 3), make(directive, people, tc, 30)
    assignment_receive(
        actor=people["clerk"], assignment=three[0], assignee=people["officer"], at=vn(2026, 1, 9)
    )
    costs = []
    for work in (three, thirty):
        outcomes = [
            Outcome(a.pk, date(2026, 2, 20) if i % 2 else date(2026, 3, 10), f"Đã xong {i}.")
            for i, a in enumerate(work)
        ]
        with CaptureQueriesContext(connection) as queries:
            assert outcomes_record(
                actor=people["reviewer"], outcomes=outcomes, source=SHEET, at=AT
            ) == len(work)
        costs.append(len(queries))
    assert costs[0] == costs[1]

    a, b = (Assignment.objects.get(pk=x.pk) for x in three[:2])
    assert (a.state, a.completed_on, b.completed_on) == (
        AssignmentState.DONE,
        date(2026, 3, 10),
        date(2026, 2, 20),
    )
    report = a.reports.get()
    assert (report.status, report.text, report.percent) == (
        ReportStatus.ACCEPTED,
        "Đã xong 0.",
        100,
    )
    seen = {x.pk: x.timeliness for x in assignment_list(user=people["reviewer"])}
    assert (seen[a.pk], seen[b.pk]) == (Timeliness.DONE_LATE, Timeliness.DONE_ON_TIME)
    last = assignment_timeline(assignment=a)[-1]
    assert "10/03/2026" in last.sentence and SHEET in last.sentence
    # Nothing is left to do on them: no task in anyone's inbox.
    done = {x.pk for x in three + thirty}
    for person in ("head", "clerk", "officer", "reviewer"):
        assert not [t for t in inbox_tasks(user=people[person]) if t.subject_id in done], person


def test_only_the_office_records_outcomes(directive, people, small_tree):
    [a] = make(directive, people, small_tree["TC"], 1)
    with pytest.raises(Forbidden):
        outcomes_record(
            actor=people["head"], outcomes=[Outcome(a.pk, date(2026, 2, 1))], source=SHEET, at=AT
        )
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.NEW


@pytest.mark.parametrize(
    "bad, code",
    [
        (
            lambda a, b: [Outcome(a.pk, date(2026, 2, 1)), Outcome(a.pk, date(2026, 2, 2))],
            "duplicate",
        ),
        (
            lambda a, b: [Outcome(a.pk, date(2026, 2, 1)), Outcome(b.pk, date(2025, 12, 31))],
            "completed_on",
        ),
        (
            lambda a, b: [Outcome(a.pk, date(2026, 2, 1)), Outcome(b.pk, date(2026, 6, 2))],
            "completed_on",
        ),
        (
            lambda a, b: [Outcome(a.pk, date(2026, 2, 1)), Outcome(999_999, date(2026, 2, 1))],
            "not_open",
        ),
    ],
    ids=["named twice", "before it was given", "after today", "no such work"],
)
def test_a_wrong_line_refuses_the_whole_batch(directive, people, small_tree, bad, code):
    a, b = make(directive, people, small_tree["TC"], 2)
    with pytest.raises(InvalidInput) as refused:
        outcomes_record(actor=people["reviewer"], outcomes=bad(a, b), source=SHEET, at=AT)
    assert refused.value.code == code
    assert set(Assignment.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True)) == {
        AssignmentState.NEW
    }
    assert not a.reports.exists()


def test_closed_work_and_a_missing_source_are_refused(directive, people, small_tree):
    a, b = make(directive, people, small_tree["TC"], 2)
    outcomes_record(
        actor=people["reviewer"], outcomes=[Outcome(a.pk, date(2026, 2, 1))], source=SHEET, at=AT
    )
    with pytest.raises(InvalidInput) as refused:
        outcomes_record(
            actor=people["reviewer"],
            outcomes=[Outcome(a.pk, date(2026, 2, 2)), Outcome(b.pk, date(2026, 2, 2))],
            source=SHEET,
            at=AT,
        )
    assert refused.value.code == "not_open"
    with pytest.raises(InvalidInput) as refused:
        outcomes_record(
            actor=people["reviewer"], outcomes=[Outcome(b.pk, date(2026, 2, 2))], source=" ", at=AT
        )
    assert refused.value.code == "source_required"
    assert Assignment.objects.get(pk=b.pk).state == AssignmentState.NEW
    assert a.reports.count() == 1
