"""Who hears of each step that hands work to someone, and what the notice says.

Every step of the chain writes one line of the timeline (``services._base.timeline_record``);
for the steps that give someone something to do, or answer them, that line also tells the
people concerned through notifications' ``event_notify``: once per person and event (the key
is the timeline line's), never the person who acted, in the app at once and by mail as each
chose. The whole table is here, so "who is told of what" has one place.

A new assignment is announced once per agency, directive and day ("new work from directive
X"), not once per item: an agency given forty items of a directive gets one notice.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote_plus

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agencies.choices import Role
from agencies.models import AgencyVersion, Membership
from agencies.selectors import agency_name_on, name_on
from core.sql import among
from core.time import local_date
from notifications.models import Category, Notice
from notifications.services import event_notify, events_notify_from

from .access import APPROVERS, RECEIVERS
from .choices import AssignmentSource, AssignmentState
from .models import Assignment, ExtensionRequest


def _members(*, agency_id: int, roles, day: date) -> list[int]:
    """The people holding one of ``roles`` in the agency on ``day``."""
    return list(
        Membership.objects.active_on(day)
        .filter(agency_id=agency_id, role__in=roles)
        .values_list("user_id", flat=True)
    )


@dataclass(frozen=True)
class Event:
    """One line of an assignment's timeline, as a notice rule reads it."""

    verb: str
    assignment: Assignment
    actor: Any
    note: str
    new: dict
    key: str
    at: datetime

    @property
    def day(self) -> date:
        return local_date(self.at)

    @property
    def agency(self) -> str:
        return agency_name_on(agency=self.assignment.agency, on=self.day) or str(
            self.assignment.agency
        )

    @property
    def url(self) -> str:
        return reverse("workflow:assignment", args=[self.assignment.pk])

    def members(self, roles) -> list[int]:
        """The people holding one of ``roles`` in the assignment's agency that day."""
        return _members(agency_id=self.assignment.agency_id, roles=roles, day=self.day)

    def reviewers(self) -> list[int]:
        """The provincial office's reviewers that day."""
        return list(
            Membership.objects.active_on(self.day)
            .filter(role=Role.REVIEWER)
            .values_list("user_id", flat=True)
            .distinct()
        )

    def extension(self) -> ExtensionRequest:
        return ExtensionRequest.objects.get(pk=self.new["extension"])


@dataclass(frozen=True)
class Tell:
    """What one rule says to whom."""

    category: str
    recipients: Iterable[int]
    title: str
    url: str = ""
    key: str = ""  # the event's own key unless the rule groups events


def _with_reason(text: str, note: str) -> str:
    return _("{text} Reason: {reason}").format(text=text, reason=note) if note else text


def new_work(e: Event) -> Tell:
    a = e.assignment
    if a.source == AssignmentSource.TRANSFER:
        return Tell(
            Category.TRANSFERRED,
            e.members(RECEIVERS),
            _("Transferred to {agency}: “{title}”.").format(agency=e.agency, title=a.title),
        )
    directive = a.item.directive
    return Tell(
        Category.NEW_WORK,
        e.members(RECEIVERS),
        _new_work_title(e.agency, directive),
        url=_new_work_url(directive, a.agency.code),
        key=_new_work_key(directive, a.agency_id, a.assigned_on),
    )


# The words of "new work" (``new_work``, and ``new_work_announce`` for many at once).


def _new_work_title(agency, directive) -> str:
    return _("New work for {agency} from {directive}: receive it and give it to someone.").format(
        agency=agency, directive=directive.number or directive.title
    )


def _new_work_url(directive, agency_code) -> str:
    query = {"directive": directive.pk, "agency": agency_code, "state": AssignmentState.NEW}
    return reverse("workflow:assignments") + "?" + urlencode(query)


def _new_work_key(directive, agency_id, assigned_on: date) -> str:
    return f"new-work:{directive.pk}:{agency_id}:{assigned_on:%Y-%m-%d}"


