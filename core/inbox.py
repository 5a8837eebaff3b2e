"""The inbox: a registry of task sources, so the page lists every app's viewflow tasks
without importing any app's flows.

Each app registers a ``TaskSource`` for the flows it owns (in ``AppConfig.ready``): the kinds
of task it has (to receive, to approve …: each a set of flow nodes and which of their open
tasks a user must act on, a condition over viewflow's ``Task`` rows evaluated by the
database), where the due date of the work lies, what to select with them, and how one of its
tasks reads in the inbox. The inbox lists every task, paginated: nothing is left out.

How it reads, at any size (a province's reviewer has tens of thousands of open tasks among
millions of rows): one sub-query per kind, each narrow enough for its own index — the open
tasks of a node by arrival (the partial index ``inbox_open_task`` of core's migration 0003), a
user's own open tasks (``inbox_owned_task``), an agency's assignments in a state — never one
condition OR'ed across the joins of every kind, which made the database join every open task
of the province before filtering. The counts by kind are one query (a count per kind, from
those indexes). A page is one query for its ids and one for its rows. The ids are read with
the counts in hand: a kind with no task is not asked; grouped by kind, each kind is asked for
exactly its part of the page; in the other orders each kind for its first ``offset + limit``,
merged and cut. A page past the middle is read from the other end (the last page costs what
the first does). By due date, the database may walk the due-date index of the open work
(``subject_hint``) and stop early, or read a small kind whole and sort it; planner statistics
on the pair (node, status) (migration 0003) let PostgreSQL tell a large kind from a small one.
A kind whose every task the user acts on (the office's reviewer: results to confirm, proposals
to change the agency) is walked by its subjects whatever the planner would guess
(``TaskKind.subjects``, ``InboxTasks._walk``): the planner, multiplying the selectivities of
two tables that the flow correlates exactly, would expect a handful of rows and sort the kind.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connections
from django.db.models import F, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from viewflow.workflow.models import Task

from .flowtasks import OPEN_TASK


@dataclass(frozen=True)
class InboxRow:
    task: Task
    kind: "TaskKind"
    subject_id: int  # what the task is about: an assignment's id, unless its source says
    url: str


@dataclass(frozen=True)
class InboxSubject:
    """How a row reads when its task is not about an assignment (an inspection): a title, a
    line under it, the agency concerned, the date it is due."""

    title: str
    caption: str
    agency_name: str
    agency_short_name: str = ""
    due_date: date | None = None
    timeliness: str = ""
    timeliness_label: str = ""


@dataclass(frozen=True)
class TaskKind:
    """A kind of task the inbox can be filtered by ("to approve"), made of flow nodes, and which
    of their open tasks a user must act on."""

    code: str
    label: Any
    nodes: tuple[Any, ...]
    # user -> which open Task rows of these nodes the user must act on (Q() all of them), or
    # None when the user has none of them (no query is made for the kind then)
    condition: Callable[[Any], Q | None]
    # What every open task of the kind holds through its subject because the flow makes it so
    # (its work is open): never narrows the kind, but lets the due-date order walk the index
    # of open work by due date.
    subject_hint: Q | None = None
    # The same rule read on the subjects themselves (a queryset of the source's subject model):
    # for a user who must act on every open task of the kind, each subject it holds for has
    # one of them, so on PostgreSQL the due-date order walks these subjects by due date, joins
    # each to its tasks (``LATERAL``) and stops at the page, whatever the planner would guess
    # of a join across the two tables.
    subjects: Callable[[], QuerySet] | None = None


@dataclass(frozen=True)
class TaskSource:
    name: str
    flows: tuple[type, ...]
    row: Callable[[Task, "TaskKind"], InboxRow]
    kinds: tuple[TaskKind, ...]
    # Path from Task to the due date of the work the task is about, through the subject (the
    # part before the last "__": every process of these flows has one, set by its start).
    due_date: str
    # What ``row`` reads from a task beyond its id, node and arrival (the ids of its subject,
    # through its process): the page's task rows are read with these columns only.
    row_fields: tuple[str, ...] = ()
    # (user, subject ids) -> {id: InboxSubject} for the page's rows of this source, when its
    # subjects are not assignments (those the inbox's page reads itself).
    subjects: Callable[[Any, set[int]], dict[int, Any]] | None = None


_sources: dict[str, TaskSource] = {}

# "kind": grouped by kind in the order the chain runs (to receive … to confirm, extension
# requests, then late work to decide), newest first within each; the inbox's default, so a new
# result awaiting the office is never pushed off the first page by a batch of late-work tasks.
ORDERS = ("kind", "arrival", "due")

# The task's own columns a page reads (the rest of viewflow's row is never shown).
TASK_FIELDS = ("id", "flow_task", "flow_task_type", "status", "created", "process_id")

# A kind larger than this is read in due-date order by walking its subjects' due dates (the
# denser the kind among them, the sooner the walk ends); a smaller one is read whole, then
# sorted.
WALK_FROM = 5000


@dataclass(frozen=True)
class _Order:
    within: tuple  # the order within a kind (ORM), forward
    backward: tuple  # the same, reversed
    merged: str  # the order of the merged ids (columns of the union), forward
    merged_backward: str


_ORDERS = {
    "kind": _Order(
        within=("-created", "-pk"),
        backward=("created", "pk"),
        merged="inbox_rank, inbox_created DESC, inbox_id DESC",
        merged_backward="inbox_rank DESC, inbox_created, inbox_id",
    ),
    "arrival": _Order(
        within=("-created", "-pk"),
        backward=("created", "pk"),
        merged="inbox_created DESC, inbox_id DESC",
        merged_backward="inbox_created, inbox_id",
    ),
    "due": _Order(
        within=(F("inbox_due").asc(nulls_last=True), "created", "pk"),
        backward=(F("inbox_due").desc(nulls_first=True), "-created", "-pk"),
        merged="(inbox_due IS NULL), inbox_due, inbox_created, inbox_id",
        merged_backward="(inbox_due IS NULL) DESC, inbox_due DESC, inbox_created DESC, "
        "inbox_id DESC",
    ),
}


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


def _source_of(kind: TaskKind) -> TaskSource:
    return next(s for s in _sources.values() if kind in s.kinds)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _open_tasks(kind: TaskKind, condition: Q | None) -> QuerySet[Task] | None:
    """The open tasks of ``kind`` that a user must act on (``condition``: the kind's
    ``condition`` of that user), unordered; None: none at all."""
    if condition is None:
        return None
    return (
        Task.objects.filter(status__in=OPEN_TASK, flow_task__in=list(kind.nodes))
        .filter(condition)
        .order_by()
    )


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def _fenced(queryset: QuerySet) -> RawSQL:
    """``queryset`` (one column) as a sub-query the planner runs as it is, first (it does not
    merge it into the query around it)."""
    sql, params = _sql(queryset)
    fence = "OFFSET 0" if connections[queryset.db].vendor == "postgresql" else "LIMIT -1"
    return RawSQL(f"SELECT * FROM ({sql}) AS inbox_fenced {fence}", params)  # noqa: S608, S611


@dataclass(frozen=True)
class _Window:
    """The part of one kind a page needs: its rows ``offset`` … ``offset + limit`` in the
    page's order (or in the reversed order, when the page is read from the end)."""

    kind: TaskKind
    rank: int
    offset: int
    limit: int


