"""Reads for the landing pages; every figure comes from the scoped selectors of the apps below,
so a dashboard never shows what its reader may not see."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count

from agencies.models import Agency
from agencies.selectors import name_latest, name_on
from core.time import local_date
from escalation.choices import LevelKind
from escalation.selectors import escalation_list
from workflow.choices import AssignmentState, Timeliness
from workflow.selectors import assignment_list


@dataclass
class AgencyRow:
    agency: Agency
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def overdue(self) -> int:
        return self.counts.get(Timeliness.OVERDUE, 0)


@dataclass
class Overview:
    rows: list[AgencyRow]
    totals: dict[str, int]
    escalations_open: int
    results_awaiting: int

    @property
    def most_overdue(self) -> list[AgencyRow]:
        """The ten agencies with the most overdue work (a ranking; every agency is in rows)."""
        late = [r for r in self.rows if r.overdue]
        return sorted(late, key=lambda r: (-r.overdue, r.name))[:10]


def province_overview(*, user, today: date | None = None) -> Overview:
    """Counts by timeliness per agency (by name), what waits for the office, in four queries."""
    today = today or local_date()
    visible = assignment_list(user=user, today=today)
    grouped = visible.order_by().values("agency_id", "timeliness").annotate(n=Count("pk"))
    per_agency: dict[int, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for row in grouped:
        per_agency.setdefault(row["agency_id"], {})[row["timeliness"]] = row["n"]
        totals[row["timeliness"]] = totals.get(row["timeliness"], 0) + row["n"]
    agencies = Agency.objects.filter(pk__in=per_agency).annotate(
        name_today=name_on("pk", today), name_last=name_latest("pk")
    )
    rows = [
        AgencyRow(agency=a, name=a.name_today or a.name_last, counts=per_agency[a.pk])
        for a in agencies
    ]
    rows.sort(key=lambda r: r.name)
    open_escalations = escalation_list(user=user).filter(
        resolved_at__isnull=True, level__kind__in=[LevelKind.OFFICE, LevelKind.LEADER]
    )
    return Overview(
        rows=rows,
        totals=totals,
        escalations_open=open_escalations.count(),
        results_awaiting=visible.filter(state=AssignmentState.APPROVED).count(),
    )
