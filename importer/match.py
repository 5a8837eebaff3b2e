"""Matching agency mentions of a directive against the agency registry on the directive's date.

Exact matches go through ``agencies.selectors.agency_match`` (name, short name or alias after
folding). What fails that is compared with every candidate name by ``fuzzy_best`` (rapidfuzz,
which copes with typos and missing diacritics once both sides are folded). Candidates are
restricted to the issuing province: the agencies under the issuer, plus the central agencies
and mass organisations whose name carries the province's name. A mention naming another
province ("Sở Xây dựng tỉnh Thừa Thiên Huế") never matches.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process

from agencies.choices import AgencyKind
from agencies.models import AgencyAlias, AgencyVersion, valid_on_q
from agencies.selectors import agency_descendants, agency_match
from core.text import fold

FUZZY_THRESHOLD = 0.88
_PROVINCE = re.compile(r"\btinh ([a-z][a-z ]*)$")


def fuzzy_best(key: str, candidates: dict[str, str]) -> tuple[str | None, float]:
    """The candidate key most like ``key`` and its similarity in [0, 1] (rapidfuzz's ratio).

    ``candidates`` maps folded names to agency codes.
    """
    if not candidates:
        return None, 0.0
    found = process.extractOne(key, candidates.keys(), scorer=fuzz.ratio)
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
                    index.keys.setdefault(fold(text), v.agency.code)
        for alias in AgencyAlias.objects.filter(agency_id__in=list(chosen)).select_related(
            "agency"
        ):
            index.keys.setdefault(fold(alias.text), alias.agency.code)
        return index

    def names(self) -> list[tuple[str, ...]]:
        """Every folded name and alias as a tuple of words, longest first."""
        return sorted((tuple(k.split()) for k in self.keys), key=len, reverse=True)

    def other_province(self, text: str) -> bool:
        found = _PROVINCE.search(fold(text))
        return bool(found and self.province and not found.group(1).startswith(self.province))

    def match(self, text: str) -> Match:
        if self.issuer is None or not self.keys:
            return Match(None, None, 0.0, "none")
        if self.other_province(text):
            return Match(None, None, 0.0, "other_province")
        allowed = set(self.kinds)
        codes = [
            code
            for code in agency_match(text=text, on=self.on).values_list("code", flat=True)
            if code in allowed
        ]
        if len(codes) == 1:
            return Match(codes[0], self.kinds[codes[0]], 1.0, "exact")
        if codes:
            code = self.keys.get(fold(text), sorted(codes)[0])
            return Match(code, self.kinds[code], 0.9, "exact")
        best, score = fuzzy_best(fold(text), self.keys)
        if best is not None and score >= FUZZY_THRESHOLD:
            code = self.keys[best]
            return Match(code, self.kinds[code], round(score * 0.9, 3), "fuzzy")
        return Match(None, None, 0.0, "none")
