"""The workflow API: scoped lists, one POST per step, structured errors."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.generic.api import ScopedAPITests
from tests.security.evidence_samples import PDF  # a real PDF: evidence is read whole
from tests.workflow.factories import AssignmentFactory
from tests.workflow.scoped import (
    AssignmentsInTwoAgencies,
    ExtensionsInTwoAgencies,
    PublishedAndDraftDirectives,
)
from workflow.choices import AssignmentState, DuePolicy
from workflow.deadlines import DueRule
from workflow.models import Assignment

API = "/api/v1"


def step(client, assignment, name, data=None, **kw):
    return client.post(f"{API}/assignments/{assignment.pk}/{name}/", data or {}, **kw)


def as_json(client, assignment, name, data=None):
    return step(client, assignment, name, data, content_type="application/json")


def test_lists_are_scoped_to_the_agency(client, assignment, people):
    client.force_login(people["officer"])
    body = client.get(f"{API}/assignments/").json()
    assert [row["id"] for row in body["results"]] == [assignment.pk]
    assert body["results"][0]["agency"] == "TC"
    assert body["results"][0]["timeliness"] in {"on_time", "overdue"}
    client.force_login(people["other_officer"])
    assert client.get(f"{API}/assignments/").json()["count"] == 0
    assert client.get(f"{API}/assignments/{assignment.pk}/").status_code == 404


def test_the_whole_journey_through_the_api(client, assignment, people):
    client.force_login(people["clerk"])
    response = as_json(client, assignment, "receive", {"assignee": "officer"})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "in_progress"
    client.force_login(people["officer"])
    upload = SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf")
    response = step(client, assignment, "report", {"text": "Đã xong.", "files": [upload]})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["reports"][0]["attachments"][0]["original_name"] == "ket-qua.pdf"
    client.force_login(people["head"])
    assert as_json(client, assignment, "approve", {"comment": ""}).status_code == 200
    client.force_login(people["reviewer"])
    body = as_json(client, assignment, "accept", {"comment": "Đạt"}).json()
    assert body["state"] == "done"
    assert [e["verb"] for e in body["timeline"]][-1] == "report.accept"


def test_not_allowed_is_403_with_code_and_vietnamese_message(client, assignment, people):
    client.force_login(people["officer"])
    response = as_json(client, assignment, "receive", {"assignee": "officer"})
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert body["message"] == "Bạn không có quyền thực hiện thao tác này."


def test_out_of_turn_is_409(client, assignment, people):
    client.force_login(people["head"])
    response = as_json(client, assignment, "approve", {})
    assert response.status_code == 409
    assert response.json()["code"] == "already_handled"


def test_bad_input_is_400_with_field_errors(client, assignment, people):
    client.force_login(people["head"])
    response = as_json(client, assignment, "receive", {"assignee": "other_officer"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "assignee" in body["errors"]
    response = as_json(
        client, assignment, "request-extension", {"requested_due_date": "2026-01-01", "reason": "x"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_later"
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.NEW


def test_filters_are_the_same_as_the_pages(client, assignment, people):
    client.force_login(people["reviewer"])
    assert client.get(f"{API}/assignments/", {"state": "new"}).json()["count"] == 1
    assert client.get(f"{API}/assignments/", {"state": "done"}).json()["count"] == 0
    assert client.get(f"{API}/assignments/", {"agency": "NV"}).json()["count"] == 0
    response = client.get(f"{API}/assignments/", {"timeliness": "weird"})
    assert response.status_code == 400


def test_extension_endorse_and_decide(client, assignment, people):
    client.force_login(people["head"])
    as_json(client, assignment, "receive", {"assignee": "officer"})
    client.force_login(people["officer"])
    response = as_json(
        client,
        assignment,
        "request-extension",
        {"requested_due_date": "31/03/2026", "reason": "Chờ số liệu."},
    )
    assert response.status_code == 200, response.json()
    extension = response.json()["extension_requests"][0]["id"]
    client.force_login(people["reviewer"])
    response = client.post(
        f"{API}/extensions/{extension}/decide/", {"approve": "yes"}, content_type="application/json"
    )
    assert response.status_code == 409  # not endorsed yet
    client.force_login(people["head"])
    response = client.post(
        f"{API}/extensions/{extension}/endorse/",
        {"endorse": "yes"},
        content_type="application/json",
    )
    assert response.json()["status"] == "endorsed"
    client.force_login(people["reviewer"])
    response = client.post(
        f"{API}/extensions/{extension}/decide/", {"approve": "yes"}, content_type="application/json"
    )
    assert response.json()["status"] == "approved"
    assert Assignment.objects.get(pk=assignment.pk).due_date == date(2026, 3, 31)


def test_directives_and_items(client, directive, people, small_tree):
    client.force_login(people["officer"])
    body = client.get(f"{API}/directives/").json()
    assert body["results"][0]["number"] == "05/CT-UBND"
    detail = client.get(f"{API}/directives/{directive.pk}/").json()
    assert [i["number"] for i in detail["items"]] == ["1", "2"]
    response = client.post(
        f"{API}/directives/",
        {
            "kind": "chi_thi",
            "title": "x",
            "issued_on": "2026-01-05",
            "issuer": "P2",
            "contribution_lead_days": 3,
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    client.force_login(people["reviewer"])
    response = client.post(
        f"{API}/directives/",
        {
            "kind": "chi_thi",
            "title": "Chỉ thị mới",
            "issued_on": "2026-01-05",
            "issuer": "P2",
            "contribution_lead_days": 3,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    new = response.json()["id"]
    assert client.post(f"{API}/directives/{new}/publish/").status_code == 400  # no items
    response = client.post(
        f"{API}/directives/{new}/items/",
        {"number": "1", "text": "Nội dung"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert client.post(f"{API}/directives/{new}/publish/").json()["status"] == "published"
    item = response.json()["id"]
    response = client.post(
        f"{API}/items/{item}/assign/",
        {
            "leads": ["TC", "NV"],
            "modality": "order",
            "title": "Triển khai",
            "assigned_on": "2026-01-05",
            "due_policy": "fixed",
            "due_date": "2026-03-31",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert sorted(a["agency"] for a in response.json()) == ["NV", "TC"]


def test_api_lists_take_a_constant_number_of_queries(
    client, directive, small_tree, people, django_assert_max_num_queries
):
    AssignmentFactory.create_batch(
        25,
        item=directive.items.first(),
        agency=small_tree["TC"],
        actor=people["reviewer"],
        due_rule=DueRule(DuePolicy.CONTINUOUS),
    )
    client.force_login(people["reviewer"])
    with django_assert_max_num_queries(8):
        body = client.get(f"{API}/assignments/").json()
    assert body["count"] == 25


class TestAssignmentAPIIsScoped(AssignmentsInTwoAgencies, ScopedAPITests):
    api_list_url = f"{API}/assignments/"


class TestDirectiveAPIShowsDraftsOnlyToTheOffice(PublishedAndDraftDirectives, ScopedAPITests):
    api_list_url = f"{API}/directives/"


class TestExtensionAPIIsScoped(ExtensionsInTwoAgencies, ScopedAPITests):
    api_list_url = f"{API}/extensions/"
