"""The provincial dashboard's charts (issue 14): a heat map of a directive's items by agency,
the oldest overdue work, the escalations awaiting a decision, the trend of on-time completion
and the targets — each an inline SVG with its figures in a table, each number the selectors'
own, read in as many queries for a small province as for a larger one."""

import re
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.time import local_date
from dashboards import selectors
from dashboards.selectors import (
    directive_heat_map,
    oldest_overdue,
    on_time_trend,
    targets_summary,
)
from escalation.sweep import sweep
from tests.fixtures.workflow import vn
from workflow.choices import AssignmentState, DuePolicy, IndicatorStatus
from workflow.deadlines import DueRule
from workflow.models import Assignment
from workflow.services import Target, assignments_create, indicator_create, item_add

OVERVIEW = reverse("dashboards:overview")
HEAT = reverse("dashboards:heat_map")
AGENCIES = ("TC", "NV", "X9", "CA", "MTTQ")  # those of 2026 in the small province


def months_ago(today: date, n: int) -> date:
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 10)


def grow(small_tree, people, directive):
    """A larger province: three more items given to five agencies, some due long ago, some
    still ahead, some done on time or late over the last months; and four targets."""
    today = local_date()
    made = []
    for n in range(3, 6):
        item = item_add(actor=people["reviewer"], directive=directive, number=str(n), text="…")
        for i, code in enumerate(AGENCIES):
            due = date(2026, 1, 20) + timedelta(days=30 * ((n + i) % 14))
            made += assignments_create(
                actor=people["reviewer"],
                item=item,
                targets=[Target(agency=small_tree[code])],
                due_rule=DueRule(DuePolicy.FIXED, fixed_date=due),
                title=f"Nội dung {n}, {code}",
                assigned_on=date(2026, 1, 6),
                at=vn(2026, 1, 6),
            )
    for k, a in enumerate(made[::2]):
        # Done in one of the last months, on time (by the due date) or late (after it).
        completed = min(months_ago(today, k % 11), today)
        completed = max(completed, a.assigned_on)
        Assignment.objects.filter(pk=a.pk).update(
            state=AssignmentState.DONE, completed_on=completed
        )
    item = directive.items.get(number="3")
    for name, due in (
        ("Chỉ số PAR Index", today + timedelta(days=30)),  # at risk
        ("Chỉ số SIPAS", today + timedelta(days=400)),  # in progress
        ("Chỉ số PAPI", today + timedelta(days=60)),  # at risk
    ):
        indicator_create(actor=people["reviewer"], item=item, name=name, target_min=80, due_on=due)
    return made


def page(client, user, query="", url=OVERVIEW):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url + query)
    assert response.status_code == 200
    return response, len(queries)


def test_the_page_reads_as_many_queries_for_a_larger_province(
    client, assignment, directive, small_tree, people, django_assert_max_num_queries
):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    _small, small_count = page(client, people["leader"])
    small_heat, small_heat_count = page(client, people["leader"], url=HEAT)
    grow(small_tree, people, directive)
    _large, large_count = page(client, people["leader"])
    large_heat, large_heat_count = page(client, people["leader"], url=HEAT)
    assert (
        large_heat.context["heat"].agency_count
        == len(AGENCIES)
        > small_heat.context["heat"].agency_count
    )
    assert large_count == small_count <= 12  # the overview, with its charts
    assert large_heat_count == small_heat_count
    client.force_login(people["leader"])
    with django_assert_max_num_queries(small_count):
        client.get(OVERVIEW)


