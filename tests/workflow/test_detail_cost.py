"""An assignment's page costs the same statements whether or not an extension request awaits
the reader's decision: whether they may endorse or decide it is read with the request."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workflow.services import assignment_receive, extension_endorse, extension_request


def cost(client, user, assignment) -> tuple[int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("workflow:assignment", args=[assignment.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_pending_extension_adds_no_statement_to_the_page(client, assignment, people):
    assignment_receive(actor=people["clerk"], assignment=assignment, assignee=people["officer"])
    before = {who: cost(client, people[who], assignment)[0] for who in ("reviewer", "head")}
    extension = extension_request(
        actor=people["officer"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Chờ số liệu.",
    )
    head, page = cost(client, people["head"], assignment)
    assert head == before["head"]
    assert "endorse" in page  # the head is offered the endorsement
    extension_endorse(actor=people["head"], extension=extension, endorse=True)
    reviewer, page = cost(client, people["reviewer"], assignment)
    assert reviewer == before["reviewer"]
    assert "decide" in page  # the office is offered the decision
