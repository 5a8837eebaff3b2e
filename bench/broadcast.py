"""Benchmark of a broadcast: one directive item given to every commune at once.

    .venv/bin/python bench/broadcast.py                         # SQLite, 3,321 communes
    .venv/bin/python bench/broadcast.py --communes 500 --runs 1
    bash bench/with-postgres.sh .venv/bin/python bench/broadcast.py   # PostgreSQL
    .venv/bin/python bench/broadcast.py --one-at-a-time          # also time the old path

Builds, in a throw-away database (SQLite file by default, or --database-url), the reference
agencies (agencies/data/quang_tri.yaml, through the real loader) and as many synthetic communes
of the merged province as needed for ``--communes`` communes existing today (the reference file
models only a few: the rest, "xã Thử nghiệm N", are written in bulk, each with a head, a clerk
and an officer, the head and the clerk being the ones told of new work); the office's reviewer
through the services. Then, for each run, a new published directive (so that each run's notices
are new), and:

- the figure: ``assignments_create_for_groups`` giving its item to "UBND cấp xã" (every commune
  that day), as the assign screen does, in one transaction with its commit;
- the floor, in the same run: hand-written INSERT … SELECT statements writing the same rows —
  the assignments, their viewflow processes (and child rows), the start and first tasks, the
  task links, the audit rows and the notices —, checked to write as many rows as the service;
- with ``--one-at-a-time``, once: the path before issue 10 (``assignment_start`` per agency:
  ``full_clean``, INSERT, viewflow's start, audit and notices, agency after agency).

Prints each run's time, statements and the peak RSS of the process during it (VmHWM, reset
before each run), the medians, the ratio to the floor, and the load average of the machine.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCE, OFFICE = "QT25-UBND", "QT-VPUBND"
REVIEWER = "chuyenvien.vp"


def setup(database_url: str | None) -> str:
    if database_url is not None and database_url.startswith(("postgres://", "postgresql://")):
        from bench import database

        database.ensure(database_url)
    if database_url is None:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='dondoc-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    if not database_url.startswith("sqlite"):
        call_command("flush", verbosity=0, interactive=False)
    call_command("migrate", verbosity=0, interactive=False)
    from django.urls import reverse

    reverse("workflow:assignments")  # a running server has its URLconf loaded
    return database_url


def peak_rss_reset() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    try:
        found = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
        return int(found.group(1)) / 1024 if found else 0.0
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


SLOWEST: list[tuple[float, str]] = []
CPU = [0.0]  # this process's CPU time during the last ``measured`` (Python, the driver, SQLite)


def measured(fn, *args):
    """Wall time, SQL statements and result of ``fn(*args)``, and the peak RSS during it; the
    statements' own times in ``SLOWEST``."""
    from django.db import connection

    count = [0]
    SLOWEST.clear()

    def counter(execute, sql, params, many, context):
        count[0] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            SLOWEST.append((time.perf_counter() - started, " ".join(sql.split())[:110]))

    peak_rss_reset()
    with connection.execute_wrapper(counter):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn(*args)
        elapsed = time.perf_counter() - started
    CPU[0] = time.process_time() - cpu
    return elapsed, count[0], peak_rss_mib(), result


