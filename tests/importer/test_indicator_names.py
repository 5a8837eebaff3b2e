"""The names the importer gives the targets it reads: the clause a target stands in, cut only
between words (and at a clause's end where there is one), readable, at most 255 characters;
the clause's full words kept as the indicator's source text."""

import copy
import re
from datetime import date

import pytest

from importer.confirm import breakdown_confirm
from importer.parse.indicators import NAME_CHARS, SOURCE_CHARS, TargetWords, find_indicators
from importer.parse.lexicon import fold_chars
from workflow.models import Indicator

from .conftest import item

ON = date(2022, 8, 1)
ITEM_FOUR = "Thực hiện cắt giảm 20-25% thời gian giải quyết thủ tục hành chính (TTHC)"


def named(text: str) -> list[tuple[str, str]]:
    """(name, source) of each target read in ``text``."""
    words = TargetWords(text)
    return [
        (words.name(*t["span"]), words.source(*t["span"]))
        for t in find_indicators(text, fold_chars(text), ON)
    ]


def whole_words_of(name: str, text: str) -> bool:
    """Every word of ``name`` is a whole word of ``text`` (none cut short)."""
    words = {w.lower() for w in re.findall(r"\w+", text)}
    return all(w.lower() in words for w in re.findall(r"\w+", name))


def test_item_four_is_named_by_its_whole_clause(reference_doc):
    four = item(reference_doc, "4")
    (target,) = four["indicators"]
    # The words the target was read from stop inside "giải quyết"; the name does not.
    assert target["text"].endswith("thời gian giải")
    assert named(four["text"]) == [(ITEM_FOUR, ITEM_FOUR)]


def test_item_three_targets_are_named_by_their_clauses(reference_doc):
    (places, _), (top, _) = named(item(reference_doc, "3")["text"])
    assert places == (
        "Phấn đấu cải thiện, nâng cao Chi số PAS Index năm 2002 của tỉnh Quảng Trị từ 5 đến 10 bậc"
    )
    # A comma inside the target ("tỉnh, thành phố") does not end its clause.
    assert top.startswith("Cải thiện thứ hạng")
    assert top.endswith("thuộc nhóm 20 tỉnh, thành phố đứng đầu cả nước")


def test_every_reference_name_is_whole_words_and_fits(reference_doc):
    for entry in reference_doc["items"]:
        for name, source in named(entry["text"]):
            assert 0 < len(name) <= NAME_CHARS and 0 < len(source) <= SOURCE_CHARS
            assert whole_words_of(name, entry["text"]) and whole_words_of(source, entry["text"])


def test_a_long_clause_is_cut_between_words_around_its_target():
    lead = " ".join(["công tác cải cách hành chính"] * 20)  # 580 characters, no separator
    tail = " ".join(["trên môi trường điện tử"] * 20)
    text = f"Các sở {lead} phấn đấu đạt 80% hồ sơ trực tuyến {tail}."
    ((name, source),) = named(text)
    assert len(name) <= NAME_CHARS and len(source) <= SOURCE_CHARS
    assert "hành chính phấn đấu đạt 80% hồ sơ trực tuyến trên môi trường" in name
    assert name.startswith("…") and name.endswith("…")
    assert whole_words_of(name, text) and whole_words_of(source, text)
    assert len(source) > len(name)


def test_decimal_marks_do_not_cut_a_clause():
    text = "Tỷ lệ giải ngân đạt 2,5% kế hoạch vốn năm 1.000 tỷ đồng, còn lại."
    ((name, _source),) = named(text)
    assert name == "Tỷ lệ giải ngân đạt 2,5% kế hoạch vốn năm 1.000 tỷ đồng"


@pytest.mark.slow
def test_confirming_names_the_indicator_by_its_clause(reference_doc, reviewer):
    directive = breakdown_confirm(actor=reviewer, document=copy.deepcopy(reference_doc))
    four = Indicator.objects.get(item__directive=directive, item__number="4")
    assert four.name == four.source_text == ITEM_FOUR
    three = Indicator.objects.filter(item__directive=directive, item__number="3")
    assert all(len(i.name) <= NAME_CHARS and i.name[0].isupper() for i in three)


@pytest.mark.slow
def test_a_name_given_by_the_breakdown_wins_and_a_stale_span_falls_back(reference_doc, reviewer):
    document = copy.deepcopy(reference_doc)
    places, top = item(document, "3")["indicators"]
    places["name"] = "Chỉ số PAR Index tăng 5-10 bậc"
    top["span"] = [0, 3]  # no longer where its words are: the words themselves name it
    directive = breakdown_confirm(actor=reviewer, document=document)
    first, second = Indicator.objects.filter(item__directive=directive, item__number="3").order_by(
        "pk"
    )
    assert first.name == "Chỉ số PAR Index tăng 5-10 bậc"
    assert first.source_text.startswith("Phấn đấu cải thiện")
    assert second.name == second.source_text == top["text"]
