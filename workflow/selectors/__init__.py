"""Every read of directives and assignments, scoped to what the user may see."""

from .assigning import (
    agency_dashboard,
    assignees_for,
    assignment_detail_list,
    assignment_get,
    assignment_list,
    assignments_by_pk,
    item_progress,
    timeliness,
)
from .directives import directive_get, directive_list
from .extensions import extension_list, extension_page_is_for, extension_request_list
from .timeline import assignment_timeline
from .transfers import stranded_list, successors_for

__all__ = [
    "agency_dashboard",
    "assignees_for",
    "assignment_detail_list",
    "assignment_get",
    "assignment_list",
    "assignment_timeline",
    "assignments_by_pk",
    "directive_get",
    "directive_list",
    "extension_list",
    "extension_page_is_for",
    "extension_request_list",
    "item_progress",
    "timeliness",
    "stranded_list",
    "successors_for",
]
