"""Checklist versioning: a version no inspection used changes in place; a used one is never
changed again (the edit makes the next version, its criteria copied); an older version is not
edited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from core.exceptions import Forbidden, InvalidInput
from inspection import services
from inspection.models import ChecklistTemplate, Criterion, InspectionPlan
from tests.fixtures.inspection import another_plan, make_template, today


def data(criterion, **changes):
    values = {
        "field": criterion.field,
        "code": criterion.code,
        "text": criterion.text,
        "max_points": criterion.max_points,
        "guidance": criterion.guidance,
        "evidence_expected": criterion.evidence_expected,
        "items": tuple(criterion.items.all()),
        **changes,
    }
    return services.CriterionData(**values)


def snapshot(template):
    return [
        (c.code, c.text, c.max_points, sorted(c.items.values_list("number", flat=True)))
        for c in template.criteria.order_by("order")
    ]


def test_editing_a_checklist_no_inspection_used_changes_it_in_place(directive, inspectors):
    template = make_template(directive, family="unused")
    first = template.criteria.get(code="1")

    target, row = services.criterion_save(
        actor=inspectors["lead"],
        template=template,
        criterion=first,
        data=data(first, text="Quán triệt, phổ biến các Chỉ số", max_points=Decimal(8)),
    )

    assert target == template and row.pk == first.pk
    assert ChecklistTemplate.objects.filter(family="unused").count() == 1
    first.refresh_from_db()
    assert (first.text, first.max_points) == ("Quán triệt, phổ biến các Chỉ số", Decimal(8))


def test_editing_a_used_checklist_makes_version_2_and_the_inspection_keeps_version_1(world):
    v1 = world.template
    before = snapshot(v1)
    first = v1.criteria.get(code="1")

    v2, row = services.criterion_save(
        actor=world.people["lead"],
        template=v1,
        criterion=first,
        data=data(first, text="Quán triệt các Chỉ số, có kế hoạch", max_points=Decimal(7)),
    )

    assert (v2.family, v2.version, v2.previous) == (v1.family, 2, v1)
    assert row.template == v2 and row.pk != first.pk
    # Every criterion copied with the directive items it checks; the change applied there.
    after = snapshot(v2)
    assert [c[0] for c in after] == ["1", "2", "3"]
    assert after[0] == ("1", "Quán triệt các Chỉ số, có kế hoạch", Decimal(7), ["1"])
    assert after[1:] == before[1:]
    # Version 1 and the inspection on it are unchanged.
    assert snapshot(v1) == before
    world.inspection.refresh_from_db()
    assert world.inspection.template == v1


def test_an_older_version_is_not_edited(world):
    v1 = world.template
    first = v1.criteria.get(code="1")
    v2, _row = services.criterion_save(
        actor=world.people["lead"], template=v1, criterion=first, data=data(first, text="Mới")
    )
    before = snapshot(v1)

    with pytest.raises(InvalidInput) as refused:
        services.criterion_save(
            actor=world.people["lead"], template=v1, criterion=first, data=data(first, text="Cũ")
        )
    assert refused.value.code == "not_latest"
    with pytest.raises(InvalidInput):
        services.template_rename(actor=world.people["lead"], template=v1, name="Khác", year=2026)
    assert snapshot(v1) == before
    assert ChecklistTemplate.objects.filter(family=v1.family).count() == 2


def test_removing_a_criterion_of_a_used_checklist_removes_it_from_version_2_only(world):
    v1 = world.template
    third = v1.criteria.get(code="3")

    v2 = services.criterion_remove(actor=world.people["lead"], template=v1, criterion=third)

    assert v2.version == 2
    assert [c[0] for c in snapshot(v2)] == ["1", "2"]
    assert [c[0] for c in snapshot(v1)] == ["1", "2", "3"]
    # v2 is not used yet: a second removal changes it in place.
    second = v2.criteria.get(code="2")
    assert (
        services.criterion_remove(actor=world.people["lead"], template=v2, criterion=second) == v2
    )
    assert [c[0] for c in snapshot(v2)] == ["1"]
    # The last criterion stays.
    with pytest.raises(InvalidInput) as refused:
        services.criterion_remove(
            actor=world.people["lead"], template=v2, criterion=v2.criteria.get()
        )
    assert refused.value.code == "no_criteria"


def test_adding_a_criterion_to_a_used_checklist_adds_it_to_version_2(world):
    v1 = world.template
    field = v1.criteria.first().field
    item = world.directive.items.get(number="2")

    v2, row = services.criterion_save(
        actor=world.people["lead"],
        template=v1,
        data=services.CriterionData(
            field=field, code="4", text="Ứng dụng CNTT", max_points=Decimal(3), items=(item,)
        ),
    )

    assert v2.version == 2 and row.template == v2 and row.order == 4
    assert snapshot(v2)[-1] == ("4", "Ứng dụng CNTT", Decimal(3), ["2"])
    assert [c[0] for c in snapshot(v1)] == ["1", "2", "3"]
    # A code already in the checklist is refused, nothing added.
    with pytest.raises(InvalidInput) as refused:
        services.criterion_save(
            actor=world.people["lead"],
            template=v2,
            data=services.CriterionData(field=field, code="4", text="Lặp", max_points=Decimal(1)),
        )
    assert refused.value.code == "duplicate_code"
    assert Criterion.objects.filter(template=v2).count() == 4


def test_only_inspectors_edit_checklists(world):
    first = world.template.criteria.get(code="1")
    with pytest.raises(Forbidden):
        services.criterion_save(
            actor=world.people["head"], template=world.template, criterion=first, data=data(first)
        )
    assert ChecklistTemplate.objects.filter(family=world.template.family).count() == 1


def test_a_refused_edit_of_a_used_checklist_leaves_no_new_version(world):
    v1 = world.template
    first = v1.criteria.get(code="1")
    with pytest.raises(InvalidInput) as refused:
        services.criterion_save(
            actor=world.people["lead"], template=v1, criterion=first, data=data(first, code="2")
        )
    assert refused.value.code == "duplicate_code"
    with pytest.raises(InvalidInput):
        services.criterion_save(
            actor=world.people["lead"],
            template=v1,
            criterion=first,
            data=data(first, max_points=Decimal(0)),
        )
    assert list(ChecklistTemplate.objects.filter(family=v1.family)) == [v1]


def test_the_plans_and_the_checklists_come_in_the_order_asked(client, world):
    """Each list offers its orders (``?sort=``); an unknown one is the default."""
    from inspection.choices import PlanForm

    lead = world.people["lead"]
    second = another_plan(
        world,
        "An ninh mạng: kiểm tra đột xuất",
        PlanForm.UNANNOUNCED,
        decision_number="30/KH-SNV",
        decision_date=today() - timedelta(days=40),
    )
    client.force_login(lead)
    url = reverse("inspection:home")
    titles = {
        sort: [p.pk for p in client.get(url, {"sort": sort}).context["plans"]]
        for sort in ("title", "newest", "nonsense")
    }
    assert titles["title"] == [second.pk, world.plan.pk]  # "An ninh…" before "Kế hoạch…"
    assert titles["newest"] == [world.plan.pk, second.pk]  # decided today, then 40 days ago
    assert titles["nonsense"] == [p.pk for p in client.get(url).context["plans"]]
    last_year = another_plan(world, "Kế hoạch năm trước")
    InspectionPlan.objects.filter(pk=last_year.pk).update(year=today().year - 1)
    page = client.get(url, {"sort": "title"}).content.decode()
    assert '<option value="title" selected>' in page
    assert f"?year={today().year - 1}&amp;sort=title" in page  # the other years keep the order

    older = make_template(world.directive, family="another-checklist")
    ChecklistTemplate.objects.filter(pk=older.pk).update(year=today().year - 1, name="Bảng cũ")
    listed = reverse("inspection:templates")
    by_name = [t.pk for t in client.get(listed, {"sort": "name"}).context["templates"]]
    by_year = [t.pk for t in client.get(listed, {"sort": "year"}).context["templates"]]
    assert by_name == [older.pk, world.template.pk]  # "Bảng cũ" before "Phiếu kiểm tra thử"
    assert by_year == [world.template.pk, older.pk]
