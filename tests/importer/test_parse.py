import json
import unicodedata
from datetime import date

import pytest

from bench.importer import evaluate, parse_labelled
from core.choices import CalendarDayKind
from core.exceptions import InvalidInput
from core.models import CalendarOverride
from importer.match import fuzzy_best
from importer.normalise import normalise, read_upload
from importer.parse import parse_text

from .conftest import HERE, REFERENCE_TEXT, item, labels, text, who

ORDER, REQUEST = "order", "request"


def test_reference_has_fifteen_items_preamble_and_closing(reference_doc):
    assert [i["number"] for i in reference_doc["items"]] == [str(n) for n in range(1, 16)]
    assert reference_doc["preamble"].endswith("một số nhiệm vụ sau:")
    assert reference_doc["closing"].startswith("Giám đốc các sở, thủ trưởng các ban, ngành;")
    assert "Giám đốc các sở" not in item(reference_doc, "15")["text"]
    head = reference_doc["directive"]
    assert head["kind"] == "chi_thi"
    assert head["issuer"] == "QT-UBND"
    assert head["date"] == "2022-08-01"
    assert head["title"].startswith("Về nâng cao Chỉ số cải cách hành chính")
    json.dumps(reference_doc, ensure_ascii=False)  # plain data


def test_item_four_keeps_its_unnumbered_paragraph(reference_doc):
    four = item(reference_doc, "4")
    assert "Xây dựng quy chế phối hợp giữa UBND cấp huyện" in four["text"]
    assert four["text"].endswith("theo quy định.")
    assert {"min": 20, "max": 25, "unit": "%"} in [i["target"] for i in four["indicators"]]
    unmatched = [
        e["text"] for e in four["agencies"] if e["matched"] is None and "collective" not in e
    ]
    assert unmatched == ["Chi cục thuế cấp huyện", "Chi nhánh Văn phòng đăng ký đất đai cấp huyện"]


def test_item_twelve_names_seven_agencies(reference_doc):
    twelve = item(reference_doc, "12")
    assert who(twelve["agencies"]) == [
        "QT-SNV",
        "QT-SKHCN",
        "QT-SKHDT",
        "QT-STC",
        "QT-STP",
        "QT-STTTT",
        "QT-VPUBND",
    ]
    assert {(e["role"], e["modality"]) for e in twelve["agencies"]} == {("lead", ORDER)}
    first = twelve["agencies"][0]
    assert twelve["text"][slice(*first["span"])] == "Sở Nội vụ"
    assert first["confidence"] == 1.0


def test_item_thirteen_requests_five_central_agencies(reference_doc):
    entries = item(reference_doc, "13")["agencies"]
    central = [e for e in entries if e["matched"]]
    assert who(central) == ["QT-CA", "QT-CTHUE", "QT-QLTT", "QT-BHXH", "QT-KBNN"]
    assert {e["modality"] for e in central} == {REQUEST}
    groups = [(e["collective"], e["modality"]) for e in entries if e.get("collective")]
    assert groups == [("districts", ORDER), ("communes", ORDER)]


def test_item_fourteen_reads_the_mttqn_typo_as_a_request(reference_doc):
    entries = item(reference_doc, "14")["agencies"]
    assert entries[0]["text"] == "Ủy ban MTTQN tỉnh"
    assert entries[0]["matched"] == "QT-MTTQ"
    assert {e["modality"] for e in entries} == {REQUEST}
    assert who(entries) == ["QT-MTTQ", "mass_orgs"]


def test_item_fifteen_home_affairs_office_and_reports(reference_doc):
    fifteen = item(reference_doc, "15")
    assert who(fifteen["agencies"]) == ["QT-SNV", "QT-VPUBND"]
    assert fifteen["recurrence"]["periods"] == ["half_yearly", "yearly"]
    assert fifteen["recurrence"]["text"] == "báo cáo 6 tháng và báo cáo năm"


def test_items_naming_nobody_go_to_the_opening_addressees(reference_doc):
    for number in ("1", "5", "9", "10", "11"):
        entries = item(reference_doc, number)["agencies"]
        assert [e["collective"] for e in entries] == ["departments", "districts", "communes"]
        assert all(e["inherited"] == "opening" and e["span"] is None for e in entries)


def test_typo_year_2002_is_not_a_target(reference_doc):
    three = item(reference_doc, "3")
    assert three["deadline"]["date"] == "2025-12-31"
    assert {"code": "year_before_directive", "item": "3", "text": "năm 2002"} in reference_doc[
        "warnings"
    ]
    targets = [i["target"] for i in three["indicators"]]
    assert {"min": 5, "max": 10, "unit": "bậc"} in targets
    assert {"top": 20, "unit": "rank", "year": 2025} in targets
    assert item(reference_doc, "2")["deadline"]["policy"] == "continuous"
    assert item(reference_doc, "6")["deadline"] is None  # "chi thường xuyên" is spending


def test_nfc_and_nfd_give_the_same_document(reference_tree):
    nfd = text("quang-tri-2025-nfd.txt")
    assert nfd != unicodedata.normalize("NFC", nfd)
    a = parse_text(nfd)
    b = parse_text(unicodedata.normalize("NFC", nfd))
    a.pop("raw"), b.pop("raw")
    assert a == b
    assert a["directive"]["issuer"] == "QT25-UBND"
    two = item(a, "2")["agencies"]
    assert [(e["matched"], e["role"]) for e in two] == [
        ("QT-SNNMT", "lead"),
        ("QT-SXD", "lead"),
        (None, "coordinating"),
    ]
    assert two[2]["text"] == "Sở Xây dựng tỉnh Hà Tĩnh"