def _person(user) -> str:
    if user is None:
        return _("The system")
    return str(user)


def delegated(e: Event) -> Tell:
    return Tell(
        Category.DELEGATED,
        [e.assignment.assignee_id],
        _("{actor} gave you “{title}”, due {due}.").format(
            actor=_person(e.actor),
            title=e.assignment.title,
            due=f"{e.assignment.due_date:%d/%m/%Y}" if e.assignment.due_date else _("no deadline"),
        ),
    )


def refused(e: Event) -> Tell:
    return Tell(
        Category.REFUSED,
        e.reviewers(),
        _with_reason(
            _("{agency} proposes another agency for “{title}”.").format(
                agency=e.agency, title=e.assignment.title
            ),
            e.note,
        ),
    )


def triage_returned(e: Event) -> Tell:
    return Tell(
        Category.RETURNED,
        e.members(RECEIVERS),
        _with_reason(
            _("The provincial office keeps “{title}” with {agency}: receive it.").format(
                title=e.assignment.title, agency=e.agency
            ),
            e.note,
        ),
    )


def awaiting_approval(e: Event) -> Tell:
    return Tell(
        Category.APPROVAL,
        e.members(APPROVERS),
        _("Report awaiting your approval: “{title}”.").format(title=e.assignment.title),
    )


def awaiting_office(e: Event) -> Tell:
    return Tell(
        Category.ACCEPTANCE,
        e.reviewers(),
        _("Result of {agency} awaiting confirmation: “{title}”.").format(
            agency=e.agency, title=e.assignment.title
        ),
    )


def returned_by_head(e: Event) -> Tell:
    return Tell(
        Category.RETURNED,
        [e.assignment.assignee_id],
        _with_reason(
            _("Your report on “{title}” was returned.").format(title=e.assignment.title), e.note
        ),
    )


def returned_by_office(e: Event) -> Tell:
    return Tell(
        Category.RETURNED,
        [e.assignment.assignee_id, *e.members(APPROVERS)],
        _with_reason(
            _("The provincial office returned the result of “{title}”.").format(
                title=e.assignment.title
            ),
            e.note,
        ),
    )


def completed(e: Event) -> Tell:
    return Tell(
        Category.COMPLETED,
        [e.assignment.assignee_id, *e.members(APPROVERS)],
        _("The provincial office confirmed “{title}” as completed.").format(
            title=e.assignment.title
        ),
    )


def extension_requested(e: Event) -> Tell | None:
    extension = e.extension()
    approvers = e.members(APPROVERS)
    if extension.requested_by_id in approvers:
        return None  # a head's own request counts as endorsed: the office hears of it next
    return Tell(
        Category.EXTENSION_REQUESTED,
        approvers,
        _("{user} asks to extend “{title}” to {day:%d/%m/%Y}.").format(
            user=_person(extension.requested_by),
            title=e.assignment.title,
            day=extension.requested_due_date,
        ),
    )


def extension_endorsed(e: Event) -> Tell:
    extension = e.extension()
    return Tell(
        Category.EXTENSION_ENDORSED,
        e.reviewers(),
        _("{agency} asks to extend “{title}” from {old:%d/%m/%Y} to {day:%d/%m/%Y}.").format(
            agency=e.agency,
            title=e.assignment.title,
            old=extension.current_due_date,
            day=extension.requested_due_date,
        ),
    )


def extension_decided(e: Event) -> Tell:
    extension = e.extension()
    if e.verb == "extension.approve":
        text = _("Extension granted: “{title}” is now due {day:%d/%m/%Y}.").format(
            title=e.assignment.title, day=e.new["due_date"]
        )
    else:
        text = _with_reason(
            _("Extension of “{title}” not granted.").format(title=e.assignment.title), e.note
        )
    return Tell(
        Category.EXTENSION_DECIDED,
        [extension.requested_by_id, *e.members(APPROVERS)],
        text,
    )


