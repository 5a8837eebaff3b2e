"""Issue 11, import confirm: a reviewed breakdown of the wrong shape, or breaking the office's
rules, is refused with every problem named (item, agency or assignment, field), as a 4xx with
the error shape in the API and a Vietnamese form error on the page; nothing is created.

Before the fix: a document that was not an object, or had a list where text belongs, or an
unknown recurrence, was a 500; an unknown role or modality was accepted and that assignment
silently dropped; a deadline of 9999-12-31 was accepted.
"""

import copy
import json
from datetime import date

import pytest
from django.utils import translation

from agencies.choices import Role
from core.exceptions import InvalidInput
from importer.confirm import breakdown_confirm
from importer.limits import MAX_TEXT_CHARS, latest_deadline
from workflow.models import Assignment, Directive, DirectiveItem, RecurringObligation

pytestmark = pytest.mark.slow

URL = "/directives/import/"
API = "/api/v1/imports/confirm/"


def good() -> dict:
    text = "Sở Nội vụ chủ trì, phối hợp Sở Tài chính báo cáo 6 tháng."
    return {
        "directive": {
            "kind": "chi_thi",
            "number": "01/CT-UBND",
            "date": "2022-08-01",
            "issuer": "QT-UBND",
            "title": "Về tăng cường công tác cải cách hành chính",
        },
        "items": [
            {
                "number": "1",
                "parent": None,
                "text": text,
                "span": [0, len(text)],
                "agencies": [
                    {
                        "text": "Sở Nội vụ",
                        "matched": "QT-SNV",
                        "role": "lead",
                        "modality": "order",
                        "span": [0, 9],
                        "confidence": 1.0,
                    },
                    {
                        "text": "Sở Tài chính",
                        "matched": "QT-STC",
                        "role": "coordinating",
                        "modality": "order",
                        "span": [28, 40],
                        "confidence": 1.0,
                    },
                ],
                "deadline": {"policy": "fixed", "date": "2022-12-30", "span": None},
                "recurrence": {"periods": ["half_yearly"], "span": None},
                "indicators": [],
            },
            {
                "number": "2",
                "text": "Văn phòng UBND tỉnh theo dõi, báo cáo hằng năm.",
                "groups": [
                    {
                        "to": ["QT-VPUBND"],
                        "modality": "order",
                        "title": "Theo dõi việc thực hiện",
                        "due": {"policy": "working_days", "days": 10},
                    },
                    {
                        "to": ["QT-VPUBND"],
                        "title": "Báo cáo năm",
                        "recurrence": {
                            "period": "yearly",
                            "starts_on": "2022-01-01",
                            "ends_on": None,
                            "report_day": 15,
                            "month_offset": -1,
                        },
                    },
                ],
            },
        ],
        "raw": "Chỉ thị …",
    }


def changed(**paths):
    """A good document with ``paths`` ("items.0.agencies.0.role") set to their values."""

    def make():
        document = good()
        for path, value in paths.items():
            *parents, last = path.split("__")
            node = document
            for key in parents:
                node = node[int(key)] if key.isdigit() else node[key]
            node[int(last) if last.isdigit() else last] = value
        return document

    return make


def nothing_created():
    assert not Directive.objects.exists()
    assert not DirectiveItem.objects.exists()
    assert not Assignment.objects.exists()
    assert not RecurringObligation.objects.exists()


@pytest.fixture
def reviewer(reference_tree, user_with_role):
    return user_with_role(
        Role.REVIEWER, reference_tree["QT-VPUBND"], date(2022, 1, 1), username="reviewer"
    )


def test_a_good_document_is_confirmed(reviewer):
    directive = breakdown_confirm(actor=reviewer, document=good())
    duties = Assignment.objects.filter(item__directive=directive, obligation__isnull=True)
    assert sorted(duties.values_list("item__number", "agency__code", "role")) == [
        ("1", "QT-SNV", "lead"),
        ("1", "QT-STC", "coordinating"),
        ("2", "QT-VPUBND", "lead"),
    ]
    assert sorted(
        RecurringObligation.objects.filter(item__directive=directive).values_list(
            "agency__code", "period"
        )
    ) == [("QT-SNV", "half_yearly"), ("QT-VPUBND", "yearly")]


