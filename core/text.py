"""Text normalisation shared by every place that compares Vietnamese names."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-–—_.,;:()\"'/]+")


def nfc(text: str) -> str:
    """Compose to NFC and turn tabs and non-breaking spaces into plain single spaces."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join(text.replace("\u00a0", " ").split())


def fold(text: str) -> str:
    """A case- and diacritic-insensitive key: "Sở Nội vụ", "SO NOI VU" and "so  noi vu" agree.

    NFC and NFD input fold to the same key; đ/Đ fold to d; punctuation and runs of white
    space become one space. "&" is kept because it carries meaning in "KH&ĐT".
    """
    decomposed = unicodedata.normalize("NFD", nfc(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").casefold()
    return _SEPARATORS.sub(" ", stripped).strip()
