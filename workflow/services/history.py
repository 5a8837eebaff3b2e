"""Outcomes of work done before it was followed here: the office brings in what its follow-up
sheet (the Excel "bảng theo dõi" the brief starts from) says was done and when, for many
assignments at once. The demo's simulated history uses it for the years before the office
worked in Đôn đốc."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.exceptions import Forbidden
from core.sql import among
from core.time import local_date

from ..choices import OPEN_STATES, AssignmentAction, AssignmentState, ReportKind, ReportStatus
from ..models import Assignment, ProgressReport
from ._base import assignments_close, moment, refused


@dataclass(frozen=True)
class Outcome:
    """One line of the follow-up sheet: the assignment, the day its result was reported (the
    day it counts as done, as ``report_accept`` counts it) and what was reported."""

    assignment_id: int
    completed_on: date
    text: str = ""


def _afternoon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(16)))


def _ids(rows) -> str:
    return ", ".join(f"#{pk}" for pk in sorted(rows)[:10]) + ("…" if len(rows) > 10 else "")


def outcomes_record(
    *, actor, outcomes: Sequence[Outcome], source: str, at: datetime | None = None
) -> int:
    """Close each named open assignment as done on its ``completed_on``, with an accepted
    completion report saying what the sheet says (``source`` names the sheet), its process
    closed and a line on its timeline; the apps that follow are told at once
    (``hooks.assignments_closed``). Only the provincial office (``ACCEPT``). All or nothing: an
    assignment that is not open (or not the actor's to accept), a day after ``at`` or before
    the work was given, or an assignment named twice refuses the whole batch. The same
    statements for three outcomes as for hundreds (the reports and the days are written by
    batches of 500)."""
    at = moment(at)
    source = source.strip()
    with transaction.atomic():
        if not access.may(actor, AssignmentAction.ACCEPT, Assignment):
            raise Forbidden(_("Only the provincial office records the outcomes of past work."))
        if not source:
            raise refused(_("Say where these outcomes come from."), "source_required", "outcomes")
        by_id = {o.assignment_id: o for o in outcomes}
        if len(by_id) != len(outcomes):
            counted = Counter(o.assignment_id for o in outcomes)
            twice = {pk for pk, n in counted.items() if n > 1}
            raise refused(
                _("Each assignment once: {ids} are named more than once.").format(ids=_ids(twice)),
                "duplicate",
                "outcomes",
            )
        if not by_id:
            return 0
        open_work = access.restrict(
            Assignment.objects.filter(among("pk", list(by_id)), state__in=OPEN_STATES),
            actor,
            AssignmentAction.ACCEPT,
        )
        locked = dict(
            open_work.select_for_update(of=("self",))
            .order_by("pk")
            .values_list("pk", "assigned_on")
        )
        missing = set(by_id) - set(locked)
        if missing:
            raise refused(
                _("Not open work you may confirm: {ids}.").format(ids=_ids(missing)),
                "not_open",
                "outcomes",
            )
        today = local_date(at)
        misdated = {
            pk for pk, given in locked.items() if not given <= by_id[pk].completed_on <= today
        }
        if misdated:
            message = _("A result is reported between the day the work was given and today: {ids}.")
            raise refused(message.format(ids=_ids(misdated)), "completed_on", "outcomes")
        ids = sorted(locked)
        ProgressReport.objects.bulk_create(
            ProgressReport(
                assignment_id=pk,
                kind=ReportKind.COMPLETION,
                author=actor,
                text=by_id[pk].text.strip() or source,
                percent=100,
                submitted_at=_afternoon(by_id[pk].completed_on),
                status=ReportStatus.ACCEPTED,
            )
            for pk in ids
        )
        Assignment.objects.bulk_update(
            [Assignment(pk=pk, completed_on=by_id[pk].completed_on) for pk in ids],
            ["completed_on"],
            batch_size=500,
        )
        # The timeline line reads the state before and the day after: written between the two.
        assignments_close(
            actor=actor,
            ids=ids,
            state=AssignmentState.DONE,
            verb="assignment.record_outcome",
            old=JSONObject(state="state"),
            new=JSONObject(state=Value(AssignmentState.DONE), completed_on=F("completed_on")),
            note=source,
            at=at,
        )
        return len(ids)
