"""A province at scale: the shared data generator of the benchmarks (bench/pages.py and
``manage.py generate_bench_data``).

``build(n, agencies=50)`` fills an empty, migrated database with:

- the reference agencies, loaded by the real loader (``agencies_load``): the 34 agencies that
  exist since the 2025 reform (but UBND tỉnh itself) receive work — the first ``agencies`` of
  them by code when fewer are asked, and synthetic communes ("xã Thử nghiệm 1…", loaded by the
  same loader) beside them when more are (50 by default: the 34 and 16 communes);
- people through the real services: the office's reviewer ``chuyenvien.vp`` (Văn phòng UBND
  tỉnh), the leader ``lanhdao`` (UBND tỉnh) and, in each working agency, a head and two
  officers (no password unless ``password`` is given: the benchmarks sign in with
  ``force_login``) — through the services in the first 50 working agencies by code, set-wise
  in the same shapes (without audit rows) in the others, so that a national data set
  (``NATIONAL_AGENCIES``, 12,000 agencies) does not spend minutes on 36,000 people;
- published directives of UBND tỉnh issued since the 2025 reform, 20 items each, every item
  given to every working agency (lead; an order, or a request for central agencies and the
  Front) — ``n`` assignments in all, older ones more often done, with due dates 15–200 days
  after the day of assignment (one in twenty continuous), in every state (awaiting receipt,
  returned to the office, in progress, reported, approved awaiting the office, done on time or
  late, cancelled);
- each assignment's viewflow process with the tasks the real services leave behind (start, the
  human steps done, the open one: to receive, to triage, to report — owned by the officer —,
  to approve, to accept);
- the reports the services file: the completion report of every reported, approved and done
  assignment (filed, approved by the head, accepted by the office) and a progress update on one
  in-progress assignment in three;
- extension requests on one in-progress assignment in fifteen (requested, endorsed, approved —
  the due date moved, the original kept — and denied), each with its viewflow process and tasks;
- one pass of the real deadline sweep: the escalations of every level crossed, their notices,
  the office's review tasks.

The bulk is inserted set-wise, streamed in batches of ``BATCH`` assignments (``bulk_create``;
the processes' child rows with one multi-row INSERT per batch), with the shapes the services
write (the rows of a process walked through the services were read to write them; viewflow's
gateway tasks and task links are left out: no page reads them), so the memory stays flat
whatever ``n``. The folded search columns are filled where the tree has them. Nothing here
writes audit rows or notices for the bulk: none of the measured pages reads the audit, and the
notices are the sweep's. Then VACUUM ANALYZE, as autovacuum would. The same ``seed`` and
``now`` give the same data.
"""

import json
import math
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Vietnam keeps UTC+7 all year (no daylight saving since 1975): a fixed offset, which COPY
# writes several times faster than a ZoneInfo.
VN = dt_timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
REFORM = date(2025, 7, 1)  # the merged province, its departments and new communes begin
WINDOW_DAYS = 700  # directives issued over (at most) the last 700 days
ITEMS_PER_DIRECTIVE = 20
BATCH = 5000
REVIEWER, LEADER = "chuyenvien.vp", "lanhdao"
OFFICE, PROVINCE = "QT-VPUBND", "QT25-UBND"
DEFAULT_AGENCIES = 50  # the 34 of the reference file and 16 synthetic communes
# People of the first 50 working agencies are made through the real services; those of the
# others (a national data set: 12,000 agencies) set-wise, in the same shapes (_bulk_people).
SERVICE_PEOPLE_AGENCIES = 50
NATIONAL_AGENCIES, NATIONAL_ASSIGNMENTS = 12_000, 1_000_000  # issue 14's national scale
REQUEST_KINDS = ("central", "mass_org")  # bodies UBND does not command: đề nghị, not giao

