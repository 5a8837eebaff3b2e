"""Recommendations: drafted by the team, issued with the conclusion as remediation
assignments (through workflow's services, so the sweep and escalation follow them), verified
by the team when the remediation closes, re-issued with a new deadline when not done."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.audit import audit_record
from core.exceptions import DomainError, InvalidInput
from core.flowtasks import AlreadyHandled, processes_start_for, task_complete
from core.text import nfc, shorten
from core.time import local_date
from workflow import services as workflow_services
from workflow.choices import AssignmentSource, AssignmentState, DuePolicy
from workflow.deadlines import DueRule
from workflow.models import Assignment, DirectiveItem

from ..access import HEADS
from ..choices import (
    InspectionAction,
    InspectionStatus,
    RecommendationStatus,
    VerificationResult,
)
from ..flows import InspectionFlow, VerificationFlow
from ..models import Criterion, Inspection, Recommendation, Verification
from .inspections import _locked, _people, _team, _tell

# Recommendations are drafted until the conclusion is issued.
DRAFTING_STATES = (
    InspectionStatus.SCHEDULED,
    InspectionStatus.MINUTES_DRAFTED,
    InspectionStatus.MINUTES_SIGNED,
)
# A recommendation is to be remedied within this many days of the conclusion notice unless
# it says otherwise (DOMAIN.md §5: "within 15 days of the Thông báo kết luận kiểm tra").
DEFAULT_DUE_DAYS = 15
# Remediation work: the assignment a recommendation became, or its successor once the office
# gave it to another agency (a transfer or reassignment).
REMEDIATION_SOURCES = (AssignmentSource.INSPECTION, AssignmentSource.TRANSFER)


def _may_draft(actor, inspection: Inspection) -> Inspection:
    """The team's head drafts the recommendations; the organiser's head may add to them when
    concluding."""
    try:
        return _locked(actor, InspectionAction.LEAD, inspection.pk)
    except DomainError:
        return _locked(actor, InspectionAction.CONCLUDE, inspection.pk)


def recommendation_add(
    *,
    actor,
    inspection: Inspection,
    text: str,
    agency: Agency | None,
    criterion: Criterion | None = None,
    item: DirectiveItem | None = None,
    due_date: date | None = None,
    due_days: int | None = None,
    at: datetime | None = None,
) -> Recommendation:
    """Draft one recommendation of the conclusion to come: what to remedy, which agency is
    responsible, under which directive item (the criterion's first, else the plan's), and by
    when (a date, or days after the conclusion notice)."""
    at = at or timezone.now()
    with transaction.atomic():
        inspection = _may_draft(actor, inspection)
        if inspection.status not in DRAFTING_STATES:
            raise DomainError(
                _("The conclusion is issued: recommendations can no longer be added."),
                code="concluded",
            )
        errors = {}
        if agency is None:
            errors["agency"] = [_("Name the agency responsible.")]
        elif not Agency.objects.valid_on(local_date(at)).filter(pk=agency.pk).exists():
            errors["agency"] = [_("This agency does not exist today.")]
        if due_date is None and due_days is None:
            errors["due_date"] = [_("Give a deadline, or a number of days after the conclusion.")]
        if due_days is not None and due_days < 1:
            errors["due_days"] = [_("Give at least one day.")]
        if due_date is not None and due_date < local_date(at):
            errors["due_date"] = [_("The deadline cannot be in the past.")]
        if not nfc(text).strip():
            errors["text"] = [_("Write the recommendation.")]
        if criterion is not None and criterion.template_id != inspection.template_id:
            errors["criterion"] = [_("Choose a criterion of the checklist.")]
        if errors:
            raise InvalidInput(
                next(iter(errors.values()))[0], code="recommendation", details=errors
            )
        if item is None and criterion is not None:
            item = criterion.items.order_by("directive_id", "order", "pk").first()
        item = item or inspection.plan.item
        last = inspection.recommendations.order_by("-order").values_list("order", flat=True).first()
        recommendation = Recommendation.objects.create(
            inspection=inspection,
            criterion=criterion,
            text=nfc(text).strip(),
            agency=agency,
            item=item,
            due_date=due_date,
            due_days=None if due_date is not None else due_days,
            order=(last or 0) + 1,
            created_by=actor,
            created_at=at,
        )
        audit_record(
            actor=actor,
            verb="inspection.recommendation_add",
            obj=inspection,
            new={"recommendation": recommendation.pk, "agency": agency.code, "due_date": due_date},
            at=at,
        )
        return recommendation


def recommendation_remove(*, actor, recommendation: Recommendation, at=None) -> None:
    """Take a draft recommendation out of the conclusion to come."""
    at = at or timezone.now()
    with transaction.atomic():
        inspection = _may_draft(actor, recommendation.inspection)
        row = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if row.status != RecommendationStatus.DRAFT or inspection.status not in DRAFTING_STATES:
            raise AlreadyHandled()
        audit_record(
            actor=actor,
            verb="inspection.recommendation_remove",
            obj=inspection,
            old={"recommendation": row.pk, "text": row.text},
            at=at,
        )
        row.delete()


# An assignment's title is a line of a list: the recommendation's whole text stays on the
# recommendation (and its assignment's expected output names the conclusion).
TITLE_WIDTH = 120


def _remediation(*, actor, recommendation: Recommendation, due: date, parent=None, at):
    inspection = recommendation.inspection
    return workflow_services.assignment_issue(
        actor=actor,
        item=recommendation.item,
        agency=recommendation.agency,
        title=shorten(
            _("Remedy after inspection: {text}").format(text=recommendation.text), TITLE_WIDTH
        ),
        expected_output=_(
            "A report on the remediation, with evidence (conclusion {number})"
        ).format(number=inspection.conclusion_number),
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=due),
        source=AssignmentSource.INSPECTION,
        parent=parent,
        at=at,
    )


def conclusion_issue(
    *,
    actor,
    inspection: Inspection,
    number: str,
    issued_on: date,
    text: str,
    at: datetime | None = None,
) -> Inspection:
    """The organiser's head issues the conclusion notice: each recommendation becomes a
    remediation assignment for its agency, due on its date or its days after the notice (a
    day off moves to the next working day, as every fixed due date); with none, the
    inspection closes."""
    at = at or timezone.now()
    with transaction.atomic():
        inspection = _locked(actor, InspectionAction.CONCLUDE, inspection.pk)
        if inspection.status != InspectionStatus.MINUTES_SIGNED:
            raise AlreadyHandled()
        if not nfc(number).strip():
            raise InvalidInput(
                _("Give the number of the conclusion notice."),
                code="number",
                details={"number": [_("Give the number of the conclusion notice.")]},
            )
        if issued_on > local_date(at) or issued_on < inspection.conducted_on:
            raise InvalidInput(
                _("The conclusion is dated between the visit and today."),
                code="issued_on",
                details={"issued_on": [_("Give the day the notice was signed.")]},
            )
        inspection.conclusion_number = nfc(number).strip()
        inspection.conclusion_date = issued_on
        inspection.conclusion_text = nfc(text).strip()
        inspection.concluded_by, inspection.concluded_at = actor, at
        recommendations = list(
            inspection.recommendations.select_for_update()
            .filter(status=RecommendationStatus.DRAFT)
            .select_related("item", "agency")
        )
        for rec in recommendations:
            rec.inspection = inspection
            due = rec.due_date or issued_on + timedelta(days=rec.due_days or DEFAULT_DUE_DAYS)
            due = max(due, local_date(at))
            rec.assignment = _remediation(actor=actor, recommendation=rec, due=due, at=at)
            rec.due_date = rec.assignment.due_date
            rec.status = RecommendationStatus.ISSUED
            rec.save(update_fields=["assignment", "due_date", "status"])
        inspection.status = (
            InspectionStatus.FOLLOW_UP if recommendations else InspectionStatus.CLOSED
        )
        if not recommendations:
            inspection.closed_at = at
        inspection.save()
        task_complete(inspection.process, InspectionFlow.conclude, actor, at)
        audit_record(
            actor=actor,
            verb="inspection.conclude",
            obj=inspection,
            new={
                "number": inspection.conclusion_number,
                "issued_on": issued_on,
                "recommendations": [r.pk for r in recommendations],
                "status": inspection.status,
            },
            at=at,
        )
        _tell(
            _people(inspection.agency_id, HEADS, local_date(at)) + _team(inspection),
            inspection,
            "concluded",
            _("The conclusion of the inspection is issued ({n} recommendations)").format(
                n=len(recommendations)
            ),
            at,
        )
        return inspection


# --- verification -------------------------------------------------------------------------------


def _to_verify(recommendations, *, at) -> None:
    """The remediation of ``recommendations`` (a queryset) closed: the team is asked to verify
    it (one verification process each)."""
    ids = list(recommendations.values_list("pk", flat=True))
    if not ids:
        return
    Recommendation.objects.filter(pk__in=ids).update(status=RecommendationStatus.TO_VERIFY)
    processes_start_for(
        VerificationFlow,
        VerificationFlow.verify,
        subjects=Recommendation.objects.filter(pk__in=ids),
        link="recommendation",
        at=at,
    )
    for rec in Recommendation.objects.filter(pk__in=ids).select_related("inspection"):
        _tell(
            _team(rec.inspection),
            rec.inspection,
            f"to_verify:{rec.pk}:{rec.reissued}",
            _("A remediation was reported: verify the recommendation “{text}”").format(
                text=rec.text[:120]
            ),
            at,
        )


def _followed(recommendations, *, closed_ids) -> None:
    """Remediation transferred to a successor: the recommendation follows the new assignment
    and its agency (which answers it, and is given it again if not done)."""
    successors = Assignment.objects.filter(transferred_from_id__in=closed_ids)
    for old_id, new_id, agency_id in successors.values_list(
        "transferred_from_id", "pk", "agency_id"
    ):
        recommendations.filter(assignment_id=old_id).update(
            assignment_id=new_id, agency_id=agency_id
        )


def on_assignments_closed(*, assignments, state: str, at: datetime, **_kwargs) -> None:
    """workflow's hook: remediation work closed (done, or closed by the office) is to be
    verified; transferred work is followed to its successor."""
    ids = list(assignments.filter(source__in=REMEDIATION_SOURCES).values_list("pk", flat=True))
    if not ids:
        return
    open_recs = Recommendation.objects.filter(
        assignment_id__in=ids, status=RecommendationStatus.ISSUED
    )
    if state == AssignmentState.TRANSFERRED:
        _followed(open_recs, closed_ids=ids)
        return
    _to_verify(open_recs, at=at)


def on_assignment_closed(*, assignment, state: str, at: datetime, **_kwargs) -> None:
    if assignment.source not in REMEDIATION_SOURCES:
        return
    on_assignments_closed(
        assignments=Assignment.objects.filter(pk=assignment.pk), state=state, at=at
    )


def recommendation_verify(
    *,
    actor,
    recommendation: Recommendation,
    result: str,
    note: str = "",
    new_due_date: date | None = None,
    at: datetime | None = None,
) -> Recommendation:
    """The team verifies a recommendation against the remediation report: done, or not done
    and re-issued to the same agency with a new deadline (a new assignment, counted). The
    inspection closes when every recommendation is verified done."""
    at = at or timezone.now()
    with transaction.atomic():
        inspection = _locked(actor, InspectionAction.RECORD, recommendation.inspection_id)
        rec = (
            Recommendation.objects.select_for_update(of=("self",))
            .select_related("assignment", "item", "agency")
            .get(pk=recommendation.pk, inspection=inspection)
        )
        if rec.status == RecommendationStatus.DONE:
            raise AlreadyHandled()
        if rec.status != RecommendationStatus.TO_VERIFY:
            raise DomainError(
                _("This recommendation has no remediation report to verify yet."),
                code="not_reported",
            )
        if result not in VerificationResult.values:
            raise InvalidInput(
                _("Choose done or not done."),
                code="result",
                details={"result": [_("Choose done or not done.")]},
            )
        if result == VerificationResult.NOT_DONE:
            if new_due_date is None or new_due_date < local_date(at):
                raise InvalidInput(
                    _("Give the new deadline, today or later."),
                    code="new_due_date",
                    details={"new_due_date": [_("Give the new deadline, today or later.")]},
                )
        else:
            new_due_date = None
        verification = Verification.objects.create(
            recommendation=rec,
            assignment=rec.assignment,
            result=result,
            note=nfc(note).strip(),
            new_due_date=new_due_date,
            verified_by=actor,
            verified_at=at,
        )
        process = rec.processes.filter(finished__isnull=True).order_by("-pk").first()
        if process is not None:
            task_complete(process, VerificationFlow.verify, actor, at)
        rec.inspection = inspection
        if result == VerificationResult.DONE:
            rec.status = RecommendationStatus.DONE
            rec.save(update_fields=["status"])
        else:
            rec.assignment = _remediation(
                actor=actor, recommendation=rec, due=new_due_date, parent=rec.assignment, at=at
            )
            rec.due_date = rec.assignment.due_date
            rec.status = RecommendationStatus.ISSUED
            rec.reissued = F("reissued") + 1
            rec.save(update_fields=["assignment", "due_date", "status", "reissued"])
            rec.refresh_from_db(fields=["reissued"])
        audit_record(
            actor=actor,
            verb="inspection.verify",
            obj=inspection,
            new={
                "recommendation": rec.pk,
                "result": result,
                "verification": verification.pk,
                "new_due_date": new_due_date,
            },
            at=at,
        )
        if not inspection.recommendations.filter(~Q(status=RecommendationStatus.DONE)).exists():
            inspection.status = InspectionStatus.CLOSED
            inspection.closed_at = at
            inspection.save(update_fields=["status", "closed_at"])
            audit_record(actor=actor, verb="inspection.close", obj=inspection, at=at)
        if result == VerificationResult.NOT_DONE:
            _tell(
                _people(rec.agency_id, HEADS, local_date(at)),
                inspection,
                f"reissued:{rec.pk}:{rec.reissued}",
                _(
                    "A recommendation was found not done and is given again, due {date:%d/%m/%Y}"
                ).format(date=rec.due_date),
                at,
            )
        return rec


def hooks_connect() -> None:
    from workflow import hooks

    hooks.assignment_closed.connect(on_assignment_closed)
    hooks.assignments_closed.connect(on_assignments_closed)
