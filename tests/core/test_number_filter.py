"""Values of targets are written as the office writes them: no trailing zeros, the locale's
decimal mark."""

from decimal import Decimal

from django.utils import translation

from core.templatetags.text import number


def test_a_decimal_loses_its_trailing_zeros_and_takes_the_decimal_comma():
    with translation.override("vi"):
        assert number(Decimal("19.2000")) == "19,2"
        assert number(Decimal("100.0000")) == "100"
        assert number(Decimal("0.0500")) == "0,05"
        assert number(None) == ""
    with translation.override("en"):
        assert number(Decimal("19.2000")) == "19.2"