class InboxTasks:
    """The open tasks a user must act on, in one order, as the paginator reads them: a count
    and slices (each slice two queries: its ids, then its rows), or every task by iteration.
    Nothing is read before a slice (or the count) is asked for; the counts by kind, when the
    caller has them (``inbox_counts``), spare a query."""

    ordered = True  # the paginator's check: the order is the inbox's, never arbitrary

    def __init__(self, *, user, kinds: list[TaskKind], order: str, counts: Counter | None):
        self.user, self.kinds, self.order = user, kinds, order
        self._counts = counts

    @property
    def counts(self) -> Counter:
        if self._counts is None:
            self._counts = _counts(self.user, self.kinds)
        return self._counts

    def count(self) -> int:
        return sum(self.counts[k.code] for k in self.kinds)

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Task]:
        return iter(self[0 : self.count()])

    def __getitem__(self, index):
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop
        if index.step not in (None, 1) or start < 0 or stop is None or stop < 0:
            raise ValueError("The inbox is read by slices [start:stop] only.")
        return self._rows(self._ids(start, min(stop, self.count()) - start))

    def _ids(self, offset: int, limit: int) -> list[int]:
        """The ids of the tasks at ``offset`` … ``offset + limit`` in the inbox's order, in
        one query; past the middle, read in the reversed order from the end."""
        total = self.count()
        if limit <= 0 or offset >= total:
            return []
        backward = offset > total - offset - limit
        if backward:
            offset = total - offset - limit
        ranks = {k.code: i for i, k in enumerate(inbox_kinds())}
        kinds = [k for k in self.kinds if self.counts[k.code]]
        if self.order == "kind":
            windows = self._kind_windows(kinds, ranks, offset, limit, backward)
            outer = ""
        else:
            windows = [_Window(k, ranks[k.code], 0, offset + limit) for k in kinds]
            outer = f" LIMIT {int(limit)} OFFSET {int(offset)}"
        order = _ORDERS[self.order]
        parts: list[str] = []
        params: list = []
        for n, window in enumerate(windows):
            condition = window.kind.condition(self.user)
            tasks = _open_tasks(window.kind, condition)
            if tasks is None:
                continue
            if self._walks(window.kind, condition):
                sql, values = self._walk(tasks, window, backward)
            else:
                sql, values = _sql(self._branch(tasks, window, backward))
            parts.append(f"SELECT * FROM ({sql}) AS inbox_{n}")  # noqa: S608 (compiled SQL)
            params += values
        if not parts:
            return []
        merged = order.merged_backward if backward else order.merged
        query = (
            f"SELECT inbox_id FROM ({' UNION ALL '.join(parts)}) AS inbox "  # noqa: S608
            f"ORDER BY {merged}{outer}"
        )
        with connections[Task.objects.db].cursor() as cursor:
            cursor.execute(query, params)
            ids = [row[0] for row in cursor.fetchall()]
        return ids[::-1] if backward else ids

    def _kind_windows(self, kinds, ranks, offset: int, limit: int, backward: bool):
        """Grouped by kind, the page's part of each kind, from the counts (in the reversed
        order, the last kind comes first)."""
        found, start = [], 0
        for kind in sorted(kinds, key=lambda k: ranks[k.code], reverse=backward):
            size = self.counts[kind.code]
            first, last = max(offset, start), min(offset + limit, start + size)
            if first < last:
                found.append(_Window(kind, ranks[kind.code], first - start, last - first))
            start += size
        return found

    def _branch(self, tasks: QuerySet, window: _Window, backward: bool) -> QuerySet:
        source = _source_of(window.kind)
        order = _ORDERS[self.order]
        columns = ["inbox_id", "inbox_created", "inbox_rank"]
        if self.order == "due":
            columns.append("inbox_due")
            hint = window.kind.subject_hint
            if hint is not None or self.counts[window.kind.code] > WALK_FROM:
                # Through inner joins (every process of a source's flows has its subject: the
                # start sets it and the link is protected), so that the database may walk the
                # subjects' due-date index and stop early.
                subject = source.due_date.rpartition("__")[0]
                tasks = tasks.filter(**{f"{subject}__isnull": False})
                if hint is not None:
                    tasks = tasks.filter(hint)
            else:
                tasks = Task.objects.filter(pk__in=_fenced(tasks.values("pk")))
            tasks = tasks.annotate(inbox_due=F(source.due_date))
        tasks = tasks.annotate(
            inbox_id=F("pk"),
            inbox_created=F("created"),
            inbox_rank=Value(window.rank, output_field=IntegerField()),
        )
        ordering = order.backward if backward else order.within
        first, last = window.offset, window.offset + window.limit
        return tasks.order_by(*ordering).values_list(*columns)[first:last]

    def _walks(self, kind: TaskKind, condition: Q | None) -> bool:
        """Whether ``kind`` is read, by due date, by walking its subjects (``_walk``): when it
        has them, the database can (PostgreSQL), and the user acts on every open task of it
        (the subjects are then as dense in tasks as the flow makes them; for a narrower
        condition the planner chooses, since a few of a user's tasks among many subjects
        would make the walk long)."""
        return (
            self.order == "due"
            and kind.subjects is not None
            and connections[Task.objects.db].vendor == "postgresql"
            and condition == Q()
        )

    def _walk(self, tasks: QuerySet, window: _Window, backward: bool) -> tuple[str, tuple]:
        """``window`` of ``kind`` by due date: its subjects in due-date order (their index),
        each joined to its open tasks of the kind, cut at the window. Both sides are fenced
        (``OFFSET 0``), so the database keeps the walk and stops early: left to itself,
        PostgreSQL multiplies the two tables' selectivities, expects a handful of rows and
        reads the whole kind to sort it."""
        source = _source_of(window.kind)
        subject, _, due = source.due_date.rpartition("__")
        direction = "DESC" if backward else "ASC"
        nulls = "FIRST" if backward else "LAST"
        assert window.kind.subjects is not None  # noqa: S101 (``_walks`` said so)
        due_order = F(due).desc(nulls_first=True) if backward else F(due).asc(nulls_last=True)
        subjects = window.kind.subjects().order_by(due_order, "-pk" if backward else "pk")
        subjects_sql, subjects_params = _sql(subjects.values_list("pk", due))
        own = tasks.filter(**{subject: RawSQL('"inbox_walk"."pk"', ())})
        tasks_sql, tasks_params = _sql(own.values_list("pk", "created"))
        ordering = (
            f"inbox_due {direction} NULLS {nulls}, inbox_created {direction}, inbox_id {direction}"
        )
        sql = (
            f"SELECT inbox_task.id AS inbox_id, inbox_task.created AS inbox_created, "  # noqa: S608
            f"{int(window.rank)} AS inbox_rank, inbox_walk.due AS inbox_due "
            f"FROM ({subjects_sql} OFFSET 0) AS inbox_walk (pk, due) "
            f"CROSS JOIN LATERAL ({tasks_sql} OFFSET 0) AS inbox_task (id, created) "
            f"ORDER BY {ordering} LIMIT {int(window.limit)} OFFSET {int(window.offset)}"
        )
        return sql, (*subjects_params, *tasks_params)

    def _rows(self, ids: list[int]) -> list[Task]:
        if not ids:
            return []
        fields = [f for source in _sources.values() for f in source.row_fields]
        related = {f.rpartition("__")[0] for f in fields}
        rows = Task.objects.filter(pk__in=ids).select_related(*related)
        by_pk = rows.only(*TASK_FIELDS, *fields).in_bulk()
        return [by_pk[pk] for pk in ids if pk in by_pk]


