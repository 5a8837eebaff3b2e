"""The two agencies of the generic scoped tests (tests/generic) for the workflow's models:
Sở Tài chính (TC) is A and Sở Nội vụ (NV) is B; ``people`` and ``directive`` come from
tests/fixtures/workflow.py."""

import pytest

from tests.workflow.factories import AssignmentFactory, DirectiveFactory, ExtensionFactory


def assignment_to(agency, directive, people, **kwargs):
    return AssignmentFactory(
        item=directive.items.get(number="1"), agency=agency, actor=people["reviewer"], **kwargs
    )


class AssignmentsInTwoAgencies:
    """An assignment to TC (the ``assignment`` fixture) and one to NV; an officer of TC who is
    not its assignee looks."""

    def text_of(self, obj):
        return obj.title

    @pytest.fixture
    def obj_in_a(self, assignment):
        return assignment

    @pytest.fixture
    def obj_in_b(self, directive, small_tree, people):
        return assignment_to(small_tree["NV"], directive, people, title="Việc riêng của Sở Nội vụ")

    @pytest.fixture
    def user_in_a(self, people):
        return people["officer2"]

    @pytest.fixture
    def more_in_a(self, directive, small_tree, people):
        def make(n):
            return [assignment_to(small_tree["TC"], directive, people) for _ in range(n)]

        return make


class PublishedAndDraftDirectives:
    """Directives are not an agency's: everyone signed in reads the published ones, and drafts
    are for the office's reviewers and the leaders (workflow/access.py). So A's object is the
    published ``directive`` and B's a draft; a head of TC looks."""

    def text_of(self, obj):
        return obj.title

    @pytest.fixture
    def obj_in_a(self, directive):
        return directive

    @pytest.fixture
    def obj_in_b(self, small_tree, people):
        return DirectiveFactory(
            actor=people["reviewer"],
            issuer=small_tree["P2"],
            title="Dự thảo chỉ thị chưa ban hành",
            published=False,
        )

    @pytest.fixture
    def user_in_a(self, people):
        return people["head"]

    @pytest.fixture
    def more_in_a(self, small_tree, people):
        def make(n):
            return DirectiveFactory.create_batch(
                n, actor=people["reviewer"], issuer=small_tree["P2"]
            )

        return make


class ExtensionsInTwoAgencies:
    """Each agency's head asks for a later due date of an assignment; an officer of TC looks."""

    @pytest.fixture
    def obj_in_a(self, assignment, people):
        return ExtensionFactory(assignment=assignment, actor=people["head"])

    @pytest.fixture
    def obj_in_b(self, directive, small_tree, people):
        return ExtensionFactory(
            assignment=assignment_to(small_tree["NV"], directive, people),
            actor=people["other_head"],
        )

    @pytest.fixture
    def user_in_a(self, people):
        return people["officer2"]

    @pytest.fixture
    def more_in_a(self, directive, small_tree, people):
        def make(n):
            return [
                ExtensionFactory(
                    assignment=assignment_to(small_tree["TC"], directive, people),
                    actor=people["head"],
                )
                for _ in range(n)
            ]

        return make
