"""Explanation requests (yêu cầu giải trình): the office asks the agency responsible for late
work or a target at risk to explain by a date (``workflow.explanations`` says when it may);
the agency's head or deputy answers; the office may withdraw a request still awaiting its
answer. Each step is one transaction, a line of the subject's history (an assignment's
timeline, an indicator's audit) and a notice to the people concerned."""

from collections import Counter
from datetime import date, datetime
from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from core import access
from core.audit import audit_record, audit_record_from
from core.exceptions import DomainError, InvalidInput
from core.flowtasks import AlreadyHandled
from core.sql import among
from core.text import nfc
from core.time import local_date

from .. import notices
from ..choices import ExplanationAction, ExplanationStatus
from ..explanations import assignment_is_late, indicator_is_explainable
from ..models import Assignment, ExplanationRequest, Indicator
from ..selectors.targets import indicator_get
from ._base import assignment_repr, moment, refused, timeline_record, validated


def _record(actor, verb: str, explanation: ExplanationRequest, *, old=None, new=None, note="", at):
    """The line in the subject's history, then the notice (keyed by that line)."""
    values = {"explanation": explanation.pk, **(new or {})}
    if explanation.assignment is not None:
        entry = timeline_record(
            actor, verb, explanation.assignment, old=old, new=values, note=note, at=at
        )
    else:
        indicator = cast(Indicator, explanation.indicator)
        entry = audit_record(
            actor=actor, verb=verb, obj=indicator, old=old, new=values, note=note, at=at
        )
    notices.explanation_announce(
        explanation=explanation, verb=verb, actor=actor, key=f"{verb}:{entry.pk}", at=entry.at
    )


def _subject_check(actor, assignment, indicator, today: date):
    """The subject locked and checked: visible to the actor, late (an assignment) or at risk
    or missed (an indicator); returns (assignment, indicator, agency asked)."""
    if (assignment is None) == (indicator is None):
        raise InvalidInput(
            _("Ask about one assignment or one indicator."), code="one_subject_required"
        )
    if assignment is not None:
        rows = Assignment.objects.select_for_update(of=("self",)).select_related("agency")
        assignment = cast(Assignment, access.require_get(rows, actor, access.VIEW, assignment.pk))
        late = assignment_is_late(
            state=assignment.state,
            due_date=assignment.due_date,
            completed_on=assignment.completed_on,
            today=today,
        )
        if not late:
            raise DomainError(
                _("Only late work is explained: this assignment is not late."), code="not_late"
            )
        return assignment, None, assignment.agency
    targets = Indicator.objects.select_for_update(of=("self",))
    locked = cast(Indicator, access.require_get(targets, actor, access.VIEW, indicator.pk))
    status = getattr(indicator_get(user=actor, pk=locked.pk), "status", "")
    if not indicator_is_explainable(status):
        raise DomainError(
            _("Only a target at risk or missed is explained: this one is not."),
            code="not_at_risk",
        )
    if locked.agency_id is None:
        raise DomainError(
            _("Choose the agency that reports this indicator first: it is the one asked."),
            code="no_agency",
        )
    return None, locked, locked.agency


def explanation_request(
    *,
    actor,
    question: str,
    due_on: date | None,
    assignment: Assignment | None = None,
    indicator: Indicator | None = None,
    at: datetime | None = None,
) -> ExplanationRequest:
    """The office (reviewers, leaders) asks the agency of a late assignment, or the reporting
    agency of an indicator at risk or missed, to explain by ``due_on`` (today at the earliest).
    One request at a time per subject."""
    at = moment(at)
    today = local_date(at)
    with transaction.atomic():
        access.require_may(actor, ExplanationAction.ADD, ExplanationRequest)
        assignment, indicator, agency = _subject_check(actor, assignment, indicator, today)
        if not (question or "").strip():
            raise refused(_("Say what the agency should explain."), "question_required", "question")
        if due_on is None or due_on < today:
            raise refused(
                _("Give a date from today on: {day:%d/%m/%Y}.").format(day=today),
                "bad_due_on",
                "due_on",
            )
        explanation = ExplanationRequest(
            assignment=assignment,
            indicator=indicator,
            agency=agency,
            question=nfc(question).strip(),
            due_on=due_on,
            requested_by=actor,
            requested_at=at,
        )
        about = {"assignment": assignment} if assignment else {"indicator": indicator}
        awaited = ExplanationRequest.objects.filter(status=ExplanationStatus.REQUESTED, **about)
        if awaited.exists():
            raise AlreadyHandled(_("An explanation is already awaited on this."))
        validated(explanation)
        try:
            with transaction.atomic():
                explanation.save()
        except IntegrityError:  # another request for the same subject came first
            raise AlreadyHandled(_("An explanation is already awaited on this.")) from None
        _record(
            actor,
            "explanation.request",
            explanation,
            new={"agency": agency.code, "due_on": due_on},
            note=explanation.question,
            at=at,
        )
        return explanation


def _locked(actor, action: str, explanation: ExplanationRequest) -> ExplanationRequest:
    rows = ExplanationRequest.objects.select_for_update(of=("self",)).select_related(
        "assignment", "indicator", "agency"
    )
    explanation = cast(ExplanationRequest, access.require_get(rows, actor, action, explanation.pk))
    if explanation.status != ExplanationStatus.REQUESTED:
        raise AlreadyHandled(
            _("This request is no longer awaiting an explanation: {status}.").format(
                status=explanation.get_status_display()
            )
        )
    return explanation


