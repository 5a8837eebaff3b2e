"""A reviewer's corrections as data (``importer.review``): applied to a copy of the proposal,
recorded beside it field by field, and refused whole when they name an item or a field the
proposal does not have."""

import pytest

from core.exceptions import InvalidInput
from importer.review import review_apply


def proposal() -> dict:
    return {
        "directive": {"title": "Chỉ thị", "issuer": "QT-UBND", "date": "2022-08-01"},
        "items": [
            {
                "number": "15",
                "text": "Giao Sở Nội vụ, Văn phòng UBND tỉnh chịu trách nhiệm đôn đốc…",
                "agencies": [
                    {"text": "Sở Nội vụ", "matched": "QT-SNV", "role": "lead", "modality": "order"},
                    {"text": "Văn phòng UBND tỉnh", "matched": "QT-VPUBND", "role": "lead"},
                ],
                "deadline": {"policy": "fixed", "date": "2025-12-31"},
                "recurrence": {"periods": ["half_yearly", "yearly"]},
            },
            {"number": "1", "text": "Quán triệt…", "agencies": []},
        ],
    }


def test_the_corrections_apply_to_a_copy_and_the_record_holds_what_changed():
    original = proposal()
    review = {
        "items": {
            "15": {
                "reason": "Một cơ quan chủ trì.",
                "title": "Đôn đốc thực hiện Chỉ thị",
                "agencies": [
                    {"matched": "QT-SNV", "role": "lead"},
                    {"matched": "QT-VPUBND", "role": "coordinating"},
                ],
                "periods": ["half_yearly"],
                "deadline": None,
            },
            "1": {"expected_output": "Số hội nghị quán triệt", "agencies": []},
        }
    }
    document, record = review_apply(original, review)
    assert original == proposal()  # the proposal itself is kept as it was read
    [item15, item1] = document["items"]
    assert item15["title"] == "Đôn đốc thực hiện Chỉ thị"
    assert [(a["matched"], a["role"], a["text"]) for a in item15["agencies"]] == [
        ("QT-SNV", "lead", "Sở Nội vụ"),
        ("QT-VPUBND", "coordinating", "Văn phòng UBND tỉnh"),
    ]
    assert item15["recurrence"]["periods"] == ["half_yearly"]
    assert item15["deadline"] == {"policy": "continuous"}
    assert item1["expected_output"] == "Số hội nghị quán triệt"
    assert record["15"] == {
        "reason": "Một cơ quan chủ trì.",
        "title": {"proposed": "", "reviewed": "Đôn đốc thực hiện Chỉ thị"},
        "agencies": {
            "proposed": ["QT-SNV: lead", "QT-VPUBND: lead"],
            "reviewed": ["QT-SNV: lead", "QT-VPUBND: coordinating"],
        },
        "periods": {"proposed": ["half_yearly", "yearly"], "reviewed": ["half_yearly"]},
        "deadline": {"proposed": "2025-12-31", "reviewed": None},
    }
    # An unchanged field (item 1 names nobody, before and after) is not on the record.
    assert record["1"] == {
        "reason": "",
        "expected_output": {"proposed": "", "reviewed": "Số hội nghị quán triệt"},
    }


@pytest.mark.parametrize(
    "review, code",
    [
        ({"items": {"16": {"title": "Không có"}}}, "review_unknown_item"),
        ({"items": {"15": {"number": "16"}}}, "review_unknown_field"),
    ],
    ids=["an item the text does not have", "a field a review cannot change"],
)
def test_a_correction_the_proposal_cannot_take_is_refused(review, code):
    with pytest.raises(InvalidInput) as refused:
        review_apply(proposal(), review)
    assert refused.value.code == code
