"""The notices API gives a person their own notices only (tests/generic)."""

from tests.generic.api import ScopedAPITests
from tests.notifications.scoped import NoticesOfTwoPeople


class TestNoticeAPIIsScoped(NoticesOfTwoPeople, ScopedAPITests):
    api_list_url = "/api/v1/notifications/"
