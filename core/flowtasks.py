"""Completing a viewflow human task from a service (viewflow checks no permission there: the
service has called ``core.access.require`` before); starting many processes of a flow at once."""

from contextlib import contextmanager
from datetime import datetime

from django.db import connections, router
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import flow, lock
from viewflow.workflow.context import context
from viewflow.workflow.models import Process
from viewflow.workflow.nodes import End, If, StartHandle, View
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import PROCESS, STATUS

from .exceptions import DomainError
from .sql import among, columns_of, constant, insert_from, values_insert

OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED)


class AlreadyHandled(DomainError):
    default_code = "already_handled"
    default_message = _("This step has already been handled by someone else.")


def task_complete(process, node, actor, at: datetime) -> None:
    """Complete the open ``node`` task of ``process`` as ``actor``; AlreadyHandled if none.

    Under viewflow's lock on the process row (``Flow.lock``), the open task is read once. A
    human task whose flow goes on through ``If`` gateways to the next human task or to the
    end — every flow here — is then completed in a constant number of statements, writing
    the rows viewflow 2.4 writes (``_advance``); any other shape goes through viewflow's own
    activation, as ``Task.activation`` runs it.

    The gateways' conditions and the next task's owner are computed from ``process`` and what
    it holds (``process.assignment``, ``process.extension``): the caller passes them as it has
    just saved them, so nothing is read again."""
    flow_class = node.flow_class
    task_model = flow_class.task_class
    straight = _straight(node)
    with _process_lock(flow_class, process.pk, plain=straight):
        task = (
            task_model._base_manager.filter(
                process_id=process.pk, flow_task=node, status__in=OPEN_TASK
            )
            .order_by("pk")
            .first()
        )
        if task is None:
            raise AlreadyHandled()
        if straight:
            _advance(task, process, node, actor, at)
            return
        activation = node.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(actor)
        elif task.owner_id != actor.pk:
            activation.reassign(actor)
        activation.start(None)
        task.started = at
        activation.execute()


@contextmanager
def _process_lock(flow_class, process_pk, *, plain: bool):
    """Viewflow's lock on the process row. For a flow locked by ``select_for_update_lock``
    and completed by ``_advance`` inside the caller's transaction, the same row lock taken by
    one blocking SELECT … FOR UPDATE (viewflow's own takes it NOWAIT and retries, in a
    savepoint of its own: two statements more)."""
    model = flow_class.process_class
    if (
        plain
        and isinstance(flow_class.lock_impl, lock.SelectForUpdateLock)
        and connections[router.db_for_write(model)].in_atomic_block
    ):
        model._default_manager.select_for_update().filter(pk=process_pk).exists()
        yield
        return
    with flow_class.lock(process_pk):
        yield


_SIGNALS = (task_started, task_finished, flow_finished)
# The node classes ``_advance`` stands in for: viewflow's, and ``flow``'s, which only add the
# pages of viewflow's own UI.
_VIEWS, _IFS, _ENDS = (View, flow.View), (If, flow.If), (End, flow.End)


def _straight(node) -> bool:
    """True when completing the human task ``node`` leads, through ``If`` gateways only, to
    human tasks or ends that do nothing of their own on creation — what ``_advance`` writes
    exactly as viewflow would; and nobody listens to the flow's signals (``_advance`` sends
    none)."""
    flow_class = node.flow_class
    if any(signal.has_listeners(flow_class) for signal in _SIGNALS):
        return False
    if not context.propagate_exception:  # viewflow would mark a failing gateway as an error
        return False
    if not _plain_view(node) or node._task_data is not None or node._task_seed is not None:
        return False
    seen, todo = set(), [node._next]
    while todo:
        current = todo.pop()
        if current is None or current in seen:
            continue
        seen.add(current)
        if type(current) in _IFS and current.activation_class is IfActivation:
            if current._boundary_events or any(
                f is not None
                for f in (
                    current._on_true_data,
                    current._on_true_seed,
                    current._on_false_data,
                    current._on_false_seed,
                )
            ):
                return False
            todo += [current._on_true, current._on_false]
        elif type(current) in _ENDS and current.activation_class is EndActivation:
            if current._boundary_events:
                return False
        elif not _plain_view(current) or (
            current._owner is not None and not callable(current._owner)
        ):
            return False
    return True


