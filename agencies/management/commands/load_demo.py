from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.choices import Role
from agencies.models import Agency, Membership, User
from agencies.services import membership_grant, user_create

# Development only: printed so that a developer can sign in; never used outside `make run`.
DEMO_PASSWORD = "demo-dondoc-2026"

# username, full name, agency code, role, title
DEMO_USERS = [
    ("lanhdao", "Lê Văn Lãnh Đạo", "QT25-UBND", Role.LEADER, "Phó Chủ tịch UBND tỉnh"),
    ("chuyenvien.vp", "Trần Thị Xem Xét", "QT-VPUBND", Role.REVIEWER, "Chuyên viên Văn phòng"),
    ("thanhtra.snv", "Nguyễn Văn Kiểm Tra", "QT-SNV", Role.INSPECTOR, "Chuyên viên Sở Nội vụ"),
    ("thidua.snv", "Phạm Thị Thi Đua", "QT-SNV", Role.EMULATION_OFFICER, "Phòng Thi đua"),
    ("giamdoc.stc", "Hoàng Văn Giám Đốc", "QT-STC", Role.HEAD, "Giám đốc Sở Tài chính"),
    ("vanthu.stc", "Đỗ Thị Văn Thư", "QT-STC", Role.CLERK, "Văn thư Sở Tài chính"),
    ("chuyenvien.stc", "Vũ Văn Chuyên Viên", "QT-STC", Role.OFFICER, "Chuyên viên Sở Tài chính"),
    ("chutich.donghа", "Bùi Văn Chủ Tịch", "QT-DONGHA", Role.HEAD, "Chủ tịch UBND TP Đông Hà"),
    ("chuyenvien.dongha", "Ngô Thị Cán Bộ", "QT-DONGHA", Role.OFFICER, "Chuyên viên UBND TP"),
]
DEMO_START = date(2022, 1, 1)


class Command(BaseCommand):
    help = "Create one demo user per role (idempotent). Development only."

    def handle(self, *args, **options):
        created = 0
        with transaction.atomic():
            for username, full_name, code, role, title in DEMO_USERS:
                agency = Agency.objects.filter(code=code).first()
                if agency is None:
                    raise CommandError(f"{code} is missing: run `manage.py load_agencies` first.")
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = user_create(
                        actor=None,
                        username=username,
                        password=DEMO_PASSWORD,
                        full_name=full_name,
                    )
                    created += 1
                if not Membership.objects.filter(user=user, agency=agency, role=role).exists():
                    first_day = max(
                        DEMO_START, agency.versions.order_by("valid_from")[0].valid_from
                    )
                    membership_grant(
                        actor=None,
                        user=user,
                        agency=agency,
                        role=role,
                        valid_from=first_day,
                        valid_until=agency.versions.order_by("-valid_from")[0].valid_until,
                        title=title,
                    )
        self.stdout.write(self.style.SUCCESS(f"Demo users: {created} created."))
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/ with password “{DEMO_PASSWORD}” as:")
        for username, full_name, code, role, title in DEMO_USERS:
            self.stdout.write(f"  {username:<20} {Role(role).label:<22} {code:<12} {title}")
