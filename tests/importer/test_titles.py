"""The titles the importer gives assignments: an item's first sentence, never cut mid-word."""

import pytest

from core.text import nfc
from importer.confirm import _title, breakdown_confirm
from workflow.models import Assignment

LONG = (
    "Thực hiện cắt giảm thời gian giải quyết thủ tục hành chính, đơn giản hóa thủ tục đang gây "
    "khó khăn cho phát triển sản xuất, kinh doanh, nâng cao chất lượng cung cấp dịch vụ công "
    "trực tuyến toàn trình, tăng cường tiếp nhận, giải quyết, trả kết quả hồ sơ trên môi trường "
    "điện tử, thanh toán trực tuyến, số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"
)


def test_a_short_first_sentence_is_the_title():
    assert _title("Đẩy mạnh chuyển đổi số ở cơ sở. Báo cáo hằng quý.") == (
        "Đẩy mạnh chuyển đổi số ở cơ sở"
    )


def test_a_long_first_sentence_ends_with_an_ellipsis_at_a_word():
    title = _title(LONG)
    assert len(LONG) > 250
    assert len(title) <= 250
    assert title.endswith("…")
    head = title.removesuffix("…")
    assert LONG.startswith(head)
    assert LONG[len(head)] in " ,"  # the next character ends a word


@pytest.mark.slow
def test_no_title_of_the_reference_directive_is_cut_mid_word(reference_doc, reviewer):
    directive = breakdown_confirm(actor=reviewer, document=reference_doc)
    titles = Assignment.objects.filter(item__directive=directive).select_related("item")
    assert titles.exists()
    for assignment in titles:
        text, title = nfc(assignment.item.text), assignment.title
        head = title.removesuffix("…")
        assert text.startswith(head), title
        if title.endswith("…") or len(head) < len(text):
            assert text[len(head)] in " ,.;:", title
