"""One item given to many agencies at once (``assignments_create``, issue 10 item 5): the rows
are written in bulk — the assignments, their viewflow processes and first tasks, the timeline's
first lines and the notices — the same rows as assignments made one at a time, whole or not at
all, in as many queries for a thousand agencies as for ten."""

from datetime import date

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from agencies.choices import AgencyKind, Role
from agencies.models import Agency, AgencyVersion, Membership, User
from core.exceptions import Forbidden, InvalidInput, NotFound
from core.flowtasks import processes_start_for
from core.models import AuditEvent
from notifications.models import Category, Delivery, Notice, NoticePreference
from tests.fixtures.workflow import vn
from workflow import notices
from workflow.choices import AssignmentRole, AssignmentSource, DuePolicy, Modality
from workflow.deadlines import DueRule
from workflow.flows import AssignmentFlow
from workflow.models import Assignment, AssignmentProcess
from workflow.services import Target, assignments_create
from workflow.services.assigning import assignment_start

pytestmark = pytest.mark.django_db

AT = vn(2026, 1, 5)
ON = date(2026, 1, 5)
DUE = date(2026, 2, 27)
LINK = Task.previous.through


def communes(n: int, *, prefix: str) -> list[Agency]:
    """``n`` communes of the new province (P2) since 01/07/2025, each with a head; written in
    bulk (a thousand through the services would take minutes)."""
    parent = Agency.objects.get(code="P2")
    agencies = Agency.objects.bulk_create([Agency(code=f"{prefix}{i:04d}") for i in range(n)])
    AgencyVersion.objects.bulk_create(
        [
            AgencyVersion(
                agency=a,
                valid_from=date(2025, 7, 1),
                name=f"Ủy ban nhân dân xã {a.code}",
                name_key=f"uy ban nhan dan xa {a.code.lower()}",
                kind=AgencyKind.COMMUNE,
                parent=parent,
            )
            for a in agencies
        ]
    )
    heads = User.objects.bulk_create(
        [User(username=f"head-{a.code.lower()}", password="!") for a in agencies]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, agency=a, role=Role.HEAD, valid_from=date(2025, 8, 1))
            for u, a in zip(heads, agencies, strict=True)
        ]
    )
    return agencies


def broadcast(people, item, agencies, **kwargs):
    return assignments_create(
        actor=people["reviewer"],
        item=item,
        targets=kwargs.pop("targets", None) or [Target(agency=a) for a in agencies],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=DUE),
        title=kwargs.pop("title", "Rà soát thủ tục hành chính"),
        assigned_on=ON,
        at=AT,
        **kwargs,
    )


def counts() -> dict[str, int]:
    return {
        name: model._base_manager.count()
        for name, model in {
            "assignments": Assignment,
            "processes": Process,
            "assignment processes": AssignmentProcess,
            "tasks": Task,
            "task links": LINK,
            "audit": AuditEvent,
            "notices": Notice,
        }.items()
    }


WALL_CLOCK = {"created_at", "created", "assigned", "started", "finished"}


def _fields(row, skip=(), clock=WALL_CLOCK) -> dict:
    """A row's values without its keys; wall-clock moments (``clock``) as "set or not"."""
    values = {}
    for f in type(row)._meta.concrete_fields:
        if f.primary_key or f.attname in skip:
            continue
        value = getattr(row, f.attname)
        if f.attname in clock:
            value = value is not None
        elif f.attname == "flow_task":
            value = value.name
        elif f.attname == "token":
            value = str(value)
        values[f.attname] = value
    return values


