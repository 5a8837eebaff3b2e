"""Who may see and do what with inspections (registered in core.access).

- The province's overseers (the office, leaders, inspectors, emulation officers) and the
  organiser's people see every plan and inspection; the team sees its inspection through the
  django-guardian grants made when the team is set up; the inspected agency sees its own
  inspection (an unannounced one from the day of the visit), the team's findings once the
  minutes are signed, and the recommendations once the conclusion is issued.
- Only the organiser changes a plan or an inspection; only the team records findings and
  verifies (guardian ``record_inspection``); only the team's head drafts the minutes
  (``lead_inspection``); the inspected agency's head confirms them; the organiser's head
  issues the conclusion.
"""

from django.db.models import Q

from agencies.access import has_role, holds_role, member_agencies
from agencies.choices import Role
from core import access
from core.sql import among_rows
from core.time import local_date
from workflow.access import OVERSEERS

from .choices import (
    SIGNED_STATES,
    FindingSide,
    InspectionAction,
    InspectionStatus,
    PlanForm,
    RecommendationStatus,
)
from .models import (
    ChecklistTemplate,
    Criterion,
    Finding,
    FindingEvidence,
    Inspection,
    InspectionPlan,
    Recommendation,
)

NOTHING = Q(pk__in=[])
# Who acts for the organiser (Sở Nội vụ, Văn phòng UBND tỉnh): its inspectors and its heads.
ORGANISER_ROLES = (Role.INSPECTOR, Role.HEAD, Role.DEPUTY)
HEADS = (Role.HEAD, Role.DEPUTY)
# Who in the inspected agency fills its self-assessment.
SELF_ASSESSORS = (Role.HEAD, Role.DEPUTY, Role.OFFICER)


def granted(user, action: str, path: str = "pk") -> Q:
    """The inspections granted to ``user`` for ``action`` through django-guardian (the team),
    as a condition on ``path`` (an inspection's id)."""
    by_user, by_group = access.granted_parts(user, action, Inspection)
    return among_rows(path, by_user) | among_rows(path, by_group)


def _insiders(user, prefix: str = "") -> Q:
    """Inspections seen from the inspecting side: overseers, the organiser's people, the team."""
    return (
        holds_role(user, OVERSEERS)
        | Q(**{f"{prefix}plan__organiser_id__in": member_agencies(user)})
        | granted(user, InspectionAction.VIEW, f"{prefix}pk" if prefix else "pk")
    )


@access.register(InspectionPlan)
def plan_rule(user, action: str) -> Q:
    if action == InspectionAction.VIEW:
        team = Inspection.objects.filter(granted(user, InspectionAction.VIEW)).values("plan_id")
        return access.Complete(
            holds_role(user, OVERSEERS) | Q(organiser_id__in=member_agencies(user)) | Q(pk__in=team)
        )
    if action == InspectionAction.MANAGE:
        return Q(organiser_id__in=member_agencies(user, ORGANISER_ROLES))
    return NOTHING


@access.register_model(InspectionPlan)
def plan_model_rule(user, action: str) -> bool:
    """Registering a plan: an inspector (the agency it is for is checked by the service)."""
    return action == InspectionAction.MANAGE and has_role(user, [Role.INSPECTOR])


def inspections_insider(user) -> Q:
    return _insiders(user)


def told_beforehand() -> Q:
    """The inspections the inspected agency may know of: all but an unannounced visit still to
    come (kiểm tra đột xuất: the agency learns of it when the team arrives, on the day)."""
    return ~Q(plan__form=PlanForm.UNANNOUNCED) | ~Q(
        status=InspectionStatus.SCHEDULED, scheduled_on__gt=local_date()
    )


@access.register(Inspection)
def inspection_rule(user, action: str) -> Q:
    if action == InspectionAction.VIEW:
        own = Q(agency_id__in=member_agencies(user)) & told_beforehand()
        return access.Complete(_insiders(user) | own)
    if action == InspectionAction.MANAGE:
        return Q(plan__organiser_id__in=member_agencies(user, ORGANISER_ROLES))
    if action == InspectionAction.CONFIRM:
        return Q(agency_id__in=member_agencies(user, HEADS))
    if action == InspectionAction.SELF_ASSESS:
        return Q(agency_id__in=member_agencies(user, SELF_ASSESSORS)) & told_beforehand()
    if action == InspectionAction.CONCLUDE:
        return Q(plan__organiser_id__in=member_agencies(user, HEADS))
    # RECORD and LEAD: the team only, through its grants (added by core.access.restrict).
    return NOTHING


@access.register(Finding)
def finding_rule(user, action: str) -> Q:
    if action != InspectionAction.VIEW:
        return NOTHING
    own = Q(inspection__agency_id__in=member_agencies(user))
    return access.Complete(
        _insiders(user, "inspection__")
        | (own & (Q(side=FindingSide.AGENCY) | Q(inspection__status__in=list(SIGNED_STATES))))
    )


@access.register(FindingEvidence)
def evidence_rule(user, action: str) -> Q:
    if action != InspectionAction.VIEW:
        return NOTHING
    return access.Complete(Q(finding__in=Finding.objects.restrict(user).values("pk")))


@access.register(Recommendation)
def recommendation_rule(user, action: str) -> Q:
    if action != InspectionAction.VIEW:
        return NOTHING
    theirs = Q(inspection__agency_id__in=member_agencies(user)) | Q(
        agency_id__in=member_agencies(user)
    )
    return access.Complete(
        _insiders(user, "inspection__") | (theirs & ~Q(status=RecommendationStatus.DRAFT))
    )


@access.register(ChecklistTemplate)
def template_rule(user, action: str) -> Q:
    # Checklists are no secret: every signed-in person may read them (agencies prepare for
    # their inspection with them); inspectors edit them (the model rule).
    return Q() if action == InspectionAction.VIEW else NOTHING


@access.register_model(ChecklistTemplate)
def template_model_rule(user, action: str) -> bool:
    return action == InspectionAction.EDIT_TEMPLATES and has_role(user, [Role.INSPECTOR])


@access.register(Criterion)
def criterion_rule(user, action: str) -> Q:
    return Q() if action == InspectionAction.VIEW else NOTHING
