"""The pages: lists, detail with its actions, steps that keep the user's input on error."""

from datetime import date

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.generic.views import ScopedViewTests
from tests.security.evidence_samples import PDF  # a real PDF: evidence is read whole
from tests.workflow.factories import AssignmentFactory, DirectiveFactory
from tests.workflow.scoped import AssignmentsInTwoAgencies, PublishedAndDraftDirectives
from workflow.choices import AssignmentState, DirectiveKind, DuePolicy
from workflow.deadlines import DueRule
from workflow.models import Assignment, Directive
from workflow.services import assignment_receive


def step_url(assignment, step):
    return reverse("workflow:step", args=[assignment.pk, step])


@pytest.fixture
def many(directive, small_tree, people):
    """Thirty more assignments of item 1: to TC, so lists have length."""
    AssignmentFactory.create_batch(
        30,
        item=directive.items.get(number="1"),
        agency=small_tree["TC"],
        actor=people["reviewer"],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 6, 1)),
        title=factory.Iterator(f"Nhiệm vụ {n}" for n in range(30)),
    )


def test_the_head_sees_the_assignment_and_what_they_may_do(client, assignment, people):
    client.force_login(people["head"])
    response = client.get(reverse("workflow:assignment", args=[assignment.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Báo cáo giải ngân vốn đầu tư công" in html
    assert step_url(assignment, "receive") in html
    assert step_url(assignment, "accept") not in html
    assert "27/02/2026" in html


def test_another_agency_gets_404_for_the_page_and_the_step(client, assignment, people):
    client.force_login(people["other_head"])
    assert client.get(reverse("workflow:assignment", args=[assignment.pk])).status_code == 404
    response = client.post(step_url(assignment, "receive"), {"receive-assignee": "officer"})
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.NEW


def test_a_step_not_allowed_to_a_visible_user_is_403(client, assignment, people):
    client.force_login(people["officer"])
    response = client.post(step_url(assignment, "receive"), {"receive-assignee": "officer"})
    assert response.status_code == 403
    assert "không có quyền" in response.content.decode()


def test_the_whole_journey_through_the_pages(client, assignment, people):
    client.force_login(people["head"])
    response = client.post(step_url(assignment, "receive"), {"receive-assignee": "officer"})
    assert response.status_code == 302
    client.force_login(people["officer"])
    upload = SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf")
    response = client.post(
        step_url(assignment, "report"), {"report-text": "Đã hoàn thành.", "report-files": [upload]}
    )
    assert response.status_code == 302
    client.force_login(people["head"])
    assert client.post(step_url(assignment, "approve"), {}).status_code == 302
    client.force_login(people["reviewer"])
    assert client.post(step_url(assignment, "accept"), {"accept-comment": "Đạt"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.DONE
    html = client.get(reverse("workflow:assignment", args=[assignment.pk])).content.decode()
    assert "xác nhận hoàn thành nhiệm vụ" in html and "ket-qua.pdf" in html
    assert "report.accept" not in html


def test_a_rejected_step_keeps_what_the_user_typed(client, assignment, people):
    client.force_login(people["head"])
    client.post(step_url(assignment, "receive"), {"receive-assignee": "officer"})
    client.force_login(people["officer"])
    text = "Báo cáo rất dài mà người dùng đã gõ."
    bad = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(
        step_url(assignment, "report"), {"report-text": text, "report-files": [bad]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert text in html
    assert "không phải là tài liệu được chấp nhận" in html
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.IN_PROGRESS


def test_approving_an_already_approved_report_says_it_was_handled(client, assignment, people):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    client.force_login(people["officer"])
    client.post(step_url(assignment, "report"), {"report-text": "Xong."})
    client.force_login(people["head"])
    assert client.post(step_url(assignment, "approve"), {}).status_code == 302
    response = client.post(step_url(assignment, "approve"), {})
    assert response.status_code == 409
    assert "đã được xử lý" in response.content.decode()


def test_evidence_is_served_only_to_those_who_see_the_assignment(client, assignment, people):
    client.force_login(people["head"])
    client.post(step_url(assignment, "receive"), {"receive-assignee": "officer"})
    client.force_login(people["officer"])
    upload = SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf")
    client.post(step_url(assignment, "report"), {"report-text": "Xong.", "report-files": [upload]})
    attachment = assignment.reports.get().attachments.get()
    url = reverse("workflow:attachment", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    client.force_login(people["other_officer"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_lists_take_a_constant_number_of_queries(
    client, many, people, django_assert_max_num_queries
):
    client.force_login(people["reviewer"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workflow:assignments"))
    assert len(response.context["assignments"]) == 30
    with django_assert_max_num_queries(12):
        client.get(reverse("workflow:inbox"))
    with django_assert_max_num_queries(12):
        client.get(reverse("dashboards:agency"))
    with django_assert_max_num_queries(14):
        response = client.get(
            reverse("workflow:directive", args=[Assignment.objects.first().item.directive_id])
        )
    assert "30" in response.content.decode()


def test_the_inbox_shows_what_each_person_must_do(client, assignment, people):
    client.force_login(people["clerk"])
    html = client.get(reverse("workflow:inbox")).content.decode()
    assert "Báo cáo giải ngân vốn đầu tư công" in html
    client.force_login(people["officer"])
    html = client.get(reverse("workflow:inbox")).content.decode()
    assert "Báo cáo giải ngân vốn đầu tư công" not in html
    client.force_login(people["other_head"])
    assert "Báo cáo giải ngân" not in client.get(reverse("workflow:inbox")).content.decode()


def test_the_filter_narrows_by_timeliness_and_agency(client, assignment, many, people):
    client.force_login(people["reviewer"])
    response = client.get(
        reverse("workflow:assignments"), {"timeliness": "continuous", "agency": "TC"}
    )
    assert len(response.context["assignments"]) == 0
    response = client.get(reverse("workflow:assignments"), {"q": "Nhiệm vụ 1"})
    assert len(response.context["assignments"]) == 11


def test_reviewer_registers_a_directive_through_the_form(client, small_tree, people):
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("workflow:directive_create"),
        {
            "kind": "ke_hoach",
            "number": "12/KH-UBND",
            "title": "Kế hoạch CCHC năm 2026",
            "issued_on": "05/01/2026",
            "issuer": "P2",
            "signer": "",
            "full_text": "",
            "note": "",
            "contribution_lead_days": 3,
        },
    )
    assert response.status_code == 302
    client.force_login(people["head"])
    response = client.get(reverse("workflow:directive_create"))
    assert response.status_code == 403  # refused before the form is shown
    before = Directive.objects.count()
    for data in ({"kind": "ke_hoach", "title": "x", "issued_on": "05/01/2026", "issuer": "P2"}, {}):
        # Refused the same, valid or not: the form is never read for them.
        response = client.post(reverse("workflow:directive_create"), data)
        assert response.status_code == 403
        assert "issued_on" not in response.content.decode()
    assert Directive.objects.count() == before


def test_assign_screen_expands_groups_as_of_the_day(client, directive, small_tree, people):
    client.force_login(people["reviewer"])
    item = directive.items.get(number="1")
    response = client.post(
        reverse("workflow:assign", args=[item.pk]),
        {
            "collectives": ["departments"],
            "modality": "order",
            "title": "Tuyên truyền",
            "assigned_on": "05/01/2026",
            "due_policy": "working_days",
            "working_days": 10,
        },
    )
    assert response.status_code == 302
    created = Assignment.objects.filter(item=item)
    assert sorted(a.agency.code for a in created) == ["NV", "TC"]
    assert {a.due_date for a in created} == {date(2026, 1, 19)}


def test_the_list_costs_the_same_queries_for_1_and_30_rows(
    client, assignment, directive, small_tree, people
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["reviewer"])

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    pages = [
        reverse("workflow:assignments"),
        reverse("workflow:inbox"),
        reverse("dashboards:agency"),
        "/api/v1/assignments/",
        reverse("workflow:directive", args=[directive.pk]),
    ]
    for url in pages:  # warm the per-process caches (content types)
        count(url)
    small = [count(url) for url in pages]
    AssignmentFactory.create_batch(
        30,
        item=directive.items.get(number="1"),
        agency=small_tree["TC"],
        actor=people["reviewer"],
        due_rule=DueRule(DuePolicy.CONTINUOUS),
        assigned_on=None,  # today, as the office assigns
        at=None,
    )
    assert [count(url) for url in pages] == small


def test_transfers_offer_the_successor_of_a_merged_agency(client, small_tree, people):
    old = DirectiveFactory(
        actor=people["reviewer"],
        kind=DirectiveKind.KE_HOACH,
        number="",
        title="Kế hoạch 2024",
        issued_on=date(2024, 6, 3),
        issuer=small_tree["P"],
        items=["Giải ngân."],
    )
    stranded = AssignmentFactory(
        item=old.items.get(),
        agency=small_tree["KHDT"],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2025, 12, 31)),
        title="Giải ngân vốn đầu tư công",
        assigned_on=date(2024, 6, 3),
        at=None,
    )
    client.force_login(people["reviewer"])
    response = client.get(reverse("workflow:transfers"))
    assert [
        (a.pk, [s.code for s in successors]) for a, successors in response.context["candidates"]
    ] == [(stranded.pk, ["TC"])]
    client.force_login(people["head"])
    assert client.get(reverse("workflow:transfers")).context["candidates"] == []


class TestAssignmentPagesAreScoped(AssignmentsInTwoAgencies, ScopedViewTests):
    list_url = "workflow:assignments"
    detail_url = "workflow:assignment"


class TestDirectivePagesShowDraftsOnlyToTheOffice(PublishedAndDraftDirectives, ScopedViewTests):
    list_url = "workflow:directives"
    detail_url = "workflow:directive"


@pytest.mark.parametrize("role", ["reviewer", "leader"])
def test_reviewers_and_leaders_see_a_draft_directive(client, small_tree, people, role):
    draft = DirectiveFactory(
        actor=people["reviewer"], issuer=small_tree["P2"], title="Dự thảo", published=False
    )
    client.force_login(people[role])
    assert client.get(reverse("workflow:directive", args=[draft.pk])).status_code == 200
    listed = client.get(reverse("workflow:directives")).context["directives"]
    assert draft in listed


def test_the_item_filter_offers_only_the_chosen_directives_items(client, assignment, people):
    client.force_login(people["reviewer"])
    url = reverse("workflow:assignments")
    unchosen = client.get(url).context["filterset"].form.fields["item"].queryset
    assert not unchosen.exists()
    directive = assignment.item.directive
    chosen = client.get(url, {"directive": directive.pk}).context["filterset"].form.fields["item"]
    assert set(chosen.queryset) == set(directive.items.all())
    response = client.get(url, {"directive": directive.pk, "item": assignment.item_id})
    assert list(response.context["assignments"]) == [assignment]


def test_directives_name_their_issuer_as_named_on_the_day_of_issue(client, directive, people):
    client.force_login(people["reviewer"])
    listing = client.get(reverse("workflow:directives")).content.decode()
    page = client.get(reverse("workflow:directive", args=[directive.pk])).content.decode()
    for html in (listing, page):
        assert "Ủy ban nhân dân tỉnh Thử Mới" in html and "<td>P2</td>" not in html
        assert "· P2" not in html


def test_the_agency_filter_names_agencies_and_keeps_the_ones_gone(client, assignment, people):
    """The filter holds the agency chosen only, by its name; the type-ahead finds the others
    (agencies:choices), by name, those gone since in a group of their own (issue 10)."""
    client.force_login(people["reviewer"])
    response = client.get(reverse("workflow:assignments"), {"agency": "TC"})
    html = response.content.decode()
    select = html[
        html.index('name="agency"') : html.index("</select>", html.index('name="agency"'))
    ]
    assert '<option value="TC" selected>Sở Tài chính</option>' in select
    assert "Sở Nội vụ" not in select and ">TC<" not in select
    assert "---------" not in html
    assert list(response.context["assignments"]) == [assignment]
    choices = reverse("agencies:choices")
    found = client.get(choices, {"q": "so noi", "ever": "1"}).json()["results"]
    assert found == [{"value": "NV", "label": "Sở Nội vụ", "group": "Sở, ban, ngành"}]
    # Sở Kế hoạch và Đầu tư merged away in 2025: still offered, for its old work.
    found = client.get(choices, {"q": "ke hoach", "ever": "1"}).json()["results"]
    assert found == [
        {"value": "KHDT", "label": "Sở Kế hoạch và Đầu tư", "group": "Không còn tồn tại"}
    ]
    assert client.get(choices, {"q": "ke hoach"}).json()["results"] == []  # not today