def test_the_dashboard_shows_the_selectors_numbers(
    client, assignment, directive, small_tree, people
):
    grow(small_tree, people, directive)
    leader = people["leader"]
    response, _n = page(client, leader)
    context = response.context
    heat = directive_heat_map(user=leader)
    heat_page, _n = page(client, leader, url=HEAT)
    assert [(r.name, [c.counts for c in r.cells]) for r in heat_page.context["heat"].rows] == [
        (r.name, [c.counts for c in r.cells]) for r in heat.rows
    ]
    assert [a.pk for a in context["oldest_overdue"]] == [a.pk for a in oldest_overdue(user=leader)]
    assert context["trend"] == on_time_trend(user=leader)
    assert context["targets"].counts == targets_summary(user=leader).counts
    # The figures themselves, counted from the rows: the trend (read from the tally for the
    # leader) is the done work of each month, on time or late.
    today = local_date()
    done = Assignment.objects.filter(state=AssignmentState.DONE)
    for share in context["trend"]:
        month = done.filter(
            completed_on__year=share.month.year, completed_on__month=share.month.month
        )
        on_time = [a for a in month if a.completed_on <= a.due_date]
        assert (share.on_time, share.done) == (len(on_time), month.count())
    assert sum(s.done for s in context["trend"]) > 0
    overdue = Assignment.objects.filter(
        state__in=["new", "in_progress"], due_date__lt=today
    ).order_by("due_date", "pk")
    assert [a.pk for a in context["oldest_overdue"]] == [a.pk for a in overdue[:10]]
    assert context["targets"].counts[IndicatorStatus.AT_RISK] == 2
    assert [i.name for i in context["targets"].at_risk] == ["Chỉ số PAR Index", "Chỉ số PAPI"]
    html = response.content.decode()
    assert "Chỉ số PAPI" in html
    # Every cell counted, in the table as in the map's titles; agencies by name, never code.
    cells = [c for r in heat.rows for c in r.cells if c.state]
    assert (
        sum(sum(c.counts.values()) for c in cells)
        == Assignment.objects.filter(item__directive=directive)
        .exclude(state__in=["cancelled", "transferred"])
        .count()
    )
    heat_html = heat_page.content.decode()
    assert ">CA<" not in heat_html and "Công an tỉnh Thử" in heat_html


def test_the_charts_are_svgs_with_a_title_and_a_table(
    client, assignment, directive, small_tree, people
):
    grow(small_tree, people, directive)
    response, _n = page(client, people["leader"])
    heat_page, _n = page(client, people["leader"], url=HEAT)
    heat, heat_html = heat_page.context["heat"], heat_page.content.decode()
    html = response.content.decode()
    assert re.findall(
        r'<svg class="chart[^"]*" role="img" aria-labelledby="([^"]+)"', heat_html
    ) == ["heat-svg-title"]
    assert '<title id="heat-svg-title">' in heat_html
    svgs = re.findall(r'<svg class="chart[^"]*" role="img" aria-labelledby="([^"]+)"', html)
    assert set(svgs) == {
        "overdue-svg-title",
        "trend-svg-title",
        "targets-svg-title",
    }
    for label in svgs:
        assert f'<title id="{label}">' in html
    # The heat map: a cell for each agency and item; the trend: a group per month, a bar
    # per month with completions; the targets: a bar per status.
    assert heat_html.count('class="cell c-') == len(heat.rows) * len(heat.items) == 5 * 5
    assert html.count('<g class="month">') == 12
    assert html.count('class="trend-bar fill-done_on_time"') == sum(
        1 for s in response.context["trend"] if s.done
    )
    assert re.search(r"<text[^>]*>\d\d/\d{4}</text>", html)
    targets_svg = html.split('id="targets"')[1]
    assert targets_svg.count('<g class="hbar-row">') == len(IndicatorStatus.values)
    assert html.count('<details class="figures">') == 3
    assert heat_html.count('<details class="figures">') == 1
    # Colour is never the only sign: each coloured cell carries its symbol.
    assert heat_html.count('class="sym"') == sum(1 for r in heat.rows for c in r.cells if c.state)