def inbox_tasks(
    *, user, kind: str | None = None, order: str = "kind", counts: Counter | None = None
) -> InboxTasks:
    """The open tasks ``user`` must act on, from every registered source: all kinds, or one;
    grouped by kind (newest first in each), newest arrival first, or soonest due date first
    (work without one last). ``counts``: ``inbox_counts(user=user)``, when the caller has
    them."""
    if order not in ORDERS:
        raise ValueError(f"Unknown inbox order {order!r}.")
    chosen = _kind(kind) if kind else None
    if not _signed_in(user):
        kinds: list[TaskKind] = []
    elif kind:
        kinds = [chosen] if chosen is not None else []
    else:
        kinds = inbox_kinds()
    return InboxTasks(user=user, kinds=kinds, order=order, counts=counts)


def _counts(user, kinds: list[TaskKind]) -> Counter:
    """How many open tasks of each of ``kinds`` ``user`` has, in one query (a count per kind,
    each on its own indexes)."""
    counts: Counter = Counter({k.code: 0 for k in kinds})
    if not kinds or not _signed_in(user):
        return counts
    parts: list[str] = []
    params: list = []
    counted: list = []
    for n, kind in enumerate(kinds):
        tasks = _open_tasks(kind, kind.condition(user))
        if tasks is None:
            continue
        sql, values = _sql(tasks.values("pk"))
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS inbox_{n})")  # noqa: S608
        params += values
        counted.append(kind)
    if not parts:
        return counts
    with connections[Task.objects.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)  # noqa: S608 (compiled SQL)
        row = cursor.fetchone()
    for kind, n in zip(counted, row, strict=True):
        counts[kind.code] = n
    return counts


