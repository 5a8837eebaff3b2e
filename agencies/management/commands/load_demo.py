from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.choices import Role, role_label
from agencies.models import Agency, Membership, User
from agencies.selectors import agency_name_on
from agencies.services import membership_grant, user_create

# Development only: printed so that a developer can sign in; `make run` is the only caller.
DEMO_PASSWORD = "demo-dondoc-2026"

REFORM = date(2025, 7, 1)  # the district level ended; the merged province began
START = date(2022, 1, 1)

# username, full name, [(agency code, role, title, valid from, valid until)]
DEMO_USERS = [
    (
        "lanhdao",
        "Lê Văn Lãnh",
        [
            ("QT-UBND", Role.LEADER, "Phó Chủ tịch UBND tỉnh", START, REFORM),
            ("QT25-UBND", Role.LEADER, "Phó Chủ tịch UBND tỉnh", REFORM, None),
        ],
    ),
    (
        "chuyenvien.vp",
        "Trần Thị Xem",
        [
            ("QT-VPUBND", Role.REVIEWER, "Chuyên viên Văn phòng UBND tỉnh", START, None),
        ],
    ),
    (
        "thanhtra.snv",
        "Nguyễn Văn Kiểm",
        [
            ("QT-SNV", Role.INSPECTOR, "Chuyên viên Phòng Cải cách hành chính", START, None),
        ],
    ),
    (
        "thidua.snv",
        "Phạm Thị Đua",
        [
            (
                "QT-SNV",
                Role.EMULATION_OFFICER,
                "Chuyên viên Phòng Thi đua, khen thưởng",
                START,
                None,
            ),
        ],
    ),
    (
        "giamdoc.snv",
        "Lê Thị Nội",
        [
            ("QT-SNV", Role.HEAD, "Giám đốc Sở Nội vụ", START, None),
        ],
    ),
    (
        "giamdoc.stc",
        "Hoàng Văn Đốc",
        [
            ("QT-STC", Role.HEAD, "Giám đốc Sở Tài chính", START, None),
        ],
    ),
    (
        "vanthu.stc",
        "Đỗ Thị Thư",
        [
            ("QT-STC", Role.CLERK, "Văn thư Sở Tài chính", START, None),
        ],
    ),
    (
        "chuyenvien.stc",
        "Vũ Văn Viên",
        [
            ("QT-STC", Role.OFFICER, "Chuyên viên Sở Tài chính", START, None),
        ],
    ),
    (
        "chutich.dongha",
        "Bùi Văn Tịch",
        [
            ("QT-H-DONGHA", Role.HEAD, "Chủ tịch UBND thành phố Đông Hà", START, REFORM),
            ("QT-X-DONGHA", Role.HEAD, "Chủ tịch UBND phường Đông Hà", REFORM, None),
        ],
    ),
    (
        "chuyenvien.dongha",
        "Ngô Thị Bộ",
        [
            ("QT-H-DONGHA", Role.OFFICER, "Chuyên viên UBND thành phố Đông Hà", START, REFORM),
            ("QT-X-DONGHA", Role.OFFICER, "Công chức UBND phường Đông Hà", REFORM, None),
        ],
    ),
]


class Command(BaseCommand):
    help = "Create one demo user per role in realistic agencies (idempotent). Development only."

    def handle(self, *args, **options):
        created = granted = 0
        with transaction.atomic():
            for username, full_name, memberships in DEMO_USERS:
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = user_create(
                        actor=None,
                        username=username,
                        password=DEMO_PASSWORD,
                        full_name=full_name,
                        # Reserved domain: in development the console shows the mail.
                        email=f"{username}@demo.invalid",
                    )
                    created += 1
                for code, role, title, valid_from, valid_until in memberships:
                    agency = Agency.objects.filter(code=code).first()
                    if agency is None:
                        raise CommandError(f"{code} is missing: run `manage.py load_agencies`.")
                    held = Membership.objects.filter(
                        user=user, agency=agency, role=role, valid_from=valid_from
                    )
                    if not held.exists():
                        membership_grant(
                            actor=None,
                            user=user,
                            agency=agency,
                            role=role,
                            valid_from=valid_from,
                            valid_until=valid_until,
                            title=title,
                        )
                        granted += 1
        self.stdout.write(f"Demo users: {created} created, {granted} roles granted.")
        self.stdout.write(
            f"Sign in at {settings.SITE_URL}/ with the password “{DEMO_PASSWORD}” as:"
        )
        for username, _full_name, memberships in DEMO_USERS:
            code, role, title, _from, _until = memberships[-1]
            agency = Agency.objects.get(code=code)
            name = agency_name_on(agency=agency)
            kind = agency.versions.order_by("-valid_from").values_list("kind", flat=True).first()
            label = role_label(role, kind)
            self.stdout.write(f"  {username:<18} {label:<20} {title} ({name})")
