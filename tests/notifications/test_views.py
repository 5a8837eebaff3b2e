"""The notices page shows a person their own notices only (tests/generic)."""

from tests.generic.views import ListViewTests
from tests.notifications.scoped import NoticesOfTwoPeople


class TestNoticePageIsScoped(NoticesOfTwoPeople, ListViewTests):
    """Notices have a list page only (marking one read is a POST, tested in test_notices)."""

    list_url = "notifications:list"
