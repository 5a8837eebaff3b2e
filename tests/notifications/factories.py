"""Notices for tests, planned through ``notifications.services.notices_plan`` (as the sweep and
the workflow plan them)."""

import factory

from notifications.models import Category, Notice
from notifications.services import Planned, notices_plan
from tests.agencies.factories import UserFactory


class NoticeFactory(factory.Factory):
    class Meta:
        model = Notice

    recipient = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"test-notice-{n}")
    category = Category.REMINDER
    title = factory.Sequence(lambda n: f"Nhắc hạn báo cáo số {n + 1}")
    url = "/dashboard/"
    urgent = False

    @classmethod
    def _create(cls, model_class, *, recipient, **fields):
        notices_plan([Planned(recipient_id=recipient.pk, **fields)])
        return Notice.objects.get(recipient=recipient, key=fields["key"])
