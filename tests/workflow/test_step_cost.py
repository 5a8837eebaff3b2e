"""What each step of an assignment's life costs, pinned so it cannot grow back (bench/cycles.py
measures the same steps): the service's statements, and the POST's — and what the cheaper
path must still refuse.

The counts are SQL statements inside a test's transaction: a service's own transaction is a
SAVEPOINT and its RELEASE here (two statements that a real request spends as BEGIN and
COMMIT).
"""

import contextlib
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.signals import task_finished
from viewflow.workflow.status import STATUS

from core import access
from core.exceptions import Forbidden, InvalidInput, NotFound
from notifications.models import Notice
from workflow.choices import AssignmentAction, AssignmentState, ExtensionStatus
from workflow.flows import AssignmentFlow
from workflow.models import Assignment, ProgressReport
from workflow.services import (
    assignment_receive,
    completion_report_file,
    extension_request,
    progress_report_file,
    report_accept,
    report_approve,
)

# Statements of each service (inside the test's transaction), and of each POST of its page:
# the session, the user, the service — plus what the access layer reads about the person once
# per request and, on the receive page, the assignment as the person sees it, for the form
# (the access rules' own cost, measured apart by ``_access_reads``) and the person it names.
SERVICE = {"receive": 13, "report": 17, "approve": 16, "accept": 19}
POST = {"receive": 16, "report": 19, "approve": 18, "accept": 21}


@pytest.fixture(autouse=True)
def warm(db):
    # A running server has these cached; a test may be the first to ask.
    ContentType.objects.get_for_models(Assignment, ProgressReport, Notice)


def steps(people):
    """Each step of a life with the person who takes it."""
    return [
        ("receive", people["clerk"], lambda a, u: assignment_receive(
            actor=u, assignment=a, assignee=people["officer"])),
        ("report", people["officer"], lambda a, u: completion_report_file(
            actor=u, assignment=a, text="Đã hoàn thành.")),
        ("approve", people["head"], lambda a, u: report_approve(actor=u, assignment=a)),
        ("accept", people["reviewer"], lambda a, u: report_accept(actor=u, assignment=a)),
    ]  # fmt: skip


def test_each_step_through_the_services_costs_a_fixed_number_of_statements(
    assignment, people, django_assert_max_num_queries
):
    for name, actor, service in steps(people):
        with django_assert_max_num_queries(SERVICE[name], info=name):
            service(Assignment(pk=assignment.pk), actor)
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.DONE


FORMS = {
    "receive": {"receive-assignee": "officer"},
    "report": {"report-text": "Đã hoàn thành."},
    "approve": {},
    "accept": {"accept-comment": "Đạt."},
}


def _access_reads(user, pk=None) -> int:
    """The statements the access layer spends in a request on what it learns about ``user``
    (``access.memo``, where there is one), and, with ``pk``, on reading that assignment as
    ``user`` sees it."""
    memo = getattr(access, "memo", contextlib.nullcontext)
    with CaptureQueriesContext(connection) as reads, memo():
        if hasattr(access, "holds_grants"):
            access.holds_grants(user)
        if pk is not None:
            Assignment.objects.restrict(user, access.VIEW).select_related("agency").get(pk=pk)
    return len(reads)


def test_each_step_posted_costs_a_fixed_number_of_statements(
    client, assignment, people, django_assert_max_num_queries
):
    for name, actor, _ in steps(people):
        reads = _access_reads(actor, assignment.pk if name == "receive" else None)
        client.force_login(actor)
        url = reverse("workflow:step", args=[assignment.pk, name])
        with django_assert_max_num_queries(POST[name] + reads, info=name):
            response = client.post(url, FORMS[name])
        assert response.status_code == 302, name
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.DONE


