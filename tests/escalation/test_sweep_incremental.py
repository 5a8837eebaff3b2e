"""The incremental sweep against the sweep that weighs every open assignment on every pass.

Over random histories — assignments made at random moments with random due dates and
modalities, due dates moved, work completed, sweeps at random times, each run twice — the
incremental sweep (watermarks per level, the claim of new and moved assignments) must leave
exactly the escalations and notices the full sweep leaves. The full sweep is the same code
with every watermark forgotten before each pass, which is what the first wave did on every
pass.
"""

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation.models import Escalation, EscalationLevel
from escalation.sweep import sweep
from notifications.models import Notice
from tests.fixtures.workflow import vn
from workflow.choices import DuePolicy, Modality
from workflow.deadlines import DueRule
from workflow.models import Assignment
from workflow.services import (
    Target,
    assignment_extend,
    assignment_receive,
    assignments_create,
    completion_report_file,
    report_accept,
    report_approve,
)

START = date(2026, 3, 2)  # a Monday

make_event = st.one_of(
    st.tuples(
        st.just("make"),
        st.integers(-25, 40),  # due date, days after START
        st.sampled_from([Modality.ORDER, Modality.REQUEST]),
    ),
    st.tuples(st.just("extend"), st.integers(0, 7), st.integers(1, 20)),
    st.tuples(st.just("complete"), st.integers(0, 7), st.just(0)),
    st.tuples(st.just("sweep"), st.just(0), st.just(0)),
)
history = st.lists(
    st.tuples(st.integers(0, 45), st.integers(0, 23), make_event), min_size=3, max_size=16
)


def _run(events, people, agency, item, *, full: bool):
    """Play ``events`` (sorted by moment) and return what the sweeps left, without ids."""
    made: list[Assignment] = []
    for day, hour, (kind, a, b) in sorted(events, key=lambda e: (e[0], e[1])):
        at = vn(*(START + timedelta(days=day)).timetuple()[:3], hour)
        today = START + timedelta(days=day)
        if kind == "make":
            due = START + timedelta(days=a)
            made += assignments_create(
                actor=people["reviewer"],
                item=item,
                targets=[Target(agency=agency, modality=b)],
                due_rule=DueRule(DuePolicy.FIXED, fixed_date=max(due, today)),
                title=f"Việc {len(made)}",
                assigned_on=today,
                at=at,
            )
        elif kind == "sweep":
            for _ in range(2):  # each run twice: the second pass adds nothing
                if full:
                    EscalationLevel.objects.update(swept_through=None)
                sweep(now=at, send_mail=False)
        elif made:
            target = made[a % len(made)]
            target.refresh_from_db()
            if target.state not in ("new", "in_progress"):
                continue
            if kind == "extend":
                assignment_extend(
                    actor=people["reviewer"],
                    assignment=target,
                    due_date=target.due_date + timedelta(days=b),
                    note="Gia hạn.",
                    at=at,
                )
            else:
                if target.state == "new":
                    assignment_receive(
                        actor=people["head"], assignment=target, assignee=people["officer"], at=at
                    )
                completion_report_file(
                    actor=people["officer"], assignment=target, text="Xong.", at=at
                )
                report_approve(actor=people["head"], assignment=target, at=at)
                report_accept(actor=people["reviewer"], assignment=target, at=at)
    titles = {a.pk: a.title for a in made}
    escalations = {
        (titles[e.assignment_id], e.level_id, e.due_date, e.raised_at, e.resolved_at, e.resolution)
        for e in Escalation.objects.all()
    }

    def unnumbered(text: str) -> str:  # escalation and assignment ids differ between runs
        return re.sub(r"\d+", "#", text)

    notices = Counter(
        (n.recipient_id, n.category, n.title, unnumbered(n.key), unnumbered(n.url), n.urgent)
        for n in Notice.objects.filter(key__contains="escalation")
        | Notice.objects.filter(key__startswith="agency-level")
    )
    return escalations, notices


def _played(events, people, agency, item, *, full: bool):
    with transaction.atomic():
        result = _run(events, people, agency, item, full=full)
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=history)
def test_the_incremental_sweep_leaves_what_a_full_sweep_leaves(
    events, directive, people, small_tree
):
    item = directive.items.get(number="1")
    agency = small_tree["TC"]
    incremental = _played(events, people, agency, item, full=False)
    full = _played(events, people, agency, item, full=True)
    assert incremental == full


def test_a_pass_with_nothing_new_reads_no_assignment(assignment, django_assert_max_num_queries):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    # The calendar, the policies and their levels, the claim (empty): no level re-reads the
    # assignments it weighed, no watermark moves, nothing is written.
    with django_assert_max_num_queries(10) as queries:
        report = sweep(now=vn(2026, 6, 1, 10), send_mail=False)
    assert report.escalations == report.resolved == report.flows_opened == 0
    reads = [q["sql"] for q in queries.captured_queries if "workflow_assignment" in q["sql"]]
    assert all("sweep_pending" in sql for sql in reads)  # the claim only
    assert not [q for q in queries.captured_queries if '"escalation_escalation"' in q["sql"]]


def test_the_next_day_weighs_only_the_due_dates_that_entered_a_window(
    assignment, directive, people, small_tree
):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    before = Escalation.objects.count()
    # Due long after: made today, claimed by the next pass, but no level reached yet.
    later = assignments_create(
        actor=people["reviewer"],
        item=directive.items.get(number="1"),
        targets=[Target(agency=small_tree["TC"])],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 6, 12)),
        title="Việc sau",
        assigned_on=date(2026, 6, 1),
        at=vn(2026, 6, 1, 11),
    )[0]
    sweep(now=vn(2026, 6, 2), send_mail=False)
    assert Escalation.objects.count() == before
    assert not Assignment.objects.filter(pk=later.pk, sweep_pending=True).exists()
    # 12/6 is three working days after 9/6: the reminder's window reaches it by its watermark.
    sweep(now=vn(2026, 6, 9), send_mail=False)
    assert list(
        Escalation.objects.filter(assignment=later).values_list("level__kind", flat=True)
    ) == ["reminder"]
