"""The peer a viewflow user would reach for: one process per deadline, a human task armed
with an ``.OnTimeout`` boundary timer, fired one by one by ``fire_due_timers``."""

from datetime import datetime

from viewflow import this
from viewflow.workflow import flow


class DeadlineFlow(flow.Flow):
    """Deadline (benchmark peer)"""

    start = flow.StartHandle(this.start_process).Next(this.work)
    work = (
        flow.View(None)
        .OnTimeout(
            lambda activation: datetime.fromisoformat(activation.process.data["deadline"]),
            this.escalate,
        )
        .Next(this.end)
    )
    escalate = flow.Function(this.record).Next(this.end)
    end = flow.End()

    def start_process(self, activation, deadline):
        activation.process.data = {"deadline": deadline.isoformat()}
        return activation.process

    def record(self, activation):
        activation.process.data["escalated"] = True
        activation.process.save(update_fields=["data"])
