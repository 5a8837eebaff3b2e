"""Benchmark of the inspection's on-site screen, of saving a finding, and of the organiser's
overview (issue 13).

    .venv/bin/python bench/inspection.py --database-url sqlite:////tmp/insp_bench.sqlite3
    bash bench/with-postgres.sh .venv/bin/python bench/inspection.py   # make bench-inspection
    .venv/bin/python bench/inspection.py --inspections 100 --recommendations 600   # smaller

Builds, in a throw-away database (wiped and migrated first; a temporary SQLite file when no
``--database-url`` is given):

- the reference agencies (the first ``--agencies`` working ones by code, with the organisers
  and the inspected departments among them) and the calendar; the office's reviewer, a head
  and two officers in each agency (bench/dataset.py), inspectors of Sở Nội vụ and of Văn
  phòng UBND tỉnh — all through the real services;
- a published directive of 15 items, given to every agency (bench/dataset.py's writer: the
  assignments, their processes and tasks, their reports), with a file attached to each
  completion report: the evidence the conduct screen shows for the items a criterion checks;
- a checklist of ``--criteria`` criteria in the eight fields of administrative reform, each
  checking one or two of the items, and the year's plans of both organisers — services;
- three inspections through the services: one with nothing recorded yet ("0 filled"), one
  with a finding and the agency's self-assessment on every criterion and ``--photos`` photos
  per finding ("N filled"; the photos' rows are written in bulk, each with a small real JPEG
  in MEDIA_ROOT: the measure is the page, not the upload), and one walked through the whole
  flow (minutes, objection, conclusion) whose two recommendations became assignments through
  the workflow services;
- the rest of the year, set-wise, up to ``--inspections`` inspections and
  ``--recommendations`` recommendations, in the shapes the services leave: inspections in every
  state with their team (and its django-guardian rights), the agency's self-report as an
  assignment, the team's findings past the visit, the minutes and conclusions; recommendations
  issued, to verify, verified done, some re-issued once (a verification "not done" and a new
  assignment whose parent is the first), each one not a draft with its remediation assignment
  (source = inspection) in the state its status implies — open and often overdue while
  issued, done once remediation was reported. Not written for the bulk: the viewflow
  processes of the inspections and verifications, audit lines and notices (none of the
  measured pages reads them), and no deadline sweep ran.

Then, signed in with Django's test client as the head of the inspection team (an inspector
of Sở Nội vụ, on about a tenth of the year's inspections), ``--runs`` timed requests after
``--warmups``: the conduct screen at 0 and at N filled, saving one finding (a new one on the
empty inspection — taken out again between requests, untimed —, a change of one on the full
one with its version, and a resend of a key already applied), and the organiser's overview of
the year. Each figure is printed with p50 and p95 of the server time (around the client's
call), the p50 of this process's CPU time, the SQL queries of one request, its floor measured
in the same run and the ratio: the conduct screen's floor is a signed-in view of the same
criteria read in one query and a bare template, the save's a signed-in POST writing the same
finding with one UPDATE, the overview's a signed-in view of the year's recommendations counted
per organiser by one bare query (bench/urls.py).

Goal (issue 13): p95 ≤ 150 ms and at most 12 queries, the conduct screen and the save
independent of the number of criteria already filled (the run fails when the conduct screen's
queries at 0 and at N filled differ). A missed goal is printed, it does not fail the run.
``--show-queries`` prints every measured request's SQL. The p95 of the conduct screen holds
the pauses of Python's collector (a full collection over the ~150,000 objects of a Django
process: Django's and the site's own, hardly the bench's data) that fall in a request;
``--freeze-gc`` moves what exists after the build out of its reach (``gc.freeze()``), as a
server that freezes its start-up heap before serving would.
"""

