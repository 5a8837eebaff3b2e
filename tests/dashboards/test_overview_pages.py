"""The overview's tables by agency come a page at a time, each with its total: a country's
12,000 agencies are not one page."""

from datetime import date

from django.urls import reverse

from dashboards import views
from tests.fixtures.workflow import vn
from workflow.choices import DuePolicy
from workflow.deadlines import DueRule
from workflow.services import Target, assignments_create


def test_every_agency_is_on_some_page_and_the_total_counts_them_all(
    client, directive, small_tree, people, monkeypatch
):
    assignments_create(
        actor=people["reviewer"],
        item=directive.items.get(number="2"),
        targets=[Target(agency=small_tree[code]) for code in ("TC", "NV", "CA")],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27)),
        title="Việc của ba cơ quan",
        assigned_on=date(2026, 1, 5),
        at=vn(2026, 1, 5),
    )
    monkeypatch.setattr(views, "AGENCY_ROWS", 2)
    client.force_login(people["leader"])
    first = client.get(reverse("dashboards:overview"))
    assert first.context["agencies_page"].paginator.count == 3
    assert len(first.context["table"]) == 2
    assert "agencies_page=2" in first.content.decode()
    second = client.get(reverse("dashboards:overview") + "?agencies_page=2")
    shown = [row.code for page in (first, second) for row, _cells in page.context["table"]]
    assert sorted(shown) == ["CA", "NV", "TC"]
    # A page past the end shows the last one, never an error.
    past = client.get(reverse("dashboards:overview") + "?agencies_page=99")
    assert past.status_code == 200
    assert past.context["agencies_page"].number == 2
    assert [row.code for row, _cells in past.context["table"]] == [
        row.code for row, _cells in second.context["table"]
    ]
