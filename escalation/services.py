"""Every change to escalations: closing them (one writer), and the office's decisions.

A decision changes the assignment only through workflow's services (extend, reassign), so the
assignment's rules and timeline stay in one place; those services tell escalation back through
``workflow.hooks``, which is how the levels of a moved or closed deadline are closed.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import Role
from agencies.models import Agency, Membership
from core import access
from core.audit import audit_record
from core.exceptions import InvalidInput
from core.flowtasks import AlreadyHandled, processes_cancel_for, processes_start_for, task_complete
from core.sql import among
from core.time import local_date
from notifications.models import Category
from notifications.services import event_notify
from workflow import services as workflow_services
from workflow.choices import AssignmentState
from workflow.models import Assignment

from .access import decide_action
from .choices import EscalationDecision, EscalationResolution
from .flows import EscalationFlow
from .models import Escalation, EscalationProcess

# How an assignment that left the open states closes its levels.
CLOSED_BY_STATE: dict[str, EscalationResolution] = {
    AssignmentState.DONE: EscalationResolution.COMPLETED,
    AssignmentState.CANCELLED: EscalationResolution.COMPLETED,
    AssignmentState.TRANSFERRED: EscalationResolution.REASSIGNED,
}


def escalations_resolve(*, escalations: QuerySet[Escalation], resolution: str, at) -> int:
    """Close the open escalations among ``escalations`` and cancel their review processes: the
    only code that closes an escalation (services, hooks and the sweep all call it)."""
    still_open = escalations.filter(resolved_at__isnull=True)
    processes = list(
        EscalationProcess.objects.filter(
            escalation__in=still_open, finished__isnull=True
        ).values_list("pk", flat=True)
    )
    closed = still_open.update(resolved_at=at, resolution=resolution)
    # As ``EscalationFlow.instance.cancel`` one by one, in two statements for them all.
    processes_cancel_for(EscalationFlow, EscalationProcess.objects.filter(among("pk", processes)))
    return closed


REVIEW_BATCH = 20_000


def review_processes_start(escalations: QuerySet[Escalation], *, at) -> int:
    """Open the office's review process (its first task, "decide") of each of ``escalations``,
    in bulk: the rows ``EscalationFlow.start.run`` writes one by one, six statements per
    ``REVIEW_BATCH`` escalations (``core.flowtasks.processes_start_for``)."""
    ids = escalations.order_by("pk").values_list("pk", flat=True)
    opened, last = 0, 0
    while batch := list(ids.filter(pk__gt=last)[:REVIEW_BATCH]):
        processes_start_for(
            EscalationFlow,
            EscalationFlow.office,
            subjects=Escalation.objects.filter(among("pk", batch)),
            link="escalation",
            at=at,
        )
        opened, last = opened + len(batch), batch[-1]
    return opened


def _on_assignment_closed(*, assignment: Assignment, state: str, at) -> None:
    escalations_resolve(
        escalations=Escalation.objects.filter(assignment=assignment),
        resolution=CLOSED_BY_STATE.get(state, EscalationResolution.COMPLETED),
        at=at,
    )


def _on_assignments_closed(*, assignments: QuerySet[Assignment], state: str, at) -> None:
    escalations_resolve(
        escalations=Escalation.objects.filter(assignment__in=assignments.values("pk")),
        resolution=CLOSED_BY_STATE.get(state, EscalationResolution.COMPLETED),
        at=at,
    )


def _on_due_date_changed(*, assignment: Assignment, at) -> None:
    superseded = Escalation.objects.filter(assignment=assignment)
    if assignment.due_date is not None:
        # (An escalation always has a due date: none is kept when the duty became continuous.)
        superseded = superseded.exclude(due_date=assignment.due_date)
    escalations_resolve(
        escalations=superseded,
        resolution=EscalationResolution.SUPERSEDED,
        at=at,
    )


def hooks_connect() -> None:
    """Subscribe to workflow's hooks (called once from ``EscalationConfig.ready``)."""
    from workflow import hooks

    hooks.assignment_closed.connect(_on_assignment_closed)
    hooks.assignments_closed.connect(_on_assignments_closed)
    hooks.due_date_changed.connect(_on_due_date_changed)


