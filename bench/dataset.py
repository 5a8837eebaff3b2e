"""A province at scale for the page benchmarks (bench/pages.py): the shared data generator.

``build(n)`` fills an empty, migrated database with:

- the reference agencies, loaded by the real loader (``agencies_load``) together with 16
  synthetic communes ("xã Thử nghiệm 1…16"): the 34 agencies that exist since the 2025 reform
  (but UBND tỉnh itself) and those 16 are the 50 that receive work;
- people through the real services: the office's reviewer ``chuyenvien.vp`` (Văn phòng UBND
  tỉnh), the leader ``lanhdao`` (UBND tỉnh) and, in each of the 50 agencies, a head and two
  officers;
- published directives of UBND tỉnh issued since the 2025 reform, 20 items each, every item
  given to the 50 agencies (lead; an order, or a request for central agencies and the Front) —
  ``n`` assignments in all, older ones more often done, with due dates 15–200 days after the day
  of assignment (one in twenty continuous), in every state (awaiting receipt, returned to the
  office, in progress, reported, approved awaiting the office, done on time or late, cancelled);
- each assignment's viewflow process with the tasks the real services leave behind (start, the
  human steps done, the open one: to receive, to triage, to report — owned by the officer —,
  to approve, to accept);
- extension requests on one in-progress assignment in fifteen (requested, endorsed, approved —
  the due date moved, the original kept — and denied), each with its viewflow process and tasks;
- one pass of the real deadline sweep (escalations, notices), which opens the office's review
  tasks through viewflow for the oldest ``n / 200`` office-level escalations.

The bulk is inserted set-wise (``bulk_create`` in batches; the processes' child rows with one
multi-row INSERT per batch), with the shapes the services write (the rows of a process
walked through the services were read to write them; viewflow's gateway tasks and task links
are left out: no page reads them). The folded search columns are filled where the tree has
them. Nothing here writes audit rows or notices for the bulk: none of the measured pages reads
the audit, and the notices are the sweep's. Then VACUUM ANALYZE, as autovacuum would.
"""

import math
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
VN = ZoneInfo("Asia/Ho_Chi_Minh")
REFORM = date(2025, 7, 1)  # the merged province, its departments and new communes begin
WINDOW_DAYS = 700  # directives issued over (at most) the last 700 days
ITEMS_PER_DIRECTIVE = 20
BATCH = 5000
REVIEWER, LEADER = "chuyenvien.vp", "lanhdao"
OFFICE, PROVINCE = "QT-VPUBND", "QT25-UBND"
BENCH_COMMUNES = 16
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
EXTENSION_WEIGHTS = {"requested": 0.2, "endorsed": 0.2, "approved": 0.4, "denied": 0.2}


@dataclass
class People:
    reviewer: object
    leader: object
    heads: dict = field(default_factory=dict)  # agency id -> user
    officers: dict = field(default_factory=dict)  # agency id -> [user, user]


def _say(message: str, started: float) -> None:
    print(f"  {message} ({time.perf_counter() - started:.1f} s)", flush=True)


