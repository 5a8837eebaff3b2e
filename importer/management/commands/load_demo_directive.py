"""Load the reference directive (Quảng Trị, 2022) and play a demo history on it.

Development only (`make run`). The directive is read from its text by the importer, as a
reviewer would paste it, and corrected as the office's review says (the data of
importer/data/reference_review.yaml; ``--breakdown FILE`` loads a hand-authored breakdown
instead, such as importer/data/reference_directive.yaml); the history is a demonstration: the
demo users of Sở Tài chính and Văn phòng UBND tỉnh take real steps through the services,
back-dated, so that every list and dashboard has something true to show. It is idempotent: a
second run only generates the recurring reports that have come due.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies.choices import SuccessionKind
from agencies.models import Agency, AgencyVersion, Succession, User, valid_on_q
from agencies.selectors import (
    agency_ended_on,
    agency_version_on,
    responsible_agencies,
    successor_agencies,
)
from core.audit import audit_record
from core.exceptions import DomainError
from importer.confirm import breakdown_confirm
from importer.parse import parse_text
from importer.readers import read_breakdown
from importer.review import review_apply
from workflow import selectors, services
from workflow.choices import AssignmentState
from workflow.models import Assignment, Directive
from workflow.services import Outcome

DATA = Path(__file__).resolve().parents[2] / "data"
TEXT = DATA / "chi-thi-quang-tri-cchc-2022.txt"
REVIEW = DATA / "reference_review.yaml"
# The text has neither number nor date; it cites QĐ 1982/QĐ-UBND of 29/7/2022.
ASSUMED_DATE = date(2022, 8, 1)
NOTE = (
    "Văn bản nguồn (bản đăng trên báo Quảng Trị, ký hiệu QTO) không ghi số, ký hiệu và ngày ban "
    "hành của Chỉ thị. Chỉ thị viện dẫn Quyết định số 1982/QĐ-UBND ngày 29/7/2022 và đặt mục "
    "tiêu cho năm 2022 nên được ban hành trong khoảng từ cuối tháng 7 đến tháng 12/2022; ngày "
    "ban hành 01/8/2022 chỉ là giả định dùng cho dữ liệu mẫu. Nội dung Chỉ thị là văn bản "
    "thật; quá trình thực hiện (tiếp nhận, báo cáo, kết quả, chuyển giao sau sắp xếp) là dữ "
    "liệu mẫu mô phỏng."
)
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VN)


class Command(BaseCommand):
    help = "Load the reference directive with a demo history (idempotent). Development only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--breakdown",
            default=None,
            help="a hand-authored breakdown (YAML) instead of the importer",
        )

    def handle(self, *args, breakdown, **options):
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["chuyenvien.vp", "giamdoc.stc", "vanthu.stc", "chuyenvien.stc"]
            )
        }
        if len(users) != 4:
            raise CommandError("Run `manage.py load_demo` first (the demo users are missing).")
        now = timezone.now()
        today = timezone.localdate()
        existing = Directive.objects.filter(
            issuer__code="QT-UBND", title__startswith="Về nâng cao Chỉ số cải cách hành chính"
        ).first()
        with transaction.atomic():
            if existing is None:
                directive = self.load(users["chuyenvien.vp"], breakdown)
            occurrences = services.occurrences_generate(until=today + timedelta(days=90), at=now)
            if existing is None:
                history = self.play(directive, users, today)
                # The recurring reports the reorganisation passed on, due from then to now, and
                # what was done of them.
                occurrences += services.occurrences_generate(
                    until=today + timedelta(days=90), at=now
                )
                history.settle(today)
                demo_publish(directive, users["chuyenvien.vp"])
                demo_index_results(users["chuyenvien.vp"])
        directive = existing or directive
        count = Assignment.objects.filter(item__directive=directive).count()
        self.stdout.write(
            f"Reference directive #{directive.pk}: {directive.items.count()} items, "
            f"{count} assignments ({len(occurrences)} recurring reports generated now)."
        )

    def load(self, reviewer, breakdown):
        if breakdown:
            return breakdown_confirm(
                actor=reviewer, document=read_breakdown(Path(breakdown)), at=at(ASSUMED_DATE)
            )
        proposal = parse_text(TEXT.read_text(encoding="utf-8"), on=ASSUMED_DATE)
        proposal["directive"]["note"] = NOTE
        # The office's review of the proposal (data: importer/data/reference_review.yaml),
        # confirmed as any reviewed breakdown; what it changed is kept as its record.
        review = yaml.safe_load(REVIEW.read_text(encoding="utf-8"))
        document, record = review_apply(proposal, review)
        directive = breakdown_confirm(actor=reviewer, document=document, at=at(ASSUMED_DATE))
        audit_record(
            actor=reviewer,
            verb="directive.review",
            obj=directive,
            note=review["source"],
            new={"items": record},
            at=at(ASSUMED_DATE),
        )
        return directive

    def play(self, directive, users, today) -> "DemoHistory":
        history = DemoHistory(users, today, say=self.stdout.write)
        history.play(directive)
        return history


class DemoHistory:
    """The simulated history of Sở Tài chính's assignments, played through the services with
    back-dated steps (every text says it is demo data)."""

    def __init__(self, users, today, say=lambda line: None):
        self.say = say
        self.reviewer, self.head = users["chuyenvien.vp"], users["giamdoc.stc"]
        self.clerk, self.officer = users["vanthu.stc"], users["chuyenvien.stc"]
        self.today = today
        self.recent = today - timedelta(days=3)

    def play(self, directive):
        finance = Agency.objects.get(code="QT-STC")
        dated = list(
            Assignment.objects.filter(
                item__directive=directive,
                agency=finance,
                state=AssignmentState.NEW,
                due_date__isnull=False,
            ).order_by("due_date", "pk")
        )
        # Work of earlier years: done on time, done late, still overdue, extended, done.
        past = [
            lambda a: self.done(a, a.due_date - timedelta(days=7)),
            lambda a: self.done(a, a.due_date + timedelta(days=25)),
            self.overdue,
            self.extended,
            lambda a: self.done(a, a.due_date - timedelta(days=2)),
        ]
        old = [a for a in dated if a.due_date < self.today - timedelta(days=365)]
        for assignment, scenario in zip(old, past, strict=False):
            if at(assignment.assigned_on + timedelta(days=30)) < timezone.now():
                scenario(assignment)
        # Work of these months, already given: an extension asked on work due from half a
        # year ago on; a report awaiting the head and a result awaiting the office, on the
        # rest of it or on continuous work. What is left stays new: the head can receive and
        # delegate it.
        given = [
            a
            for a in dated
            if a.due_date >= self.today - timedelta(days=180) and a.assigned_on <= self.recent
        ]
        continuous = Assignment.objects.filter(
            item__directive=directive,
            agency=finance,
            state=AssignmentState.NEW,
            due_date__isnull=True,
            assigned_on__lte=self.recent,
        ).order_by("pk")
        if given:
            self.extension_pending(given[0])
        reports = [*given[1:], *continuous[:2]]
        steps = [self.awaiting_head, self.awaiting_office]
        for assignment, scenario in zip(reports, steps, strict=False):
            scenario(assignment)
        self.transfer(directive, finance)
        self.reorganise()

    def settle(self, before: date) -> int:
        """Simulated: what the office's follow-up sheet says of the work due before ``before``
        that nobody here has touched (``outcomes_record``, recorded the day before): most of it
        done on time, some late, a few items never finished (they stay overdue)."""
        rows = list(
            Assignment.objects.filter(
                state=AssignmentState.NEW, due_date__lt=before, reports__isnull=True
            ).values_list("pk", "assigned_on", "due_date")
        )
        last = min(before - timedelta(days=1), self.today)
        outcomes = []
        for pk, given, due in rows:
            fate = _fate(pk)
            if fate < (UNDONE_RECENT if due.year >= self.today.year else UNDONE):
                continue
            if fate < LATE:
                day = due + timedelta(days=3 + fate % 40)
            else:
                day = due - timedelta(days=fate % 15)
            outcomes.append(Outcome(pk, min(max(day, given), last), DONE_TEXT))
        if not outcomes:
            return 0
        return services.outcomes_record(
            actor=self.reviewer, outcomes=outcomes, source=SHEET, at=at(last, 17)
        )

    def reorganise(self):
        """The 2025 reorganisation, as the office would have applied it (simulated): on the
        day each agency ended, all its open work and recurring reports move to the agency that
        took it over (``reorganisation_transfer``). A district dissolved on 1/7/2025 names no
        successor; here its work goes to the new commune-level unit most of its communes were
        merged into — the office's choice, simulated."""
        tried: set[int] = set()
        while True:
            # An agency may receive work on the day it ends and pass it on later (a commune
            # merged in 2025-01, merged again on 1/7): read again after each day's moves.
            rows = selectors.ended_agencies(user=self.reviewer, today=self.today)
            pending = Agency.objects.in_bulk([pk for pk, _n in rows if pk not in tried])
            if not pending:
                return
            ended = {pk: agency_ended_on(agency=a) for pk, a in pending.items()}
            day = min(ended.values())
            # The recurring reports of the periods begun before that day, as the daily
            # generation would have made them by then.
            services.occurrences_generate(until=day - timedelta(days=1), at=at(day, 8))
            ending = sorted(
                (pk for pk in pending if ended[pk] == day), key=lambda k: pending[k].code
            )
            # What was done by then, as the follow-up sheet holds it: only the rest moves.
            self.settle(day)
            for pk in ending:
                tried.add(pk)
                self._move(pending[pk], day)

    def _move(self, agency: Agency, day: date) -> None:
        heirs = successor_agencies(agency=agency, given_on=day - timedelta(days=1), on=day)
        to = heirs[0] if len(heirs) == 1 else _main_successor(agency, day, heirs)
        if to is None and not heirs:
            # A commune whose successor the registry does not name (simulated: the office
            # gives its work to its district, whose own work moves on when it ends).
            to = _parent_on(agency, day - timedelta(days=1))
        try:
            services.reorganisation_transfer(
                actor=self.reviewer,
                agency=agency,
                to_agency=to,
                note="Chuyển giao sau sắp xếp tổ chức bộ máy (dữ liệu mẫu).",
                at=at(day, 10),
            )
        except DomainError as exc:  # left for the office to decide on the page
            self.say(f"  left for the office: {agency.code}: {exc.message}")

    def receive(self, a):
        services.assignment_receive(
            actor=self.clerk,
            assignment=a,
            assignee=self.officer,
            at=at(a.assigned_on + timedelta(days=3)),
        )

    def progress(self, a, percent, text, day):
        services.progress_report_file(
            actor=self.officer, assignment=a, percent=percent, text=text, at=at(day)
        )

    def report(self, a, day):
        services.completion_report_file(
            actor=self.officer,
            assignment=a,
            at=at(day, 10),
            text="Đã triển khai thực hiện; báo cáo kết quả kèm theo (dữ liệu mẫu).",
        )

    def done(self, a, report_day):
        self.receive(a)
        self.progress(a, 50, "Đang triển khai (dữ liệu mẫu).", a.assigned_on + timedelta(days=20))
        self.report(a, report_day)
        services.report_approve(
            actor=self.head, assignment=a, at=at(report_day + timedelta(days=1))
        )
        services.report_accept(
            actor=self.reviewer,
            assignment=a,
            comment="Đạt yêu cầu.",
            at=at(report_day + timedelta(days=4)),
        )

    def overdue(self, a):
        self.receive(a)
        self.progress(
            a, 40, "Đang tổng hợp số liệu (dữ liệu mẫu).", a.due_date - timedelta(days=10)
        )
        # The office asks why it is late; the head explains (simulated, as the texts say).
        asked = services.explanation_request(
            actor=self.reviewer,
            assignment=a,
            question="Đề nghị giải trình nguyên nhân chậm và thời hạn hoàn thành (dữ liệu mẫu).",
            due_on=a.due_date + timedelta(days=15),
            at=at(a.due_date + timedelta(days=5)),
        )
        services.explanation_answer(
            actor=self.head,
            explanation=asked,
            answer="Chờ số liệu của các xã sau sắp xếp; dự kiến hoàn thành trong quý tới "
            "(dữ liệu mẫu).",
            at=at(a.due_date + timedelta(days=12)),
        )

    def extended(self, a):
        self.receive(a)
        extension = services.extension_request(
            actor=self.officer,
            assignment=a,
            requested_due_date=a.due_date + timedelta(days=45),
            reason="Chờ số liệu quyết toán (dữ liệu mẫu).",
            at=at(a.due_date - timedelta(days=5)),
        )
        services.extension_endorse(
            actor=self.head,
            extension=extension,
            endorse=True,
            at=at(a.due_date - timedelta(days=4)),
        )
        services.extension_decide(
            actor=self.reviewer,
            extension=extension,
            approve=True,
            note="Đồng ý gia hạn.",
            at=at(a.due_date - timedelta(days=2)),
        )

    def extension_pending(self, a):
        self.receive(a)
        services.extension_request(
            actor=self.officer,
            assignment=a,
            requested_due_date=max(a.due_date, self.today) + timedelta(days=30),
            reason="Cần thêm thời gian phối hợp với các đơn vị (dữ liệu mẫu).",
            at=at(self.recent),
        )

    def awaiting_head(self, a):
        self.receive(a)
        self.report(a, self.recent)

    def awaiting_office(self, a):
        self.awaiting_head(a)
        services.report_approve(actor=self.head, assignment=a, at=at(self.recent, 15))

    def transfer(self, directive, finance):
        """One open assignment of Sở Kế hoạch và Đầu tư, merged into Sở Tài chính on 1/3/2025."""
        stranded = (
            Assignment.objects.filter(
                item__directive=directive,
                agency__code="QT-SKHDT",
                state=AssignmentState.NEW,
                due_date__isnull=False,
            )
            .order_by("pk")
            .first()
        )
        if stranded is not None:
            services.assignment_transfer(
                actor=self.reviewer,
                assignment=stranded,
                to_agency=finance,
                note="Sở Kế hoạch và Đầu tư sáp nhập vào Sở Tài chính từ 01/3/2025.",
                at=at(self.today - timedelta(days=10)),
            )


