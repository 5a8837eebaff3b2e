import copy

import pytest

from agencies.selectors import collective_members
from core.exceptions import DomainError, Forbidden, InvalidInput
from importer.confirm import breakdown_confirm
from workflow.choices import DirectiveStatus, Modality
from workflow.models import Assignment, Directive, DirectiveItem, RecurringObligation

from .conftest import item

pytestmark = pytest.mark.slow


def test_confirm_creates_the_reference_directive(reference_doc, reviewer):
    directive = breakdown_confirm(actor=reviewer, document=reference_doc)
    assert directive.status == DirectiveStatus.PUBLISHED
    assert directive.issuer.code == "QT-UBND"
    assert directive.full_text.startswith("\t\t\nChỉ thị")  # the raw text, kept for audit
    assert list(directive.items.order_by("order").values_list("number", flat=True)) == [
        str(n) for n in range(1, 16)
    ]
    on = directive.issued_on
    everyone = sum(
        collective_members(collective=c, on=on).count()
        for c in ("departments", "districts", "communes")
    )
    one = Assignment.objects.filter(item__directive=directive, item__number="1")
    assert one.count() == everyone
    twelve = Assignment.objects.filter(item__directive=directive, item__number="12")
    assert sorted(twelve.values_list("agency__code", flat=True)) == sorted(
        ["QT-SNV", "QT-SKHCN", "QT-SKHDT", "QT-STC", "QT-STP", "QT-STTTT", "QT-VPUBND"]
    )
    assert {a.due_date.isoformat() for a in twelve} == {"2025-12-31"}
    thirteen = Assignment.objects.filter(item__directive=directive, item__number="13")
    requests = set(
        thirteen.filter(modality=Modality.REQUEST).values_list("agency__code", flat=True)
    )
    assert requests == {"QT-CA", "QT-CTHUE", "QT-QLTT", "QT-BHXH", "QT-KBNN"}
    fifteen = RecurringObligation.objects.filter(item__directive=directive, item__number="15")
    assert sorted(fifteen.values_list("agency__code", "period")) == [
        ("QT-SNV", "half_yearly"),
        ("QT-SNV", "yearly"),
        ("QT-VPUBND", "half_yearly"),
        ("QT-VPUBND", "yearly"),
    ]
    # The monitoring duty itself is assigned too, continuous, beside its recurring reports.
    duty = Assignment.objects.filter(
        item__directive=directive, item__number="15", obligation__isnull=True
    )
    assert sorted(duty.values_list("agency__code", flat=True)) == ["QT-SNV", "QT-VPUBND"]
    assert {a.due_date for a in duty} == {None}


def _nothing_created():
    assert not Directive.objects.exists()
    assert not DirectiveItem.objects.exists()
    assert not Assignment.objects.exists()


def test_refuses_an_agency_that_does_not_exist_on_the_date(reference_doc, reviewer):
    document = copy.deepcopy(reference_doc)
    item(document, "12")["agencies"][0]["matched"] = "QT-SNNMT"  # exists from 2025-03-01
    with pytest.raises(InvalidInput) as caught:
        breakdown_confirm(actor=reviewer, document=document)
    assert caught.value.code == "agency_not_valid"
    assert "QT-SNNMT" in str(caught.value.message)
    _nothing_created()


def test_a_late_failure_rolls_everything_back(reference_doc, reviewer):
    document = copy.deepcopy(reference_doc)
    entries = item(document, "15")["agencies"]
    entries.append({**entries[0], "matched": "QT-STC", "role": "coordinating"})
    item(document, "15")["recurrence"] = None  # two leads + a coordinator: the service refuses
    with pytest.raises(InvalidInput) as caught:
        breakdown_confirm(actor=reviewer, document=document)
    assert caught.value.code == "one_lead"
    _nothing_created()


def test_refuses_unmatched_mentions_when_asked(reference_doc, reviewer):
    with pytest.raises(InvalidInput) as caught:
        breakdown_confirm(actor=reviewer, document=reference_doc, skip_unmatched=False)
    assert "Chi cục thuế cấp huyện" in str(caught.value.message)
    _nothing_created()


def test_refuses_a_document_without_issuer(reference_doc, reviewer):
    document = copy.deepcopy(reference_doc)
    document["directive"]["issuer"] = None
    with pytest.raises(InvalidInput) as caught:
        breakdown_confirm(actor=reviewer, document=document)
    assert caught.value.code == "no_issuer"


def test_only_reviewers_confirm(reference_doc, reviewer, django_user_model):
    user = django_user_model.objects.create_user(username="someone", password="pw-Secret-1")
    with pytest.raises(DomainError) as caught:
        breakdown_confirm(actor=user, document=reference_doc)
    assert isinstance(caught.value, Forbidden)
    _nothing_created()


def test_an_item_s_reviewed_title_output_and_focal_agency_reach_its_assignments(
    reference_doc, reviewer
):
    doc = copy.deepcopy(reference_doc)
    fifteen = next(i for i in doc["items"] if i["number"] == "15")
    fifteen.update(
        title="Đôn đốc, kiểm tra thực hiện Chỉ thị",
        expected_output="Báo cáo 6 tháng và năm",
        focal_agency="QT-SNV",
    )
    directive = breakdown_confirm(actor=reviewer, document=doc)
    item = directive.items.get(number="15")
    assert (item.focal_agency.code, item.expected_output) == ("QT-SNV", "Báo cáo 6 tháng và năm")
    work = Assignment.objects.filter(item=item, obligation__isnull=True)
    assert {(a.title, a.expected_output) for a in work} == {
        ("Đôn đốc, kiểm tra thực hiện Chỉ thị", "Báo cáo 6 tháng và năm")
    }
    reports = RecurringObligation.objects.filter(item=item)
    assert {(o.title, o.expected_output) for o in reports} == {
        ("Đôn đốc, kiểm tra thực hiện Chỉ thị", "Báo cáo 6 tháng và năm")
    }


def test_refuses_a_focal_agency_that_does_not_exist_on_the_date(reference_doc, reviewer):
    doc = copy.deepcopy(reference_doc)
    doc["items"][0]["focal_agency"] = "QT-NOPE"
    with pytest.raises(DomainError):
        breakdown_confirm(actor=reviewer, document=doc)
    _nothing_created()