def build(communes: int, today):
    """The reference agencies, synthetic communes up to ``communes``, people; the reviewer."""
    from agencies.choices import AgencyKind, Collective, Role
    from agencies.models import Agency, AgencyVersion, Membership, User
    from agencies.selectors import collective_members
    from agencies.services import agencies_load, membership_grant, user_create
    from core.text import fold

    reference = (ROOT / "agencies" / "data" / "quang_tri.yaml").read_text(encoding="utf-8")
    agencies_load(actor=None, text=reference)
    existing = collective_members(collective=Collective.COMMUNES, on=today).count()
    if existing > communes:
        raise SystemExit(f"the reference file alone has {existing} communes: ask for more")
    province = Agency.objects.get(code=PROVINCE)
    reform = AgencyVersion.objects.filter(agency=province).order_by("valid_from")[0].valid_from
    extra = Agency.objects.bulk_create(
        [Agency(code=f"BENCH-XA{i:04d}") for i in range(1, communes - existing + 1)],
        batch_size=1000,
    )
    AgencyVersion.objects.bulk_create(
        [
            AgencyVersion(
                agency=a,
                valid_from=reform,
                name=f"Ủy ban nhân dân xã Thử nghiệm {i}",
                name_key=fold(f"Ủy ban nhân dân xã Thử nghiệm {i}"),
                short_name=f"UBND xã Thử nghiệm {i}",
                short_name_key=fold(f"UBND xã Thử nghiệm {i}"),
                kind=AgencyKind.COMMUNE,
                parent=province,
                source="bench/broadcast.py: a synthetic commune",
            )
            for i, a in enumerate(extra, start=1)
        ],
        batch_size=1000,
    )
    members = [v.agency for v in collective_members(collective=Collective.COMMUNES, on=today)]
    roles = [Role.HEAD, Role.CLERK, Role.OFFICER]
    users = User.objects.bulk_create(
        [
            User(username=f"{role}.{a.code.lower()}", full_name=f"{role} {a.code}", password="!")
            for a in members
            for role in roles
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, agency=a, role=role, valid_from=reform)
            for (a, role), u in zip(
                [(a, role) for a in members for role in roles], users, strict=True
            )
        ],
        batch_size=1000,
    )
    reviewer = user_create(actor=None, username=REVIEWER, password="!bench", full_name="Xem")
    membership_grant(
        actor=None,
        user=reviewer,
        agency=Agency.objects.get(code=OFFICE),
        role=Role.REVIEWER,
        valid_from=reform,
    )
    return reviewer, members, existing


def new_item(reviewer, k: int, today):
    from agencies.models import Agency
    from workflow.services import directive_create, directive_publish, item_add

    directive = directive_create(
        actor=reviewer,
        kind="chi_thi",
        number=f"{k:02d}/CT-UBND",
        title=f"Về rà soát thủ tục hành chính cấp xã (thử nghiệm {k})",
        issued_on=today,
        issuer=Agency.objects.get(code=PROVINCE),
    )
    item_add(
        actor=reviewer,
        directive=directive,
        number="1",
        text="UBND các xã, phường rà soát thủ tục hành chính.",
    )
    directive = directive_publish(actor=reviewer, directive=directive)
    return directive.items.get()


TITLE = "Rà soát, đơn giản hóa thủ tục hành chính cấp xã"


def service(reviewer, item, today, at):
    from django.db import transaction

    from agencies.choices import Collective
    from workflow.choices import DuePolicy
    from workflow.deadlines import DueRule
    from workflow.services import Addressees, assignments_create_for_groups

    with transaction.atomic():
        return len(
            assignments_create_for_groups(
                actor=reviewer,
                item=item,
                addressees=Addressees(collectives=[Collective.COMMUNES], as_written="UBND các xã"),
                due_rule=DueRule(DuePolicy.FIXED, fixed_date=today + timedelta(days=30)),
                title=TITLE,
                assigned_on=today,
                at=at,
            )
        )


def one_at_a_time(reviewer, item, members, today, at):
    """The path before issue 10: ``assignment_start`` agency after agency."""
    from django.db import transaction

    from core.calendar import WorkCalendar
    from core.text import nfc
    from workflow.choices import AssignmentRole, AssignmentSource, DuePolicy, Modality
    from workflow.deadlines import DueRule
    from workflow.services.assigning import assignment_start

    due = DueRule(DuePolicy.FIXED, fixed_date=today + timedelta(days=30)).resolve(
        assigned_on=today, cal=WorkCalendar()
    )
    with transaction.atomic():
        for agency in members:
            assignment_start(
                actor=reviewer,
                at=at,
                item=item,
                title=nfc(TITLE),
                expected_output="",
                assigned_on=today,
                due_policy=DuePolicy.FIXED,
                agency_as_written=agency,
                agency=agency,
                agency_text="UBND các xã",
                role=AssignmentRole.LEAD,
                modality=Modality.ORDER,
                due_date=due.date,
                due_date_as_written=due.as_written,
                source=AssignmentSource.DIRECTIVE,
            )
    return len(members)


# The floor ----------------------------------------------------------------------------------


