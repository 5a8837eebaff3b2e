"""Landing pages: each person lands where their work is. Reads only."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from agencies.access import has_role
from agencies.choices import Role
from core.views import SignedInTemplateView
from workflow.choices import AssignmentState, Timeliness

from .selectors import province_overview

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
            return redirect("workflow:dashboard")
        return redirect("workflow:inbox")


def _assignments(base: str, **query) -> str:
    return base + "?" + urlencode(query)


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
        overview = province_overview(user=self.request.user)
        escalations = reverse("escalation:list") + "?open=true"
        base = reverse("workflow:assignments")  # once: the table links to it 300 times
        table = [
            (
                row,
                [
                    (row.counts.get(t, 0), _assignments(base, agency=row.agency.code, timeliness=t))
                    for t in self.columns
                ],
            )
            for row in overview.rows
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
            "most_overdue": [
                (r, _assignments(base, agency=r.agency.code, timeliness=Timeliness.OVERDUE))
                for r in overview.most_overdue
            ],
            "escalated": [
                (r, escalations + "&" + urlencode({"agency": r.agency.code}))
                for r in overview.escalated
            ],
            "escalations_link": escalations,
            "results_link": _assignments(base, state=AssignmentState.APPROVED),
        }