# The simulated history's proportions, per thousand assignments (each one's fate is fixed by
# its id, so the demo is the same on every machine): left undone (overdue today) among the work
# due in earlier years and this year, and done late; the rest was done on time.
UNDONE, UNDONE_RECENT, LATE = 20, 80, 200
SHEET = "Bảng theo dõi nhiệm vụ của Văn phòng UBND tỉnh (dữ liệu mẫu mô phỏng)"
DONE_TEXT = "Đã hoàn thành, báo cáo kết quả bằng văn bản (dữ liệu mẫu mô phỏng)."


def _fate(pk: int) -> int:
    """A number in 0–999 spread evenly over the ids (Knuth's multiplicative hash)."""
    return (pk * 2654435761) % 2**32 * 1000 // 2**32


def _parent_on(agency: Agency, day: date) -> Agency | None:
    version = agency_version_on(agency=agency, on=day)
    return version.parent if version is not None else None


def _main_successor(agency: Agency, ended: date, heirs: list[Agency]) -> Agency | None:
    """Where the office sends all of an agency's work when the successions name several or
    none (simulated): the one it was merged into whole, when its functions also went to
    others; else, for a district, ``_seat_successor``."""
    merged = [
        r.agency
        for r in responsible_agencies(agency=agency, given_on=ended - timedelta(days=1), on=ended)
        if r.agency in heirs
    ]
    if len(merged) == 1:
        return merged[0]
    return _seat_successor(agency, ended)