def test_reference_in_nfd_with_tabs_and_crlf(reference_tree):
    raw = REFERENCE_TEXT.read_text(encoding="utf-8")
    mangled = unicodedata.normalize("NFD", raw).replace("\n", "\r\n")
    a = parse_text(raw, on=date(2022, 8, 1))
    b = parse_text(mangled, on=date(2022, 8, 1))
    assert [(i["number"], who(i["agencies"])) for i in a["items"]] == [
        (i["number"], who(i["agencies"])) for i in b["items"]
    ]


def test_other_province_lettered_items(reference_tree):
    doc = parse_text(text("dak-lak-2025-lettered.txt"))
    numbers = [i["number"] for i in doc["items"]]
    assert numbers == ["1", "2", "2.a", "2.b", "2.b2", "2.c", "2.d", "2.e", "2.g", "3"]
    assert doc["directive"]["issuer"] is None
    assert doc["directive"]["number"] == "12/CT-UBND"
    assert doc["directive"]["date"] == "2025-03-10"
    assert item(doc, "2")["agencies"] == []
    a = item(doc, "2.a")
    assert [e["text"] for e in a["agencies"]] == [
        "Sở Thông tin và Truyền thông",
        "Sở Khoa học và Công nghệ",  # across a hard line-wrap
    ]
    assert all(e["matched"] is None for i in doc["items"] for e in i["agencies"])
    assert a["deadline"] == {
        "policy": "fixed",
        "date": "2025-04-14",
        "text": "trước ngày 15/4/2025",
        "span": a["deadline"]["span"],
        "confidence": 0.95,
        "before": "2025-04-15",
    }
    assert any(w["code"] == "duplicate_letter" for w in doc["warnings"])


def test_fuzzy_matching_of_misspelt_names(reference_tree):
    doc = parse_text(text("quang-tri-2023.txt"))
    first = item(doc, "1")["agencies"][0]
    assert (first["text"], first["matched"], first.get("fuzzy")) == (
        "Sở Tài nguyên Môi trường",
        "QT-STNMT",
        True,
    )
    assert 0.8 < first["confidence"] < 1
    assert "Các cơ sở giáo dục" in item(doc, "3")["text"]


def test_deadlines_count_the_offices_own_days_off(reference_tree):
    # "trước ngày 30/6/2023" (a Friday) is due on the last working day before it: Thursday 29/6,
    # unless the office declared 29/6 a day off.
    assert item(parse_text(text("quang-tri-2023.txt")), "1")["deadline"]["date"] == "2023-06-29"
    CalendarOverride.objects.create(
        day=date(2023, 6, 29), kind=CalendarDayKind.DAY_OFF, reason="Nghỉ theo quyết định"
    )
    assert item(parse_text(text("quang-tri-2023.txt")), "1")["deadline"]["date"] == "2023-06-28"


def test_fuzzy_best():
    assert fuzzy_best("so tai chinh", {"so tai chinh tinh": "A", "so noi vu": "B"})[0] == (
        "so tai chinh tinh"
    )
    assert fuzzy_best("abc", {}) == (None, 0.0)


@pytest.mark.parametrize(
    "name", ["reference", "dak-lak-2025-lettered", "quang-tri-2023", "quang-tri-2025-nfd"]
)
def test_labels(reference_tree, name):
    gold = labels(name)
    counts = evaluate(gold, parse_labelled(gold))
    assert counts["items_tp"] == counts["items_gold"] == counts["items_got"]
    assert counts["ag_tp"] / counts["ag_gold"] >= 0.9
    assert counts["ag_tp"] / counts["ag_got"] >= 0.9
    assert counts["deadline_ok"] == counts["recurrence_ok"] == counts["compared"]
    assert counts["ind_tp"] == counts["ind_gold"]


def docx_bytes(paragraphs):
    import io

    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_uploads():
    with pytest.raises(InvalidInput) as caught:
        read_upload("chi-thi.docx", b"PK\x03\x04 a binary renamed .docx")
    assert caught.value.code == "not_docx"
    with pytest.raises(InvalidInput) as caught:
        read_upload("huge.txt", b"1" * (20 * 1024 * 1024))
    assert caught.value.code == "file_too_big"
    with pytest.raises(InvalidInput) as caught:
        read_upload("chi-thi.pdf", b"%PDF-1.4")
    assert caught.value.code == "unsupported_file"
    assert read_upload("chi-thi.docx", docx_bytes(["CHỈ THỊ", "1. Sở Nội vụ chủ trì."])) == (
        "CHỈ THỊ\n1. Sở Nội vụ chủ trì."
    )
    assert read_upload("a.txt", "\ufeff1. Sở".encode()) == "1. Sở"
    with pytest.raises(InvalidInput):
        read_upload("a.txt", b"\xff\xfe\x00\x80\x81")


def test_normalise():
    assert normalise("a\u00a0 b\t\tc\n \n\n \nd") == "a b c\n\nd"
    assert normalise("Giao Sở\nKhoa học và Công nghệ chủ trì.") == (
        "Giao Sở Khoa học và Công nghệ chủ trì."
    )
    assert normalise("\t4. Một.\n \tHai.") == "4. Một.\nHai."
    assert (HERE / "texts").is_dir()