def test_a_step_posted_on_an_assignment_out_of_sight_is_404_and_changes_nothing(
    client, assignment, people
):
    """The step's page reads nothing its form does not need: the service's check, under
    lock, still answers 404 for what the user may not see and 403 for what they may see but
    not do."""
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    completion_report_file(actor=people["officer"], assignment=assignment, text="Xong.")
    client.force_login(people["other_head"])
    url = reverse("workflow:step", args=[assignment.pk, "approve"])
    assert client.post(url, {}).status_code == 404
    client.force_login(people["officer"])
    assert client.post(url, {}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.REPORTED
    assert client.post(reverse("workflow:step", args=[999_999, "approve"]), {}).status_code == 404


def test_require_get_reads_and_checks_in_one_query_and_refuses_as_require(
    assignment, people, django_assert_num_queries
):
    rows = Assignment.objects.select_related("agency")
    with django_assert_num_queries(1):
        row = access.require_get(rows, people["clerk"], AssignmentAction.RECEIVE, assignment.pk)
    assert row == assignment and row.agency.code == "TC"
    with pytest.raises(Forbidden):  # sees it, may not receive it
        access.require_get(rows, people["officer"], AssignmentAction.RECEIVE, assignment.pk)
    with pytest.raises(NotFound):  # another agency's
        access.require_get(rows, people["other_head"], AssignmentAction.RECEIVE, assignment.pk)
    with pytest.raises(NotFound):
        access.require_get(rows, people["clerk"], AssignmentAction.RECEIVE, 999_999)


def test_a_report_is_still_validated_in_full(assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    with pytest.raises(InvalidInput):
        progress_report_file(
            actor=people["officer"], assignment=assignment, text="Quá mức.", percent=150
        )
    assert not ProgressReport.objects.exists()


def _tasks(assignment):
    """The process's tasks as viewflow leaves them, comparable across two processes."""
    rows = Task.objects.filter(process=assignment.process).order_by("pk")
    keys = {t.pk: i for i, t in enumerate(rows)}
    return [
        (
            t.flow_task.name,
            t.flow_task_type,
            t.status,
            t.owner_id,
            str(t.token),
            t.started is not None,
            t.finished is not None,
            t.data,
            sorted(keys[p.pk] for p in t.previous.all()),
        )
        for t in rows
    ]


def _life(assignment, people):
    for _, actor, service in steps(people):
        service(assignment, actor)
    assignment.refresh_from_db()
    assignment.process.refresh_from_db()
    return _tasks(assignment), assignment.process.status, assignment.process.finished is not None


def test_tasks_are_completed_with_the_rows_viewflow_writes(assignment, people, directive):
    """``core.flowtasks.task_complete`` writes the tasks of a straight flow itself; a listener
    on the flow's signals sends it through viewflow's own activations: the rows are the same."""
    fast = _life(assignment, people)
    from tests.fixtures.workflow import make_assignment, tree

    def listener(**kwargs):
        pass

    task_finished.connect(listener, sender=AssignmentFlow)
    try:
        viewflow = _life(make_assignment(tree(), people, directive), people)
    finally:
        task_finished.disconnect(listener, sender=AssignmentFlow)
    assert fast == viewflow
    assert fast[1] == STATUS.DONE and fast[2]
    assert [t[0] for t in fast[0]] == [
        "start",
        "receive",
        "received",
        "report",
        "approve",
        "approved",
        "review",
        "reviewed",
        "end",
    ]


def test_an_extension_is_endorsed_and_decided_through_its_step_pages(client, assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    extension = extension_request(
        actor=people["officer"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Chờ số liệu.",
    )
    endorse = reverse("workflow:extension_step", args=[extension.pk, "endorse"])
    client.force_login(people["other_head"])
    assert client.post(endorse, {"endorse-endorse": "yes"}).status_code == 404
    client.force_login(people["head"])
    assert client.post(endorse, {"endorse-endorse": "yes"}).status_code == 302
    client.force_login(people["reviewer"])
    decide = reverse("workflow:extension_step", args=[extension.pk, "decide"])
    assert client.post(decide, {"decide-approve": "yes"}).status_code == 302
    extension.refresh_from_db()
    assignment.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert assignment.due_date == date(2026, 3, 31)
    assert assignment.original_due_date == date(2026, 2, 27)
