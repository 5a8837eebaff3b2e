"""What the header's menu offers a user of the workflow's pages."""

from django import template

from workflow import selectors

register = template.Library()


@register.filter
def sees_extension_requests(user) -> bool:
    """``{% if user|sees_extension_requests %}``: heads, deputies, reviewers and leaders."""
    return selectors.extension_page_is_for(user)
