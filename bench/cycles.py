"""Benchmark of whole assignment life cycles through the workflow's services.

    .venv/bin/python bench/cycles.py [--cycles 200] [--runs 3] [--database-url …]
    bash bench/with-postgres.sh .venv/bin/python bench/cycles.py          # PostgreSQL, fsync off
    .venv/bin/python bench/cycles.py --cycles 1 --runs 1 --show receive   # the SQL of one step

One cycle is what five people's POSTs do, one after the other: the office's reviewer gives an
item to a department (assign), the department's clerk receives it and gives it to an officer
(receive), the officer reports it done (report), the head approves (approve), the office
accepts (accept). Each step runs what its view runs — the user loaded as the session does, the
view's own reads and permission checks through ``core.access``, the step's form bound to the
POST and validated — then the service (its lock, its check, the change, the timeline line,
the notices, the viewflow task, the hooks), in its own transaction; what the access layer
keeps for a request (``core.access.memo``) is kept for each POST. No HTTP, no session row, no
template: the redirect after a POST and the page it leads to are not counted.

The floor is the same rows (checked, table by table) written by five bare ORM transactions,
one per step, with no read and no check. Each cycle is followed by a floor cycle, so that both
see the same load on a shared machine; the figures are those of the median run (by ratio).

Printed: cycles/s, the floor and the ratio; statements per cycle, per step (session, view,
service) with wall and CPU time; whether fsync is on; the load average; the peak RSS.
"""

import argparse
import contextlib
import itertools
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = ("assign", "receive", "report", "approve", "accept")
MEDIA = tempfile.mkdtemp(prefix="dondoc-bench-media-")


def setup(database_url: str | None) -> str:
    if database_url is not None and not database_url.startswith("sqlite"):
        from bench import database

        database.ensure(database_url)
    if database_url is None:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='dondoc-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    # Evidence files, if any, go to a directory of the bench's own (removed at the end).
    os.environ["MEDIA_ROOT"] = MEDIA
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if not database_url.startswith("sqlite"):
        call_command("flush", verbosity=0, interactive=False)
    # A running server has its URLconf loaded (the notices reverse() their links).
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    return database_url


def build(departments: int, background: int):
    """A small province: the office (one reviewer), ``departments`` departments with a head, a
    clerk and two officers each, one published directive, and ``background`` older
    assignments (bulk, already done) so that the tables are not empty."""
    from django.utils import timezone

    from agencies.models import Membership, User
    from bench.province import START as start
    from bench.province import departments_create, province_create
    from workflow.models import Assignment
    from workflow.models.assigning import assignment_search_text
    from workflow.services import directive_create, directive_publish, item_add

    province = province_create()
    agencies = departments_create(province, departments)
    roles = ("head", "clerk", "officer", "officer")
    users = User.objects.bulk_create(
        [
            User(username=f"{role}{n}-{a.code}", full_name=f"{role} {a.code}", password="!")
            for a in agencies
            for n, role in enumerate(roles)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=users[i * len(roles) + n], agency=a, role=role, valid_from=start)
            for i, a in enumerate(agencies)
            for n, role in enumerate(roles)
        ]
    )
    reviewer = User.objects.create(username="reviewer", full_name="Reviewer", password="!")
    Membership.objects.create(user=reviewer, agency=province, role="reviewer", valid_from=start)
    directive = directive_create(
        actor=reviewer,
        kind="chi_thi",
        number="01/CT-UBND",
        title="Bench",
        issued_on=date.today() - timedelta(days=30),
        issuer=province,
    )
    item = item_add(actor=reviewer, directive=directive, number="1", text="Bench.")
    directive_publish(actor=reviewer, directive=directive)
    today = date.today()
    rows = [
        Assignment(
            item=item,
            agency_as_written=agencies[i % departments],
            agency=agencies[i % departments],
            role="lead",
            modality="order",
            title=f"Việc cũ {i}",
            search_text=assignment_search_text(title=f"Việc cũ {i}", expected_output=""),
            assigned_on=today - timedelta(days=200),
            due_policy="fixed",
            due_date=today - timedelta(days=100 - i % 90),
            original_due_date=today - timedelta(days=100 - i % 90),
            state="done",
            completed_on=today - timedelta(days=110),
            created_at=timezone.now(),
        )
        for i in range(background)
    ]
    Assignment.objects.bulk_create(rows, batch_size=5000)
    people = []
    for i, agency in enumerate(agencies):
        head, clerk, officer, _ = users[i * len(roles) : (i + 1) * len(roles)]
        people.append({"agency": agency, "head": head, "clerk": clerk, "officer": officer})
    return reviewer, item, people