def _seat_successor(district: Agency, ended: date) -> Agency | None:
    """The new unit most of ``district``'s communes of its last day were merged into."""
    last_day = ended - timedelta(days=1)
    communes = AgencyVersion.objects.filter(valid_on_q(last_day), parent=district).values(
        "agency_id"
    )
    merged = Counter(
        Succession.objects.filter(
            predecessor_id__in=communes,
            kind=SuccessionKind.MERGE_INTO,
            effective_on=ended,
            successor__isnull=False,
        ).values_list("successor_id", flat=True)
    )
    if not merged:
        return None
    return Agency.objects.get(pk=merged.most_common(1)[0][0])


# Simulated national index results of the province (PAR Index, SIPAS, PAPI): invented ranks and
# scores, so that the leaders' overview has a series to draw. Each says so in its source, and
# the overview shows the source under the chart. Ranks out of 63 provinces up to 2024, out of
# 34 from 2025 (``workflow.indices``).
DEMO_INDEX_SOURCE = "Dữ liệu mẫu mô phỏng — không phải kết quả công bố chính thức"
DEMO_INDEX_RESULTS = {
    # index: [(year, score, rank), ...]
    "par_index": [
        (2019, "80.12", 48),
        (2020, "82.40", 41),
        (2021, "81.05", 52),
        (2022, "83.30", 44),
        (2023, "84.91", 37),
        (2024, "86.02", 29),
        (2025, "87.15", 17),
    ],
    "sipas": [
        (2019, "79.50", 55),
        (2020, "80.20", 50),
        (2021, "81.70", 46),
        (2022, "82.10", 40),
        (2023, "83.60", 33),
        (2024, "84.40", 31),
        (2025, "85.90", 22),
    ],
    "papi": [
        (2020, "41.20", 60),
        (2021, "41.90", 57),
        (2022, "42.80", 49),
        (2023, "43.10", 45),
        (2024, "43.90", 38),
        (2025, "44.70", 19),
    ],
}


def demo_index_results(reviewer) -> None:
    for index, rows in DEMO_INDEX_RESULTS.items():
        for year, score, rank in rows:
            services.index_result_save(
                actor=reviewer,
                index=index,
                year=year,
                score=Decimal(score),
                rank=rank,
                rank_of=63 if year <= 2024 else 34,
                source_note=DEMO_INDEX_SOURCE,
                at=at(date(year + 1, 4, 20)),
            )


def demo_publish(directive, reviewer) -> None:
    """The office makes the reference directive public with all its items (simulated: the
    demo's office approves it the day after it was registered)."""
    services.publication_publish(
        actor=reviewer,
        directive=directive,
        items=list(directive.items.all()),
        at=at(ASSUMED_DATE + timedelta(days=1)),
    )
