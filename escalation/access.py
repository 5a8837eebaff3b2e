"""Who may see and decide escalations (registered in core.access).

Whoever sees an assignment sees its escalations; the office's reviewers decide the open ones,
and a leader of UBND tỉnh decides those the office sent up.
"""

from django.db.models import Q

from agencies.access import has_role, holds_role
from agencies.choices import Role
from core import access
from workflow.access import of_visible_assignments

from .choices import EscalationAction
from .models import Escalation

NOTHING = Q(pk__in=[])


def decide_action(escalation: Escalation) -> str:
    """The right that deciding ``escalation`` takes now: the office's, or once it was sent up,
    a leader's."""
    if escalation.sent_to_leader:
        return EscalationAction.DECIDE_AS_LEADER
    return EscalationAction.DECIDE


@access.register(Escalation)
def escalation_rule(user, action: str) -> Q:
    if action == EscalationAction.VIEW:
        return of_visible_assignments(user)
    if action == EscalationAction.DECIDE:
        return holds_role(user, [Role.REVIEWER]) & Q(sent_to_leader=False)
    if action == EscalationAction.DECIDE_AS_LEADER:
        return holds_role(user, [Role.LEADER]) & Q(sent_to_leader=True)
    return NOTHING


@access.register_model(Escalation)
def escalation_model_rule(user, action: str) -> bool:
    """Deciding escalations, one or several at once, before any is chosen: the office's
    reviewers decide, a leader decides those sent up (each one is then checked by its row)."""
    if action == EscalationAction.DECIDE:
        return has_role(user, [Role.REVIEWER])
    if action == EscalationAction.DECIDE_AS_LEADER:
        return has_role(user, [Role.LEADER])
    return False


def may_decide_some(user) -> bool:
    """Whether ``user`` decides escalations at all (the list offers its bulk decision)."""
    return access.may(user, EscalationAction.DECIDE, Escalation) or access.may(
        user, EscalationAction.DECIDE_AS_LEADER, Escalation
    )
