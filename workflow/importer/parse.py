"""Parsing a directive's text into a reviewable breakdown document (a plain, JSON-ready dict).

    {"directive": {"kind", "number", "date", "issuer", "title", "evidence"},
     "preamble": str, "closing": str,
     "items": [{"number", "parent", "text", "span", "agencies": [...], "deadline", "recurrence",
                "indicators": [...]}],
     "text": the normalised text, "raw": the text as given, "warnings": [...]}

Offsets: an item's ``span`` indexes ``text`` (the normalised text); the spans of its agencies,
deadline, recurrence and indicators index the item's own ``text``. Agencies inherited from a
parent item or from the opening addressees have ``span: null`` and say where they come from in
``inherited``. Every extracted value carries a ``confidence`` in [0, 1].
"""

import re
import unicodedata
from datetime import date, timedelta
from functools import lru_cache

from django.utils.translation import gettext as _

from agencies.choices import AgencyKind, Collective
from core.exceptions import InvalidInput
from core.text import fold

from .match import AgencyIndex
from .normalise import normalise

# --------------------------------------------------------------------------- folding, 1 char : 1


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


def fold_chars(text: str) -> str:
    """Lower-case, diacritic-free, SAME LENGTH as ``text``: offsets carry over."""
    return "".join(_fold_char(ch) for ch in text)


def _is_vietnamese_letter(ch: str) -> bool:
    return ch in "đĐ" or len(unicodedata.normalize("NFD", ch)) > 1


