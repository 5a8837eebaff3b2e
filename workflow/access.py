"""Who may see and do what with directives, assignments and extension requests (registered in
core.access).

- Everyone signed in reads published directives; drafts are for the office and leaders. The
  office's reviewers register, change, publish and assign directives.
- An agency's people see its assignments, and the lead agency sees the contributions made to
  its assignments; reviewers (Văn phòng UBND tỉnh), leaders, inspectors and emulation officers
  see every assignment, because following up is their job.
- Acting follows the role: heads, deputies and clerks receive and delegate; the assignee (or a
  head) reports; heads and deputies approve and endorse extension requests; reviewers accept,
  triage, transfer and decide extensions; reviewers and leaders may set a later due date or give
  the work to another agency or officer (what an escalation decision does).
"""

from django.db.models import Q

from agencies.access import has_role, holds_role, member_agencies
from agencies.choices import Role
from core import access

from .choices import AssignmentAction, DirectiveAction, DirectiveStatus, ExtensionAction
from .models import Assignment, Attachment, Directive, DirectiveItem, ExtensionRequest

NOTHING = Q(pk__in=[])
OVERSEERS = (Role.REVIEWER, Role.LEADER, Role.INSPECTOR, Role.EMULATION_OFFICER)
RECEIVERS = (Role.HEAD, Role.DEPUTY, Role.CLERK)
APPROVERS = (Role.HEAD, Role.DEPUTY)
# Who an assignment may be given to inside its agency.
ASSIGNEE_ROLES = (Role.OFFICER, Role.DEPUTY, Role.HEAD)


def of_visible_assignments(user, path: str = "assignment_id") -> Q:
    """Rows whose assignment ``user`` may see (through ``path``): an extension request, a
    piece of evidence, an escalation is seen by whoever sees its assignment."""
    visible = access.restrict(Assignment.objects.all(), user, AssignmentAction.VIEW)
    # The overseers' test first and on its own: for them the database never builds the set of
    # every visible assignment id (the whole province) to test each row against.
    return holds_role(user, OVERSEERS) | Q(**{f"{path}__in": visible.values("pk")})


@access.register_model(Directive)
def directive_model_rule(user, action: str) -> bool:
    """Directives are registered (by hand or through the importer) by the office's reviewers."""
    return action == DirectiveAction.ADD and has_role(user, [Role.REVIEWER])


@access.register(Directive)
def directive_rule(user, action: str) -> Q:
    if action == DirectiveAction.VIEW:
        return holds_role(user, [Role.REVIEWER, Role.LEADER]) | ~Q(status=DirectiveStatus.DRAFT)
    if action in (DirectiveAction.CHANGE, DirectiveAction.ASSIGN, DirectiveAction.PUBLISH):
        return holds_role(user, [Role.REVIEWER])
    return NOTHING


@access.register(DirectiveItem)
def item_rule(user, action: str) -> Q:
    directives = access.restrict(Directive.objects.all(), user, action)
    return Q(directive_id__in=directives.values("pk"))


def _agency_roles(user, roles) -> Q:
    return Q(agency_id__in=member_agencies(user, roles=roles))


@access.register(Assignment)
def assignment_rule(user, action: str) -> Q:
    A = AssignmentAction
    if action == A.VIEW:
        mine = member_agencies(user)
        # The lead agency's contributions through a subquery, not a join to the parent: the
        # count of a list then reads each assignment row once (a join doubled the cost of
        # every list for the people who see everything).
        led = Assignment.objects.filter(agency_id__in=mine).values("pk")
        return holds_role(user, OVERSEERS) | Q(agency_id__in=mine) | Q(parent_id__in=led)
    if action in (A.RECEIVE, A.REFUSE):
        return _agency_roles(user, RECEIVERS)
    if action in (A.REPORT, A.REQUEST_EXTENSION):
        return _agency_roles(user, APPROVERS) | (
            Q(assignee_id=user.pk) & _agency_roles(user, [Role.OFFICER])
        )
    if action == A.PROGRESS:
        return _agency_roles(user, (*RECEIVERS, Role.OFFICER))
    if action == A.APPROVE:
        return _agency_roles(user, APPROVERS)
    if action in (A.ACCEPT, A.TRIAGE, A.TRANSFER):
        return holds_role(user, [Role.REVIEWER])
    if action in (A.EXTEND, A.REASSIGN):
        return holds_role(user, [Role.REVIEWER, Role.LEADER])
    return NOTHING


@access.register(ExtensionRequest)
def extension_rule(user, action: str) -> Q:
    if action == ExtensionAction.VIEW:
        return of_visible_assignments(user)
    if action == ExtensionAction.ENDORSE:
        return Q(assignment__agency_id__in=member_agencies(user, roles=APPROVERS))
    if action == ExtensionAction.DECIDE:
        return holds_role(user, [Role.REVIEWER])
    return NOTHING


@access.register(Attachment)
def attachment_rule(user, action: str) -> Q:
    """Evidence is seen by whoever sees its assignment; it is never changed once filed."""
    if action == access.VIEW:
        return of_visible_assignments(user, "report__assignment_id")
    return NOTHING
