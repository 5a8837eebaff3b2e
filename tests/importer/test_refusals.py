"""Text the parser cannot use is refused with a stable code and a message (no agencies needed;
apart from test_parse.py, whose tests share one loaded reference tree)."""

from datetime import date

import pytest
from django.utils import translation

from core.exceptions import InvalidInput
from importer.parse import parse_text


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("   \n\t \n", "empty"),
        ("Chỉ thị về việc tăng cường công tác cải cách hành chính của tỉnh trong năm.", "no_items"),
        (
            "1. The Department of Home Affairs shall report every six months.\n"
            "2. The Provincial Office shall monitor the implementation of this directive.",
            "not_vietnamese",
        ),
    ],
)
def test_refuses_unusable_text(db, raw, code):
    with translation.override("vi"), pytest.raises(InvalidInput) as caught:
        parse_text(raw, on=date(2022, 8, 1))
    assert caught.value.code == code
    assert str(caught.value.message)


def test_a_date_is_needed(db):
    with pytest.raises(InvalidInput) as caught:
        parse_text("1. Sở Nội vụ chủ trì tổng hợp báo cáo.")
    assert caught.value.code == "no_date"