def explanation_answer(
    *, actor, explanation: ExplanationRequest, answer: str, at: datetime | None = None
) -> ExplanationRequest:
    """The head or a deputy of the agency asked gives its explanation (once; late is still
    recorded, and counted as late)."""
    at = moment(at)
    with transaction.atomic():
        explanation = _locked(actor, ExplanationAction.ANSWER, explanation)
        if not (answer or "").strip():
            raise refused(_("Write the explanation."), "answer_required", "answer")
        explanation.answer = nfc(answer).strip()
        explanation.answered_by, explanation.answered_at = actor, at
        explanation.status = ExplanationStatus.ANSWERED
        explanation.save(update_fields=["answer", "answered_by", "answered_at", "status"])
        _record(
            actor,
            "explanation.answer",
            explanation,
            old={"status": ExplanationStatus.REQUESTED},
            new={"status": ExplanationStatus.ANSWERED, "due_on": explanation.due_on},
            note=explanation.answer,
            at=at,
        )
        return explanation


def explanation_withdraw(
    *, actor, explanation: ExplanationRequest, note: str, at: datetime | None = None
) -> ExplanationRequest:
    """The office withdraws a request still awaiting its answer (asked in error, or the work
    has caught up), saying why."""
    at = moment(at)
    with transaction.atomic():
        explanation = _locked(actor, ExplanationAction.WITHDRAW, explanation)
        if not (note or "").strip():
            raise refused(_("Give the reason."), "reason_required", "note")
        explanation.withdrawal_note = nfc(note).strip()
        explanation.withdrawn_by, explanation.withdrawn_at = actor, at
        explanation.status = ExplanationStatus.WITHDRAWN
        explanation.save(
            update_fields=["withdrawal_note", "withdrawn_by", "withdrawn_at", "status"]
        )
        _record(
            actor,
            "explanation.withdraw",
            explanation,
            old={"status": ExplanationStatus.REQUESTED},
            new={"status": ExplanationStatus.WITHDRAWN},
            note=explanation.withdrawal_note,
            at=at,
        )
        return explanation


def explanations_follow_work(*, actor, successors: dict[int, int], at: datetime) -> dict[int, int]:
    """The explanation requests still awaiting an answer on work moved to other agencies after
    a reorganisation (``successors``: old assignment id → the one continuing it) follow that
    work: each is withdrawn from the agency that ended, saying where it went, and asked again,
    with the same question, of the agency that now holds the work, on its assignment, by the
    same date (today at the earliest: nobody at the old agency could answer it any more).
    Called inside the transfer's transaction. Returns {agency asked now: how many}; a
    constant number of statements whatever their number."""
    today = local_date(at)
    awaited = list(
        ExplanationRequest.objects.select_for_update(of=("self",))
        .filter(among("assignment_id", successors), status=ExplanationStatus.REQUESTED)
        .order_by("pk")
        .values("pk", "assignment_id", "question", "due_on", "requested_by_id")
    )
    if not awaited:
        return {}
    agency_of = dict(
        Assignment.objects.filter(
            among("pk", [successors[r["assignment_id"]] for r in awaited])
        ).values_list("pk", "agency_id")
    )
    note = _("The work moved to the agency that took it over; the request was sent on with it.")
    ExplanationRequest.objects.filter(among("pk", [r["pk"] for r in awaited])).update(
        status=ExplanationStatus.WITHDRAWN,
        withdrawn_by=actor,
        withdrawn_at=at,
        withdrawal_note=note,
    )
    asked = ExplanationRequest.objects.bulk_create(
        [
            ExplanationRequest(
                assignment_id=successors[r["assignment_id"]],
                agency_id=agency_of[successors[r["assignment_id"]]],
                question=r["question"],
                due_on=max(r["due_on"], today),
                requested_by_id=r["requested_by_id"],
                requested_at=at,
            )
            for r in awaited
        ]
    )

    # Each assignment's timeline tells it, as for one request (``explanations_told``): the
    # old assignment's request withdrawn, the new one's asked (its question, its date).
    def latest(status: str, column: str) -> Subquery:
        rows = ExplanationRequest.objects.filter(assignment=OuterRef("pk"), status=status)
        return Subquery(rows.order_by("-pk").values(column)[:1])

    withdrawn = ExplanationStatus.WITHDRAWN
    audit_record_from(
        Assignment.objects.filter(among("pk", [r["assignment_id"] for r in awaited])),
        actor=actor,
        verb="explanation.withdraw",
        obj_repr=assignment_repr(),
        old=JSONObject(status=Value(ExplanationStatus.REQUESTED)),
        new=JSONObject(status=Value(withdrawn), explanation=latest(withdrawn, "pk")),
        note=note,
        at=at,
    )
    requested = ExplanationStatus.REQUESTED
    audit_record_from(
        Assignment.objects.filter(among("pk", [e.assignment_id for e in asked])),
        actor=actor,
        verb="explanation.request",
        obj_repr=assignment_repr(),
        new=JSONObject(
            explanation=latest(requested, "pk"),
            agency=F("agency__code"),
            due_on=latest(requested, "due_on"),
        ),
        note=latest(requested, "question"),
        at=at,
    )
    return dict(Counter(explanation.agency_id for explanation in asked))
