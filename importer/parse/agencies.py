"""Agency mentions in an item: collectives, registry names, agency-shaped words; role, modality."""

import re

from agencies.choices import AgencyKind, Collective
from core.text import fold
from workflow.choices import AssignmentRole, Modality

from ..match import AgencyIndex
from .lexicon import fold_chars
from .spans import Claimed, Clauses, Occurrences

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


_TRIGGER_WORDS = [t.split() for t in sorted(_TRIGGERS, key=lambda t: -len(t.split()))]


def _trigger_at(fw: list[str], i: int) -> str | None:
    for parts in _TRIGGER_WORDS:
        if fw[i : i + len(parts)] == parts:
            return " ".join(parts)
    return None


def _heuristic(text: str, folded: str, claimed: Claimed) -> list[tuple[int, int]]:
    """Agency-like mentions by shape: a capitalised trigger word and the name after it."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    fw = [folded[s:e] for s, e in words]
    found, i = [], 0
    taken = claimed.overlaps

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


_END = ""  # the key marking, in a node of the name trie, that a name ends there


def name_trie(index: AgencyIndex) -> dict:
    """The registry's names and aliases (and the standard names) as a trie of folded words:
    finding the longest name at a word costs one step per word of it, whatever the registry."""
    trie: dict = {}
    for key in {*index.keys, *(fold(n) for n in GENERIC_NAMES)}:
        words = key.split()
        if not words:
            continue
        node = trie
        for word in words:
            node = node.setdefault(word, {})
        node[_END] = len(words)
    return trie


def _longest(trie: dict, words: list[str], i: int) -> int | None:
    """The number of words of the longest name starting at ``words[i]``, if any."""
    node, hit = trie, None
    for k in range(i, len(words)):  # (not words[i:]: a copy of the rest at every word)
        node = node.get(words[k])
        if node is None:
            break
        hit = node.get(_END, hit)
    return hit


def _dictionary(text, folded, trie, claimed: Claimed) -> list[tuple[int, int]]:
    """Mentions of registry names and aliases (longest first), capitalised as names are."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(folded)]
    words = [t[2] for t in tokens]
    found, i = [], 0
    while i < len(tokens):
        s = tokens[i][0]
        hit = None
        if text[s].isupper() and not claimed.overlaps(s, s + 1):
            hit = _longest(trie, words, i)
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


class _Sentences:
    """What ``_role`` and ``_requested`` ask of an item's text, each answer a binary search."""

    def __init__(self, folded: str) -> None:
        self.clauses = Clauses(folded, ";.\n")
        self.sentences = Clauses(folded, ".\n")
        self.lead = Occurrences(folded, "chu tri")
        self.helper = Occurrences(folded, "phoi hop voi")
        self.request = Occurrences(folded, "de nghi")


def _role(sentences: _Sentences, start: int) -> str:
    c0, c1 = sentences.clauses.bounds(start)
    lead_at = sentences.lead.first(c0, c1)
    if lead_at != -1:
        return AssignmentRole.LEAD if start < lead_at else AssignmentRole.COORDINATING
    helper_at = sentences.helper.first(c0, c1)
    if helper_at != -1 and start > helper_at:
        return AssignmentRole.COORDINATING
    return AssignmentRole.LEAD


def _requested(sentences: _Sentences, start: int) -> bool:
    c0, _c1 = sentences.sentences.bounds(start)
    return sentences.request.first(c0, start) != -1


def _object_position(folded: str, start: int) -> bool:
    before = folded[max(0, start - 9) : start]
    return before.endswith(("cua ", "doi voi ", "cho ", "ve ", "gui "))


def find_agencies(
    text: str, index: AgencyIndex, trie: dict, folded: str | None = None
) -> list[dict]:
    """The agencies an item's ``text`` names (``folded``: its ``fold_chars``, if known)."""
    folded = fold_chars(text) if folded is None else folded
    raw: list[dict] = []
    claimed = Claimed()
    for collective, pattern in _COLLECTIVES:
        for found in pattern.finditer(folded):
            s, e = found.span()
            if claimed.overlaps(s, e):
                continue
            after = folded[e : e + 2].lstrip()
            claimed.add(s, e)
            if collective == Collective.CENTRAL and after.startswith(":"):
                continue  # an introducer followed by the named central agencies
            raw.append({"span": (s, e), "collective": str(collective)})
    for s, e in _dictionary(text, folded, trie, claimed):
        claimed.add(s, e)
        raw.append({"span": (s, e)})
    for s, e in _heuristic(text, folded, claimed):
        claimed.add(s, e)
        raw.append({"span": (s, e)})
    raw.sort(key=lambda m: m["span"][0])
    sentences = _Sentences(folded)
    out, previous_object, previous_end = [], False, -10
    for mention in raw:
        s, e = mention["span"]
        gap = folded[previous_end:s].strip() if previous_end >= 0 else ""
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
        entry["role"] = _role(sentences, s)
        entry["modality"] = (
            Modality.REQUEST if _requested(sentences, s) or kind_request else Modality.ORDER
        )
        out.append(entry)
    return out


def opening(preamble: str) -> list[dict]:
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
            "role": AssignmentRole.LEAD,
            "modality": Modality.REQUEST
            if request or collective in _REQUEST_COLLECTIVES
            else Modality.ORDER,
            "confidence": confidence,
            "inherited": "opening",
        }
        for _at, collective, written in entries
    ]
