"""Escalations for tests, made the honest way: by running the deadline sweep.

``EscalationFactory(assignment=a)`` runs ``escalation.sweep.sweep`` at ``now`` (by default
01/06/2026, long after the workflow factories' due date of 27/02/2026, so every level of the
default policy is reached) and returns the assignment's escalation of ``level`` (the office's by
default). The sweep looks at every open assignment: the others overdue at ``now`` are escalated
too, as they would be.
"""

import factory

from escalation.choices import LevelKind
from escalation.models import Escalation
from escalation.sweep import sweep
from tests.fixtures.workflow import vn
from tests.workflow.factories import AssignmentFactory

LONG_AFTER = vn(2026, 6, 1)


class EscalationFactory(factory.Factory):
    class Meta:
        model = Escalation

    assignment = factory.SubFactory(AssignmentFactory)
    now = LONG_AFTER
    level = LevelKind.OFFICE

    @classmethod
    def _create(cls, model_class, *, assignment, now, level):
        sweep(now=now, send_mail=False)
        return Escalation.objects.get(assignment=assignment, level__kind=level)