# --- one cycle, as the views run it ----------------------------------------------------------


def _fresh(user):
    """The user as the session middleware loads it for each request (no cache across POSTs)."""
    return type(user).objects.get(pk=user.pk)


def step_assign(reviewer, item, agency, today):
    """AssignView: load (the scoped item), the ASSIGN check, the form, ``assign_item``."""
    from core import access
    from workflow.choices import DirectiveAction
    from workflow.forms import AssignForm
    from workflow.models import DirectiveItem

    item = (
        DirectiveItem.objects.restrict(reviewer, "view").select_related("directive").get(pk=item.pk)
    )
    access.require(reviewer, DirectiveAction.ASSIGN, item.directive)
    form = AssignForm(
        data={
            "leads": [agency.code],
            "modality": "order",
            "title": "Báo cáo kết quả thực hiện",
            "assigned_on": f"{today:%d/%m/%Y}",
            "due_policy": "fixed",
            "due_date": f"{today + timedelta(days=30):%d/%m/%Y}",
        },
        user=reviewer,
    )
    assert form.is_valid(), form.errors
    return item, form


def run_assign(reviewer, item, form):
    from workflow.steps import assign_item

    return assign_item(actor=reviewer, item=item, data=form.cleaned_data)[0]


def view_step(user, pk, name, data):
    """StepView.post up to the service: the view's read of the assignment, its form bound to
    the POST and validated."""
    from workflow.steps import STEPS, make_form
    from workflow.views import StepView

    view = StepView()
    view.request = _Request(user)
    view.kwargs = {"pk": pk, "step": name}
    obj = view.subject() if hasattr(view, "subject") else view.get_object()
    form = make_form(STEPS[name], user=user, assignment=obj, data=data)
    assert form.is_valid(), form.errors
    return obj, form


def run_step(user, name, obj, form):
    from workflow.steps import STEPS

    STEPS[name].run(user, obj, form.cleaned_data)


class _Request:
    def __init__(self, user):
        self.user = user
        self.method = "POST"


# --- counting ---------------------------------------------------------------------------------

