"""Benchmark of the deadline sweep.

    .venv/bin/python bench/sweep.py                      # SQLite: 10k and 100k (make bench)
    .venv/bin/python bench/sweep.py --sizes 1000000 --database-url postgres://…

Builds N open assignments (50 agencies with a head each, deadlines spread over a year around
today, one in ten a request) in a throw-away database (in a child process: the peak RSS
printed is the sweeping process's) and prints, for each pass, wall time, SQL queries and rows
written beside its floor: the first pass (the backfill: no watermark yet) beside one
hand-written INSERT … SELECT that writes the same escalation rows (goal ≤ 2×); the next pass
five minutes later with nothing new beside an empty transaction reading an empty index range
(goal ≤ 50 ms); the pass one day later beside the INSERT … SELECT of the due dates that entered
a window that day (goal ≤ 3×); its rerun (idempotent: nothing written). With --peer (default for
sizes ≤ 10,000) it also arms the same deadlines as viewflow ``.OnTimeout`` timers and times
``fire_due_timers``, the peer a viewflow user would reach for.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url: str | None) -> str:
    if database_url is None:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='dondoc-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["EXTRA_APPS"] = "bench"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    # The sweep builds its notice links with reverse(): load the URLconf once here, as a running
    # process has, so that the first timed pass does not pay for importing every view.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    return database_url


def build(n: int, today: date):
    from django.utils import timezone

    from agencies.models import Membership, User
    from bench.province import START as start
    from bench.province import departments_create, province_create
    from workflow.models import Assignment, Directive, DirectiveItem
    from workflow.models.assigning import assignment_search_text

    province = province_create()
    agencies = departments_create(province, 50)
    heads = User.objects.bulk_create(
        [User(username=f"head-{a.code}", password="!") for a in agencies]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, agency=a, role="head", valid_from=start)
            for u, a in zip(heads, agencies, strict=True)
        ]
    )
    reviewer = User.objects.create(username="reviewer", password="!")
    Membership.objects.create(user=reviewer, agency=province, role="reviewer", valid_from=start)
    directive = Directive.objects.create(
        kind="chi_thi", title="Bench", issued_on=start, issuer=province, status="published"
    )
    item = DirectiveItem.objects.create(directive=directive, number="1", text="Bench")
    first_due = today - timedelta(days=180)
    batch = []
    for i in range(n):
        due = first_due + timedelta(days=i % 365)
        batch.append(
            Assignment(
                item=item,
                agency_as_written=agencies[i % 50],
                agency=agencies[i % 50],
                role="lead",
                modality="request" if i % 10 == 0 else "order",
                title=f"Việc {i}",
                search_text=assignment_search_text(title=f"Việc {i}", expected_output=""),
                assigned_on=min(due, first_due),
                due_policy="fixed",
                due_date=due,
                original_due_date=due,
                state="in_progress" if i % 3 else "new",
                created_at=timezone.now(),
                # Made before this version, as after the upgrade (workflow 0003): the first pass
                # weighs them all, having no watermark; later passes only what changed.
                sweep_pending=False,
            )
        )
        if len(batch) == 10_000:
            Assignment.objects.bulk_create(batch)
            batch = []
    Assignment.objects.bulk_create(batch)


def floor(now, since=None) -> tuple[float, int]:
    """One hand-written INSERT … SELECT writing the rows the sweep writes into Escalation at
    ``now``: every open assignment past each level's threshold or, with ``since``, only those
    whose due date entered a level's window after the sweep at ``since`` (rolled back)."""
    from django.db import connection, transaction

    from core.calendar import WorkCalendar
    from core.time import local_date
    from escalation.models import EscalationLevel

    today = local_date(now)
    cal = WorkCalendar()
    rows = []
    for level in EscalationLevel.objects.filter(policy__directive__isnull=True):
        threshold = cal.latest_reached(today, level.offset_working_days)
        min_due = today if level.kind == "reminder" else date(1900, 1, 1)
        if since is not None:
            before = cal.latest_reached(local_date(since), level.offset_working_days)
            min_due = max(min_due, before + timedelta(days=1))
        requests_ok = level.kind in ("reminder", "warning")
        rows.append((level.pk, threshold, min_due, requests_ok))
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    cast = "::date" if connection.vendor == "postgresql" else ""
    sql = f"""
        WITH l(level_id, threshold, min_due, requests_ok) AS (VALUES {values})
        INSERT INTO escalation_escalation
            (assignment_id, agency_id, level_id, due_date, raised_at, resolution,
             decision_note, sent_to_leader)
        SELECT a.id, a.agency_id, l.level_id, a.due_date, %s, '', '', false
        FROM workflow_assignment a
        JOIN l ON a.due_date <= l.threshold{cast} AND a.due_date >= l.min_due{cast}
              AND (l.requests_ok OR a.modality = 'order')
        WHERE a.state IN ('new', 'refused', 'in_progress', 'reported', 'approved')
          AND a.due_date IS NOT NULL
        ON CONFLICT (assignment_id, level_id, due_date) DO NOTHING"""  # noqa: S608
    params = [v for row in rows for v in row] + [now]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM escalation_escalation")
        before = cursor.fetchone()[0]
        started = time.perf_counter()
        cursor.execute(sql, params)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT COUNT(*) FROM escalation_escalation")
        written = cursor.fetchone()[0] - before
        transaction.set_rollback(True)
    return elapsed, written


