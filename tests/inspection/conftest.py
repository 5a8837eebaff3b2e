"""The inspection's shared setup: a three-criterion checklist on the test directive, a plan
of Sở Nội vụ (NV), and an inspection of Sở Tài chính (TC) by a team of two inspectors."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.choices import Role
from inspection import services
from inspection.choices import PlanForm, TeamRole
from inspection.models import ChecklistTemplate, CriterionField, Inspection, InspectionPlan
from tests.conftest import grant


@dataclass
class World:
    tree: dict
    people: dict
    directive: object
    template: ChecklistTemplate
    plan: InspectionPlan
    inspection: Inspection

    @property
    def criteria(self):
        return list(self.template.criteria.order_by("order"))


def today() -> date:
    return timezone.localdate()


def make_template(directive, *, family="test-checklist") -> ChecklistTemplate:
    field_a, _ = CriterionField.objects.get_or_create(
        code="chi_dao", defaults={"name": "Công tác chỉ đạo, điều hành", "order": 1}
    )
    field_b, _ = CriterionField.objects.get_or_create(
        code="tthc", defaults={"name": "Cải cách thủ tục hành chính", "order": 3}
    )
    items = {i.number: i for i in directive.items.all()}
    return services.template_create(
        actor=None,
        family=family,
        name="Phiếu kiểm tra thử",
        year=today().year,
        criteria=[
            services.CriterionData(
                field=field_a,
                code="1",
                text="Quán triệt các Chỉ số",
                max_points=Decimal(5),
                items=(items["1"],),
            ),
            services.CriterionData(
                field=field_a,
                code="2",
                text="Kế hoạch CCHC năm",
                max_points=Decimal(10),
                items=(items["2"],),
            ),
            services.CriterionData(
                field=field_b,
                code="3",
                text="Một cửa, xin lỗi khi trễ hạn",
                max_points=Decimal(5),
            ),
        ],
    )


@pytest.fixture
def inspectors(small_tree, people):
    """Three inspectors of Sở Nội vụ: the team's head, a member, one not on the team; and the
    head of Sở Nội vụ (the organiser's head) is ``people["other_head"]``."""
    since = date(2025, 8, 1)
    return {
        "lead": grant(Role.INSPECTOR, small_tree["NV"], since, username="inspector_lead"),
        "member": grant(Role.INSPECTOR, small_tree["NV"], since, username="inspector_member"),
        "outsider": grant(Role.INSPECTOR, small_tree["NV"], since, username="inspector_other"),
    }


@pytest.fixture
def world(small_tree, people, directive, inspectors) -> World:
    everyone = {**people, **inspectors}
    template = make_template(directive)
    plan = services.plan_create(
        actor=inspectors["lead"],
        year=today().year,
        organiser=small_tree["NV"],
        title="Kế hoạch kiểm tra công tác CCHC năm nay",
        form=PlanForm.ON_SITE,
        item=directive.items.get(number="1"),
        decision_number="12/KH-SNV",
        decision_date=today(),
    )
    inspection = services.inspection_schedule(
        actor=inspectors["lead"],
        plan=plan,
        agency=small_tree["TC"],
        template=template,
        team_decision_number="34/QĐ-SNV",
        team_decision_date=today(),
        scheduled_on=today() + timedelta(days=14),
        team=[
            services.Member(user=inspectors["lead"], agency=small_tree["NV"], role=TeamRole.LEAD),
            services.Member(user=inspectors["member"], agency=small_tree["NV"]),
        ],
        self_assessment_requested=True,
    )
    return World(small_tree, everyone, directive, template, plan, inspection)


def fill(world: World, actor=None, points=None):
    """The team records a finding for every criterion (full points unless given)."""
    for c in world.criteria:
        services.finding_record(
            actor=actor or world.people["lead"],
            inspection=world.inspection,
            criterion=c,
            result="met",
            points=c.max_points if points is None else points,
        )


def make_long_template(directive, *, family: str, count: int) -> ChecklistTemplate:
    """A checklist of ``count`` criteria (3 points each, every one checking item 1)."""
    field, _ = CriterionField.objects.get_or_create(
        code="chi_dao", defaults={"name": "Công tác chỉ đạo, điều hành", "order": 1}
    )
    item = directive.items.get(number="1")
    return services.template_create(
        actor=None,
        family=family,
        name=f"Phiếu {count} tiêu chí",
        year=today().year,
        criteria=[
            services.CriterionData(
                field=field, code=str(n), text=f"Tiêu chí {n}", max_points=Decimal(3), items=(item,)
            )
            for n in range(1, count + 1)
        ],
    )


def schedule(world: World, agency, *, template=None, team=None, days: int = 14) -> Inspection:
    """Another inspection of the world's plan, by the world's team unless given."""
    team = team or [
        services.Member(user=world.people["lead"], agency=world.tree["NV"], role=TeamRole.LEAD),
        services.Member(user=world.people["member"], agency=world.tree["NV"]),
    ]
    return services.inspection_schedule(
        actor=world.people["lead"],
        plan=world.plan,
        agency=agency,
        template=template or world.template,
        team_decision_number="40/QĐ-SNV",
        team_decision_date=today(),
        scheduled_on=today() + timedelta(days=days),
        team=team,
    )
