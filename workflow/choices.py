from django.db import models
from django.utils.translation import gettext_lazy as _


class DirectiveKind(models.TextChoices):
    CHI_THI = "chi_thi", _("Directive (chỉ thị)")
    KE_HOACH = "ke_hoach", _("Plan (kế hoạch)")
    KET_LUAN = "ket_luan", _("Conclusion (kết luận)")
    THONG_BAO = "thong_bao", _("Notice (thông báo)")
    QUYET_DINH = "quyet_dinh", _("Decision (quyết định)")


class DirectiveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    COORDINATING = "coordinating", _("Coordinating")


class Modality(models.TextChoices):
    ORDER = "order", _("Order (giao)")
    REQUEST = "request", _("Request (đề nghị)")


class AssignmentSource(models.TextChoices):
    DIRECTIVE = "directive", _("Directive")
    CONTRIBUTION = "contribution", _("Contribution to a lead assignment")
    RECURRENCE = "recurrence", _("Recurring report")
    TRANSFER = "transfer", _("Transfer to a successor")
    INSPECTION = "inspection", _("Inspection recommendation")
    ESCALATION = "escalation", _("Escalation decision")


class AssignmentState(models.TextChoices):
    NEW = "new", _("Awaiting receipt")
    REFUSED = "refused", _("Returned to the office")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED = "reported", _("Reported, awaiting the head")
    APPROVED = "approved", _("Approved by the head, awaiting the office")
    DONE = "done", _("Done")
    TRANSFERRED = "transferred", _("Transferred")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (
    AssignmentState.NEW,
    AssignmentState.REFUSED,
    AssignmentState.IN_PROGRESS,
    AssignmentState.REPORTED,
    AssignmentState.APPROVED,
)


class Timeliness(models.TextChoices):
    """The Government Office's tallies, plus the states that fall outside them."""

    ON_TIME = "on_time", _("In progress, on time")
    OVERDUE = "overdue", _("In progress, overdue")
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    CONTINUOUS = "continuous", _("Continuous")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    TRANSFERRED = "transferred", _("Transferred")
    CANCELLED = "cancelled", _("Cancelled")


class DuePolicy(models.TextChoices):
    CONTINUOUS = "continuous", _("Continuous (no single deadline)")
    FIXED = "fixed", _("A fixed date")
    WORKING_DAYS = "working_days", _("N working days from receipt")


class Period(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every 6 months")
    YEARLY = "yearly", _("Yearly")


PERIOD_MONTHS = {Period.MONTHLY: 1, Period.QUARTERLY: 3, Period.HALF_YEARLY: 6, Period.YEARLY: 12}


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress update")
    COMPLETION = "completion", _("Completion report")


class ReportStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    RETURNED_BY_HEAD = "returned_by_head", _("Returned by the head")
    APPROVED = "approved", _("Approved by the head")
    RETURNED_BY_OFFICE = "returned_by_office", _("Returned by the office")
    ACCEPTED = "accepted", _("Accepted by the office")


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ENDORSED = "endorsed", _("Endorsed by the head")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day")


# The states in which each step may be taken: services enforce them, pages offer only these.
ACTION_STATES = {
    "receive": (AssignmentState.NEW,),
    "refuse": (AssignmentState.NEW,),
    "triage": (AssignmentState.REFUSED,),
    "progress": OPEN_STATES,
    "report": (AssignmentState.IN_PROGRESS,),
    "approve": (AssignmentState.REPORTED,),
    "return": (AssignmentState.REPORTED,),
    "accept": (AssignmentState.APPROVED,),
    "return_office": (AssignmentState.APPROVED,),
    "request_extension": (
        AssignmentState.NEW,
        AssignmentState.IN_PROGRESS,
        AssignmentState.REPORTED,
    ),
    "transfer": OPEN_STATES,
}


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
