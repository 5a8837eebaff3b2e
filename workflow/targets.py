"""Where an indicator stands against its target: the one rule, a pure function.

- **Met** (đạt): the latest confirmed value reaches the target in the indicator's direction.
  Higher is better: value ≥ the target (for a range, its start: "up 5 to 10 places" is met from
  5). Lower is better: value ≤ the target (for a range, its end: "top 20" is met at rank 20).
  Exactly at the target is met; one unit short is not.
- **Missed** (không đạt): not met and the due date has passed (a target is due at the end of its
  day: due today is not missed yet, due yesterday is).
- **At risk** (có nguy cơ không đạt): not met, not missed, and the due date is at most
  ``AT_RISK_DAYS`` days away (today included) — with no confirmed value yet as well.
- **In progress**: otherwise (not met, the due date further away, or no due date at all).

Only confirmed values count: a reported value waits for the office.
"""

from datetime import date
from decimal import Decimal

from .choices import IndicatorDirection, IndicatorStatus

# How near the due date must be for a target not yet met to be "at risk" (about a quarter).
AT_RISK_DAYS = 90


def target_bound(
    *, target_min: Decimal | None, target_max: Decimal | None, direction: str
) -> Decimal | None:
    """The value at which a target (a value or a range) is met in ``direction``: higher is
    better, its start; lower is better, its end (either end of a one-sided range)."""
    if direction == IndicatorDirection.LOWER:
        return target_max if target_max is not None else target_min
    return target_min if target_min is not None else target_max


def target_reached(
    value: Decimal | None,
    *,
    target_min: Decimal | None,
    target_max: Decimal | None,
    direction: str,
) -> bool:
    """True when ``value`` reaches the target (a value or a range) in ``direction``."""
    bound = target_bound(target_min=target_min, target_max=target_max, direction=direction)
    if value is None or bound is None:
        return False
    return value <= bound if direction == IndicatorDirection.LOWER else value >= bound


def indicator_status(
    *,
    value: Decimal | None,
    target_min: Decimal | None,
    target_max: Decimal | None,
    direction: str,
    due_on: date | None,
    today: date,
    at_risk_days: int = AT_RISK_DAYS,
) -> IndicatorStatus:
    """The status of an indicator whose latest confirmed value is ``value`` (None: none yet)."""
    if target_reached(value, target_min=target_min, target_max=target_max, direction=direction):
        return IndicatorStatus.MET
    if due_on is None:
        return IndicatorStatus.IN_PROGRESS
    if today > due_on:
        return IndicatorStatus.MISSED
    if (due_on - today).days <= at_risk_days:
        return IndicatorStatus.AT_RISK
    return IndicatorStatus.IN_PROGRESS