def snapshot(made: list[Assignment]) -> dict:
    """Everything the creation of ``made`` wrote, keys replaced by positions."""
    ids = [a.pk for a in made]
    rows = []
    for a in Assignment.objects.filter(pk__in=ids).order_by("pk"):
        process = AssignmentProcess.objects.get(assignment=a)
        tasks = list(Task.objects.filter(process_id=process.pk).order_by("pk"))
        position = {t.pk: i for i, t in enumerate(tasks)}
        rows.append(
            {
                "assignment": {
                    **_fields(a, skip={"parent_id"}),
                    "parent": ids.index(a.parent_id) if a.parent_id else None,
                },
                "process": _fields(process, skip={"process_ptr_id", "assignment_id"}),
                "tasks": [_fields(t, skip={"process_id"}) for t in tasks],
                "links": sorted(  # (task, the task before it)
                    (position[task], position[previous])
                    for task, previous in LINK.objects.filter(from_task__in=tasks).values_list(
                        "from_task_id", "to_task_id"
                    )
                ),
                "audit": [
                    {
                        **_fields(e, skip={"object_id"}),
                        "object_repr": e.object_repr.split(" ", 1)[1],
                    }
                    for e in AuditEvent.objects.filter(
                        verb="assignment.create", object_id=str(a.pk)
                    ).order_by("pk")
                ],
            }
        )
    told = sorted(
        tuple(_fields(n, clock=()).values())  # a notice is dated by the step's moment
        for n in Notice.objects.filter(category=Category.NEW_WORK)
    )
    return {"rows": rows, "notices": told}


class Rollback(Exception):
    pass


def test_one_lead_and_one_contribution_are_the_same_rows_in_bulk_as_one_at_a_time(
    directive, small_tree, people
):
    item = directive.items.get(number="2")
    tc, nv = small_tree["TC"], small_tree["NV"]
    common = {
        "item": item,
        "title": "Báo cáo giải ngân",
        "expected_output": "Báo cáo",
        "assigned_on": ON,
        "due_policy": DuePolicy.FIXED,
        "modality": Modality.ORDER,
        "due_date_as_written": None,
    }
    with pytest.raises(Rollback), transaction.atomic():
        lead = assignment_start(
            actor=people["reviewer"],
            at=AT,
            agency=tc,
            agency_as_written=tc,
            agency_text="Sở Tài chính",
            role=AssignmentRole.LEAD,
            due_date=DUE,
            source=AssignmentSource.DIRECTIVE,
            **common,
        )
        contribution = assignment_start(
            actor=people["reviewer"],
            at=AT,
            agency=nv,
            agency_as_written=nv,
            agency_text="Sở Nội vụ",
            role=AssignmentRole.COORDINATING,
            due_date=date(2026, 2, 24),  # 3 working days before the lead's
            parent=lead,
            source=AssignmentSource.CONTRIBUTION,
            **common,
        )
        one_at_a_time = snapshot([lead, contribution])
        raise Rollback
    made = assignments_create(
        actor=people["reviewer"],
        item=item,
        targets=[
            Target(agency=tc, as_written="Sở Tài chính"),
            Target(agency=nv, role=AssignmentRole.COORDINATING, as_written="Sở Nội vụ"),
        ],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=DUE),
        title="Báo cáo giải ngân",
        expected_output="Báo cáo",
        assigned_on=ON,
        at=AT,
    )
    in_bulk = snapshot(made)
    assert in_bulk == one_at_a_time
    # What the shape is: a process awaiting receipt, its start done, its receipt open.
    first = in_bulk["rows"][0]
    assert first["process"]["status"] == PROCESS.NEW
    assert [(t["flow_task"], t["flow_task_type"], t["status"]) for t in first["tasks"]] == [
        ("start", "START", STATUS.DONE),
        ("receive", "HUMAN", STATUS.NEW),
    ]
    assert first["tasks"][1]["owner_id"] is None
    assert first["links"] == [(1, 0)]  # receive.previous = start
    assert len(in_bulk["notices"]) == 3  # head and clerk of TC, head of NV


