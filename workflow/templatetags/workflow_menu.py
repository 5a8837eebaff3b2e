"""What the header's menu offers a user of the workflow's pages."""

from django import template

from core import access
from workflow import selectors
from workflow.choices import AssignmentAction
from workflow.models import Assignment

register = template.Library()


@register.filter
def sees_extension_requests(user) -> bool:
    """``{% if user|sees_extension_requests %}``: heads, deputies, reviewers and leaders."""
    return selectors.extension_page_is_for(user)


@register.filter
def sees_explanations(user) -> bool:
    """``{% if user|sees_explanations %}``: heads, deputies and those who follow up."""
    return selectors.explanation_page_is_for(user)


@register.filter
def moves_reorganised_work(user) -> bool:
    """``{% if user|moves_reorganised_work %}``: the office, who move the work of agencies
    that ended to those that took it over."""
    return access.may(user, AssignmentAction.TRANSFER, Assignment)
