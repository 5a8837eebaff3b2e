"""Issue 10 rewrote how the lists read (the rule of access as conditions the indexes serve,
timeliness filtered on the columns, names given to a page's rows in Python, selects written
without templates, steps checked with the row): each rewrite gives exactly the answer of the
form it replaced, which these tests keep as the reference."""

from datetime import date, timedelta

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm

from agencies.access import holds_role, member_agencies
from agencies.choices import Role
from agencies.models import Membership
from core import access
from core.widgets import FastSelect, FastSelectMultiple
from escalation.models import Escalation
from tests.conftest import grant
from tests.workflow.test_list_cost import copies, grow
from workflow.access import OVERSEERS
from workflow.choices import ExtensionStatus, Timeliness
from workflow.models import Assignment, ExtensionRequest
from workflow.selectors import assignment_list, name_rows, timeliness, timeliness_is
from workflow.steps import STEP_CHECKS


def reference_visible(user) -> set[int]:
    """The assignments ``user`` saw before issue 10: the rule OR'ed with the grants, in SQL."""
    if not user.is_active:
        return set()
    mine = member_agencies(user)
    led = Assignment.objects.filter(agency_id__in=mine).values("pk")
    rule = holds_role(user, OVERSEERS) | Q(agency_id__in=mine) | Q(parent_id__in=led)
    content_type = ContentType.objects.get_for_model(Assignment)
    as_pk = Cast("object_pk", BigIntegerField())
    by_user = UserObjectPermission.objects.filter(
        user_id=user.pk, content_type=content_type, permission__codename="view_assignment"
    )
    by_group = GroupObjectPermission.objects.filter(
        group__user=user, content_type=content_type, permission__codename="view_assignment"
    )
    granted = Q(pk__in=by_user.annotate(o=as_pk).values("o")) | Q(
        pk__in=by_group.annotate(o=as_pk).values("o")
    )
    return set(Assignment.objects.filter(rule | granted).values_list("pk", flat=True))


