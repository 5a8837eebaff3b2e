from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from agencies.choices import Role
from workflow.choices import DirectiveKind, DuePolicy
from workflow.deadlines import DueRule
from workflow.services import (
    Target,
    assignments_create,
    directive_create,
    directive_publish,
    item_add,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture
def people(small_tree, user_with_role):
    """One person per role: the office reviewer, and head/clerk/officer in two agencies."""
    since = date(2025, 8, 1)
    return {
        "reviewer": user_with_role(Role.REVIEWER, small_tree["P2"], since, username="reviewer"),
        "leader": user_with_role(Role.LEADER, small_tree["P2"], since, username="leader"),
        "head": user_with_role(Role.HEAD, small_tree["TC"], since, username="head"),
        "clerk": user_with_role(Role.CLERK, small_tree["TC"], since, username="clerk"),
        "officer": user_with_role(Role.OFFICER, small_tree["TC"], since, username="officer"),
        "officer2": user_with_role(Role.OFFICER, small_tree["TC"], since, username="officer2"),
        "other_head": user_with_role(Role.HEAD, small_tree["NV"], since, username="other_head"),
        "other_officer": user_with_role(
            Role.OFFICER, small_tree["NV"], since, username="other_officer"
        ),
    }


@pytest.fixture
def directive(small_tree, people):
    directive = directive_create(
        actor=people["reviewer"],
        kind=DirectiveKind.CHI_THI,
        number="05/CT-UBND",
        title="Về nâng cao Chỉ số cải cách hành chính",
        issued_on=date(2026, 1, 5),
        issuer=small_tree["P2"],
        signer="Chủ tịch UBND tỉnh",
    )
    item_add(
        actor=people["reviewer"],
        directive=directive,
        number="1",
        text="Đẩy mạnh công tác thông tin, tuyên truyền.",
    )
    item_add(
        actor=people["reviewer"],
        directive=directive,
        number="2",
        text="Giao Sở Tài chính chủ trì, phối hợp Sở Nội vụ.",
    )
    return directive_publish(actor=people["reviewer"], directive=directive)


@pytest.fixture
def assignment(directive, small_tree, people):
    """An order to Sở Tài chính (TC), due 27/02/2026, assigned on 05/01/2026."""
    item = directive.items.get(number="2")
    return assignments_create(
        actor=people["reviewer"],
        item=item,
        targets=[Target(agency=small_tree["TC"], as_written="Sở Tài chính")],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27)),
        title="Báo cáo giải ngân vốn đầu tư công",
        assigned_on=date(2026, 1, 5),
        at=vn(2026, 1, 5),
    )[0]
