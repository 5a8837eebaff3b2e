"""The assignment's timeline as the office reads it: one Vietnamese sentence per event (who,
to whom, what changed), in time order. The English verbs stay in the audit table."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from agencies.models import Agency, Membership, User
from agencies.selectors import agency_name_on
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
        usernames = {e.after.get("assignee") for e in events if e.after and e.after.get("assignee")}
        ids = {e.actor_id for e in events if e.actor_id}
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=usernames) | User.objects.filter(pk__in=ids)
        }
        self.names: dict[tuple[str, date], str] = {}
        self.titles: dict[int, list[Membership]] = {}
        for m in Membership.objects.filter(user__in=self.users.values()).exclude(title=""):
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

    def agency(self, code, on: date) -> str:
        """The agency's name that day (one read per agency and day)."""
        if not code:
            return ""
        if (code, on) not in self.names:
            agency = Agency.objects.filter(code=code).first()
            self.names[(code, on)] = (
                agency_name_on(agency=agency, on=on) if agency else ""
            ) or code
        return self.names[(code, on)]


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
            agency=people.agency(new.get("agency"), on),
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
            who=who, agency=people.agency(new.get("agency"), on)
        )
    elif verb == "report.progress":
        text = _("{who} filed a progress update").format(who=who)
        if new.get("percent") is not None:
            text += f" ({new['percent']}%)"
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
    elif verb == "escalation.reassign":
        text = _("{who} decided to give the late work to someone else").format(who=who)
    else:
        text = f"{who}: {verb}"
    return f"{text}: {note}" if note else f"{text}."


def assignment_timeline(*, assignment) -> list[Entry]:
    """The assignment's history in time order, each event told as a sentence."""
    events = list(audit_trail(assignment).order_by("at", "pk"))
    people = _People(events)
    return [Entry(event=e, sentence=_sentence(e, people)) for e in events]
