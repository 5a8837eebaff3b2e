"""The two agencies of the generic scoped tests for escalations: the deadline sweep escalates
an assignment of Sở Tài chính (A, the ``assignment`` fixture) and one of Sở Nội vụ (B); a head of
TC looks (whoever sees an assignment sees its escalations)."""

import pytest

from escalation.sweep import sweep
from tests.escalation.factories import LONG_AFTER, EscalationFactory
from tests.workflow.scoped import assignment_to


class EscalationsInTwoAgencies:
    def text_of(self, obj):
        return obj.assignment.title

    @pytest.fixture
    def obj_in_a(self, assignment):
        return EscalationFactory(assignment=assignment)

    @pytest.fixture
    def obj_in_b(self, directive, small_tree, people):
        other = assignment_to(small_tree["NV"], directive, people, title="Việc riêng của Sở Nội vụ")
        return EscalationFactory(assignment=other)

    @pytest.fixture
    def user_in_a(self, people):
        return people["head"]

    @pytest.fixture
    def more_in_a(self, directive, small_tree, people):
        def make(n):
            for _ in range(n):
                assignment_to(small_tree["TC"], directive, people)
            sweep(now=LONG_AFTER, send_mail=False)

        return make
