"""The workflow as a state machine (issue 11, build item 3).

Hypothesis drives assignments through random sequences of the real services — assign,
receive, refuse and the office's triage, progress and completion reports, the head's and the
office's review, extension requests with their endorsement and decision, the office's and
leaders' extensions and reassignments, transfers to a successor, the escalation decisions —
each taken by a random person of the world (heads, a deputy, clerks, officers of the agency and
of another one, the office's reviewer, a leader, an inspector), with the clock moved on by random
working days and the deadline sweep run (each pass twice in a row).

The test keeps a small model of its own — each assignment's state, due date, assignee and date
of completion; each extension request's status; the escalations the sweep must have raised and
which are still open; who may do what — and predicts for every action whether it is allowed,
and if not, which refusal it gets. After every step it checks:

- each assignment's row (state, due date, original due date, assignee, completed on) is the
  model's, and its viewflow process waits at the task its state names (finished once closed);
- every change wrote its line of the timeline (``core.models.AuditEvent``, the verbs as the
  services write them, in order), and only the changes the model expects;
- a refused action raised the refusal predicted and changed no row of the main tables;
- the escalations are exactly those the levels of the policy imply for the dates the sweep
  saw: one per assignment, level and due date, never two open for an assignment and a level,
  open only while their assignment is open at that due date, closed with the resolution the
  model expects; each office-level one has its review process open exactly while it is open;
- the second pass of each sweep changes nothing; no person is told twice of one event, nor of
  their own step;
- the timeliness of every assignment (``workflow.selectors.timeliness``) follows from its
  dates, and ``timeliness_is`` (the list filter) selects the same rows.

Found by it so far: sending up an escalation of a level with no review process (a reminder or
a warning) raised a 500 (escalation/services.py, ``_send_up``); an extension still pending
when the work closed could be approved afterwards, moving the due date of done work
(workflow/services/extensions.py; ``test_an_extension_of_closed_work_is_not_approved``).

Inspections' recommendations and scorecards do not exist yet (issues to come): see
``WorkflowMachine.inspection_and_scorecard_rules``, where their rules plug in.

Bounded for CI: ``STATE_MACHINE_EXAMPLES`` and ``STATE_MACHINE_STEPS`` raise the number of
examples and steps for a long local run (random, not derandomized, then).
"""

import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from viewflow.workflow.models import Process, Task

from agencies.choices import Role, SuccessionKind
from agencies.models import Agency, Succession
from core.calendar import WorkCalendar
from core.exceptions import DomainError, Forbidden, InvalidInput, NotFound
from core.flowtasks import OPEN_TASK, AlreadyHandled
from core.models import AuditEvent
from escalation.choices import REQUEST_LEVEL_KINDS, EscalationResolution, LevelKind
from escalation.models import Escalation, EscalationLevel, EscalationProcess
from escalation.services import Decision, escalation_decide
from escalation.sweep import sweep
from notifications.models import Notice
from tests.conftest import grant
from tests.fixtures.workflow import vn
from workflow import services
from workflow.choices import (
    OPEN_STATES,
    AssignmentState,
    DuePolicy,
    ExtensionStatus,
    Modality,
    Timeliness,
    TriageDecision,
)
from workflow.deadlines import DueRule
from workflow.flows import AssignmentFlow, ExtensionFlow
from workflow.models import Assignment, ExtensionRequest
from workflow.selectors import assignment_list, timeliness, timeliness_is

S = AssignmentState
LONG_RUN = bool(os.environ.get("STATE_MACHINE_EXAMPLES"))
EXAMPLES = int(os.environ.get("STATE_MACHINE_EXAMPLES") or 15)
STEPS = int(os.environ.get("STATE_MACHINE_STEPS") or 30)
MAX_ASSIGNMENTS = 6  # made by the "assign" rule (successors of transfers come on top)

# The world: (role, agency code). ``people`` (tests/fixtures/workflow.py) holds the first eight;
# the test adds a deputy and a clerk of Sở Tài chính's neighbour and an inspector.
WORLD = {
    "reviewer": (Role.REVIEWER, "P2"),
    "leader": (Role.LEADER, "P2"),
    "head": (Role.HEAD, "TC"),
    "clerk": (Role.CLERK, "TC"),
    "officer": (Role.OFFICER, "TC"),
    "officer2": (Role.OFFICER, "TC"),
    "other_head": (Role.HEAD, "NV"),
    "other_officer": (Role.OFFICER, "NV"),
    "deputy": (Role.DEPUTY, "TC"),
    "other_clerk": (Role.CLERK, "NV"),
    "inspector": (Role.INSPECTOR, "NV"),
}
ADDED = ("deputy", "other_clerk", "inspector")
NAMES = sorted(WORLD)
OVERSEERS = {Role.REVIEWER, Role.LEADER, Role.INSPECTOR, Role.EMULATION_OFFICER}
RECEIVERS = {Role.HEAD, Role.DEPUTY, Role.CLERK}
APPROVERS = {Role.HEAD, Role.DEPUTY}
ASSIGNEE_ROLES = {Role.OFFICER, Role.DEPUTY, Role.HEAD}

# Sở Tài chính hands one of its functions to Sở Nội vụ on 02/02/2026: its work given before
# then may be transferred there from that day (workflow/services/transfers.py).
FUNCTION_MOVED_ON = date(2026, 2, 2)
# The Monday after Tết: the fixture's assignment (made 05/01, due Friday 27/02) is four
# working days from its deadline, and may already go to Sở Nội vụ.
START = vn(2026, 2, 23, 9)

