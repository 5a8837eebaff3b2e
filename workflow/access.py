"""Who may see and do what with directives, assignments and extension requests (registered in
core.access).

- Everyone signed in reads published directives; drafts are for the office and leaders. The
  office's reviewers register, change, publish and assign directives, and make them public
  to citizens (or withdraw them); what is public is read without signing in, through
  ``workflow.selectors.publication``, never through these rules.
- An agency's people see its assignments, and the lead agency sees the contributions made to
  its assignments; reviewers (Văn phòng UBND tỉnh), leaders, inspectors and emulation officers
  see every assignment, because following up is their job.
- Acting follows the role: heads, deputies and clerks receive and delegate; the assignee (or a
  head) reports; heads and deputies approve and endorse extension requests; reviewers accept,
  triage, transfer and decide extensions; reviewers and leaders may set a later due date or give
  the work to another agency or officer (what an escalation decision does).
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from agencies.access import (
    has_role,
    holds_role,
    member_agencies,
    memberships_with,
    todays_memberships,
)
from agencies.choices import Role
from core import access
from core.sql import among

from .choices import (
    AssignmentAction,
    DirectiveAction,
    DirectiveStatus,
    ExplanationAction,
    ExtensionAction,
    IndexResultAction,
    IndicatorAction,
    MeasurementAction,
)
from .models import (
    Assignment,
    Attachment,
    Directive,
    DirectiveItem,
    ExplanationRequest,
    ExtensionRequest,
    IndexComponent,
    IndexResult,
    Indicator,
    Measurement,
    MeasurementEvidence,
)

NOTHING = Q(pk__in=[])
OVERSEERS = (Role.REVIEWER, Role.LEADER, Role.INSPECTOR, Role.EMULATION_OFFICER)
RECEIVERS = (Role.HEAD, Role.DEPUTY, Role.CLERK)
APPROVERS = (Role.HEAD, Role.DEPUTY)
# Who an assignment may be given to inside its agency.
ASSIGNEE_ROLES = (Role.OFFICER, Role.DEPUTY, Role.HEAD)


@dataclass(frozen=True)
class _Standing:
    overseer: bool  # holds an overseeing role today: sees every assignment
    agencies: tuple[int, ...]  # the agencies they act for today
    extra: tuple[int, ...]  # the contributions to those agencies' work, and the grants


def _standing(user) -> _Standing:
    """What the assignments ``user`` may see rest on today, read when the rule is built (and
    once per request): their overseeing roles and agencies (memberships), and for those who
    oversee nothing the contributions made to their agencies' assignments and the assignments
    granted to them through django-guardian (one more query).

    Read here rather than written into the rows' query as subqueries, because the plan
    depends on it: OR'ed into the query, "holds an overseeing role" (an EXISTS) and the
    subqueries turned every scoped list into a full scan with the test on each row, an
    external sort and a count of the whole table. Known first, an overseer's list has no
    condition at all and anybody else's is ``agency_id IN (…)`` — one index, read in the
    list's order — with the few other rows by key when there are any.
    """
    today = timezone.localdate()
    return access.remember(("assignment standing", user.pk, today), lambda: _read(user, today))


def _read(user, today) -> _Standing:
    # One query for all of it (with the memberships, when the request has not read them yet):
    # the contributions to the agencies' work, and the assignments granted to the person.
    contributions = Assignment.objects.filter(
        parent__isnull=False,
        parent__agency_id__in=todays_memberships(user).values("agency_id"),
    )
    riders = {"contributions": (contributions, "pk")}
    for n, granted in enumerate(access.granted_parts(user, AssignmentAction.VIEW, Assignment)):
        riders[f"granted {n}"] = (granted, "o")
    memberships, keys = memberships_with(user, riders)
    agencies = tuple(sorted({agency for agency, _role in memberships}))
    if any(role in OVERSEERS for _agency, role in memberships):
        return _Standing(overseer=True, agencies=agencies, extra=())
    extra = set().union(*keys.values())
    return _Standing(overseer=False, agencies=agencies, extra=tuple(sorted(extra)))


def _seen_by_members(standing: _Standing) -> Q:
    """The assignments of the agencies, and the other rows by key (with the grants already)."""
    seen = Q(agency_id__in=standing.agencies) if standing.agencies else NOTHING
    if standing.extra:
        seen |= Q(among("pk", standing.extra))
    return access.Complete(seen)


def sees_every_assignment(user) -> bool:
    """Whether ``user`` may see every assignment (an overseeing role today, or a superuser):
    read with the rest of the person's standing, which the lists' rule reads anyway."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or _standing(user).overseer


def of_visible_assignments(user, path: str = "assignment_id") -> Q:
    """Rows whose assignment ``user`` may see (through ``path``): an extension request, a
    piece of evidence, an escalation is seen by whoever sees its assignment."""
    standing = _standing(user)
    if standing.overseer:
        return Q()  # every row: no set of every visible assignment is built to test them
    visible = Assignment.objects.filter(_seen_by_members(standing))
    return Q(**{f"{path}__in": visible.values("pk")})


@access.register_model(Directive)
def directive_model_rule(user, action: str) -> bool:
    """Directives are registered (by hand or through the importer) by the office's reviewers."""
    return action == DirectiveAction.ADD and has_role(user, [Role.REVIEWER])