def inbox_counts(*, user) -> Counter:
    """How many open tasks of each kind ``user`` has (one query)."""
    return _counts(user, inbox_kinds())


def inbox_row(task: Task) -> InboxRow:
    """How ``task`` reads in the inbox, as its source says."""
    flow_class = task.flow_task.flow_class
    for source in _sources.values():
        if flow_class in source.flows:
            key = _key(task.flow_task)
            kind = next(k for k in source.kinds if key in {_key(n) for n in k.nodes})
            return source.row(task, kind)
    raise LookupError(f"No inbox source for {flow_class.__name__}.")


def rows_with_subjects(*, user, rows: list[InboxRow], assignments) -> list[tuple[InboxRow, Any]]:
    """Each row of a page with its subject: read per source, the assignments' by
    ``assignments(user=, pks=)`` (the page's reader), the others' by their source's
    ``subjects`` — one query or two per source on the page, whatever its number of rows."""
    by_source: dict[str, set[int]] = {}
    for row in rows:
        by_source.setdefault(_source_of(row.kind).name, set()).add(row.subject_id)
    found: dict[str, dict[int, Any]] = {}
    plain = set()
    for name, ids in by_source.items():
        reader = _sources[name].subjects
        if reader is None:
            plain |= ids
        else:
            found[name] = reader(user, ids)
    of_assignments = assignments(user=user, pks=plain) if plain else {}
    return [
        (row, found.get(_source_of(row.kind).name, of_assignments)[row.subject_id]) for row in rows
    ]
