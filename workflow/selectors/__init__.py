"""Every read of directives and assignments, scoped to what the user may see."""

from .assigning import (
    agency_names,
    api_rows,
    assignees_for,
    assignment_detail_list,
    assignment_get,
    assignment_list,
    assignment_page,
    assignment_rows,
    assignments_by_pk,
    item_progress,
    name_rows,
    timeliness,
    timeliness_is,
)
from .directives import directive_choices, directive_get, directive_list, item_get
from .explanations import (
    explanation_get,
    explanation_list,
    explanation_page_is_for,
    explanation_tally,
    explanations_awaited,
    explanations_told,
    latest_explanation,
)
from .explanations import group_totals as explanation_group_totals
from .extensions import extension_list, extension_page_is_for, extension_request_list
from .inbox import inbox_subjects
from .publication import (
    public_directives,
    public_items,
    public_progress,
    publication_get,
    publication_revision,
)
from .targets import (
    index_result_get,
    index_result_list,
    indicator_get,
    indicator_list,
    indicators_with_status,
    measurement_evidence_get,
    measurement_get,
    measurement_list,
)
from .timeline import assignment_timeline
from .transfers import ended_agencies, ended_agencies_read, stranded_list, successors_for

__all__ = [
    "agency_names",
    "api_rows",
    "assignees_for",
    "assignment_detail_list",
    "assignment_get",
    "assignment_list",
    "assignment_page",
    "assignment_rows",
    "assignment_timeline",
    "assignments_by_pk",
    "directive_choices",
    "directive_get",
    "directive_list",
    "explanation_get",
    "explanation_group_totals",
    "explanation_list",
    "explanation_page_is_for",
    "explanation_tally",
    "explanations_awaited",
    "explanations_told",
    "latest_explanation",
    "extension_list",
    "extension_page_is_for",
    "extension_request_list",
    "inbox_subjects",
    "index_result_get",
    "index_result_list",
    "indicator_get",
    "indicator_list",
    "indicators_with_status",
    "item_get",
    "item_progress",
    "measurement_evidence_get",
    "measurement_get",
    "measurement_list",
    "name_rows",
    "public_directives",
    "public_items",
    "public_progress",
    "publication_get",
    "publication_revision",
    "timeliness",
    "timeliness_is",
    "ended_agencies",
    "ended_agencies_read",
    "stranded_list",
    "successors_for",
]
