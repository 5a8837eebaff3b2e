"""The office's review of an escalation. Nodes hold no rules: ``escalation.services`` decides,
then completes the task (viewflow does not check permissions when called from code)."""

from viewflow import this
from viewflow.workflow import flow, lock

from .models import EscalationProcess


class EscalationFlow(flow.Flow):
    """Escalation

    The office decides an escalation, and may send it up to a leader who decides last.
    """

    process_class = EscalationProcess
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.office)
    office = flow.View(None).Next(this.decided)
    decided = (
        flow.If(lambda a: a.process.escalation.resolved_at is None).Then(this.leader).Else(this.end)
    )
    leader = flow.View(None).Next(this.end)
    end = flow.End()

    def start_process(self, activation, escalation):
        activation.process.escalation = escalation
        return activation.process
