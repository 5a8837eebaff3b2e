"""Benchmark of the pages the office opens all day, at a province's real volume.

    .venv/bin/python bench/pages.py --database-url postgres://…/dondoc_bench   # make bench-pages
    .venv/bin/python bench/pages.py --size 2000 --small 0                     # SQLite smoke run
    .venv/bin/python bench/pages.py --national --reuse --database-url postgres://…/dondoc_national

Builds a province of ``--size`` assignments for ``--agencies`` working agencies (bench/dataset.py:
the reference agencies and synthetic communes, 50 by default, each with a head and two
officers, directives, assignments in every state with their viewflow tasks, extension requests,
one real sweep) in a throw-away database, makes the newest three directives public through the
real service (the generator publishes none), then requests each page
with Django's test client, signed in: ``--runs`` timed requests after ``--warmups``. For each
page it prints p50 and p95 of the server time (around ``client.get``), the p50 of the bench
process's own CPU time ("py cpu": Python, and SQLite's work when on SQLite, without waiting for
PostgreSQL or for other processes), the SQL queries of one request, the rows shown and their
total, and the ratio to the floor — a signed-in view of 50 assignments' ids and titles
(bench/urls.py). Then it does the same at ``--small`` assignments (default 2,000; on
PostgreSQL in a database of its own, ``<name>_2000``; for at most 200 agencies) and compares
the query counts: they must not depend on the number of rows. The load average is printed with
the figures (and PostgreSQL's fsync, shared_buffers and work_mem): the figures are only as
good as the machine is quiet.

``--national`` is issue 14's national scale: 12,000 agencies (the 34 of the reference file and
11,966 synthetic communes) and 1,000,000 assignments (five directives of 20 items, each item
given to every agency). People are made through the real services in the first 50 agencies by
code and set-wise, in the same shapes, in the others (bench/dataset.py); the measured head is
that of the first working agency by code, as at any scale.

The pages: the inbox and the landings (issue 9; the province landing is the leader's provincial
dashboard of issue 14), the heat map of the newest directive and of the oldest (every agency ×
20 items); the assignment list of the office's
reviewer and of an agency's head (first page, overdue, and the last page), the API's list for
both, the head's agency dashboard, the escalations page (all, open), and an assignment's page
for the reviewer and the head — the head of the first working agency by code, and that
agency's first in-progress assignment with an extension request (issue 10). The detail's
floor is a signed-in view of one assignment read by its key (bench/urls.py). The public page,
the newest public directive's page of agencies and the JSON download (issue 14), by nobody
signed in: "uncached" with Django's cache cleared before each request (untimed: the figures
are counted again), and as the cache serves them (300 s).

Goal (issues 9, 10 and 14): at most 12 queries and p95 ≤ 150 ms per page. A missed goal is printed
as "goal missed", it does not fail the run; only a crash does. On PostgreSQL the database of
each size is dropped and rebuilt (its schema) unless ``--reuse`` finds the same data set there
(as many assignments, and a head in as many agencies);
``--show-queries`` prints each page's queries with their times, ``--explain`` the plan of each
page's slowest query (EXPLAIN ANALYZE, BUFFERS; PostgreSQL), ``--only word,word`` measures the
pages whose label holds one of the words (and the floors).
"""

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import database  # noqa: E402 (after the path is set)

GOAL_QUERIES = 12
GOAL_P95_MS = 150.0
SMALL_AGENCIES = 200  # at most, in the ``--small`` run (its query counts are compared)


@dataclass
class Figures:
    label: str
    url: str
    p50: float = 0.0  # ms, wall time around client.get
    p95: float = 0.0
    cpu: float = 0.0  # ms, p50 of this process's CPU time (Python's share, without waiting)
    queries: int = 0
    shown: str = ""
    skipped: str = ""  # why the page was not measured


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["EXTRA_APPS"] = "bench"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"


