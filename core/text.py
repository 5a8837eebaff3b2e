"""Text normalisation shared by every place that compares Vietnamese names."""

import re
import unicodedata
from decimal import Decimal

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


def search_key(*parts: str) -> str:
    """The folded text a search looks in: each part folded, a part already contained in a longer
    one left out (a directive's number is often in its title), the parts joined by new lines.

    A folded query never holds a new line, so no match runs from one part into the next.
    """
    kept: list[str] = []
    for key in sorted({fold(part) for part in parts} - {""}, key=lambda k: (-len(k), k)):
        if not any(key in longer for longer in kept):
            kept.append(key)
    return "\n".join(kept)


_LOOSE_END = " ,;:.-–—(/"


def shorten(text: str, width: int, placeholder: str = "…") -> str:
    """``text`` on one line in at most ``width`` characters, cut at the end of a word and ended
    with ``placeholder``; a single word longer than the room is the only thing cut inside."""
    text = text or ""
    # Normalise only what can be shown (an item's text may run to pages): the cut only changes
    # the last character of the normalised prefix, far past the ``width`` looked at.
    prefix = nfc(text[: 4 * width]) if len(text) > 4 * width else ""
    text = prefix if len(prefix) > width + 1 else nfc(text)
    if len(text) <= width:
        return text
    room = max(width - len(placeholder), 0)
    head = text[:room]
    if text[room] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return (head.rstrip(_LOOSE_END) or head) + placeholder


def decimal_text(value) -> str:
    """A number's digits without trailing zeros, with a decimal point ("19.2", "100"), as
    files, forms and the audit keep it; "" for none."""
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)).normalize():f}"
