"""Plans, inspections and their team, findings, and the minutes.

Each service: lock the row → ``require`` → check the state → change → validate → save →
audit → complete the viewflow task → tell the people the step hands work to."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from agencies.access import member_agencies
from agencies.models import Agency, Membership
from agencies.selectors import agency_name_on
from core import access
from core.audit import audit_record
from core.calendar import WorkCalendar
from core.exceptions import DomainError, InvalidInput
from core.flowtasks import AlreadyHandled, task_complete
from core.text import nfc
from core.time import local_date
from notifications.models import Category
from notifications.services import event_notify
from workflow import services as workflow_services
from workflow.choices import AssignmentSource, DirectiveStatus, DuePolicy
from workflow.deadlines import DueRule
from workflow.models import DirectiveItem

from ..access import HEADS, ORGANISER_ROLES
from ..choices import (
    RECORDING_STATES,
    FindingResult,
    FindingSide,
    InspectionAction,
    InspectionStatus,
    PlanForm,
    PlanStatus,
    TeamRole,
)
from ..flows import InspectionFlow
from ..models import (
    ChecklistTemplate,
    Criterion,
    Finding,
    FindingSubmission,
    Inspection,
    InspectionPlan,
    TeamMember,
)

# The rights each member of a team holds on the inspection (django-guardian).
MEMBER_RIGHTS = ("view_inspection", "record_inspection")
LEAD_RIGHTS = (*MEMBER_RIGHTS, "lead_inspection")
# The agency's self-report is due this many working days before the visit by default.
SELF_REPORT_WORKING_DAYS = 5


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), details=exc.message_dict) from exc


def _locked(user, action: str, pk) -> Inspection:
    """The inspection ``pk``, locked, when ``user`` may ``action`` it (else 404 / 403)."""
    queryset = Inspection.objects.select_for_update(of=("self",)).select_related(
        "plan", "template", "agency"
    )
    return access.require_get(queryset, user, action, pk)


def _people(agency_id: int, roles, on: date) -> list[int]:
    return list(
        Membership.objects.active_on(on)
        .filter(agency_id=agency_id, role__in=list(roles))
        .values_list("user_id", flat=True)
    )


def _team(inspection: Inspection) -> list[int]:
    return list(inspection.team.values_list("user_id", flat=True))


def _tell(recipients, inspection: Inspection, step: str, title: str, at: datetime) -> None:
    event_notify(
        recipients=recipients,
        key=f"inspection:{inspection.pk}:{step}",
        category=Category.INSPECTION,
        title=title,
        url=reverse("inspection:inspection", args=[inspection.pk]),
        at=at,
    )


# --- plans --------------------------------------------------------------------------------------


def _organiser_check(actor, organiser: Agency) -> None:
    if (
        not actor.is_superuser
        and not member_agencies(actor, ORGANISER_ROLES).filter(agency_id=organiser.pk).exists()
    ):
        raise InvalidInput(
            _("You do not inspect on behalf of this agency."),
            code="organiser",
            details={"organiser": [_("Choose the agency you inspect for.")]},
        )


def _item_check(item: DirectiveItem) -> None:
    if item.directive.status == DirectiveStatus.DRAFT:
        raise InvalidInput(
            _("The directive of this item is still a draft."),
            code="item_draft",
            details={"item": [_("Choose an item of a published directive.")]},
        )


def plan_create(
    *,
    actor,
    year: int,
    organiser: Agency,
    title: str,
    form: str,
    item: DirectiveItem,
    decision_number: str = "",
    decision_date: date | None = None,
    at: datetime | None = None,
) -> InspectionPlan:
    """Register a year's inspection plan of the actor's agency."""
    at = at or timezone.now()
    access.require_may(actor, InspectionAction.MANAGE, InspectionPlan)
    with transaction.atomic():
        _organiser_check(actor, organiser)
        item = DirectiveItem.objects.select_related("directive").get(pk=item.pk)
        _item_check(item)
        plan = InspectionPlan(
            year=year,
            organiser=organiser,
            title=nfc(title).strip(),
            form=form,
            item=item,
            decision_number=nfc(decision_number).strip(),
            decision_date=decision_date,
            status=PlanStatus.APPROVED,
            created_by=actor,
            created_at=at,
        )
        _clean(plan)
        plan.save()
        audit_record(
            actor=actor,
            verb="inspection_plan.create",
            obj=plan,
            new={"year": year, "organiser": organiser.code, "form": form},
            at=at,
        )
        return plan


@dataclass(frozen=True)
class Member:
    user: object
    agency: Agency
    role: str = TeamRole.MEMBER


def inspection_schedule(
    *,
    actor,
    plan: InspectionPlan,
    agency: Agency,
    template: ChecklistTemplate,
    team_decision_number: str,
    team_decision_date: date,
    scheduled_on: date,
    team: list[Member],
    self_report_due: date | None = None,
    self_assessment_requested: bool = False,
    at: datetime | None = None,
) -> Inspection:
    """Put one agency's inspection in the plan, with the team the decision sets up (one head
    of the team), its rights on the inspection, the team's first task (conduct), and the
    agency's self-report as an assignment due before the visit (``SELF_REPORT_WORKING_DAYS``
    working days before unless a date is given; none for an unannounced inspection)."""
    at = at or timezone.now()
    today = local_date(at)
    with transaction.atomic():
        plan = access.require_get(
            InspectionPlan.objects.select_for_update(of=("self",)).select_related("item"),
            actor,
            InspectionAction.MANAGE,
            plan.pk,
        )
        if plan.status != PlanStatus.APPROVED:
            raise DomainError(_("This plan is closed."), code="plan_closed")
        leads = [m for m in team if m.role == TeamRole.LEAD]
        if len(leads) != 1:
            raise InvalidInput(
                _("The team needs exactly one head."),
                code="team_lead",
                details={"team": [_("Name one head of the team.")]},
            )
        users = [m.user.pk for m in team]
        if len(set(users)) != len(users):
            raise InvalidInput(
                _("A person is named twice in the team."),
                code="team_twice",
                details={"team": [_("Name each person once.")]},
            )
        if not Agency.objects.valid_on(today).filter(pk=agency.pk).exists():
            raise InvalidInput(
                _("This agency does not exist today."),
                code="agency",
                details={"agency": [_("Choose an agency of today.")]},
            )
        if scheduled_on < today:
            raise InvalidInput(
                _("The visit cannot be scheduled in the past."),
                code="scheduled_past",
                details={"scheduled_on": [_("Choose today or a later day.")]},
            )
        if plan.form == PlanForm.UNANNOUNCED:
            self_report_due = None
        elif self_report_due is None:
            self_report_due = max(
                today, WorkCalendar().subtract_working_days(scheduled_on, SELF_REPORT_WORKING_DAYS)
            )
        if self_report_due is not None and not today <= self_report_due <= scheduled_on:
            raise InvalidInput(
                _("The self-report is due between today and the day of the visit."),
                code="self_report_due",
                details={"self_report_due": [_("Choose a day up to the visit.")]},
            )
        inspection = Inspection(
            plan=plan,
            agency=agency,
            template=template,
            team_decision_number=nfc(team_decision_number).strip(),
            team_decision_date=team_decision_date,
            scheduled_on=scheduled_on,
            self_report_due=self_report_due,
            self_assessment_requested=self_assessment_requested,
            created_at=at,
        )
        _clean(inspection)
        inspection.save()
        TeamMember.objects.bulk_create(
            [
                TeamMember(inspection=inspection, user=m.user, agency=m.agency, role=m.role)
                for m in team
            ]
        )
        for m in team:
            for right in LEAD_RIGHTS if m.role == TeamRole.LEAD else MEMBER_RIGHTS:
                assign_perm(f"inspection.{right}", m.user, inspection)
        InspectionFlow.start.run(inspection=inspection)
        name = agency_name_on(agency=agency, on=today)
        if self_report_due is not None:
            inspection.self_report = workflow_services.assignment_issue(
                actor=actor,
                item=plan.item,
                agency=agency,
                title=_(
                    "Self-report before the inspection by {organiser} on {date:%d/%m/%Y}"
                ).format(
                    organiser=agency_name_on(agency=plan.organiser, on=today), date=scheduled_on
                ),
                expected_output=_("A self-report on carrying out the directive, with evidence"),
                due_rule=DueRule(DuePolicy.FIXED, fixed_date=self_report_due),
                source=AssignmentSource.SELF_REPORT,
                at=at,
            )
            inspection.save(update_fields=["self_report"])
        audit_record(
            actor=actor,
            verb="inspection.schedule",
            obj=inspection,
            new={
                "agency": agency.code,
                "scheduled_on": scheduled_on,
                "team": sorted(users),
                "self_report_due": self_report_due,
            },
            at=at,
        )
        _tell(
            users,
            inspection,
            "scheduled",
            _("You are on the team inspecting {agency} on {date:%d/%m/%Y}").format(
                agency=name, date=scheduled_on
            ),
            at,
        )
        if plan.form != PlanForm.UNANNOUNCED:  # an unannounced visit is not told beforehand
            _tell(
                _people(agency.pk, HEADS, today),
                inspection,
                "announced",
                _("Your agency will be inspected on {date:%d/%m/%Y}: {plan}").format(
                    date=scheduled_on, plan=plan.title
                ),
                at,
            )
        return inspection


# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    finding: Finding
    replayed: bool  # the same key was applied before: nothing changed now


class FindingConflict(DomainError):
    default_code = "finding_conflict"
    default_message = _(
        "Someone else changed this finding meanwhile; read their version before saving yours."
    )


def _points_check(criterion: Criterion, result: str, points: Decimal | None) -> Decimal | None:
    if result == FindingResult.NOT_APPLICABLE:
        if points is not None:
            raise InvalidInput(
                _("A criterion that does not apply gets no points."),
                code="points_not_applicable",
                details={"points": [_("Leave the points empty.")]},
            )
        return None
    if points is None:
        raise InvalidInput(
            _("Give the points."),
            code="points_required",
            details={"points": [_("Give the points.")]},
        )
    points = Decimal(str(points))
    if points < 0 or points > criterion.max_points:
        message = _("The points must be between 0 and {max} for criterion {code}.").format(
            max=criterion.max_points.normalize(), code=criterion.code
        )
        raise InvalidInput(message, code="points_range", details={"points": [message]})
    try:  # at most two decimals, as the column keeps them (no query)
        Finding._meta.get_field("points").run_validators(points)
    except ValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages), code="points", details={"points": exc.messages}
        ) from exc
    return points


def finding_record(
    *,
    actor,
    inspection: Inspection,
    criterion: Criterion,
    result: str,
    points: Decimal | None,
    note: str = "",
    version: int | None = None,
    key: uuid.UUID | None = None,
    side: str = FindingSide.TEAM,
    at: datetime | None = None,
) -> Recorded:
    """Record how the agency meets one criterion: the team's finding (a member of the team),
    or the agency's self-assessment (its head or officers, when it was asked for), while the
    inspection has not gone into its minutes.

    ``version`` is the version the edit was made on (None: the person saw no finding yet); a
    finding changed since is not overwritten (``FindingConflict``). ``key`` makes a resend
    of the same edit (a phone back online) change nothing more."""
    at = at or timezone.now()
    action = InspectionAction.RECORD if side == FindingSide.TEAM else InspectionAction.SELF_ASSESS
    with transaction.atomic():
        inspection = _locked(actor, action, inspection.pk)
        if key is not None:
            done = FindingSubmission.objects.select_related("finding").filter(key=key).first()
            if done is not None:
                if done.finding.inspection_id != inspection.pk or done.finding.side != side:
                    raise InvalidInput(
                        _("This key was used for another inspection."), code="key_reused"
                    )
                return Recorded(done.finding, replayed=True)
        if inspection.status not in RECORDING_STATES:
            raise DomainError(
                _("The minutes are drafted: findings can no longer change."), code="minutes_drafted"
            )
        if side == FindingSide.AGENCY and not inspection.self_assessment_requested:
            raise DomainError(_("No self-assessment was asked for."), code="no_self_assessment")
        if criterion.template_id != inspection.template_id:
            raise InvalidInput(
                _("This criterion is not in the inspection's checklist."),
                code="criterion",
                details={"criterion": [_("Choose a criterion of the checklist.")]},
            )
        if result not in FindingResult.values:
            raise InvalidInput(
                _("Choose a result."), code="result", details={"result": [_("Choose a result.")]}
            )
        points = _points_check(criterion, result, points)
        finding = (
            Finding.objects.select_for_update()
            .filter(inspection=inspection, criterion=criterion, side=side)
            .first()
        )
        old = None
        if finding is None:
            if version is not None:
                raise FindingConflict(details={"version": [""]})
            finding = Finding(inspection=inspection, criterion=criterion, side=side)
        else:
            if version != finding.version:
                raise FindingConflict(
                    details={
                        "version": [str(finding.version)],
                        "result": [finding.result],
                        "points": [str(finding.points) if finding.points is not None else ""],
                        "note": [finding.note],
                    }
                )
            old = {"result": finding.result, "points": finding.points, "note": finding.note}
            finding.version += 1
        finding.result, finding.points, finding.note = result, points, nfc(note).strip()
        finding.recorded_by, finding.recorded_at = actor, at
        finding.save()
        if key is not None:
            FindingSubmission.objects.create(
                key=key, finding=finding, version=finding.version, at=at
            )
        audit_record(
            actor=actor,
            verb="inspection.finding" if side == FindingSide.TEAM else "inspection.self_assessment",
            obj=inspection,
            old=old,
            new={
                "criterion": criterion.code,
                "result": result,
                "points": points,
                "version": finding.version,
            },
            at=at,
        )
        return Recorded(finding, replayed=False)


# --- the minutes --------------------------------------------------------------------------------


def minutes_draft(
    *, actor, inspection: Inspection, text: str, conducted_on: date, at: datetime | None = None
) -> Inspection:
    """The team's head closes the visit and signs the minutes once every criterion has a
    finding; the inspected agency's head is asked to confirm them."""
    at = at or timezone.now()
    with transaction.atomic():
        inspection = _locked(actor, InspectionAction.LEAD, inspection.pk)
        if inspection.status != InspectionStatus.SCHEDULED:
            raise AlreadyHandled()
        if conducted_on > local_date(at):
            raise InvalidInput(
                _("The visit cannot end in the future."),
                code="conducted_future",
                details={"conducted_on": [_("Give the day the visit took place.")]},
            )
        missing = list(
            inspection.template.criteria.exclude(
                pk__in=inspection.findings.filter(side=FindingSide.TEAM).values("criterion_id")
            ).values_list("code", flat=True)
        )
        if missing:
            raise InvalidInput(
                _("Record a finding for every criterion first; missing: {codes}.").format(
                    codes=", ".join(missing)
                ),
                code="findings_missing",
            )
        inspection.minutes_text = nfc(text).strip()
        inspection.conducted_on = conducted_on
        inspection.minutes_signed_by_lead, inspection.minutes_signed_by_lead_at = actor, at
        inspection.status = InspectionStatus.MINUTES_DRAFTED
        inspection.save()
        task_complete(inspection.process, InspectionFlow.conduct, actor, at)
        audit_record(
            actor=actor,
            verb="inspection.minutes_draft",
            obj=inspection,
            new={"conducted_on": conducted_on, "status": inspection.status},
            at=at,
        )
        _tell(
            _people(inspection.agency_id, HEADS, local_date(at)),
            inspection,
            "minutes",
            _("The minutes of the inspection of your agency await your signature"),
            at,
        )
        return inspection