# Item texts and assignment titles; one in ten is about administrative reform (the folded
# search "cai cach" finds those).
TOPICS = [
    "Đẩy mạnh cải cách hành chính, nâng cao Chỉ số PAR Index",
    "Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền",
    "Báo cáo tình hình giải ngân vốn đầu tư công",
    "Triển khai chuyển đổi số trong cơ quan nhà nước",
    "Nâng cao chất lượng phục vụ tại Trung tâm Phục vụ hành chính công",
    "Tăng cường kỷ luật, kỷ cương hành chính",
    "Xây dựng kế hoạch phòng, chống thiên tai năm",
    "Tổng kết công tác thi đua, khen thưởng",
    "Thực hiện Đề án 06 về dữ liệu dân cư",
    "Kiểm tra việc thực hiện quy chế dân chủ ở cơ sở",
    "Rà soát các dự án chậm tiến độ",
    "Đánh giá Chỉ số hài lòng SIPAS",
    "Bảo đảm an toàn thông tin mạng",
    "Thực hiện chính sách giảm nghèo bền vững",
    "Xử lý kiến nghị của cử tri sau kỳ họp",
    "Tăng cường quản lý đất đai, tài nguyên",
    "Triển khai chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "Cải cách chế độ công vụ, công chức",
    "Chấn chỉnh công tác văn thư, lưu trữ",
    "Thực hiện tiết kiệm, chống lãng phí",
]
KINDS = [("chi_thi", "CT-UBND"), ("ke_hoach", "KH-UBND"), ("thong_bao", "TB-UBND")]
REASONS = [
    "Chờ số liệu của các đơn vị trực thuộc.",
    "Cần thêm thời gian lấy ý kiến các sở, ngành.",
    "Vướng mắc về kinh phí thực hiện.",
]

# State of an open assignment, and of a closed one (older work is more often closed).
OPEN_WEIGHTS = {
    "new": 0.20,
    "in_progress": 0.63,
    "reported": 0.10,
    "approved": 0.055,
    "refused": 0.015,
}
CLOSED_WEIGHTS = {"done": 0.97, "cancelled": 0.03}
EXTENSION_SHARE = 1 / 15  # of in-progress assignments with a due date
PROGRESS_SHARE = 1 / 3  # of in-progress assignments: a progress update filed
# The completion report of a reported, approved, done assignment, as the services leave it.
COMPLETION_STATUS = {"reported": "filed", "approved": "approved", "done": "accepted"}
EXTENSION_WEIGHTS = {"requested": 0.2, "endorsed": 0.2, "approved": 0.4, "denied": 0.2}


@dataclass
class People:
    reviewer: object
    leader: object
    heads: dict = field(default_factory=dict)  # agency id -> user
    officers: dict = field(default_factory=dict)  # agency id -> [user, user]


def _say(message: str, started: float) -> None:
    print(f"  {message} ({time.perf_counter() - started:.1f} s)", flush=True)


def _bench_communes_yaml(count: int) -> str:
    lines = ["agencies:"]
    for i in range(1, count + 1):
        lines += [
            f"  - code: BENCH-X{i:04d}",
            "    versions:",
            f"      - valid_from: {REFORM.isoformat()}",
            "        valid_until: null",
            f'        name: "Ủy ban nhân dân xã Thử nghiệm {i}"',
            f'        short_name: "UBND xã Thử nghiệm {i}"',
            "        kind: commune",
            f"        parent: {PROVINCE}",
            '        legal_basis: ""',
            "        verified: false",
            '        source: "bench/dataset.py: a synthetic commune for the benchmarks"',
            "    aliases: []",
        ]
    return "\n".join(lines) + "\n"


def load_agencies(communes: int = 0) -> None:
    """The reference file, and ``communes`` synthetic communes, through the real loader."""
    from agencies.services import agencies_load

    reference = (ROOT / "agencies" / "data" / "quang_tri.yaml").read_text(encoding="utf-8")
    agencies_load(actor=None, text=reference)
    if communes:
        agencies_load(actor=None, text=_bench_communes_yaml(communes))


def working_agencies(today: date, window_start: date) -> list:
    """Every agency but the province that exists from ``window_start`` to ``today``, by code."""
    from agencies.models import Agency

    alive = set(Agency.objects.valid_on(today).values_list("pk", flat=True)) & set(
        Agency.objects.valid_on(window_start).values_list("pk", flat=True)
    )
    return list(Agency.objects.filter(pk__in=alive).exclude(code=PROVINCE).order_by("code"))


def _agencies(count: int, today: date, window_start: date) -> list:
    """The ``count`` agencies that receive work: the reference's (the first ``count`` by code
    when fewer are asked), then as many synthetic communes as it takes."""
    load_agencies()
    reference = working_agencies(today, window_start)
    if count <= len(reference):
        return reference[:count]
    from agencies.services import agencies_load

    agencies_load(actor=None, text=_bench_communes_yaml(count - len(reference)))
    return working_agencies(today, window_start)