SHAPES = {
    "a list": lambda: [good()],
    "a string": lambda: "document",
    "a number": lambda: 42,
    "nothing": lambda: None,
    "directive a string": changed(directive="Chỉ thị 01"),
    "title a number": changed(directive__title=5),
    "date a list": changed(directive__date=["2022", "08", "01"]),
    "date not a date": changed(directive__date="01/08/2022"),
    "items a string": changed(items="1. Sở Nội vụ"),
    "items of numbers": changed(items=[1, 2]),
    "number a list": changed(items__0__number=["1"]),
    "text an object": changed(items__0__text={"vi": "x"}),
    "agencies a string": changed(items__0__agencies="Sở Nội vụ"),
    "agency a string": changed(items__0__agencies__0="QT-SNV"),
    "matched a list": changed(items__0__agencies__0__matched=["QT-SNV"]),
    "span a string": changed(items__0__agencies__0__span="0-9"),
    "span reversed": changed(items__0__agencies__0__span=[9, 0]),
    "deadline a string": changed(items__0__deadline="2022-12-30"),
    "deadline date a number": changed(items__0__deadline__date=20221230),
    "periods a string": changed(items__0__recurrence__periods="half_yearly"),
    "groups an object": changed(items__1__groups={"to": ["QT-VPUBND"]}),
    "to a string": changed(items__1__groups__0__to="QT-VPUBND"),
    "days a string": changed(items__1__groups__0__due__days="10"),
    "report day a string": changed(items__1__groups__1__recurrence__report_day="15"),
    "indicators a string": changed(items__0__indicators="5%"),
}


@pytest.mark.parametrize("make", SHAPES.values(), ids=SHAPES.keys())
def test_a_document_of_the_wrong_shape_is_refused(reviewer, make):
    with pytest.raises(InvalidInput) as caught:
        breakdown_confirm(actor=reviewer, document=make())
    assert caught.value.code == "invalid_document"
    assert caught.value.details and all(caught.value.details.values())
    nothing_created()


def test_a_text_longer_than_the_cap_is_refused(reviewer):
    document = good()
    document["raw"] = "x" * (MAX_TEXT_CHARS + 1)
    with pytest.raises(InvalidInput) as caught:
        breakdown_confirm(actor=reviewer, document=document)
    assert list(caught.value.details) == ["raw"]
    nothing_created()


RULES = {
    "unknown role": (changed(items__0__agencies__0__role="boss"), "items.0.agencies.0.role"),
    "unknown modality": (
        changed(items__0__agencies__1__modality="please"),
        "items.0.agencies.1.modality",
    ),
    "unknown group of agencies": (
        changed(items__0__agencies__1__collective="everyone"),
        "items.0.agencies.1.collective",
    ),
    "unknown recurrence": (
        changed(items__0__recurrence__periods=["weekly"]),
        "items.0.recurrence.periods",
    ),
    "unknown deadline policy": (
        changed(items__0__deadline__policy="soon"),
        "items.0.deadline.policy",
    ),
    "deadline 9999-12-31": (
        changed(items__0__deadline__date="9999-12-31"),
        "items.0.deadline.date",
    ),
    "deadline past the horizon": (
        changed(items__0__deadline__date="2038-01-01"),
        "items.0.deadline.date",
    ),
    "group modality": (changed(items__1__groups__0__modality="x"), "items.1.groups.0.modality"),
    "group without policy": (
        changed(items__1__groups__0__due={"date": "2022-12-30"}),
        "items.1.groups.0.due.policy",
    ),
    "group fixed without date": (
        changed(items__1__groups__0__due={"policy": "fixed"}),
        "items.1.groups.0.due.date",
    ),
    "a billion working days": (
        changed(items__1__groups__0__due__days=10**9),
        "items.1.groups.0.due.days",
    ),
    "no working days": (changed(items__1__groups__0__due__days=0), "items.1.groups.0.due.days"),
    "group deadline 9999": (
        changed(items__1__groups__0__due={"policy": "fixed", "date": "9999-12-31"}),
        "items.1.groups.0.due.date",
    ),
    "unknown period": (
        changed(items__1__groups__1__recurrence__period="weekly"),
        "items.1.groups.1.recurrence.period",
    ),
    "no period": (
        changed(items__1__groups__1__recurrence__period=None),
        "items.1.groups.1.recurrence.period",
    ),
    "no start": (
        changed(items__1__groups__1__recurrence__starts_on=None),
        "items.1.groups.1.recurrence.starts_on",
    ),
    "start in 1900": (
        changed(items__1__groups__1__recurrence__starts_on="1900-01-01"),
        "items.1.groups.1.recurrence.starts_on",
    ),
    "end in 9999": (
        changed(items__1__groups__1__recurrence__ends_on="9999-12-31"),
        "items.1.groups.1.recurrence.ends_on",
    ),
    "end before start": (
        changed(items__1__groups__1__recurrence__ends_on="2021-12-31"),
        "items.1.groups.1.recurrence.ends_on",
    ),
    "report day 0": (
        changed(items__1__groups__1__recurrence__report_day=0),
        "items.1.groups.1.recurrence.report_day",
    ),
    "month offset 1000": (
        changed(items__1__groups__1__recurrence__month_offset=1000),
        "items.1.groups.1.recurrence.month_offset",
    ),
}


