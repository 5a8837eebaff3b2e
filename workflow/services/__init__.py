"""Every change to directives and assignments, one function per action.

Each service runs in one transaction, in this order: lock the row → ``require`` → check the
state → change → validate → save → audit (the assignment's timeline) → complete the viewflow
task → tell the apps that follow (``workflow.hooks``). The UI, the API and the commands call
only these. ``at`` lets tests and the demo say when an action happened; it defaults to now.
"""

from core.flowtasks import AlreadyHandled

from .assigning import (
    Addressees,
    Target,
    assignment_issue,
    assignments_create,
    assignments_create_for_groups,
)
from .directives import directive_create, directive_publish, directive_update, item_add, item_update
from .explanations import explanation_answer, explanation_request, explanation_withdraw
from .extensions import assignment_extend, extension_decide, extension_endorse, extension_request
from .history import Outcome, outcomes_record
from .indices import (
    ComponentValue,
    ImportSummary,
    index_result_save,
    index_results_import,
)
from .publication import publication_publish, publication_withdraw
from .recurrence import obligation_create, occurrences_generate
from .reorganisation import reorganisation_transfer
from .reports import (
    completion_report_file,
    progress_report_file,
    report_accept,
    report_approve,
    report_return,
    report_return_office,
)
from .steps import assignment_receive, assignment_refuse, assignment_triage
from .targets import (
    indicator_create,
    indicator_update,
    measurement_confirm,
    measurement_correct,
    measurement_report,
)
from .transfers import assignment_reassign, assignment_transfer

__all__ = [
    "measurement_correct",
    "explanation_answer",
    "explanation_request",
    "explanation_withdraw",
    "Addressees",
    "AlreadyHandled",
    "ComponentValue",
    "ImportSummary",
    "Outcome",
    "Target",
    "assignment_extend",
    "assignment_issue",
    "assignment_reassign",
    "assignment_receive",
    "assignment_refuse",
    "assignment_transfer",
    "assignment_triage",
    "assignments_create",
    "assignments_create_for_groups",
    "completion_report_file",
    "directive_create",
    "directive_publish",
    "directive_update",
    "extension_decide",
    "extension_endorse",
    "extension_request",
    "index_result_save",
    "index_results_import",
    "indicator_create",
    "indicator_update",
    "item_add",
    "item_update",
    "measurement_confirm",
    "measurement_report",
    "obligation_create",
    "occurrences_generate",
    "outcomes_record",
    "progress_report_file",
    "publication_publish",
    "publication_withdraw",
    "reorganisation_transfer",
    "report_accept",
    "report_approve",
    "report_return",
    "report_return_office",
]
