"""The province overview counts by timeliness from the columns (an index pass and the pending
extension requests), never computing the timeliness row by row: the same numbers as the
timeliness itself, for everyone, whatever they may see."""

from collections import Counter
from datetime import date, datetime

import pytest
from django.db.models import Count

from agencies.models import User
from bench import dataset
from dashboards.selectors import timeliness_tally
from workflow.choices import Timeliness
from workflow.selectors import assignment_rows

pytestmark = pytest.mark.slow

NOW = datetime.fromisoformat("2026-12-01T10:00:00+07:00")


@pytest.fixture(scope="module")
def province(module_db, django_db_blocker):
    with django_db_blocker.unblock():
        people = dataset.build(900, now=NOW, seed=9, agencies=5)
        return [people.reviewer.pk, people.leader.pk, *(u.pk for u in people.heads.values())]


def live(user, today) -> dict[int, dict[str, int]]:
    rows = (
        assignment_rows(user=user, today=today)
        .order_by()
        .values("agency_id", "timeliness")
        .annotate(n=Count("pk"))
    )
    tally: dict[int, dict[str, int]] = {}
    for row in rows:
        tally.setdefault(row["agency_id"], {})[row["timeliness"]] = row["n"]
    return tally


@pytest.mark.parametrize("today", [date(2026, 12, 2), date(2026, 3, 1), date(2027, 6, 30)])
def test_the_tally_is_the_timeliness_counted(province, db, today):
    seen = Counter()
    for user in User.objects.filter(pk__in=province):
        expected = live(user, today)
        assert timeliness_tally(user=user, today=today) == expected, user.username
        for counts in expected.values():
            seen.update(counts)
    if today != date(2026, 12, 2):
        return
    # Every kind of timeliness the generator makes was compared (on the day it was made).
    assert {
        Timeliness.ON_TIME,
        Timeliness.OVERDUE,
        Timeliness.DONE_ON_TIME,
        Timeliness.DONE_LATE,
        Timeliness.CONTINUOUS,
        Timeliness.EXTENSION_REQUESTED,
        Timeliness.CANCELLED,
    } <= set(seen)
