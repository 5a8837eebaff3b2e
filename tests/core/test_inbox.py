"""The inbox reads one indexed sub-query per kind, and a page by its ids: it must list exactly
the tasks, in exactly the orders, of the inbox it replaces — one condition OR'ed across every
kind over viewflow's task table (written out below as the reference) — on every page, read
from the front or from the end, whole or by kind, whatever form the due-date order takes."""

from collections import Counter
from datetime import datetime

import pytest
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from viewflow.workflow.models import Task

from agencies.access import holds_role, member_agencies
from agencies.choices import Role
from agencies.models import User
from bench import dataset
from core import inbox
from core.flowtasks import OPEN_TASK
from escalation.flows import EscalationFlow
from workflow.access import APPROVERS, RECEIVERS
from workflow.flows import AssignmentFlow, ExtensionFlow

pytestmark = pytest.mark.slow

NOW = datetime.fromisoformat("2026-12-01T10:00:00+07:00")
ASSIGNMENT = "process__assignmentprocess__assignment__"
EXTENSION = "process__extensionprocess__extension__assignment__"
ESCALATION = "process__escalationprocess__escalation__"


def reference(user, kind=None, order="kind") -> list[int]:
    """The inbox as it read before (issue 9): every source's condition OR'ed, one query."""
    reviewer, leader = holds_role(user, [Role.REVIEWER]), holds_role(user, [Role.LEADER])
    wanted = (
        Q(
            flow_task=AssignmentFlow.receive,
            **{f"{ASSIGNMENT}agency_id__in": member_agencies(user, roles=RECEIVERS)},
        )
        | Q(flow_task=AssignmentFlow.report, owner_id=user.pk)
        | Q(
            flow_task=AssignmentFlow.approve,
            **{f"{ASSIGNMENT}agency_id__in": member_agencies(user, roles=APPROVERS)},
        )
        | (reviewer & Q(flow_task__in=[AssignmentFlow.review, AssignmentFlow.triage]))
        | Q(
            flow_task=ExtensionFlow.endorse,
            **{f"{EXTENSION}agency_id__in": member_agencies(user, roles=APPROVERS)},
        )
        | (reviewer & Q(flow_task=ExtensionFlow.decide))
        | (
            Q(**{f"{ESCALATION}resolved_at__isnull": True})
            & (
                (reviewer & Q(flow_task=EscalationFlow.office))
                | (leader & Q(flow_task=EscalationFlow.leader))
            )
        )
    )
    kinds = inbox.inbox_kinds()
    nodes = [n for k in kinds if kind in (None, k.code) for n in k.nodes]
    tasks = Task.objects.filter(wanted, status__in=OPEN_TASK, flow_task__in=nodes)
    if order == "due":
        due = Coalesce(
            F(f"{ASSIGNMENT}due_date"),
            F(f"{EXTENSION}due_date"),
            F(f"{ESCALATION}assignment__due_date"),
        )
        tasks = tasks.annotate(d=due).order_by(F("d").asc(nulls_last=True), "created", "pk")
    elif order == "kind":
        rank = Case(
            *[When(flow_task__in=list(k.nodes), then=Value(i)) for i, k in enumerate(kinds)],
            output_field=IntegerField(),
        )
        tasks = tasks.annotate(r=rank).order_by("r", "-created", "-pk")
    else:
        tasks = tasks.order_by("-created", "-pk")
    return list(tasks.values_list("pk", flat=True))


@pytest.fixture(scope="module")
def province(module_db, django_db_blocker):
    """A small province in every state (the benchmarks' generator): 4 agencies, 700
    assignments, one sweep (late work for the office)."""
    with django_db_blocker.unblock():
        people = dataset.build(700, now=NOW, seed=5, agencies=4)
        return [people.reviewer.pk, people.leader.pk, *(u.pk for u in people.heads.values())] + [
            pair[0].pk for pair in people.officers.values()
        ]


def users(ids):
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def ids(tasks) -> list[int]:
    return [t.pk for t in tasks]


def test_the_province_has_every_kind_of_task(province, db):
    seen = Counter()
    for user in users(province):
        seen.update(+inbox.inbox_counts(user=user))
    assert {
        "receive",
        "report",
        "approve",
        "accept",
        "triage",
        "endorse",
        "decide_extension",
        "escalation",
    } <= set(seen)


@pytest.mark.parametrize("walk_from", [inbox.WALK_FROM, 0])
@pytest.mark.parametrize("order", inbox.ORDERS)
def test_every_person_sees_the_same_tasks_in_the_same_order(
    province, db, order, walk_from, monkeypatch
):
    # walk_from 0: every kind is read by due date through its subjects' due-date index.
    monkeypatch.setattr(inbox, "WALK_FROM", walk_from)
    for user in users(province):
        counts = inbox.inbox_counts(user=user)
        for kind in [None, *(k for k, n in counts.items() if n)]:
            expected = reference(user, kind, order)
            tasks = inbox.inbox_tasks(user=user, kind=kind, order=order, counts=counts)
            assert tasks.count() == len(expected), (user.username, kind)
            assert ids(tasks) == expected, (user.username, kind, order)
            n = len(expected)
            # Pages from the front, across kinds, and from the end (read backwards).
            for start, stop in [
                (0, 7),
                (3, 11),
                (n // 2 - 4, n // 2 + 5),
                (n - 9, n - 2),
                (n - 5, n),
            ]:
                start, stop = max(start, 0), max(stop, 0)
                assert ids(tasks[start:stop]) == expected[start:stop], (user.username, kind, start)


def test_the_counts_by_kind_add_up_to_the_list(province, db):
    for user in users(province):
        counts = inbox.inbox_counts(user=user)
        kinds = {k.code: k for k in inbox.inbox_kinds()}
        by_kind = Counter(inbox.inbox_row(t).kind.code for t in inbox.inbox_tasks(user=user))
        assert +counts == by_kind
        assert sum(counts.values()) == len(reference(user))
        assert set(counts) == set(kinds)


def test_nobody_signed_out_has_an_inbox(province, db):
    from django.contrib.auth.models import AnonymousUser

    assert list(inbox.inbox_tasks(user=AnonymousUser())) == []
    assert sum(inbox.inbox_counts(user=AnonymousUser()).values()) == 0