def empty_floor() -> float:
    """The cheapest pass there is: one transaction reading an empty index range."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM workflow_assignment WHERE sweep_pending LIMIT 1")
        cursor.fetchall()
    return time.perf_counter() - started


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


SLOWEST: list = []  # (seconds, sql) of the last measured call, slowest first


def measured(fn):
    """Wall time, number of SQL statements and result of ``fn()``; the statements' own times
    are kept in ``SLOWEST`` (printed with --slowest)."""
    from django.db import connection

    timed = []

    def counter(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    SLOWEST[:] = sorted(timed, key=lambda t: -t[0])
    return elapsed, len(timed), result


def peer(n: int, now) -> None:
    """Arm the same deadlines as viewflow timers and let ``fire_due_timers`` fire them."""
    from django.db import transaction
    from viewflow.workflow.timers import fire_due_timers

    from bench.viewflow_peer import DeadlineFlow
    from core.time import end_of_day
    from workflow.models import Assignment

    deadlines = list(
        Assignment.objects.filter(modality="order")
        .order_by("pk")
        .values_list("due_date", flat=True)[:n]
    )
    started = time.perf_counter()
    with transaction.atomic():
        for due in deadlines:
            DeadlineFlow.start.run(deadline=end_of_day(due))
    armed = time.perf_counter() - started
    from viewflow.workflow.models import Task

    due_now = Task.objects.filter(flow_task_type="TIMER", scheduled__lte=now).count()
    elapsed, queries, fired = measured(fire_due_timers)
    print(
        f"  viewflow peer: armed {len(deadlines)} timers in {armed:.1f} s; "
        f"fire_due_timers fired {fired} of {due_now} due in {elapsed:.2f} s "
        f"({queries} queries, {1000 * elapsed / max(fired, 1):.2f} ms each)"
    )


def run(n: int, database_url: str | None, with_peer: bool, slowest: int = 0) -> None:
    """Build in a child process (so that this one's peak RSS is the sweep's), then time the
    backfill, an idle pass, a day's pass and its rerun, each beside its floor."""
    if database_url is None:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='dondoc-bench-')}/bench.sqlite3"
    started = time.perf_counter()
    command = [sys.executable, __file__, "--build", str(n), "--database-url", database_url]
    subprocess.run(command, check=True)  # noqa: S603
    built = time.perf_counter() - started
    setup(database_url)
    from django.db import connection
    from django.utils import timezone

    from escalation.models import Escalation
    from escalation.sweep import sweep
    from notifications.models import Notice

    now = timezone.now().replace(hour=3, minute=0, second=0, microsecond=0)
    print(
        f"\n{n:,} open assignments on {connection.vendor} (built in {built:.1f} s), sweep at "
        f"{now:%Y-%m-%d %H:%M} UTC"
    )

    def goal(text: str, met: bool) -> str:
        return f" (goal {text}{'' if met else ': goal missed'})"

    def line(label, elapsed, queries, report, floor_time=None, verdict=""):
        ratio = f" — {elapsed / floor_time:.1f}× the floor {floor_time:.3f} s" if floor_time else ""
        print(
            f"  {label:<34}{elapsed:9.3f} s  {report.escalations:>9,} escalations, "
            f"{report.notices:,} notices, {report.flows_opened:,} review tasks, "
            f"{queries} queries{ratio}{verdict}"
        )
        if slowest:
            for seconds, sql in SLOWEST[:slowest]:
                print(f"      {1000 * seconds:8.1f} ms  {' '.join(sql.split())[:150]}")

    floor_time, floor_rows = floor(now)
    elapsed, queries, report = measured(lambda: sweep(now=now, send_mail=False))
    line(
        "first pass (backfill)",
        elapsed,
        queries,
        report,
        floor_time,
        goal("≤ 2×", elapsed <= 2 * floor_time),
    )
    assert report.escalations == floor_rows, (report.escalations, floor_rows)
    idle_floor = empty_floor()
    elapsed, queries, report = measured(
        lambda: sweep(now=now + timedelta(minutes=5), send_mail=False)
    )
    line(
        "next pass, nothing new",
        elapsed,
        queries,
        report,
        idle_floor,
        goal("≤ 50 ms", elapsed <= 0.05),
    )
    day = now + timedelta(days=1)
    floor_time, floor_rows = floor(day, since=now)
    elapsed, queries, report = measured(lambda: sweep(now=day, send_mail=False))
    line(
        "one day later",
        elapsed,
        queries,
        report,
        floor_time,
        goal("≤ 3×", elapsed <= 3 * floor_time),
    )
    assert report.escalations == floor_rows, (report.escalations, floor_rows)
    elapsed, queries, report = measured(lambda: sweep(now=day, send_mail=False))
    line("rerun (idempotent)", elapsed, queries, report)
    assert report.escalations == 0
    print(
        f"  rows: {Escalation.objects.count():,} escalations, {Notice.objects.count():,} "
        f"notices; peak RSS of the sweeping process {peak_rss_mib():.0f} MiB (goal ≤ 300)"
    )
    if with_peer:
        peer(n, now)
    connection.close()
    if database_url.startswith("sqlite:///"):
        os.remove(database_url.removeprefix("sqlite:///"))


def build_only(n: int, database_url: str) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from core.time import local_date

    if not database_url.startswith("sqlite:///"):
        from bench import database

        database.ensure(database_url)
        setup(database_url)
        call_command("flush", verbosity=0, interactive=False)
        call_command("migrate", "escalation", "0002", verbosity=0)
        call_command("migrate", verbosity=0)
    else:
        setup(database_url)
    build(n, local_date(timezone.now()))
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--peer", choices=["auto", "yes", "no"], default="auto")
    parser.add_argument("--slowest", type=int, default=0, help="print each pass's N slowest")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.build:
        build_only(args.build, args.database_url)
        return
    if len(args.sizes) == 1:
        n = args.sizes[0]
        with_peer = args.peer == "yes" or (args.peer == "auto" and n <= 10_000)
        run(n, args.database_url, with_peer, args.slowest)
        return
    for n in args.sizes:
        command = [sys.executable, __file__, "--sizes", str(n), "--peer", args.peer]
        command += ["--slowest", str(args.slowest)]
        if args.database_url:
            command += ["--database-url", args.database_url]
        subprocess.run(command, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
