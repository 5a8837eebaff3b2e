import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from core.text import fold, nfc


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
