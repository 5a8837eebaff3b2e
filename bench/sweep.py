"""Benchmark of the deadline sweep.

    .venv/bin/python bench/sweep.py                      # SQLite: 10k and 100k (make bench)
    .venv/bin/python bench/sweep.py --sizes 1000000 --database-url postgres://…

Builds N open assignments (50 agencies with a head each, deadlines spread over a year around
today, one in ten a request) in a throw-away database and prints, for one sweep: wall time,
SQL queries and rows written, beside the floor — one hand-written INSERT … SELECT that writes
the same escalation rows — and a rerun (idempotent: nothing written). With --peer (default for
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

    from agencies.models import Agency, AgencyVersion, Membership, User
    from workflow.models import Assignment, Directive, DirectiveItem
    from workflow.models.assigning import assignment_search_text

    start = date(2000, 1, 1)
    province = Agency.objects.create(code="B-P")
    AgencyVersion.objects.create(
        agency=province,
        valid_from=start,
        name="UBND tỉnh Bench",
        name_key="ubnd tinh bench",
        kind="province",
    )
    agencies = Agency.objects.bulk_create([Agency(code=f"B-{i:02d}") for i in range(50)])
    AgencyVersion.objects.bulk_create(
        [
            AgencyVersion(
                agency=a,
                valid_from=start,
                name=f"Sở {a.code}",
                name_key=a.code.lower(),
                kind="department",
                parent=province,
            )
            for a in agencies
        ]
    )
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
            )
        )
        if len(batch) == 10_000:
            Assignment.objects.bulk_create(batch)
            batch = []
    Assignment.objects.bulk_create(batch)


def floor(now) -> tuple[float, int]:
    """One hand-written INSERT … SELECT writing the rows the sweep writes into Escalation."""
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
        requests_ok = level.kind in ("reminder", "warning")
        rows.append((level.pk, threshold, min_due, requests_ok))
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    cast = "::date" if connection.vendor == "postgresql" else ""
    sql = f"""
        WITH l(level_id, threshold, min_due, requests_ok) AS (VALUES {values})
        INSERT INTO escalation_escalation
            (assignment_id, level_id, due_date, raised_at, resolution, decision_note,
             sent_to_leader)
        SELECT a.id, l.level_id, a.due_date, %s, '', '', false
        FROM workflow_assignment a
        JOIN l ON a.due_date <= l.threshold{cast} AND a.due_date >= l.min_due{cast}
              AND (l.requests_ok OR a.modality = 'order')
        WHERE a.state IN ('new', 'refused', 'in_progress', 'reported', 'approved')
          AND a.due_date IS NOT NULL
        ON CONFLICT (assignment_id, level_id, due_date) DO NOTHING"""
    params = [v for row in rows for v in row] + [now]
    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            elapsed = time.perf_counter() - started
            cursor.execute("SELECT COUNT(*) FROM escalation_escalation")
            written = cursor.fetchone()[0]
        transaction.set_rollback(True)
    return elapsed, written


def measured(fn):
    """Wall time, number of SQL statements and result of ``fn()``."""
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return elapsed, count[0], result


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


def run(n: int, database_url: str | None, with_peer: bool) -> None:
    url = setup(database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from core.time import local_date
    from escalation.models import Escalation
    from escalation.sweep import open_review_tasks, sweep
    from notifications.models import Notice

    if database_url:
        call_command("flush", verbosity=0, interactive=False)
        call_command("migrate", "escalation", "0002", verbosity=0)
        call_command("migrate", verbosity=0)
    now = timezone.now().replace(hour=3, minute=0, second=0, microsecond=0)
    today = local_date(now)
    started = time.perf_counter()
    build(n, today)
    print(
        f"\n{n:,} open assignments on {connection.vendor} "
        f"(built in {time.perf_counter() - started:.1f} s), sweep at {now:%Y-%m-%d %H:%M} UTC"
    )
    floor_time, floor_rows = floor(now)
    print(f"  floor (one INSERT … SELECT): {floor_time:8.2f} s  {floor_rows:>9,} escalation rows")
    elapsed, queries, report = measured(lambda: sweep(now=now, open_flows_limit=0, send_mail=False))
    written = report.escalations + report.notices + report.resolved
    print(
        f"  sweep:                       {elapsed:8.2f} s  {report.escalations:>9,} "
        f"escalation rows, {report.notices:,} notices, {queries} queries, "
        f"{written:,} rows written — {elapsed / floor_time:.1f}× the floor"
    )
    assert report.escalations == floor_rows, (report.escalations, floor_rows)
    elapsed, queries, report = measured(
        lambda: sweep(now=now + timedelta(minutes=5), open_flows_limit=0, send_mail=False)
    )
    print(
        f"  rerun (idempotent):          {elapsed:8.2f} s  {report.escalations:>9,} "
        f"rows written, {queries} queries"
    )
    elapsed, queries, (opened, waiting) = measured(lambda: open_review_tasks(limit=200))
    print(
        f"  open 200 office review tasks (viewflow, per row): {elapsed:.2f} s, {queries} "
        f"queries ({1000 * elapsed / max(opened, 1):.1f} ms each; {waiting:,} left for "
        f"later passes)"
    )
    print(f"  rows: {Escalation.objects.count():,} escalations, {Notice.objects.count():,} notices")
    if with_peer:
        peer(n, now)
    connection.close()
    if not database_url:
        os.remove(url.removeprefix("sqlite:///"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--peer", choices=["auto", "yes", "no"], default="auto")
    args = parser.parse_args()
    if len(args.sizes) == 1:
        n = args.sizes[0]
        with_peer = args.peer == "yes" or (args.peer == "auto" and n <= 10_000)
        run(n, args.database_url, with_peer)
        return
    for n in args.sizes:
        command = [sys.executable, __file__, "--sizes", str(n), "--peer", args.peer]
        if args.database_url:
            command += ["--database-url", args.database_url]
        subprocess.run(command, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
