"""Every read of inspection data, scoped by ``core.access`` (``objects.restrict``)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.selectors import agency_namer, name_latest
from core import access, inbox
from workflow.choices import OPEN_STATES
from workflow.models import Attachment

from .choices import (
    SIGNED_STATES,
    FindingResult,
    FindingSide,
    InspectionAction,
    InspectionStatus,
    RecommendationStatus,
)
from .models import (
    ChecklistTemplate,
    Criterion,
    Finding,
    FindingEvidence,
    Inspection,
    InspectionPlan,
    Recommendation,
    TeamMember,
    Verification,
)

INSPECTION_ACTIONS = (
    InspectionAction.MANAGE,
    InspectionAction.RECORD,
    InspectionAction.LEAD,
    InspectionAction.CONFIRM,
    InspectionAction.SELF_ASSESS,
    InspectionAction.CONCLUDE,
)


def _today() -> date:
    return timezone.localdate()


# --- templates ----------------------------------------------------------------------------------


def template_list(*, user) -> QuerySet[ChecklistTemplate]:
    """Every version of every checklist, the newest version of each first, with its size and
    whether an inspection used it (then editing it makes the next version)."""
    return (
        ChecklistTemplate.objects.restrict(user)
        .annotate(
            criteria_count=Count("criteria", distinct=True),
            used=Count("inspections", distinct=True),
            max_total=Sum("criteria__max_points"),
        )
        .order_by("family", "-version")
    )


def template_get(*, user, pk) -> ChecklistTemplate:
    return ChecklistTemplate.objects.restrict(user).get(pk=pk)


def template_criteria(*, template: ChecklistTemplate) -> list[Criterion]:
    """The criteria of a version in order, each with its field and the directive items it
    checks (three queries)."""
    return list(
        template.criteria.select_related("field").prefetch_related(
            Prefetch("items", queryset=_items())
        )
    )


def _items():
    from workflow.models import DirectiveItem

    return DirectiveItem.objects.select_related("directive").order_by("directive_id", "order", "pk")


def latest_templates(*, user) -> QuerySet[ChecklistTemplate]:
    """The last version of each checklist (what a new inspection uses)."""
    return (
        ChecklistTemplate.objects.restrict(user)
        .filter(next_version__isnull=True)
        .order_by("family")
    )


# --- plans --------------------------------------------------------------------------------------


def plan_list(*, user, year: int | None = None) -> QuerySet[InspectionPlan]:
    """The plans the user may see (of ``year``), each with its organiser's name and how many
    inspections it holds, how many are done (concluded or closed)."""
    plans = InspectionPlan.objects.restrict(user)
    if year is not None:
        plans = plans.filter(year=year)
    return plans.annotate(
        organiser_name=name_latest("organiser_id"),
        inspections_count=Count("inspections", distinct=True),
        concluded_count=Count(
            "inspections",
            filter=Q(inspections__status__in=[InspectionStatus.FOLLOW_UP, InspectionStatus.CLOSED]),
            distinct=True,
        ),
    ).order_by("-year", "organiser_id", "pk")


def plan_years(*, user) -> list[int]:
    years = set(InspectionPlan.objects.restrict(user).values_list("year", flat=True).distinct())
    years.add(_today().year)
    return sorted(years, reverse=True)


def plan_get(*, user, pk) -> InspectionPlan:
    return (
        InspectionPlan.objects.restrict(user)
        .select_related("item__directive")
        .annotate(organiser_name=name_latest("organiser_id"))
        .get(pk=pk)
    )


# --- inspections --------------------------------------------------------------------------------


def inspection_list(
    *, user, plan: InspectionPlan | None = None, agency=None, year: int | None = None
) -> QuerySet[Inspection]:
    """Inspections the user may see in schedule order, each with the agency's and organiser's
    names, its points and its recommendations still open (a constant number of queries)."""
    rows = Inspection.objects.restrict(user)
    if plan is not None:
        rows = rows.filter(plan=plan)
    if agency is not None:
        rows = rows.filter(agency=agency)
    if year is not None:
        rows = rows.filter(plan__year=year)
    return (
        rows.select_related("plan")
        .annotate(
            agency_name=name_latest("agency_id"),
            organiser_name=name_latest("plan__organiser_id"),
            findings_count=Count(
                "findings", filter=Q(findings__side=FindingSide.TEAM), distinct=True
            ),
            open_recommendations=Count(
                "recommendations",
                filter=Q(
                    recommendations__status__in=[
                        RecommendationStatus.ISSUED,
                        RecommendationStatus.TO_VERIFY,
                    ]
                ),
                distinct=True,
            ),
        )
        .order_by("scheduled_on", "pk")
    )


def inspection_get(*, user, pk, actions=INSPECTION_ACTIONS) -> Inspection:
    """One inspection as its page shows it: plan, checklist, team with names, and which of
    ``actions`` the user may take (read with the row; each costs a test in the query, so a page
    asks for those it offers)."""
    rows = access.with_allowed(Inspection.objects.restrict(user), user, actions)
    return (
        rows.select_related(
            "plan__item__directive",
            "template",
            "self_report",
            "minutes_signed_by_lead",
            "minutes_signed_by_head",
            "concluded_by",
        )
        .prefetch_related(
            Prefetch(
                "team",
                queryset=TeamMember.objects.select_related("user").annotate(
                    agency_name=name_latest("agency_id")
                ),
            )
        )
        .annotate(
            agency_name=name_latest("agency_id"),
            organiser_name=name_latest("plan__organiser_id"),
        )
        .get(pk=pk)
    )


def allowed_steps(*, user, inspection: Inspection) -> set[str]:
    return access.allowed(user, INSPECTION_ACTIONS, inspection)


@dataclass
class Points:
    """Points of one side over an inspection: the sum of the findings, out of the maximum of
    the criteria that apply (a criterion found not applicable counts in neither)."""

    scored: Decimal = Decimal(0)
    out_of: Decimal = Decimal(0)
    filled: int = 0
    criteria: int = 0

    @property
    def percent(self) -> Decimal | None:
        if not self.out_of:
            return None
        return (self.scored * 100 / self.out_of).quantize(Decimal("0.1"))


@dataclass
class CriterionRow:
    criterion: Criterion
    finding: Finding | None = None
    self_assessment: Finding | None = None
    evidence: list[FindingEvidence] = field(default_factory=list)
    filed: list[Attachment] = field(default_factory=list)  # what the agency filed for its items


@dataclass
class Checklist:
    """The checklist of one inspection, by field, with what each side recorded."""

    groups: list[tuple[object, list[CriterionRow]]]
    team: Points
    agency: Points
    shows_team: bool

    @property
    def rows(self) -> list[CriterionRow]:
        return [r for _f, rows in self.groups for r in rows]


FILED_PER_CRITERION = 5


def checklist(*, user, inspection: Inspection, with_filed: bool = False) -> Checklist:
    """The inspection's checklist with the findings the user may see, the team's photos and
    (``with_filed``, the conduct screen) the evidence the agency already filed for the items
    each criterion checks. Six queries whatever the number of criteria."""
    criteria = template_criteria(template=inspection.template)
    findings = Finding.objects.restrict(user).filter(inspection=inspection)
    by_key = {(f.criterion_id, f.side): f for f in findings}
    evidence = defaultdict(list)
    for row in FindingEvidence.objects.restrict(user).filter(finding__inspection=inspection):
        evidence[row.finding_id].append(row)
    filed = defaultdict(list)
    if with_filed:
        item_ids = {item.pk for c in criteria for item in c.items.all()}
        attachments = (
            Attachment.objects.filter(
                report__assignment__agency_id=inspection.agency_id,
                report__assignment__item_id__in=item_ids,
            )
            .annotate(
                item_id=F("report__assignment__item_id"),
                # The latest few of each item, however many another item has.
                rank=Window(
                    RowNumber(),
                    partition_by=F("report__assignment__item_id"),
                    order_by=[F("uploaded_at").desc(), F("pk").desc()],
                ),
            )
            .filter(rank__lte=FILED_PER_CRITERION)
            .order_by("-uploaded_at", "-pk")
        )
        by_item = defaultdict(list)
        for a in attachments:
            by_item[a.item_id].append(a)
        for c in criteria:
            seen = []
            for item in c.items.all():
                seen += by_item.get(item.pk, [])
            filed[c.pk] = seen[:FILED_PER_CRITERION]
    groups: dict[int, tuple[object, list[CriterionRow]]] = {}
    team, agency = Points(), Points()
    for c in criteria:
        row = CriterionRow(
            criterion=c,
            finding=by_key.get((c.pk, FindingSide.TEAM)),
            self_assessment=by_key.get((c.pk, FindingSide.AGENCY)),
            filed=filed.get(c.pk, []),
        )
        if row.finding is not None:
            row.evidence = evidence.get(row.finding.pk, [])
        for points, f in ((team, row.finding), (agency, row.self_assessment)):
            points.criteria += 1
            if f is None:
                continue
            points.filled += 1
            if f.result != FindingResult.NOT_APPLICABLE:
                points.scored += f.points or 0
                points.out_of += c.max_points
        groups.setdefault(c.field_id, (c.field, []))[1].append(row)
    shows_team = any(r.finding for _f, rows in groups.values() for r in rows) or (
        inspection.status in SIGNED_STATES
    )
    # The fields in their order (data: CriterionField.order), each criterion in the checklist's.
    ordered = sorted(groups.values(), key=lambda group: (group[0].order, group[0].code))
    return Checklist(groups=ordered, team=team, agency=agency, shows_team=shows_team)


def finding_get(*, user, pk) -> Finding:
    return Finding.objects.restrict(user).select_related("inspection", "criterion").get(pk=pk)


def evidence_get(*, user, pk) -> FindingEvidence:
    return FindingEvidence.objects.restrict(user).get(pk=pk)


# --- recommendations ----------------------------------------------------------------------------


def recommendation_list(*, user, inspection: Inspection) -> list[Recommendation]:
    rows = (
        Recommendation.objects.restrict(user)
        .filter(inspection=inspection)
        .select_related("assignment", "criterion", "item__directive")
        .prefetch_related(
            Prefetch("verifications", queryset=Verification.objects.select_related("verified_by"))
        )
        .annotate(agency_name=name_latest("agency_id"))
    )
    return list(rows)


def recommendation_get(*, user, pk) -> Recommendation:
    return (
        Recommendation.objects.restrict(user)
        .select_related("inspection__plan", "assignment", "criterion", "item__directive")
        .prefetch_related(
            Prefetch("verifications", queryset=Verification.objects.select_related("verified_by"))
        )
        .annotate(agency_name=name_latest("agency_id"))
        .get(pk=pk)
    )


def remediation_reports(*, recommendation: Recommendation):
    """The reports and evidence of every round of remediation of a recommendation, for the
    team verifying it (read under the recommendation's access: the team sees them even when
    the assignments are outside what they may see otherwise)."""
    from workflow.models import Assignment, ProgressReport

    rounds = [v.assignment_id for v in recommendation.verifications.all()]
    if recommendation.assignment_id:
        rounds.append(recommendation.assignment_id)
    return (
        ProgressReport.objects.filter(assignment_id__in=rounds)
        .select_related("author", "assignment")
        .prefetch_related("attachments")
        .order_by("-submitted_at", "-pk")
    ), Assignment.objects.filter(pk__in=rounds)


# --- the organiser's overview and an agency's history -----------------------------------------


@dataclass
class OverviewRow:
    organiser_id: int
    organiser_name: str
    planned: int = 0
    done: int = 0
    in_progress: int = 0
    recommendations: int = 0
    open_recommendations: int = 0
    overdue: int = 0
    reissued: int = 0


def organiser_overview(*, user, year: int, today: date | None = None) -> list[OverviewRow]:
    """Per organiser, for ``year``: inspections planned, done (concluded), under way;
    recommendations issued, still open, overdue (the remediation open past its due date) and
    re-issued. Two grouped queries, whatever the number of inspections."""
    today = today or _today()
    inspections = Inspection.objects.restrict(user).filter(plan__year=year)
    rows: dict[int, OverviewRow] = {}
    for r in (
        inspections.values("plan__organiser_id")
        .annotate(
            planned=Count("pk"),
            done=Count(
                "pk", filter=Q(status__in=[InspectionStatus.FOLLOW_UP, InspectionStatus.CLOSED])
            ),
            in_progress=Count(
                "pk",
                filter=Q(
                    status__in=[
                        InspectionStatus.MINUTES_DRAFTED,
                        InspectionStatus.MINUTES_SIGNED,
                    ]
                ),
            ),
        )
        .order_by()
    ):
        rows[r["plan__organiser_id"]] = OverviewRow(
            organiser_id=r["plan__organiser_id"],
            organiser_name="",
            planned=r["planned"],
            done=r["done"],
            in_progress=r["in_progress"],
        )
    recommendations = (
        Recommendation.objects.restrict(user)
        .filter(inspection__plan__year=year)
        .exclude(status=RecommendationStatus.DRAFT)
    )
    open_q = Q(status__in=[RecommendationStatus.ISSUED, RecommendationStatus.TO_VERIFY])
    for r in (
        recommendations.values("inspection__plan__organiser_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=open_q),
            overdue=Count(
                "pk",
                filter=Q(status=RecommendationStatus.ISSUED)
                & Q(assignment__due_date__lt=today)
                & Q(assignment__state__in=list(OPEN_STATES)),
            ),
            reissued=Sum("reissued"),
        )
        .order_by()
    ):
        row = rows.setdefault(
            r["inspection__plan__organiser_id"],
            OverviewRow(organiser_id=r["inspection__plan__organiser_id"], organiser_name=""),
        )
        row.recommendations = r["total"]
        row.open_recommendations = r["open"]
        row.overdue = r["overdue"]
        row.reissued = r["reissued"] or 0
    namer = agency_namer(rows)
    for row in rows.values():
        row.organiser_name = namer.name(row.organiser_id, today)
    return sorted(rows.values(), key=lambda r: r.organiser_name)


def overdue_recommendations(*, user, year: int, today: date | None = None):
    """The recommendations whose remediation is open past its due date, the oldest first."""
    today = today or _today()
    return (
        Recommendation.objects.restrict(user)
        .filter(
            inspection__plan__year=year,
            status=RecommendationStatus.ISSUED,
            assignment__due_date__lt=today,
            assignment__state__in=list(OPEN_STATES),
        )
        .select_related("assignment", "inspection")
        .annotate(agency_name=name_latest("agency_id"))
        .order_by("assignment__due_date", "pk")
    )


@dataclass
class HistoryCell:
    result: str
    result_label: str
    points: Decimal | None


@dataclass
class History:
    """An agency's inspections over the years, and the team's result per criterion (matched
    by code across the checklist's versions) in each."""

    inspections: list[Inspection]
    criteria: list[tuple[str, str]]  # (code, text as last written)
    cells: dict[tuple[str, int], HistoryCell]

    def table(self):
        return [
            (code, text, [self.cells.get((code, i.pk)) for i in self.inspections])
            for code, text in self.criteria
        ]


def agency_history(*, user, agency) -> History:
    """Every inspection of ``agency`` the user may see, oldest first, with the findings the
    user may see (the agency itself reads the team's once the minutes are signed)."""
    inspections = list(inspection_list(user=user, agency=agency).order_by("scheduled_on", "pk"))
    findings = (
        Finding.objects.restrict(user)
        .filter(inspection__in=[i.pk for i in inspections], side=FindingSide.TEAM)
        .select_related("criterion")
        .order_by("criterion__order", "criterion__code")
    )
    criteria: dict[str, str] = {}
    cells = {}
    for f in findings:
        criteria[f.criterion.code] = f.criterion.text
        cells[(f.criterion.code, f.inspection_id)] = HistoryCell(
            result=f.result, result_label=f.get_result_display(), points=f.points
        )
    return History(inspections=inspections, criteria=list(criteria.items()), cells=cells)


# --- the inbox ----------------------------------------------------------------------------------


def inbox_inspections(*, user, pks) -> dict[int, inbox.InboxSubject]:
    rows = (
        Inspection.objects.filter(pk__in=pks)
        .select_related("plan")
        .annotate(agency_name=name_latest("agency_id"))
    )
    return {
        i.pk: inbox.InboxSubject(
            title=_("Inspection of {agency}").format(agency=i.agency_name),
            caption=i.plan.title,
            agency_name=i.agency_name,
            due_date=i.scheduled_on,
        )
        for i in rows
    }


def inbox_recommendations(*, user, pks) -> dict[int, inbox.InboxSubject]:
    rows = (
        Recommendation.objects.filter(pk__in=pks)
        .select_related("inspection__plan")
        .annotate(agency_name=name_latest("agency_id"))
    )
    return {
        r.pk: inbox.InboxSubject(
            title=r.text,
            caption=_("Recommendation · {plan}").format(plan=r.inspection.plan.title),
            agency_name=r.agency_name,
            due_date=r.due_date,
        )
        for r in rows
    }
