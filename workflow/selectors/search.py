"""The folded search of assignments, shared by their page and the API.

Searches are folded (case, diacritics, đ, punctuation: ``core.text.fold``) on both sides: the
query here, the text in ``search_text`` columns the services keep. So "cai cach" finds "Cải
cách" and "CẢI CÁCH" on SQLite and PostgreSQL alike, with a plain ``LIKE '%…%'``.

An assignment is found by its own folded title and expected output, by its item's folded text
(kept once on the item, not copied into every agency's assignment) or by the names of its
agencies. The items and agencies that match are looked up first, in small tables, and the
assignments are then filtered by their ids: on PostgreSQL each branch of the OR is then served by
an index (pg_trgm GIN on the folded column, B-tree on the ids), which a subquery inside an OR
would not be. SQLite has no trigram index: there the search reads the short folded column of
every visible row — milliseconds for an embedded install's tens of thousands of assignments, a few
tenths of a second at 200,000; an office at the scale of a million runs PostgreSQL.
"""

from django.db.models import Q, QuerySet

from agencies.selectors import agency_ids_named
from core.text import fold

from ..models import Assignment, DirectiveItem

# Past this many matching items (a word found in nearly every item) they are matched by a
# subquery instead of a list of ids, which keeps the query short; such a search reads most
# rows anyway.
ITEM_IDS_MAX = 5000


def assignments_matching(queryset: QuerySet[Assignment], *, text: str) -> QuerySet[Assignment]:
    """The folded words in the title, the expected output or the item's text, or in a name
    (any version's, or an alias) of the agency responsible or as written. Two queries
    before the list's own, whatever the number of rows."""
    key = fold(text)
    if not key:
        return queryset
    found = Q(search_text__contains=key)
    items = DirectiveItem.objects.filter(search_text__contains=key).values_list("pk", flat=True)
    item_ids = list(items.order_by()[: ITEM_IDS_MAX + 1])
    if len(item_ids) > ITEM_IDS_MAX:
        found |= Q(item_id__in=items)
    elif item_ids:
        found |= Q(item_id__in=item_ids)
    agencies = agency_ids_named(text=key)
    if agencies:
        found |= Q(agency_id__in=agencies) | Q(agency_as_written_id__in=agencies)
    return queryset.filter(found)