@pytest.fixture
def crowd(assignment, small_tree, people):
    """Rows in both agencies, contributions to the fixture's assignment, and people whose
    standing differs: a grant to one person and one to a group, an ended membership, two
    agencies at once, an inspector, a person who left."""
    grow(assignment, small_tree, people, 12)
    other = Assignment.objects.filter(agency=small_tree["NV"], parent__isnull=True).first()
    granted = grant(Role.OFFICER, small_tree["NV"], username="granted")
    assign_perm("workflow.view_assignment", granted, assignment)
    group = Group.objects.create(name="Đoàn kiểm tra")
    in_group = grant(Role.OFFICER, small_tree["NV"], username="in_group")
    in_group.groups.add(group)
    assign_perm("workflow.view_assignment", group, other)
    ended = grant(Role.HEAD, small_tree["TC"], date(2024, 1, 1), date(2025, 1, 1), username="ended")
    both = grant(Role.OFFICER, small_tree["TC"], username="both")
    Membership.objects.create(
        user=both, agency=small_tree["NV"], role=Role.CLERK, valid_from=date(2024, 1, 1)
    )
    inspector = grant(Role.INSPECTOR, small_tree["NV"], username="inspector")
    gone = grant(Role.HEAD, small_tree["NV"], username="gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    return [*people.values(), granted, in_group, ended, both, inspector, gone]


def test_everybody_sees_the_assignments_they_saw_before(crowd):
    for user in crowd:
        expected = reference_visible(user)
        assert set(Assignment.objects.restrict(user, "view").values_list("pk", flat=True)) == (
            expected
        ), user.username
        with access.memo():  # as in a request: the standing read once, grants known
            seen = set(Assignment.objects.restrict(user, "view").values_list("pk", flat=True))
            again = set(Assignment.objects.restrict(user, "view").values_list("pk", flat=True))
        assert seen == again == expected, user.username


def test_what_hangs_on_an_assignment_is_seen_with_it(crowd, people):
    """Escalations and extension requests: seen by whoever sees their assignment."""
    from escalation.sweep import sweep
    from tests.escalation.factories import LONG_AFTER

    sweep(now=LONG_AFTER, send_mail=False)
    for n, assignment in enumerate(Assignment.objects.order_by("pk")[:6]):
        ExtensionRequest.objects.create(
            assignment=assignment,
            requested_by=people["head"],
            current_due_date=assignment.due_date,
            requested_due_date=assignment.due_date + timedelta(days=n + 1),
            reason="Chờ số liệu.",
            status=ExtensionStatus.DENIED,
        )
    for user in crowd:
        visible = reference_visible(user)
        for model in (Escalation, ExtensionRequest):
            expected = set(
                model.objects.filter(assignment_id__in=visible).values_list("pk", flat=True)
            )
            for memo in (False, True):
                with access.memo() if memo else _nothing():
                    seen = set(model.objects.restrict(user, "view").values_list("pk", flat=True))
                assert seen == expected, (user.username, model.__name__, memo)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_the_steps_read_with_the_row_are_the_steps_can_allows(crowd, assignment):
    rows = Assignment.objects.filter(pk=assignment.pk)
    for user in crowd:
        expected = {a for a in STEP_CHECKS if access.can(user, a, assignment)}
        assert access.allowed(user, STEP_CHECKS, assignment) == expected, user.username
        row = access.with_allowed(rows, user, STEP_CHECKS).first()
        assert access.allowed(user, STEP_CHECKS, row) == expected, user.username


def test_timeliness_on_the_columns_selects_the_rows_the_case_names(assignment, people):
    today = date(2026, 3, 15)
    copies(assignment, 40, due_date=None, state="in_progress")  # continuous
    copies(assignment, 40)
    copies(assignment, 40, completed_on=None)  # done without a completion date: late
    for a in Assignment.objects.filter(state="in_progress").order_by("pk")[:5]:
        ExtensionRequest.objects.create(
            assignment=a,
            requested_by=people["head"],
            current_due_date=a.due_date or today,
            requested_due_date=(a.due_date or today) + timedelta(days=10),
            reason="Chờ số liệu.",
        )
    rows = Assignment.objects.all()
    seen = set()
    for value in Timeliness.values:
        expected = set(
            rows.annotate(t=timeliness(today)).filter(t=value).values_list("pk", flat=True)
        )
        assert set(rows.filter(timeliness_is(value, today)).values_list("pk", flat=True)) == (
            expected
        ), value
        seen |= expected
    assert seen == set(rows.values_list("pk", flat=True))
    assert not rows.filter(timeliness_is("no such thing", today)).exists()


def test_names_given_in_python_are_the_names_annotated(assignment, small_tree, people):
    """Including an agency merged away since (Sở Kế hoạch và Đầu tư into Sở Tài chính on
    01/03/2025): named today by its last name, as written by its name on the day."""
    copies(assignment, 3)
    copies(
        assignment,
        3,
        agency_id=small_tree["KHDT"].pk,
        agency_as_written_id=small_tree["KHDT"].pk,
        assigned_on=date(2025, 1, 6),
    )
    for user in (people["reviewer"], people["head"]):
        annotated = {a.pk: a for a in assignment_list(user=user)}
        plain = name_rows(list(Assignment.objects.restrict(user, "view")))
        assert plain
        for a in plain:
            for name in ("agency_name", "agency_short_name", "written_agency_name"):
                assert getattr(a, name) == getattr(annotated[a.pk], name), (a.pk, name)


CHOICES = [
    ("", "Tất cả"),
    ("Sở, ban, ngành", [("TC", "Sở Tài chính"), ("NV", 'Sở "Nội vụ" & <khác>')]),
    ("X1", "Xã Một"),
]


@pytest.mark.parametrize(
    "widget,value",
    [
        (forms.Select, "NV"),
        (forms.Select, ""),
        (forms.SelectMultiple, ["TC", "X1"]),
    ],
)
def test_a_select_written_by_python_is_the_select_django_writes(widget, value):
    fast = FastSelect if widget is forms.Select else FastSelectMultiple
    attrs = {"data-typeahead": True, "data-x": 'a "b"', "hidden": False, "id": "id_agency"}
    reference = widget(attrs=attrs, choices=CHOICES).render("agency", value)
    written = fast(attrs=attrs, choices=CHOICES).render("agency", value)

    def tidy(html):
        return "".join(line.strip() for line in html.splitlines())

    assert tidy(written) == tidy(reference)
