"""Template filters for text: ``{% load text %}`` then ``{{ title|shorten:60 }}``."""

from django import template

from core import text

register = template.Library()


@register.filter
def shorten(value, width: int) -> str:
    """The text cut at a word within ``width`` characters and ended with "…" (never mid-word)."""
    return text.shorten(str(value or ""), int(width))
