"""Directives, items, assignments and extension requests for tests (factory_boy).

Everything is made through the workflow's services, by a person allowed to: a directive is
registered, given its items and published by a reviewer (``actor``, a new one unless given);
an assignment is made by ``assignments_create``; an extension request is asked for by a head
of the assignment's agency after receiving the assignment.

    directive = DirectiveFactory(issuer=tree["P2"], actor=people["reviewer"])
    assignment = AssignmentFactory(item=directive.items.get(), agency=tree["TC"])
    AssignmentFactory.create_batch(30, item=item, agency=tree["TC"])
"""

from datetime import date

import factory

from agencies.choices import AgencyKind, Role
from tests.agencies.factories import AgencyFactory, member
from tests.fixtures.workflow import vn
from workflow.choices import AssignmentRole, AssignmentState, DirectiveKind, DuePolicy, Modality
from workflow.deadlines import DueRule
from workflow.models import Assignment, Directive, DirectiveItem, ExtensionRequest
from workflow.services import (
    Target,
    assignment_receive,
    assignments_create,
    directive_create,
    directive_publish,
    extension_request,
    item_add,
)


def reviewer():
    """A reviewer of the provincial office (in an agency of their own)."""
    return member(Role.REVIEWER, AgencyFactory(version__kind=AgencyKind.PROVINCE))


class DirectiveFactory(factory.Factory):
    """A directive with ``items`` (their texts, numbered 1, 2 …), published unless
    ``published=False``."""

    class Meta:
        model = Directive

    actor = factory.LazyFunction(reviewer)
    kind = DirectiveKind.CHI_THI
    number = factory.Sequence(lambda n: f"{n + 1:02d}/CT-UBND")
    title = factory.Sequence(lambda n: f"Chỉ thị thử nghiệm số {n + 1}")
    issued_on = date(2026, 1, 5)
    issuer = factory.SubFactory(AgencyFactory, version__kind=AgencyKind.PROVINCE)
    items = ("Đẩy mạnh công tác thông tin, tuyên truyền.",)
    published = True

    @classmethod
    def _create(cls, model_class, *, actor, items, published, **fields):
        directive = directive_create(actor=actor, **fields)
        for number, text in enumerate(items, start=1):
            item_add(actor=actor, directive=directive, number=str(number), text=text)
        if published:
            directive = directive_publish(actor=actor, directive=directive)
        return directive


class ItemFactory(factory.Factory):
    """One more item of a directive (numbered after the last), added by its author."""

    class Meta:
        model = DirectiveItem

    directive = factory.SubFactory(DirectiveFactory)
    actor = factory.LazyAttribute(lambda o: o.directive.created_by)
    number = factory.LazyAttribute(lambda o: str(o.directive.items.count() + 1))
    text = factory.Sequence(lambda n: f"Nhiệm vụ thử nghiệm {n + 1}.")

    @classmethod
    def _create(cls, model_class, **kwargs):
        return item_add(**kwargs)


class AssignmentFactory(factory.Factory):
    """An item given to one agency (lead, order), due 27/02/2026, assigned on 05/01/2026."""

    class Meta:
        model = Assignment

    item = factory.SubFactory(ItemFactory)
    agency = factory.SubFactory(AgencyFactory)
    actor = factory.LazyAttribute(lambda o: o.item.directive.created_by)
    role = AssignmentRole.LEAD
    modality = Modality.ORDER
    as_written = ""
    due_rule = DueRule(DuePolicy.FIXED, fixed_date=date(2026, 2, 27))
    title = factory.Sequence(lambda n: f"Việc thử nghiệm {n + 1}")
    assigned_on = date(2026, 1, 5)
    at = vn(2026, 1, 5)

    @classmethod
    def _create(cls, model_class, *, agency, role, modality, as_written, **kwargs):
        target = Target(agency=agency, role=role, modality=modality, as_written=as_written)
        return assignments_create(targets=[target], **kwargs)[0]


class ExtensionFactory(factory.Factory):
    """A head of the assignment's agency receives it (if new) and asks for a later due date
    (a head's own request counts as endorsed)."""

    class Meta:
        model = ExtensionRequest

    assignment = factory.SubFactory(AssignmentFactory)
    actor = factory.LazyAttribute(lambda o: member(Role.HEAD, o.assignment.agency))
    requested_due_date = date(2026, 3, 31)
    reason = "Chờ số liệu của các huyện."

    @classmethod
    def _create(cls, model_class, *, assignment, actor, **kwargs):
        if assignment.state == AssignmentState.NEW:
            assignment_receive(actor=actor, assignment=assignment, assignee=actor)
        return extension_request(actor=actor, assignment=assignment, **kwargs)