def _plain_view(node) -> bool:
    return (
        type(node) in _VIEWS
        and node.activation_class is ViewActivation
        and not node._boundary_events
        and node._owner_permission is None
        and node._on_create is None
    )


def _advance(task, process, node, actor, at: datetime) -> None:
    """Complete ``task`` as viewflow's ``assign``/``start``/``execute`` would and create what
    follows — each ``If`` gateway's task (done), then the next human task (assigned to its
    owner, if the node names one) or the end's task (done, and the process finished when
    nothing else is open) — with the same rows: the task saved once, the new tasks in one
    INSERT, their links to the task before in one more."""
    task_model = type(task)
    now = timezone.now()
    task.process = process
    task.owner, task.status, task.started, task.finished = actor, STATUS.DONE, at, now
    task.save(update_fields=["owner", "status", "started", "finished"])
    created, before, current = [], task, node._next
    while True:
        new = task_model(
            process=process,
            flow_task=current,
            flow_task_type=current.task_type,
            token=before.token,
            data={},
            created=now,
        )
        created.append((new, before))
        if isinstance(current, If):
            new.status, new.finished = STATUS.DONE, now
            passed = current._condition(IfActivation(new))
            before, current = new, current._on_true if passed else current._on_false
            continue
        if isinstance(current, End):
            new.status, new.started, new.finished = STATUS.DONE, now, now
            open_tasks = task_model._default_manager.filter(
                process_id=process.pk, finished__isnull=True
            )
            if not open_tasks.exists():
                process.status, process.finished = PROCESS.DONE, now
                Process._default_manager.filter(pk=process.pk).update(
                    status=PROCESS.DONE, finished=now
                )
            break
        owner = current.calc_owner(ViewActivation(new))
        new.owner, new.status = owner, STATUS.ASSIGNED if owner else STATUS.NEW
        break
    rows = [new for new, _ in created]
    task_model._default_manager.bulk_create(rows)
    link = task_model.previous.through
    link._default_manager.bulk_create(
        [link(from_task_id=new.pk, to_task_id=before.pk) for new, before in created]
    )


def processes_start_for(
    flow_class, first, *, subjects: QuerySet, link: str, at: datetime | None = None
) -> dict[int, int]:
    """Start one process of ``flow_class`` for each row of ``subjects``, its ``link`` field
    (``"assignment"`` for ``AssignmentProcess``) set to the row, leaving the rows that
    ``StartHandle.run`` leaves, one process at a time, when the start node leads to the human
    task ``first``. Returns {subject's key: process's key}.

    Per process, as viewflow 2.4 writes them (``StartActivation.create`` and ``execute``,
    ``Activation.complete``, ``ViewActivation.create``; read in
    .venv/…/viewflow/workflow/nodes/start.py, view.py and activation.py):

    - the process row (``status`` NEW, ``created`` now, empty ``data``) and its row in the
      process model's own table (``process_ptr``, ``link``);
    - the start node's task: ``flow_task_type`` START, status DONE, ``created``, ``started``
      and ``finished`` now, token "start";
    - the ``first`` task: ``flow_task_type`` HUMAN, status NEW, no owner, the same token;
    - the link ``first.previous → start``.

    Six statements whatever the number of subjects (their keys, the processes, the process
    model's rows, the two tasks, the links), nothing built in Python per row. The process
    model must extend viewflow's ``Process`` directly (multi-table inheritance, as every
    process model here). What viewflow would do per process beyond writing rows is refused
    (ValueError) rather than skipped: a start node giving task data or a seed, a ``first``
    node that assigns an owner or a permission on creation, runs an ``onCreate`` callback or
    arms boundary events. Viewflow's ``task_started``, ``task_finished`` and ``flow_started``
    signals are not sent (nothing here listens to them). Call it inside the caller's
    transaction; nothing is locked: the rows are new, the subjects are the caller's to lock.
    """
    start = _start_node(flow_class, first)
    model = flow_class.process_class._meta.concrete_model
    parents = model._meta.get_parent_list()
    if len(parents) != 1:
        raise ValueError(f"{model.__name__} must extend viewflow's Process directly.")
    root = parents[0]
    link_field = model._meta.get_field(link)
    if link_field.related_model._meta.concrete_model is not subjects.model._meta.concrete_model:
        raise ValueError(f"{model.__name__}.{link} does not point at {subjects.model.__name__}.")
    pks = sorted(subjects.order_by().values_list("pk", flat=True))
    if not pks:
        return {}
    now = at or timezone.now()
    each_subject = subjects.model._base_manager.filter(among("pk", pks)).order_by("pk")
    columns, values = _constants(root(flow_class=flow_class, status=PROCESS.NEW, created=now))
    made = insert_from(
        root, columns, each_subject.values_list(*values), returning=[root._meta.pk.column]
    )
    # Every process row is the same, so any pairing with the subjects is right: in key order.
    ids = sorted(row[0] for row in made)
    values_insert(model, [model._meta.pk, link_field], list(zip(ids, pks, strict=True)))
    tasks = flow_class.task_class
    each_process = root._base_manager.filter(among("pk", ids)).order_by("pk")
    for node, moments in ((start, {"started": now, "finished": now}), (first, {})):
        status = STATUS.DONE if moments else STATUS.NEW
        template = tasks(flow_task=node, flow_task_type=node.task_type, status=status, **moments)
        template.created = now
        columns, values = _constants(template, process_id=F("pk"))
        insert_from(tasks, columns, each_process.values_list(*values))
    started = tasks._base_manager.filter(process_id=OuterRef("process_id"), flow_task=start)
    links = tasks.previous.through
    insert_from(
        links,
        columns_of(links._meta.get_field(name) for name in ("from_task", "to_task")),
        tasks._base_manager.filter(among("process_id", ids), flow_task=first)
        .order_by("pk")
        .values_list("pk", Subquery(started.values("pk")[:1])),
    )
    return dict(zip(pks, ids, strict=True))