def make_people(agencies, since: date, password: str | None = None) -> People:
    """Through the real services: accounts, then their roles. Without a ``password`` nobody
    can sign in with one (the benchmarks use ``force_login``); with one, it is hashed once and
    given to everybody (hashing it per person would cost seconds each in development)."""
    from django.contrib.auth.hashers import make_password

    from agencies.choices import Role
    from agencies.models import Agency, User
    from agencies.selectors import agency_name_on
    from agencies.services import membership_grant, user_create

    def person(username, full_name, agency, role, title):
        user = user_create(actor=None, username=username, password=None, full_name=full_name)  # type: ignore[arg-type]
        membership_grant(
            actor=None, user=user, agency=agency, role=role, valid_from=since, title=title
        )
        return user

    people = People(
        reviewer=person(
            REVIEWER,
            "Trần Thị Xem",
            Agency.objects.get(code=OFFICE),
            Role.REVIEWER,
            "Chuyên viên Văn phòng UBND tỉnh",
        ),
        leader=person(
            LEADER,
            "Lê Văn Lãnh",
            Agency.objects.get(code=PROVINCE),
            Role.LEADER,
            "Phó Chủ tịch UBND tỉnh",
        ),
    )
    for agency in agencies[:SERVICE_PEOPLE_AGENCIES]:
        name = agency_name_on(agency=agency)
        slug = agency.code.lower()
        people.heads[agency.pk] = person(
            f"thutruong.{slug}", f"Thủ trưởng {name}", agency, Role.HEAD, "Thủ trưởng"
        )
        people.officers[agency.pk] = [
            person(f"chuyenvien{k}.{slug}", f"Chuyên viên {k} {name}", agency, Role.OFFICER, "")
            for k in (1, 2)
        ]
    _bulk_people(agencies[SERVICE_PEOPLE_AGENCIES:], since, people)
    if password:
        everybody = [people.reviewer.pk, people.leader.pk, *(u.pk for u in people.heads.values())]
        everybody += [u.pk for pair in people.officers.values() for u in pair]
        User.objects.filter(pk__in=everybody).update(password=make_password(password))
    return people


def _bulk_people(agencies, since: date, people: People) -> None:
    """The head and two officers of each of ``agencies`` (those past the first
    ``SERVICE_PEOPLE_AGENCIES``), written set-wise in the shapes ``user_create`` and
    ``membership_grant`` leave (an unusable password, the same names and titles; no audit
    rows): through the services, 36,000 people of a national data set would take minutes."""
    from agencies.choices import Role
    from agencies.models import Membership, User
    from agencies.selectors import agency_name_on

    for start in range(0, len(agencies), BATCH):
        chunk = agencies[start : start + BATCH]
        users, grants = [], []
        for agency in chunk:
            name = agency_name_on(agency=agency)
            slug = agency.code.lower()
            wanted = [(f"thutruong.{slug}", f"Thủ trưởng {name}", Role.HEAD, "Thủ trưởng")]
            wanted += [
                (f"chuyenvien{k}.{slug}", f"Chuyên viên {k} {name}", Role.OFFICER, "")
                for k in (1, 2)
            ]
            for username, full_name, role, title in wanted:
                user = User(username=username, full_name=full_name)
                user.set_unusable_password()
                users.append(user)
                grants.append((user, agency, role, title))
        User.objects.bulk_create(users, batch_size=1000)
        Membership.objects.bulk_create(
            [
                Membership(user=user, agency=agency, role=role, valid_from=since, title=title)
                for user, agency, role, title in grants
            ],
            batch_size=1000,
        )
        for user, agency, role, _title in grants:
            if role == Role.HEAD:
                people.heads[agency.pk] = user
            else:
                people.officers.setdefault(agency.pk, []).append(user)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=VN) + timedelta(
        minutes=rng.randrange(9 * 60)
    )


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Spec:
    """One assignment as it will be written, with the moments of its steps."""

    item_id: int
    agency_id: int
    modality: str
    title: str
    assigned_on: date
    due_date: date | None
    state: str
    created_at: datetime
    received_at: datetime | None = None
    reported_at: datetime | None = None
    approved_at: datetime | None = None
    accepted_at: datetime | None = None
    assignee_id: int | None = None
    original_due_date: date | None = None
    extension: dict | None = None
    progress_at: datetime | None = None  # a progress update filed while in progress


