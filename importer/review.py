"""A reviewer's corrections to the importer's proposal, kept as data: per item, the agencies
and their roles, the recurring reports, the deadline, a short title, what the assignments must
produce and the agency that gathers the results. ``review_apply`` gives the corrected document
(confirmed by ``confirm.breakdown_confirm``, as any reviewed breakdown) and the record of what
the review changed, item by item (the proposal beside the correction).

The corrections file (YAML)::

    source: who reviewed, against what
    items:
      "15":
        reason: why (the practice or the source it follows)
        title: a short title, as a person would write it
        expected_output: what the work must produce
        focal_agency: QT-SNV            # the agency that gathers the item's results
        agencies:                       # replaces the mentions read in the text
          - {matched: QT-SNV, role: lead}
          - {matched: QT-VPUBND, role: coordinating}
        periods: [half_yearly]          # replaces the recurring reports ([] for none)
        deadline: null                  # replaces the deadline (null: none, continuous work)
"""

import copy
from typing import Any

from django.utils.translation import gettext as _

from core.exceptions import InvalidInput

from .document import BreakdownDocument

# What a correction may say of an item, and how the record shows the proposal's value.
FIELDS = ("title", "expected_output", "focal_agency", "agencies", "periods", "deadline")


def _mentions(entries: list[dict]) -> list[str]:
    return [
        f"{e.get('matched') or e.get('collective') or e.get('text')}: {e.get('role') or 'lead'}"
        for e in entries
    ]


def _proposed(item: dict, field: str) -> Any:
    if field == "agencies":
        return _mentions(item.get("agencies") or [])
    if field == "periods":
        return list((item.get("recurrence") or {}).get("periods") or [])
    if field == "deadline":
        deadline = item.get("deadline") or {}
        return deadline.get("date")
    return item.get(field) or ""


def review_apply(document: BreakdownDocument, review: dict) -> tuple[BreakdownDocument, dict]:
    """The document with the review's corrections, and the record ``{item number: {field:
    {"proposed": …, "reviewed": …}, "reason": …}}``. A correction of an item the document does
    not have, or of a field not in ``FIELDS``, is refused (nothing is applied)."""
    corrected: Any = copy.deepcopy(document)
    items = {str(item.get("number")): item for item in corrected.get("items") or []}
    wanted = review.get("items") or {}
    unknown = sorted(set(map(str, wanted)) - set(items))
    if unknown:
        raise InvalidInput(
            _("The review corrects items the text does not have: {items}.").format(
                items=", ".join(unknown)
            ),
            code="review_unknown_item",
        )
    record: dict[str, dict] = {}
    for number, change in wanted.items():
        item = items[str(number)]
        bad = sorted(set(change) - {*FIELDS, "reason"})
        if bad:
            raise InvalidInput(
                _("Item {number}: the review cannot change {fields}.").format(
                    number=number, fields=", ".join(bad)
                ),
                code="review_unknown_field",
            )
        entry: dict[str, Any] = {"reason": change.get("reason", "")}
        for field in FIELDS:
            if field not in change:
                continue
            before = _proposed(item, field)
            value = change[field]
            if field == "agencies":
                texts = {
                    (e.get("matched"), e.get("collective")): e.get("text", "")
                    for e in item.get("agencies") or []
                }
                item["agencies"] = [
                    {
                        "text": texts.get((e.get("matched"), e.get("collective")), ""),
                        "modality": "order",
                        **e,
                    }
                    for e in value
                ]
                after: Any = _mentions(item["agencies"])
            elif field == "periods":
                if value:
                    item["recurrence"] = {**(item.get("recurrence") or {}), "periods": value}
                else:
                    item["recurrence"] = None
                after = list(value)
            elif field == "deadline":
                item["deadline"] = (
                    {"policy": "fixed", "date": str(value)} if value else {"policy": "continuous"}
                )
                after = str(value) if value else None
            else:
                item[field] = value
                after = value
            if after != before:
                entry[field] = {"proposed": before, "reviewed": after}
        record[str(number)] = entry
    return corrected, record
