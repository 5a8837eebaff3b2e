"""The dashboards show the explanation asked of late work and of targets at risk, beside
them, in the queries they already make."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workflow.services import explanation_answer, explanation_request, indicator_create


def page(client, user, name):
    client.force_login(user)
    client.get(reverse(name))  # warm the per-user caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_overview_and_the_agency_dashboard_show_the_explanation_at_no_cost(
    client, assignment, directive, people, small_tree
):
    indicator = indicator_create(  # due within 90 days, no confirmed value: at risk
        actor=people["reviewer"],
        item=directive.items.get(number="2"),
        name="Tỷ lệ giải ngân",
        unit="%",
        target_min=Decimal(95),
        due_on=timezone.localdate() + timedelta(days=30),
        agency=small_tree["TC"],
    )
    before = {
        "leader": page(client, people["leader"], "dashboards:overview")[0],
        "head": page(client, people["head"], "dashboards:agency")[0],
    }
    soon = timezone.localdate() + timedelta(days=5)
    late_work = explanation_request(
        actor=people["reviewer"], assignment=assignment, question="Vì sao?", due_on=soon
    )
    target = explanation_request(
        actor=people["reviewer"], indicator=indicator, question="Vì sao?", due_on=soon
    )
    explanation_answer(actor=people["head"], explanation=late_work, answer="Chờ số liệu.")
    leader, overview = page(client, people["leader"], "dashboards:overview")
    head, board = page(client, people["head"], "dashboards:agency")
    assert (leader, head) == (before["leader"], before["head"])
    for html in (overview, board):
        assert reverse("workflow:explanation", args=[late_work.pk]) in html
        assert reverse("workflow:explanation", args=[target.pk]) in html
    assert 'class="chip e-on_time"' in board
    assert 'class="chip e-awaiting"' in board
    other_head, other = page(client, people["other_head"], "dashboards:agency")
    assert reverse("workflow:explanation", args=[late_work.pk]) not in other
