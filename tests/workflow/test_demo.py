"""`make run`'s reference directive: 15 items, assignments to the agencies each item names,
a played history, and a second run that adds nothing."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Agency, User
from agencies.selectors import agency_ended_on, successor_agencies
from core.inbox import inbox_tasks
from workflow.choices import OPEN_STATES, Timeliness
from workflow.models import Assignment, Directive, RecurringObligation
from workflow.selectors import agency_dashboard, assignment_list

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_loaded(module_db, reference_tree_shared, django_db_blocker):
    """The whole demo, loaded once for this module and rolled back after it (``module_db``)."""
    assert reference_tree_shared
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=StringIO())
        call_command("load_demo_directive", stdout=StringIO())


@pytest.fixture
def demo(demo_loaded, db):
    return Directive.objects.get()


def test_the_reference_directive_is_loaded_with_its_items(demo):
    assert demo.items.count() == 15
    assert demo.status == "published"
    assert "(QTO)" in demo.full_text
    assert demo.number == ""  # not in the source text; the note says so
    assert "giả định" in demo.note


def test_each_item_goes_to_the_agencies_it_names(demo):
    def codes(number, **kw):
        return set(
            Assignment.objects.filter(item__directive=demo, item__number=number, **kw).values_list(
                "agency_as_written__code", flat=True
            )
        )

    assert {"QT-SNV", "QT-SKHCN", "QT-SKHDT", "QT-STC", "QT-STP", "QT-STTTT", "QT-VPUBND"} == codes(
        "12"
    )
    assert {"QT-CA", "QT-CTHUE", "QT-QLTT", "QT-BHXH", "QT-KBNN"} <= codes("13", modality="request")
    assert "QT-MTTQ" in codes("14", modality="request")
    # "Giao Sở Nội vụ, Văn phòng UBND tỉnh chịu trách nhiệm đôn đốc…": both named, both lead.
    assert codes("15", role="lead") == {"QT-SNV", "QT-VPUBND"}
    assert RecurringObligation.objects.filter(item__number="15", period="half_yearly").exists()
    assert RecurringObligation.objects.filter(item__number="15", period="yearly").exists()


def test_the_history_gives_every_dashboard_something_true(demo):
    reviewer = User.objects.get(username="chuyenvien.vp")
    seen = Counter(a.timeliness for a in assignment_list(user=reviewer))
    for kind in (
        Timeliness.DONE_ON_TIME,
        Timeliness.DONE_LATE,
        Timeliness.OVERDUE,
        Timeliness.ON_TIME,
        Timeliness.CONTINUOUS,
        Timeliness.EXTENSION_REQUESTED,
        Timeliness.TRANSFERRED,
    ):
        assert seen[kind] > 0, kind
    head = User.objects.get(username="giamdoc.stc")
    board = agency_dashboard(user=head)
    assert board["counts"][Timeliness.DONE_ON_TIME] > 0
    names = {task.flow_task.name for task in inbox_tasks(user=head)}
    assert {"receive", "approve", "endorse"} <= names
    assert {t.flow_task.name for t in inbox_tasks(user=reviewer)} >= {"review"}


def test_running_it_again_adds_nothing(demo):
    before = Assignment.objects.count()
    call_command("load_demo_directive", stdout=StringIO())
    assert Directive.objects.count() == 1
    assert Assignment.objects.count() == before


def test_the_reorganisation_left_no_open_work_with_an_agency_that_ended_but_where_no_successor_is_known(
    demo,
):
    """The simulated 2025 reorganisation moved each ended agency's open work to its successor;
    only agencies the registry names no successor for (and that no district or merger
    explains) wait for the office, and the Đông Hà users have work of their own today."""
    today = timezone.localdate()
    alive = Agency.objects.valid_on(today).values("pk")
    stranded = Assignment.objects.filter(state__in=OPEN_STATES).exclude(agency_id__in=alive)
    left = set(stranded.values_list("agency_id", flat=True))
    for agency in Agency.objects.filter(pk__in=left):
        day = agency_ended_on(agency=agency)
        assert not successor_agencies(agency=agency, given_on=day - timedelta(days=1), on=day), (
            agency
        )
    assert Assignment.objects.filter(source="transfer", agency__code="QT-STC").count() > 1
    dong_ha = User.objects.get(username="chutich.dongha")
    assert list(inbox_tasks(user=dong_ha)), "the Đông Hà head has nothing to do"