TEXTS = st.sampled_from(["Đã triển khai, kèm văn bản số 12/STC.", "", "   "])
NOTES = st.sampled_from(["Cần bổ sung số liệu.", ""])
picks = st.integers(0, 50)
RIGHT = "*"  # the person the model says may take the step (so that work gets done)
people = st.one_of(st.just(RIGHT), st.sampled_from(NAMES))

# The step each open state waits at in the assignment's process.
TASK_OF_STATE = {
    S.NEW: "receive",
    S.REFUSED: "triage",
    S.IN_PROGRESS: "report",
    S.REPORTED: "approve",
    S.APPROVED: "review",
}
EXTENSION_TASK = {ExtensionStatus.REQUESTED: "endorse", ExtensionStatus.ENDORSED: "decide"}
# How the hooks close the open levels of an assignment that leaves the open states.
CLOSED_AS = {
    S.DONE: EscalationResolution.COMPLETED,
    S.CANCELLED: EscalationResolution.COMPLETED,
    S.TRANSFERRED: EscalationResolution.REASSIGNED,
}
DECIDED_AS = {
    "extend": EscalationResolution.EXTENDED,
    "penalty": EscalationResolution.PENALISED,
    "close": EscalationResolution.CLOSED,
}


@dataclass
class Model:
    """What the test believes of one assignment."""

    pk: int
    agency: str
    modality: str
    assigned_on: date
    due: date | None
    state: str = S.NEW
    assignee: str | None = None
    reported_on: date | None = None
    completed_on: date | None = None
    original_due: date | None = None
    verbs: list[str] = field(default_factory=lambda: ["assignment.create"])

    def __post_init__(self):
        self.original_due = self.due

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass
class ExtensionModel:
    pk: int
    assignment: int
    requested: date
    status: str


@dataclass
class EscalationModel:
    """One escalation the sweep must have raised: (assignment, level kind, due date)."""

    pk: int | None = None
    resolution: str = ""  # empty while open
    sent_up: bool = False

    @property
    def open(self) -> bool:
        return not self.resolution


def _counts_sql() -> str:
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    )
    quote = connection.ops.quote_name
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)


def snapshot() -> tuple:
    """What a refused step must leave as it was: the number of rows of every table (one
    query), and the values a step changes in the rows it does not add."""
    with connection.cursor() as cursor:
        cursor.execute(_counts_sql())
        counts = cursor.fetchone()
    return (
        counts,
        list(
            Assignment.objects.order_by("pk").values_list(
                "pk", "state", "agency_id", "due_date", "assignee_id", "completed_on"
            )
        ),
        list(ExtensionRequest.objects.order_by("pk").values_list("pk", "status", "endorsed_by")),
        list(
            Escalation.objects.order_by("pk").values_list(
                "pk", "resolved_at", "resolution", "sent_to_leader", "decided_by"
            )
        ),
        list(Task.objects.order_by("pk").values_list("pk", "status")),
    )


def everything() -> tuple:
    """``snapshot`` and the rows only the sweep changes: its watermarks, the notices' mail."""
    return (
        snapshot(),
        list(Process.objects.order_by("pk").values_list("pk", "status", "finished")),
        list(EscalationLevel.objects.order_by("pk").values_list("pk", "swept_through")),
        list(Notice.objects.order_by("pk").values_list("pk", "emailed_at")),
    )