def _constants(template, **columns) -> tuple[list[str], list]:
    """The columns of ``template``'s table (but its key) and, for each, the SELECT expression
    giving its value: ``columns`` by attname, else the template's value as a typed constant."""
    fields = [f for f in template._meta.concrete_fields if not f.primary_key]
    return columns_of(fields), [
        columns[f.attname] if f.attname in columns else constant(getattr(template, f.attname), f)
        for f in fields
    ]


def _start_node(flow_class, first):
    """The flow's start handle whose next node is ``first``, if the pair can start in bulk."""
    starts = [
        node
        for node in flow_class.instance.nodes()
        if isinstance(node, StartHandle) and node._next is first
    ]
    if len(starts) != 1:
        raise ValueError(f"{first} is not the node one start handle of {flow_class} leads to.")
    start = starts[0]
    if start._task_data is not None or start._task_seed is not None:
        raise ValueError(f"{start} gives its next task data or a seed: start it one by one.")
    if not isinstance(first, View) or not issubclass(first.activation_class, ViewActivation):
        raise ValueError(f"{first} is not a human task: start it one by one.")
    if first._owner or first._owner_permission or first._on_create or first._boundary_events:
        raise ValueError(f"{first} does work of its own on creation: start it one by one.")
    return start


def processes_cancel_for(flow_class, processes: QuerySet, *, at: datetime | None = None) -> int:
    """Cancel every process of ``processes`` (of ``flow_class``) and its open human tasks, as
    ``flow_class.instance.cancel`` does one process at a time (viewflow 2.4, base.py
    ``Flow.cancel`` and nodes/view.py ``ViewActivation.cancel``: each active task CANCELED with
    its ``finished`` time, then the process CANCELED and finished), in two statements whatever
    their number. Viewflow refuses to cancel a task that is neither NEW nor ASSIGNED; so does
    this (ValueError, before anything is written). Call it inside the caller's transaction,
    with the subjects locked. Returns the number of processes cancelled."""
    now = at or timezone.now()
    ids = list(processes.filter(flow_class=flow_class).order_by().values_list("pk", flat=True))
    if not ids:
        return 0
    tasks = flow_class.task_class._base_manager.filter(among("process_id", ids)).exclude(
        status__in=[STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED]
    )
    stuck = tasks.exclude(status__in=OPEN_TASK)
    if stuck.exists():
        raise ValueError(f"Can't cancel {', '.join(map(str, stuck[:5]))}: not a waiting task.")
    tasks.update(status=STATUS.CANCELED, finished=now)
    return Process._base_manager.filter(among("pk", ids)).update(
        status=PROCESS.CANCELED, finished=now
    )
