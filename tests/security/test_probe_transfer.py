"""Transfers followed no rule (issue 11): work went to the agency it was already with, or to
any agency at all. A transfer now goes to an agency that took the work over through the
successions (DOMAIN.md §2.3–2.4) — or, for an agency dissolved with no successor named, to
any agency the office confirms — on the page and the API alike, and a refusal changes
nothing."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from agencies.choices import SuccessionKind
from agencies.models import Succession
from core.exceptions import InvalidInput
from core.models import AuditEvent
from tests.workflow.factories import AssignmentFactory, DirectiveFactory
from workflow.choices import AssignmentState, DirectiveKind, DuePolicy
from workflow.deadlines import DueRule
from workflow.models import Assignment
from workflow.services import assignment_transfer

API = "/api/v1"


@pytest.fixture
def browser(people):
    client = Client(raise_request_exception=False)
    client.force_login(people["reviewer"])
    return client


@pytest.fixture
def given_in_2024(small_tree, people):
    """Give an agency of 2024 an item of a 2024 plan of the old province (still open)."""
    plan = DirectiveFactory(
        actor=people["reviewer"],
        kind=DirectiveKind.KE_HOACH,
        number="",
        title="Kế hoạch 2024",
        issued_on=date(2024, 6, 3),
        issuer=small_tree["P"],
        items=["Giải ngân."],
    )

    def give(code):
        return AssignmentFactory(
            item=plan.items.get(),
            agency=small_tree[code],
            due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2025, 12, 31)),
            title=f"Việc năm 2024 của {code}",
            assigned_on=date(2024, 6, 3),
            at=None,
        )

    return give


def state_of_things():
    return (
        list(Assignment.objects.order_by("pk").values_list("pk", "state", "agency_id")),
        AuditEvent.objects.count(),
    )


def transfer_by_api(client, assignment, code):
    return client.post(
        f"{API}/assignments/{assignment.pk}/transfer/",
        {"to_agency": code, "note": "Sắp xếp tổ chức bộ máy."},
        content_type="application/json",
    )


def transfer_by_page(client, assignment, code):
    return client.post(
        reverse("workflow:step", args=[assignment.pk, "transfer"]),
        {"transfer-to_agency": code, "transfer-note": "Sắp xếp tổ chức bộ máy."},
    )


def refused_everywhere(client, assignment, code, expected_code, said):
    before = state_of_things()
    api = transfer_by_api(client, assignment, code)
    assert api.status_code == 400, api.content
    body = api.json()
    assert body["code"] == expected_code
    assert said in body["message"] and body["errors"]["to_agency"] == [body["message"]]
    page = transfer_by_page(client, assignment, code)
    assert page.status_code == 400
    assert said in page.content.decode()
    assert state_of_things() == before


def test_the_agency_the_work_is_already_with_is_refused(browser, assignment):
    refused_everywhere(browser, assignment, "TC", "same_agency", "Nhiệm vụ đang thuộc Sở Tài chính")


def test_a_living_agency_with_no_successor_keeps_its_work(browser, assignment):
    refused_everywhere(browser, assignment, "NV", "no_successor", "Sở Tài chính vẫn đang hoạt động")


def test_a_merged_agency_transfers_only_to_the_one_it_merged_into(browser, given_in_2024):
    stranded = given_in_2024("KHDT")
    refused_everywhere(browser, stranded, "NV", "not_successor", "Sở Tài chính")
    response = transfer_by_api(browser, stranded, "TC")
    assert response.status_code == 200, response.json()
    stranded.refresh_from_db()
    assert stranded.state == AssignmentState.TRANSFERRED
    assert stranded.transferred_to.agency.code == "TC"


def test_the_page_transfers_to_the_successor_too(browser, given_in_2024):
    stranded = given_in_2024("KHDT")
    assert transfer_by_page(browser, stranded, "TC").status_code == 302
    assert Assignment.objects.get(pk=stranded.pk).transferred_to.agency.code == "TC"


def test_an_agency_that_received_one_of_its_functions_may_receive_the_work(
    browser, assignment, small_tree
):
    Succession.objects.create(
        predecessor=small_tree["TC"],
        successor=small_tree["NV"],
        kind=SuccessionKind.TRANSFER_FUNCTION,
        effective_on=date(2026, 2, 1),
        function="quản lý biên chế",
    )
    refused_everywhere(browser, assignment, "CA", "not_successor", "Sở Nội vụ")
    assert transfer_by_api(browser, assignment, "NV").status_code == 200


def test_a_function_moved_before_the_work_was_given_does_not_count(browser, assignment, small_tree):
    Succession.objects.create(
        predecessor=small_tree["TC"],
        successor=small_tree["NV"],
        kind=SuccessionKind.TRANSFER_FUNCTION,
        effective_on=date(2025, 12, 1),
        function="quản lý biên chế",
    )
    refused_everywhere(browser, assignment, "NV", "no_successor", "Sở Tài chính")


def test_a_dissolved_agency_with_no_successor_is_the_offices_to_confirm(
    browser, given_in_2024, people
):
    # Huyện Bốn was dissolved on 1/7/2025 with no successor named: its work goes where the
    # office confirms (DOMAIN.md §2.4 item 4), to an agency that exists.
    stranded = given_in_2024("H4")
    with pytest.raises(InvalidInput):
        assignment_transfer(
            actor=people["reviewer"], assignment=stranded, to_agency=stranded.agency
        )
    response = transfer_by_api(browser, stranded, "X9")
    assert response.status_code == 200, response.json()
    assert Assignment.objects.get(pk=stranded.pk).transferred_to.agency.code == "X9"


def test_the_transfers_page_and_the_rule_agree_on_the_successor(browser, given_in_2024):
    stranded = given_in_2024("KHDT")
    page = browser.get(reverse("workflow:transfers"))
    (candidate, successors), *_ = page.context["candidates"]
    assert candidate.pk == stranded.pk
    assert [s.code for s in successors] == ["TC"]
