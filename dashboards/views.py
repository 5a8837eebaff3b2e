"""Landing pages: each person lands where their work is; the public page, for everyone.
Reads only."""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView, View

from agencies.access import has_role
from agencies.choices import Role
from core.text import decimal_text
from core.views import SignedInTemplateView
from workflow.choices import AssignmentState, IndicatorStatus, Timeliness
from workflow.indices import MERGER_YEAR

from .charts import (
    CELL_SYMBOL,
    hbar_geometry,
    heat_figures_markup,
    heat_geometry,
    heat_rows_markup,
    rank_geometry,
    trend_geometry,
)
from .public import (
    CACHE_SECONDS,
    COLUMN_LABELS,
    PublicReport,
    public_agencies_page,
    public_download,
    public_report,
)
from .selectors import (
    CELL_STATES,
    DIRECTIVES_OFFERED,
    agency_dashboard,
    directive_heat_map,
    index_ranks,
    oldest_overdue,
    on_time_trend,
    province_overview,
    targets_summary,
)

OVERVIEW_ROLES = (Role.LEADER, Role.REVIEWER, Role.INSPECTOR, Role.EMULATION_OFFICER)


class HomeView(SignedInTemplateView):
    """Leaders and the office land on the province overview, inspectors on their plans and
    inspection tasks, heads on their agency's work, everyone else on their own tasks."""

    def get(self, request, *args, **kwargs):
        user = request.user
        if has_role(user, [Role.INSPECTOR]) and not has_role(user, [Role.LEADER, Role.REVIEWER]):
            # An inspector lands on the inspection plans and their own inspection tasks.
            return redirect("inspection:home")
        if has_role(user, OVERVIEW_ROLES):
            return redirect("dashboards:overview")
        if has_role(user, [Role.HEAD, Role.DEPUTY, Role.CLERK]):
            return redirect("dashboards:agency")
        return redirect("workflow:inbox")


def _assignments(base: str, **query) -> str:
    return base + "?" + urlencode(query)


# Rows of a table by agency on one page of the overview.
AGENCY_ROWS = 50


def _without(query, key: str) -> str:
    """The query string without ``key`` (a table's page), for that table's page links."""
    rest = query.copy()
    rest.pop(key, None)
    return rest.urlencode()


def _number(value: str | None) -> int | None:
    """A positive whole number from the query string, or None (never a 500)."""
    return int(value) if value and value.isdigit() and len(value) < 10 else None


CELL_LABELS = {
    "overdue": _lazy("Overdue"),
    "late": _lazy("Done late"),
    "open": _lazy("In progress"),
    "on_time": _lazy("Done on time"),
}


class OverviewView(SignedInTemplateView):
    template_name = "dashboards/overview.html"
    columns = (
        Timeliness.OVERDUE,
        Timeliness.ON_TIME,
        Timeliness.EXTENSION_REQUESTED,
        Timeliness.DONE_LATE,
        Timeliness.DONE_ON_TIME,
        Timeliness.CONTINUOUS,
    )

    def get_context_data(self, **kwargs):
        # Both tables by agency come a page at a time (a country has 12,000 agencies): each
        # with its total and its own page in the query string.
        query = self.request.GET
        overview = province_overview(
            user=self.request.user,
            agencies_page=query.get("agencies_page"),
            escalated_page=query.get("escalated_page"),
            per_page=AGENCY_ROWS,
        )
        escalations = reverse("escalation:list") + "?open=true"
        base = reverse("workflow:assignments")  # once: the table links to it 300 times
        table = [
            (
                row,
                [
                    (row.counts.get(t, 0), _assignments(base, agency=row.code, timeliness=t))
                    for t in self.columns
                ],
            )
            for row in overview.agencies.object_list
        ]
        return {
            **super().get_context_data(**kwargs),
            "overview": overview,
            "columns": [
                (
                    t,
                    Timeliness(t).label,
                    overview.totals.get(t, 0),
                    _assignments(base, timeliness=t),
                )
                for t in self.columns
            ],
            "table": table,
            "agencies_page": overview.agencies,
            "escalated_page": overview.escalated,
            "agencies_query": _without(query, "agencies_page"),
            "escalated_query": _without(query, "escalated_page"),
            "most_overdue": [
                (r, _assignments(base, agency=r.code, timeliness=Timeliness.OVERDUE))
                for r in overview.most_overdue
            ],
            "escalated": [
                (r, escalations + "&" + urlencode({"agency": r.code}))
                for r in overview.escalated.object_list
            ],
            "escalations_link": escalations,
            "results_link": _assignments(base, state=AssignmentState.APPROVED),
            "overdue_svg": hbar_geometry(
                [("overdue", r.name, r.overdue) for r in overview.most_overdue]
            ),
            **self.charts(base),
        }

    def charts(self, base: str) -> dict:
        """The dashboard's charts (issue 14): the oldest overdue work, the trend of on-time
        completion, the targets, the index ranks over the years against the rank target (the
        heat map of a directive has its page: ``HeatMapView``)."""
        user = self.request.user
        trend = on_time_trend(user=user)
        targets = targets_summary(user=user)
        ranks = index_ranks(user=user, indicators=targets.indicators)
        return {
            "oldest_overdue": oldest_overdue(user=user),
            "overdue_link": _assignments(base, timeliness=Timeliness.OVERDUE),
            "trend": trend,
            "trend_svg": trend_geometry(trend),
            "targets": targets,
            "target_lists": [
                (IndicatorStatus.AT_RISK.label, targets.at_risk),
                (IndicatorStatus.MISSED.label, targets.missed),
            ],
            "targets_svg": hbar_geometry(
                [(s, str(IndicatorStatus(s).label), n) for s, n in targets.counts.items()],
                label_width=170,
            ),
            "ranks": ranks,
            "ranks_svg": rank_geometry(ranks, MERGER_YEAR),
            "merger_year": MERGER_YEAR,
        }


