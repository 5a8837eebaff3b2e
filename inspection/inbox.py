"""inspection's inbox sources: the team's tasks (conduct and draft the minutes, verify a
recommendation), the inspected head's (confirm the minutes) and the organiser's head's
(issue the conclusion). The inspected agency's answers to recommendations are remediation
assignments: they are in the inbox as every assignment is."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import has_role, member_agencies
from core import access, inbox

from .access import HEADS, granted
from .choices import InspectionAction
from .flows import InspectionFlow, VerificationFlow

INSPECTION = "process__inspectionprocess__inspection__"
RECOMMENDATION = "process__verificationprocess__recommendation__"


def _team(path: str):
    """Tasks of the inspections ``user`` is on the team of (django-guardian's grants)."""

    def condition(user):
        if not access.holds_grants(user):
            return None
        return granted(user, InspectionAction.RECORD, path)

    return condition


def _heads(path: str):
    def condition(user):
        if not has_role(user, HEADS):
            return None
        return Q(**{f"{path}__in": member_agencies(user, HEADS)})

    return condition


INSPECTION_KINDS = (
    inbox.TaskKind(
        "inspection_conduct",
        _("Inspection to conduct"),
        (InspectionFlow.conduct,),
        _team(f"{INSPECTION}id"),
    ),
    inbox.TaskKind(
        "inspection_confirm",
        _("Inspection minutes to confirm"),
        (InspectionFlow.confirm,),
        _heads(f"{INSPECTION}agency_id"),
    ),
    inbox.TaskKind(
        "inspection_conclude",
        _("Inspection conclusion to issue"),
        (InspectionFlow.conclude,),
        _heads(f"{INSPECTION}plan__organiser_id"),
    ),
)
VERIFICATION_KINDS = (
    inbox.TaskKind(
        "inspection_verify",
        _("Recommendation to verify"),
        (VerificationFlow.verify,),
        _team(f"{RECOMMENDATION}inspection_id"),
    ),
)

_STEP_URL = {
    "conduct": "inspection:conduct",
    "confirm": "inspection:confirm",
    "conclude": "inspection:conclude",
}


def _inspection_row(task, kind) -> inbox.InboxRow:
    pk = task.process.inspectionprocess.inspection_id
    return inbox.InboxRow(
        task=task, kind=kind, subject_id=pk, url=reverse(_STEP_URL[task.flow_task.name], args=[pk])
    )


def _verification_row(task, kind) -> inbox.InboxRow:
    pk = task.process.verificationprocess.recommendation_id
    return inbox.InboxRow(
        task=task, kind=kind, subject_id=pk, url=reverse("inspection:verify", args=[pk])
    )


def _inspections(user, ids):
    from .selectors import inbox_inspections

    return inbox_inspections(user=user, pks=ids)


def _recommendations(user, ids):
    from .selectors import inbox_recommendations

    return inbox_recommendations(user=user, pks=ids)


def register() -> None:
    inbox.register(
        inbox.TaskSource(
            name="inspection.inspection",
            flows=(InspectionFlow,),
            row=_inspection_row,
            kinds=INSPECTION_KINDS,
            due_date=f"{INSPECTION}scheduled_on",
            row_fields=(f"{INSPECTION[:-2]}_id",),
            subjects=_inspections,
        )
    )
    inbox.register(
        inbox.TaskSource(
            name="inspection.verification",
            flows=(VerificationFlow,),
            row=_verification_row,
            kinds=VERIFICATION_KINDS,
            due_date=f"{RECOMMENDATION}due_date",
            row_fields=(f"{RECOMMENDATION[:-2]}_id",),
            subjects=_recommendations,
        )
    )
