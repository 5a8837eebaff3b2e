"""The inspection's viewflow graphs. Nodes hold no rules: ``inspection.services`` decides,
then completes the task (viewflow does not check permissions when called from code)."""

from viewflow import this
from viewflow.workflow import flow, lock

from .models import InspectionProcess, VerificationProcess


class InspectionFlow(flow.Flow):
    """Inspection

    The team conducts the inspection and its head drafts the minutes → the inspected agency's
    head confirms them (an objection is kept) → the organiser's head issues the conclusion.
    """

    process_class = InspectionProcess
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.conduct)
    conduct = flow.View(None).Next(this.confirm)
    confirm = flow.View(None).Next(this.conclude)
    conclude = flow.View(None).Next(this.end)
    end = flow.End()

    def start_process(self, activation, inspection):
        activation.process.inspection = inspection
        return activation.process


class VerificationFlow(flow.Flow):
    """Verification of a recommendation

    The agency's remediation has closed: the team verifies it, done or not done.
    """

    process_class = VerificationProcess
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.verify)
    verify = flow.View(None).Next(this.end)
    end = flow.End()

    def start_process(self, activation, recommendation):
        activation.process.recommendation = recommendation
        return activation.process