def _select(model, values: dict, exprs: dict) -> tuple[list[str], str, list]:
    """Columns, SELECT list and its parameters inserting one row of ``model`` per source row:
    ``exprs`` are SQL over the source row (by attname; a string, or SQL and its parameters),
    every other column a parameter (``values``, else the field's default), typed on PostgreSQL
    as the column."""
    from django.db import connection

    quote = connection.ops.quote_name
    columns, select, params = [], [], []
    for f in model._meta.local_concrete_fields:
        if f.primary_key and f.attname not in exprs:
            continue
        columns.append(quote(f.column))
        if f.attname in exprs:
            sql, more = (
                exprs[f.attname] if isinstance(exprs[f.attname], tuple) else (exprs[f.attname], [])
            )
            select.append(sql)
            params += more
            continue
        value = values[f.attname] if f.attname in values else f.get_default()
        params.append(f.get_db_prep_save(value, connection))
        if connection.vendor == "postgresql":
            select.append(f"CAST(%s AS {f.cast_db_type(connection)})")
        else:
            select.append("%s")
    return columns, ", ".join(select), params


def _split(text: str, marker: str) -> tuple[str, str]:
    before, _, after = text.partition(marker)
    return before, after


def floor(reviewer, item, members, today, at) -> tuple[int, dict]:
    """The same rows in set-based INSERT … SELECT statements; returns statements, rows."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import connection, transaction
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.http import urlencode
    from django.utils.translation import gettext as _
    from viewflow.workflow.fields import get_flow_ref, get_task_ref
    from viewflow.workflow.models import Process, Task

    from core.calendar import WorkCalendar
    from core.models import AuditEvent
    from core.text import nfc
    from notifications.models import Category, Delivery, Notice
    from workflow.access import RECEIVERS
    from workflow.choices import DuePolicy
    from workflow.deadlines import DueRule
    from workflow.flows import AssignmentFlow
    from workflow.models import Assignment
    from workflow.models.assigning import assignment_search_text

    pg = connection.vendor == "postgresql"
    json_cast = (lambda sql: f"CAST({sql} AS jsonb)") if pg else (lambda sql: sql)
    due = DueRule(DuePolicy.FIXED, fixed_date=today + timedelta(days=30)).resolve(
        assigned_on=today, cal=WorkCalendar()
    )
    directive = item.directive
    ids = [a.pk for a in members]
    in_ids = ", ".join(["%s"] * len(ids))
    now = timezone.now()
    statements = []

    columns, select, params = _select(
        Assignment,
        {
            "item_id": item.pk,
            "agency_text": "UBND các xã",
            "role": "lead",
            "modality": "order",
            "title": nfc(TITLE),
            "assigned_on": today,
            "due_policy": DuePolicy.FIXED,
            "due_date": due.date,
            "original_due_date": due.date,
            "due_date_as_written": due.as_written,
            "source": "directive",
            "state": "new",
            "created_at": now,
            "search_text": assignment_search_text(title=nfc(TITLE), expected_output=""),
        },
        {"agency_id": "a.id", "agency_as_written_id": "a.id"},
    )
    statements.append(
        (
            f"INSERT INTO workflow_assignment ({', '.join(columns)}) SELECT {select} "  # noqa: S608
            f"FROM agencies_agency a WHERE a.id IN ({in_ids}) ORDER BY a.id",
            params + ids,
        )
    )
    columns, select, params = _select(
        Process, {"flow_class": AssignmentFlow, "status": "NEW", "created": now}, {}
    )
    statements.append(
        (
            f"INSERT INTO viewflow_process ({', '.join(columns)}) SELECT {select} "  # noqa: S608
            "FROM workflow_assignment a WHERE a.item_id = %s ORDER BY a.id",
            [*params, item.pk],
        )
    )
    flow_ref = get_flow_ref(AssignmentFlow)
    statements.append(
        (
            "INSERT INTO workflow_assignmentprocess (process_ptr_id, assignment_id) "
            "SELECT p.id, a.id FROM "
            "(SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM viewflow_process "
            " WHERE flow_class = %s AND id > (SELECT COALESCE(MAX(process_ptr_id), 0) "
            "  FROM workflow_assignmentprocess)) p "
            "JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM workflow_assignment "
            " WHERE item_id = %s) a ON a.n = p.n",
            [flow_ref, item.pk],
        )
    )
    start, first = AssignmentFlow.start, AssignmentFlow.receive
    for node, status, done in ((start, "DONE", now), (first, "NEW", None)):
        columns, select, params = _select(
            Task,
            {
                "flow_task": node,
                "flow_task_type": node.task_type,
                "status": status,
                "created": now,
                "started": done,
                "finished": done,
            },
            {"process_id": "p.process_ptr_id"},
        )
        statements.append(
            (
                f"INSERT INTO viewflow_task ({', '.join(columns)}) SELECT {select} "  # noqa: S608
                "FROM workflow_assignmentprocess p JOIN workflow_assignment a "
                "ON a.id = p.assignment_id WHERE a.item_id = %s ORDER BY p.process_ptr_id",
                [*params, item.pk],
            )
        )
    statements.append(
        (
            "INSERT INTO viewflow_task_previous (from_task_id, to_task_id) "
            "SELECT f.id, s.id FROM viewflow_task f "
            "JOIN viewflow_task s ON s.process_id = f.process_id AND s.flow_task = %s "
            "JOIN workflow_assignmentprocess p ON p.process_ptr_id = f.process_id "
            "JOIN workflow_assignment a ON a.id = p.assignment_id "
            "WHERE f.flow_task = %s AND a.item_id = %s",
            [get_task_ref(start), get_task_ref(first), item.pk],
        )
    )
    marker = "ZZCODEZZ"
    after = json.dumps(
        {
            "agency": marker,
            "role": "lead",
            "modality": "order",
            "due_date": due.date,
            "due_date_as_written": due.as_written,
            "source": "directive",
        },
        cls=DjangoJSONEncoder,
    )
    columns, select, params = _select(
        AuditEvent,
        {
            "at": at,
            "actor_id": reviewer.pk,
            "verb": "assignment.create",
            "content_type_id": ContentType.objects.get_for_model(Assignment).pk,
        },
        {
            "object_id": "CAST(a.id AS TEXT)",
            "object_repr": "'#' || CAST(a.id AS TEXT) || ' ' || a.title",
            "after": (json_cast("%s || g.code || %s"), list(_split(after, marker))),
        },
    )
    statements.append(
        (
            f"INSERT INTO core_auditevent ({', '.join(columns)}) SELECT {select} "  # noqa: S608
            "FROM workflow_assignment a JOIN agencies_agency g ON g.id = a.agency_id "
            "WHERE a.item_id = %s ORDER BY a.id",
            [*params, item.pk],
        )
    )
    title = _("New work for {agency} from {directive}: receive it and give it to someone.")
    listing = urlencode({"directive": directive.pk, "agency": marker, "state": "new"})
    columns, select, params = _select(
        Notice,
        {
            "category": Category.NEW_WORK,
            "urgent": False,
            "delivery": Delivery.DIGEST,
            "created_at": at,
        },
        {
            "recipient_id": "m.user_id",
            "key": (
                "%s || CAST(m.agency_id AS TEXT) || %s",
                [f"new-work:{directive.pk}:", f":{today:%Y-%m-%d}"],
            ),
            "title": (
                "%s || v.name || %s",
                list(
                    _split(
                        title.format(agency=marker, directive=directive.number or directive.title),
                        marker,
                    )
                ),
            ),
            "url": (
                "%s || g.code || %s",
                list(_split(reverse("workflow:assignments") + "?" + listing, marker)),
            ),
        },
    )
    roles = ", ".join(["%s"] * len(RECEIVERS))
    statements.append(
        (
            f"INSERT INTO notifications_notice ({', '.join(columns)}) SELECT {select} "  # noqa: S608
            "FROM agencies_membership m "
            "JOIN agencies_user u ON u.id = m.user_id AND u.is_active "
            "JOIN agencies_agency g ON g.id = m.agency_id "
            "JOIN agencies_agencyversion v ON v.agency_id = m.agency_id "
            " AND v.valid_from <= %s AND (v.valid_until IS NULL OR v.valid_until > %s) "
            f"WHERE m.agency_id IN ({in_ids}) AND m.role IN ({roles}) AND m.user_id <> %s "
            " AND m.valid_from <= %s AND (m.valid_until IS NULL OR m.valid_until > %s) "
            "ON CONFLICT (recipient_id, key) DO NOTHING",
            [*params, today, today, *ids, *RECEIVERS, reviewer.pk, today, today],
        )
    )
    rows: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            table = sql.split()[2]
            rows[table] = rows.get(table, 0) + cursor.rowcount
    return len(statements), rows


def written_by_service(item) -> dict:
    """The rows the service wrote for ``item``, by table (to check the floor against)."""
    from viewflow.workflow.models import Task

    from core.models import AuditEvent
    from notifications.models import Notice
    from workflow.models import Assignment, AssignmentProcess

    made = Assignment.objects.filter(item=item)
    processes = AssignmentProcess.objects.filter(assignment__item=item)
    tasks = Task.objects.filter(process__in=processes.values("process_ptr_id"))
    return {
        "workflow_assignment": made.count(),
        "viewflow_process": processes.count(),
        "workflow_assignmentprocess": processes.count(),
        "viewflow_task": tasks.count(),
        "viewflow_task_previous": Task.previous.through.objects.filter(from_task__in=tasks).count(),
        "core_auditevent": AuditEvent.objects.filter(
            verb="assignment.create",
            object_id__in=[str(pk) for pk in made.values_list("pk", flat=True)],
        ).count(),
        "notifications_notice": Notice.objects.filter(
            key__startswith=f"new-work:{item.directive_id}:"
        ).count(),
    }


def slowest(elapsed: float) -> None:
    in_sql = sum(t for t, _sql in SLOWEST)
    print(f"    {in_sql:.2f} s of {elapsed:.2f} s in SQL; the slowest statements:")
    for took, sql in sorted(SLOWEST, reverse=True)[: 6 if len(SLOWEST) > 30 else None]:
        print(f"    {took * 1000:8.1f} ms  {sql}")


def analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would gather them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def database_settings() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}, file database (journal_mode default)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW fsync")
        fsync = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    return f"PostgreSQL {version}, fsync={fsync}, synchronous_commit={sync}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one-at-a-time", action="store_true")
    parser.add_argument("--statements", action="store_true", help="print the slowest statements")
    args = parser.parse_args()
    url = setup(args.database_url)
    from django.db import connection
    from django.utils import timezone

    from core.time import local_date

    at = timezone.now()
    today = local_date(at)
    started = time.perf_counter()
    reviewer, members, existing = build(args.communes, today)
    analyze()
    print(
        f"\n{len(members):,} communes ({existing} from the reference file, "
        f"{len(members) - existing:,} synthetic), {3 * len(members):,} people, "
        f"built in {time.perf_counter() - started:.1f} s; {database_settings()}; {load()}"
    )
    figures, floors = [], []
    for k in range(1, args.runs + 1):
        item = new_item(reviewer, 2 * k - 1, today)
        elapsed, statements, rss, made = measured(service, reviewer, item, today, at)
        assert made == len(members), (made, len(members))
        figures.append(elapsed)
        expected = written_by_service(item)
        if args.statements:
            slowest(elapsed)
        print(
            f"  run {k}: service {elapsed:6.2f} s (CPU here {CPU[0]:5.2f} s), {statements:3d} "
            f"statements, peak RSS "
            f"{rss:6.1f} MiB, {sum(expected.values()):,} rows; {load()}"
        )
        floor_item = new_item(reviewer, 2 * k, today)
        elapsed, _statements, rss, (count, rows) = measured(
            floor, reviewer, floor_item, members, today, at
        )
        floors.append(elapsed)
        if args.statements:
            slowest(elapsed)
        assert rows == expected, (rows, expected)
        print(
            f"  run {k}: floor   {elapsed:6.2f} s (CPU here {CPU[0]:5.2f} s), {count:3d} "
            f"statements, peak RSS "
            f"{rss:6.1f} MiB, the same rows; {load()}"
        )
    figure, base = statistics.median(figures), statistics.median(floors)
    print(
        f"  median of {args.runs}: service {figure:.2f} s, floor {base:.2f} s: "
        f"{figure / base:.2f}× the floor (goal ≤ 10 s and ≤ 2×)"
    )
    if args.one_at_a_time:
        item = new_item(reviewer, 2 * args.runs + 1, today)
        elapsed, statements, rss, _made = measured(
            one_at_a_time, reviewer, item, members, today, at
        )
        print(
            f"  before issue 10 (assignment_start per agency): {elapsed:.2f} s, "
            f"{statements:,} statements ({statements / len(members):.1f} per agency), "
            f"peak RSS {rss:.1f} MiB; {load()}"
        )
    connection.close()
    if not args.database_url:
        shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent)


if __name__ == "__main__":
    main()
