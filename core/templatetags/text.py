"""Template filters for text: ``{% load text %}`` then ``{{ title|shorten:60 }}``,
``{{ value|number }}``."""

from decimal import Decimal

from django import template
from django.utils import formats

from core import text

register = template.Library()


@register.filter
def shorten(value, width: int) -> str:
    """The text cut at a word within ``width`` characters and ended with "…" (never mid-word)."""
    return text.shorten(str(value or ""), int(width))


@register.filter
def number(value) -> str:
    """A decimal as the office writes it: its digits without trailing zeros, with the
    locale's decimal mark ("19,2", not "19,2000"); empty for none."""
    digits = text.decimal_text(value)
    return formats.number_format(Decimal(digits), use_l10n=True) if digits else ""