def test_a_broadcast_gives_each_agency_an_assignment_a_process_and_an_open_receipt(
    directive, small_tree, people, django_capture_on_commit_callbacks
):
    agencies = communes(40, prefix="XA")
    urgent = User.objects.get(username="head-xa0007")
    NoticePreference.objects.create(user=urgent, category=Category.NEW_WORK, delivery="now")
    urgent.email = "xa7@example.vn"
    urgent.save()
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        made = broadcast(people, directive.items.get(number="1"), agencies)
    after = counts()
    assert len(made) == 40
    assert {a.agency_id for a in made} == {a.pk for a in agencies}
    grown = {name: after[name] - before[name] for name in after}
    assert grown == {
        "assignments": 40,
        "processes": 40,
        "assignment processes": 40,
        "tasks": 80,  # the start, done, and the receipt, open
        "task links": 40,
        "audit": 40,
        "notices": 40,  # the head of each commune
    }
    for a in Assignment.objects.filter(pk__in=[m.pk for m in made]).select_related("process"):
        tasks = a.process.task_set.order_by("pk")
        assert [(t.flow_task, t.status) for t in tasks] == [
            (AssignmentFlow.start, STATUS.DONE),
            (AssignmentFlow.receive, STATUS.NEW),
        ]
        assert list(tasks[1].previous.all()) == [tasks[0]]
    notice = Notice.objects.get(recipient__username="head-xa0003")
    assert "Ủy ban nhân dân xã XA0003" in notice.title and directive.number in notice.title
    assert notice.key == f"new-work:{directive.pk}:{agencies[3].pk}:2026-01-05"
    assert Notice.objects.get(recipient=urgent).delivery == Delivery.NOW
    assert [m.to for m in mail.outbox] == [["xa7@example.vn"]]  # mailed at once, as chosen
    assert not Notice.objects.filter(recipient=people["reviewer"]).exists()  # not the actor


def test_the_assignments_come_back_in_the_order_of_the_agencies_given(
    directive, small_tree, people
):
    a, b, c = communes(3, prefix="XH")
    targets = [
        Target(agency=c),
        Target(agency=a, modality=Modality.REQUEST, as_written="UBND xã"),
        Target(agency=b),
    ]
    made = broadcast(people, directive.items.first(), [], targets=targets)
    assert [m.agency for m in made] == [c, a, b]
    assert [m.modality for m in made] == [Modality.ORDER, Modality.REQUEST, Modality.ORDER]
    saved = Assignment.objects.in_bulk([m.pk for m in made])
    assert [saved[m.pk].agency_id for m in made] == [c.pk, a.pk, b.pk]
    assert saved[made[1].pk].agency_text == "UBND xã"


def test_the_same_directive_the_same_day_tells_each_agency_once(directive, small_tree, people):
    agencies = communes(5, prefix="XB")
    broadcast(people, directive.items.get(number="1"), agencies)
    broadcast(people, directive.items.get(number="2"), agencies)
    assert Notice.objects.filter(category=Category.NEW_WORK).count() == 5


def test_only_those_who_may_assign_the_directive_broadcast_it(directive, small_tree, people):
    agencies = communes(20, prefix="XI")
    before = counts()
    with pytest.raises((Forbidden, NotFound)):
        assignments_create(
            actor=people["head"],
            item=directive.items.first(),
            targets=[Target(agency=a) for a in agencies],
            due_rule=DueRule(DuePolicy.FIXED, fixed_date=DUE),
            title="Rà soát",
            assigned_on=ON,
            at=AT,
        )
    assert counts() == before
    assert len(broadcast(people, directive.items.first(), agencies)) == 20  # the office may


def test_an_agency_that_did_not_exist_that_day_refuses_the_whole_list(
    directive, small_tree, people
):
    agencies = communes(30, prefix="XC")
    before = counts()
    with pytest.raises(InvalidInput) as error:
        broadcast(people, directive.items.first(), [*agencies, small_tree["KHDT"]])
    assert error.value.code == "agency_not_valid"
    assert "KHDT" in str(error.value.message)
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"title": "x" * 256}, None),  # a field's own rule (max length)
        ({"targets": "long as written"}, None),  # one row among many breaks a rule
        ({"targets": "twice"}, "duplicate_agency"),
    ],
)
def test_a_broken_rule_in_any_row_writes_nothing(directive, small_tree, people, change, code):
    agencies = communes(30, prefix="XD")
    targets = [Target(agency=a) for a in agencies]
    if change.get("targets") == "long as written":
        targets[17] = Target(agency=agencies[17], as_written="x" * 501)
        change = {"targets": targets}
    elif change.get("targets") == "twice":
        change = {"targets": [*targets, Target(agency=agencies[0])]}
    before = counts()
    with pytest.raises(InvalidInput) as error:
        broadcast(people, directive.items.first(), agencies, **change)
    if code:
        assert error.value.code == code
    assert counts() == before


