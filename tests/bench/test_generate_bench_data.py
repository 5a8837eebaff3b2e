"""``manage.py generate_bench_data``: the province the benchmarks measure, made with the asked
counts, the same for the same seed, in the shapes the services leave behind."""

from collections import Counter
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from viewflow.workflow.models import Task

from agencies.models import Membership, User
from bench import dataset
from escalation.models import Escalation
from workflow.choices import OPEN_STATES
from workflow.flows import AssignmentFlow
from workflow.models import Assignment, ExtensionRequest, ProgressReport
from workflow.services import completion_report_file

pytestmark = pytest.mark.slow

NOW = datetime.fromisoformat("2026-12-01T10:00:00+07:00")


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_bench_data", now=NOW, stdout=out, **options)
    return out.getvalue()


def fingerprint() -> tuple:
    """What the data set holds, without the ids (they depend on what the database handed out
    before)."""
    assignments = tuple(
        Assignment.objects.order_by("pk").values_list(
            "title", "agency__code", "state", "assigned_on", "due_date", "assignee__username"
        )
    )
    tasks = Counter(
        (str(t.flow_task), t.status, t.owner.username if t.owner else None)
        for t in Task.objects.select_related("owner")
    )
    escalations = Counter(Escalation.objects.values_list("level__kind", flat=True))
    return assignments, tasks, escalations, ExtensionRequest.objects.count()


def test_it_makes_the_asked_counts_in_the_shapes_the_services_leave(db):
    output = generate(assignments=400, agencies=37, seed=7)
    assert "400 assignments for 37 agencies" in output

    assert Assignment.objects.count() == 400
    working = set(Assignment.objects.values_list("agency_id", flat=True))
    assert len(working) == 37  # the reference's 34 and three synthetic communes
    assert Membership.objects.filter(agency_id__in=working, role="head").count() == 37
    assert Membership.objects.filter(agency_id__in=working, role="officer").count() == 74
    states = Counter(Assignment.objects.values_list("state", flat=True))
    assert {"new", "in_progress", "reported", "done"} <= set(states)
    # One process per assignment, one open task per open assignment, none for closed ones.
    assert Assignment.objects.filter(process__isnull=True).count() == 0
    open_tasks = Task.objects.filter(
        flow_task__in=[
            AssignmentFlow.receive,
            AssignmentFlow.triage,
            AssignmentFlow.report,
            AssignmentFlow.approve,
            AssignmentFlow.review,
        ],
        status__in=["NEW", "ASSIGNED"],
    )
    assert open_tasks.count() == sum(states[s] for s in OPEN_STATES)
    # A completion report for every reported, approved and done assignment.
    completed = states["reported"] + states["approved"] + states["done"]
    assert ProgressReport.objects.filter(kind="completion").count() == completed
    assert ProgressReport.objects.filter(kind="progress").exists()
    # The sweep ran: late work escalated, up to the office's review tasks.
    assert Escalation.objects.filter(level__kind="office").exists()
    assert Task.objects.filter(flow_task_type="HUMAN", process__flow_class__contains="Escalation")


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    def made(seed):
        with transaction.atomic():
            generate(assignments=150, agencies=6, seed=seed)
            result = fingerprint()
            transaction.set_rollback(True)
        return result

    first = made(3)
    assert len(first[0]) == 150
    assert made(3) == first
    assert made(4) != first


def test_generated_work_goes_on_through_the_services_and_shows_in_the_inbox(client, db):
    people = dataset.build(120, now=NOW, seed=11, agencies=4)
    assert len(people.heads) == 4 and all(len(o) == 2 for o in people.officers.values())
    work = Assignment.objects.filter(state="in_progress").select_related("assignee").first()
    completion_report_file(actor=work.assignee, assignment=work, text="Đã xong.")
    work.refresh_from_db()
    assert work.state == "reported"

    head = people.heads[work.agency_id]
    client.force_login(head)
    page = client.get(reverse("workflow:inbox"), {"kind": "approve"})
    assert work.pk in {subject.pk for _row, subject in page.context["rows"]}


def test_it_refuses_a_database_that_already_holds_work(db):
    generate(assignments=10, agencies=2, seed=1)
    with pytest.raises(CommandError, match="already holds assignments"):
        generate(assignments=10, agencies=2, seed=1)
    assert Assignment.objects.count() == 10
    assert User.objects.filter(username=dataset.REVIEWER).count() == 1