WRITE = re.compile(r'^\s*(INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.I)


class Counting:
    """Counts statements (and the rows each statement kind writes, by table) while active."""

    def __init__(self):
        self.statements = 0
        self.kinds: Counter = Counter()
        self.writes: Counter = Counter()
        self.texts: list[str] = []
        self.keep = False

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        self.kinds[head] += 1
        match = WRITE.match(sql)
        if match:
            self.writes[f"{match.group(1).split()[0].lower()} {match.group(2)}"] += 1
        if not self.keep:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.texts.append(f"[{1000 * (time.perf_counter() - started):6.1f} ms] {sql}")


def measured(counter: Counting, fn):
    """Wall time, CPU time of this process, statements and result of ``fn()``."""
    before = counter.statements
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return (
        time.perf_counter() - started,
        time.process_time() - cpu,
        counter.statements - before,
        result,
    )


def one_cycle(reviewer, item, person, today, counter, per_step):
    """Run one cycle; add each part's time and statements to ``per_step``."""
    from core import access

    def part(step, kind, fn):
        if counter.keep:
            counter.texts.append(f"--- {step} / {kind}")
        elapsed, cpu, statements, result = measured(counter, fn)
        per_step[step][kind][0] += elapsed
        per_step[step][kind][1] += statements
        per_step[step][kind][2] += cpu
        return result

    def post(step, user, view, service):
        # Each POST: the session loads the user, the view reads and checks, the service runs
        # in its own transaction (ATOMIC_REQUESTS is off); what the access layer learns about
        # the person is kept for the request, as its middleware keeps it.
        with getattr(access, "memo", contextlib.nullcontext)():
            user = part(step, "user", lambda: _fresh(user))
            prepared = part(step, "view", lambda: view(user))
            return part(step, "service", lambda: service(user, prepared))

    assignment = post(
        "assign",
        reviewer,
        lambda u: step_assign(u, item, person["agency"], today),
        lambda u, p: run_assign(u, *p),
    )
    pk = assignment.pk
    post(
        "receive",
        person["clerk"],
        lambda u: view_step(u, pk, "receive", {"receive-assignee": person["officer"].username}),
        lambda u, p: run_step(u, "receive", *p),
    )
    post(
        "report",
        person["officer"],
        lambda u: view_step(u, pk, "report", {"report-text": "Đã hoàn thành, có báo cáo kèm."}),
        lambda u, p: run_step(u, "report", *p),
    )
    post(
        "approve",
        person["head"],
        lambda u: view_step(u, pk, "approve", {"approve-comment": ""}),
        lambda u, p: run_step(u, "approve", *p),
    )
    post(
        "accept",
        reviewer,
        lambda u: view_step(u, pk, "accept", {"accept-comment": "Đạt."}),
        lambda u, p: run_step(u, "accept", *p),
    )
    return pk


# --- the floor --------------------------------------------------------------------------------


def floor_cycle(reviewer, item, person, today):
    """The rows of one cycle written by five bare ORM transactions, one per step: the
    assignment, its process, its tasks and their links, the report, one audit line per step
    and the notices — no reads, no checks, no viewflow (``run`` checks that the rows are the
    same)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from viewflow.workflow.models import Task

    from core.models import AuditEvent
    from notifications.models import Notice
    from workflow.flows import AssignmentFlow as F
    from workflow.models import Assignment, AssignmentProcess, ProgressReport

    ct = ContentType.objects.get_for_model(Assignment)
    officer, head, clerk = person["officer"], person["head"], person["clerk"]
    link = Task.previous.through
    now = timezone.now()

    def audit(actor, verb, a, after):
        AuditEvent.objects.create(
            actor=actor,
            verb=verb,
            content_type=ct,
            object_id=str(a.pk),
            object_repr=f"#{a.pk} {a.title}",
            after=after,
            at=now,
        )

    def notify(recipients, key, category, title):
        Notice.objects.bulk_create(
            [
                Notice(recipient_id=r, key=key, category=category, title=title, url="/a/")
                for r in recipients
            ]
        )

    def tasks(process, before, nodes):
        """The tasks of ``nodes`` (all done but the last, unless it is the end), each linked
        to the one before."""
        rows = [
            Task(
                process=process,
                flow_task=node,
                flow_task_type=node.task_type,
                status="DONE" if i < len(nodes) - 1 or node is F.end else "NEW",
                finished=now if i < len(nodes) - 1 or node is F.end else None,
            )
            for i, node in enumerate(nodes)
        ]
        Task.objects.bulk_create(rows)
        chain = [before, *rows] if before else rows
        link.objects.bulk_create(
            [link(from_task_id=t.pk, to_task_id=p.pk) for p, t in itertools.pairwise(chain)]
        )
        return rows[-1]

    with transaction.atomic():
        a = Assignment.objects.create(
            item=item,
            agency_as_written=person["agency"],
            agency=person["agency"],
            role="lead",
            modality="order",
            title="Báo cáo kết quả thực hiện",
            search_text="bao cao ket qua thuc hien",
            assigned_on=today,
            due_policy="fixed",
            due_date=today + timedelta(days=30),
            original_due_date=today + timedelta(days=30),
        )
        process = AssignmentProcess.objects.create(
            flow_class=F, assignment=a, status="NEW", created=now
        )
        last = tasks(process, None, [F.start, F.receive])
        audit(reviewer, "assignment.create", a, {"agency": person["agency"].code})
        notify([head.pk, clerk.pk], f"new-work:{a.pk}", "new_work", "New work")
    steps = [
        (clerk, "assignment.receive", "delegated", [officer.pk], [F.received, F.report],
         {"state": "in_progress", "assignee": officer, "received_on": today}),
        (officer, "report.complete", "approval", [head.pk], [F.approve], {"state": "reported"}),
        (head, "report.approve", "acceptance", [reviewer.pk], [F.approved, F.review],
         {"state": "approved"}),
        (reviewer, "report.accept", "completed", [officer.pk, head.pk], [F.reviewed, F.end],
         {"state": "done", "completed_on": today}),
    ]  # fmt: skip
    for actor, verb, category, recipients, created, fields in steps:
        with transaction.atomic():
            Assignment.objects.filter(pk=a.pk).update(**fields)
            if verb == "report.complete":
                ProgressReport.objects.create(
                    assignment=a, kind="completion", author=officer, text="Xong.", percent=100
                )
            elif verb in ("report.approve", "report.accept"):
                ProgressReport.objects.filter(assignment=a).update(
                    status="approved" if verb == "report.approve" else "accepted"
                )
            Task.objects.filter(pk=last.pk).update(
                status="DONE", owner=actor, started=now, finished=now
            )
            last = tasks(process, last, created)
            if verb == "report.accept":
                AssignmentProcess.objects.filter(pk=process.pk).update(status="DONE", finished=now)
            audit(actor, verb, a, {"state": fields["state"]})
            notify(recipients, f"{verb}:{a.pk}", category, verb)


TABLES = (
    "workflow_assignment",
    "viewflow_process",
    "workflow_assignmentprocess",
    "viewflow_task",
    "viewflow_task_previous",
    "workflow_progressreport",
    "core_auditevent",
    "notifications_notice",
)


def rows_now() -> Counter:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = Counter()
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (our table names)
            counts[table] = cursor.fetchone()[0]
    return counts


# --- reporting --------------------------------------------------------------------------------


def fsync_state() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW fsync")
            fsync = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            return f"fsync {fsync}, synchronous_commit={cursor.fetchone()[0]}"
        cursor.execute("PRAGMA synchronous")
        level = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[cursor.fetchone()[0]]
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        on = "on" if level != "OFF" else "off"
        return f"fsync {on} (synchronous={level}, journal_mode={journal})"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tables_written(counter: Counting) -> dict[str, int]:
    return dict(sorted(counter.writes.items()))


def _parts():
    return defaultdict(lambda: defaultdict(lambda: [0.0, 0, 0.0]))


def run(cycles: int, runs: int, departments: int, background: int, database_url, show: str):
    url = setup(database_url)
    from django.db import connection

    started = time.perf_counter()
    reviewer, item, people = build(departments, background)
    print(
        f"\n{cycles} life cycles × {runs} runs on {connection.vendor} ({fsync_state()}); "
        f"{departments} departments, {background:,} older assignments "
        f"(built in {time.perf_counter() - started:.1f} s); load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    today = date.today()
    counter = Counting()
    with connection.execute_wrapper(counter):
        # A warm-up cycle (imports, caches of a running server), not counted; the rows it
        # leaves are the rows the floor must write.
        before = rows_now()
        one_cycle(reviewer, item, people[0], today, counter, _parts())
        service_rows = rows_now() - before
        if show:
            counter.keep = True
            one_cycle(reviewer, item, people[0], today, counter, _parts())
            counter.keep = False
            shown = False
            for line in counter.texts:
                if line.startswith("--- "):
                    shown = show == "all" or line.split()[1] == show
                if shown:
                    print(line if line.startswith("--- ") else f"    {line[:600]}")
    before = rows_now()
    floor_cycle(reviewer, item, people[0], today)
    floor_rows = rows_now() - before
    if floor_rows != service_rows:
        raise SystemExit(f"The floor writes other rows: {floor_rows} ≠ {service_rows}")

    # Each service cycle is followed by a floor cycle, so that both see the same load on a
    # shared machine; a run's ratio is its two sums'; the figures are the median run's.
    per_step, results = _parts(), []
    counter.kinds.clear()
    counter.writes.clear()
    floor_counter = Counting()
    for _ in range(runs):
        elapsed = cpu = floor_elapsed = floor_cpu = 0.0
        statements_before, floor_before = counter.statements, floor_counter.statements
        for i in range(cycles):
            person = people[i % len(people)]
            with connection.execute_wrapper(counter):
                took, used, _, _ = measured(
                    counter,
                    lambda person=person: one_cycle(
                        reviewer, item, person, today, counter, per_step
                    ),
                )
            elapsed, cpu = elapsed + took, cpu + used
            with connection.execute_wrapper(floor_counter):
                took, used, _, _ = measured(
                    floor_counter, lambda person=person: floor_cycle(reviewer, item, person, today)
                )
            floor_elapsed, floor_cpu = floor_elapsed + took, floor_cpu + used
        results.append(
            (
                elapsed / floor_elapsed,
                elapsed,
                cpu,
                counter.statements - statements_before,
                floor_elapsed,
                floor_cpu,
                floor_counter.statements - floor_before,
            )
        )
    ratio, elapsed, cpu, statements, floor_elapsed, floor_cpu, floor_statements = sorted(results)[
        len(results) // 2
    ]
    total = cycles * runs

    print(
        f"  cycles:  {cycles / elapsed:7.1f} cycles/s  ({1000 * elapsed / cycles:6.1f} ms a "
        f"cycle, {1000 * cpu / cycles:5.1f} ms of it CPU in this process; "
        f"{statements / cycles:.1f} statements a cycle)"
    )
    print(
        f"  floor:   {cycles / floor_elapsed:7.1f} cycles/s  ({1000 * floor_elapsed / cycles:6.1f}"
        f" ms a cycle, {1000 * floor_cpu / cycles:5.1f} ms CPU; "
        f"{floor_statements / cycles:.1f} statements a cycle: 5 bare ORM transactions "
        f"writing the same rows)"
    )
    print(
        f"  ratio:   {ratio:.1f}× the floor (the median of {runs} runs, cycles/s beside the "
        "floor's: " + ", ".join(f"{cycles / r[1]:.1f} / {cycles / r[4]:.1f}" for r in results) + ")"
    )
    print("  rows a cycle: " + ", ".join(f"{t} {n}" for t, n in service_rows.items()))
    print(
        "  per step, per cycle    statements: session  view service"
        "   ms: session  view service   CPU ms: view service"
    )
    for step in STEPS:
        parts = per_step[step]
        n = [parts[k][1] / total for k in ("user", "view", "service")]
        ms = [1000 * parts[k][0] / total for k in ("user", "view", "service")]
        cpu_ms = [1000 * parts[k][2] / total for k in ("view", "service")]
        print(
            f"    {step:<8}                        {n[0]:5.1f} {n[1]:5.1f} {n[2]:6.1f}"
            f"       {ms[0]:5.1f} {ms[1]:5.1f} {ms[2]:6.1f}          {cpu_ms[0]:5.1f} "
            f"{cpu_ms[1]:6.1f}"
        )
    print("  statements by kind (per cycle): " + ", ".join(
        f"{k} {v / total:.1f}" for k, v in sorted(counter.kinds.items()) if v
    ))  # fmt: skip
    print("  writing statements (per cycle): " + ", ".join(
        f"{k} {v / total:.1f}" for k, v in tables_written(counter).items()
    ))  # fmt: skip
    print(f"  peak RSS: {peak_rss_mib():.0f} MiB")
    connection.close()
    if not database_url:
        shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent)
    shutil.rmtree(MEDIA, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="the figures are the median run's")
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--background", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--show",
        default="",
        help="print the SQL of one cycle: a step name (assign, receive…) or 'all'",
    )
    args = parser.parse_args()
    run(args.cycles, args.runs, args.departments, args.background, args.database_url, args.show)


if __name__ == "__main__":
    main()