def prepare(size: int, reuse: bool, agencies: int) -> bool:
    """Migrate, and wipe the database unless it holds this data set (``size`` assignments for
    ``agencies`` agencies) and ``reuse``: True when the data set must be built."""
    from django.core.management import call_command
    from django.db import connection

    if reuse and _holds(size, agencies):
        call_command("migrate", verbosity=0, interactive=False)  # the tree's newer migrations
        return False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        name = connection.settings_dict["NAME"]
        connection.close()
        if os.path.exists(name):
            os.remove(name)
    call_command("migrate", verbosity=0, interactive=False)
    return True


def _holds(size: int, agencies: int) -> bool:
    """Whether the database holds the data set of ``size`` assignments for ``agencies``
    working agencies (each has its head ``thutruong.<code>``)."""
    from django.db import DatabaseError

    from bench.dataset import REVIEWER

    try:
        from agencies.choices import Role
        from agencies.models import Membership, User
        from workflow.models import Assignment

        heads = Membership.objects.filter(role=Role.HEAD, user__username__startswith="thutruong.")
        return (
            User.objects.filter(username=REVIEWER).exists()
            and heads.count() == agencies
            and Assignment.objects.count() == size
        )
    except DatabaseError:
        return False


PUBLIC_DIRECTIVES = 3  # made public (all their items) by the office before measuring


def make_public() -> int:
    """Make the ``PUBLIC_DIRECTIVES`` newest directives public with all their items, through
    the real service, as the office's reviewer (the generator publishes none), unless some
    directive is public already (a reused data set): how many are public."""
    from agencies.models import User
    from bench.dataset import REVIEWER
    from workflow.models import Directive, Publication
    from workflow.services.publication import publication_publish

    public = Publication.objects.filter(is_public=True).count()
    if public:
        return public
    reviewer = User.objects.get(username=REVIEWER)
    newest = Directive.objects.filter(status="published").order_by("-issued_on", "-pk")
    for directive in newest[:PUBLIC_DIRECTIVES]:
        publication_publish(actor=reviewer, directive=directive, items=directive.items.all())
    return Publication.objects.filter(is_public=True).count()


def pages() -> list[tuple[str, str, str]]:
    """(label, who, URL) of every measured page; the URL is empty when the page is missing."""
    from django.urls import NoReverseMatch, reverse

    from bench.dataset import LEADER, REVIEWER

    try:
        extensions = reverse("workflow:extension_list")
    except NoReverseMatch:
        extensions = ""
    head, subject = _head_and_subject()
    inbox = reverse("workflow:inbox")
    overview = reverse("dashboards:overview")
    heat_map = reverse("dashboards:heat_map")
    oldest = _oldest_directive()
    public, public_json = reverse("dashboards:public"), reverse("dashboards:public_json")
    public_agencies = _public_agencies()
    assignments = reverse("workflow:assignments")
    api = reverse("api:assignment-list")
    detail = reverse("workflow:assignment", args=[subject]) if subject else ""
    return [
        ("minimal view (floor)", REVIEWER, reverse("bench-floor")),
        ("inbox, reviewer, by kind (default)", REVIEWER, inbox),
        ("inbox, reviewer, newest first", REVIEWER, inbox + "?order=arrival"),
        ("inbox, reviewer, by due date", REVIEWER, inbox + "?order=due"),
        ("inbox, head", head, inbox),
        ("inbox, head, by due date", head, inbox + "?order=due"),
        ("province landing, leader", LEADER, overview),
        ("province landing, reviewer", REVIEWER, overview),
        ("heat map, leader (newest directive)", LEADER, heat_map),
        ("heat map, leader (oldest directive)", LEADER, f"{heat_map}?directive={oldest}"),
        ("extension requests, reviewer", REVIEWER, extensions),
        ("search 'cai cach', reviewer", REVIEWER, assignments + "?q=cai+cach"),
        ("assignments, reviewer", REVIEWER, assignments),
        ("assignments, reviewer, overdue", REVIEWER, assignments + "?timeliness=overdue"),
        ("assignments, reviewer, last page", REVIEWER, assignments + "?page=last"),
        ("assignments, head", head, assignments),
        ("assignments, head, overdue", head, assignments + "?timeliness=overdue"),
        ("API assignments, reviewer", REVIEWER, api),
        ("API assignments, head", head, api),
        ("agency dashboard, head", head, _agency_dashboard()),
        ("public page, uncached", ANONYMOUS, public),
        ("public page", ANONYMOUS, public),
        ("public agencies, uncached", ANONYMOUS, public_agencies),
        ("public agencies", ANONYMOUS, public_agencies),
        ("public JSON, uncached", ANONYMOUS, public_json),
        ("public JSON", ANONYMOUS, public_json),
        ("escalations, reviewer", REVIEWER, reverse("escalation:list")),
        ("escalations, reviewer, open", REVIEWER, reverse("escalation:list") + "?open=true"),
        ("minimal detail (floor)", REVIEWER, reverse("bench-detail-floor", args=[subject or 0])),
        ("assignment detail, reviewer", REVIEWER, detail),
        ("assignment detail, head", head, detail),
    ]