def minutes_confirm(
    *, actor, inspection: Inspection, objection: str = "", at: datetime | None = None
) -> Inspection:
    """The inspected agency's head signs the minutes, with their objection if any (kept with
    the minutes); the organiser's head is asked for the conclusion."""
    at = at or timezone.now()
    with transaction.atomic():
        inspection = _locked(actor, InspectionAction.CONFIRM, inspection.pk)
        if inspection.status != InspectionStatus.MINUTES_DRAFTED:
            raise AlreadyHandled()
        inspection.objection = nfc(objection).strip()
        inspection.minutes_signed_by_head, inspection.minutes_signed_by_head_at = actor, at
        inspection.status = InspectionStatus.MINUTES_SIGNED
        inspection.save()
        task_complete(inspection.process, InspectionFlow.confirm, actor, at)
        audit_record(
            actor=actor,
            verb="inspection.minutes_confirm",
            obj=inspection,
            new={"objection": inspection.objection, "status": inspection.status},
            at=at,
        )
        _tell(
            _people(inspection.plan.organiser_id, HEADS, local_date(at)) + _team(inspection),
            inspection,
            "signed",
            _("The minutes are signed; the inspection awaits its conclusion")
            + (" " + _("(with an objection)") if inspection.objection else ""),
            at,
        )
        return inspection
