"""Every step as every role, in the own agency and another: allowed, or refused unchanged."""

from datetime import date

import pytest

from agencies.choices import Role, SuccessionKind
from agencies.models import Agency, Succession
from core.exceptions import Forbidden, NotFound
from core.models import AuditEvent
from tests.generic.access import ScopedAccessTests
from tests.workflow.scoped import AssignmentsInTwoAgencies
from workflow.choices import AssignmentState, DuePolicy
from workflow.deadlines import DueRule
from workflow.models import Assignment
from workflow.services import (
    Target,
    assignment_receive,
    assignment_refuse,
    assignment_transfer,
    assignment_triage,
    assignments_create,
    completion_report_file,
    extension_request,
    progress_report_file,
    report_accept,
    report_approve,
    report_return,
    report_return_office,
)

ROLES = [
    "reviewer",
    "leader",
    "head",
    "clerk",
    "officer",
    "officer2",
    "other_head",
    "other_officer",
]


def to_reported(a, p):
    assignment_receive(actor=p["head"], assignment=a, assignee=p["officer"])
    completion_report_file(actor=p["officer"], assignment=a, text="Xong.")


def to_approved(a, p):
    to_reported(a, p)
    report_approve(actor=p["head"], assignment=a)


def function_moved_to_nv(a, p):
    """A transfer goes to a successor: one of TC's functions moved to NV after the work was
    given."""
    Succession.objects.create(
        predecessor=a.agency,
        successor=Agency.objects.get(code="NV"),
        kind=SuccessionKind.TRANSFER_FUNCTION,
        effective_on=date(2026, 2, 1),
        function="quản lý biên chế",
    )


STEPS = {
    # step: (setup, call, allowed roles)
    "receive": (
        lambda a, p: None,
        lambda actor, a, p: assignment_receive(actor=actor, assignment=a, assignee=p["officer"]),
        {"head", "clerk"},
    ),
    "refuse": (
        lambda a, p: None,
        lambda actor, a, p: assignment_refuse(actor=actor, assignment=a, reason="Không."),
        {"head", "clerk"},
    ),
    "triage": (
        lambda a, p: assignment_refuse(actor=p["head"], assignment=a, reason="Không."),
        lambda actor, a, p: assignment_triage(actor=actor, assignment=a, decision="return"),
        {"reviewer"},
    ),
    "progress": (
        lambda a, p: None,
        lambda actor, a, p: progress_report_file(actor=actor, assignment=a, text="50%"),
        {"head", "clerk", "officer", "officer2"},
    ),
    "report": (
        lambda a, p: assignment_receive(actor=p["head"], assignment=a, assignee=p["officer"]),
        lambda actor, a, p: completion_report_file(actor=actor, assignment=a, text="Xong."),
        {"head", "officer"},
    ),
    "approve": (
        to_reported,
        lambda actor, a, p: report_approve(actor=actor, assignment=a),
        {"head"},
    ),
    "return": (
        to_reported,
        lambda actor, a, p: report_return(actor=actor, assignment=a, comment="Sửa."),
        {"head"},
    ),
    "accept": (
        to_approved,
        lambda actor, a, p: report_accept(actor=actor, assignment=a),
        {"reviewer"},
    ),
    "return_office": (
        to_approved,
        lambda actor, a, p: report_return_office(actor=actor, assignment=a, comment="Sửa."),
        {"reviewer"},
    ),
    "request_extension": (
        lambda a, p: assignment_receive(actor=p["head"], assignment=a, assignee=p["officer"]),
        lambda actor, a, p: extension_request(
            actor=actor, assignment=a, requested_due_date=date(2026, 3, 31), reason="Chờ số liệu."
        ),
        {"head", "officer"},
    ),
    "transfer": (
        function_moved_to_nv,
        lambda actor, a, p: assignment_transfer(
            actor=actor, assignment=a, to_agency=Agency.objects.get(code="NV")
        ),
        {"reviewer"},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", STEPS)
def test_each_step_as_each_role(assignment, people, step, role):
    setup, call, allowed = STEPS[step]
    setup(assignment, people)
    assignment.refresh_from_db()
    state, events = assignment.state, AuditEvent.objects.count()
    if role in allowed:
        call(people[role], assignment, people)
        assert AuditEvent.objects.count() > events
        return
    expected = NotFound if role.startswith("other_") else Forbidden
    with pytest.raises(expected):
        call(people[role], assignment, people)
    assignment.refresh_from_db()
    assert assignment.state == state
    assert AuditEvent.objects.count() == events


def test_only_reviewers_create_and_assign_directives(directive, small_tree, people):
    item = directive.items.get(number="1")
    for role in ["head", "leader", "officer"]:
        with pytest.raises(Forbidden):
            assignments_create(
                actor=people[role],
                item=item,
                targets=[Target(agency=small_tree["TC"])],
                due_rule=DueRule(DuePolicy.CONTINUOUS),
                title="x",
            )


def test_the_lead_agency_sees_contributions_to_its_assignment(directive, small_tree, people):
    item = directive.items.get(number="2")
    lead, contribution = assignments_create(
        actor=people["reviewer"],
        item=item,
        targets=[
            Target(agency=small_tree["TC"]),
            Target(agency=small_tree["NV"], role="coordinating"),
        ],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 3, 31)),
        title="Phối hợp",
        assigned_on=date(2026, 1, 5),
    )
    visible_to_lead = set(Assignment.objects.restrict(people["officer"], "view"))
    assert {lead, contribution} <= visible_to_lead
    visible_to_coordinator = set(Assignment.objects.restrict(people["other_officer"], "view"))
    assert contribution in visible_to_coordinator
    assert lead not in visible_to_coordinator
    assert contribution.state == AssignmentState.NEW


class TestAssignmentIsAgencyScoped(AssignmentsInTwoAgencies, ScopedAccessTests):
    model = Assignment


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.EMULATION_OFFICER, Role.LEADER])
def test_overseeing_roles_see_every_agencys_assignments(
    assignment, small_tree, user_with_role, role
):
    overseer = user_with_role(role, small_tree["NV"], date(2025, 8, 1))
    assert assignment in Assignment.objects.restrict(overseer, "view")
