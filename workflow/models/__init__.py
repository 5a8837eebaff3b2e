"""Directives, their items, the assignments made from them, and what happens to each."""

from .assigning import Assignment, AssignmentProcess
from .directives import Directive, DirectiveItem
from .extensions import ExtensionProcess, ExtensionRequest
from .recurrence import RecurringObligation
from .reports import Attachment, ProgressReport, evidence_path

__all__ = [
    "Directive",
    "DirectiveItem",
    "RecurringObligation",
    "Assignment",
    "AssignmentProcess",
    "ProgressReport",
    "evidence_path",
    "Attachment",
    "ExtensionRequest",
    "ExtensionProcess",
]
