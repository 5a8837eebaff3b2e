import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from core.text import fold, nfc, search_key, shorten


def test_fold_ignores_case_diacritics_and_spacing():
    assert fold("Sở Nội vụ") == fold("SỞ NỘI VỤ") == fold("so  noi\tvu") == "so noi vu"
    assert fold("Đắk Lắk") == "dak lak"
    assert fold("Sở KH&ĐT") == "so kh&dt"
    assert fold("Sở Lao động - Thương binh và Xã hội") == "so lao dong thuong binh va xa hoi"


def test_nfc_composes_and_cleans_white_space():
    decomposed = unicodedata.normalize("NFD", "Quảng Trị")
    assert decomposed != "Quảng Trị"
    assert nfc(f"\t{decomposed}\u00a0 tỉnh ") == "Quảng Trị tỉnh"


@given(st.text())
def test_nfc_and_nfd_input_fold_alike(text):
    assert fold(unicodedata.normalize("NFC", text)) == fold(unicodedata.normalize("NFD", text))


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


def test_search_key_folds_each_part_and_leaves_out_a_part_another_contains():
    key = search_key("Cải cách hành chính", "Báo cáo quý", "Đẩy mạnh CẢI CÁCH HÀNH CHÍNH năm 2026.")
    assert key.split("\n") == ["day manh cai cach hanh chinh nam 2026", "bao cao quy"]
    assert "cai cach" in key
    assert search_key("", "  ") == ""


def test_no_search_matches_across_two_parts():
    key = search_key("Việc một", "cải cách")
    assert fold("một cải") not in key


def test_shorten_keeps_short_text_and_cuts_long_text_at_a_word():
    assert shorten("Cải cách hành chính", 60) == "Cải cách hành chính"
    assert shorten("Cải cách hành chính năm 2026", 17) == "Cải cách hành…"
    assert shorten("Cải cách, hành chính", 12) == "Cải cách…"
    assert shorten("Chính  quyền\nsố", 40) == "Chính quyền số"
    # A single word longer than the room is the only thing ever cut inside.
    assert shorten("Siêudàikhôngcókhoảngtrắng", 10) == "Siêudàikh…"


@given(st.text(alphabet=st.sampled_from("ab cđ ,."), max_size=80), st.integers(2, 60))
def test_shorten_never_ends_mid_word(text, width):
    short = shorten(text, width)
    assert len(short) <= width
    if short != nfc(text) and " " in nfc(text)[: width - 1]:
        head = short.removesuffix("…")
        assert nfc(text).startswith(head)
        following = nfc(text)[len(head)]
        assert following in " ,."


def test_the_shorten_filter_in_a_template():
    from django.template import Context, Template

    html = Template("{% load text %}{{ t|shorten:17 }}").render(
        Context({"t": "Cải cách <hành> chính năm 2026"})
    )
    assert html == "Cải cách &lt;hành&gt;…"


@given(
    st.text(alphabet=st.sampled_from("ab cđ ,.\u0301\u0323\n"), max_size=400), st.integers(1, 60)
)
def test_shorten_of_a_long_text_is_that_of_its_normal_form(text, width):
    assert shorten(text, width) == shorten(nfc(text), width)
