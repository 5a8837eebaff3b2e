"""The inbox: a registry of task sources, so the page lists every app's viewflow tasks
without importing any app's flows.

Each app registers a ``TaskSource`` for the flows it owns (in ``AppConfig.ready``): which open
tasks of those flows a user must act on (a condition over viewflow's ``Task`` rows, evaluated
by the database), what to select with them, and how one of its tasks reads in the inbox.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from viewflow.workflow.models import Task

from .flowtasks import OPEN_TASK


@dataclass(frozen=True)
class InboxRow:
    task: Task
    label: str
    subject: Any  # what the task is about (an assignment, for every source so far)
    url: str


@dataclass(frozen=True)
class TaskSource:
    name: str
    flows: tuple[type, ...]
    condition: Callable[[Any], Q]  # user -> the Task rows of these flows the user must act on
    row: Callable[[Task], InboxRow]
    select_related: tuple[str, ...] = ()


_sources: dict[str, TaskSource] = {}


def register(source: TaskSource) -> TaskSource:
    if source.name in _sources:
        raise RuntimeError(f"An inbox source named {source.name} is already registered.")
    _sources[source.name] = source
    return source


def inbox_tasks(*, user) -> QuerySet[Task]:
    """The open tasks ``user`` must act on, from every registered source, oldest first."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Task.objects.none()
    wanted = Q(pk__in=[])
    related: list[str] = []
    for source in _sources.values():
        wanted |= source.condition(user)
        related += source.select_related
    return (
        Task.objects.filter(wanted, status__in=OPEN_TASK)
        .select_related(*related)
        .order_by("created", "pk")
    )


def inbox_row(task: Task) -> InboxRow:
    """How ``task`` reads in the inbox, as its source says."""
    flow_class = task.flow_task.flow_class
    for source in _sources.values():
        if flow_class in source.flows:
            return source.row(task)
    raise LookupError(f"No inbox source for {flow_class.__name__}.")
