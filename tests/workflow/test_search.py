"""Search folds case and diacritics: "cai cach" finds "cải cách" and "CẢI CÁCH", in the title,
the item's text, the expected output and the names of agencies (today's, former ones and
aliases), on the page and in the API, and never shows what the user may not see."""

from datetime import date

import factory
import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.agencies.factories import AgencyFactory, AgencyVersionFactory
from tests.workflow.factories import AssignmentFactory, ItemFactory
from workflow.filtersets import AssignmentFilterSet
from workflow.models import Assignment, Directive, DirectiveItem
from workflow.selectors import assignment_list
from workflow.services import assignment_reassign, directive_update, item_update

API = "/api/v1"


@pytest.fixture
def works(directive, small_tree, people):
    """Assignments of the directive "Về nâng cao Chỉ số cải cách hành chính", by name."""
    item = directive.items.get(number="1")  # "Đẩy mạnh công tác thông tin, tuyên truyền."

    def give(title, agency="TC", item=item, **kwargs):
        return AssignmentFactory(
            item=item,
            agency=small_tree[agency],
            actor=people["reviewer"],
            title=title,
            **kwargs,
        )

    reform = ItemFactory(
        directive=directive, actor=people["reviewer"], text="Đẩy mạnh chuyển đổi số ở cơ sở."
    )
    return {
        "lower": give("Cải cách hành chính năm 2026"),
        "upper": give("CẢI CÁCH THỦ TỤC ĐẤT ĐAI"),
        "decomposed": give("Ca\u0309i ca\u0301ch quy trình nội bộ"),  # NFD, as some editors type
        "other": give("Báo cáo giải ngân vốn đầu tư công"),
        "by_item": give("Việc thứ năm", item=reform),
        "by_output": give("Việc thứ sáu", expected_output="Báo cáo sơ kết 6 tháng"),
        "home_affairs": give("Việc của Sở Nội vụ nhưng không nêu tên", agency="NV"),
    }


def searched(user, q) -> AssignmentFilterSet:
    request = RequestFactory().get("/")
    request.user = user
    filterset = AssignmentFilterSet({"q": q}, queryset=assignment_list(user=user), request=request)
    assert filterset.is_valid()
    return filterset


def found(user, q) -> set[int]:
    return set(searched(user, q).qs.values_list("pk", flat=True))


def pks(works, *names) -> set[int]:
    return {works[name].pk for name in names}


def test_a_query_without_diacritics_finds_titles_with_them_in_any_case(works, people):
    office = people["reviewer"]
    expected = pks(works, "lower", "upper", "decomposed")
    assert found(office, "cai cach") == expected
    assert found(office, "CẢI CÁCH") == expected
    assert found(office, "  Cải   cách ") == expected
    assert found(office, "cai cach thu tuc dat dai") == pks(works, "upper")


def test_the_item_text_and_the_expected_output_are_searched(works, people):
    office = people["reviewer"]
    assert found(office, "chuyen doi so") == pks(works, "by_item")
    assert found(office, "SƠ KẾT") == pks(works, "by_output")
    # Item 1's text is searched for every assignment made of it.
    assert pks(works, "lower", "other", "home_affairs") <= found(office, "thong tin tuyen truyen")


def test_words_never_match_across_the_title_and_the_item(works, people):
    # Title "Việc thứ năm", item "Đẩy mạnh chuyển đổi số…": "nam day" is in neither.
    assert works["by_item"].pk not in found(people["reviewer"], "nam day manh")


def test_an_agency_name_finds_its_work(works, people):
    office = people["reviewer"]
    assert found(office, "so noi vu") == pks(works, "home_affairs")
    assert found(office, "Sở NV") == pks(works, "home_affairs")  # an alias


def test_a_former_name_of_the_agency_finds_its_work(directive, people):
    renamed = AgencyFactory(
        version__name="Sở Thông tin và Truyền thông", version__valid_until=date(2025, 3, 1)
    )
    AgencyVersionFactory(
        agency=renamed, name="Sở Khoa học và Công nghệ", valid_from=date(2025, 3, 1)
    )
    work = AssignmentFactory(
        item=directive.items.get(number="2"),
        agency=renamed,
        actor=people["reviewer"],
        title="Chuyển đổi số",
    )
    office = people["reviewer"]
    assert found(office, "khoa hoc va cong nghe") == {work.pk}
    assert found(office, "so thong tin va truyen thong") == {work.pk}


def test_the_agency_as_written_finds_work_given_to_another_since(works, people, small_tree):
    moved = assignment_reassign(
        actor=people["reviewer"],
        assignment=works["home_affairs"],
        agency=small_tree["TC"],
        note="Giao lại cho Sở Tài chính.",
    )
    assert moved.agency_as_written == small_tree["NV"]
    assert moved.pk in found(people["reviewer"], "noi vu")
    # The head of Sở Tài chính now sees it, found by the name of the agency as written.
    assert found(people["head"], "noi vu") == {moved.pk}