ANONYMOUS = ""  # who requests the public pages: nobody signed in
UNCACHED = "uncached"  # in a label: the cache is cleared before each request


def _agency_dashboard() -> str:
    """The head's agency dashboard: in the dashboards app, or where it was before (workflow)."""
    from django.urls import NoReverseMatch, reverse

    for name in ("dashboards:agency", "workflow:dashboard"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def _oldest_directive() -> int:
    """The first directive issued: given to every working agency in full (the newest may be
    given to some of them only)."""
    from workflow.models import Directive

    first = Directive.objects.order_by("issued_on", "pk").values_list("pk", flat=True).first()
    return first or 0


def _head_and_subject() -> tuple[str, int | None]:
    """The head of the first working agency (by code), and the assignment whose page is
    measured: that agency's first in-progress assignment with an extension request (the page
    with the most forms on it), else its first assignment."""
    from agencies.choices import Role
    from agencies.models import Membership
    from workflow.models import Assignment

    membership = (
        Membership.objects.filter(role=Role.HEAD, user__username__startswith="thutruong.")
        .select_related("user", "agency")
        .order_by("agency__code")
        .first()
    )
    if membership is None:
        return "", None
    mine = Assignment.objects.filter(agency_id=membership.agency_id).order_by("pk")
    subject = mine.filter(state="in_progress", extension_requests__isnull=False).first()
    subject = subject or mine.first()
    return membership.user.username, subject.pk if subject else None


def _public_agencies() -> str:
    """The page of agencies of the newest public directive."""
    from django.urls import reverse

    from workflow.selectors import public_directives

    newest = public_directives().first()
    return reverse("dashboards:public_agencies", args=[newest.pk]) if newest else ""


def _rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def _shown(response) -> str:
    """What the page shows and the total it reports, read from its template context (or, for
    the API, from its JSON)."""
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        if isinstance(data, dict) and "results" in data:
            return f"{len(data['results']):,} of {data.get('count', '?'):,}"
        if isinstance(data, dict) and "directives" in data:
            rows = sum(len(d["agencies"]) for d in data["directives"])
            return f"{len(data['directives'])} directives, {rows:,} agency rows"
        return ""
    context = response.context
    if context is None:
        return ""
    page = context.get("page_obj")
    if page is not None:
        return f"{len(page.object_list):,} of {page.paginator.count:,}"
    report = context.get("report")
    if report is not None and hasattr(report, "directives"):
        items = sum(len(d.items) for d in report.directives)
        return f"{len(report.directives)} directives, {items:,} items"
    heat = context.get("heat")
    if heat is not None and hasattr(heat, "rows"):
        return f"{len(heat.rows)} of {heat.agency_count:,} agencies × {len(heat.items)} items"
    overview = context.get("overview")
    if overview is not None:
        total = sum(overview.totals.values())
        page = overview.agencies
        shown = len(page.object_list)
        return f"{shown} of {page.paginator.count:,} agencies, {total:,} assignments"
    board = context.get("board")
    if board is not None and hasattr(board, "due_this_week_count"):
        total = sum(board.counts.values())
        return f"week {board.due_this_week_count:,}, overdue {board.overdue_count:,}, all {total:,}"
    if context.get("due_this_week_count") is not None:
        return (
            f"week {context['due_this_week_count']:,}, overdue {context['overdue_count']:,}, "
            f"all {context['total']:,}"
        )
    if context.get("steps") is not None:
        return f"{len(context['steps'])} steps, {len(context['timeline'])} events"
    rows = context.get("rows")
    return f"{len(rows):,}" if rows is not None else ""


def explain(sql: str) -> str:
    """The plan PostgreSQL runs for ``sql``, with its timings and buffers (EXPLAIN ANALYZE
    runs the query: only SELECTs are given here)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def measure(
    client, label: str, url: str, runs: int, warmups: int, show: bool, plans: bool = False
) -> Figures:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import (
        CaptureQueriesContext,
        setup_test_environment,
        teardown_test_environment,
    )

    def get(url):
        if UNCACHED in label:
            cache.clear()  # untimed: the page counts its figures again
        return client.get(url)

    figures = Figures(label=label, url=url)
    for _ in range(warmups):
        response = get(url)
        if response.status_code != 200:
            figures.skipped = f"HTTP {response.status_code}"
            return figures
    times, cpu = [], []
    for _ in range(runs):
        if UNCACHED in label:
            cache.clear()
        started, used = time.perf_counter(), time.process_time()
        client.get(url)
        times.append(1000 * (time.perf_counter() - started))
        cpu.append(1000 * (time.process_time() - used))
    figures.p50, figures.p95 = _rank(times, 0.50), _rank(times, 0.95)
    figures.cpu = _rank(cpu, 0.50)
    if UNCACHED in label:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = list(captured.captured_queries)  # the next request's request_started clears them
    figures.queries = len(queries)
    # One more request with the templates instrumented, to read what the page shows.
    setup_test_environment(debug=False)
    try:
        figures.shown = _shown(get(url))
    finally:
        teardown_test_environment()
    if show:
        print(f"\n  -- {label}: {url}")
        for q in queries:
            print(f"     {1000 * float(q['time']):7.1f} ms  {q['sql'][:400]}")
    if plans and connection.vendor == "postgresql":
        selects = [q for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
        if selects:
            slowest = max(selects, key=lambda q: float(q["time"]))
            print(f"\n  -- {label}: {url}")
            took = 1000 * float(slowest["time"])
            print(f"     slowest of {len(queries)} queries, {took:.1f} ms:")
            print("     " + slowest["sql"][:2000])
            print("\n".join("     " + line for line in explain(slowest["sql"]).splitlines()))
    return figures


def goal(figures: Figures) -> str:
    missed = []
    if figures.p95 > GOAL_P95_MS:
        missed.append(f"p95 {figures.p95:.0f} ms > {GOAL_P95_MS:.0f}")
    if figures.queries > GOAL_QUERIES:
        missed.append(f"{figures.queries} queries > {GOAL_QUERIES}")
    return "goal missed: " + "; ".join(missed) if missed else "ok"


def machine() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
            settings = []
            for name in ("fsync", "shared_buffers", "work_mem"):
                cursor.execute(f"SHOW {name}")
                settings.append(f"{name}={cursor.fetchone()[0]}")
            database += " (" + ", ".join(settings) + ")"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        memory = "? GiB"
    return f"{os.cpu_count()} cores, {memory}, Python {platform.python_version()}, {database}"


def print_table(
    size: int, agencies: int, results: list[Figures], runs: int, warmups: int, info: str
) -> None:
    floors = [r for r in results if "(floor)" in r.label]
    lists = next((r for r in floors if "detail" not in r.label), None)
    detail = next((r for r in floors if "detail" in r.label), lists)
    print(
        f"\n{size:,} assignments, {agencies:,} agencies — {info}; {runs} requests per page "
        f"after {warmups} warm-ups"
    )
    print(
        f"  {'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'py cpu':>7} {'queries':>8}  "
        f"{'rows shown':<30} {'× floor p50/p95':>15}  goal"
    )
    for r in results:
        if r.skipped:
            print(f"  {r.label:<34} not measured: {r.skipped}")
            continue
        ratio = ""
        floor = detail if "detail" in r.label else lists
        if floor is not None and r not in floors and floor.p50 and floor.p95:
            ratio = f"{r.p50 / floor.p50:.1f} / {r.p95 / floor.p95:.1f}"
        verdict = "" if r in floors else goal(r)
        print(
            f"  {r.label:<34} {r.p50:8.1f} {r.p95:8.1f} {r.cpu:7.1f} {r.queries:8d}  "
            f"{r.shown:<30} {ratio:>15}  {verdict}"
        )


def run(args) -> list[Figures]:
    url = args.database_url
    temporary = None
    if url is None:
        temporary = tempfile.mkdtemp(prefix="dondoc-bench-")
        url = f"sqlite:///{temporary}/bench.sqlite3"
    setup(url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from agencies.models import User
    from bench import dataset

    if prepare(args.size, args.reuse, args.agencies):
        print(
            f"\nBuilding {args.size:,} assignments for {args.agencies:,} agencies on "
            f"{connection.vendor} ({machine()}):",
            flush=True,
        )
        started = time.perf_counter()
        dataset.build(args.size, now=timezone.now(), agencies=args.agencies)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        print(
            f"\nReusing the {args.size:,} assignments for {args.agencies:,} agencies already in "
            "the database.",
            flush=True,
        )
    print(f"  {make_public()} directives public", flush=True)
    describe_data()
    clients = {}
    results = []
    load_before = os.getloadavg()[0]
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    for label, who, page_url in pages():
        if wanted and "floor" not in label and not any(w in label for w in wanted):
            continue
        if not page_url:
            results.append(Figures(label=label, url="", skipped="no such page in this tree"))
            continue
        if who not in clients:
            clients[who] = Client()
            if who != ANONYMOUS:
                clients[who].force_login(User.objects.get(username=who))
        figures = measure(
            clients[who], label, page_url, args.runs, args.warmups, args.show_queries, args.explain
        )
        results.append(figures)
        print(
            f"  {label}: p50 {figures.p50:.0f} ms, p95 {figures.p95:.0f} ms, "
            f"{figures.queries} queries {figures.skipped}",
            flush=True,
        )
    load = f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} while measuring"
    print_table(args.size, args.agencies, results, args.runs, args.warmups, f"{machine()}; {load}")
    connection.close()
    if temporary:
        os.remove(f"{temporary}/bench.sqlite3")
    return results


def describe_data() -> None:
    """What the reviewer has to do, and the tables' sizes."""
    from collections import Counter

    from viewflow.workflow.models import Task

    from agencies.models import User
    from bench.dataset import REVIEWER
    from core.inbox import inbox_counts
    from escalation.models import Escalation
    from notifications.models import Notice
    from workflow.models import Assignment, ExtensionRequest

    reviewer = User.objects.get(username=REVIEWER)
    counts = inbox_counts(user=reviewer)
    kinds = ", ".join(f"{k} {n:,}" for k, n in counts.items() if n)
    states = Counter(dict(Assignment.objects.values_list("state").annotate(n=_count())))
    by_state = ", ".join(f"{s} {n:,}" for s, n in states.most_common())
    print(
        f"  {Assignment.objects.count():,} assignments ({by_state}); "
        f"{Task.objects.count():,} viewflow tasks; {ExtensionRequest.objects.count():,} "
        f"extension requests; {Escalation.objects.count():,} escalations; "
        f"{Notice.objects.count():,} notices"
    )
    print(f"  {REVIEWER} has {sum(counts.values()):,} open tasks: {kinds}")


def _count():
    from django.db.models import Count

    return Count("pk")


def children(args) -> None:
    """Each size in a process of its own (Django reads its settings once per process); on
    PostgreSQL each in its own database, so that ``--reuse`` can keep both."""
    sizes = [args.small, args.size] if args.small else [args.size]
    figures: dict[int, list[dict]] = {}
    for size in sizes:
        agencies = args.agencies if size == args.size else min(args.agencies, SMALL_AGENCIES)
        url = args.database_url
        if url and _is_postgres(url) and size != args.size:
            url = database.with_database(url, f"{urlsplit(url).path.lstrip('/')}_{size}")
        if url and _is_postgres(url):
            database.ensure(url)
        out = Path(tempfile.mkstemp(prefix="dondoc-pages-", suffix=".json")[1])
        command = [sys.executable, __file__, "--size", str(size), "--small", "0"]
        command += ["--agencies", str(agencies)]
        command += ["--runs", str(args.runs), "--warmups", str(args.warmups), "--json", str(out)]
        if url:
            command += ["--database-url", url]
        if args.reuse:
            command.append("--reuse")
        if args.show_queries:
            command.append("--show-queries")
        if args.explain:
            command.append("--explain")
        if args.only:
            command += ["--only", args.only]
        subprocess.run(command, check=True)  # noqa: S603
        figures[size] = json.loads(out.read_text())
        out.unlink()
    if len(sizes) < 2:
        return
    small, big = (
        {f["label"]: f for f in figures[s] if not f["skipped"]} for s in (args.small, args.size)
    )
    print(f"\nQueries per page at {args.small:,} and {args.size:,} assignments:")
    for label, f in big.items():
        other = small.get(label)
        if other is None:
            continue
        same = "same" if other["queries"] == f["queries"] else "DIFFERS: depends on the rows"
        print(f"  {label:<34} {other['queries']:4d} {f['queries']:6d}   {same}")
    missed = [
        f["label"]
        for f in figures[args.size]
        if not f["skipped"] and "(floor)" not in f["label"] and goal(Figures(**f)) != "ok"
    ]
    print(
        f"\nGoal (≤ {GOAL_QUERIES} queries, p95 ≤ {GOAL_P95_MS:.0f} ms) at {args.size:,}: "
        + ("met by every page" if not missed else "goal missed by " + ", ".join(missed))
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="postgres://… (SQLite if omitted)")
    parser.add_argument("--size", type=int, default=200_000, help="assignments (200,000)")
    parser.add_argument(
        "--small", type=int, default=2_000, help="second size for the query counts (0: none)"
    )
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests first")
    parser.add_argument("--reuse", action="store_true", help="keep a data set of that size")
    parser.add_argument("--show-queries", action="store_true", help="print every page's SQL")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN (ANALYZE, BUFFERS) of each page's slowest query (PostgreSQL)",
    )
    parser.add_argument(
        "--only", default="", help="measure only the pages whose label contains one of these words"
    )
    parser.add_argument(
        "--agencies",
        type=int,
        default=None,
        help="working agencies of the data set (50; the small run: at most 200)",
    )
    parser.add_argument(
        "--national",
        action="store_true",
        help="the national data set: 12,000 agencies and 1,000,000 assignments",
    )
    parser.add_argument("--json", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    from bench import dataset

    if args.national:
        args.size = dataset.NATIONAL_ASSIGNMENTS
        args.agencies = args.agencies or dataset.NATIONAL_AGENCIES
    args.agencies = args.agencies or dataset.DEFAULT_AGENCIES
    if args.json is None:
        children(args)
        return
    results = run(args)
    Path(args.json).write_text(json.dumps([asdict(r) for r in results]))


if __name__ == "__main__":
    main()
