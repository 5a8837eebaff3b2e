"""Load the reference directive (Quảng Trị, 2022) and play a demo history on it.

Development only (`make run`). The directive is read from its text by the importer, as a
reviewer would paste it (``--breakdown FILE`` loads a hand-authored breakdown instead, such as
importer/data/reference_directive.yaml); the history is a demonstration: the demo users of Sở
Tài chính and Văn phòng UBND tỉnh take real steps through the services, back-dated, so that
every list and dashboard has something true to show. It is idempotent: a second run only
generates the recurring reports that have come due.
"""

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, User
from importer.confirm import breakdown_confirm
from importer.parse import parse_text
from importer.readers import read_breakdown
from workflow import services
from workflow.choices import AssignmentState
from workflow.models import Assignment, Directive

DATA = Path(__file__).resolve().parents[2] / "data"
TEXT = DATA / "chi-thi-quang-tri-cchc-2022.txt"
# The text has neither number nor date; it cites QĐ 1982/QĐ-UBND of 29/7/2022.
ASSUMED_DATE = date(2022, 8, 1)
NOTE = (
    "Văn bản nguồn (bản đăng trên báo Quảng Trị, ký hiệu QTO) không ghi số, ký hiệu và ngày ban "
    "hành của Chỉ thị. Chỉ thị viện dẫn Quyết định số 1982/QĐ-UBND ngày 29/7/2022 và đặt mục "
    "tiêu cho năm 2022 nên được ban hành trong khoảng từ cuối tháng 7 đến tháng 12/2022; ngày "
    "ban hành 01/8/2022 chỉ là giả định dùng cho dữ liệu mẫu."
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
                self.play(directive, users, today)
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
        document = parse_text(TEXT.read_text(encoding="utf-8"), on=ASSUMED_DATE)
        document["directive"]["note"] = NOTE
        return breakdown_confirm(actor=reviewer, document=document)

    def play(self, directive, users, today):
        reviewer, head = users["chuyenvien.vp"], users["giamdoc.stc"]
        clerk, officer = users["vanthu.stc"], users["chuyenvien.stc"]
        finance = Agency.objects.get(code="QT-STC")
        dated = list(
            Assignment.objects.filter(
                item__directive=directive,
                agency=finance,
                state=AssignmentState.NEW,
                due_date__isnull=False,
            ).order_by("due_date", "pk")
        )
        recent = today - timedelta(days=3)

        def receive(a):
            services.assignment_receive(
                actor=clerk,
                assignment=a,
                assignee=officer,
                at=at(a.assigned_on + timedelta(days=3)),
            )

        def report(a, day):
            services.completion_report_file(
                actor=officer,
                assignment=a,
                at=at(day, 10),
                text="Đã triển khai thực hiện; báo cáo kết quả kèm theo (dữ liệu mẫu).",
            )

        def done(a, report_day):
            receive(a)
            services.progress_report_file(
                actor=officer,
                assignment=a,
                percent=50,
                text="Đang triển khai (dữ liệu mẫu).",
                at=at(a.assigned_on + timedelta(days=20)),
            )
            report(a, report_day)
            services.report_approve(actor=head, assignment=a, at=at(report_day + timedelta(days=1)))
            services.report_accept(
                actor=reviewer,
                assignment=a,
                comment="Đạt yêu cầu.",
                at=at(report_day + timedelta(days=4)),
            )

        def overdue(a):
            receive(a)
            services.progress_report_file(
                actor=officer,
                assignment=a,
                percent=40,
                text="Đang tổng hợp số liệu (dữ liệu mẫu).",
                at=at(a.due_date - timedelta(days=10)),
            )

        def extended(a):
            receive(a)
            extension = services.extension_request(
                actor=officer,
                assignment=a,
                requested_due_date=date(today.year, 12, 31),
                reason="Chờ số liệu quyết toán (dữ liệu mẫu).",
                at=at(a.due_date - timedelta(days=5)),
            )
            services.extension_endorse(
                actor=head, extension=extension, endorse=True, at=at(a.due_date - timedelta(days=4))
            )
            services.extension_decide(
                actor=reviewer,
                extension=extension,
                approve=True,
                note="Đồng ý gia hạn.",
                at=at(a.due_date - timedelta(days=2)),
            )

        def extension_pending(a):
            receive(a)
            services.extension_request(
                actor=officer,
                assignment=a,
                requested_due_date=today + timedelta(days=60),
                reason="Cần thêm thời gian phối hợp với các đơn vị (dữ liệu mẫu).",
                at=at(recent),
            )

        def awaiting_head(a):
            receive(a)
            report(a, recent)

        def awaiting_office(a):
            awaiting_head(a)
            services.report_approve(actor=head, assignment=a, at=at(recent, 15))

        scenarios = [
            lambda a: done(a, a.due_date - timedelta(days=7)),
            lambda a: done(a, a.due_date + timedelta(days=25)),
            overdue,
            extended,
            extension_pending,
            awaiting_head,
            awaiting_office,
            lambda a: done(a, a.due_date - timedelta(days=2)),
        ]
        # The last dated assignment stays new: the head can receive and delegate it.
        for assignment, scenario in zip(dated[:-1], scenarios, strict=False):
            if at(assignment.assigned_on + timedelta(days=30)) < timezone.now():
                scenario(assignment)

        planning = Agency.objects.get(code="QT-SKHDT")
        stranded = (
            Assignment.objects.filter(
                item__directive=directive,
                agency=planning,
                state=AssignmentState.NEW,
                due_date__isnull=False,
            )
            .order_by("pk")
            .first()
        )
        if stranded is not None:
            services.assignment_transfer(
                actor=reviewer,
                assignment=stranded,
                to_agency=finance,
                note="Sở Kế hoạch và Đầu tư hợp nhất vào Sở Tài chính từ 01/3/2025.",
                at=at(today - timedelta(days=10)),
            )
