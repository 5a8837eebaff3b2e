"""The viewflow graphs. Nodes hold no rules: services decide, then complete the task.

A human task here is completed from ``services`` (never through viewflow's own views), after
``core.access.require`` has checked the actor: viewflow does not check permissions when a
transition is called from code.
"""

from viewflow import this
from viewflow.workflow import flow, lock

from .choices import AssignmentState, ExtensionStatus
from .models import AssignmentProcess, ExtensionProcess


def _state(activation) -> str:
    return activation.process.assignment.state


class AssignmentFlow(flow.Flow):
    """Assignment

    Receive and delegate → report → head approves → office accepts.
    """

    process_class = AssignmentProcess
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.receive)
    receive = flow.View(None).Next(this.received)
    received = (
        flow.If(lambda a: _state(a) == AssignmentState.REFUSED).Then(this.triage).Else(this.report)
    )
    triage = flow.View(None).Next(this.triaged)
    triaged = flow.If(lambda a: _state(a) == AssignmentState.NEW).Then(this.receive).Else(this.end)
    report = flow.View(None).Assign(lambda a: a.process.assignment.assignee).Next(this.approve)
    approve = flow.View(None).Next(this.approved)
    approved = (
        flow.If(lambda a: _state(a) == AssignmentState.APPROVED).Then(this.review).Else(this.report)
    )
    review = flow.View(None).Next(this.reviewed)
    reviewed = flow.If(lambda a: _state(a) == AssignmentState.DONE).Then(this.end).Else(this.report)
    end = flow.End()

    def start_process(self, activation, assignment):
        activation.process.assignment = assignment
        return activation.process


class ExtensionFlow(flow.Flow):
    """Extension

    Request → the head endorses → the office decides.
    """

    process_class = ExtensionProcess
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.endorse)
    endorse = flow.View(None).Next(this.endorsed)
    endorsed = (
        flow.If(lambda a: a.process.extension.status == ExtensionStatus.ENDORSED)
        .Then(this.decide)
        .Else(this.end)
    )
    decide = flow.View(None).Next(this.end)
    end = flow.End()

    def start_process(self, activation, extension):
        activation.process.extension = extension
        return activation.process