import argparse
import gc
import hashlib
import io
import math
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_QUERIES = 12
GOAL_P95_MS = 150.0
ORGANISER, OFFICE = "QT-SNV", "QT-VPUBND"  # Sở Nội vụ, Văn phòng UBND tỉnh
# The inspected departments of the three inspections built through the services.
EMPTY, FILLED, WALKED = "QT-STP", "QT-STC", "QT-SCT"
LEAD = "thanhtra1.snv"  # who the pages are measured for: the head of the team
INSPECTORS = {ORGANISER: ("snv", 6), OFFICE: ("vp", 4)}
ITEMS = 15
FIELDS = [
    ("chi_dao", "Công tác chỉ đạo, điều hành cải cách hành chính"),
    ("the_che", "Cải cách thể chế"),
    ("tthc", "Cải cách thủ tục hành chính"),
    ("bo_may", "Cải cách tổ chức bộ máy hành chính nhà nước"),
    ("cong_vu", "Cải cách chế độ công vụ"),
    ("tai_chinh", "Cải cách tài chính công"),
    ("so_hoa", "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số"),
    ("ket_qua", "Kết quả thực hiện"),
]
CRITERION_TEXTS = [
    "Ban hành kế hoạch cải cách hành chính năm đúng thời hạn, đầy đủ nội dung",
    "Tổ chức kiểm tra công tác cải cách hành chính đối với các đơn vị trực thuộc",
    "Thực hiện chế độ báo cáo định kỳ về cải cách hành chính",
    "Công khai đầy đủ, kịp thời thủ tục hành chính trên Cổng dịch vụ công",
    "Tỷ lệ hồ sơ giải quyết đúng hạn, xin lỗi khi trễ hạn",
    "Rà soát, sắp xếp tổ chức bộ máy theo quy định",
    "Bố trí công chức theo vị trí việc làm được phê duyệt",
    "Thực hiện quy chế chi tiêu nội bộ, công khai tài chính",
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "Vận hành hệ thống quản lý văn bản và điều hành liên thông",
]
GUIDANCE = (
    "Đối chiếu văn bản của đơn vị với kế hoạch của UBND tỉnh; kiểm tra thời điểm ban hành, "
    "nội dung, phân công trách nhiệm và kinh phí thực hiện."
)
EVIDENCE = "Kế hoạch, báo cáo, quyết định kèm theo; ảnh chụp bảng niêm yết tại trụ sở."
RECOMMENDATION_TEXTS = [
    "Bổ sung kế hoạch cải cách hành chính năm, phân công rõ trách nhiệm từng phòng",
    "Niêm yết công khai đầy đủ thủ tục hành chính tại bộ phận một cửa",
    "Thực hiện văn bản xin lỗi đối với các hồ sơ trễ hạn",
    "Rà soát, cập nhật vị trí việc làm và bố trí công chức đúng vị trí",
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn tồn",
    "Chấn chỉnh chế độ báo cáo định kỳ, gửi đúng hạn",
    "Công khai quyết toán ngân sách theo quy định",
    "Khắc phục tồn tại về lưu trữ hồ sơ công việc",
]
# Past the visit, what became of the inspections of the year (the rest are still ahead).
PAST_WEIGHTS = {"follow_up": 0.55, "closed": 0.25, "minutes_signed": 0.1, "minutes_drafted": 0.1}
PAST_SHARE = 0.8
RESULT_WEIGHTS = {"met": 0.6, "partly": 0.25, "not_met": 0.1, "not_applicable": 0.05}
# What the recommendations of an inspection followed up are (a closed one's are all done).
FOLLOW_UP_WEIGHTS = {"issued": 0.55, "to_verify": 0.15, "done": 0.30}
OPEN_WORK_WEIGHTS = {"new": 0.25, "in_progress": 0.55, "reported": 0.12, "approved": 0.08}
REISSUED_SHARE = 0.08
# A small photo (what a phone's photo is once resized is ~200 KB; the page only links it).
PHOTO_SIZE = (160, 120)


@dataclass
class Sizes:
    criteria: int = 60
    photos: int = 3
    inspections: int = 500
    recommendations: int = 3000
    agencies: int = 50


@dataclass
class Subjects:
    """What the measures need: the team's head, the inspections at 0 and N filled, the year."""

    lead: object
    empty: object
    filled: object
    walked: object
    year: int
    criteria: list = field(default_factory=list)


@dataclass
class Figures:
    label: str
    floor: str = ""  # the label of this figure's floor ("" for a floor)
    p50: float = 0.0  # ms, wall time around the client's call
    p95: float = 0.0
    cpu: float = 0.0  # ms, p50 of this process's CPU time
    queries: int = 0
    sql: list = field(default_factory=list)

    @property
    def is_floor(self) -> bool:
        return not self.floor


def _say(message: str, started: float) -> None:
    print(f"  {message} ({time.perf_counter() - started:.1f} s)", flush=True)


# --- the database -----------------------------------------------------------------------------


