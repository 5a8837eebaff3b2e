"""The public page (công khai): citizens see, without signing in, the directives the office made
public, their public items and how many assignments each agency has done on time, late, open
and overdue — never a person's name, a report, a comment or an evidence file — in a page, an
Atom feed, a CSV and a JSON file, counted in a constant number of queries and shown at once
after a publication or a withdrawal."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.text import fold
from tests.fixtures.workflow import vn
from workflow.choices import DirectiveKind, DuePolicy
from workflow.deadlines import DueRule
from workflow.services import (
    Target,
    assignment_receive,
    assignments_create,
    completion_report_file,
    directive_create,
    directive_publish,
    directive_update,
    item_add,
    publication_publish,
    publication_withdraw,
)

pytestmark = pytest.mark.django_db

PUBLIC_URLS = ("dashboards:public", "dashboards:public_csv", "dashboards:public_json")


def public_urls(directive) -> list[str]:
    """Every public page and download, and the directive's page of agencies."""
    return [
        *(reverse(name) for name in (*PUBLIC_URLS, "dashboards:public_feed")),
        reverse("dashboards:public_agencies", args=[directive.pk]),
    ]


# Who acted, by name: none of them may appear on the public page.
NAMES = {
    "officer": ("Nguyễn", "Văn Kín"),
    "reviewer": ("Trần", "Thị Duyệt"),
    "head": ("Lê", "Văn Trưởng"),
}
REPORT_TEXT = "Báo cáo nội bộ: số liệu chưa kiểm tra"
SECRET_ITEM = "Nội dung chưa công khai về ngân sách."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(people, small_tree, directive, settings):
    """The directive's item 2 given to Sở Tài chính (reported with a file by a named officer)
    and to Sở Nội vụ, item 1 to Sở Nội vụ; item 2 alone made public."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    reviewer, officer = people["reviewer"], people["officer"]
    for who, (last, first) in NAMES.items():
        person = people[who]
        person.last_name, person.first_name = last, first
        person.full_name = f"{last} {first}"
        person.save(update_fields=["last_name", "first_name", "full_name"])
    one, two = directive.items.get(number="1"), directive.items.get(number="2")
    one.text = SECRET_ITEM
    one.save(update_fields=["text"])
    given = assignments_create(
        actor=reviewer,
        item=two,
        targets=[Target(agency=small_tree["TC"]), Target(agency=small_tree["NV"])],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27)),
        title="Tiêu đề nội bộ của nhiệm vụ",
        assigned_on=date(2026, 1, 5),
        at=vn(2026, 1, 5),
    )
    done = next(a for a in given if a.agency == small_tree["TC"])
    assignment_receive(actor=people["head"], assignment=done, assignee=officer, at=vn(2026, 1, 6))
    completion_report_file(
        actor=officer, assignment=done, text=REPORT_TEXT, files=[_png()], at=vn(2026, 1, 8)
    )
    assignments_create(
        actor=reviewer,
        item=one,
        targets=[Target(agency=small_tree["NV"])],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27)),
        title="Việc của nhiệm vụ chưa công khai",
        assigned_on=date(2026, 1, 5),
        at=vn(2026, 1, 5),
    )
    publication_publish(actor=reviewer, directive=directive, items=[two])
    return {"directive": directive, "one": one, "two": two, "officer": officer}


def _png():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile("minh-chung.png", out.getvalue(), content_type="image/png")


def _directive(people, tree, number, *, items=2, public=True, draft=False):
    reviewer = people["reviewer"]
    directive = directive_create(
        actor=reviewer,
        kind=DirectiveKind.KE_HOACH,
        number=number,
        title=f"Kế hoạch {number}",
        issued_on=date(2026, 1, 10),
        issuer=tree["P2"],
    )
    made = [
        item_add(actor=reviewer, directive=directive, number=str(n), text=f"Việc {number}.{n}")
        for n in range(1, items + 1)
    ]
    if draft:
        return directive
    directive_publish(actor=reviewer, directive=directive)
    for item in made:
        assignments_create(
            actor=reviewer,
            item=item,
            targets=[Target(agency=tree[code]) for code in ("TC", "NV", "X9", "CA")],
            due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27)),
            title="Việc",
            assigned_on=date(2026, 1, 12),
            at=vn(2026, 1, 12),
        )
    if public:
        publication_publish(actor=reviewer, directive=directive, items=made)
    return directive


def _private_texts() -> list[str]:
    return [
        REPORT_TEXT,
        SECRET_ITEM,
        "Tiêu đề nội bộ của nhiệm vụ",
        "Việc của nhiệm vụ chưa công khai",
        *(first for _last, first in NAMES.values()),
        "officer2",
        "other_officer",
        "/attachments/",
        "minh-chung",
        "/media/",
        "Chủ tịch UBND tỉnh",  # the signer's name
    ]


def test_the_public_page_opens_without_signing_in_and_shows_the_public_figures(client, world):
    response = client.get(reverse("dashboards:public"), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    html = response.content.decode()
    assert world["directive"].title in html
    assert world["two"].text in html
    [directive] = response.context["report"].directives
    assert [i.number for i in directive.items] == ["2"]
    assert directive.counts.assigned == 2
    assert "Số liệu cập nhật lúc" in html
    # Agency by agency, on the directive's own page (a country has 12,000 agencies).
    url = reverse("dashboards:public_agencies", args=[directive.id])
    assert url in html
    agencies = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert agencies.status_code == 200
    assert "Sở Tài chính" in agencies.content.decode() and "Sở Nội vụ" in agencies.content.decode()
    # Sở Tài chính's work is reported, not yet accepted: not done; both due 27/02/2026.
    by_agency = {a.name: a.counts for a in agencies.context["page_obj"].object_list}
    tc = by_agency["Sở Tài chính"]
    assert tc.assigned == tc.open + tc.overdue == 1
    assert by_agency["Sở Nội vụ"].assigned == 1  # its work of the private item is not counted
    assert "Số liệu cập nhật lúc" in agencies.content.decode()


def test_the_agencies_come_a_page_at_a_time_by_name(client, world, people, small_tree, monkeypatch):
    import dashboards.public

    monkeypatch.setattr(dashboards.public, "AGENCIES_PER_PAGE", 1)
    directive = _directive(people, small_tree, "40/KH-UBND")  # TC, NV, X9 and CA
    url = reverse("dashboards:public_agencies", args=[directive.pk])
    pages = [client.get(url, {"page": n}).context["page_obj"] for n in (1, 2, 3, 4)]
    names = [page.object_list[0].name for page in pages]
    assert names == sorted(names, key=fold) and len(set(names)) == 4
    assert {page.paginator.count for page in pages} == {4}
    assert all(page.object_list[0].counts.assigned == 2 for page in pages)  # two items each
    assert client.get(url, {"page": 99}).context["page_obj"].number == 4  # past the end: last
    assert client.get(url, {"page": "x"}).context["page_obj"].number == 1


def test_only_a_public_directive_has_a_page_of_agencies(client, world, people, small_tree):
    hidden = _directive(people, small_tree, "20/KH-UBND", public=False)
    draft = _directive(people, small_tree, "21/KH-UBND", draft=True)
    for directive in (hidden, draft):
        url = reverse("dashboards:public_agencies", args=[directive.pk])
        assert client.get(url).status_code == 404
    assert client.get(reverse("dashboards:public_agencies", args=[10**6])).status_code == 404


def test_the_public_page_leaks_nothing_private(client, world, people):
    for url in public_urls(world["directive"]):
        body = client.get(url).content.decode("utf-8-sig")
        for private in _private_texts():
            assert private not in body, (url, private)


def test_unpublished_and_draft_directives_are_absent(client, world, people, small_tree):
    _directive(people, small_tree, "20/KH-UBND", public=False)
    _directive(people, small_tree, "21/KH-UBND", draft=True)
    for url in public_urls(world["directive"]):
        body = client.get(url).content.decode("utf-8-sig")
        assert "20/KH-UBND" not in body and "21/KH-UBND" not in body
        assert "05/CT-UBND" in body


def test_the_csv_and_the_json_hold_the_same_figures(client, world):
    [directive] = client.get(reverse("dashboards:public")).context["report"].directives
    url = reverse("dashboards:public_agencies", args=[directive.id])
    directive.agencies = client.get(url).context["page_obj"].object_list
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("dashboards:public_csv")).content.decode("utf-8-sig"))
        )
    )
    assert len(rows) == 1 + len(directive.agencies)
    assert {tuple(r[2:9]) for r in rows[1:]} == {
        (a.code, a.name, *map(str, a.counts.as_list())) for a in directive.agencies
    }
    data = json.loads(client.get(reverse("dashboards:public_json")).content)
    [d] = data["directives"]
    assert d["number"] == "05/CT-UBND" and [i["number"] for i in d["items"]] == ["2"]
    assert {a["code"]: a["counts"]["assigned"] for a in d["agencies"]} == {
        a.code: a.counts.assigned for a in directive.agencies
    }
    assert set(d) == {
        "id",
        "kind",
        "number",
        "title",
        "issued_on",
        "issuer",
        "public_since",
        "items",
        "agencies",
        "counts",
    }


def test_the_atom_feed_lists_the_public_directives(client, world):
    response = client.get(reverse("dashboards:public_feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert world["directive"].title in body
    assert f"/cong-khai/#chi-thi-{world['directive'].pk}" in body


def test_a_publication_or_a_withdrawal_shows_at_once(client, world, people):
    url = reverse("dashboards:public")
    assert world["directive"].title in client.get(url).content.decode()
    publication_withdraw(actor=people["reviewer"], directive=world["directive"])
    assert world["directive"].title not in client.get(url).content.decode()
    assert "05/CT-UBND" not in client.get(reverse("dashboards:public_csv")).content.decode()
    publication_publish(
        actor=people["reviewer"], directive=world["directive"], items=[world["one"], world["two"]]
    )
    html = client.get(url).content.decode()
    assert world["directive"].title in html and SECRET_ITEM in html


def test_the_figures_come_from_the_cache_between_publications(client, world, people):
    url = reverse("dashboards:public")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # Only the publications' revision is read (and the session's, if any): no count again.
    assert not any("workflow_assignment" in q["sql"] for q in queries.captured_queries)


def _queries(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_public_page_costs_the_same_queries_for_one_directive_or_many(
    client, people, small_tree
):
    first = _directive(people, small_tree, "30/KH-UBND", items=1)
    one = {url: _queries(client, url) for url in public_urls(first)}
    for n in range(31, 35):
        _directive(people, small_tree, f"{n}/KH-UBND", items=3)
    many = {url: _queries(client, url) for url in public_urls(first)}
    assert one == many
    # With the public items' targets (issue 14); the page of agencies reads the report too.
    assert max(many.values()) <= 8


def test_the_public_pages_take_no_writes(client, world):
    for url in public_urls(world["directive"]):
        assert client.post(url).status_code in (403, 405)


@pytest.mark.parametrize("width", [360, 1366])
def test_the_page_fits_phones_and_desktops(client, world, width):
    # The layout itself is checked in a browser (screenshots); here: the viewport and tables
    # that scroll inside their box.
    html = client.get(reverse("dashboards:public")).content.decode()
    assert 'name="viewport"' in html
    url = reverse("dashboards:public_agencies", args=[world["directive"].pk])
    html = client.get(url).content.decode()
    assert 'name="viewport"' in html and 'class="table-scroll"' in html


def test_the_csv_never_hands_a_spreadsheet_a_formula(client, world, people):
    publication_withdraw(actor=people["reviewer"], directive=world["directive"])
    directive_update(actor=people["reviewer"], directive=world["directive"], title="=1+2")
    publication_publish(
        actor=people["reviewer"], directive=world["directive"], items=[world["two"]]
    )
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("dashboards:public_csv")).content.decode("utf-8-sig"))
        )
    )
    assert {row[1] for row in rows[1:]} == {"'=1+2"}
