"""The province overview shows the province's rank in each national index (PAR Index, SIPAS,
PAPI) year by year, out of the provinces ranked that year (63 up to 2024, 34 from 2025), against
the rank target — the indicator that records it when there is one, else the reference
directive's goal of top 20 by 2025, said so — as an SVG chart and as a table, without adding a
query to the page."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.charts import rank_geometry
from dashboards.selectors import index_ranks, rank_target
from workflow.choices import IndicatorDirection, NationalIndex
from workflow.indices import MERGER_YEAR
from workflow.services import index_result_save, indicator_create

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("dashboards:overview")
PAR, SIPAS, PAPI = NationalIndex.PAR_INDEX, NationalIndex.SIPAS, NationalIndex.PAPI


def result(people, index, year, rank):
    return index_result_save(
        actor=people["reviewer"],
        index=index,
        year=year,
        score=Decimal("70.25"),
        rank=rank,
        rank_of=63 if year < MERGER_YEAR else 34,
    )


def history(people):
    for year, rank in ((2021, 52), (2022, 44), (2023, 37), (2024, 29), (2025, 17)):
        result(people, PAR, year, rank)
    result(people, SIPAS, 2024, 31)
    result(people, SIPAS, 2025, 22)


def rank_indicator(people, directive, **kw):
    item = directive.items.get(number="1")
    return indicator_create(
        actor=people["reviewer"],
        item=item,
        name="Nhóm 15 tỉnh dẫn đầu",
        unit="hạng",
        target_max=Decimal(15),
        direction=IndicatorDirection.LOWER,
        target_year=2025,
        due_on=date(2025, 12, 31),
        **kw,
    )


def test_each_index_has_its_rank_per_year_out_of_that_years_provinces(people, directive):
    history(people)
    ranks = index_ranks(user=people["leader"])
    by_index = {s.index: [(p.year, p.rank, p.rank_of) for p in s.points] for s in ranks.series}
    assert by_index[PAR] == [
        (2021, 52, 63),
        (2022, 44, 63),
        (2023, 37, 63),
        (2024, 29, 63),
        (2025, 17, 34),
    ]
    assert by_index[SIPAS] == [(2024, 31, 63), (2025, 22, 34)]
    assert by_index[PAPI] == []
    assert ranks.years == [2021, 2022, 2023, 2024, 2025]
    # The table: a row per year, a cell per index (None: no result that year).
    year, cells = ranks.rows[0]
    assert year == 2021 and cells[1] is None and cells[0].rank == 52


def test_without_a_rank_indicator_the_target_is_the_directives_goal_of_top_20_by_2025(
    people, directive
):
    target = rank_target([])
    assert (target.rank, target.year, target.indicator) == (20, 2025, None)


def test_a_rank_indicator_sets_the_target(people, directive):
    made = rank_indicator(people, directive)
    ranks = index_ranks(user=people["leader"])
    assert ranks.target.indicator.pk == made.pk
    assert (ranks.target.rank, ranks.target.year) == (15, 2025)


def test_an_indicator_in_another_unit_is_not_a_rank_target(people, directive):
    indicator_create(
        actor=people["reviewer"],
        item=directive.items.get(number="1"),
        name="Giảm thời gian giải quyết",
        unit="%",
        target_max=Decimal(20),
        direction=IndicatorDirection.LOWER,
    )
    assert index_ranks(user=people["leader"]).target.indicator is None


def test_the_target_years_result_is_within_the_target_or_not(people, directive):
    history(people)
    ranks = index_ranks(user=people["leader"])
    assert ranks.target_met == [True, False, None]  # PAR 17 ≤ 20, SIPAS 22 > 20, no PAPI


def test_the_chart_puts_rank_1_at_the_top_and_draws_the_target_and_the_merger(people, directive):
    history(people)
    ranks = index_ranks(user=people["leader"])
    svg = rank_geometry(ranks, MERGER_YEAR)
    par = next(c for c in svg["charts"] if c["series"].index == PAR)
    ys = {q["point"].year: q["y"] for q in par["points"]}
    # A better (lower) rank is drawn higher up: 17 in 2025 above 52 in 2021.
    assert ys[2025] < ys[2024] < ys[2023] < ys[2022] < ys[2021]
    top = next(t["y"] for t in svg["ticks"] if t["rank"] == 1)
    bottom = next(t["y"] for t in svg["ticks"] if t["rank"] == 63)
    assert top < svg["target_y"] < bottom
    assert svg["merger"] is not None  # 2024 → 2025 is in the span
    assert [q["within"] for q in par["points"]] == [False, False, False, False, True]
    assert rank_geometry(index_ranks(user=people["leader"]), MERGER_YEAR)["charts"]


def test_no_result_no_chart(people, directive):
    assert rank_geometry(index_ranks(user=people["leader"]), MERGER_YEAR) == {"charts": []}


def test_the_overview_shows_the_ranks_as_svg_and_as_a_table(client, people, directive):
    history(people)
    client.force_login(people["leader"])
    html = client.get(OVERVIEW, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    section = html[html.index('id="indices"') :]
    section = section[: section.index("</section>")]
    assert section.count("<svg") == 3 and 'class="rank-target"' in section
    for shown in ("52/63", "29/63", "17/34", "22/34"):
        assert section.count(shown) >= 2  # drawn and in the table
    # No indicator records the target: the page says the line is the directive's goal.
    assert "20" in section and "mục tiêu" in section.lower()


def test_the_overview_names_the_indicator_it_reads_the_target_from(client, people, directive):
    history(people)
    rank_indicator(people, directive)
    client.force_login(people["leader"])
    html = client.get(OVERVIEW).content.decode()
    assert "Nhóm 15 tỉnh dẫn đầu" in html[html.index('id="indices"') :]


def count(client, user) -> int:
    client.force_login(user)
    client.get(OVERVIEW)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(OVERVIEW).status_code == 200
    return len(queries)


def test_the_ranks_add_no_query_to_the_overview(client, people, directive):
    none = count(client, people["leader"])
    history(people)
    rank_indicator(people, directive)
    assert count(client, people["leader"]) == none <= 12