class WorkflowMachine(RuleBasedStateMachine):
    # Given by the test before the run: the people, the directive, the fixture's assignment.
    users: ClassVar[dict] = {}
    agencies: ClassVar[dict] = {}
    directive = None
    first = None
    examples = 0
    steps = 0
    outcomes: ClassVar[Counter] = Counter()

    def __init__(self):
        super().__init__()
        type(self).examples += 1
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # every example starts from the fixtures, rolled back after it
        self.now: datetime = START
        self.cal = WorkCalendar()
        self.levels = [
            (level.kind, level.offset_working_days)
            for level in EscalationLevel.objects.filter(policy__directive=None)
        ]
        first = type(self).first
        self.assignments: dict[int, Model] = {
            first.pk: Model(
                pk=first.pk,
                agency="TC",
                modality=first.modality,
                assigned_on=first.assigned_on,
                due=first.due_date,
            )
        }
        self.made = 0
        self.extensions: dict[int, ExtensionModel] = {}
        self.escalations: dict[tuple[int, str, date], EscalationModel] = {}
        self.audit_type = ContentType.objects.get_for_model(Assignment)
        self.dirty = True

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # The world ---------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.now.date()

    def tick(self) -> datetime:
        """The moment of the next action: a minute after the last one."""
        type(self).steps += 1
        self.now += timedelta(minutes=1)
        return self.now

    def user(self, name):
        return self.users[name] if name else None

    def role(self, name) -> str:
        return WORLD[name][0]

    def of(self, name, a: Model, roles) -> bool:
        role, agency = WORLD[name]
        return agency == a.agency and role in roles

    def sees(self, name, a: Model) -> bool:
        return self.role(name) in OVERSEERS or WORLD[name][1] == a.agency

    def may(self, name, action: str, a: Model) -> bool:
        """The access rules of workflow/access.py, as the model states them."""
        role = self.role(name)
        if action in ("receive", "refuse"):
            return self.of(name, a, RECEIVERS)
        if action in ("report", "request_extension"):
            return self.of(name, a, APPROVERS) or (
                self.of(name, a, {Role.OFFICER}) and a.assignee == name
            )
        if action == "progress":
            return self.of(name, a, RECEIVERS | {Role.OFFICER})
        if action in ("approve", "endorse"):
            return self.of(name, a, APPROVERS)
        if action in ("accept", "triage", "transfer", "decide"):
            return role == Role.REVIEWER
        if action in ("extend", "reassign"):
            return role in (Role.REVIEWER, Role.LEADER)
        raise AssertionError(action)

    def refusal(self, name, action: str, a: Model):
        """NotFound for whoever does not see the assignment, Forbidden for whoever sees it but
        may not act; None when the access layer lets the person through."""
        if not self.sees(name, a):
            return NotFound
        if not self.may(name, action, a):
            return Forbidden
        return None

    def pick(self, n: int, states=OPEN_STATES) -> Model:
        """An assignment: for an even ``n`` one in ``states`` (those the step is taken in),
        while there is one; for an odd ``n`` any."""
        keys = sorted(self.assignments)
        fitting = [pk for pk in keys if self.assignments[pk].state in states]
        keys = fitting if fitting and n % 2 == 0 else keys
        return self.assignments[keys[n // 2 % len(keys)]]

    def who(self, name, action: str, a: Model, n: int) -> str:
        """``name``, or for ``RIGHT`` someone the model lets take ``action`` on ``a``."""
        if name != RIGHT:
            return name
        allowed = [p for p in NAMES if self.sees(p, a) and self.may(p, action, a)]
        return allowed[n % len(allowed)] if allowed else "reviewer"

    def assignee(self, name, a: Model, n: int) -> str:
        if name != RIGHT:
            return name
        allowed = [p for p in NAMES if self.of(p, a, ASSIGNEE_ROLES)]
        return allowed[n % len(allowed)] if allowed else "officer"

    def attempt(self, expected, call):
        """Run ``call``: it must succeed when ``expected`` is None, else raise exactly
        ``expected`` and change nothing."""
        note(f"{self.now:%d/%m/%Y %H:%M} expecting {expected.__name__ if expected else 'success'}")
        step = sys._getframe(1).f_code.co_name
        if step == "_review":
            step = sys._getframe(2).f_code.co_name
        outcome = f"{step}: {expected.__name__ if expected else 'done'}"
        type(self).outcomes[outcome] += 1
        if expected is None:
            self.dirty = True
            return call()
        before = snapshot()
        with pytest.raises(DomainError) as raised:
            call()
        assert type(raised.value) is expected, (raised.value, raised.value.code)
        assert snapshot() == before, "a refused step changed rows"
        return None

    # Effects shared by several steps -----------------------------------------------------

    def close(self, a: Model, state: str) -> None:
        a.state = state
        for (pk, _kind, _due), e in self.escalations.items():
            if pk == a.pk and e.open:
                e.resolution = CLOSED_AS[state]

    def move_due(self, a: Model, due: date) -> None:
        a.due = due
        for (pk, _kind, old), e in self.escalations.items():
            if pk == a.pk and e.open and old != due:
                e.resolution = EscalationResolution.SUPERSEDED

    def successor(self, old: Model, agency: str) -> None:
        new = Assignment.objects.get(transferred_from_id=old.pk)
        assert new.agency.code == agency and new.state == S.NEW
        self.assignments[new.pk] = Model(
            pk=new.pk,
            agency=agency,
            modality=old.modality,
            assigned_on=old.assigned_on,
            due=old.due,
        )

    # Time and the sweep -----------------------------------------------------------------

    @rule(days=st.integers(1, 15), hour=st.integers(7, 17), then_sweep=st.booleans())
    def advance(self, days, hour, then_sweep):
        """The clock moves on by ``days`` working days (and the sweep runs then, as it does
        every few minutes)."""
        type(self).steps += 1
        self.dirty = True
        day = self.cal.add_working_days(self.today, days)
        self.now = vn(day.year, day.month, day.day, hour)
        if then_sweep:
            self.sweep_twice()

    @rule()
    def sweep_twice(self):
        """One pass of the deadline sweep, run twice in a row: the second adds nothing."""
        now = self.tick()
        self.dirty = True
        sweep(now=now)
        after_first = everything()
        sweep(now=now)
        assert everything() == after_first, "the second pass of the sweep changed something"
        for a in self.assignments.values():
            if not a.open or a.due is None:
                continue
            for kind, offset in self.levels:
                if a.modality != Modality.ORDER and kind not in REQUEST_LEVEL_KINDS:
                    continue
                reached = a.due <= self.cal.latest_reached(self.today, offset)
                if reached and (kind != LevelKind.REMINDER or a.due >= self.today):
                    self.escalations.setdefault((a.pk, kind, a.due), EscalationModel())
        # The lists' selector (scoped, with the agencies' names) says the same.
        listed = assignment_list(user=self.users["reviewer"], today=self.today)
        assert dict(listed.values_list("pk", "timeliness")) == self.expected_timeliness()

    # The next step of the chain ----------------------------------------------------------

    @precondition(lambda self: any(a.open for a in self.assignments.values()))
    @rule(n=picks, branch=st.integers(0, 3))
    def move_on(self, n, branch):
        self.next_step(n, branch)

    @precondition(lambda self: any(a.open for a in self.assignments.values()))
    @rule(n=picks, branch=st.integers(0, 3))
    def move_on_again(self, n, branch):
        """The same as ``move_on``: two rules, so that it is chosen twice as often."""
        self.next_step(n, branch)

    def next_step(self, n, branch):
        """The step an open assignment waits for, by a person it waits for:
        so that random sequences reach the end of the chain, not only its first steps. The
        step's own rule runs, on this assignment."""
        a = self.pick(n)
        same_state = sorted(pk for pk, m in self.assignments.items() if m.state == a.state)
        m = 2 * same_state.index(a.pk)  # ``pick(m, (a.state,))`` is ``a``
        text, note_ = "Đã hoàn thành, kèm báo cáo số 7/BC.", "Cần bổ sung số liệu."
        who = RIGHT
        if a.state == S.NEW:
            (self.refuse(who, note_, m) if branch == 0 else self.receive(who, RIGHT, m))
        elif a.state == S.REFUSED:
            decision = [TriageDecision.REASSIGN, TriageDecision.CANCEL][branch % 2]
            decision = TriageDecision.RETURN if branch > 1 else decision
            self.triage(who, decision, "NV" if a.agency != "NV" else "CA", m)
        elif a.state == S.IN_PROGRESS:
            self.report(who, text, m)
        elif a.state == S.REPORTED:
            (self.return_to_officer(who, note_, m) if branch == 0 else self.approve(who, m))
        elif a.state == S.APPROVED:
            (self.return_by_office(who, note_, m) if branch == 0 else self.accept(who, m))

    # Assigning ---------------------------------------------------------------------------

    @precondition(lambda self: self.made < MAX_ASSIGNMENTS)
    @rule(
        who=people,
        agency=st.sampled_from(["TC", "NV"]),
        modality=st.sampled_from([Modality.ORDER, Modality.REQUEST]),
        days=st.one_of(st.none(), st.integers(0, 25)),
    )
    def assign(self, who, agency, modality, days):
        at = self.tick()
        rule_ = (
            DueRule(DuePolicy.CONTINUOUS)
            if days is None
            else DueRule(DuePolicy.FIXED, fixed_date=self.today + timedelta(days=days))
        )
        who = "reviewer" if who == RIGHT else who
        expected = None if self.role(who) == Role.REVIEWER else Forbidden
        made = self.attempt(
            expected,
            lambda: services.assignments_create(
                actor=self.user(who),
                item=self.directive.items.get(number="1"),
                targets=[services.Target(agency=self.agencies[agency], modality=modality)],
                due_rule=rule_,
                title=f"Việc {self.made}",
                assigned_on=self.today,
                at=at,
            ),
        )
        if made:
            (new,) = made
            self.made += 1
            due = rule_.resolve(assigned_on=self.today, cal=self.cal).date
            self.assignments[new.pk] = Model(
                pk=new.pk, agency=agency, modality=modality, assigned_on=self.today, due=due
            )

    # The agency's first answer, and the office's answer to a refusal --------------------

    @rule(who=people, assignee=people, n=picks)
    def receive(self, who, assignee, n):
        a, at = self.pick(n, (S.NEW,)), self.tick()
        who = self.who(who, "receive", a, n)
        assignee = self.assignee(assignee, a, n)
        expected = self.refusal(who, "receive", a)
        if expected is None and a.state != S.NEW:
            expected = AlreadyHandled
        if expected is None and not self.of(assignee, a, ASSIGNEE_ROLES):
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: services.assignment_receive(
                actor=self.user(who), assignment=a, assignee=self.user(assignee), at=at
            ),
        )
        if done:
            a.state, a.assignee = S.IN_PROGRESS, assignee
            a.verbs.append("assignment.receive")

    @rule(who=people, reason=NOTES, n=picks)
    def refuse(self, who, reason, n):
        a, at = self.pick(n, (S.NEW,)), self.tick()
        who = self.who(who, "refuse", a, n)
        expected = self.refusal(who, "refuse", a)
        if expected is None and a.state != S.NEW:
            expected = AlreadyHandled
        if expected is None and not reason.strip():
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: services.assignment_refuse(
                actor=self.user(who), assignment=a, reason=reason, at=at
            ),
        )
        if done:
            a.state = S.REFUSED
            a.verbs.append("assignment.refuse")

    @rule(
        who=people,
        decision=st.sampled_from(TriageDecision.values),
        agency=st.sampled_from(["TC", "NV", "CA"]),
        n=picks,
    )
    def triage(self, who, decision, agency, n):
        a, at = self.pick(n, (S.REFUSED,)), self.tick()
        who = self.who(who, "triage", a, n)
        expected = self.refusal(who, "triage", a)
        if expected is None and a.state != S.REFUSED:
            expected = AlreadyHandled
        if expected is None and decision == TriageDecision.REASSIGN and agency == a.agency:
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: services.assignment_triage(
                actor=self.user(who),
                assignment=a,
                decision=decision,
                agency=self.agencies[agency],
                at=at,
            ),
        )
        if done:
            a.verbs.append(f"assignment.triage_{decision}")
            if decision == TriageDecision.RETURN:
                a.state = S.NEW
            elif decision == TriageDecision.CANCEL:
                self.close(a, S.CANCELLED)
            else:
                self.close(a, S.TRANSFERRED)
                self.successor(a, agency)

    # Reports and their review -------------------------------------------------------------

    @rule(who=people, text=TEXTS, n=picks)
    def progress(self, who, text, n):
        a, at = self.pick(n), self.tick()
        who = self.who(who, "progress", a, n)
        expected = self.refusal(who, "progress", a)
        if expected is None and not a.open:
            expected = AlreadyHandled
        if expected is None and not text.strip():
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: services.progress_report_file(
                actor=self.user(who), assignment=a, text=text, percent=50, at=at
            ),
        )
        if done:
            a.verbs.append("report.progress")

    @rule(who=people, text=TEXTS, n=picks)
    def report(self, who, text, n):
        a, at = self.pick(n, (S.IN_PROGRESS,)), self.tick()
        who = self.who(who, "report", a, n)
        expected = self.refusal(who, "report", a)
        if expected is None and a.state != S.IN_PROGRESS:
            expected = AlreadyHandled
        if expected is None and not text.strip():
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: services.completion_report_file(
                actor=self.user(who), assignment=a, text=text, at=at
            ),
        )
        if done:
            a.state, a.reported_on = S.REPORTED, self.today
            a.verbs.append("report.complete")

    def _review(self, who, n, *, action, from_state, to_state, verb, comment, service):
        a, at = self.pick(n, (from_state,)), self.tick()
        who = self.who(who, action, a, n)
        expected = self.refusal(who, action, a)
        if expected is None and a.state != from_state:
            expected = AlreadyHandled
        if expected is None and comment is not None and not comment.strip():
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: service(actor=self.user(who), assignment=a, comment=comment or "", at=at),
        )
        if done:
            a.verbs.append(verb)
            if to_state == S.DONE:
                a.completed_on = a.reported_on
                self.close(a, S.DONE)
            else:
                a.state = to_state

    @rule(who=people, n=picks)
    def approve(self, who, n):
        self._review(
            who,
            n,
            action="approve",
            from_state=S.REPORTED,
            to_state=S.APPROVED,
            verb="report.approve",
            comment=None,
            service=services.report_approve,
        )

    @rule(who=people, comment=NOTES, n=picks)
    def return_to_officer(self, who, comment, n):
        self._review(
            who,
            n,
            action="approve",
            from_state=S.REPORTED,
            to_state=S.IN_PROGRESS,
            verb="report.return",
            comment=comment,
            service=services.report_return,
        )

    @rule(who=people, n=picks)
    def accept(self, who, n):
        self._review(
            who,
            n,
            action="accept",
            from_state=S.APPROVED,
            to_state=S.DONE,
            verb="report.accept",
            comment=None,
            service=services.report_accept,
        )

    @rule(who=people, comment=NOTES, n=picks)
    def return_by_office(self, who, comment, n):
        self._review(
            who,
            n,
            action="accept",
            from_state=S.APPROVED,
            to_state=S.IN_PROGRESS,
            verb="report.return_office",
            comment=comment,
            service=services.report_return_office,
        )

    # Extensions ---------------------------------------------------------------------------

    @rule(who=people, days=st.integers(-2, 20), reason=NOTES, n=picks)
    def request_extension(self, who, days, reason, n):
        a, at = self.pick(n, (S.NEW, S.IN_PROGRESS, S.REPORTED)), self.tick()
        who = self.who(who, "request_extension", a, n)
        requested = (a.due or self.today) + timedelta(days=days)
        expected = self.refusal(who, "request_extension", a)
        if expected is None and a.state not in (S.NEW, S.IN_PROGRESS, S.REPORTED):
            expected = AlreadyHandled
        if expected is None and a.due is None:
            expected = DomainError
        if expected is None and (requested <= a.due or not reason.strip()):
            expected = InvalidInput
        pending = [
            e
            for e in self.extensions.values()
            if e.assignment == a.pk
            and e.status in (ExtensionStatus.REQUESTED, ExtensionStatus.ENDORSED)
        ]
        if expected is None and pending:
            expected = AlreadyHandled
        made = self.attempt(
            expected,
            lambda: services.extension_request(
                actor=self.user(who),
                assignment=a,
                requested_due_date=requested,
                reason=reason,
                at=at,
            ),
        )
        if made:
            a.verbs.append("extension.request")
            status = ExtensionStatus.REQUESTED
            if self.of(who, a, APPROVERS):  # a head's own request counts as endorsed
                status = ExtensionStatus.ENDORSED
                a.verbs.append("extension.endorse")
            self.extensions[made.pk] = ExtensionModel(made.pk, a.pk, requested, status)

    def pick_extension(self, n) -> ExtensionModel:
        keys = sorted(self.extensions)
        return self.extensions[keys[n % len(keys)]]

    @precondition(lambda self: self.extensions)
    @rule(who=people, endorse=st.booleans(), n=picks)
    def endorse(self, who, endorse, n):
        e, at = self.pick_extension(n), self.tick()
        a = self.assignments[e.assignment]
        who = self.who(who, "endorse", a, n)
        expected = None
        if not self.sees(who, a):
            expected = NotFound
        elif not self.of(who, a, APPROVERS):
            expected = Forbidden
        elif e.status != ExtensionStatus.REQUESTED:
            expected = AlreadyHandled
        done = self.attempt(
            expected,
            lambda: services.extension_endorse(
                actor=self.user(who),
                extension=ExtensionRequest(pk=e.pk),
                endorse=endorse,
                at=at,
            ),
        )
        if done:
            e.status = ExtensionStatus.ENDORSED if endorse else ExtensionStatus.DENIED
            a.verbs.append("extension.endorse" if endorse else "extension.refuse_endorsement")

    @precondition(lambda self: self.extensions)
    @rule(who=people, approve=st.booleans(), note_=NOTES, n=picks)
    def decide(self, who, approve, note_, n):
        e, at = self.pick_extension(n), self.tick()
        a = self.assignments[e.assignment]
        who = self.who(who, "decide", a, n)
        expected = self.refusal(who, "decide", a)
        if expected is None and e.status != ExtensionStatus.ENDORSED:
            expected = AlreadyHandled
        if expected is None and not approve and not note_.strip():
            expected = InvalidInput
        if expected is None and approve and not a.open:
            expected = DomainError  # closed work keeps its due date ("assignment_closed")
        if expected is None and approve and (a.due is None or e.requested <= a.due):
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: services.extension_decide(
                actor=self.user(who),
                extension=ExtensionRequest(pk=e.pk),
                approve=approve,
                note=note_,
                at=at,
            ),
        )
        if done:
            if approve:
                e.status = ExtensionStatus.APPROVED
                self.move_due(a, e.requested)
                a.verbs.append("extension.approve")
            else:
                e.status = ExtensionStatus.DENIED
                a.verbs.append("extension.deny")

    # The office's and leaders' own moves --------------------------------------------------

    @rule(who=people, days=st.integers(-1, 15), n=picks)
    def extend(self, who, days, n):
        a, at = self.pick(n), self.tick()
        who = self.who(who, "extend", a, n)
        due = (a.due or self.today) + timedelta(days=days)
        expected = self.refusal(who, "extend", a)
        if expected is None and not a.open:
            expected = AlreadyHandled
        if expected is None and (a.due is None or due <= a.due):
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: services.assignment_extend(
                actor=self.user(who), assignment=a, due_date=due, note="Gia hạn.", at=at
            ),
        )
        if done:
            self.move_due(a, due)
            a.verbs.append("assignment.extend")

    @rule(who=people, assignee=people, n=picks)
    def reassign_officer(self, who, assignee, n):
        a, at = self.pick(n), self.tick()
        who = self.who(who, "reassign", a, n)
        assignee = self.assignee(assignee, a, n // 3)
        expected = self.refusal(who, "reassign", a)
        if expected is None and not a.open:
            expected = AlreadyHandled
        if expected is None and not self.of(assignee, a, ASSIGNEE_ROLES):
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: services.assignment_reassign(
                actor=self.user(who), assignment=a, assignee=self.user(assignee), at=at
            ),
        )
        if done:
            a.assignee = assignee
            a.verbs.append("assignment.reassign_officer")

    @rule(who=people, agency=st.sampled_from(["TC", "NV", "CA"]), n=picks)
    def reassign_agency(self, who, agency, n):
        a, at = self.pick(n), self.tick()
        who = self.who(who, "reassign", a, n)
        expected = self.refusal(who, "reassign", a)
        if expected is None and not a.open:
            expected = AlreadyHandled
        if expected is None and agency == a.agency:
            expected = InvalidInput
        done = self.attempt(
            expected,
            lambda: services.assignment_reassign(
                actor=self.user(who), assignment=a, agency=self.agencies[agency], at=at
            ),
        )
        if done:
            a.verbs.append("assignment.reassign")
            self.close(a, S.TRANSFERRED)
            self.successor(a, agency)

    @rule(who=people, agency=st.sampled_from(["TC", "NV", "CA"]), n=picks)
    def transfer(self, who, agency, n):
        a, at = self.pick(n), self.tick()
        who = self.who(who, "transfer", a, n)
        successors = (
            {"NV"}
            if a.agency == "TC" and a.assigned_on < FUNCTION_MOVED_ON <= self.today
            else set()
        )
        expected = self.refusal(who, "transfer", a)
        if expected is None and not a.open:
            expected = AlreadyHandled
        if expected is None and agency not in successors:
            expected = InvalidInput  # the same agency, or one that took nothing over
        done = self.attempt(
            expected,
            lambda: services.assignment_transfer(
                actor=self.user(who), assignment=a, to_agency=self.agencies[agency], at=at
            ),
        )
        if done:
            a.verbs.append("assignment.transfer")
            self.close(a, S.TRANSFERRED)
            self.successor(a, agency)

    # The office's decisions on escalations -----------------------------------------------

    @precondition(lambda self: self.escalations)
    @rule(
        who=people,
        decision=st.sampled_from(["close", "penalty", "extend", "send_up"]),
        days=st.integers(-1, 15),
        n=picks,
    )
    def decide_escalation(self, who, decision, days, n):
        keys = sorted(self.escalations, key=lambda k: (k[0], k[2], k[1]))
        key = keys[n % len(keys)]
        pk, kind, due = key
        e, a, at = self.escalations[key], self.assignments[pk], self.tick()
        row = Escalation.objects.get(assignment_id=pk, level__kind=kind, due_date=due)
        new_due = due + timedelta(days=days)
        leader_step = e.sent_up
        if who == RIGHT:
            who = "leader" if leader_step else "reviewer"
        # A leader's step cannot be sent up again: "send_up" is then no decision at all.
        invalid = (decision == "send_up" and leader_step) or (
            decision == "extend" and a.due is not None and new_due <= a.due
        )
        expected = None
        if not self.sees(who, a):
            expected = NotFound
        elif self.role(who) != (Role.LEADER if leader_step else Role.REVIEWER):
            expected = Forbidden
        elif not e.open:
            expected = AlreadyHandled
        elif invalid:
            expected = InvalidInput
        decided = Decision(
            decision=decision,
            note="Đã xem xét.",
            due_date=new_due,
            penalty_points=Decimal(1),
            send_up=decision == "send_up",
        )
        done = self.attempt(
            expected,
            lambda: escalation_decide(
                actor=self.user(who), escalation=row, decision=decided, at=at
            ),
        )
        if not done:
            return
        if decision == "send_up":
            e.sent_up = True
            a.verbs.append("escalation.send_up")
            return
        a.verbs.append(f"escalation.{decision}")
        for (other, _kind, other_due), level in self.escalations.items():
            if other == pk and other_due == due and level.open:
                level.resolution = DECIDED_AS[decision]
        if decision == "extend":
            self.move_due(a, new_due)
            a.verbs.append("assignment.extend")

    def inspection_and_scorecard_rules(self):
        """Where the rules of the issues to come plug in (they do not exist yet):

        - inspections (inspection/): an inspection's recommendation becomes a remediation
          assignment through workflow's services — a rule that closes an inspection and
          adds the assignment it makes to ``self.assignments`` (source "inspection"), after
          which every invariant below applies to it as to any other;
        - scorecards (emulation/): a rule that finalises an agency's scorecard for a period,
          keeping its lines; an invariant that no finalised scorecard (nor its lines) changed
          after any later step, whatever the workflow did to the assignments it counts.
        """

    # Invariants ---------------------------------------------------------------------------

    @invariant()
    def holds(self):
        """Every check, after each step that changed something or moved the clock (a refused
        step has been checked to change nothing, ``attempt``)."""
        if not self.dirty:
            return
        self.assignments_are_as_modelled()
        self.every_change_is_on_the_timeline_and_told_once()
        self.processes_wait_where_the_state_says()
        self.escalations_are_those_the_levels_imply()
        self.timeliness_follows_from_the_dates()
        self.dirty = False

    def assignments_are_as_modelled(self):
        rows = Assignment.objects.in_bulk(list(self.assignments))
        assert len(rows) == len(self.assignments)
        assert Assignment.objects.count() == len(self.assignments), "an assignment not modelled"
        users = {u.pk: name for name, u in self.users.items()}
        for pk, a in self.assignments.items():
            row = rows[pk]
            assert (row.state, row.agency_id, row.due_date, row.original_due_date) == (
                a.state,
                self.agencies[a.agency].pk,
                a.due,
                a.original_due,
            ), pk
            assert users.get(row.assignee_id) == a.assignee, pk
            assert row.completed_on == (a.completed_on if a.state == S.DONE else None), pk

    def every_change_is_on_the_timeline_and_told_once(self):
        lines: dict[int, list[str]] = {}
        entries = {}
        for pk, content_type, object_id, verb, actor in AuditEvent.objects.order_by(
            "pk"
        ).values_list("pk", "content_type_id", "object_id", "verb", "actor_id"):
            entries[pk] = (verb, actor)
            if content_type == self.audit_type.pk:
                lines.setdefault(int(object_id), []).append(verb)
        assert lines == {pk: a.verbs for pk, a in self.assignments.items()}
        # No one is told twice of one event (per person and key), nor of their own step.
        keys = Counter(Notice.objects.values_list("recipient_id", "key"))
        assert all(n == 1 for n in keys.values())
        for recipient, key in keys:
            verb, _, entry = key.rpartition(":")
            if entry.isdigit() and entries.get(int(entry), ("", None))[0] == verb:
                assert entries[int(entry)][1] != recipient, key

    def processes_wait_where_the_state_says(self):
        processes = {
            p.assignment_id: p
            for p in AssignmentFlow.process_class.objects.filter(assignment__isnull=False)
        }
        open_tasks: dict[int, list[str]] = {}
        for process_id, task in Task.objects.filter(status__in=OPEN_TASK).values_list(
            "process_id", "flow_task"
        ):
            open_tasks.setdefault(process_id, []).append(task.name)
        for pk, a in self.assignments.items():
            process = processes[pk]
            waiting = open_tasks.get(process.pk, [])
            if a.open:
                assert waiting == [TASK_OF_STATE[a.state]], (pk, a.state, waiting)
            else:
                assert waiting == [] and process.finished is not None, (pk, a.state, waiting)
        for ext in ExtensionFlow.process_class.objects.filter(extension__isnull=False):
            status = self.extensions[ext.extension_id].status
            waiting = open_tasks.get(ext.pk, [])
            assert waiting == ([EXTENSION_TASK[status]] if status in EXTENSION_TASK else [])
        rows = dict(ExtensionRequest.objects.values_list("pk", "status"))
        assert rows == {pk: e.status for pk, e in self.extensions.items()}

    def escalations_are_those_the_levels_imply(self):
        found = {}
        for row in Escalation.objects.select_related("level"):
            key = (row.assignment_id, row.level.kind, row.due_date)
            assert key not in found, f"escalated twice: {key}"
            found[key] = row
        assert set(found) == set(self.escalations)
        still_open = Counter(
            (pk, kind) for (pk, kind, _due), row in found.items() if row.resolved_at is None
        )
        assert all(n == 1 for n in still_open.values()), still_open
        processes = {
            p.escalation_id: p for p in EscalationProcess.objects.filter(escalation__isnull=False)
        }
        for key, row in found.items():
            e, a = self.escalations[key], self.assignments[key[0]]
            assert row.resolution == e.resolution, (key, row.resolution, e.resolution)
            assert (row.resolved_at is None) == e.open, key
            if e.open:
                assert a.open and a.due == key[2], key
            assert row.sent_to_leader == e.sent_up, key
            process = processes.get(row.pk)
            if key[1] == LevelKind.OFFICE:
                assert process is not None, key
                assert (process.finished is None) == e.open, key
            else:
                assert process is None, key

    def expected_timeliness(self) -> dict[int, str]:
        today = self.today
        pending = {
            e.assignment
            for e in self.extensions.values()
            if e.status in (ExtensionStatus.REQUESTED, ExtensionStatus.ENDORSED)
        }
        expected = {}
        for pk, a in self.assignments.items():
            if a.state == S.CANCELLED:
                value = Timeliness.CANCELLED
            elif a.state == S.TRANSFERRED:
                value = Timeliness.TRANSFERRED
            elif a.state == S.DONE:
                on_time = a.due is None or a.completed_on <= a.due
                value = Timeliness.DONE_ON_TIME if on_time else Timeliness.DONE_LATE
            elif pk in pending:
                value = Timeliness.EXTENSION_REQUESTED
            elif a.due is None:
                value = Timeliness.CONTINUOUS
            elif a.due < today:
                value = Timeliness.OVERDUE
            else:
                value = Timeliness.ON_TIME
            expected[pk] = value
        return expected

    def timeliness_follows_from_the_dates(self):
        today, expected = self.today, self.expected_timeliness()
        # The CASE the lists show, and the filter on the columns (``timeliness_is``) for each
        # value: one query.
        rows = Assignment.objects.annotate(
            timeliness=timeliness(today),
            **{
                f"is_{value}": ExpressionWrapper(timeliness_is(value, today), BooleanField())
                for value in Timeliness.values
            },
        ).values("pk", "timeliness", *(f"is_{value}" for value in Timeliness.values))
        for row in rows:
            assert row["timeliness"] == expected[row["pk"]], row
            chosen = [value for value in Timeliness.values if row[f"is_{value}"]]
            assert chosen == [row["timeliness"]], row