RULES: dict[str, Callable[[Event], Tell | None]] = {
    "assignment.create": new_work,
    "assignment.receive": delegated,
    "assignment.reassign_officer": delegated,
    "assignment.refuse": refused,
    "assignment.triage_return": triage_returned,
    "report.complete": awaiting_approval,
    "report.approve": awaiting_office,
    "report.return": returned_by_head,
    "report.return_office": returned_by_office,
    "report.accept": completed,
    "extension.request": extension_requested,
    "extension.endorse": extension_endorsed,
    "extension.refuse_endorsement": extension_decided,
    "extension.approve": extension_decided,
    "extension.deny": extension_decided,
}


def announce(
    *, verb: str, assignment: Assignment, actor, note: str, new, key: str, at: datetime
) -> int:
    """Tell the people concerned by one timeline line, if its step concerns anyone."""
    rule = RULES.get(verb)
    if rule is None:
        return 0
    event = Event(verb, assignment, actor, note, new or {}, key, at)
    tell = rule(event)
    if tell is None:
        return 0
    actor_id = actor.pk if actor is not None else None
    return event_notify(
        recipients={r for r in tell.recipients if r is not None and r != actor_id},
        key=tell.key or key,
        category=tell.category,
        title=tell.title,
        url=tell.url or event.url,
        at=at,
    )


_MARK = "\x1f"  # stands for a value the database fills in (never in a name, code or number)


def _around(text: str, value, mark: str = _MARK) -> Concat:
    """``text`` (made with ``mark`` in one place) with ``value``, an expression, in its place."""
    head, _mark, tail = text.partition(mark)
    return Concat(Value(head), value, Value(tail), output_field=CharField())


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def new_work_announce(*, assignments: Sequence[Assignment], actor, at: datetime) -> int:
    """``announce`` of "assignment.create" for many new assignments of one item at once (a
    broadcast), in one INSERT … SELECT whatever their number: the notices ``new_work`` gives
    one at a time — one per person receiving work in each agency, directive and day, never
    the actor —, with the agency's name that day read by the database. An agency whose code
    a URL must escape, or a title the notice would shorten, goes through ``announce`` (one
    by one; none such in the reference data). Returns how many notices are new."""
    if not assignments:
        return 0
    first = assignments[0]
    directive = first.item.directive
    if any(
        a.source == AssignmentSource.TRANSFER
        or a.item.directive_id != directive.pk
        or a.assigned_on != first.assigned_on
        for a in assignments
    ):
        raise ValueError("new_work_announce takes new work of one directive and day.")
    title = _new_work_title(_MARK, directive)
    one_by_one = [
        a
        for a in assignments
        if quote_plus(a.agency.code) != a.agency.code
        or len(title) + _max_length(AgencyVersion, "name") > _max_length(Notice, "title")
    ]
    told = sum(
        announce(
            verb="assignment.create", assignment=a, actor=actor, note="", new=None, key="", at=at
        )
        for a in one_by_one
    )
    skipped = {a.pk for a in one_by_one}
    day = local_date(at)
    receivers = Membership.objects.active_on(day).filter(
        among("agency_id", [a.agency_id for a in assignments if a.pk not in skipped]),
        role__in=RECEIVERS,
    )
    if actor is not None:
        receivers = receivers.exclude(user_id=actor.pk)
    name = Coalesce(NullIf(name_on("agency_id", day), Value("")), "agency__code")
    return told + events_notify_from(
        receivers,
        recipient="user_id",
        key=_around(
            _new_work_key(directive, _MARK, first.assigned_on),
            Cast("agency_id", output_field=CharField()),
        ),
        category=Category.NEW_WORK,
        title=_around(title, name),
        url=_around(_new_work_url(directive, _MARK), F("agency__code"), quote_plus(_MARK)),
        at=at,
    )