def _spec(rng, *, item, agency, modality, title, assigned_on, today, now, span, people) -> Spec:
    """Decide the state and the moments of one assignment (each after the one before, before
    ``now``)."""

    def later(start: datetime, most_days: float) -> datetime:
        moment = start + timedelta(minutes=rng.uniform(5, max(6, most_days * 24 * 60)))
        return max(start + timedelta(minutes=1), min(moment, now - timedelta(minutes=1)))

    age = (today - assigned_on).days / span
    closed = rng.random() < 0.05 + 0.9 * age
    state = _weighted(rng, CLOSED_WEIGHTS if closed else OPEN_WEIGHTS)
    due = None if rng.random() < 0.05 else assigned_on + timedelta(days=rng.randint(15, 200))
    spec = Spec(
        item_id=item,
        agency_id=agency.pk,
        modality=modality,
        title=title,
        assigned_on=assigned_on,
        due_date=due,
        original_due_date=due,
        state=state,
        created_at=min(_at(assigned_on, rng), now - timedelta(minutes=2)),
    )
    if state == "new":
        return spec
    spec.received_at = later(spec.created_at, 5)
    if state in ("refused", "cancelled"):
        return spec
    spec.assignee_id = rng.choice(people.officers[agency.pk]).pk
    left = (now - spec.received_at).total_seconds() / 86400
    if state == "in_progress":
        if rng.random() < PROGRESS_SHARE:
            spec.progress_at = later(spec.received_at, left)
        if due is not None and rng.random() < EXTENSION_SHARE:
            spec.extension = _extension(rng, spec, now, people)
        return spec
    if state == "done":
        deadline = (due or assigned_on + timedelta(days=90)) - assigned_on
        on_time = rng.random() < 0.75
        days = rng.uniform(0, deadline.days) if on_time else deadline.days + rng.uniform(1, 60)
        spec.reported_at = later(spec.received_at, min(days, left))
    else:
        spec.reported_at = later(spec.received_at, left)
    if state == "reported":
        return spec
    spec.approved_at = later(spec.reported_at, 3)
    if state == "done":
        spec.accepted_at = later(spec.approved_at, 5)
    return spec


def _extension(rng, spec: Spec, now, people) -> dict:
    status = _weighted(rng, EXTENSION_WEIGHTS)
    requested_at = spec.received_at + (now - spec.received_at) * rng.uniform(0.1, 0.95)
    requested_due = spec.due_date + timedelta(days=rng.randint(15, 90))
    extension = {
        "status": status,
        "requested_at": requested_at,
        "requested_by_id": spec.assignee_id,
        "current_due_date": spec.due_date,
        "requested_due_date": requested_due,
        "reason": rng.choice(REASONS),
        "endorsed_by_id": None,
        "decided_by_id": None,
        "decided_at": None,
        "decision_note": "",
        "endorsed_at": None,
    }
    if status != "requested":
        extension["endorsed_by_id"] = people.heads[spec.agency_id].pk
        extension["endorsed_at"] = min(requested_at + timedelta(hours=rng.uniform(1, 72)), now)
    if status in ("approved", "denied"):
        extension["decided_by_id"] = people.reviewer.pk
        extension["decided_at"] = min(
            extension["endorsed_at"] + timedelta(hours=rng.uniform(1, 120)), now
        )
        if status == "approved":
            spec.due_date = requested_due  # the office moved the due date; the original stays
        else:
            extension["decision_note"] = "Không đủ căn cứ gia hạn."
    return extension


# The human steps each state has passed, the open one last (None: the process has ended).
PASSED = {
    "new": ((), "receive"),
    "refused": (("receive",), "triage"),
    "in_progress": (("receive",), "report"),
    "reported": (("receive", "report"), "approve"),
    "approved": (("receive", "report", "approve"), "review"),
    "done": (("receive", "report", "approve", "review"), None),
    "cancelled": (("receive", "triage"), None),
}


# A task row as the writer takes it: (process id, flow node, type, status, created, assigned,
# started, finished, owner id).
TASK_COLUMNS = [
    "process_id",
    "flow_task",
    "flow_task_type",
    "status",
    "created",
    "assigned",
    "started",
    "finished",
    "owner_id",
]


