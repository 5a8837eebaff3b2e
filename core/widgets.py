"""Selects written by Python instead of a template per option.

Django renders every ``<option>`` of a select through its own template (and each option's
attributes through another): about a third of a millisecond per option, which made the
filters of a list — every agency, every directive — the bulk of the page's time at a
province's volume. These widgets write the same markup (the ``optgroups`` Django computes,
its escaping and attribute rules) with string operations; ``searched`` leaves the choices out
of the page altogether, for the type-ahead to fetch as one types.
"""

from collections.abc import Callable
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name
    alone, anything else its escaped text."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {name}")
        else:
            out.append(f' {name}="{conditional_escape(str(value))}"')
    return "".join(out)


class FastSelect(forms.Select):
    """``forms.Select``, rendered without a template per option."""

    # Set by ``searched``: the choices come from the server as one types, and the page holds
    # only the fixed ones and those chosen.
    search_url = ""
    chosen: Callable[[list[str]], list] | None = None  # chosen values -> their choices
    fixed: list = []

    def searched(self, url: str, chosen, fixed=()):
        """Offer the choices through the type-ahead's search (``url`` answers ``?q=``, see
        static/js/typeahead.js) instead of writing every one into the page: the select holds
        ``fixed`` (the blank choice) and what is chosen (``chosen(values)``)."""
        self.search_url, self.chosen, self.fixed = url, chosen, list(fixed)
        self.attrs = {**self.attrs, "data-typeahead-url": url}
        return self

    def render(self, name, value, attrs=None, renderer=None):
        if self.chosen is not None:
            given = value if isinstance(value, list | tuple) else [value]
            given = [str(v) for v in given if v not in (None, "")]
            self.choices = self.fixed + (list(self.chosen(given)) if given else [])
        widget = self.get_context(name, value, attrs)["widget"]
        out = [
            f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>'
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                out.append(f'\n  <optgroup label="{conditional_escape(group)}">')
            for option in options:
                attrs = _attributes(option["attrs"])
                out.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{attrs}>'
                    f"{conditional_escape(option['label'])}</option>"
                )
            if group:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    """``forms.SelectMultiple``, rendered without a template per option."""


class SearchedChoiceField(forms.ModelChoiceField):
    """A model chooser whose page holds the blank choice and the row chosen only; the others
    come from the type-ahead's search at ``url`` (``FastSelect.searched``), which must offer
    what ``queryset`` holds (the queryset still decides what is accepted)."""

    widget = FastSelect

    def __init__(self, *args, url, texts=None, **kwargs):
        """``texts``: the type-ahead's data attributes (placeholder, empty, found, remove:
        see static/js/typeahead.js), in the user's language."""
        super().__init__(*args, **kwargs)
        self.search_url = url
        attrs = {f"data-typeahead-{k}": v for k, v in (texts or {}).items()}
        self.widget.attrs = {"data-typeahead": True, **attrs, **self.widget.attrs}
        self._search()

    def _search(self) -> None:
        blank = [("", self.empty_label)] if self.empty_label is not None else []
        cast(FastSelect, self.widget).searched(self.search_url, self._chosen, fixed=blank)

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy._search()  # the copy's widget names the copy's rows
        return copy

    def _chosen(self, values) -> list:
        key = self.to_field_name or "pk"
        if self.queryset is None:
            return []
        try:
            rows = list(self.queryset.filter(**{f"{key}__in": values}))
        except (ValueError, TypeError, ValidationError):
            return []
        return [(self.prepare_value(row), self.label_from_instance(row)) for row in rows]