class AgencyDashboardView(SignedInTemplateView):
    """A head's (deputy's, clerk's) landing: the overview for their own agencies, what is due
    this week first, then the overdue work by age, their escalations awaiting a decision, a
    heat row per directive, the on-time trend and the targets they report — each chart with
    its figures as a table. The lists show their first rows, their total and a link."""

    template_name = "dashboards/agency.html"

    def get_context_data(self, **kwargs):
        board = agency_dashboard(user=self.request.user)
        base = reverse("workflow:assignments")
        first, last = board.week
        week = {"due_after": f"{first:%d/%m/%Y}", "due_before": f"{last:%d/%m/%Y}"}

        def cell_link(row, cell):
            return _assignments(base, item=cell.item_id)

        statuses = IndicatorStatus
        return {
            **super().get_context_data(**kwargs),
            "board": board,
            "due_this_week_link": _assignments(base, **week),
            "overdue_link": _assignments(base, timeliness=Timeliness.OVERDUE),
            "escalations_link": reverse("escalation:list") + "?open=true",
            "heat": [
                (h, heat_geometry(h, cell_link, CELL_LABELS, label_width=6)) for h in board.heat
            ],
            "heat_legend": [(s, CELL_LABELS[s], CELL_SYMBOL[s]) for s in CELL_STATES],
            "trend": board.trend,
            "trend_svg": trend_geometry(board.trend),
            "indicators_svg": hbar_geometry(
                [(s, str(statuses(s).label), n) for s, n in board.indicator_counts.items()],
                label_width=170,
            ),
            "columns": [
                (t, Timeliness(t).label, board.counts.get(t, 0), _assignments(base, timeliness=t))
                for t in OverviewView.columns
            ],
        }


class HeatMapView(SignedInTemplateView):
    """A directive's items by agency, each cell coloured by the state of the agency's work on
    the item (what the user may see of it), agencies by page; linked from the overview, whose
    queries it would otherwise add to."""

    template_name = "dashboards/heat_map.html"

    def get_context_data(self, **kwargs):
        user, query = self.request.user, self.request.GET
        base = reverse("workflow:assignments")
        heat = directive_heat_map(
            user=user,
            directive_id=_number(query.get("directive")),
            page=_number(query.get("hpage")) or 1,
        )

        def cell_link(row, cell):
            return _assignments(base, item=cell.item_id, agency=row.code)

        svg = heat_geometry(heat, cell_link, CELL_LABELS)
        page_link = None
        if heat.directive is not None:
            page_link = (
                reverse("dashboards:heat_map") + "?" + urlencode({"directive": heat.directive.pk})
            )
        return {
            **super().get_context_data(**kwargs),
            "heat": heat,
            "heat_svg": svg,
            "heat_rows": heat_rows_markup(svg, _("item"), _("No assignment")),
            "heat_figures": heat_figures_markup(svg),
            "heat_legend": [(s, CELL_LABELS[s], CELL_SYMBOL[s]) for s in CELL_STATES],
            "heat_page_link": page_link,
            "heat_directive_link": (
                _assignments(base, directive=heat.directive.pk) if heat.directive else None
            ),
            "directives_link": reverse("workflow:directives"),
            "directives_offered": DIRECTIVES_OFFERED,
        }


class PublicMixin:
    """The public pages: no sign-in, reads only (GET and HEAD), nothing but ``public``'s
    figures."""

    http_method_names = ["get", "head"]