def test_nobody_finds_what_they_may_not_see(works, people):
    assert found(people["other_officer"], "cai cach") == set()
    assert found(people["other_head"], "viec") == pks(works, "home_affairs")
    # Another agency's name finds none of its work for someone who may not see that work.
    assert found(people["head"], "so noi vu") == set()


def test_an_empty_or_punctuation_only_query_filters_nothing(works, people):
    every = set(assignment_list(user=people["reviewer"]).values_list("pk", flat=True))
    assert found(people["reviewer"], "") == every
    assert found(people["reviewer"], " -- ") == every


def test_the_page_and_the_api_search_alike(client, works, people):
    client.force_login(people["reviewer"])
    response = client.get(reverse("workflow:assignments"), {"q": "cai cach"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cải cách hành chính năm 2026" in html
    assert "CẢI CÁCH THỦ TỤC ĐẤT ĐAI" in html
    assert "Báo cáo giải ngân vốn đầu tư công" not in html
    assert "Tìm kiếm" in html  # the field's label
    body = client.get(f"{API}/assignments/", {"q": "cai cach"}).json()
    assert body["count"] == 3
    assert {row["id"] for row in body["results"]} == pks(works, "lower", "upper", "decomposed")
    client.force_login(people["other_officer"])
    assert client.get(f"{API}/assignments/", {"q": "cai cach"}).json()["count"] == 0


def test_search_follows_a_change_of_the_items_text(works, people):
    office = people["reviewer"]
    item = works["by_item"].item
    item_update(actor=office, item=item, number=item.number, text="Số hóa hồ sơ lưu trữ.")
    assert found(office, "chuyen doi so") == set()
    assert found(office, "so hoa ho so") == pks(works, "by_item")
    # The title still counts after the change.
    assert found(office, "viec thu nam") == pks(works, "by_item")


def test_a_word_found_in_very_many_items_still_finds_their_work(works, people, monkeypatch):
    monkeypatch.setattr("workflow.selectors.search.ITEM_IDS_MAX", 1)  # matched by a subquery now
    office = people["reviewer"]
    assert pks(works, "lower", "by_item", "home_affairs") <= found(office, "day manh")
    assert found(people["other_officer"], "day manh") == pks(works, "home_affairs")


def test_a_transferred_assignment_keeps_its_title_searchable(works, people, small_tree):
    moved = assignment_reassign(
        actor=people["reviewer"], assignment=works["upper"], agency=small_tree["NV"]
    )
    assert moved.pk in found(people["reviewer"], "cai cach thu tuc")
    assert Assignment.objects.get(pk=moved.pk).search_text == works["upper"].search_text


def test_directives_are_found_by_folded_number_or_title(client, directive, people):
    client.force_login(people["reviewer"])
    url = reverse("workflow:directives")
    for q in ("cai cach hanh chinh", "CẢI CÁCH", "05/ct-ubnd", "05 CT"):
        assert client.get(url, {"q": q}).context["object_list"].count() == 1, q
    assert client.get(url, {"q": "chuyen doi so"}).context["object_list"].count() == 0
    directive_update(actor=people["reviewer"], directive=directive, title="Về chuyển đổi số")
    assert client.get(url, {"q": "chuyen doi so"}).context["object_list"].count() == 1
    assert Directive.objects.get(pk=directive.pk).search_text == "ve chuyen doi so\n05 ct ubnd"


def test_a_search_takes_as_many_queries_for_many_rows_as_for_few(
    client, directive, small_tree, people, django_assert_max_num_queries
):
    def give(n):
        AssignmentFactory.create_batch(
            n,
            item=directive.items.get(number="2"),
            agency=small_tree["TC"],
            actor=people["reviewer"],
            title=factory.Iterator(f"Cải cách thủ tục {i}" for i in range(n)),
        )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("workflow:assignments"), {"q": "cai cach"})
        return len(captured), response.context["paginator"].count

    client.force_login(people["reviewer"])
    give(3)
    few, count = queries()
    assert count == 3
    give(40)
    many, count = queries()
    assert count == 43
    assert many == few
    with django_assert_max_num_queries(13):
        client.get(reverse("workflow:assignments"), {"q": "so tai chinh"})


@pytest.mark.postgres
def test_postgresql_can_serve_the_search_from_the_trigram_index(works, people):
    """The indexes match the SQL Django writes for the search (a tiny table is read whole
    whatever its indexes, so plain scans are ruled out here to see which index could serve it;
    on a large table the planner picks it by itself)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    filterset = searched(people["reviewer"], "cai cach thu tuc")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = filterset.qs.explain()
        items = DirectiveItem.objects.filter(search_text__contains="chuyen doi so").explain()
    assert "Bitmap Index Scan on assignment_search_trgm" in plan, plan
    assert "Bitmap Index Scan on item_search_trgm" in items, items
