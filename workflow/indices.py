"""The national indices (PAR Index, SIPAS, PAPI): how many provinces a year's results rank,
and the components of each index with their advisory agencies (``data/index_components.yaml``).

**The rank rule** (the one place it is written): a result ranks the province ``rank`` out of
``rank_of`` provinces, 1 ≤ rank ≤ rank_of, and ``rank_of`` is fixed by the year the result is
for: 63 provinces for the years up to 2024, 34 from 2025. The 2024 indices were published in
spring 2025 (about April: DOMAIN.md §1.1 item 3), before Nghị quyết 202/2025/QH15 reduced the 63
provinces to 34 (12/06/2025, effective 01/07/2025: §2.3); the 2025 indices, measured and
published after it, rank the 34.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from .choices import NationalIndex

# The first year whose results rank the 34 merged provinces.
MERGER_YEAR = 2025
PROVINCES_BEFORE, PROVINCES_AFTER = 63, 34
# The first year of nationwide results (PAPI since 2011: DOMAIN.md §3.4; PAR Index since 2012).
FIRST_YEAR = 2011

COMPONENTS_FILE = Path(__file__).parent / "data" / "index_components.yaml"


def provinces_ranked(year: int) -> int:
    """How many provinces the results for ``year`` rank (the ``rank_of`` they must carry)."""
    return PROVINCES_AFTER if year >= MERGER_YEAR else PROVINCES_BEFORE


def rank_problems(*, year: int, rank: int, rank_of: int) -> dict[str, str]:
    """What breaks the rank rule (field → message; empty: nothing)."""
    problems = {}
    expected = provinces_ranked(year)
    if rank_of != expected:
        problems["rank_of"] = _(
            "The results for {year} rank {n} provinces: the rank is out of {n}."
        ).format(year=year, n=expected)
    if not 1 <= rank <= rank_of:
        problems["rank"] = _("The rank must be from 1 to {n}.").format(n=rank_of)
    return problems


def year_end(year: int) -> date:
    """The day a year's result is read against: the province, the agencies as they were."""
    return date(year, 12, 31)


@dataclass(frozen=True)
class Component:
    code: str
    name: str
    # (agency name, first day it no longer answers or None), in order.
    agencies: tuple[tuple[str, date | None], ...]

    def agency_name_on(self, day: date) -> str:
        """The name of the agency that advises on the component on ``day`` ("" if none)."""
        for name, until in self.agencies:
            if until is None or day < until:
                return name
        return ""


@dataclass(frozen=True)
class IndexScheme:
    max_score: int
    components: dict[str, Component]


@cache
def schemes() -> dict[str, IndexScheme]:
    """Each index's scale and components, read once from ``COMPONENTS_FILE``."""
    data = yaml.safe_load(COMPONENTS_FILE.read_text(encoding="utf-8"))
    found = {}
    for index in NationalIndex.values:
        entry = data[index]
        components = {
            c["code"]: Component(
                code=c["code"],
                name=c["name"],
                agencies=tuple((a["name"], a.get("until")) for a in c.get("agencies", ())),
            )
            for c in entry["components"]
        }
        found[index] = IndexScheme(max_score=int(entry["max_score"]), components=components)
    return found
