"""The directive's metadata: kind, number, date of issue, title and issuing province."""

import re
from datetime import date

from agencies.choices import AgencyKind
from core.text import shorten

from .lexicon import fold_chars

_KINDS = (
    ("chi thi", "chi_thi"),
    ("ke hoach", "ke_hoach"),
    ("ket luan", "ket_luan"),
    ("thong bao", "thong_bao"),
    ("quyet dinh", "quyet_dinh"),
)
_DATE_WORDS = re.compile(r",\s*ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_DATE_SLASH = re.compile(r",\s*ngay\s+(\d{1,2})/(\d{1,2})/(\d{4})")
_NUMBER = re.compile(r"\bso\s*:\s*(\d[^\s,;]*)")
_PROVINCE_UBND = re.compile(r"(?:uy ban nhan dan|ubnd)(?: \| | )tinh ")


def safe_date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def read_header(preamble: str) -> dict:
    folded = fold_chars(preamble)
    head: dict = {"kind": "chi_thi", "number": "", "date": None, "title": "", "evidence": {}}
    ev = head["evidence"]
    first_lines = [line for line in preamble.split("\n") if line.strip()][:8]
    ev["kind"] = {"span": None, "confidence": 0.3}
    for word, kind in _KINDS:
        at = folded.find(word)
        if at != -1 and at < 400:
            head["kind"] = kind
            ev["kind"] = {"span": [at, at + len(word)], "confidence": 0.9}
            break
    found = _NUMBER.search(folded)
    if found:
        head["number"] = preamble[found.start(1) : found.end(1)]
        ev["number"] = {"span": [found.start(1), found.end(1)], "confidence": 0.9}
    for pattern in (_DATE_WORDS, _DATE_SLASH):
        found = pattern.search(folded)
        if found:
            day = safe_date(found.group(3), found.group(2), found.group(1))
            if day:
                head["date"] = day
                ev["date"] = {"span": [found.start(), found.end()], "confidence": 0.9}
                break
    for line in first_lines:
        f = fold_chars(line)
        if f.startswith(("ve ", "v/v ")):
            head["title"] = line
            break
        at = f.find(" ve ")
        if at != -1 and any(f.startswith(w) for w, _k in _KINDS):
            head["title"] = line[at + 1].upper() + line[at + 2 :]
            break
    if not head["title"] and first_lines:
        head["title"] = first_lines[0]
    head["title"] = shorten(head["title"], 500)
    start = preamble.find(head["title"][1:40]) - 1 if head["title"] else -1
    ev["title"] = {
        "span": [start, start + len(head["title"])] if start >= 0 else None,
        "confidence": 0.8 if head["title"] else 0.0,
    }
    return head


def _explicit_province(preamble: str) -> str | None:
    """The province named in "UBND tỉnh X" / "ỦY BAN NHÂN DÂN | TỈNH X" of the header, if any."""
    joined = " | ".join(line for line in preamble.split("\n")[:12])
    folded = fold_chars(joined)
    for found in _PROVINCE_UBND.finditer(folded):
        words = []
        # The name is at most four words: read a window, not the rest of the text (a header
        # repeating "UBND tỉnh" thousands of times would split the text as many times).
        for word in joined[found.end() : found.end() + 200].split(" ")[:5]:
            clean = word.strip(",.;:()")
            if not clean or clean == "|" or not clean[0].isupper():
                break
            words.append(clean)
            if clean != word or len(words) == 4:
                break
        if words:
            return " ".join(words)
    return None


def find_issuer(preamble: str, on: date) -> tuple[str | None, float]:
    from agencies.models import AgencyVersion, valid_on_q
    from agencies.selectors import agency_match

    def provinces(text):
        return list(
            agency_match(text=text, on=on)
            .filter(
                pk__in=AgencyVersion.objects.filter(
                    valid_on_q(on), kind=AgencyKind.PROVINCE
                ).values("agency_id")
            )
            .values_list("code", flat=True)
        )

    named = _explicit_province(preamble)
    if named:
        words = named.split(" ")
        for n in range(len(words), 0, -1):
            codes = provinces("Ủy ban nhân dân tỉnh " + " ".join(words[:n]))
            if len(codes) == 1:
                return codes[0], 0.95
        return None, 0.0
    codes = provinces("UBND tỉnh")
    if len(codes) == 1:
        return codes[0], 0.7
    return None, 0.0