def _assignment_tasks(spec: Spec, process_id: int, people) -> list[tuple]:
    """The viewflow tasks the services leave behind for ``spec`` (gateways left out)."""
    from workflow.flows import AssignmentFlow

    head = people.heads[spec.agency_id].pk
    moments = {
        "receive": (spec.created_at, spec.received_at, head),
        "triage": (spec.received_at, spec.accepted_at or spec.received_at, people.reviewer.pk),
        "report": (spec.received_at, spec.reported_at, spec.assignee_id),
        "approve": (spec.reported_at, spec.approved_at, head),
        "review": (spec.approved_at, spec.accepted_at, people.reviewer.pk),
    }
    at = spec.created_at
    tasks = [(process_id, AssignmentFlow.start, "START", "DONE", at, None, at, at, None)]
    passed, current = PASSED[spec.state]
    for name in passed:
        created, finished, owner = moments[name]
        node = getattr(AssignmentFlow, name)
        tasks.append(
            (process_id, node, "HUMAN", "DONE", created, finished, finished, finished, owner)
        )
    if current is None:
        end = spec.accepted_at or spec.received_at
        tasks.append((process_id, AssignmentFlow.end, "END", "DONE", end, None, end, end, None))
    else:
        created, _finished, owner = moments[current]
        node = getattr(AssignmentFlow, current)
        if current == "report":  # assigned to the officer when it is created
            tasks.append(
                (process_id, node, "HUMAN", "ASSIGNED", created, created, None, None, owner)
            )
        else:
            tasks.append((process_id, node, "HUMAN", "NEW", created, None, None, None, None))
    return tasks


def _extension_tasks(row: dict, process_id: int) -> list[tuple]:
    from workflow.flows import ExtensionFlow

    def task(node, kind, status, created, finished=None, owner=None):
        assigned = finished if owner else None
        return (process_id, node, kind, status, created, assigned, finished, finished, owner)

    at, status = row["requested_at"], row["status"]
    tasks = [task(ExtensionFlow.start, "START", "DONE", at, at)]
    if status == "requested":
        return [*tasks, task(ExtensionFlow.endorse, "HUMAN", "NEW", at)]
    endorsed = row["endorsed_at"]
    tasks.append(task(ExtensionFlow.endorse, "HUMAN", "DONE", at, endorsed, row["endorsed_by_id"]))
    if status == "endorsed":
        return [*tasks, task(ExtensionFlow.decide, "HUMAN", "NEW", endorsed)]
    decided = row["decided_at"]
    return [
        *tasks,
        task(ExtensionFlow.decide, "HUMAN", "DONE", endorsed, decided, row["decided_by_id"]),
        task(ExtensionFlow.end, "END", "DONE", decided, decided),
    ]


# Django's fields whose values PostgreSQL's COPY takes as they are; a column of another field
# (viewflow's references to flows and nodes, JSON) goes through its field's conversion, memoised
# per value.
NATIVE = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