@access.register_model(Assignment)
def assignment_model_rule(user, action: str) -> bool:
    """The office's reviewers act on many assignments at once as on each: the whole of an
    ended agency's work is moved to its successors (``services.reorganisation``), as each
    assignment's transfer is; the outcomes of past work are recorded (``services.history``), as
    each result is accepted."""
    many = (AssignmentAction.TRANSFER, AssignmentAction.ACCEPT)
    return action in many and has_role(user, [Role.REVIEWER])


@access.register(Directive)
def directive_rule(user, action: str) -> Q:
    if action == DirectiveAction.VIEW:
        return holds_role(user, [Role.REVIEWER, Role.LEADER]) | ~Q(status=DirectiveStatus.DRAFT)
    office = (
        DirectiveAction.CHANGE,
        DirectiveAction.ASSIGN,
        DirectiveAction.PUBLISH,
        DirectiveAction.PUBLICIZE,
    )
    if action in office:
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
        # Overseers see every row: no condition at all. Others see their agencies' work, the
        # contributions to it and what was granted to them (see ``_standing``).
        standing = _standing(user)
        return Q() if standing.overseer else _seen_by_members(standing)
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


# Targets (chỉ tiêu). The office sets an item's indicators: its reviewers, or the leaders of the
# People's Committee that issues the directives; the reporting agency's head, deputy or officer
# reports a value, and the office's reviewers confirm it.
TARGET_SETTERS = (Role.REVIEWER, Role.LEADER)
REPORTERS = (Role.HEAD, Role.DEPUTY, Role.OFFICER)


@access.register_model(Indicator)
def indicator_model_rule(user, action: str) -> bool:
    """Indicators are added to an item by the office (``TARGET_SETTERS``)."""
    return action == IndicatorAction.ADD and has_role(user, TARGET_SETTERS)


@access.register(Indicator)
def indicator_rule(user, action: str) -> Q:
    """An indicator is seen as its item is (its directive's rule)."""
    if action == IndicatorAction.VIEW:
        items = access.restrict(DirectiveItem.objects.all(), user, access.VIEW)
        return Q(item_id__in=items.values("pk"))
    if action == IndicatorAction.CHANGE:
        return holds_role(user, TARGET_SETTERS)
    if action == IndicatorAction.REPORT:
        return _agency_roles(user, REPORTERS)
    if action == IndicatorAction.CONFIRM:
        return holds_role(user, [Role.REVIEWER])
    return NOTHING


@access.register(Measurement)
def measurement_rule(user, action: str) -> Q:
    """The values reported are seen by the office (reviewers and leaders) and by the people of
    the agency that reported them; the office's reviewers confirm them."""
    if action == MeasurementAction.VIEW:
        return holds_role(user, TARGET_SETTERS) | _agency_roles(user, None)
    if action == MeasurementAction.CONFIRM:
        return holds_role(user, [Role.REVIEWER])
    if action == MeasurementAction.CORRECT:
        # The office's reviewers at any time; the reporting agency its own value, until the
        # office has confirmed it (then only the office corrects: ``measurement_correct``).
        unconfirmed = Q(confirmed_at__isnull=True)
        return holds_role(user, [Role.REVIEWER]) | (_agency_roles(user, REPORTERS) & unconfirmed)
    return NOTHING


@access.register(MeasurementEvidence)
def measurement_evidence_rule(user, action: str) -> Q:
    """A value's evidence file is seen by whoever may see the value; it is never changed."""
    if action == access.VIEW:
        visible = access.restrict(Measurement.objects.all(), user, MeasurementAction.VIEW)
        return Q(measurement_id__in=visible.values("pk"))
    return NOTHING


# Explanation requests (yêu cầu giải trình). The office's reviewers and the province's leaders
# ask an agency to explain late work or a target at risk; the agency's head or deputy answers
# for it; whoever asked (any reviewer) may withdraw a request still awaiting its answer.
EXPLANATION_ASKERS = (Role.REVIEWER, Role.LEADER)


@access.register_model(ExplanationRequest)
def explanation_model_rule(user, action: str) -> bool:
    return action == ExplanationAction.ADD and has_role(user, EXPLANATION_ASKERS)


@access.register(ExplanationRequest)
def explanation_rule(user, action: str) -> Q:
    """Seen by those who follow up (``OVERSEERS``), by the people of the agency asked and,
    about an assignment, by whoever sees the assignment (its timeline tells the request)."""
    if action == ExplanationAction.VIEW:
        about_seen_work = Q(assignment__isnull=False) & of_visible_assignments(user)
        return holds_role(user, OVERSEERS) | _agency_roles(user, None) | about_seen_work
    if action == ExplanationAction.ANSWER:
        return _agency_roles(user, APPROVERS)
    if action == ExplanationAction.WITHDRAW:
        return holds_role(user, EXPLANATION_ASKERS)
    return NOTHING


# National index results (PAR Index, SIPAS, PAPI) are public national publications: everyone
# signed in reads them; the office's reviewers enter, correct and import them.


@access.register_model(IndexResult)
def index_result_model_rule(user, action: str) -> bool:
    """A year's result is entered (by hand or from a file) by the office's reviewers."""
    return action == IndexResultAction.CHANGE and has_role(user, [Role.REVIEWER])


@access.register(IndexResult)
def index_result_rule(user, action: str) -> Q:
    if action == IndexResultAction.VIEW:
        return Q()
    if action == IndexResultAction.CHANGE:
        return holds_role(user, [Role.REVIEWER])
    return NOTHING


@access.register(IndexComponent)
def index_component_rule(user, action: str) -> Q:
    """A component is read with its result and changed only through it."""
    return Q() if action == access.VIEW else NOTHING
