"""Confirming an import keeps the targets it read: each item's indicators, with their target
year (the reference directive's item 3: PAR Index up 5 to 10 places; top 20 by 2025)."""

import copy
from datetime import date
from decimal import Decimal

import pytest

from core.exceptions import InvalidInput
from importer.confirm import breakdown_confirm
from workflow.choices import IndicatorDirection
from workflow.models import Directive, Indicator

from .conftest import item

pytestmark = pytest.mark.slow


def test_item_3_targets_land_as_indicators_with_their_year(reference_doc, reviewer):
    document = copy.deepcopy(reference_doc)
    item(document, "3")["focal_agency"] = "QT-SNV"  # as the office's review sets it
    directive = breakdown_confirm(actor=reviewer, document=document)
    three = Indicator.objects.filter(item__directive=directive, item__number="3").order_by("pk")
    places, top = list(three)
    assert (places.target_min, places.target_max, places.unit) == (Decimal(5), Decimal(10), "bậc")
    assert places.direction == IndicatorDirection.HIGHER
    # "năm 2002" is a typo the parser refuses as a year: the item's own deadline is the due date.
    assert places.target_year is None and places.due_on == date(2025, 12, 31)
    assert (top.target_min, top.target_max, top.unit) == (None, Decimal(20), "hạng")
    assert top.direction == IndicatorDirection.LOWER
    assert (top.target_year, top.due_on) == (2025, date(2025, 12, 31))
    assert "20" in top.source_text and top.name
    # The item's focal agency reports (Sở Nội vụ, which still exists today).
    assert places.agency.code == top.agency.code == "QT-SNV"
    four = Indicator.objects.get(item__directive=directive, item__number="4")
    assert (four.target_min, four.target_max, four.unit) == (Decimal(20), Decimal(25), "%")
    assert four.agency is None  # no focal agency: the office chooses who reports


@pytest.mark.parametrize(
    "target",
    [{"min": "năm", "unit": "bậc"}, {"unit": "%"}, {"value": 5, "year": 2002}, None],
)
def test_a_malformed_target_is_refused_and_nothing_is_created(reference_doc, reviewer, target):
    document = copy.deepcopy(reference_doc)
    item(document, "3")["indicators"][0]["target"] = target
    with pytest.raises(InvalidInput) as exc:
        breakdown_confirm(actor=reviewer, document=document)
    assert exc.value.code == "bad_indicator" and "3" in str(exc.value.message)
    assert not Directive.objects.exists() and not Indicator.objects.exists()