def _bench_communes_yaml() -> str:
    lines = []
    for i in range(1, BENCH_COMMUNES + 1):
        lines += [
            f"  - code: BENCH-X{i:02d}",
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


def load_agencies() -> None:
    """The reference file and the synthetic communes, through the real loader, in one pass."""
    from agencies.services import agencies_load

    reference = (ROOT / "agencies" / "data" / "quang_tri.yaml").read_text(encoding="utf-8")
    head, marker, tail = reference.partition("\nsuccessions:")
    agencies_load(
        actor=None, text=head.rstrip("\n") + "\n" + _bench_communes_yaml() + marker + tail
    )


def working_agencies(today: date, window_start: date) -> list:
    """Every agency but the province that exists from ``window_start`` to ``today``, by code."""
    from agencies.models import Agency

    alive = set(Agency.objects.valid_on(today).values_list("pk", flat=True)) & set(
        Agency.objects.valid_on(window_start).values_list("pk", flat=True)
    )
    return list(Agency.objects.filter(pk__in=alive).exclude(code=PROVINCE).order_by("code"))


def make_people(agencies, since: date) -> People:
    """Through the real services: accounts, then their roles."""
    from agencies.choices import Role
    from agencies.models import Agency
    from agencies.selectors import agency_name_on
    from agencies.services import membership_grant, user_create

    def person(username, full_name, agency, role, title):
        user = user_create(actor=None, username=username, password="!bench", full_name=full_name)
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
    for agency in agencies:
        name = agency_name_on(agency=agency)
        slug = agency.code.lower()
        people.heads[agency.pk] = person(
            f"thutruong.{slug}", f"Thủ trưởng {name}", agency, Role.HEAD, "Thủ trưởng"
        )
        people.officers[agency.pk] = [
            person(f"chuyenvien{k}.{slug}", f"Chuyên viên {k} {name}", agency, Role.OFFICER, "")
            for k in (1, 2)
        ]
    return people


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
    if state == "in_progress":
        if due is not None and rng.random() < EXTENSION_SHARE:
            spec.extension = _extension(rng, spec, now, people)
        return spec
    left = (now - spec.received_at).total_seconds() / 86400
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


def _assignment_tasks(spec: Spec, process_id: int, people):
    """The viewflow tasks the services leave behind for ``spec`` (gateways left out)."""
    from viewflow.workflow.models import Task

    from workflow.flows import AssignmentFlow

    head = people.heads[spec.agency_id].pk
    moments = {
        "receive": (spec.created_at, spec.received_at, head),
        "triage": (spec.received_at, spec.accepted_at or spec.received_at, people.reviewer.pk),
        "report": (spec.received_at, spec.reported_at, spec.assignee_id),
        "approve": (spec.reported_at, spec.approved_at, head),
        "review": (spec.approved_at, spec.accepted_at, people.reviewer.pk),
    }
    tasks = [
        Task(
            process_id=process_id,
            flow_task=AssignmentFlow.start,
            flow_task_type="START",
            status="DONE",
            created=spec.created_at,
            started=spec.created_at,
            finished=spec.created_at,
        )
    ]
    passed, current = PASSED[spec.state]
    for name in passed:
        created, finished, owner = moments[name]
        tasks.append(
            Task(
                process_id=process_id,
                flow_task=getattr(AssignmentFlow, name),
                flow_task_type="HUMAN",
                status="DONE",
                created=created,
                assigned=finished,
                started=finished,
                finished=finished,
                owner_id=owner,
            )
        )
    if current is None:
        end = spec.accepted_at or spec.received_at
        tasks.append(
            Task(
                process_id=process_id,
                flow_task=AssignmentFlow.end,
                flow_task_type="END",
                status="DONE",
                created=end,
                started=end,
                finished=end,
            )
        )
    else:
        created, _finished, owner = moments[current]
        report = current == "report"  # assigned to the officer when it is created
        tasks.append(
            Task(
                process_id=process_id,
                flow_task=getattr(AssignmentFlow, current),
                flow_task_type="HUMAN",
                status="ASSIGNED" if report else "NEW",
                created=created,
                assigned=created if report else None,
                owner_id=owner if report else None,
            )
        )
    return tasks


def _extension_tasks(row: dict, process_id: int):
    from viewflow.workflow.models import Task

    from workflow.flows import ExtensionFlow

    def task(node, kind, status, created, finished=None, owner=None):
        return Task(
            process_id=process_id,
            flow_task=node,
            flow_task_type=kind,
            status=status,
            created=created,
            assigned=finished if owner else None,
            started=finished,
            finished=finished,
            owner_id=owner,
        )

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


def _link(child_model, parent_field: str, pairs) -> None:
    """Insert the multi-table children of viewflow processes (bulk_create refuses them)."""
    from django.db import connection

    table = child_model._meta.db_table
    column = child_model._meta.get_field(parent_field).column
    for start in range(0, len(pairs), 1000):
        chunk = pairs[start : start + 1000]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (process_ptr_id, {column}) VALUES {values}",  # noqa: S608
                [v for pair in chunk for v in pair],
            )


def _processes(flow, specs_done: list, finished_at):
    from viewflow.workflow.models import Process

    return Process.objects.bulk_create(
        [
            Process(
                flow_class=flow,
                status="DONE" if done else "NEW",
                created=created,
                finished=finished_at(i) if done else None,
            )
            for i, (created, done) in enumerate(specs_done)
        ]
    )


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


