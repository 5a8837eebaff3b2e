"""Time in the administration's terms: Vietnam's day, and the end of a due date."""

from datetime import date, datetime, time

from django.utils import timezone


def local_date(moment: datetime | None = None) -> date:
    """The date in Asia/Ho_Chi_Minh (the project's time zone) at ``moment`` (default: now)."""
    return timezone.localdate(moment or timezone.now())


def end_of_day(day: date) -> datetime:
    """23:59:59 of ``day`` in Asia/Ho_Chi_Minh, when a task due that day becomes late."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
