"""Reads of the items' targets and the values reported, scoped to what the user may see; each
indicator comes with its latest confirmed value and its status (``workflow.targets``)."""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from agencies.selectors import name_latest, name_on
from core import access
from core.time import local_date

from ..choices import IndexResultAction, IndicatorAction, MeasurementAction
from ..models import IndexComponent, IndexResult, Indicator, Measurement, MeasurementEvidence
from ..targets import indicator_status


def latest_confirmed(column: str) -> Subquery:
    """``column`` of the indicator's latest confirmed measurement (the latest period; of two
    of a period, the later confirmed): one indexed lookup per row."""
    rows = Measurement.objects.filter(
        indicator_id=OuterRef("pk"), confirmed_at__isnull=False
    ).order_by("-period_end", "-confirmed_at", "-pk")
    return Subquery(rows.values(column)[:1])


def _measurements(user, actions=(), with_evidence: bool = False) -> QuerySet[Measurement]:
    rows = (
        Measurement.objects.restrict(user, MeasurementAction.VIEW)
        .select_related("reported_by", "confirmed_by", "corrected_by")
        .annotate(agency_name=name_on("agency_id", local_date()))
        .order_by("-period_end", "-pk")
    )
    if with_evidence:
        rows = rows.prefetch_related(
            Prefetch("evidence_files", queryset=measurement_evidence_list(user=user))
        )
    return access.with_allowed(rows, user, actions) if actions else rows


def measurement_evidence_list(*, user) -> QuerySet[MeasurementEvidence]:
    """The evidence files of the values the user may see, in the order they came."""
    return MeasurementEvidence.objects.restrict(user, access.VIEW).order_by("pk")


def measurement_evidence_get(*, user, pk: int) -> MeasurementEvidence:
    """One evidence file, if the user may see its measurement (else DoesNotExist)."""
    return measurement_evidence_list(user=user).get(pk=pk)


def indicators_with_status(rows):
    """Give each indicator read by ``indicator_list`` its status (``workflow.targets``)."""
    today = local_date()
    for indicator in rows:
        indicator.status = indicator_status(
            value=indicator.latest_value,
            target_min=indicator.target_min,
            target_max=indicator.target_max,
            direction=indicator.direction,
            due_on=indicator.due_on,
            today=today,
        )
    return rows


def indicator_list(
    *, user, item=None, with_measurements: bool = False, actions=(), measurement_actions=()
) -> QuerySet[Indicator]:
    """Visible indicators (of ``item`` when given), each with its latest confirmed value and
    period (``latest_value``, ``latest_end``), its reporting agency's name today and, when
    asked, the measurements the user may see (``visible_measurements``, latest first, each
    with its ``evidence_files``); rows
    read with what of ``actions`` (``measurement_actions``) the user may do on each
    (``core.access.allowed``), in the same queries."""
    rows = (
        Indicator.objects.restrict(user, IndicatorAction.VIEW)
        .select_related("item__directive")
        .annotate(
            latest_value=latest_confirmed("value"),
            latest_end=latest_confirmed("period_end"),
            agency_name=name_on("agency_id", local_date()),
        )
        .order_by("item__directive", "item__order", "pk")
    )
    if item is not None:
        rows = rows.filter(item=item)
    if with_measurements:
        measurements = _measurements(user, measurement_actions, with_evidence=True)
        rows = rows.prefetch_related(
            Prefetch("measurements", queryset=measurements, to_attr="visible_measurements")
        )
    return access.with_allowed(rows, user, actions) if actions else rows


def indicator_get(*, user, pk: int) -> Indicator:
    """One visible indicator, read as ``indicator_list`` reads them, with its status."""
    indicator = indicator_list(user=user, with_measurements=True).get(pk=pk)
    return indicators_with_status([indicator])[0]


def measurement_list(*, user, indicator=None, with_evidence: bool = False) -> QuerySet[Measurement]:
    """The values the user may see (of ``indicator`` when given), latest period first; with
    their evidence files (``evidence_files``) when asked."""
    rows = _measurements(user, with_evidence=with_evidence).select_related("indicator")
    if indicator is not None:
        rows = rows.filter(indicator=indicator)
    return rows


def measurement_get(*, user, pk: int) -> Measurement:
    return measurement_list(user=user, with_evidence=True).get(pk=pk)


def _components():
    return IndexComponent.objects.annotate(agency_name=name_latest("agency_id")).order_by("code")


def index_result_list(*, user, index: str | None = None) -> QuerySet[IndexResult]:
    """The province's index results over the years (newest first, by index), each with its
    province's name, who entered it and its components with their advisory agency's name
    (``agency_name``): two queries whatever the number of results."""
    rows = (
        IndexResult.objects.restrict(user, IndexResultAction.VIEW)
        .select_related("entered_by")
        .annotate(province_name=name_latest("province_id"))
        .prefetch_related(Prefetch("components", queryset=_components()))
        .order_by("-year", "index")
    )
    return rows.filter(index=index) if index else rows


def index_result_get(*, user, pk: int) -> IndexResult:
    return index_result_list(user=user).get(pk=pk)
