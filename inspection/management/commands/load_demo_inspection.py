"""Load the reference checklist and a demo inspection plan of Sở Nội vụ.

Development only (`make run`), after `load_demo` and `load_demo_directive`. The checklist is
built from the reference directive's items (inspection/data/reference_checklist.yaml); the
plan and its inspection of Sở Tài chính are demo data (their titles say so): the inspector
`thanhtra.snv` leads the team with `chuyenvien.vp`, the visit is ten days from today, and the
department is asked for its self-report and self-assessment. Idempotent: a second run changes
nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, User
from core.calendar import WorkCalendar
from inspection import services
from inspection.choices import PlanForm, TeamRole
from inspection.models import InspectionPlan

TITLE = "Kế hoạch kiểm tra công tác cải cách hành chính năm {year} (dữ liệu mẫu)"


class Command(BaseCommand):
    help = "Load the reference checklist and a demo inspection plan (idempotent). Development only."

    def handle(self, *args, **options):
        users = User.objects.in_bulk(["thanhtra.snv", "chuyenvien.vp"], field_name="username")
        if len(users) != 2:
            raise CommandError("Run `manage.py load_demo` first (the demo users are missing).")
        agencies = Agency.objects.in_bulk(["QT-SNV", "QT-VPUBND", "QT-STC"], field_name="code")
        template, created = services.checklist_load()
        self.stdout.write(
            f"Checklist “{template.name}” v{template.version}"
            f" ({template.criteria.count()} criteria){' loaded' if created else ''}."
        )
        today = timezone.localdate()
        title = TITLE.format(year=today.year)
        if InspectionPlan.objects.filter(title=title).exists():
            self.stdout.write("Demo inspection plan already loaded.")
            return
        lead, member = users["thanhtra.snv"], users["chuyenvien.vp"]
        item = template.criteria.get(code="15").items.get()
        visit = WorkCalendar().add_working_days(today, 8)
        with transaction.atomic():
            plan = services.plan_create(
                actor=lead,
                year=today.year,
                organiser=agencies["QT-SNV"],
                title=title,
                form=PlanForm.ON_SITE,
                item=item,
                decision_number="KH-SNV (mẫu)",
                decision_date=today,
            )
            inspection = services.inspection_schedule(
                actor=lead,
                plan=plan,
                agency=agencies["QT-STC"],
                template=template,
                team_decision_number="QĐ-SNV (mẫu)",
                team_decision_date=today,
                scheduled_on=visit,
                team=[
                    services.Member(user=lead, agency=agencies["QT-SNV"], role=TeamRole.LEAD),
                    services.Member(user=member, agency=agencies["QT-VPUBND"]),
                ],
                self_assessment_requested=True,
            )
        self.stdout.write(
            f"Demo plan #{plan.pk}: inspection #{inspection.pk} of Sở Tài chính on "
            f"{visit:%d/%m/%Y}, self-report due {inspection.self_report_due:%d/%m/%Y}."
        )
