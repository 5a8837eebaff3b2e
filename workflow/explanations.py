"""When the office may ask an agency to explain (yêu cầu giải trình), and how an answer counts:
the rules, as pure functions.

- An **assignment** may be the subject while it is late: still open past its due date (in
  force: an extension granted moves it), or done after it. Work on time, continuous duties
  and closed work (cancelled, transferred) have nothing to explain.
- An **indicator** may be the subject while it is at risk of being missed or missed
  (``workflow.targets``); met or in progress, there is nothing to explain yet.
- An explanation is **on time** when it is given by the end of its ``due_on`` day in Vietnam;
  a request still awaiting its answer after that day is **overdue**. Withdrawn requests count
  for nothing.
"""

from datetime import date

from .choices import OPEN_STATES, AssignmentState, ExplanationStatus, IndicatorStatus

EXPLAINABLE_STATUSES = (IndicatorStatus.AT_RISK, IndicatorStatus.MISSED)


def assignment_is_late(
    *, state: str, due_date: date | None, completed_on: date | None, today: date
) -> bool:
    """True when an assignment in ``state`` is late on ``today`` (see the module)."""
    if due_date is None:
        return False
    if state in OPEN_STATES:
        return due_date < today
    return state == AssignmentState.DONE and completed_on is not None and completed_on > due_date


def indicator_is_explainable(status: str) -> bool:
    return status in EXPLAINABLE_STATUSES


def explanation_standing(
    *, status: str, due_on: date, answered_on: date | None, today: date
) -> str:
    """One of "on_time", "late" (answered after ``due_on``), "overdue" (awaiting past it),
    "awaiting" (not yet due) or "withdrawn": what the dashboards show and scoring counts."""
    if status == ExplanationStatus.WITHDRAWN:
        return "withdrawn"
    if status == ExplanationStatus.ANSWERED:
        return "on_time" if answered_on is not None and answered_on <= due_on else "late"
    return "overdue" if today > due_on else "awaiting"