def test_a_failure_after_the_rows_are_written_leaves_none_of_them(
    directive, small_tree, people, monkeypatch
):
    agencies = communes(30, prefix="XE")

    def fail(**kwargs):
        assert Assignment.objects.filter(agency__in=agencies).count() == 30  # written by now
        raise RuntimeError("the notices could not be written")

    monkeypatch.setattr(notices, "new_work_announce", fail)
    before = counts()
    with pytest.raises(RuntimeError):
        broadcast(people, directive.items.first(), agencies)
    assert counts() == before


def test_a_broadcast_costs_as_many_queries_for_a_thousand_agencies_as_for_ten(
    directive, small_tree, people, django_assert_max_num_queries
):
    agencies = communes(1011, prefix="XF")
    item = directive.items.first()
    broadcast(people, item, agencies[:1])  # warm the caches (content types)
    with CaptureQueriesContext(connection) as ten:
        broadcast(people, item, agencies[1:11])
    with django_assert_max_num_queries(len(ten)), CaptureQueriesContext(connection) as thousand:
        made = broadcast(people, item, agencies[11:])
    assert len(made) == 1000
    assert len(thousand) == len(ten) <= 25
    assert Notice.objects.filter(category=Category.NEW_WORK).count() == 1011


def test_both_helpers_write_what_viewflow_start_writes(directive, small_tree, people):
    """``processes_start_for`` leaves the rows ``AssignmentFlow.start.run`` leaves, for any
    subjects: one assignment by viewflow, one alone and one among others by the helper."""
    made = broadcast(people, directive.items.first(), communes(3, prefix="XG"))
    subjects = Assignment.objects.filter(pk__in=[a.pk for a in made])
    # Take the bulk-made processes away (their tasks and links go with them), then start them
    # again each way.
    roots = AssignmentProcess.objects.filter(assignment__in=subjects).values_list("pk", flat=True)
    Process.objects.filter(pk__in=list(roots)).delete()
    assert not Task.objects.filter(process__assignmentprocess__assignment__in=subjects).exists()
    by_viewflow, alone, set_based = made
    AssignmentFlow.start.run(assignment=by_viewflow)
    for one in (alone, set_based):
        started = processes_start_for(
            AssignmentFlow,
            AssignmentFlow.receive,
            subjects=subjects.filter(pk=one.pk),
            link="assignment",
        )
        assert list(started) == [one.pk]
    shapes = [snapshot([a])["rows"][0] for a in made]
    for shape in shapes:
        for key in ("agency_id", "agency_as_written_id"):
            shape["assignment"].pop(key)
        shape.pop("audit")  # names the agency
    assert shapes[0] == shapes[1] == shapes[2]


class OwnedFlow(flow.Flow):
    """A flow whose first task is given to someone as it is created."""

    process_class = AssignmentProcess
    start = flow.StartHandle().Next(this.work)
    work = flow.View(None).Assign(lambda activation: None).Next(this.end)
    end = flow.End()


def test_processes_start_refuses_what_it_would_not_do_as_viewflow_does():
    every = Assignment.objects.all()
    with pytest.raises(ValueError, match="start handle"):
        processes_start_for(
            AssignmentFlow, AssignmentFlow.approve, subjects=every, link="assignment"
        )
    with pytest.raises(ValueError, match="does work of its own"):
        processes_start_for(OwnedFlow, OwnedFlow.work, subjects=every, link="assignment")
    with pytest.raises(ValueError, match="does not point at"):
        processes_start_for(
            AssignmentFlow, AssignmentFlow.receive, subjects=Agency.objects.all(), link="assignment"
        )