def setup(database_url: str, media: str) -> None:
    """Django for the bench: the test settings, this database, the bench's URLs (its floors),
    MEDIA_ROOT in a directory of its own."""
    if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        from bench import database

        database.ensure(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["MEDIA_ROOT"] = media
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    import django

    django.setup()
    import logging

    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    logging.getLogger("axes").setLevel(logging.WARNING)  # each sign-in of the test client


def prepare() -> None:
    """Wipe the database and migrate it."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        name = connection.settings_dict["NAME"]
        connection.close()
        if os.path.exists(name):
            os.remove(name)
    call_command("migrate", verbosity=0, interactive=False)


# --- the data set -----------------------------------------------------------------------------


def _jpeg(seed: int) -> bytes:
    from PIL import Image

    image = Image.new("RGB", PHOTO_SIZE, ((seed * 37) % 256, (seed * 91) % 256, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _pdf(seed: int) -> bytes:
    return b"%PDF-1.4\n% bench evidence " + str(seed).encode() + b"\n%%EOF\n"


def _stored(folder: str, name: str, data: bytes) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    return default_storage.save(f"{folder}/{name}", ContentFile(data))


def _agencies(count: int, today: date):
    """The first ``count`` working agencies by code, the organisers and the inspected
    departments among them."""
    from bench import dataset

    dataset.load_agencies()
    working = dataset.working_agencies(today, dataset.REFORM)
    wanted = {ORGANISER, OFFICE, EMPTY, FILLED, WALKED}
    first = [a for a in working if a.code in wanted]
    rest = [a for a in working if a.code not in wanted]
    return sorted(first + rest[: max(0, count - len(first))], key=lambda a: a.code)


def _inspectors(agencies: dict, since: date) -> dict[str, list]:
    """Inspectors of both organisers (services): {organiser code: [users]}."""
    from agencies.choices import Role
    from agencies.services import membership_grant, user_create

    made = {}
    for code, (slug, count) in INSPECTORS.items():
        made[code] = []
        for n in range(1, count + 1):
            user = user_create(
                actor=None,
                username=f"thanhtra{n}.{slug}",
                password=None,  # type: ignore[arg-type]
                full_name=f"Thanh tra viên {n} ({slug.upper()})",
            )
            membership_grant(
                actor=None,
                user=user,
                agency=agencies[code],
                role=Role.INSPECTOR,
                valid_from=since,
                title="Thanh tra viên",
            )
            made[code].append(user)
    return made


def _directive(reviewer, province, issued_on: date):
    from workflow.services import directive_create, directive_publish, item_add

    directive = directive_create(
        actor=reviewer,
        kind="chi_thi",
        number="15/CT-UBND",
        title="Về đẩy mạnh cải cách hành chính, nâng cao chỉ số PAR Index (văn bản thử nghiệm)",
        issued_on=issued_on,
        issuer=province,
    )
    for n in range(1, ITEMS + 1):
        item_add(
            actor=reviewer,
            directive=directive,
            number=str(n),
            text=f"{CRITERION_TEXTS[(n - 1) % len(CRITERION_TEXTS)]} (nhiệm vụ {n}).",
        )
    directive_publish(actor=reviewer, directive=directive)
    return directive, list(directive.items.order_by("order"))


def _template(criteria: int, items: list, year: int):
    """A checklist of ``criteria`` criteria over the eight fields (services)."""
    from inspection import services
    from inspection.models import CriterionField

    fields = [
        CriterionField.objects.get_or_create(code=code, defaults={"name": name, "order": n})[0]
        for n, (code, name) in enumerate(FIELDS, start=1)
    ]
    data = []
    for n in range(criteria):
        checks = (items[n % len(items)],) + ((items[(n + 7) % len(items)],) if n % 3 == 0 else ())
        data.append(
            services.CriterionData(
                field=fields[n * len(fields) // criteria],
                code=f"{n * len(fields) // criteria + 1}.{n + 1}",
                text=f"{CRITERION_TEXTS[n % len(CRITERION_TEXTS)]} (tiêu chí {n + 1})",
                max_points=Decimal(1 + n % 4),
                guidance=GUIDANCE,
                evidence_expected=EVIDENCE,
                items=checks,
            )
        )
    return services.template_create(
        actor=None,
        family="bench-cchc",
        name="Phiếu kiểm tra công tác cải cách hành chính (thử nghiệm)",
        year=year,
        criteria=data,
    )


def _work(rng, *, item_id, agency_id, title, assigned_on, due, state, now, people):
    """One assignment as bench/dataset.py's writer takes it, its moments each after the one
    before and before ``now``."""
    from bench.dataset import VN, Spec

    def later(start: datetime, most_days: float) -> datetime:
        moment = start + timedelta(minutes=rng.uniform(30, max(31, most_days * 24 * 60)))
        return max(start + timedelta(minutes=1), min(moment, now - timedelta(minutes=1)))

    created = min(
        datetime(assigned_on.year, assigned_on.month, assigned_on.day, 9, tzinfo=VN),
        now - timedelta(minutes=10),
    )
    spec = Spec(
        item_id=item_id,
        agency_id=agency_id,
        modality="order",
        title=title,
        assigned_on=assigned_on,
        due_date=due,
        original_due_date=due,
        state=state,
        created_at=created,
    )
    if state == "new":
        return spec
    spec.received_at = later(created, 3)
    spec.assignee_id = rng.choice(people.officers[agency_id]).pk
    if state == "in_progress":
        return spec
    spec.reported_at = later(spec.received_at, 10)
    if state == "reported":
        return spec
    spec.approved_at = later(spec.reported_at, 2)
    if state == "done":
        spec.accepted_at = later(spec.approved_at, 3)
    return spec


def _written(specs: list, people) -> list[int]:
    """Write ``specs`` (bench/dataset.py's writer): their ids, in order."""
    from bench.dataset import BATCH, Writer
    from workflow.models import Assignment

    before = Assignment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    writer = Writer()
    for start in range(0, len(specs), BATCH):
        writer.write(specs[start : start + BATCH], people)
    ids = list(Assignment.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    assert len(ids) == len(specs), (len(ids), len(specs))
    return ids


def _as_issued(ids: list[int], source: str, expected_output: str) -> None:
    """Assignments written by the writer, made what ``workflow.services.assignment_issue``
    writes for another app: their source, what they must produce, the folded search text."""
    from workflow.models import Assignment
    from workflow.models.assigning import assignment_search_text

    rows = Assignment.objects.filter(pk__in=ids)
    rows.update(source=source, expected_output=expected_output)
    for title in set(rows.values_list("title", flat=True)):
        rows.filter(title=title).update(
            search_text=assignment_search_text(title=title, expected_output=expected_output)
        )


def _filed(agencies, items, people, issued_on: date, now: datetime, rng) -> int:
    """Every agency's work on the directive's items (the writer), with a file attached to
    each completion report: what an agency filed for the items a criterion checks."""
    from bench.dataset import _spec
    from workflow.models import Attachment, ProgressReport

    today = now.date()
    specs = [
        _spec(
            rng,
            item=item.pk,
            agency=agency,
            modality="order",
            title=item.text.rstrip("."),
            assigned_on=issued_on,
            today=today,
            now=now,
            span=max(1, (today - issued_on).days),
            people=people,
        )
        for item in items
        for agency in agencies
    ]
    ids = _written(specs, people)
    reports = ProgressReport.objects.filter(assignment_id__in=ids, kind="completion")
    rows = []
    for n, (report, author, at) in enumerate(
        reports.values_list("pk", "author_id", "submitted_at").order_by("pk")
    ):
        data = _pdf(n)
        name = f"bao-cao-ket-qua-{n + 1}.pdf"
        rows.append(
            Attachment(
                report_id=report,
                file=_stored(f"evidence/bench/{n % 50}", name, data),
                original_name=name,
                content_type="application/pdf",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by_id=author,
                uploaded_at=at,
            )
        )
    Attachment.objects.bulk_create(rows, batch_size=1000)
    return len(ids)


def _schedule(plan, agency, template, team, lead, scheduled_on, assess=False):
    from inspection import services

    return services.inspection_schedule(
        actor=lead,
        plan=plan,
        agency=agency,
        template=template,
        team_decision_number=f"{plan.pk}{agency.pk}/QĐ-SNV",
        team_decision_date=scheduled_on - timedelta(days=10),
        scheduled_on=scheduled_on,
        team=team,
        self_assessment_requested=assess,
    )


def _subjects(sizes, template, plan, agencies, inspectors, people, today, say, started):
    """The three inspections made through the services (see the module's docstring)."""
    from inspection import services
    from inspection.choices import TeamRole
    from inspection.models import FindingEvidence

    lead, member = inspectors[ORGANISER][0], inspectors[ORGANISER][1]
    team = [
        services.Member(user=lead, agency=agencies[ORGANISER], role=TeamRole.LEAD),
        services.Member(user=member, agency=agencies[ORGANISER]),
        services.Member(user=inspectors[OFFICE][0], agency=agencies[OFFICE]),
    ]
    criteria = list(template.criteria.order_by("order", "pk"))
    visit = today + timedelta(days=10)
    empty = _schedule(plan, agencies[EMPTY], template, team, lead, visit)
    filled = _schedule(plan, agencies[FILLED], template, team, lead, visit, assess=True)
    head = people.heads[agencies[FILLED].pk]
    for n, c in enumerate(criteria):
        partly = n % 5 == 0
        for actor, side in ((lead, "team"), (head, "agency")):
            services.finding_record(
                actor=actor,
                inspection=filled,
                criterion=c,
                result="partly" if partly else "met",
                points=c.max_points / 2 if partly else c.max_points,
                note="Đã kiểm tra hồ sơ, đối chiếu với kế hoạch." if side == "team" else "",
                key=uuid.uuid4(),
                side=side,
            )
    say(f"{len(criteria)} findings and as many self-assessments (services)", started)
    photos = []
    for finding in filled.findings.filter(side="team").order_by("criterion__order"):
        for k in range(sizes.photos):
            data = _jpeg(finding.pk * 10 + k)
            name = f"anh-{finding.criterion_id}-{k + 1}.jpg"
            photos.append(
                FindingEvidence(
                    finding=finding,
                    file=_stored(f"inspection/{today:%Y/%m}", name, data),
                    original_name=name,
                    content_type="image/jpeg",
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    uploaded_by=lead,
                )
            )
    FindingEvidence.objects.bulk_create(photos)
    say(f"{len(photos)} photos (rows in bulk, files in MEDIA_ROOT)", started)
    walked = _schedule(plan, agencies[WALKED], template, team, lead, today)
    for c in criteria:
        services.finding_record(
            actor=lead, inspection=walked, criterion=c, result="met", points=c.max_points
        )
    services.minutes_draft(
        actor=lead, inspection=walked, text="Biên bản kiểm tra.", conducted_on=today
    )
    services.minutes_confirm(
        actor=people.heads[agencies[WALKED].pk],
        inspection=walked,
        objection="Đơn vị đề nghị xem xét lại tiêu chí 1.1.",
    )
    for n in range(2):
        services.recommendation_add(
            actor=lead,
            inspection=walked,
            text=RECOMMENDATION_TEXTS[n],
            agency=agencies[WALKED],
            criterion=criteria[n],
            due_days=15,
        )
    services.conclusion_issue(
        actor=people.heads[agencies[ORGANISER].pk],
        inspection=walked,
        number="01/TB-SNV",
        issued_on=today,
        text="Kết luận kiểm tra.",
    )
    say("an inspection walked through minutes and conclusion (services)", started)
    return Subjects(
        lead=lead, empty=empty, filled=filled, walked=walked, year=today.year, criteria=criteria
    )


def _due(calendar, day: date) -> date:
    """A fixed due date as the workflow resolves it (a day off moves to the next working day)."""
    from workflow.choices import DuePolicy
    from workflow.deadlines import DueRule

    return DueRule(DuePolicy.FIXED, fixed_date=day).resolve(assigned_on=day, cal=calendar).date


def _weighted(rng, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(day: date, hour: int, rng) -> datetime:
    from bench.dataset import VN

    return datetime(day.year, day.month, day.day, hour, tzinfo=VN) + timedelta(
        minutes=rng.randrange(120)
    )


def _year_bulk(sizes, template, plans, agencies, inspectors, people, now, rng, say, started):
    """The rest of the year (see the module's docstring): inspections, their team and rights,
    self-reports, findings, minutes and conclusions; recommendations with their remediation
    assignments and verifications."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.utils.translation import gettext as _
    from guardian.models import UserObjectPermission

    from bench.dataset import VN
    from core.calendar import WorkCalendar
    from inspection.models import (
        Finding,
        Inspection,
        Recommendation,
        TeamMember,
        Verification,
    )
    from workflow.choices import AssignmentSource
    from workflow.models import Assignment

    today = now.astimezone(VN).date()
    year_start = date(today.year, 1, 1)
    past_days = max(15, (today - year_start).days)
    count = sizes.inspections - Inspection.objects.filter(plan__year=today.year).count()
    criteria = list(template.criteria.order_by("order", "pk").prefetch_related("items"))
    first_item = {
        c.pk: min(c.items.all(), key=lambda i: (i.directive_id, i.order, i.pk), default=None)
        for c in criteria
    }
    candidates = [a for a in agencies.values() if a.code not in (ORGANISER, OFFICE)]
    rows, teams = [], []
    for n in range(max(0, count)):
        plan = plans[n % len(plans)]
        organiser = plan.organiser.code
        past = rng.random() < PAST_SHARE
        scheduled = (
            today - timedelta(days=rng.randint(1, past_days))
            if past
            else today + timedelta(days=rng.randint(1, 60))
        )
        status = _weighted(rng, PAST_WEIGHTS) if past else "scheduled"
        row = Inspection(
            plan=plan,
            agency=candidates[n % len(candidates)],
            template=template,
            team_decision_number=f"{100 + n}/QĐ-{organiser[3:]}",
            team_decision_date=scheduled - timedelta(days=20),
            scheduled_on=scheduled,
            status=status,
            self_report_due=scheduled - timedelta(days=7),
            created_at=_at(scheduled - timedelta(days=20), 9, rng),
        )
        pool = inspectors[organiser]
        team = rng.sample(pool, 3 if len(pool) > 2 else len(pool))
        if past:
            row.conducted_on = scheduled
            row.minutes_text = "Biên bản kiểm tra công tác cải cách hành chính."
            row.minutes_signed_by_lead, row.minutes_signed_by_lead_at = (
                team[0],
                min(_at(scheduled, 16, rng), now),
            )
        if status in ("minutes_signed", "follow_up", "closed"):
            signed = min(row.minutes_signed_by_lead_at + timedelta(days=rng.randint(1, 5)), now)
            row.minutes_signed_by_head = people.heads[row.agency.pk]
            row.minutes_signed_by_head_at = signed
            row.objection = "Đề nghị xem xét lại một tiêu chí." if rng.random() < 0.2 else ""
        if status in ("follow_up", "closed"):
            concluded = min(row.minutes_signed_by_head_at + timedelta(days=rng.randint(5, 20)), now)
            row.conclusion_number = f"{n + 1:03d}/TB-{organiser[3:]}"
            row.conclusion_date = concluded.astimezone(VN).date()
            row.conclusion_text = "Kết luận kiểm tra công tác cải cách hành chính."
            row.concluded_by, row.concluded_at = people.heads[plan.organiser.pk], concluded
        rows.append(row)
        teams.append(team)
    # The agencies' self-reports: assignments under the plan's item, done once the visit passed.
    reports = [
        _work(
            rng,
            item_id=r.plan.item_id,
            agency_id=r.agency_id,
            title=_("Self-report for the inspection of {date:%d/%m/%Y}: {plan}").format(
                date=r.scheduled_on, plan=r.plan.title
            ),
            assigned_on=r.team_decision_date,
            due=r.self_report_due,
            state="done" if r.status != "scheduled" else rng.choice(["new", "in_progress"]),
            now=now,
            people=people,
        )
        for r in rows
    ]
    report_ids = _written(reports, people)
    _as_issued(
        report_ids,
        AssignmentSource.SELF_REPORT,
        _("A self-report on carrying out the directive, with evidence"),
    )
    for r, pk in zip(rows, report_ids, strict=True):
        r.self_report_id = pk
    rows = Inspection.objects.bulk_create(rows, batch_size=500)
    roles = ("lead", "member", "secretary")
    TeamMember.objects.bulk_create(
        [
            TeamMember(inspection=r, user=u, agency_id=r.plan.organiser_id, role=roles[k])
            for r, team in zip(rows, teams, strict=True)
            for k, u in enumerate(team)
        ],
        batch_size=1000,
    )
    kind = ContentType.objects.get_for_model(Inspection)
    rights = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type=kind,
            codename__in=["view_inspection", "record_inspection", "lead_inspection"],
        )
    }
    grants = []
    for r, team in zip(rows, teams, strict=True):
        for k, u in enumerate(team):
            codes = ["view_inspection", "record_inspection", "lead_inspection"][
                : 3 if k == 0 else 2
            ]
            grants += [
                UserObjectPermission(
                    user=u, permission=rights[c], content_type=kind, object_pk=str(r.pk)
                )
                for c in codes
            ]
    UserObjectPermission.objects.bulk_create(grants, batch_size=1000)
    findings = []
    for r, team in zip(rows, teams, strict=True):
        if r.status == "scheduled":
            continue
        for c in criteria:
            result = _weighted(rng, RESULT_WEIGHTS)
            points = {"met": c.max_points, "partly": c.max_points / 2, "not_met": Decimal(0)}
            findings.append(
                Finding(
                    inspection=r,
                    criterion=c,
                    side="team",
                    result=result,
                    points=points.get(result),
                    recorded_by=team[0],
                    recorded_at=r.minutes_signed_by_lead_at - timedelta(hours=2),
                )
            )
    Finding.objects.bulk_create(findings, batch_size=2000)
    say(
        f"{len(rows):,} inspections in bulk, their teams ({len(grants):,} rights), "
        f"self-reports and {len(findings):,} findings",
        started,
    )

    # Recommendations, over the inspections concluded.
    concluded = [r for r in rows if r.status in ("follow_up", "closed")]
    wanted = (
        sizes.recommendations
        - Recommendation.objects.filter(inspection__plan__year=today.year).count()
    )
    if not concluded or wanted <= 0:
        return
    calendar = WorkCalendar()
    recs, rounds = [], []  # rounds: (rec index, first spec or None, spec, verification)
    title = _("Remedy after inspection: {text}")
    expected = _("A report on the remediation, with evidence (conclusion {number})")
    for k in range(wanted):
        r = concluded[k % len(concluded)]
        c = criteria[rng.randrange(len(criteria))]
        text = RECOMMENDATION_TEXTS[k % len(RECOMMENDATION_TEXTS)]
        agency_id = r.agency_id if rng.random() < 0.9 else rng.choice(candidates).pk
        status = "done" if r.status == "closed" else _weighted(rng, FOLLOW_UP_WEIGHTS)
        due = _due(calendar, r.conclusion_date + timedelta(days=15))
        item_id = (first_item[c.pk] or r.plan.item).pk
        work_title = title.format(text=text)[:255]
        state = "done" if status != "issued" else _weighted(rng, OPEN_WORK_WEIGHTS)
        first = None
        reissued = status != "done" and r.status == "follow_up" and rng.random() < REISSUED_SHARE
        assigned = r.conclusion_date
        if reissued:
            first = _work(
                rng,
                item_id=item_id,
                agency_id=agency_id,
                title=work_title,
                assigned_on=assigned,
                due=due,
                state="done",
                now=now,
                people=people,
            )
            verified = min(first.accepted_at + timedelta(days=rng.randint(1, 5)), now)
            assigned = verified.astimezone(VN).date()
            due = _due(calendar, assigned + timedelta(days=rng.randint(15, 30)))
        spec = _work(
            rng,
            item_id=item_id,
            agency_id=agency_id,
            title=work_title,
            assigned_on=assigned,
            due=due,
            state=state,
            now=now,
            people=people,
        )
        recs.append(
            Recommendation(
                inspection=r,
                criterion=c,
                text=text,
                agency_id=agency_id,
                item_id=item_id,
                due_date=due,
                due_days=15,
                status=status,
                reissued=1 if reissued else 0,
                order=k // len(concluded) + 1,
                created_by=r.minutes_signed_by_lead,
                created_at=r.minutes_signed_by_lead_at,
            )
        )
        rounds.append((first, spec, r.conclusion_number))
    specs = [s for first, spec, _n in rounds for s in ((first, spec) if first else (spec,))]
    ids = iter(_written(specs, people))
    by_number: dict[str, list[int]] = {}
    parents = []
    for rec, (first, _spec, number) in zip(recs, rounds, strict=True):
        first_id = next(ids) if first else None
        rec.assignment_id = next(ids)
        rec.first_round = first_id
        by_number.setdefault(number, []).append(rec.assignment_id)
        if first_id:
            by_number[number].append(first_id)
            parents.append(Assignment(pk=rec.assignment_id, parent_id=first_id))
    for number, pks in by_number.items():
        _as_issued(pks, AssignmentSource.INSPECTION, expected.format(number=number))
    Assignment.objects.bulk_update(parents, ["parent"], batch_size=500)
    recs = Recommendation.objects.bulk_create(recs, batch_size=1000)
    verifications = []
    for rec, (first, spec, _n) in zip(recs, rounds, strict=True):
        team_lead = rec.created_by
        if first is not None:
            verifications.append(
                Verification(
                    recommendation=rec,
                    assignment_id=rec.first_round,
                    result="not_done",
                    note="Chưa khắc phục xong.",
                    new_due_date=rec.due_date,
                    verified_by=team_lead,
                    verified_at=min(first.accepted_at + timedelta(days=1), now),
                )
            )
        if rec.status == "done":
            verifications.append(
                Verification(
                    recommendation=rec,
                    assignment_id=rec.assignment_id,
                    result="done",
                    verified_by=team_lead,
                    verified_at=min(spec.accepted_at + timedelta(days=1), now),
                )
            )
    Verification.objects.bulk_create(verifications, batch_size=1000)
    closed = [r for r in concluded if r.status == "closed"]
    for r in closed:
        r.closed_at = min(r.concluded_at + timedelta(days=40), now)
    Inspection.objects.bulk_update(closed, ["closed_at"], batch_size=500)
    say(
        f"{len(recs):,} recommendations in bulk, {len(specs):,} remediation assignments, "
        f"{len(verifications):,} verifications",
        started,
    )


def build(sizes: Sizes, *, now: datetime | None = None, seed: int = 2026, say=_say) -> Subjects:
    """The whole data set (see the module's docstring), in one transaction."""
    from django.db import transaction
    from django.utils import timezone

    from agencies.models import Agency
    from bench import dataset
    from core.calendar import government_calendar_load
    from inspection import services
    from inspection.choices import PlanForm

    now = now or timezone.now()
    today = now.astimezone(dataset.VN).date()
    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        working = _agencies(sizes.agencies, today)
        government_calendar_load()
        people = dataset.make_people(working, dataset.REFORM)
        agencies = {a.code: a for a in working}
        inspectors = _inspectors(agencies, dataset.REFORM)
        say(f"{len(working)} agencies, {len(working) * 3 + 12} people (services)", started)
        issued = max(dataset.REFORM, today - timedelta(days=150))
        province = Agency.objects.get(code=dataset.PROVINCE)
        _directive_row, items = _directive(people.reviewer, province, issued)
        work = _filed(working, items, people, issued, now, rng)
        say(f"a directive of {ITEMS} items, {work:,} assignments, their files", started)
        template = _template(sizes.criteria, items, today.year)
        plans = []
        for code, title in (
            (ORGANISER, "Kế hoạch kiểm tra công tác cải cách hành chính năm {year}"),
            (OFFICE, "Kế hoạch kiểm tra việc thực hiện chỉ thị của UBND tỉnh năm {year}"),
            (ORGANISER, "Kế hoạch kiểm tra đột xuất công vụ năm {year}"),
        ):
            plans.append(
                services.plan_create(
                    actor=inspectors[code][0],
                    year=today.year,
                    organiser=agencies[code],
                    title=title.format(year=today.year) + " (thử nghiệm)",
                    form=PlanForm.ON_SITE,
                    item=items[-1],
                    decision_number=f"{len(plans) + 1}/KH",
                    decision_date=today.replace(month=1, day=1),
                )
            )
        say(f"a checklist of {sizes.criteria} criteria, {len(plans)} plans (services)", started)
        subjects = _subjects(
            sizes, template, plans[0], agencies, inspectors, people, today, say, started
        )
        _year_bulk(sizes, template, plans, agencies, inspectors, people, now, rng, say, started)
    dataset.analyze()
    say("statistics (ANALYZE)", started)
    return subjects


# --- measuring --------------------------------------------------------------------------------


def _rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def timed(label: str, request, *, runs: int, warmups: int, floor: str = "", after=None) -> Figures:
    """``request()`` (a test client's call, checked by it) ``warmups`` times, then ``runs``
    timed times and once more with its queries captured; ``after(response)`` runs after each
    call, untimed (to put back what the request changed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def call():
        response = request()
        if after is not None:
            after(response)

    for _ in range(warmups):
        call()
    times, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        response = request()
        times.append(1000 * (time.perf_counter() - started))
        cpu.append(1000 * (time.process_time() - used))
        if after is not None:
            after(response)
    with CaptureQueriesContext(connection) as captured:
        response = request()
    queries = list(captured.captured_queries)
    if after is not None:
        after(response)
    return Figures(
        label=label,
        floor=floor,
        p50=_rank(times, 0.5),
        p95=_rank(times, 0.95),
        cpu=_rank(cpu, 0.5),
        queries=len(queries),
        sql=queries,
    )


def _ok(response, status: int = 200):
    if response.status_code != status:
        raise SystemExit(f"{response.request['PATH_INFO']}: HTTP {response.status_code}")
    return response


def measure(subjects: Subjects, *, runs: int, warmups: int) -> list[Figures]:
    """Every figure with its floor (see the module's docstring)."""
    import json

    from django.test import Client
    from django.urls import reverse

    from inspection.models import Finding

    client = Client()
    client.force_login(subjects.lead)
    results = []

    def get(url):
        return lambda: _ok(client.get(url))

    def post(url, payload):
        return _ok(client.post(url, json.dumps(payload), content_type="application/json"))

    # The conduct screen.
    empty, filled = subjects.empty, subjects.filled
    floor = "minimal checklist view (floor)"
    results.append(
        timed(
            floor,
            get(reverse("bench-conduct-floor", args=[filled.pk])),
            runs=runs,
            warmups=warmups,
        )
    )
    n = len(subjects.criteria)
    for label, inspection in ((f"conduct screen, 0 of {n} filled", empty),
                              (f"conduct screen, {n} of {n} filled", filled)):  # fmt: skip
        results.append(
            timed(
                label,
                get(reverse("inspection:conduct", args=[inspection.pk])),
                runs=runs,
                warmups=warmups,
                floor=floor,
            )
        )

    # Saving one finding.
    criterion = subjects.criteria[len(subjects.criteria) // 2]
    target = Finding.objects.get(inspection=filled, criterion=criterion, side="team")
    floor = "minimal finding write (floor)"
    floor_url = reverse("bench-finding-floor", args=[target.pk])
    results.append(
        timed(
            floor,
            lambda: _ok(client.post(floor_url, {"note": "Ghi chú."})),
            runs=runs,
            warmups=warmups,
        )
    )
    state = {"version": Finding.objects.get(pk=target.pk).version}

    def change():
        response = post(
            reverse("inspection:finding_save", args=[filled.pk]),
            {
                "criterion": criterion.pk,
                "side": "team",
                "result": "partly",
                "points": str(criterion.max_points / 2),
                "note": f"Đã xem lại hồ sơ (lần {state['version']}).",
                "version": state["version"],
                "key": str(uuid.uuid4()),
            },
        )
        state["version"] = response.json()["version"]
        return response

    fresh = subjects.criteria[0]

    def create():
        return post(
            reverse("inspection:finding_save", args=[empty.pk]),
            {
                "criterion": fresh.pk,
                "side": "team",
                "result": "met",
                "points": str(fresh.max_points),
                "note": "Đạt.",
                "version": None,
                "key": str(uuid.uuid4()),
            },
        )

    def taken_out(response):
        Finding.objects.filter(pk=response.json()["finding"]).delete()

    replay = {
        "criterion": criterion.pk,
        "side": "team",
        "result": "met",
        "points": str(criterion.max_points),
        "note": "",
        "version": None,
        "key": _applied_key(filled, criterion),
    }

    def resend():
        response = post(reverse("inspection:finding_save", args=[filled.pk]), replay)
        assert response.json()["replayed"], response.json()
        return response

    for label, request, after in (
        (f"save a new finding, 0 of {n} filled", create, taken_out),
        (f"save a changed finding, {n} of {n} filled", change, None),
        ("save a finding sent again (same key)", resend, None),
    ):
        results.append(timed(label, request, runs=runs, warmups=warmups, floor=floor, after=after))

    # The organiser's overview.
    floor = "minimal count per organiser (floor)"
    results.append(
        timed(
            floor,
            get(reverse("bench-overview-floor") + f"?year={subjects.year}"),
            runs=runs,
            warmups=warmups,
        )
    )
    results.append(
        timed(
            "organiser's overview",
            get(reverse("inspection:overview") + f"?year={subjects.year}"),
            runs=runs,
            warmups=warmups,
            floor=floor,
        )
    )
    return results


def _applied_key(inspection, criterion) -> str:
    """A key the finding of ``criterion`` was saved with (a resend of it changes nothing)."""
    from inspection.models import FindingSubmission

    return str(
        FindingSubmission.objects.filter(
            finding__inspection=inspection, finding__criterion=criterion, finding__side="team"
        )
        .values_list("key", flat=True)
        .first()
    )


# --- reporting --------------------------------------------------------------------------------


def goal(figures: Figures) -> str:
    if figures.is_floor:
        return ""
    missed = []
    if figures.p95 > GOAL_P95_MS:
        missed.append(f"p95 {figures.p95:.0f} ms > {GOAL_P95_MS:.0f}")
    if figures.queries > GOAL_QUERIES:
        missed.append(f"{figures.queries} queries > {GOAL_QUERIES}")
    return "goal missed: " + "; ".join(missed) if missed else "goal met"


def machine() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("SHOW fsync")
            database += f" (fsync {cursor.fetchone()[0]})"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {database}"


def describe() -> str:
    from inspection.models import Finding, FindingEvidence, Inspection, Recommendation
    from workflow.models import Assignment

    return (
        f"{Inspection.objects.count():,} inspections, {Finding.objects.count():,} findings, "
        f"{FindingEvidence.objects.count():,} photos, "
        f"{Recommendation.objects.count():,} recommendations "
        f"({Recommendation.objects.filter(status='issued').count():,} issued), "
        f"{Assignment.objects.count():,} assignments"
    )


def print_table(results: list[Figures], heading: str) -> None:
    floors = {r.label: r for r in results if r.is_floor}
    print(f"\n{heading}")
    print(
        f"  {'figure':<44} {'p50 ms':>7} {'p95 ms':>7} {'py cpu':>7} {'queries':>7}  "
        f"{'floor p50/p95':>13} {'× floor p50/p95':>15}  goal"
    )
    for r in results:
        floor = floors.get(r.floor)
        shown = ratio = ""
        if floor is not None:
            shown = f"{floor.p50:.1f} / {floor.p95:.1f}"
            ratio = f"{r.p50 / floor.p50:.1f} / {r.p95 / floor.p95:.1f}"
        print(
            f"  {r.label:<44} {r.p50:7.1f} {r.p95:7.1f} {r.cpu:7.1f} {r.queries:7d}  "
            f"{shown:>13} {ratio:>15}  {goal(r)}"
        )


def show_queries(results: list[Figures]) -> None:
    for r in results:
        print(f"\n  -- {r.label}: {r.queries} queries")
        for q in r.sql:
            print(f"     {1000 * float(q['time']):7.1f} ms  {q['sql'][:500]}")


def conduct_counts(results: list[Figures]) -> tuple[int, int]:
    """The conduct screen's queries at 0 and at N filled."""
    counts = [r.queries for r in results if r.label.startswith("conduct screen")]
    return counts[0], counts[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="a database to wipe (else SQLite)")
    parser.add_argument("--criteria", type=int, default=60, help="criteria of the checklist (60)")
    parser.add_argument("--photos", type=int, default=3, help="photos per finding (3)")
    parser.add_argument("--inspections", type=int, default=500, help="of the year (500)")
    parser.add_argument("--recommendations", type=int, default=3000, help="of the year (3,000)")
    parser.add_argument("--agencies", type=int, default=50, help="agencies with people (50)")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per figure")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests first")
    parser.add_argument("--show-queries", action="store_true", help="print every figure's SQL")
    parser.add_argument(
        "--freeze-gc",
        action="store_true",
        help="gc.freeze() after the build, as a server that freezes its start-up heap",
    )
    args = parser.parse_args()
    sizes = Sizes(args.criteria, args.photos, args.inspections, args.recommendations, args.agencies)

    url, scratch = args.database_url, tempfile.mkdtemp(prefix="dondoc-bench-")
    media = tempfile.mkdtemp(prefix="dondoc-bench-media-")
    try:
        setup(url or f"sqlite:///{scratch}/bench.sqlite3", media)
        from django.db import connection

        prepare()
        print(f"\nBuilding on {connection.vendor}: {sizes}", flush=True)
        subjects = build(sizes)
        print(f"  {describe()}", flush=True)
        collector = "the garbage collector as it comes"
        if args.freeze_gc:
            gc.collect()
            gc.freeze()
            collector = f"gc.freeze() after the build ({gc.get_freeze_count():,} objects)"
        load_before = os.getloadavg()[0]
        results = measure(subjects, runs=args.runs, warmups=args.warmups)
        load = f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} while measuring"
        print_table(
            results,
            f"{sizes.criteria} criteria × {sizes.photos} photos, {sizes.inspections:,} "
            f"inspections and {sizes.recommendations:,} recommendations — {machine()}; {load}; "
            f"{args.runs} requests per figure after {args.warmups} warm-ups; {collector}",
        )
        if args.show_queries:
            show_queries(results)
        at_0, at_n = conduct_counts(results)
        print(
            f"\nConduct screen: {at_0} queries at 0 filled, {at_n} at {sizes.criteria} filled: "
            + ("the same" if at_0 == at_n else "DIFFERENT: they depend on what is filled")
        )
        missed = [r.label for r in results if goal(r).startswith("goal missed")]
        print(
            f"Goal (≤ {GOAL_QUERIES} queries, p95 ≤ {GOAL_P95_MS:.0f} ms): "
            + ("met by every figure" if not missed else "missed by " + ", ".join(missed))
        )
        connection.close()
        if at_0 != at_n:
            raise SystemExit(1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
