"""Directives, their items, the assignments made from them, and what happens to each."""

from .assigning import Assignment, AssignmentProcess
from .directives import Directive, DirectiveItem, Publication
from .explanations import ExplanationRequest
from .extensions import ExtensionProcess, ExtensionRequest
from .recurrence import RecurringObligation
from .reports import Attachment, ProgressReport, evidence_path
from .targets import IndexComponent, IndexResult, Indicator, Measurement, MeasurementEvidence

__all__ = [
    "Directive",
    "DirectiveItem",
    "Publication",
    "RecurringObligation",
    "Assignment",
    "AssignmentProcess",
    "ProgressReport",
    "evidence_path",
    "Attachment",
    "ExtensionRequest",
    "ExtensionProcess",
    "Indicator",
    "Measurement",
    "MeasurementEvidence",
    "IndexResult",
    "IndexComponent",
    "ExplanationRequest",
]