@pytest.mark.parametrize(("make", "path"), RULES.values(), ids=RULES.keys())
def test_a_document_breaking_the_rules_is_refused_field_by_field(reviewer, make, path):
    with pytest.raises(InvalidInput) as caught:
        breakdown_confirm(actor=reviewer, document=make())
    assert caught.value.code == "invalid_breakdown"
    assert list(caught.value.details) == [path]
    nothing_created()


def test_each_problem_says_where_it_is_in_vietnamese(reviewer):
    document = changed(items__0__agencies__0__role="boss", items__0__deadline__date="9999-12-31")()
    with translation.override("vi"), pytest.raises(InvalidInput) as caught:
        breakdown_confirm(actor=reviewer, document=document)
    details = caught.value.details
    assert set(details) == {"items.0.agencies.0.role", "items.0.deadline.date"}
    role = details["items.0.agencies.0.role"][0]
    assert "nội dung 1" in role and "Sở Nội vụ" in role and "boss" in role
    deadline = details["items.0.deadline.date"][0]
    assert "31/12/9999" in deadline and "31/12/2037" in deadline
    assert "nội dung 1" in str(caught.value.message)
    nothing_created()


def test_the_horizon_is_fifteen_years_after_the_directive(reviewer):
    assert latest_deadline(date(2022, 8, 1)) == date(2037, 12, 31)
    assert latest_deadline(date(9999, 1, 1)) == date(9999, 12, 31)
    document = changed(items__0__deadline__date="2037-12-31")()
    directive = breakdown_confirm(actor=reviewer, document=document)
    due = Assignment.objects.filter(
        item__directive=directive, item__number="1", obligation__isnull=True
    ).values_list("due_date", flat=True)
    assert {d.year for d in due} <= {2037, 2038}  # moved off a day off at most


# -- the API and the page ------------------------------------------------------------------

API_CASES = {
    "a JSON array body": [good()],
    "a string document": {"document": "x"},
    "a list document": {"document": [1, 2]},
    "items of numbers": {"document": changed(items=[1, 2])()},
    "unknown role": {"document": changed(items__0__agencies__0__role="boss")()},
    "unknown recurrence": {"document": changed(items__0__recurrence__periods=["weekly"])()},
    "deadline 9999-12-31": {"document": changed(items__0__deadline__date="9999-12-31")()},
}


@pytest.mark.parametrize("body", API_CASES.values(), ids=API_CASES.keys())
def test_the_api_refuses_with_the_error_shape(client, reviewer, body):
    client.force_login(reviewer)
    with translation.override("vi"):
        response = client.post(API, body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()
    assert set(error) == {"code", "message", "errors"}
    assert error["code"] in ("invalid_document", "invalid_breakdown")
    assert error["message"] and all(isinstance(m, list) for m in error["errors"].values())
    nothing_created()


def test_the_api_confirms_a_good_document(client, reviewer):
    client.force_login(reviewer)
    response = client.post(API, {"document": good()}, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Directive.objects.count() == 1


PAGE_CASES = {
    "an array": ("[1, 2]", "JSON"),
    "a string": ('"x"', "JSON"),
    "items of numbers": (json.dumps(changed(items=[1, 2])()), "nội dung"),
    "unknown role": (json.dumps(changed(items__0__agencies__0__role="boss")()), "boss"),
    "unknown recurrence": (
        json.dumps(changed(items__0__recurrence__periods=["weekly"])()),
        "weekly",
    ),
    "deadline 9999-12-31": (
        json.dumps(changed(items__0__deadline__date="9999-12-31")()),
        "31/12/9999",
    ),
}


@pytest.mark.parametrize(("posted", "shown"), PAGE_CASES.values(), ids=PAGE_CASES.keys())
def test_the_page_refuses_with_a_vietnamese_form_error(client, reviewer, posted, shown):
    client.force_login(reviewer)
    response = client.post(URL, {"document": posted})
    assert response.status_code == 400
    html = response.content.decode()
    assert shown in html
    assert "bảng phân công" in html.lower()
    nothing_created()


def test_the_page_lists_every_problem(client, reviewer):
    document = copy.deepcopy(good())
    document["items"][0]["agencies"][0]["role"] = "boss"
    document["items"][0]["agencies"][1]["modality"] = "please"
    document["items"][1]["groups"][0]["due"]["days"] = 10**9
    client.force_login(reviewer)
    response = client.post(URL, {"document": json.dumps(document)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "boss" in html and "please" in html and "nội dung 2, nhiệm vụ 1" in html
    nothing_created()