def _looks_vietnamese(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 20:
        return bool(letters) and any(_is_vietnamese_letter(ch) for ch in letters)
    marked = sum(1 for ch in letters if _is_vietnamese_letter(ch))
    return marked / len(letters) >= 0.08


# --------------------------------------------------------------------------- structure

_NUMBERED = re.compile(r"^(\d{1,2})\s?[.)/]\s*(?=\S)")
_LETTERED = re.compile(r"^([a-zđ])\s?\)\s*(?=\S)")
_CLOSING = re.compile(
    r"^(?:giam doc|thu truong|chu tich (?:ubnd|uy ban)|yeu cau|cac so, ban, nganh|noi nhan"
    r"|kt\.? chu tich|tm\.? uy ban|chi thi nay)"
)
_KINDS = (
    ("chi thi", "chi_thi"),
    ("ke hoach", "ke_hoach"),
    ("ket luan", "ket_luan"),
    ("thong bao", "thong_bao"),
    ("quyet dinh", "quyet_dinh"),
)


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def _split(text: str) -> tuple[list[dict], int, int, list[dict]]:
    """Items (with content spans), end of the preamble, start of the closing, warnings."""
    lines = _lines(text)
    markers = []  # (line index, number label, letter or None, content start)
    last, seen, warnings = 0, set(), []
    for i, (start, _end, line) in enumerate(lines):
        found = _NUMBERED.match(line)
        if found:
            n = int(found.group(1))
            if (last == 0 and n == 1) or (last and last <= n <= last + 2):
                label = str(n)
                if label in seen:
                    label = f"{n}-2"
                    warnings.append({"code": "duplicate_number", "item": label, "text": line[:40]})
                seen.add(label)
                last = n
                markers.append((i, label, None, start + found.end()))
                continue
        found = _LETTERED.match(line)
        if found and last:
            parent = [m for m in markers if m[2] is None][-1][1]
            label = f"{parent}.{found.group(1)}"
            if label in seen:
                label += "2"
                warnings.append({"code": "duplicate_letter", "item": label, "text": line[:40]})
            seen.add(label)
            markers.append((i, label, parent, start + found.end()))
    if not markers:
        return [], len(text), len(text), warnings
    closing_line = len(lines)
    for i in range(markers[-1][0] + 1, len(lines)):
        if _CLOSING.match(fold_chars(lines[i][2])):
            closing_line = i
            break
    items = []
    for k, (_i, label, parent, content_start) in enumerate(markers):
        last_line = (markers[k + 1][0] if k + 1 < len(markers) else closing_line) - 1
        end = lines[last_line][1]
        while end > content_start and text[end - 1] in "\n ":
            end -= 1
        items.append({"number": label, "parent": parent, "span": [content_start, end]})
    preamble_end = lines[markers[0][0]][0]
    closing_start = lines[closing_line][0] if closing_line < len(lines) else len(text)
    return items, preamble_end, closing_start, warnings


# --------------------------------------------------------------------------- directive header

_DATE_WORDS = re.compile(r",\s*ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_DATE_SLASH = re.compile(r",\s*ngay\s+(\d{1,2})/(\d{1,2})/(\d{4})")
_NUMBER = re.compile(r"\bso\s*:\s*(\d[^\s,;]*)")
_PROVINCE_UBND = re.compile(r"(?:uy ban nhan dan|ubnd)(?: \| | )tinh ")


def _safe_date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _header(preamble: str) -> dict:
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
            day = _safe_date(found.group(3), found.group(2), found.group(1))
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
    head["title"] = head["title"][:500]
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
        for word in joined[found.end() :].split(" "):
            clean = word.strip(",.;:()")
            if not clean or clean == "|" or not clean[0].isupper():
                break
            words.append(clean)
            if clean != word or len(words) == 4:
                break
        if words:
            return " ".join(words)
    return None


def _issuer(preamble: str, on: date) -> tuple[str | None, float]:
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


# --------------------------------------------------------------------------- agencies

_B, _E = r"(?<![a-z0-9])", r"(?![a-z0-9])"
_COLLECTIVES = [
    (
        Collective.DEPARTMENTS,
        _B + r"(?:giam doc cac so, thu truong cac ban, nganh(?: cap tinh| tinh)?"
        r"|(?:cac )?so, ban, nganh(?: cap tinh| tinh)?|thu truong cac ban, nganh(?: cap tinh)?"
        r"|cac so, nganh(?: cap tinh| tinh)?)" + _E,
    ),
    (
        Collective.DISTRICTS,
        _B + r"(?:(?:chu tich )?(?:ubnd|uy ban nhan dan) (?:cac )?huyen, thi xa, thanh pho"
        r"|(?:ubnd|uy ban nhan dan) cap huyen)" + _E,
    ),
    (
        Collective.COMMUNES,
        _B
        + r"(?:(?:chu tich )?(?:ubnd|uy ban nhan dan) (?:cac )?xa, phuong(?:, thi tran|, dac khu)?"
        r"|(?:ubnd|uy ban nhan dan) cap xa)" + _E,
    ),
    (Collective.CENTRAL, _B + r"cac co quan trung uong dong tren dia ban(?: tinh)?" + _E),
    (Collective.MASS_ORGS, _B + r"cac (?:to chuc )?doan the chinh tri(?: ?- ?xa hoi)?" + _E),
]
_COLLECTIVES = [(c, re.compile(p)) for c, p in _COLLECTIVES]
_REQUEST_COLLECTIVES = {Collective.CENTRAL, Collective.MASS_ORGS}
_REQUEST_KINDS = {AgencyKind.CENTRAL, AgencyKind.MASS_ORG}

_TOKEN = re.compile(r"[^\s\-–—_.,;:()\"'/“”]+")
_WORD = re.compile(r"[^\s,;:.()\[\]“”\"]+|[,;:.()\[\]“”\"]")
# Words that open an agency name as written; the folded first word(s) of a heuristic mention.
_TRIGGERS = (
    "so",
    "cuc",
    "chi cuc",
    "chi nhanh",
    "van phong",
    "cong an",
    "bao hiem xa hoi",
    "kho bac",
    "uy ban mat tran",
    "uy ban mttq",
    "ubmttq",
    "ban quan ly",
    "thanh tra",
    "trung tam",
    "lien doan",
    "hoi",
    "tinh doan",
    "dai phat thanh",
    "ubnd",
    "uy ban nhan dan",
)
_FREE_TAIL = {"cuc", "chi cuc", "chi nhanh", "cong an", "bao hiem xa hoi", "kho bac", "thanh tra"}
_LOCAL_UNITS = {"tinh", "huyen", "thi", "thanh", "xa", "phuong"}
_STOP = frozenset(
    [
        "chu",
        "phoi",
        "thuc",
        "tham",
        "co",
        "de",
        "trong",
        "doi",
        "theo",
        "ve",
        "tai",
        "trien",
        "bao",
        "duoc",
        "nghien",
        "huong",
        "to",
        "ra",
        "phai",
        "kip",
        "can",
        "giao",
        "khan",
        "tang",
        "day",
        "tiep",
        "chiu",
        "lam",
        "nham",
        "dam",
        "cung",
        "voi",
        "hoan",
        "ban",
        "xay",
        "kiem",
        "rut",
        "chi",
        "quan",
        "thong",
        "tuyen",
        "nang",
        "xu",
        "khac",
        "uu",
        "ap",
        "sap",
        "kien",
        "tap",
        "chuan",
    ]
)
_ISSUER_LIKE = ("ubnd tinh", "uy ban nhan dan tinh", "chu tich ubnd tinh")


def _trigger_at(fw: list[str], i: int) -> str | None:
    for trig in sorted(_TRIGGERS, key=lambda t: -len(t.split())):
        parts = trig.split()
        if fw[i : i + len(parts)] == parts:
            return trig
    return None


def _heuristic(text: str, folded: str, claimed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Agency-like mentions by shape: a capitalised trigger word and the name after it."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    fw = [folded[s:e] for s, e in words]
    found, i = [], 0

    def taken(s, e):
        return any(s < ce and cs < e for cs, ce in claimed)

    while i < len(words):
        s = words[i][0]
        trig = _trigger_at(fw, i) if text[s].isupper() and not taken(s, s + 1) else None
        if trig is None:
            i += 1
            continue
        j = i + len(trig.split())
        if j >= len(words):
            break
        nxt = text[words[j][0] : words[j][1]]
        if trig in ("ubnd", "uy ban nhan dan"):
            ok = fw[j] in _LOCAL_UNITS and j + 1 < len(words)
            ok = ok and (text[words[j + 1][0]].isupper() or fw[j + 1] in _LOCAL_UNITS)
        else:
            ok = nxt[:1].isupper() or trig in _FREE_TAIL or fw[j] in _LOCAL_UNITS
        if not ok or fw[j] in ",;:.()":
            i += 1
            continue
        k, count = j, 0
        while k < len(words) and count < 12:
            w = fw[k]
            if w in ',;:.()[]“”"' or taken(words[k][0], words[k][1]):
                break
            if w == "va" and k + 1 < len(words) and _trigger_at(fw, k + 1):
                break
            if k > j and w in _STOP:
                break
            if w == "cap" and (k + 1 >= len(words) or fw[k + 1] not in _LOCAL_UNITS):
                break
            k, count = k + 1, count + 1
        while k > j and fw[k - 1] in ("va", "-", "&"):
            k -= 1
        found.append((s, words[k - 1][1]))
        i = k
    return found


# Standard names of provincial bodies, used only to find where a mention ends when the registry
# does not know the province (they never match by themselves).
GENERIC_NAMES = [
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Ngoại vụ",
    "Sở Nông nghiệp và Môi trường",
    "Sở Dân tộc và Tôn giáo",
    "Thanh tra tỉnh",
    "Văn phòng UBND tỉnh",
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Công an tỉnh",
    "Cục Thuế tỉnh",
    "Thuế tỉnh",
    "Cục Quản lý thị trường",
    "Bảo hiểm xã hội tỉnh",
    "Kho bạc Nhà nước tỉnh",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Ủy ban MTTQ Việt Nam tỉnh",
    "Ban Dân tộc",
    "Ban Quản lý Khu kinh tế tỉnh",
    "Hội Liên hiệp Phụ nữ tỉnh",
    "Hội Nông dân tỉnh",
    "Hội Cựu chiến binh tỉnh",
    "Liên đoàn Lao động tỉnh",
    "Tỉnh đoàn",
    "Cục Thống kê tỉnh",
    "Cục Hải quan",
]


def _names_by_first(index: AgencyIndex) -> dict[str, list[tuple[str, ...]]]:
    table: dict[str, list[tuple[str, ...]]] = {}
    names = set(index.names()) | {tuple(fold(n).split()) for n in GENERIC_NAMES}
    for name in sorted(names, key=len, reverse=True):
        if name:
            table.setdefault(name[0], []).append(name)
    return table


def _dictionary(text, folded, table, claimed) -> list[tuple[int, int]]:
    """Mentions of registry names and aliases (longest first), capitalised as names are."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(folded)]
    words = [t[2] for t in tokens]
    found, i = [], 0
    while i < len(tokens):
        s = tokens[i][0]
        hit = None
        if text[s].isupper() and not any(cs <= s < ce for cs, ce in claimed):
            for name in table.get(words[i], ()):
                if tuple(words[i : i + len(name)]) == name:
                    hit = len(name)
                    break
        if hit is None:
            i += 1
            continue
        k = i + hit
        # "Sở Xây dựng tỉnh Thừa Thiên Huế": keep the province named after the name.
        if k + 1 < len(tokens) and words[k] == "tinh" and text[tokens[k + 1][0]].isupper():
            k += 1
            while k < len(tokens) and k < i + hit + 5 and text[tokens[k][0]].isupper():
                k += 1
        found.append((s, tokens[k - 1][1]))
        i = k
    return found


def _clause(folded: str, pos: int, seps: str) -> tuple[int, int]:
    start = max(folded.rfind(c, 0, pos) for c in seps) + 1
    ends = [folded.find(c, pos) for c in seps]
    ends = [e for e in ends if e != -1]
    return start, min(ends) if ends else len(folded)


def _role(folded: str, start: int) -> str:
    c0, c1 = _clause(folded, start, ";.\n")
    clause = folded[c0:c1]
    rel = start - c0
    lead_at = clause.find("chu tri")
    if lead_at != -1:
        return "lead" if rel < lead_at else "coordinating"
    helper_at = clause.find("phoi hop voi")
    if helper_at != -1 and rel > helper_at:
        return "coordinating"
    return "lead"


def _requested(folded: str, start: int) -> bool:
    c0, _c1 = _clause(folded, start, ".\n")
    return "de nghi" in folded[c0:start]


def _object_position(folded: str, start: int) -> bool:
    before = folded[max(0, start - 9) : start]
    return before.endswith(("cua ", "doi voi ", "cho ", "ve ", "gui "))


def _agencies(text: str, index: AgencyIndex, table) -> list[dict]:
    folded = fold_chars(text)
    raw: list[dict] = []
    claimed: list[tuple[int, int]] = []
    for collective, pattern in _COLLECTIVES:
        for found in pattern.finditer(folded):
            s, e = found.span()
            if any(s < ce and cs < e for cs, ce in claimed):
                continue
            after = folded[e : e + 2].lstrip()
            claimed.append((s, e))
            if collective == Collective.CENTRAL and after.startswith(":"):
                continue  # an introducer followed by the named central agencies
            raw.append({"span": (s, e), "collective": str(collective)})
    for s, e in _dictionary(text, folded, table, claimed):
        claimed.append((s, e))
        raw.append({"span": (s, e)})
    for s, e in _heuristic(text, folded, claimed):
        claimed.append((s, e))
        raw.append({"span": (s, e)})
    raw.sort(key=lambda m: m["span"][0])
    out, previous_object, previous_end = [], False, -10
    for mention in raw:
        s, e = mention["span"]
        gap = folded[previous_end:s].strip()
        chained = previous_end >= 0 and gap in (",", "va", ", va")
        is_object = _object_position(folded, s) or (previous_object and chained)
        previous_object, previous_end = is_object, e
        if is_object:
            continue
        written = text[s:e]
        entry = {"text": written, "span": [s, e], "matched": None}
        if "collective" in mention:
            entry["collective"] = mention["collective"]
            kind_request = mention["collective"] in _REQUEST_COLLECTIVES
            entry["confidence"] = 0.95
        else:
            key = fold(written)
            found = index.match(written)
            if key.startswith(_ISSUER_LIKE) and found.code in (None, index.issuer):
                continue
            if found.code is not None and found.code == index.issuer:
                continue
            entry["matched"] = found.code
            entry["confidence"] = found.confidence if found.code else 0.5
            if found.how == "fuzzy":
                entry["fuzzy"] = True
            kind_request = found.kind in _REQUEST_KINDS
        entry["role"] = _role(folded, s)
        entry["modality"] = "request" if _requested(folded, s) or kind_request else "order"
        out.append(entry)
    return out


def _opening(preamble: str) -> list[dict]:
    """The addressees of the opening sentence ("Chủ tịch UBND tỉnh yêu cầu …")."""
    paragraphs = [p for p in preamble.split("\n") if p.strip()]
    last = paragraphs[-1] if paragraphs else ""
    folded = fold_chars(last)
    request = "de nghi" in folded
    entries = []
    for collective, pattern in _COLLECTIVES:
        found = pattern.search(folded)
        if found:
            entries.append((found.start(), collective, last[found.start() : found.end()]))
    entries.sort()
    if not entries:
        names = (Collective.DEPARTMENTS, Collective.DISTRICTS, Collective.COMMUNES)
        entries = [(0, c, "") for c in names]
        confidence = 0.5
    else:
        confidence = 0.7
    return [
        {
            "text": written,
            "span": None,
            "matched": None,
            "collective": str(collective),
            "role": "lead",
            "modality": "request" if request or collective in _REQUEST_COLLECTIVES else "order",
            "confidence": confidence,
            "inherited": "opening",
        }
        for _at, collective, written in entries
    ]


# --------------------------------------------------------------------------- deadlines

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_BEFORE_FULL = re.compile(
    r"(?:truoc|cham nhat(?: la)?(?: ngay)?|han chot) (?:ngay )?(\d{1,2})(?:/|-| thang )(\d{1,2})"
    r"(?:/|-| nam )(\d{4})"
)
_BEFORE_SHORT = re.compile(r"(?:truoc|cham nhat) ngay (\d{1,2})/(\d{1,2})(?![/\d])")
_QUARTER = re.compile(r"trong quy (iv|iii|ii|i|[1-4])(?: nam |/| )(\d{4})")
_BY_YEAR = re.compile(r"den nam (\d{4})")
_PERIOD = re.compile(r"giai doan (\d{4}) ?[-–] ?(\d{4})")
_ONGOING = re.compile(r"(?:trong )?nam (\d{4}) va (?:nhung|cac) nam tiep theo")
_YEAR = re.compile(r"(?<!thang \d)(?<!thang \d\d)(?:trong )?nam (\d{4})")
_CONTINUOUS = re.compile(r"(?<!chi )thuong xuyen|lien tuc")
_RECURRING = [
    (
        re.compile(r"(?:bao cao )?6 thang(?:,| va)? (?:bao cao )?(?:ca )?nam"),
        ("half_yearly", "yearly"),
    ),
    (re.compile(r"(?:dinh ky|hang|hang) 6 thang|6 thang (?:mot|1) lan"), ("half_yearly",)),
    (re.compile(r"(?:hang|dinh ky) quy|bao cao quy"), ("quarterly",)),
    (re.compile(r"(?:hang|dinh ky) thang|bao cao thang"), ("monthly",)),
    (re.compile(r"hang nam|dinh ky nam|bao cao nam"), ("yearly",)),
]
_ORDER = ("monthly", "quarterly", "half_yearly", "yearly")


def _year_ok(year: int, on: date) -> bool:
    return on.year <= year <= on.year + 15


def _deadline(text: str, folded: str, on: date, warnings: list, number: str) -> dict | None:
    from workflow.deadlines import WorkCalendar

    def out(policy, day, found, confidence, **extra):
        s, e = found.span()
        return {
            "policy": policy,
            "date": day.isoformat() if day else None,
            "text": text[s:e],
            "span": [s, e],
            "confidence": confidence,
            **extra,
        }

    for found in _YEAR.finditer(folded):
        if int(found.group(1)) < on.year:  # "PAS Index năm 2002": never a target year
            warnings.append(
                {
                    "code": "year_before_directive",
                    "item": number,
                    "text": text[slice(*found.span())],
                }
            )
    for found in _BEFORE_FULL.finditer(folded):
        day = _safe_date(found.group(3), found.group(2), found.group(1))
        if day and day > on:
            due = WorkCalendar(overrides={}).last_working_day_before(day)
            return out("fixed", due, found, 0.95, before=day.isoformat())
    for found in _BEFORE_SHORT.finditer(folded):
        day = _safe_date(str(on.year), found.group(2), found.group(1))
        if day and day <= on:
            day = _safe_date(str(on.year + 1), found.group(2), found.group(1))
        if day:
            due = WorkCalendar(overrides={}).last_working_day_before(day)
            return out("fixed", due, found, 0.85, before=day.isoformat())
    for found in _QUARTER.finditer(folded):
        quarter, year = _ROMAN[found.group(1)], int(found.group(2))
        if _year_ok(year, on):
            end = date(year, quarter * 3, 1) + timedelta(days=31)
            return out("fixed", end.replace(day=1) - timedelta(days=1), found, 0.9)
    for found in _PERIOD.finditer(folded):
        year = int(found.group(2))
        if _year_ok(year, on):
            return out("fixed", date(year, 12, 31), found, 0.75)
    for found in _BY_YEAR.finditer(folded):
        if folded[max(0, found.start() - 11) : found.start()].endswith("dinh huong "):
            continue
        year = int(found.group(1))
        if _year_ok(year, on):
            return out("fixed", date(year, 12, 31), found, 0.8)
    found = _ONGOING.search(folded)
    if found:
        return out("continuous", None, found, 0.8, since=int(found.group(1)))
    for found in _YEAR.finditer(folded):
        year = int(found.group(1))
        if _year_ok(year, on):
            return out("fixed", date(year, 12, 31), found, 0.7)
    found = _CONTINUOUS.search(folded)
    if found:
        return out("continuous", None, found, 0.6)
    return None


def _recurrence(text: str, folded: str) -> dict | None:
    periods, first = set(), None
    claimed: list[tuple[int, int]] = []
    for pattern, names in _RECURRING:
        for found in pattern.finditer(folded):
            s, e = found.span()
            if any(s < ce and cs < e for cs, ce in claimed):
                continue
            claimed.append((s, e))
            periods.update(names)
            if first is None or s < first[0]:
                first = (s, e)
    if not periods:
        return None
    s, e = first
    return {
        "periods": [p for p in _ORDER if p in periods],
        "text": text[s:e],
        "span": [s, e],
        "confidence": 0.8,
    }


# --------------------------------------------------------------------------- indicators

_NUM = r"(\d+(?:[.,]\d+)?)"
_INDICATORS = [
    ("range%", re.compile(_NUM + r" ?(?:-|–|den) ?" + _NUM + r" ?%")),
    ("steps", re.compile(r"tu (\d+) den (\d+) (bac|hang|diem)")),
    (
        "top",
        re.compile(
            r"(?:nhom|top) (\d+) (?:tinh, thanh pho|tinh, thanh|tinh|dia phuong|don vi)"
            r"(?: [a-z]+){0,3}? (?:dung dau|dan dau|cao nhat)"
        ),
    ),
    ("percent", re.compile(r"(?<![\d.,–-])" + _NUM + r" ?%")),
]
_LEFT_VERB = re.compile(r"(?:cat giam|giam|dat|tang|toi thieu|it nhat|tren|phan dau) $")


def _number(value: str) -> float | int:
    value = value.replace(",", ".")
    return float(value) if "." in value else int(value)


def _indicators(text: str, folded: str, on: date) -> list[dict]:
    found_all, claimed = [], []
    for kind, pattern in _INDICATORS:
        for found in pattern.finditer(folded):
            s, e = found.span()
            if any(s < ce and cs < e for cs, ce in claimed):
                continue
            claimed.append((s, e))
            if kind == "range%":
                target = {"min": _number(found.group(1)), "max": _number(found.group(2))}
                target["unit"] = "%"
            elif kind == "steps":
                unit = {"bac": "bậc", "hang": "hạng", "diem": "điểm"}[found.group(3)]
                target = {"min": int(found.group(1)), "max": int(found.group(2)), "unit": unit}
            elif kind == "top":
                target = {"top": int(found.group(1)), "unit": "rank"}
            else:
                target = {"value": _number(found.group(1)), "unit": "%"}
            c0, _c1 = _clause(folded, s, ";.\n")
            years = [int(y) for y in re.findall(r"den nam (\d{4})", folded[c0:e])]
            years = [y for y in years if _year_ok(y, on)]
            if years:
                target["year"] = years[-1]
            left = _LEFT_VERB.search(folded[max(0, s - 12) : s])
            if left:
                s -= len(left.group())
            if kind in ("range%", "percent"):
                tail = re.match(r"(?: [^\s,;.()]+){1,3}", folded[e:])
                if tail:
                    e += tail.end()
            found_all.append(
                {
                    "text": text[s:e],
                    "span": [s, e],
                    "target": target,
                    "confidence": 0.9 if kind != "percent" else 0.8,
                }
            )
    found_all.sort(key=lambda i: i["span"][0])
    return found_all


# --------------------------------------------------------------------------- entry point


def parse_text(
    raw: str,
    *,
    on: date | None = None,
    issuer: str | None = None,
    index: AgencyIndex | None = None,
) -> dict:
    """The breakdown document of a directive's text (see the module docstring).

    ``on`` is the directive's date when the text gives none; ``issuer`` an agency code when
    the text does not name a registered province. Raises InvalidInput on text that is empty,
    not Vietnamese, without numbered items, or without a date.
    """
    if not (raw or "").strip():
        raise InvalidInput(_("The text is empty."), code="empty")
    text = normalise(raw)
    if not _looks_vietnamese(text):
        raise InvalidInput(
            _("The text does not look like Vietnamese; paste the directive's own text."),
            code="not_vietnamese",
        )
    items, preamble_end, closing_start, warnings = _split(text)
    if not items:
        raise InvalidInput(
            _("No numbered items (“1.”, “2.” …) were found in the text."), code="no_items"
        )
    preamble = text[:preamble_end].strip()
    head = _header(preamble)
    day = head.pop("date") or on
    if on is not None and head["evidence"].get("date") is None:
        head["evidence"]["date"] = {"span": None, "confidence": 1.0, "given": True}
    if day is None:
        raise InvalidInput(
            _("The text gives no date of issue: give the directive's date."), code="no_date"
        )
    evidence = head.pop("evidence")
    if issuer is None:
        issuer, confidence = _issuer(preamble, day)
        evidence["issuer"] = {"span": None, "confidence": confidence}
    else:
        evidence["issuer"] = {"span": None, "confidence": 1.0, "given": True}
    if index is None:
        index = AgencyIndex.load(on=day, issuer=issuer)
    table = _names_by_first(index)
    opening = _opening(preamble)
    directive = {
        "kind": head["kind"],
        "number": head["number"],
        "date": day.isoformat(),
        "issuer": issuer,
        "title": head["title"],
        "evidence": evidence,
    }
    if issuer is None:
        warnings.append({"code": "issuer_unknown", "item": None, "text": ""})
    out_items = []
    parents = {it["parent"] for it in items if it["parent"]}
    by_number = {}
    for item in items:
        s, e = item["span"]
        body = text[s:e]
        folded = fold_chars(body)
        agencies = _agencies(body, index, table)
        entry = {
            "number": item["number"],
            "parent": item["parent"],
            "text": body,
            "span": [s, e],
            "agencies": agencies,
            "deadline": _deadline(body, folded, day, warnings, item["number"]),
            "recurrence": _recurrence(body, folded),
            "indicators": _indicators(body, folded, day),
        }
        by_number[item["number"]] = entry
        out_items.append(entry)
    for entry in out_items:
        if entry["number"] in parents:
            continue
        if not entry["agencies"] and entry["parent"]:
            parent = by_number[entry["parent"]]
            entry["agencies"] = [
                {**a, "span": None, "inherited": parent["number"]} for a in parent["agencies"]
            ]
        if not entry["agencies"]:
            entry["agencies"] = [dict(a) for a in opening]
    for entry in out_items:
        if entry["number"] in parents:
            entry["agencies"] = []  # a heading: its addressees went to its sub-items
        for key in ("deadline", "recurrence"):
            if entry[key] is None and entry["parent"]:
                inherited = by_number[entry["parent"]][key]
                if inherited:
                    entry[key] = {**inherited, "span": None, "inherited": entry["parent"]}
    return {
        "directive": directive,
        "preamble": preamble,
        "closing": text[closing_start:].strip(),
        "items": out_items,
        "text": text,
        "raw": raw,
        "warnings": warnings,
    }


def document_date(document: dict) -> date:
    return date.fromisoformat(document["directive"]["date"])
