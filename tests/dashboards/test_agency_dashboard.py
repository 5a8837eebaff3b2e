"""A head's agency dashboard (/dashboard/, issue 14): what is due this week first, then the
overdue work by age, the agency's escalations awaiting the office's decision, a heat row per
directive of its work on each item, twelve months of on-time completion and the targets it
reports — each number the selectors' own, only the agency's, in as many queries (at most 12)
for a small agency as for a busier one."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.time import local_date
from dashboards.selectors import agency_dashboard, on_time_trend
from escalation.choices import LevelKind
from escalation.sweep import sweep
from tests.fixtures.workflow import vn
from workflow import selectors as workflow_selectors
from workflow.choices import AssignmentState, DuePolicy, IndicatorStatus
from workflow.deadlines import DueRule
from workflow.models import Assignment
from workflow.services import Target, assignments_create, indicator_create, item_add

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboards:agency")


def give(people, item, agency, due, title):
    [made] = assignments_create(
        actor=people["reviewer"],
        item=item,
        targets=[Target(agency=agency)],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=due),
        title=title,
        assigned_on=date(2026, 1, 6),
        at=vn(2026, 1, 6),
    )
    return made


@pytest.fixture
def busy(assignment, directive, small_tree, people):
    """Sở Tài chính's work: the overdue assignment (escalated by the sweep), one due this week,
    one done on time last month, one of Sở Nội vụ; a target each."""
    sweep(now=vn(2026, 6, 1), send_mail=False)
    today = local_date()
    item = directive.items.get(number="1")
    week = give(people, item, small_tree["TC"], today, "Việc đến hạn tuần này")
    done = give(people, item, small_tree["TC"], today + timedelta(days=40), "Việc đã xong")
    Assignment.objects.filter(pk=done.pk).update(
        state=AssignmentState.DONE, completed_on=today.replace(day=1) - timedelta(days=3)
    )
    give(people, item, small_tree["NV"], today, "Việc của Sở Nội vụ")
    ours = indicator_create(
        actor=people["reviewer"],
        item=item,
        name="Giải ngân vốn đầu tư công",
        unit="%",
        target_min=Decimal(95),
        due_on=today + timedelta(days=20),
        agency=small_tree["TC"],
    )
    indicator_create(
        actor=people["reviewer"],
        item=item,
        name="Chỉ tiêu của Sở Nội vụ",
        target_min=Decimal(1),
        agency=small_tree["NV"],
    )
    return {"week": week, "done": done, "ours": ours}


def test_heads_land_on_it_at_the_path_they_know(client, people):
    assert DASHBOARD == "/dashboard/"
    client.force_login(people["head"])
    assert client.get(reverse("home")).url == DASHBOARD


def test_what_is_due_this_week_comes_first_then_the_rest_in_order(client, busy, people):
    client.force_login(people["head"])
    html = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    order = ['id="due-this-week"', 'id="overdue"', 'id="awaiting"', 'id="heat"', 'id="trend"']
    at = [html.index(mark) for mark in order + ['id="targets"']]
    assert at == sorted(at)
    assert "Việc đến hạn tuần này" in html[at[0] : at[1]]
    assert "Báo cáo giải ngân vốn đầu tư công" in html[at[1] : at[2]]  # overdue since 27/02
    assert "Sở Tài chính" in html and ">TC<" not in html


def test_the_numbers_are_the_selectors_numbers(client, busy, people, assignment):
    head = people["head"]
    client.force_login(head)
    board = client.get(DASHBOARD).context["board"]
    # The assignment list's timeliness of the same work (what the lists show and filter by).
    listed = workflow_selectors.assignment_list(user=head).filter(agency=assignment.agency)
    assert board.counts == dict(Counter(a.timeliness for a in listed))
    week_end = local_date() + timedelta(days=6 - local_date().weekday())
    due = [
        a.pk
        for a in listed
        if a.timeliness == "on_time" and a.due_date and local_date() <= a.due_date <= week_end
    ]
    assert board.due_this_week_count == len(due) == 1
    assert [a.pk for a in board.due_this_week] == [busy["week"].pk]
    overdue = sorted((a for a in listed if a.timeliness == "overdue"), key=lambda a: a.due_date)
    assert [a.pk for a in board.overdue] == [a.pk for a in overdue] == [assignment.pk]
    assert board.overdue[0].days_overdue == (local_date() - assignment.due_date).days
    # The trend from the tally equals the trend counted from the rows the head sees.
    assert board.trend == on_time_trend(user=head)
    assert sum(m.on_time for m in board.trend) == 1


def test_only_the_agencys_escalations_heat_and_targets(busy, people, assignment, directive):
    board = agency_dashboard(user=people["head"])
    assert board.escalations and {e.assignment_id for e in board.escalations} == {assignment.pk}
    assert {e.level.kind for e in board.escalations} <= {LevelKind.OFFICE, LevelKind.LEADER}
    [heat] = board.heat
    [row] = heat.rows
    cells = {c.item_id: c.state for c in row.cells}
    # Each item's worst: item 1 open (one due this week, one done on time), item 2 overdue.
    one = directive.items.get(number="1")
    assert cells == {one.pk: "open", assignment.item_id: "overdue"}
    assert [i.number for i in heat.items] == ["1", "2"]
    assert [i.name for i in board.indicators] == ["Giải ngân vốn đầu tư công"]
    assert board.indicators[0].status == IndicatorStatus.AT_RISK
    other = agency_dashboard(user=people["other_head"])
    assert [i.name for i in other.indicators] == ["Chỉ tiêu của Sở Nội vụ"]
    assert not other.escalations and not other.overdue
    assert [a.title for a in other.due_this_week] == ["Việc của Sở Nội vụ"]


def test_each_chart_has_its_figures_as_a_table(client, busy, people):
    client.force_login(people["head"])
    html = client.get(DASHBOARD).content.decode()
    for section in ("heat", "trend", "targets"):
        part = html[html.index(f'id="{section}"') :]
        part = part[: part.index("</section>")]
        assert "<svg" in part and "<table" in part, section


def count(client, user) -> int:
    client.force_login(user)
    client.get(DASHBOARD)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


def test_more_rows_do_not_change_the_number_of_queries(
    client, busy, people, directive, small_tree, django_assert_num_queries
):
    small = count(client, people["head"])
    assert small <= 12
    today = local_date()
    for n in range(3, 7):
        item = item_add(actor=people["reviewer"], directive=directive, number=str(n), text="…")
        for k in range(4):
            give(people, item, small_tree["TC"], today + timedelta(days=k), f"Việc {n}.{k}")
            give(people, item, small_tree["TC"], date(2026, 3, 1 + k), f"Việc cũ {n}.{k}")
        indicator_create(
            actor=people["reviewer"],
            item=item,
            name=f"Chỉ tiêu {n}",
            target_min=Decimal(1),
            agency=small_tree["TC"],
        )
    sweep(now=vn(2026, 6, 1), send_mail=False)
    board = agency_dashboard(user=people["head"])
    assert len(board.overdue) > 1 and len(board.indicators) == 5
    client.force_login(people["head"])
    with django_assert_num_queries(small):
        client.get(DASHBOARD)