def test_the_heat_map_pages_its_agencies_and_says_how_many_more(
    client, assignment, directive, small_tree, people, monkeypatch
):
    grow(small_tree, people, directive)
    monkeypatch.setattr(selectors, "HEAT_AGENCIES_PER_PAGE", 2)
    response, _n = page(client, people["leader"], url=HEAT)
    heat = response.context["heat"]
    assert (len(heat.rows), heat.pages, heat.more) == (2, 3, 3)
    html = response.content.decode()
    assert f"directive={directive.pk}&amp;hpage=2#heat" in html
    second, _n = page(client, people["leader"], f"?directive={directive.pk}&hpage=2", url=HEAT)
    seen = {r.name for r in heat.rows}
    assert not seen & {r.name for r in second.context["heat"].rows}
    last, _n = page(client, people["leader"], f"?directive={directive.pk}&hpage=3", url=HEAT)
    assert len(last.context["heat"].rows) == 1 and last.context["heat"].more == 0


def test_a_bad_choice_of_directive_or_page_is_no_error(client, assignment, people):
    for query in ("?directive=abc&hpage=-1", "?directive=99999999&hpage=99999", "?hpage=1e9"):
        response, _n = page(client, people["leader"], query, url=HEAT)
        assert response.context["heat"].directive == assignment.item.directive


def test_a_head_sees_only_their_agency_and_lands_elsewhere(
    client, assignment, directive, small_tree, people
):
    grow(small_tree, people, directive)
    leader, _n = page(client, people["leader"])
    leader_heat, _n = page(client, people["leader"], url=HEAT)
    assert len(leader_heat.context["heat"].rows) == len(AGENCIES)
    # A head (or an officer) does not land on the province overview, and what it shows
    # them is their own agency's work only.
    client.force_login(people["head"])
    assert client.get(reverse("home")).url == reverse("dashboards:agency")
    head, _n = page(client, people["head"])
    head_heat, _n = page(client, people["head"], url=HEAT)
    assert [r.name for r in head_heat.context["heat"].rows] == ["Sở Tài chính"]
    assert {a.agency.code for a in head.context["oldest_overdue"]} <= {"TC"}
    assert (
        sum(s.done for s in head.context["trend"])
        == Assignment.objects.filter(agency__code="TC", state=AssignmentState.DONE).count()
        < sum(s.done for s in leader.context["trend"])
    )
    officer, _n = page(client, people["other_officer"])
    officer_heat, _n = page(client, people["other_officer"], url=HEAT)
    assert {r.name for r in officer_heat.context["heat"].rows} <= {"Sở Nội vụ"}
    assert "Sở Tài chính" not in officer.content.decode()
    assert "Sở Tài chính" not in officer_heat.content.decode()


def test_each_heat_map_cell_links_its_list_and_tells_its_figures(
    client, assignment, directive, small_tree, people
):
    grow(small_tree, people, directive)
    response, _n = page(client, people["leader"], url=HEAT)
    html = response.content.decode()
    svg = response.context["heat_svg"]
    cells = [(r, c) for r in svg["rows"] for c in r["cells"] if c.state]
    assert cells
    for r, c in cells:
        link = c.link.replace("&", "&amp;")
        assert f'<a href="{link}" aria-label="{r["row"].name}, nội dung {c.item_number}">' in html
        assert f"<title>{r['row'].name} — nội dung {c.item_number}: {c.summary}</title>" in html
    # The table of figures: a row per cell with work, its link and each state's count.
    assert html.count('<tr><td><a href="') == 0  # every row starts with the agency's name
    rows = re.findall(
        r"<tr><td>[^<]*</td><td><a href=\"[^\"]+\">[^<]+</a></td>(?:<td>\d+</td>){4}</tr>", html
    )
    assert len(rows) == len(cells)


def test_the_heat_map_escapes_what_it_writes():
    from dashboards.charts import heat_rows_markup

    class Row:
        name = '<script>alert("x")</script>'

    class Cell:
        state, link, item_number, summary = "overdue", "/a/?x=1&y=2", "1", "Quá hạn 1"
        x, symbol = 10, "!!"

    svg = {"label_x": 1, "rows": [{"row": Row, "y": 2, "text_y": 3, "cells": [Cell]}]}
    markup = heat_rows_markup(svg, "nội dung", "Chưa giao")
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert 'href="/a/?x=1&amp;y=2"' in markup
