from django.db import models
from django.utils.translation import gettext_lazy as _


class LevelKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder before the due date")
    WARNING = "warning", _("Overdue warning")
    OFFICE = "office", _("Escalation to the provincial office")
    LEADER = "leader", _("Escalation to a leader of the provincial People's Committee")


# Requests (đề nghị) to bodies the provincial committee does not command are only reminded.
REQUEST_LEVEL_KINDS = (LevelKind.REMINDER, LevelKind.WARNING)


class Audience(models.TextChoices):
    ASSIGNEE_AND_HEADS = "assignee_and_heads", _("The officer and the agency's heads")
    HEADS = "heads", _("The agency's heads")
    REVIEWERS = "reviewers", _("Reviewers of the provincial office")
    LEADERS = "leaders", _("Leaders of the provincial People's Committee")


class EscalationDecision(models.TextChoices):
    EXTEND = "extend", _("Extend the due date")
    REASSIGN = "reassign", _("Reassign")
    PENALTY = "penalty", _("Accept with a recorded penalty")
    CLOSE = "close", _("Close as resolved")


class EscalationResolution(models.TextChoices):
    EXTENDED = "extended", _("Extended")
    REASSIGNED = "reassigned", _("Reassigned")
    PENALISED = "penalised", _("Accepted with a penalty")
    CLOSED = "closed", _("Closed by the office")
    COMPLETED = "completed", _("The assignment was closed")
    SUPERSEDED = "superseded", _("The due date changed")


class EscalationAction(models.TextChoices):
    """What the access layer is asked about an escalation."""

    VIEW = "view", _("See")
    DECIDE = "decide", _("Decide as the provincial office")
    DECIDE_AS_LEADER = "decide_as_leader", _("Decide as a leader")
