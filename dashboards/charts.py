"""The geometry of the province overview's inline SVG charts (no script, no library): plain
numbers the template draws. Every chart's figures are also in a table beside it."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from .selectors import CELL_STATES, HeatMap, IndexRanks, MonthShare

# The heat map: a label column for the agencies' names, then a square per item.
HEAT_LABEL = 230
HEAT_CELL = 34
HEAT_HEAD = 30
# The symbol drawn in each cell state, so that colour is never the only sign.
CELL_SYMBOL = {"overdue": "!!", "late": "!", "open": "…", "on_time": "✓"}


@dataclass
class HeatSvgCell:
    x: int
    y: int
    state: str
    symbol: str
    counts: dict
    link: str
    item_number: str
    summary: str  # each state's label and count, for the cell's tooltip


def heat_geometry(heat: HeatMap, link, labels: dict, label_width: int = HEAT_LABEL) -> dict:
    """Where each row, column and cell of ``heat`` goes; ``link(row, cell)`` is a cell's list;
    ``labels``: each cell state's label (the legend's); ``label_width``: the width of the
    rows' labels (a few pixels when they are elsewhere)."""
    width = label_width + HEAT_CELL * max(1, len(heat.items)) + 4
    height = HEAT_HEAD + HEAT_CELL * len(heat.rows) + 4
    columns = [
        {"x": label_width + i * HEAT_CELL + HEAT_CELL // 2, "label": item.number or str(i + 1)}
        for i, item in enumerate(heat.items)
    ]
    numbers = {item.pk: item.number or str(i + 1) for i, item in enumerate(heat.items)}
    rows = []
    for r, row in enumerate(heat.rows):
        y = HEAT_HEAD + r * HEAT_CELL
        cells = [
            HeatSvgCell(
                x=label_width + c * HEAT_CELL,
                y=y,
                state=cell.state,
                symbol=CELL_SYMBOL.get(cell.state, ""),
                counts={s: cell.counts.get(s, 0) for s in CELL_STATES},
                link=link(row, cell),
                item_number=numbers[cell.item_id],
                summary=", ".join(f"{labels[s]} {cell.counts.get(s, 0)}" for s in CELL_STATES),
            )
            for c, cell in enumerate(row.cells)
        ]
        rows.append({"row": row, "y": y, "text_y": y + HEAT_CELL // 2 + 5, "cells": cells})
    return {
        "width": width,
        "height": height,
        "label_x": label_width - 8,
        "columns": columns,
        "rows": rows,
    }


def heat_rows_markup(svg: dict, item: str, none: str) -> SafeString:
    """The heat map's rows as SVG — each agency's label, then a cell per item, linked to its
    list, with its figures as a tooltip (``item``, ``none``: the words "item" and "no
    assignment" in the reader's language) — written here at once: a page of 30 agencies by
    20 items is 600 cells, which through the template language cost more than the rest of
    the page. Every text is escaped (``format_html``)."""

    def cells(r: dict) -> SafeString:
        return format_html_join("", "{}", ((_heat_cell(r, c, item, none),) for c in r["cells"]))

    return format_html_join(
        "\n",
        '<g class="heat-row">\n    <text x="{}" y="{}" text-anchor="end">{}<title>{}</title>'
        "</text>\n    {}\n  </g>",
        (
            (
                svg["label_x"],
                r["text_y"],
                Truncator(r["row"].name).chars(30),
                r["row"].name,
                cells(r),
            )
            for r in svg["rows"]
        ),
    )


def _heat_cell(r: dict, c: HeatSvgCell, item: str, none: str) -> SafeString:
    """One cell of a heat map's row ``r``: linked to its list with its figures as a tooltip,
    or an empty square when the agency has no work for the item."""
    name = r["row"].name
    if not c.state:
        return format_html(
            '<rect class="cell c-none" x="{}" y="{}" width="32" height="32" rx="3">'
            "<title>{} — {} {}: {}</title></rect>",
            c.x,
            r["y"],
            name,
            item,
            c.item_number,
            none,
        )
    return format_html(
        '<a href="{}" aria-label="{}, {} {}"><title>{} — {} {}: {}</title>'
        '<rect class="cell c-{}" x="{}" y="{}" width="32" height="32" rx="3"/>'
        '<text class="sym" x="{}" y="{}" text-anchor="middle">{}</text></a>',
        c.link,
        name,
        item,
        c.item_number,
        name,
        item,
        c.item_number,
        c.summary,
        c.state,
        c.x,
        r["y"],
        c.x + 16,
        r["text_y"],
        c.symbol,
    )


def heat_figures_markup(svg: dict) -> SafeString:
    """The rows of the heat map's table of figures (an agency, an item and each state's
    count, for each cell with work), written at once like ``heat_rows_markup``."""
    return format_html_join(
        "",
        '<tr><td>{}</td><td><a href="{}">{}</a></td>{}</tr>',
        (
            (
                r["row"].name,
                c.link,
                c.item_number,
                format_html_join("", "<td>{}</td>", ((n,) for n in c.counts.values())),
            )
            for r in svg["rows"]
            for c in r["cells"]
            if c.state
        ),
    )


# The trend: a bar per month, the share done on time on a 0–100 axis.
TREND_LEFT, TREND_TOP, TREND_BAR, TREND_GAP, TREND_HEIGHT = 76, 16, 40, 16, 180


def trend_geometry(months: list[MonthShare]) -> dict:
    bars = []
    for i, month in enumerate(months):
        x = TREND_LEFT + TREND_GAP // 2 + i * (TREND_BAR + TREND_GAP)
        percent = month.percent
        h = round(TREND_HEIGHT * (percent or 0) / 100)
        bars.append(
            {
                "month": month,
                "label": month.month.strftime("%m/%Y"),
                "x": x,
                "mid": x + TREND_BAR // 2,
                "y": TREND_TOP + TREND_HEIGHT - h,
                "h": h,
                "value_y": TREND_TOP + TREND_HEIGHT - h - 4,
            }
        )
    bottom = TREND_TOP + TREND_HEIGHT
    return {
        "bars": bars,
        "bar": TREND_BAR,
        "left": TREND_LEFT,
        "right": TREND_LEFT + len(months) * (TREND_BAR + TREND_GAP),
        "bottom": bottom,
        "ticks": [
            {"y": TREND_TOP + TREND_HEIGHT - TREND_HEIGHT * p // 100, "label": p}
            for p in (0, 25, 50, 75, 100)
        ],
        "width": TREND_LEFT + len(months) * (TREND_BAR + TREND_GAP) + 8,
        "height": bottom + 56,
        "month_label_y": bottom + 18,
        "axis_label_y": bottom + 46,
        "axis_mid": (TREND_LEFT + TREND_LEFT + len(months) * (TREND_BAR + TREND_GAP)) // 2,
        "y_label_y": TREND_TOP + TREND_HEIGHT // 2,
    }


# Horizontal bars (the agencies with the most overdue work, the targets by status): a label
# column, then a bar as long as its value against the largest.
HBAR_LABEL, HBAR_LENGTH, HBAR_ROW, HBAR_THICK = 260, 200, 28, 18


def hbar_geometry(values: list[tuple[str, str, int]], label_width: int = HBAR_LABEL) -> dict:
    """``values``: (a key for the bar's class, its label, its value) each; ``label_width``:
    the width of the labels' column."""
    largest = max((v for _key, _label, v in values), default=0) or 1
    bars = [
        {
            "key": key,
            "label": label,
            "value": value,
            "y": 6 + i * HBAR_ROW,
            "text_y": 6 + i * HBAR_ROW + HBAR_THICK // 2 + 5,
            "w": max(1, round(HBAR_LENGTH * value / largest)) if value else 0,
            "value_x": label_width + (round(HBAR_LENGTH * value / largest) if value else 0) + 6,
        }
        for i, (key, label, value) in enumerate(values)
    ]
    return {
        "bars": bars,
        "left": label_width,
        "thick": HBAR_THICK,
        "width": label_width + HBAR_LENGTH + 60,
        "height": 12 + len(values) * HBAR_ROW,
    }


# The index ranks: a small chart per index, a point per year, rank 1 at the top (lower is
# better), the rank target drawn across and the 2025 merger (63 → 34 provinces) marked.
RANK_LEFT, RANK_TOP, RANK_HEIGHT, RANK_STEP, RANK_RIGHT = 46, 22, 170, 54, 70
RANK_TICKS = (1, 10, 20, 30, 40, 50, 63)


def rank_geometry(ranks: IndexRanks, merger_year: int) -> dict:
    """Where each index's points, the target's line and the merger's mark go; the years run
    from the first result to the last (or to the target's year, when later)."""
    if not ranks.years:
        return {"charts": []}
    first = ranks.years[0]
    last = max(ranks.years[-1], ranks.target.year or 0)
    years = list(range(first, last + 1))
    deepest = max(
        [p.rank_of for s in ranks.series for p in s.points] + [ranks.target.rank], default=63
    )

    def x(year: int) -> int:
        return RANK_LEFT + RANK_STEP // 2 + (year - first) * RANK_STEP

    def y(rank: int) -> int:
        return RANK_TOP + round(RANK_HEIGHT * (rank - 1) / max(1, deepest - 1))

    right = RANK_LEFT + len(years) * RANK_STEP
    bottom = RANK_TOP + RANK_HEIGHT
    ticks = sorted({t for t in RANK_TICKS if t <= deepest} | {deepest})
    merger = None
    if first < merger_year <= last:
        merger = {
            "x": x(merger_year) - RANK_STEP // 2,
            "label_x": x(merger_year) - RANK_STEP // 2 + 4,
        }
    charts = []
    for series in ranks.series:
        points = [
            {
                "point": p,
                "x": x(p.year),
                "y": y(p.rank),
                "label_y": y(p.rank) - 8 if p.rank > 3 else y(p.rank) + 18,
                "within": p.rank <= ranks.target.rank,
            }
            for p in series.points
        ]
        charts.append(
            {
                "series": series,
                "points": points,
                "line": " ".join(f"{q['x']},{q['y']}" for q in points),
            }
        )
    return {
        "charts": charts,
        "years": [{"year": year, "x": x(year)} for year in years],
        "ticks": [{"rank": t, "y": y(t)} for t in ticks],
        "target_y": y(ranks.target.rank),
        "target_label_y": y(ranks.target.rank) - 5,
        "merger": merger,
        "left": RANK_LEFT,
        "right": right,
        "top": RANK_TOP,
        "bottom": bottom,
        "year_label_y": bottom + 18,
        "width": right + RANK_RIGHT,
        "height": bottom + 30,
    }