def column_labels() -> list[str]:
    return [str(label) for label in COLUMN_LABELS]


class PublicView(PublicMixin, TemplateView):
    """What citizens see of the directives the provincial office made public."""

    template_name = "dashboards/public.html"

    def get_context_data(self, **kwargs):
        report = public_report()
        return {
            **super().get_context_data(**kwargs),
            "report": report,
            "columns": column_labels(),
            "cache_minutes": CACHE_SECONDS // 60,
        }


class PublicAgenciesView(PublicMixin, TemplateView):
    """A public directive's figures agency by agency, a page at a time, by name."""

    template_name = "dashboards/public_agencies.html"

    def get_context_data(self, **kwargs):
        read = public_agencies_page(self.kwargs["pk"], self.request.GET.get("page"))
        if read is None:
            raise Http404(_("No such public directive."))
        return {
            **super().get_context_data(**kwargs),
            "read": read,
            "directive": read.directive,
            "page_obj": read.page,
            "is_paginated": read.page.has_other_pages(),
            "columns": column_labels(),
            "cache_minutes": CACHE_SECONDS // 60,
        }


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (a title typed as "=…")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_body(rows) -> bytes:
    """``rows`` as a spreadsheet's UTF-8 text, with a byte-order mark (which spreadsheets
    read as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def _download(body: bytes, content_type: str, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class PublicCsvView(PublicMixin, View):
    """The public figures per directive and agency, as a spreadsheet (open data). Its columns
    stay as they are: the public items' targets are a spreadsheet of their own
    (``PublicIndicatorsCsvView``), a row per indicator."""

    def get(self, request, *args, **kwargs):
        body = public_download(f"csv:{get_language()}", self.build)
        return _download(body, "text/csv; charset=utf-8", "cong-khai.csv")

    @staticmethod
    def build(report: PublicReport, agencies: dict) -> bytes:
        header = [
            _("Directive"),
            _("Title"),
            _("Agency code"),
            _("Agency"),
            *column_labels(),
            _("Figures updated at"),
        ]
        read_at = _local(report.read_at)
        return _csv_body(
            [
                header,
                *(
                    [
                        _cell(directive.number or directive.kind_label),
                        _cell(directive.title),
                        _cell(agency.code),
                        _cell(agency.name),
                        *agency.counts.as_list(),
                        read_at,
                    ]
                    for directive in report.directives
                    for agency in agencies.get(directive.id, [])
                ),
            ]
        )


class PublicIndicatorsCsvView(PublicMixin, View):
    """The targets of the public items (open data), a row per indicator: its directive and
    item, name, unit, baseline, target (from, up to: equal for a single value), which way is
    better (``higher`` / ``lower``), target year, due date, the latest value the office
    confirmed and its period, and its status in the reader's language (the JSON download has
    the codes: met, at_risk, missed, in_progress). Numbers with a decimal point, dates
    dd/mm/yyyy."""

    def get(self, request, *args, **kwargs):
        report: PublicReport = public_report()
        rows = [
            [
                _("Directive"),
                _("Item"),
                _("Indicator"),
                _("Unit"),
                _("Baseline"),
                _("Target (from)"),
                _("Target (up to)"),
                _("Direction"),
                _("Target year"),
                _("Due date"),
                _("Latest confirmed value"),
                _("Period"),
                _("Status"),
                _("Figures updated at"),
            ]
        ]
        read_at = _local(report.read_at)
        for directive in report.directives:
            for item in directive.items:
                for i in item.indicators:
                    rows.append(
                        [
                            _cell(directive.number or directive.kind_label),
                            _cell(item.number),
                            _cell(i.name),
                            _cell(i.unit),
                            decimal_text(i.baseline),
                            decimal_text(i.target_min),
                            decimal_text(i.target_max),
                            i.direction,
                            i.target_year or "",
                            i.due_on.strftime("%d/%m/%Y") if i.due_on else "",
                            decimal_text(i.latest_value),
                            _cell(i.latest_period),
                            i.status_label,
                            read_at,
                        ]
                    )
        return _download(_csv_body(rows), "text/csv; charset=utf-8", "chi-tieu.csv")


class PublicJsonView(PublicMixin, View):
    """The public figures, directive by directive, item by item (with each item's targets:
    ``indicators``) and agency by agency."""

    def get(self, request, *args, **kwargs):
        body = public_download("json", self.build)
        return _download(body, "application/json")

    @staticmethod
    def build(report: PublicReport, agencies: dict) -> bytes:
        return json.dumps(
            report.as_json(agencies), cls=DjangoJSONEncoder, ensure_ascii=False
        ).encode()