class Rows:
    """The rows of one table written set-wise, with ids reserved first (so the rows that point
    at them are written in the same pass): COPY on PostgreSQL, one multi-row INSERT per chunk
    elsewhere. Each row gives ``columns`` (attribute names, the id first); every other column
    of the table gets its field's default, as ``Model()`` would (so a field added later needs
    no change here)."""

    def __init__(self, model, columns: list[str]):
        from django.db import connection

        self.connection = connection
        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.local_concrete_fields}
        self.given = [fields[c] for c in columns]
        others = [f for f in fields.values() if f.attname not in columns]
        self.postgres = connection.vendor == "postgresql"
        self.defaults = tuple(self._default(f) for f in others)
        names = [f.column for f in self.given] + [f.column for f in others]
        self.columns = ", ".join(connection.ops.quote_name(c) for c in names)
        converters = [self._converter(f) for f in self.given]
        self.converted = [(i, c) for i, c in enumerate(converters) if c is not None]
        self.next_id: int | None = None

    def _default(self, field):
        value = field.get_db_prep_save(field.get_default(), self.connection)
        if self.postgres and hasattr(value, "obj"):  # psycopg's Jsonb: COPY reads it as text
            return json.dumps(value.obj)
        return value

    def _converter(self, field):
        django_field = type(field).__module__.startswith("django.db.models")
        if self.postgres and django_field and field.get_internal_type() in NATIVE:
            return None
        memo: dict = {}

        def convert(value):
            try:
                return memo[value]
            except (KeyError, TypeError):
                prepared = field.get_db_prep_save(value, self.connection)
                if self.postgres:
                    memo[value] = prepared
                return prepared

        return convert

    def ids(self, count: int) -> list[int]:
        """``count`` new ids for this table (from its sequence on PostgreSQL)."""
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            if self.next_id is None:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {self.table}")  # noqa: S608
                self.next_id = cursor.fetchone()[0]
        first, self.next_id = self.next_id, self.next_id + count
        return list(range(first, first + count))

    def _prepared(self, row: tuple) -> tuple:
        if not self.converted:
            return row + self.defaults
        values = list(row)
        for i, convert in self.converted:
            values[i] = convert(values[i])
        return (*values, *self.defaults)

    def write(self, rows) -> int:
        rows = [self._prepared(row) for row in rows]
        if not rows:
            return 0
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                width = len(rows[0])
                chunk = max(1, 900 // width)  # SQLite's limit on parameters per statement
                marks = "(" + ", ".join(["%s"] * width) + ")"
                for start in range(0, len(rows), chunk):
                    part = rows[start : start + chunk]
                    cursor.execute(
                        f"INSERT INTO {self.table} ({self.columns}) "  # noqa: S608
                        f"VALUES {', '.join([marks] * len(part))}",
                        [v for row in part for v in row],
                    )
        return len(rows)


class Writer:
    """The tables a batch of assignments fills."""

    def __init__(self):
        from viewflow.workflow.models import Process, Task

        from workflow.models import (
            Assignment,
            AssignmentProcess,
            ExtensionProcess,
            ExtensionRequest,
            ProgressReport,
        )

        self.search_text = _search_text(Assignment, "assignment_search_text")
        self.folded: dict[str, str] = {}
        columns = [
            "id",
            "item_id",
            "agency_as_written_id",
            "agency_id",
            "role",
            "modality",
            "title",
            "assigned_on",
            "due_policy",
            "due_date",
            "original_due_date",
            "source",
            "assignee_id",
            "state",
            "received_on",
            "completed_on",
            "created_at",
        ]
        if self.search_text is not None:
            columns.append("search_text")
        self.assignments = Rows(Assignment, columns)
        self.processes = Rows(Process, ["id", "flow_class", "status", "created", "finished"])
        self.assignment_processes = Rows(AssignmentProcess, ["process_ptr_id", "assignment_id"])
        self.extension_processes = Rows(ExtensionProcess, ["process_ptr_id", "extension_id"])
        self.tasks = Rows(Task, ["id", *TASK_COLUMNS])
        self.extensions = Rows(ExtensionRequest, ["id", "assignment_id", *EXTENSION_COLUMNS])
        self.reports = Rows(
            ProgressReport,
            [
                "id",
                "assignment_id",
                "kind",
                "author_id",
                "text",
                "percent",
                "submitted_at",
                "status",
            ],
        )

    def _folded(self, title: str) -> str:
        if title not in self.folded:
            self.folded[title] = self.search_text(title=title, expected_output="")
        return self.folded[title]

    def _assignment(self, pk: int, s: Spec) -> tuple:
        row = (
            pk,
            s.item_id,
            s.agency_id,
            s.agency_id,
            "lead",
            s.modality,
            s.title,
            s.assigned_on,
            "continuous" if s.original_due_date is None else "fixed",
            s.due_date,
            s.original_due_date,
            "directive",
            s.assignee_id,
            s.state,
            s.received_at.astimezone(VN).date()
            if s.received_at and s.state not in ("refused", "cancelled")
            else None,
            s.reported_at.astimezone(VN).date() if s.state == "done" else None,
            s.created_at,
        )
        return row if self.search_text is None else (*row, self._folded(s.title))

    def write(self, specs: list[Spec], people) -> tuple[int, int]:
        """Write one batch of assignments with their processes, tasks, reports and extension
        requests: (extension requests, reports) written."""
        from workflow.flows import AssignmentFlow, ExtensionFlow

        ids = self.assignments.ids(len(specs))
        process_ids = self.processes.ids(len(specs))
        self.assignments.write(self._assignment(pk, s) for pk, s in zip(ids, specs, strict=True))
        closed = ("done", "cancelled")
        self.processes.write(
            (
                p,
                AssignmentFlow,
                "DONE" if s.state in closed else "NEW",
                s.created_at,
                (s.accepted_at or s.received_at) if s.state in closed else None,
            )
            for p, s in zip(process_ids, specs, strict=True)
        )
        self.assignment_processes.write(zip(process_ids, ids, strict=True))
        tasks = [
            t
            for p, s in zip(process_ids, specs, strict=True)
            for t in _assignment_tasks(s, p, people)
        ]
        asked = [(pk, s.extension) for pk, s in zip(ids, specs, strict=True) if s.extension]
        if asked:
            extension_ids = self.extensions.ids(len(asked))
            ext_process_ids = self.processes.ids(len(asked))
            self.extensions.write(
                (e, pk, *(row[c] for c in EXTENSION_COLUMNS))
                for e, (pk, row) in zip(extension_ids, asked, strict=True)
            )
            decided = ("approved", "denied")
            self.processes.write(
                (
                    p,
                    ExtensionFlow,
                    "DONE" if row["status"] in decided else "NEW",
                    row["requested_at"],
                    row["decided_at"] if row["status"] in decided else None,
                )
                for p, (_pk, row) in zip(ext_process_ids, asked, strict=True)
            )
            self.extension_processes.write(zip(ext_process_ids, extension_ids, strict=True))
            tasks += [
                t
                for p, (_pk, row) in zip(ext_process_ids, asked, strict=True)
                for t in _extension_tasks(row, p)
            ]
        task_ids = self.tasks.ids(len(tasks))
        self.tasks.write((t, *task) for t, task in zip(task_ids, tasks, strict=True))
        reports = list(_reports(specs, ids))
        report_ids = self.reports.ids(len(reports))
        self.reports.write((r, *report) for r, report in zip(report_ids, reports, strict=True))
        return len(asked), len(reports)


EXTENSION_COLUMNS = [
    "status",
    "requested_at",
    "requested_by_id",
    "current_due_date",
    "requested_due_date",
    "reason",
    "endorsed_by_id",
    "decided_by_id",
    "decided_at",
    "decision_note",
]


def _search_text(model, function: str):
    """The folded search column the services keep for ``model`` (the folded search came with
    issue 9), as ``values -> text``, or None where this tree has none. The keeper is called with
    the values it asks for, among those the generator knows (title, expected output, item text,
    number, text)."""
    import importlib
    import inspect

    if "search_text" not in {f.name for f in model._meta.get_fields()}:
        return None
    keeper = getattr(importlib.import_module(model.__module__), function, None)
    if keeper is None:
        return None
    wanted = inspect.signature(keeper).parameters
    return lambda **values: keeper(**{k: v for k, v in values.items() if k in wanted})


PROGRESS_TEXT = "Đang triển khai, đã hoàn thành một phần khối lượng công việc."
COMPLETION_TEXT = "Đã hoàn thành nhiệm vụ, kèm báo cáo kết quả."


def _reports(specs: list[Spec], ids: list[int]):
    """The completion report of each reported, approved or done assignment and the progress
    updates, as the services file them (by the assignee): (assignment id, kind, author id,
    text, percent, submitted at, status)."""
    for s, pk in zip(specs, ids, strict=True):
        if s.progress_at is not None:
            yield (pk, "progress", s.assignee_id, PROGRESS_TEXT, 50, s.progress_at, "filed")
        if s.state in COMPLETION_STATUS:
            status = COMPLETION_STATUS[s.state]
            yield (pk, "completion", s.assignee_id, COMPLETION_TEXT, None, s.reported_at, status)


def _directives(agencies, people, n: int, today: date, window_start: date, rng):
    """Enough published directives of UBND tỉnh for ``n`` assignments, issued evenly over the
    window (oldest first), 20 items each: [(issued_on, [(item id, item text)])]."""
    from agencies.models import Agency
    from workflow.models import Directive, DirectiveItem

    per_directive = ITEMS_PER_DIRECTIVE * len(agencies)
    count = math.ceil(n / per_directive)
    span = (today - window_start).days
    province = Agency.objects.get(code=PROVINCE)
    directives = []
    for d in range(count):
        issued = window_start + timedelta(days=span * d // count)
        kind, suffix = KINDS[d % len(KINDS)]
        directives.append(
            Directive(
                kind=kind,
                number=f"{d + 1:02d}/{suffix}",
                title=f"Về {rng.choice(TOPICS).lower()} (văn bản thử nghiệm {d + 1})",
                issued_on=issued,
                issuer=province,
                signer="Chủ tịch UBND tỉnh",
                status="published",
                created_by=people.reviewer,
                created_at=_at(issued, rng),
            )
        )
    search_text = _search_text(Directive, "directive_search_text")
    for directive in directives if search_text else []:
        directive.search_text = search_text(number=directive.number, title=directive.title)
    directives = Directive.objects.bulk_create(directives)
    item_text = _search_text(DirectiveItem, "item_search_text")
    items = DirectiveItem.objects.bulk_create(
        [
            DirectiveItem(
                directive=directive,
                number=str(k + 1),
                order=k + 1,
                text=f"{TOPICS[(d * 7 + k) % len(TOPICS)]}.",
                **(
                    {"search_text": item_text(text=f"{TOPICS[(d * 7 + k) % len(TOPICS)]}.")}
                    if item_text
                    else {}
                ),
            )
            for d, directive in enumerate(directives)
            for k in range(ITEMS_PER_DIRECTIVE)
        ],
        batch_size=BATCH,
    )
    return [
        (
            directive.issued_on,
            [
                (i.pk, i.text)
                for i in items[d * ITEMS_PER_DIRECTIVE : (d + 1) * ITEMS_PER_DIRECTIVE]
            ],
        )
        for d, directive in enumerate(directives)
    ]


@dataclass
class Built:
    """What ``build`` wrote (beside ``People``)."""

    agencies: int = 0
    people: int = 0
    directives: int = 0
    items: int = 0
    assignments: int = 0
    extensions: int = 0
    reports: int = 0
    sweep: object = None


def build(
    n: int,
    *,
    now: datetime,
    seed: int = 2026,
    agencies: int = DEFAULT_AGENCIES,
    password: str | None = None,
    say=_say,
    built: Built | None = None,
) -> People:
    """Write the whole data set (see the module's docstring); ``say(message, started)`` is told
    each stage's end (printed with its time by default); ``built``, when given, is filled with
    what was written."""
    from django.db import transaction

    if agencies < 1:
        raise ValueError("at least one agency receives the work")
    built = built if built is not None else Built()
    started = time.perf_counter()
    with transaction.atomic():  # all or nothing: a crash leaves the database empty
        people = _build(n, now, seed, agencies, password, say, built, started)
    analyze()
    say("statistics (ANALYZE)", started)
    return people


def _build(n, now, seed, agencies, password, say, built: Built, started: float) -> People:
    from django.db import reset_queries

    from agencies.selectors import agency_version_on
    from core.calendar import government_calendar_load

    rng = random.Random(seed)
    today = now.astimezone(VN).date()
    window_start = max(REFORM, today - timedelta(days=WINDOW_DAYS))
    span = max((today - window_start).days, 1)
    working = _agencies(agencies, today, window_start)
    government_calendar_load()
    built.agencies = len(working)
    say(f"{len(working)} agencies and the calendar loaded", started)
    people = make_people(working, window_start, password)
    built.people = 2 + 3 * len(working)
    by_services = 2 + 3 * min(len(working), SERVICE_PEOPLE_AGENCIES)
    say(
        f"{built.people:,} people and their roles ({by_services:,} through the services)",
        started,
    )
    kinds = {a.pk: agency_version_on(agency=a, on=today).kind for a in working}
    directives = _directives(working, people, n, today, window_start, rng)
    built.directives, built.items = len(directives), len(directives) * ITEMS_PER_DIRECTIVE
    say(f"{built.directives:,} directives, {built.items:,} items", started)
    written = 0
    batch: list[Spec] = []

    writer = Writer()
    # The bulk writes its rows in the order of their foreign keys: checked row by row, the
    # checks do not pile up in PostgreSQL's memory until the commit (millions of them at 1M).
    _constraints("IMMEDIATE")

    def flush() -> None:
        nonlocal written, batch
        extensions, reports = writer.write(batch, people)
        built.extensions += extensions
        built.reports += reports
        written += len(batch)
        batch = []
        reset_queries()  # under DEBUG, the log of a million rows' INSERTs would fill the memory
        if written % (20 * BATCH) == 0:
            say(f"{written:,} assignments", started)

    for issued, items in directives:
        for item_pk, item_text in items:
            for agency in working:
                if written + len(batch) >= n:
                    break
                batch.append(
                    _spec(
                        rng,
                        item=item_pk,
                        agency=agency,
                        modality="request" if kinds[agency.pk] in REQUEST_KINDS else "order",
                        title=item_text.rstrip("."),
                        assigned_on=issued,
                        today=today,
                        now=now,
                        span=span,
                        people=people,
                    )
                )
                if len(batch) == BATCH:
                    flush()
    if batch:
        flush()
    built.assignments = written
    say(
        f"{written:,} assignments, their processes and tasks, {built.reports:,} reports, "
        f"{built.extensions:,} extension requests",
        started,
    )
    _constraints("DEFERRED")
    built.sweep = _sweep(now)
    reset_queries()
    say(f"the sweep: {built.sweep}", started)
    return people


def _constraints(when: str) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS ALL {when}")


def _sweep(now: datetime):
    """One pass of the real deadline sweep, without mail."""
    from escalation.sweep import sweep

    return sweep(now=now, send_mail=False)


def analyze() -> None:
    """Fresh planner statistics and visibility maps, as autovacuum keeps them on a database in
    use (PostgreSQL; SQLite gets its statistics)."""
    from django.db import connection

    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # In a transaction that is rolled back (the tests), PostgreSQL would keep the counts
        # ANALYZE writes in place (pg_class is not rolled back): a table left with pages but no
        # rows then reads as empty to the planner, whatever the next test writes into it.
        return
    vacuum = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
