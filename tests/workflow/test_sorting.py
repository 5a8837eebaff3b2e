"""Every list offers its orders (``?sort=``), keeps an unknown one to its default, shows its
count; the assignment list costs the same queries in each order (issue 14, item 6)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workflow.models import Assignment
from workflow.services import directive_create

pytestmark = pytest.mark.django_db


def _rows(response, name) -> list[int]:
    return [row.pk for row in response.context[name]]


@pytest.fixture
def two_directives(directive, small_tree, people):
    """The fixture's (5 Jan 2026) and an older one (December 2025)."""
    older = directive_create(
        actor=people["reviewer"],
        kind=directive.kind,
        number="01/CT-UBND",
        title="Về tăng cường kỷ luật hành chính",
        issued_on=date(2025, 12, 1),
        issuer=small_tree["P2"],
        signer="Chủ tịch UBND tỉnh",
    )
    return directive, older


def test_the_directives_come_newest_first_and_oldest_first_on_request(
    client, people, two_directives
):
    newer, older = two_directives
    client.force_login(people["reviewer"])
    url = reverse("workflow:directives")
    newest = client.get(url)
    assert _rows(newest, "directives")[:2] == [newer.pk, older.pk]
    oldest = client.get(url, {"sort": "oldest"})
    assert _rows(oldest, "directives")[:2] == [older.pk, newer.pk]
    content = oldest.content.decode()
    assert 'name="sort"' in content and '<option value="oldest" selected>' in content
    assert "2 văn bản chỉ đạo" in content


def test_an_unknown_order_is_the_default_not_an_error(client, people, two_directives):
    client.force_login(people["reviewer"])
    url = reverse("workflow:directives")
    default = _rows(client.get(url), "directives")
    for value in ("nonsense", "-issued_on", "'; drop table", ""):
        response = client.get(url, {"sort": value})
        assert response.status_code == 200
        assert _rows(response, "directives") == default


@pytest.fixture
def three_assignments(assignment):
    """The fixture's and two more, due earlier and later."""
    base = Assignment.objects.filter(pk=assignment.pk).values().get()
    base.pop("id")
    made = []
    for days, title in ((-10, "Việc đến hạn sớm"), (10, "Việc đến hạn muộn")):
        due = base["due_date"] + timedelta(days=days)
        made.append(
            Assignment.objects.create(
                **{**base, "title": title, "due_date": due, "original_due_date": due}
            )
        )
    return made[0], assignment, made[1]


def test_the_assignments_come_by_due_date_either_way(client, people, three_assignments):
    soonest, middle, latest = three_assignments
    client.force_login(people["reviewer"])
    url = reverse("workflow:assignments")
    assert _rows(client.get(url), "assignments") == [soonest.pk, middle.pk, latest.pk]
    later = client.get(url, {"sort": "due_latest"})
    assert _rows(later, "assignments") == [latest.pk, middle.pk, soonest.pk]
    assert _rows(client.get(url, {"sort": "bogus"}), "assignments") == [
        soonest.pk,
        middle.pk,
        latest.pk,
    ]
    content = later.content.decode()
    assert '<option value="due_latest" selected>' in content
    assert "3 nhiệm vụ" in content


def test_the_pages_of_a_sorted_list_keep_its_order(client, people, assignment):
    base = Assignment.objects.filter(pk=assignment.pk).values().get()
    base.pop("id")
    Assignment.objects.bulk_create(Assignment(**base) for _ in range(60))
    client.force_login(people["reviewer"])
    response = client.get(reverse("workflow:assignments"), {"sort": "due_latest"})
    assert "sort=due_latest&amp;page=2" in response.content.decode()


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["reviewer", "head"])
def test_the_assignment_list_costs_the_same_queries_in_every_order(
    client, people, three_assignments, who
):
    client.force_login(people[who])
    url = reverse("workflow:assignments")
    counts = {_queries(client, f"{url}?sort={key}") for key in ("due", "due_latest", "bogus")}
    assert len(counts) == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN")
def test_the_assignment_orders_read_an_index_not_a_sort_of_every_row(people):
    """SQLite's plan names the index of (due_date, id) and no temporary B-tree for ORDER BY
    (PostgreSQL scans the same B-tree forwards or backwards)."""
    from workflow.selectors import assignment_rows
    from workflow.views import AssignmentListView

    for _label, ordering in AssignmentListView.sorts.values():
        rows = assignment_rows(user=people["reviewer"]).order_by(*ordering)[:50]
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        if connection.vendor == "sqlite":
            assert "assignment_due_order" in plan or "assignment_open_due" in plan, plan
            assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_the_extension_requests_come_newest_or_oldest_first(client, people, assignment):
    from django.utils import timezone

    from workflow.choices import ExtensionStatus
    from workflow.models import ExtensionRequest

    now = timezone.now()
    made = [
        ExtensionRequest.objects.create(
            assignment=assignment,
            requested_by=people["head"],
            current_due_date=assignment.due_date,
            requested_due_date=assignment.due_date + timedelta(days=30),
            reason=f"Lý do {i}",
            status=ExtensionStatus.DENIED,
            decided_by=people["reviewer"],
            decided_at=now,
            requested_at=now - timedelta(days=5 - i),
        )
        for i in range(2)
    ]
    client.force_login(people["reviewer"])
    url = reverse("workflow:extension_list")
    newest = client.get(url, {"status": "decided", "sort": "newest"})
    assert _rows(newest, "extensions") == [made[1].pk, made[0].pk]
    oldest = client.get(url, {"status": "decided", "sort": "oldest"})
    assert _rows(oldest, "extensions") == [made[0].pk, made[1].pk]
    assert '<option value="oldest" selected>' in oldest.content.decode()
    assert client.get(url, {"status": "decided", "sort": "x"}).status_code == 200


def test_the_transfers_page_offers_its_orders(client, people):
    client.force_login(people["reviewer"])
    response = client.get(reverse("workflow:transfers"), {"sort": "nope"})
    assert response.status_code == 200
    assert 'name="sort"' in response.content.decode()
    assert response.context["sort"] == "agency"


def test_the_index_results_come_newest_year_first_or_oldest(client, people, small_tree):
    from tests.workflow.test_index_results import save

    older, newer = save(people, year=2022), save(people, year=2023)
    client.force_login(people["reviewer"])
    url = reverse("workflow:index_results")
    assert _rows(client.get(url), "results") == [newer.pk, older.pk]
    oldest = client.get(url, {"sort": "oldest"})
    assert _rows(oldest, "results") == [older.pk, newer.pk]
    assert _rows(client.get(url, {"sort": "1"}), "results") == [newer.pk, older.pk]
    content = oldest.content.decode()
    assert '<option value="oldest" selected>' in content
    assert "2 kết quả" in content


def test_the_long_forms_say_they_are_working_while_the_server_does_it(client, people, directive):
    """The importer, the results' import and the assignment of an item mark their form
    ``data-busy``: static/js/busy.js, loaded on every page, then shows "Đang xử lý…" on its
    button and refuses a second click (the reorganisation's forms too, one per ended agency)."""
    client.force_login(people["reviewer"])
    item = directive.items.get(number="2")
    for url in (
        reverse("importer:import"),
        reverse("workflow:index_import"),
        reverse("workflow:assign", args=[item.pk]),
    ):
        content = client.get(url).content.decode()
        assert "js/busy.js" in content, url
        assert 'data-busy="Đang xử lý…"' in content, url
