"""The assignment's timeline as the office reads it: one Vietnamese sentence per event (who,
to whom, what changed), in time order. The English verbs stay in the audit table."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from agencies.models import AgencyVersion, Membership, User
from core.audit import audit_trail
from core.models import AuditEvent

from ..choices import AssignmentRole


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    sentence: str


class _People:
    """Names and job titles of the people a timeline mentions, read once."""

    def __init__(self, events):
        # Two queries for the whole timeline, however many people, agencies and days it
        # mentions: the memberships of its people (with the people: the actors come with the
        # events; an assignee always held a membership), and the versions of its agencies.
        usernames = {e.after.get("assignee") for e in events if e.after and e.after.get("assignee")}
        ids = {e.actor_id for e in events if e.actor_id}
        self.users: dict[str, User] = {e.actor.username: e.actor for e in events if e.actor_id}
        self.titles: dict[int, list[Membership]] = {}
        memberships = Membership.objects.filter(
            Q(user_id__in=ids) | Q(user__username__in=usernames)
        ).select_related("user")
        for m in memberships:
            self.users.setdefault(m.user.username, m.user)
            if m.title:
                self.titles.setdefault(m.user_id, []).append(m)

    def who(self, user, on: date) -> str:
        """ "Giám đốc Sở Tài chính Nguyễn Văn A": the job title held that day, then the name."""
        if user is None:
            return _("The system")
        name = user.full_name or user.get_full_name() or user.username
        for m in self.titles.get(user.pk, []):
            if m.valid_from <= on and (m.valid_until is None or on < m.valid_until):
                return f"{m.title} {name}" if name not in m.title else m.title
        return name

    def by_username(self, username, on: date) -> str:
        user = self.users.get(username)
        return self.who(user, on) if user else (username or "")

    @staticmethod
    def agency(event, code) -> str:
        """The name the agency an event names had that day (read with the event; its code
        when it had none then)."""
        if not code:
            return ""
        return getattr(event, "agency_then", "") or code


def _day(value) -> str:
    day = parse_date(str(value)) if value else None
    return f"{day:%d/%m/%Y}" if day else "—"


def _points(value) -> str:
    return format(Decimal(str(value)).normalize(), "f").replace(".", ",")


def _sentence(event: AuditEvent, people: _People) -> str:  # noqa: C901 — one line per verb
    on = timezone.localdate(event.at)
    who = people.who(event.actor, on)
    new, old, note = event.after or {}, event.before or {}, event.note
    verb = event.verb
    if verb == "assignment.create":
        role = AssignmentRole(new.get("role", AssignmentRole.LEAD)).label
        text = _("{who} gave the work to {agency} ({role}), due {due}.").format(
            who=who,
            agency=people.agency(event, new.get("agency")),
            role=role,
            due=_day(new.get("due_date")),
        )
        if new.get("due_date_as_written"):
            text += " " + _(
                "The text said {written}, a day off: the due date is the next working day."
            ).format(written=_day(new["due_date_as_written"]))
        return text
    simple = {
        "assignment.refuse": _("{who} reported that another agency should carry it out"),
        "assignment.triage_return": _("{who} sent it back to the agency"),
        "assignment.triage_cancel": _("{who} cancelled the assignment"),
        "report.complete": _("{who} reported the result"),
        "report.approve": _("{who} approved the report and sent it to the provincial office"),
        "report.return": _("{who} returned the report to the officer"),
        "report.accept": _("{who} confirmed the work as done"),
        "report.return_office": _("{who} returned the result to the agency"),
        "extension.endorse": _("{who} endorsed the extension request"),
        "extension.refuse_endorsement": _("{who} declined the extension request"),
        "extension.deny": _("{who} refused the extension"),
        "escalation.close": _("{who} closed the late-work warning as resolved"),
        "escalation.send_up": _("{who} sent the late work up to a leader of the province"),
        "explanation.answer": _("{who} explained the delay to the office"),
        "explanation.withdraw": _("{who} withdrew the request to explain"),
    }
    if verb in simple:
        text = simple[verb].format(who=who)
    elif verb == "assignment.receive":
        text = _("{who} received it and gave it to {person}").format(
            who=who, person=people.by_username(new.get("assignee"), on)
        )
    elif verb == "assignment.reassign_officer":
        text = _("{who} gave it to {person} instead").format(
            who=who, person=people.by_username(new.get("assignee"), on)
        )
    elif verb in ("assignment.transfer", "assignment.reassign", "assignment.triage_reassign"):
        text = _("{who} gave the work to {agency}").format(
            who=who, agency=people.agency(event, new.get("agency"))
        )
    elif verb == "report.progress":
        text = _("{who} filed a progress update").format(who=who)
        if new.get("percent") is not None:
            text += f" ({new['percent']}%)"
    elif verb == "explanation.request":
        text = _("{who} asked {agency} to explain the delay by {day}").format(
            who=who, agency=people.agency(event, new.get("agency")), day=_day(new.get("due_on"))
        )
    elif verb == "extension.request":
        text = _("{who} asked for the due date to move to {day}").format(
            who=who, day=_day(new.get("requested_due_date"))
        )
    elif verb in ("extension.approve", "assignment.extend", "escalation.extend"):
        text = _("{who} moved the due date from {old} to {new}").format(
            who=who, old=_day(old.get("due_date")), new=_day(new.get("due_date"))
        )
    elif verb == "escalation.penalty":
        text = _("{who} accepted the late work, {points} penalty points deducted").format(
            who=who, points=_points(new.get("penalty_points") or 0)
        )
    elif verb == "assignment.record_outcome":
        text = _("{who} recorded the work as done on {day}").format(
            who=who, day=_day(new.get("completed_on"))
        )
    elif verb == "escalation.reassign":
        text = _("{who} decided to give the late work to someone else").format(who=who)
    else:
        text = f"{who}: {verb}"
    return f"{text}: {note}" if note else f"{text}."


def assignment_timeline(*, assignment) -> list[Entry]:
    """The assignment's history in time order, each event told as a sentence."""
    # The agency an event names (its "agency" code), by its name on the event's day: read with
    # the events, in the same query.
    day = TruncDate("at")
    then = AgencyVersion.objects.filter(
        agency__code=OuterRef("outer_agency"), valid_from__lte=OuterRef("day")
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("day")))
    events = list(
        audit_trail(assignment)
        .annotate(day=day, outer_agency=KT("after__agency"))
        .annotate(agency_then=Subquery(then.order_by("valid_from").values("name")[:1]))
        .order_by("at", "pk")
    )
    people = _People(events)
    return [Entry(event=e, sentence=_sentence(e, people)) for e in events]
