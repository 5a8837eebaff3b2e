"""The two people of the generic scoped tests for notices: a notice is its recipient's alone, so
A's object is a notice to an officer of Sở Tài chính and B's one to an officer of Sở Nội vụ."""

import pytest

from agencies.choices import Role
from tests.agencies.factories import member
from tests.notifications.factories import NoticeFactory


class NoticesOfTwoPeople:
    def text_of(self, obj):
        return obj.title

    @pytest.fixture
    def user_in_a(self, small_tree):
        return member(Role.OFFICER, small_tree["TC"], username="an")

    @pytest.fixture
    def obj_in_a(self, user_in_a):
        return NoticeFactory(recipient=user_in_a, title="Nhắc hạn báo cáo quý của An")

    @pytest.fixture
    def obj_in_b(self, small_tree):
        binh = member(Role.OFFICER, small_tree["NV"], username="binh")
        return NoticeFactory(recipient=binh, title="Thông tin riêng của Bình")

    @pytest.fixture
    def more_in_a(self, user_in_a):
        return lambda n: NoticeFactory.create_batch(n, recipient=user_in_a)
