"""Fixtures shared by the workflow tests of targets (pages, API and services)."""

from datetime import date
from decimal import Decimal

import pytest

from workflow.services import indicator_create


@pytest.fixture
def item(directive):
    return directive.items.get(number="2")


@pytest.fixture
def indicator(item, people, small_tree):
    return indicator_create(
        actor=people["reviewer"],
        item=item,
        name="Tỷ lệ giải ngân vốn đầu tư công",
        unit="%",
        target_min=Decimal(95),
        target_max=Decimal(95),
        due_on=date(2026, 12, 31),
        agency=small_tree["TC"],
    )
