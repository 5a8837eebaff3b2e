"""Every change to checklists, plans, inspections, findings and recommendations, one function
per action; the UI, the API and the commands call only these."""

from core.flowtasks import AlreadyHandled

from .evidence import finding_evidence_add
from .inspections import (
    FindingConflict,
    Member,
    Recorded,
    finding_record,
    inspection_schedule,
    minutes_confirm,
    minutes_draft,
    plan_create,
)
from .recommendations import (
    DEFAULT_DUE_DAYS,
    conclusion_issue,
    hooks_connect,
    recommendation_add,
    recommendation_remove,
    recommendation_verify,
)
from .templates import (
    CriterionData,
    checklist_load,
    criterion_remove,
    criterion_save,
    template_create,
    template_rename,
)

__all__ = [
    "DEFAULT_DUE_DAYS",
    "AlreadyHandled",
    "CriterionData",
    "checklist_load",
    "FindingConflict",
    "Member",
    "Recorded",
    "conclusion_issue",
    "criterion_remove",
    "criterion_save",
    "finding_evidence_add",
    "finding_record",
    "hooks_connect",
    "inspection_schedule",
    "minutes_confirm",
    "minutes_draft",
    "plan_create",
    "recommendation_add",
    "recommendation_remove",
    "recommendation_verify",
    "template_create",
    "template_rename",
]