@pytest.mark.slow
@pytest.mark.django_db
def test_the_workflow_holds_its_invariants_under_random_steps(
    people, directive, assignment, small_tree, figure
):
    for name in ADDED:
        role, code = WORLD[name]
        people[name] = grant(role, small_tree[code], date(2025, 8, 1), username=name)
    Succession.objects.create(
        predecessor=small_tree["TC"],
        successor=small_tree["NV"],
        kind=SuccessionKind.TRANSFER_FUNCTION,
        effective_on=FUNCTION_MOVED_ON,
        function="quản lý giá",
    )
    WorkflowMachine.users = people
    WorkflowMachine.agencies = {code: Agency.objects.get(code=code) for code in ("TC", "NV", "CA")}
    WorkflowMachine.directive = directive
    WorkflowMachine.first = assignment
    WorkflowMachine.examples = WorkflowMachine.steps = 0
    failed = 1
    try:
        run_state_machine_as_test(
            WorkflowMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=not LONG_RUN,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
        failed = 0
    finally:
        figure("workflow state machine examples", WorkflowMachine.examples, failed)
        figure("workflow state machine steps", WorkflowMachine.steps, failed)
        for outcome, n in sorted(WorkflowMachine.outcomes.items()):
            print(f"{outcome}: {n}")


def test_an_extension_of_closed_work_is_not_approved(people, assignment):
    """Found by the machine's model: an extension still pending when the work closed could be
    approved afterwards, moving the due date of done work — a result reported late became
    "done on time" after the fact. Closed work keeps its due date (as ``assignment_extend``
    already holds); the pending request may still be denied, which closes it."""
    at = vn(2026, 3, 2)  # after the due date of 27/02
    services.assignment_receive(
        actor=people["head"], assignment=assignment, assignee=people["officer"], at=at
    )
    extension = services.extension_request(
        actor=people["officer"],
        assignment=assignment,
        requested_due_date=date(2026, 3, 31),
        reason="Chờ số liệu quý I.",
        at=at,
    )
    services.extension_endorse(actor=people["head"], extension=extension, endorse=True, at=at)
    services.completion_report_file(
        actor=people["officer"], assignment=assignment, text="Đã xong.", at=at
    )
    services.report_approve(actor=people["head"], assignment=assignment, at=at)
    services.report_accept(actor=people["reviewer"], assignment=assignment, at=at)
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        services.extension_decide(
            actor=people["reviewer"], extension=extension, approve=True, at=at
        )
    assert refused.value.code == "assignment_closed"
    assert snapshot() == before
    late = Assignment.objects.annotate(timeliness=timeliness(date(2026, 3, 2))).get(
        pk=assignment.pk
    )
    assert (late.due_date, late.timeliness) == (date(2026, 2, 27), Timeliness.DONE_LATE)
    services.extension_decide(
        actor=people["reviewer"], extension=extension, approve=False, note="Đã xong.", at=at
    )
    assert ExtensionRequest.objects.get(pk=extension.pk).status == ExtensionStatus.DENIED