def _write_batch(specs: list[Spec], people, item_texts: dict) -> int:
    from viewflow.workflow.models import Task

    from workflow.flows import AssignmentFlow, ExtensionFlow
    from workflow.models import Assignment, AssignmentProcess, ExtensionProcess, ExtensionRequest

    search_text = _search_text(Assignment, "assignment_search_text")

    def folded(s: Spec) -> dict:
        if search_text is None:
            return {}
        text = search_text(title=s.title, expected_output="", item_text=item_texts[s.item_id])
        return {"search_text": text}

    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                **folded(s),
                item_id=s.item_id,
                agency_as_written_id=s.agency_id,
                agency_id=s.agency_id,
                role="lead",
                modality=s.modality,
                title=s.title,
                assigned_on=s.assigned_on,
                due_policy="continuous" if s.original_due_date is None else "fixed",
                due_date=s.due_date,
                original_due_date=s.original_due_date,
                source="directive",
                assignee_id=s.assignee_id,
                state=s.state,
                received_on=s.received_at.astimezone(VN).date()
                if s.received_at and s.state not in ("refused", "cancelled")
                else None,
                completed_on=s.reported_at.astimezone(VN).date() if s.state == "done" else None,
                created_at=s.created_at,
            )
            for s in specs
        ]
    )
    closed = ("done", "cancelled")
    processes = _processes(
        AssignmentFlow,
        [(s.created_at, s.state in closed) for s in specs],
        lambda i: specs[i].accepted_at or specs[i].received_at,
    )
    pairs = [(p.pk, a.pk) for p, a in zip(processes, assignments, strict=True)]
    _link(AssignmentProcess, "assignment", pairs)
    tasks = [
        task
        for s, p in zip(specs, processes, strict=True)
        for task in _assignment_tasks(s, p.pk, people)
    ]
    with_extension = [(s, a) for s, a in zip(specs, assignments, strict=True) if s.extension]
    rows = [s.extension for s, _a in with_extension]
    extensions = ExtensionRequest.objects.bulk_create(
        [
            ExtensionRequest(
                assignment_id=a.pk, **{k: v for k, v in row.items() if k != "endorsed_at"}
            )
            for (s, a), row in zip(with_extension, rows, strict=True)
        ]
    )
    if extensions:
        decided = ("approved", "denied")
        ext_processes = _processes(
            ExtensionFlow,
            [(r["requested_at"], r["status"] in decided) for r in rows],
            lambda i: rows[i]["decided_at"],
        )
        _link(
            ExtensionProcess,
            "extension",
            [(p.pk, e.pk) for p, e in zip(ext_processes, extensions, strict=True)],
        )
        tasks += [
            task
            for row, p in zip(rows, ext_processes, strict=True)
            for task in _extension_tasks(row, p.pk)
        ]
    Task.objects.bulk_create(tasks, batch_size=2000)
    return len(extensions)


def _directives(agencies, people, n: int, today: date, window_start: date, rng):
    """Enough published directives of UBND tỉnh for ``n`` assignments, issued evenly over the
    window (oldest first), 20 items each: [(issued_on, [item ids])]."""
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
        (directive.issued_on, items[d * ITEMS_PER_DIRECTIVE : (d + 1) * ITEMS_PER_DIRECTIVE])
        for d, directive in enumerate(directives)
    ]


def build(n: int, *, now: datetime, seed: int = 2026) -> People:
    """Write the whole data set (see the module's docstring); prints each stage's time."""
    from django.db import transaction

    from agencies.selectors import agency_version_on
    from core.calendar import government_calendar_load
    from escalation.sweep import sweep

    started = time.perf_counter()
    rng = random.Random(seed)
    today = now.astimezone(VN).date()
    window_start = max(REFORM, today - timedelta(days=WINDOW_DAYS))
    span = max((today - window_start).days, 1)
    load_agencies()
    government_calendar_load()
    agencies = working_agencies(today, window_start)
    _say(f"{len(agencies)} agencies and the calendar loaded", started)
    people = make_people(agencies, window_start)
    _say(f"{2 + 3 * len(agencies)} people and their roles (services)", started)
    kinds = {a.pk: agency_version_on(agency=a, on=today).kind for a in agencies}
    directives = _directives(agencies, people, n, today, window_start, rng)
    _say(f"{len(directives)} directives, {len(directives) * ITEMS_PER_DIRECTIVE} items", started)
    item_texts = {item.pk: item.text for _issued, items in directives for item in items}
    written = extensions = 0
    batch: list[Spec] = []
    with transaction.atomic():
        for issued, items in directives:
            for item in items:
                for agency in agencies:
                    if written + len(batch) >= n:
                        break
                    batch.append(
                        _spec(
                            rng,
                            item=item.pk,
                            agency=agency,
                            modality="request" if kinds[agency.pk] in REQUEST_KINDS else "order",
                            title=item.text.rstrip("."),
                            assigned_on=issued,
                            today=today,
                            now=now,
                            span=span,
                            people=people,
                        )
                    )
                    if len(batch) == BATCH:
                        extensions += _write_batch(batch, people, item_texts)
                        written += len(batch)
                        batch = []
                        if written % (10 * BATCH) == 0:
                            _say(f"{written:,} assignments", started)
        if batch:
            extensions += _write_batch(batch, people, item_texts)
            written += len(batch)
    _say(f"{written:,} assignments, their processes and tasks, {extensions:,} extensions", started)
    report = sweep(now=now, open_flows_limit=max(10, n // 200), send_mail=False)
    _say(f"the sweep: {report}", started)
    analyze()
    return people


def analyze() -> None:
    """Fresh planner statistics and visibility maps, as autovacuum keeps them on a database in
    use (PostgreSQL; SQLite gets its statistics)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
