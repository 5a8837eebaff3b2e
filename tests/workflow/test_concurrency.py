"""Two people approving the same report at the same moment: exactly one wins."""

import threading

import pytest
from django.db import connection, connections

from workflow.choices import AssignmentState
from workflow.services import (
    AlreadyHandled,
    assignment_receive,
    completion_report_file,
    report_approve,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers by itself")


def test_a_concurrent_double_approve_has_one_winner(assignment, people, user_with_role, small_tree):
    deputy = user_with_role("deputy", small_tree["TC"], username="deputy")
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    completion_report_file(actor=people["officer"], assignment=assignment, text="Xong.")

    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor):
        try:
            barrier.wait()
            report_approve(actor=actor, assignment=assignment)
            outcomes.append("approved")
        except AlreadyHandled:
            outcomes.append("already_handled")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (people["head"], deputy)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_handled", "approved"]
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.APPROVED
    assert assignment.process.task_set.filter(flow_task__contains="review").count() == 1
