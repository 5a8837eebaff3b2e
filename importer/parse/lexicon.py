"""The vocabulary the parsing stages share: folding that keeps offsets, and the language check."""

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


def fold_chars(text: str) -> str:
    """Lower-case, diacritic-free, SAME LENGTH as ``text``: offsets carry over."""
    return "".join(_fold_char(ch) for ch in text)


@lru_cache(maxsize=4096)
def _is_vietnamese_letter(ch: str) -> bool:
    return ch in "đĐ" or len(unicodedata.normalize("NFD", ch)) > 1


def looks_vietnamese(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 20:
        return bool(letters) and any(_is_vietnamese_letter(ch) for ch in letters)
    marked = sum(1 for ch in letters if _is_vietnamese_letter(ch))
    return marked / len(letters) >= 0.08