@dataclass(frozen=True)
class Decision:
    """What the office (or a leader) decided, as entered on the decision form."""

    decision: str
    note: str = ""
    due_date: date | None = None
    agency: Agency | None = None
    assignee: object = None
    penalty_points: Decimal | None = None
    send_up: bool = False


def _assignments_locked(escalation_ids: list[int]) -> None:
    """Lock the assignments of these escalations, in the order of their pks, before any
    escalation row: workflow's services and the sweep take an assignment's row before its
    escalations' (a step that closes the assignment or moves its due date closes them), so a
    decision that locked the escalation first and the assignment after (extend, reassign)
    deadlocked with the office accepting the result or transferring the work at the same
    moment (tests/security/test_races.py)."""
    list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(pk__in=Escalation.objects.filter(pk__in=escalation_ids).values("assignment_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _locked(escalation: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update()
        .select_related("level", "assignment__agency")
        .get(pk=escalation.pk)
    )


def _send_up(*, actor, escalation: Escalation, note: str, at) -> Escalation:
    escalation.sent_to_leader = True
    escalation.decision_note = note
    escalation.save(update_fields=["sent_to_leader", "decision_note"])
    audit_record(
        actor=actor,
        verb="escalation.send_up",
        obj=escalation.assignment,
        note=note,
        new={"escalation": escalation.pk},
        at=at,
    )
    # Only the office level has a review process (the sweep opens one per office-level
    # escalation); a lower level sent up has no task to complete, as in ``_record``.
    process = getattr(escalation, "process", None)
    if process is not None:
        task_complete(process, EscalationFlow.office, actor, at)
    return escalation


RESOLUTIONS: dict[str, EscalationResolution] = {
    EscalationDecision.EXTEND: EscalationResolution.EXTENDED,
    EscalationDecision.REASSIGN: EscalationResolution.REASSIGNED,
    EscalationDecision.PENALTY: EscalationResolution.PENALISED,
    EscalationDecision.CLOSE: EscalationResolution.CLOSED,
}


def _resolution(decision: Decision) -> str:
    """The resolution a decision gives, once its input is complete."""
    if decision.decision not in RESOLUTIONS:
        raise InvalidInput(code="invalid_decision")
    if decision.decision == EscalationDecision.REASSIGN and not (
        decision.assignee is not None or decision.agency is not None
    ):
        raise InvalidInput(_("Choose another agency or officer."), code="agency_required")
    if decision.decision == EscalationDecision.EXTEND and decision.due_date is None:
        raise InvalidInput(_("Give the new due date."), code="due_date_required")
    if decision.decision == EscalationDecision.PENALTY and (
        decision.penalty_points is None or decision.penalty_points < 0
    ):
        raise InvalidInput(_("Enter the penalty points."), code="penalty_required")
    if not decision.note.strip() and decision.decision != EscalationDecision.CLOSE:
        raise InvalidInput(_("Give the reason."), code="reason_required")
    return RESOLUTIONS[decision.decision]


def _apply(*, actor, escalation: Escalation, decision: Decision, at) -> None:
    """Carry an extension or a reassignment out on the assignment, through workflow."""
    note = decision.note.strip()
    if decision.decision == EscalationDecision.EXTEND:
        workflow_services.assignment_extend(
            actor=actor,
            assignment=escalation.assignment,
            due_date=decision.due_date,
            note=note,
            at=at,
        )
    elif decision.decision == EscalationDecision.REASSIGN:
        workflow_services.assignment_reassign(
            actor=actor,
            assignment=escalation.assignment,
            agency=None if decision.assignee is not None else decision.agency,
            assignee=decision.assignee,
            note=note,
            at=at,
        )


def _record(*, actor, escalation: Escalation, decision: Decision, resolution: str, at) -> None:
    """This level is decided: who, when, the note and the penalty; its review task is done."""
    escalation.resolved_at, escalation.resolution = at, resolution
    escalation.decided_by, escalation.decision_note = actor, decision.note.strip()
    if resolution == EscalationResolution.PENALISED:
        escalation.penalty_points = decision.penalty_points
    escalation.save(
        update_fields=["resolved_at", "resolution", "decided_by", "decision_note", "penalty_points"]
    )
    process = getattr(escalation, "process", None)
    if process is not None and process.finished is None:
        node = EscalationFlow.leader if escalation.sent_to_leader else EscalationFlow.office
        task_complete(process, node, actor, at)
    audit_record(
        actor=actor,
        verb=f"escalation.{decision.decision}",
        obj=escalation.assignment,
        note=decision.note.strip(),
        new={
            "escalation": escalation.pk,
            "level": escalation.level.kind,
            "due_date": escalation.due_date,
            "penalty_points": escalation.penalty_points,
        },
        at=at,
    )


def _notify_agency(escalation: Escalation, decision: str, at) -> None:
    assignment = Assignment.objects.select_related("agency").get(pk=escalation.assignment_id)
    heads = (
        Membership.objects.active_on(local_date(at))
        .filter(agency=assignment.agency, role__in=[Role.HEAD, Role.DEPUTY])
        .values_list("user_id", flat=True)
    )
    recipients = set(heads) | ({assignment.assignee_id} if assignment.assignee_id else set())
    title = _("Decision on the escalation of “{title}”: {decision}.").format(
        title=assignment.title, decision=EscalationDecision(decision).label
    )
    event_notify(
        recipients=recipients,
        key=f"decision:{escalation.pk}",
        category=Category.DECISION,
        title=title,
        url=reverse("workflow:assignment", args=[assignment.pk]),
        at=at,
    )


def escalation_decide(
    *, actor, escalation: Escalation, decision: Decision, at: datetime | None = None
) -> Escalation:
    """The office (or, once sent up, a leader) decides an escalation: extend, reassign,
    accept with a recorded penalty, or close; the office may instead send it up to a leader.
    Every open level of the same due date is closed with the decision."""
    at = at or timezone.now()
    with transaction.atomic():
        _assignments_locked([escalation.pk])
        escalation = _locked(escalation)
        leader_step = escalation.sent_to_leader
        access.require(actor, decide_action(escalation), escalation)
        if escalation.resolved_at is not None:
            raise AlreadyHandled()
        if decision.send_up and not leader_step:
            return _send_up(actor=actor, escalation=escalation, note=decision.note.strip(), at=at)
        resolution = _resolution(decision)
        _record(actor=actor, escalation=escalation, decision=decision, resolution=resolution, at=at)
        # The other open levels of the same deadline get the same answer (the +1 warning and a
        # +15 leader level must not outlive the office's decision on the +5 one).
        escalations_resolve(
            escalations=Escalation.objects.filter(
                assignment_id=escalation.assignment_id, due_date=escalation.due_date
            ),
            resolution=resolution,
            at=at,
        )
        _apply(actor=actor, escalation=escalation, decision=decision, at=at)
        _notify_agency(escalation, decision.decision, at)
        return escalation


def escalations_decide(
    *, actor, escalations, decision: Decision, at: datetime | None = None
) -> int:
    """Decide several escalations the same way, all or none (the office's bulk decision). A
    level already answered by the decision on another level of the same deadline in this batch
    is not decided twice."""
    at = at or timezone.now()
    with transaction.atomic():
        ids = [e.pk for e in escalations]
        _assignments_locked(ids)  # all of them at once, in one order for every batch
        for escalation in escalations:
            answered = Escalation.objects.filter(
                pk=escalation.pk, resolved_at=at, decided_by__isnull=True
            ).exists()
            if not answered:
                escalation_decide(actor=actor, escalation=escalation, decision=decision, at=at)
        return len(ids)
