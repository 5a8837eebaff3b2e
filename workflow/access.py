"""Who may see and do what with directives and assignments (registered in core.access).

- Everyone signed in reads published directives; drafts are for the office and leaders.
- An agency's people see its assignments, and the lead agency sees the contributions made to
  its assignments; reviewers (Văn phòng UBND tỉnh), leaders, inspectors and emulation officers
  see every assignment, because following up is their job.
- Acting follows the role: heads, deputies and clerks receive and delegate; the assignee (or a
  head) reports; heads and deputies approve; reviewers accept, triage and decide extensions.
"""

from django.db.models import Q

from agencies.access import has_role, holds_role, member_agencies
from agencies.choices import Role
from core import access

from .models import Assignment, Directive, DirectiveItem, Escalation

NOTHING = Q(pk__in=[])
OVERSEERS = (Role.REVIEWER, Role.LEADER, Role.INSPECTOR, Role.EMULATION_OFFICER)
RECEIVERS = (Role.HEAD, Role.DEPUTY, Role.CLERK)
APPROVERS = (Role.HEAD, Role.DEPUTY)


def may_create_directive(user) -> bool:
    """Directives are registered by the provincial office's reviewers (or the system)."""
    if user is None:
        return True
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or has_role(user, [Role.REVIEWER]))
    )


@access.register(Directive)
def directive_rule(user, action: str) -> Q:
    if action == access.VIEW:
        return holds_role(user, [Role.REVIEWER, Role.LEADER]) | ~Q(status="draft")
    if action in ("change", "assign", "publish"):
        return holds_role(user, [Role.REVIEWER])
    return NOTHING


@access.register(DirectiveItem)
def item_rule(user, action: str) -> Q:
    directives = access.restrict(Directive.objects.all(), user, action)
    return Q(directive_id__in=directives.values("pk"))


@access.register(Assignment)
def assignment_rule(user, action: str) -> Q:
    if action == access.VIEW:
        mine = member_agencies(user)
        return holds_role(user, OVERSEERS) | Q(agency_id__in=mine) | Q(parent__agency_id__in=mine)
    if action in ("receive", "refuse"):
        return Q(agency_id__in=member_agencies(user, roles=RECEIVERS))
    if action in ("report", "request_extension"):
        return Q(agency_id__in=member_agencies(user, roles=APPROVERS)) | (
            Q(assignee_id=user.pk) & Q(agency_id__in=member_agencies(user, roles=[Role.OFFICER]))
        )
    if action == "progress":
        return Q(agency_id__in=member_agencies(user, roles=(*RECEIVERS, Role.OFFICER)))
    if action in ("approve", "endorse_extension"):
        return Q(agency_id__in=member_agencies(user, roles=APPROVERS))
    if action in ("accept", "triage", "decide_extension", "transfer"):
        return holds_role(user, [Role.REVIEWER])
    return NOTHING


@access.register(Escalation)
def escalation_rule(user, action: str) -> Q:
    if action == access.VIEW:
        visible = access.restrict(Assignment.objects.all(), user, access.VIEW)
        return Q(assignment_id__in=visible.values("pk"))
    if action == "decide_escalation":
        return holds_role(user, [Role.REVIEWER]) & Q(sent_to_leader=False)
    if action == "decide_escalation_leader":
        return holds_role(user, [Role.LEADER]) & Q(sent_to_leader=True)
    return NOTHING
