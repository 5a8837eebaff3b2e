"""Timeliness is computed by the database, at the boundaries the administration uses."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.time import end_of_day, local_date
from tests.fixtures.workflow import vn
from workflow.choices import DuePolicy, Timeliness
from workflow.deadlines import DueRule
from workflow.selectors import assignment_list
from workflow.services import (
    Target,
    assignment_receive,
    assignments_create,
    completion_report_file,
    extension_request,
    report_accept,
    report_approve,
)

UTC = ZoneInfo("UTC")


def timeliness_of(user, assignment, now):
    return assignment_list(user=user, now=now).get(pk=assignment.pk).timeliness


def test_due_at_the_end_of_the_day_in_vietnam(assignment, people):
    # Due 27/02/2026: 23:59:59 in Hà Nội is 16:59:59 UTC.
    assert end_of_day(date(2026, 2, 27)) == datetime(2026, 2, 27, 16, 59, 59, tzinfo=UTC)
    before = datetime(2026, 2, 27, 16, 59, 59, tzinfo=UTC)
    after = datetime(2026, 2, 27, 17, 0, 0, tzinfo=UTC)
    assert local_date(before) == date(2026, 2, 27)
    reviewer = people["reviewer"]
    assert timeliness_of(reviewer, assignment, before) == Timeliness.ON_TIME
    assert timeliness_of(reviewer, assignment, after) == Timeliness.OVERDUE


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        (vn(2026, 2, 27, 23, 30), Timeliness.DONE_ON_TIME),
        (vn(2026, 2, 28, 0, 10), Timeliness.DONE_LATE),
    ],
)
def test_done_on_time_is_judged_by_the_day_of_the_report(assignment, people, reported, expected):
    assignment_receive(
        actor=people["head"], assignment=assignment, assignee=people["officer"], at=vn(2026, 1, 6)
    )
    completion_report_file(
        actor=people["officer"], assignment=assignment, text="Xong.", at=reported
    )
    report_approve(actor=people["head"], assignment=assignment, at=vn(2026, 3, 2))
    report_accept(actor=people["reviewer"], assignment=assignment, at=vn(2026, 3, 5))
    assert timeliness_of(people["reviewer"], assignment, vn(2026, 4, 1)) == expected


def test_continuous_and_pending_extension(directive, small_tree, people):
    item = directive.items.get(number="1")
    continuous = assignments_create(
        actor=people["reviewer"],
        item=item,
        targets=[Target(agency=small_tree["TC"])],
        due_rule=DueRule(DuePolicy.CONTINUOUS),
        title="Tuyên truyền thường xuyên",
        assigned_on=date(2026, 1, 5),
    )[0]
    assert timeliness_of(people["reviewer"], continuous, timezone.now()) == Timeliness.CONTINUOUS


def test_extension_requested_shows_until_decided(assignment, people):
    extension_request(
        actor=people["head"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Chờ số liệu.",
        at=vn(2026, 2, 20),
    )
    assert (
        timeliness_of(people["reviewer"], assignment, vn(2026, 3, 10))
        == Timeliness.EXTENSION_REQUESTED
    )
