"""Matching agency mentions of a directive against the agency registry on the directive's date.

The index is read once per directive (a fixed number of queries) and every mention is matched
in memory: exact matches by key (name, short name or alias after folding, as
``agencies.selectors.agency_match`` compares them), then, for what fails that, the candidate
name most like it by ``fuzzy_best`` (rapidfuzz, which copes with typos and missing diacritics
once both sides are folded); a key is matched once however often the text repeats it.
Candidates are restricted to the issuing province: the agencies under the issuer, plus the
central agencies and mass organisations whose name carries the province's name. A mention
naming another province ("Sở Xây dựng tỉnh Thừa Thiên Huế") never matches.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process

from agencies.choices import AgencyKind
from agencies.models import AgencyAlias, AgencyVersion, valid_on_q
from agencies.selectors import agency_descendants
from core.text import fold

FUZZY_THRESHOLD = 0.88
_PROVINCE = re.compile(r"\btinh ([a-z][a-z ]*)$")


def fuzzy_best(
    key: str, candidates: dict[str, str], cutoff: float = 0.0
) -> tuple[str | None, float]:
    """The candidate key most like ``key`` and its similarity in [0, 1] (rapidfuzz's ratio).

    ``candidates`` maps folded names to agency codes; with a ``cutoff``, nothing less similar
    is returned (rapidfuzz then skips most candidates by their length alone).
    """
    if not candidates:
        return None, 0.0
    found = process.extractOne(key, candidates.keys(), scorer=fuzz.ratio, score_cutoff=cutoff * 100)
    if found is None:
        return None, 0.0
    return found[0], found[1] / 100


@dataclass
class Match:
    code: str | None
    kind: str | None
    confidence: float
    how: str  # "exact", "fuzzy", "other_province", "none"


@dataclass
class AgencyIndex:
    """The registry as seen on one day, from the issuer's province."""

    on: date
    issuer: str | None = None
    province: str = ""  # folded province name of the issuer ("quang tri")
    keys: dict[str, str] = field(default_factory=dict)  # folded name/alias -> code
    kinds: dict[str, str] = field(default_factory=dict)  # code -> kind
    # folded name/alias -> every code it names (two agencies may share a short name)
    exact: dict[str, set[str]] = field(default_factory=dict)
    _matched: dict[str, "Match"] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, *, on: date, issuer: str | None = None) -> "AgencyIndex":
        index = cls(on=on, issuer=issuer)
        if issuer is None:
            return index
        version = (
            AgencyVersion.objects.filter(valid_on_q(on), agency__code=issuer)
            .select_related("agency")
            .first()
        )
        if version is None:
            index.issuer = None
            return index
        found = _PROVINCE.search(fold(version.name))
        index.province = found.group(1) if found else ""
        below = {v.agency_id for v in agency_descendants(agency=version.agency, on=on)}
        versions = AgencyVersion.objects.filter(valid_on_q(on)).select_related("agency")
        chosen = {}
        for v in versions:
            inside = v.agency_id in below or v.agency_id == version.agency_id
            local = (
                v.kind in (AgencyKind.CENTRAL, AgencyKind.MASS_ORG)
                and index.province
                and index.province in fold(v.name)
            )
            if inside or local:
                chosen[v.agency_id] = v
        for v in chosen.values():
            index.kinds[v.agency.code] = v.kind
            for text in (v.name, v.short_name):
                if text:
                    index._key(fold(text), v.agency.code)
        for alias in AgencyAlias.objects.filter(agency_id__in=list(chosen)).select_related(
            "agency"
        ):
            index._key(fold(alias.text), alias.agency.code)
        return index

    def _key(self, key: str, code: str) -> None:
        self.keys.setdefault(key, code)
        self.exact.setdefault(key, set()).add(code)

    def names(self) -> list[tuple[str, ...]]:
        """Every folded name and alias as a tuple of words, longest first."""
        return sorted((tuple(k.split()) for k in self.keys), key=len, reverse=True)

    def other_province(self, text: str) -> bool:
        found = _PROVINCE.search(fold(text))
        return bool(found and self.province and not found.group(1).startswith(self.province))

    def match(self, text: str) -> Match:
        """The agency ``text`` names, without a query (the index holds every key)."""
        if self.issuer is None or not self.keys:
            return Match(None, None, 0.0, "none")
        key = fold(text)
        if key not in self._matched:
            self._matched[key] = self._match(key)
        return self._matched[key]

    def _match(self, key: str) -> Match:
        if self.other_province(key):
            return Match(None, None, 0.0, "other_province")
        codes = sorted(self.exact.get(key, ()))
        if len(codes) == 1:
            return Match(codes[0], self.kinds[codes[0]], 1.0, "exact")
        if codes:
            code = self.keys.get(key, codes[0])
            return Match(code, self.kinds[code], 0.9, "exact")
        best, score = fuzzy_best(key, self.keys, cutoff=FUZZY_THRESHOLD)
        if best is not None and score >= FUZZY_THRESHOLD:
            code = self.keys[best]
            return Match(code, self.kinds[code], round(score * 0.9, 3), "fuzzy")
        return Match(None, None, 0.0, "none")
