"""The inbox: a registry of task sources, so the page lists every app's viewflow tasks
without importing any app's flows.

Each app registers a ``TaskSource`` for the flows it owns (in ``AppConfig.ready``): which open
tasks of those flows a user must act on (a condition over viewflow's ``Task`` rows, evaluated
by the database), the kinds of task it has (to receive, to approve …: each a set of flow
nodes), where the due date of the work lies, what to select with them, and how one of its
tasks reads in the inbox. The inbox lists every task, paginated: nothing is left out.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from viewflow.workflow.models import Task

from .flowtasks import OPEN_TASK


@dataclass(frozen=True)
class InboxRow:
    task: Task
    kind: "TaskKind"
    subject: Any  # what the task is about (an assignment, for every source so far)
    url: str


@dataclass(frozen=True)
class TaskKind:
    """A kind of task the inbox can be filtered by ("to approve"), made of flow nodes."""

    code: str
    label: Any
    nodes: tuple[Any, ...]


@dataclass(frozen=True)
class TaskSource:
    name: str
    flows: tuple[type, ...]
    condition: Callable[[Any], Q]  # user -> the Task rows of these flows the user must act on
    row: Callable[[Task, "TaskKind"], InboxRow]
    kinds: tuple[TaskKind, ...]
    due_date: str  # path from Task to the due date of the work the task is about
    select_related: tuple[str, ...] = ()


_sources: dict[str, TaskSource] = {}

# "kind": grouped by kind in the order the chain runs (to receive … to confirm, extension
# requests, then late work to decide), newest first within each; the inbox's default, so a new
# result awaiting the office is never pushed off the first page by a batch of late-work tasks.
ORDERS = ("kind", "arrival", "due")


def register(source: TaskSource) -> TaskSource:
    if source.name in _sources:
        raise RuntimeError(f"An inbox source named {source.name} is already registered.")
    _sources[source.name] = source
    return source


def inbox_kinds() -> list[TaskKind]:
    """Every kind of task, in the order the sources were registered."""
    return [kind for source in _sources.values() for kind in source.kinds]


def _key(node) -> tuple[str, str]:
    # Nodes read back from the task table are compared by flow and name, not by identity.
    return (node.flow_class.__name__, node.name)


def _kind(code: str) -> TaskKind | None:
    return next((k for k in inbox_kinds() if k.code == code), None)


def inbox_tasks(*, user, kind: str | None = None, order: str = "kind") -> QuerySet[Task]:
    """The open tasks ``user`` must act on, from every registered source: all kinds, or one;
    grouped by kind (newest first in each), newest arrival first, or soonest due date first
    (work without one last)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Task.objects.none()
    wanted = Q(pk__in=[])
    related: list[str] = []
    for source in _sources.values():
        wanted |= source.condition(user)
        related += source.select_related
    # Only the nodes of a kind: the counts by kind then add up to the list, always.
    chosen = _kind(kind) if kind else None
    nodes = chosen.nodes if chosen is not None else [n for k in inbox_kinds() for n in k.nodes]
    tasks = Task.objects.filter(wanted, status__in=OPEN_TASK, flow_task__in=list(nodes))
    if order == "due":
        due = Coalesce(*[F(s.due_date) for s in _sources.values()])
        tasks = tasks.annotate(work_due=due).order_by(
            F("work_due").asc(nulls_last=True), "created", "pk"
        )
    elif order == "kind":
        rank = Case(
            *[
                When(flow_task__in=list(k.nodes), then=Value(i))
                for i, k in enumerate(inbox_kinds())
            ],
            default=Value(len(inbox_kinds())),
            output_field=IntegerField(),
        )
        tasks = tasks.annotate(kind_rank=rank).order_by("kind_rank", "-created", "-pk")
    else:
        tasks = tasks.order_by("-created", "-pk")
    return tasks.select_related(*related)


def inbox_counts(*, user) -> Counter:
    """How many open tasks of each kind ``user`` has (one query)."""
    by_node = {
        _key(row["flow_task"]): row["n"]
        for row in inbox_tasks(user=user).order_by().values("flow_task").annotate(n=Count("pk"))
    }
    counts: Counter = Counter()
    for kind in inbox_kinds():
        counts[kind.code] = sum(by_node.get(_key(node), 0) for node in kind.nodes)
    return counts


def inbox_row(task: Task) -> InboxRow:
    """How ``task`` reads in the inbox, as its source says."""
    flow_class = task.flow_task.flow_class
    for source in _sources.values():
        if flow_class in source.flows:
            key = _key(task.flow_task)
            kind = next(k for k in source.kinds if key in {_key(n) for n in k.nodes})
            return source.row(task, kind)
    raise LookupError(f"No inbox source for {flow_class.__name__}.")
