"""The lists, the agency dashboard, the escalations and an assignment's page cost the same
number of queries for 10 rows as for 300 (issue 10): what grows with the data is the work of
each query, which the indexes bound, never their number.

The rows are written in bulk, copies of the ``assignment`` fixture's row in every state and
over a range of due dates, with contributions, progress reports, decided extension requests
and escalations, so that 300 cost the test a few statements (the pages read columns; none of
them walks the viewflow processes).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation.choices import LevelKind
from escalation.models import Escalation, EscalationLevel
from workflow.choices import (
    AssignmentRole,
    AssignmentState,
    ExtensionStatus,
    ReportKind,
    ReportStatus,
)
from workflow.models import Assignment, ExtensionRequest, ProgressReport

GOAL = 12  # queries per page (issue 10)
STATES = list(AssignmentState.values)


def copies(assignment, n: int, start: int = 0, **fields) -> list[Assignment]:
    """``n`` more rows like ``assignment``, in every state, due over two months."""
    base = Assignment.objects.filter(pk=assignment.pk).values().get()
    base.pop("id")
    rows = []
    for i in range(start, start + n):
        row = {
            **base,
            "title": f"Nhiệm vụ nhân bản {i}",
            "state": STATES[i % len(STATES)],
            "due_date": base["due_date"] + timedelta(days=i % 60),
            "original_due_date": base["due_date"] + timedelta(days=i % 60),
            "completed_on": base["due_date"] + timedelta(days=(i % 5) - 2),
            **fields,
        }
        rows.append(Assignment(**row))
    return Assignment.objects.bulk_create(rows)


def grow(assignment, small_tree, people, n: int, start: int = 0) -> None:
    """``n`` rows of each kind the measured pages read."""
    own = copies(assignment, n, start)
    copies(assignment, n, start, agency_id=small_tree["NV"].pk)
    # Contributions of another agency to the fixture's assignment (its page lists them, and
    # the lead agency's people see them).
    copies(
        assignment,
        n,
        start,
        agency_id=small_tree["NV"].pk,
        parent_id=assignment.pk,
        role=AssignmentRole.COORDINATING,
    )
    now = timezone.now()
    ProgressReport.objects.bulk_create(
        ProgressReport(
            assignment=assignment,
            kind=ReportKind.PROGRESS,
            author=people["officer"],
            text=f"Tiến độ {i}",
            percent=i % 100,
            status=ReportStatus.FILED,
        )
        for i in range(n)
    )
    ExtensionRequest.objects.bulk_create(
        ExtensionRequest(
            assignment=assignment,
            requested_by=people["head"],
            current_due_date=assignment.due_date,
            requested_due_date=assignment.due_date + timedelta(days=30),
            reason=f"Lý do {i}",
            status=ExtensionStatus.DENIED,
            decided_by=people["reviewer"],
            decided_at=now,
        )
        for i in range(n)
    )
    office = EscalationLevel.objects.filter(kind=LevelKind.OFFICE).first()
    Escalation.objects.bulk_create(
        Escalation(
            assignment=a,
            agency_id=a.agency_id,
            level=office,
            due_date=a.due_date or assignment.due_date,
            raised_at=now - timedelta(minutes=i),
        )
        for i, a in enumerate(own)
    )


def pages(assignment) -> list[tuple[str, str]]:
    lists = reverse("workflow:assignments")
    detail = reverse("workflow:assignment", args=[assignment.pk])
    return [
        ("reviewer", lists),
        ("reviewer", lists + "?timeliness=overdue"),
        ("reviewer", lists + "?state=in_progress&agency=TC"),
        ("head", lists),
        ("head", lists + "?timeliness=overdue"),
        ("reviewer", "/api/v1/assignments/"),
        ("head", "/api/v1/assignments/"),
        ("head", reverse("dashboards:agency")),
        ("reviewer", reverse("escalation:list")),
        ("reviewer", reverse("escalation:list") + "?open=true"),
        ("head", reverse("escalation:list")),
        ("reviewer", detail),
        ("head", detail),
        ("officer", detail),
    ]


def queries(client, url) -> list[str]:
    client.get(url)  # the per-process caches (content types) warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"][:120] for q in captured]


def test_each_page_costs_the_same_queries_for_10_rows_and_for_300(
    client, assignment, small_tree, people
):
    grow(assignment, small_tree, people, 10)
    small = {}
    for who, url in pages(assignment):
        client.force_login(people[who])
        small[who, url] = queries(client, url)
    grow(assignment, small_tree, people, 290, start=10)
    for who, url in pages(assignment):
        client.force_login(people[who])
        big = queries(client, url)
        assert len(big) == len(small[who, url]), f"{who} {url}: {small[who, url]} → {big}"
        assert len(big) <= GOAL, f"{who} {url}: " + "\n".join(big)


@pytest.mark.parametrize("page", ["1", "7", "last"])
def test_a_deep_page_shows_the_rows_an_offset_would(client, assignment, small_tree, people, page):
    """Deep pages read their rows' keys first (core.pagination): the same rows, in order."""
    from core import pagination

    grow(assignment, small_tree, people, 400)
    client.force_login(people["reviewer"])
    url = reverse("workflow:assignments") + f"?page={page}"
    shallow = [a.pk for a in client.get(url).context["assignments"]]
    deep = pagination.DEEP
    pagination.DEEP = 0
    try:
        response = client.get(url)
    finally:
        pagination.DEEP = deep
    assert [a.pk for a in response.context["assignments"]] == shallow
    assert all(a.agency_name for a in response.context["assignments"])


def test_the_office_s_total_is_the_count_of_every_assignment(
    client, assignment, small_tree, people
):
    """The unfiltered list of those who see every row takes its total from the tally the
    database keeps (dashboards); the filtered one and everyone else's count their rows."""
    grow(assignment, small_tree, people, 25)
    client.force_login(people["reviewer"])
    response = client.get(reverse("workflow:assignments"))
    assert response.context["paginator"].count == Assignment.objects.count()
    response = client.get(reverse("workflow:assignments"), {"state": "in_progress"})
    assert (
        response.context["paginator"].count
        == Assignment.objects.filter(state="in_progress").count()
    )
    client.force_login(people["head"])
    response = client.get(reverse("workflow:assignments"))
    assert (
        response.context["paginator"].count
        == Assignment.objects.filter(agency=small_tree["TC"]).count()
        + Assignment.objects.filter(parent=assignment).count()
    )