def _reorganisation_notify(*, key: str, old_agency, agency, roles, actor, at, **notice) -> int:
    """Once per person of ``agency`` in ``roles`` and day: what a reorganisation transfer from
    ``old_agency`` sent them (``notice``: category, title, url)."""
    day = local_date(at)
    recipients = _members(agency_id=agency.pk, roles=roles, day=day)
    actor_id = actor.pk if actor is not None else None
    return event_notify(
        recipients={r for r in recipients if r != actor_id},
        key=f"{key}:{old_agency.pk}:{agency.pk}:{day:%Y-%m-%d}",
        at=at,
        **notice,
    )


def transfers_announce(*, old_agency, old_name: str, agency, count: int, actor, at) -> int:
    """The people receiving work in ``agency`` hear once that ``count`` assignments of
    ``old_agency`` (which ended in a reorganisation; ``old_name``, its last name) are now
    theirs, not once per assignment."""
    title = _(
        "{n} assignments of {old} were transferred to {agency}: receive them and give them to "
        "someone."
    ).format(
        n=count, old=old_name, agency=agency_name_on(agency=agency, on=local_date(at)) or agency
    )
    query = {"agency": agency.code, "state": AssignmentState.NEW}
    return _reorganisation_notify(
        key="reorganisation",
        old_agency=old_agency,
        agency=agency,
        roles=RECEIVERS,
        actor=actor,
        at=at,
        category=Category.TRANSFERRED,
        title=title,
        url=reverse("workflow:assignments") + "?" + urlencode(query),
    )


def explanations_transferred_announce(
    *, old_agency, old_name: str, agency, count: int, actor, at
) -> int:
    """The head and deputies of ``agency`` hear once that ``count`` explanation requests on the
    work of ``old_agency`` (which ended; ``old_name``, its last name) now await their answer."""
    title = _(
        "{n} requests to explain late work of {old} now await the explanation of {agency}."
    ).format(
        n=count, old=old_name, agency=agency_name_on(agency=agency, on=local_date(at)) or agency
    )
    return _reorganisation_notify(
        key="reorganisation-explanations",
        old_agency=old_agency,
        agency=agency,
        roles=APPROVERS,
        actor=actor,
        at=at,
        category=Category.EXPLANATION,
        title=title,
        url=reverse("workflow:explanations") + "?" + urlencode({"group": "awaiting"}),
    )


# Explanation requests: the agency's head and deputies hear of a request and of its
# withdrawal; whoever asked hears of the answer. The subject is an assignment or an indicator,
# so these are told here directly, not through an assignment's timeline rules.


def explanation_announce(*, explanation, verb: str, actor, key: str, at: datetime) -> int:
    day = local_date(at)
    subject = explanation.assignment or explanation.indicator
    title = getattr(subject, "title", None) or subject.name
    if verb == "explanation.request":
        recipients = _members(agency_id=explanation.agency_id, roles=APPROVERS, day=day)
        text = _("Please explain “{subject}” by {day:%d/%m/%Y}.").format(
            subject=title, day=explanation.due_on
        )
    elif verb == "explanation.answer":
        recipients = [explanation.requested_by_id]
        agency = agency_name_on(agency=explanation.agency, on=day) or str(explanation.agency)
        text = _("{agency} explained “{subject}”.").format(agency=agency, subject=title)
    else:
        recipients = _members(agency_id=explanation.agency_id, roles=APPROVERS, day=day)
        text = _with_reason(
            _("The request to explain “{subject}” was withdrawn.").format(subject=title),
            explanation.withdrawal_note,
        )
    actor_id = actor.pk if actor is not None else None
    return event_notify(
        recipients={r for r in recipients if r is not None and r != actor_id},
        key=key,
        category=Category.EXPLANATION,
        title=text,
        url=reverse("workflow:explanation", args=[explanation.pk]),
        at=at,
    )
