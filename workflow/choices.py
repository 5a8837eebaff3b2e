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
    SELF_REPORT = "self_report", _("Self-report before an inspection")
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
# Work no longer this agency's to answer for: cancelled, or transferred to the agency that
# holds it now (its successor's assignment counts instead).
GONE_STATES = (AssignmentState.CANCELLED, AssignmentState.TRANSFERRED)


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


class StepName(models.TextChoices):
    """The steps a person takes on an assignment (``workflow.steps``), as the URLs name them."""

    RECEIVE = "receive", _("Receive and delegate")
    REFUSE = "refuse", _("Return to the office (not our remit)")
    TRIAGE = "triage", _("Decide on the refusal")
    PROGRESS = "progress", _("File a progress update")
    REPORT = "report", _("Report completion")
    APPROVE = "approve", _("Approve the report")
    RETURN = "return", _("Return the report to the officer")
    ACCEPT = "accept", _("Accept the result")
    RETURN_OFFICE = "return_office", _("Return the result to the agency")
    REQUEST_EXTENSION = "request_extension", _("Request an extension")
    TRANSFER = "transfer", _("Transfer to a successor")


class ExtensionStepName(models.TextChoices):
    ENDORSE = "endorse", _("Endorse the extension request")
    DECIDE = "decide", _("Decide the extension request")


class AssignmentAction(models.TextChoices):
    """What the access layer is asked about an assignment; guardian's codenames are
    ``<action>_assignment``."""

    VIEW = "view", _("See")
    RECEIVE = "receive", _("Receive and delegate")
    REFUSE = "refuse", _("Return to the office")
    PROGRESS = "progress", _("File a progress update")
    REPORT = "report", _("Report completion")
    APPROVE = "approve", _("Approve or return the report")
    ACCEPT = "accept", _("Accept or return the result")
    TRIAGE = "triage", _("Decide on a refusal")
    REQUEST_EXTENSION = "request_extension", _("Request an extension")
    TRANSFER = "transfer", _("Transfer to a successor")
    EXTEND = "extend", _("Set a later due date")
    REASSIGN = "reassign", _("Give to another agency or officer")


class ExtensionAction(models.TextChoices):
    VIEW = "view", _("See")
    ENDORSE = "endorse", _("Endorse")
    DECIDE = "decide", _("Decide")


class DirectiveAction(models.TextChoices):
    VIEW = "view", _("See")
    ADD = "add", _("Register")
    CHANGE = "change", _("Change")
    PUBLISH = "publish", _("Publish")
    ASSIGN = "assign", _("Assign")
    # Make public to citizens (công khai) or withdraw it: the office's reviewers.
    PUBLICIZE = "publicize", _("Make public")


class TriageDecision(models.TextChoices):
    RETURN = "return", _("Send it back to the agency")
    REASSIGN = "reassign", _("Give it to another agency")
    CANCEL = "cancel", _("Cancel it")


# The states in which each step may be taken: services enforce them, pages offer only these.
STEP_STATES = {
    StepName.RECEIVE: (AssignmentState.NEW,),
    StepName.REFUSE: (AssignmentState.NEW,),
    StepName.TRIAGE: (AssignmentState.REFUSED,),
    StepName.PROGRESS: OPEN_STATES,
    StepName.REPORT: (AssignmentState.IN_PROGRESS,),
    StepName.APPROVE: (AssignmentState.REPORTED,),
    StepName.RETURN: (AssignmentState.REPORTED,),
    StepName.ACCEPT: (AssignmentState.APPROVED,),
    StepName.RETURN_OFFICE: (AssignmentState.APPROVED,),
    StepName.REQUEST_EXTENSION: (
        AssignmentState.NEW,
        AssignmentState.IN_PROGRESS,
        AssignmentState.REPORTED,
    ),
    StepName.TRANSFER: OPEN_STATES,
}

# The request status at which each extension step is taken.
EXTENSION_STEP_STATUS = {
    ExtensionStepName.ENDORSE: ExtensionStatus.REQUESTED,
    ExtensionStepName.DECIDE: ExtensionStatus.ENDORSED,
}


class IndicatorDirection(models.TextChoices):
    """Which way an indicator improves: a share of dossiers on time rises, a rank falls."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class IndicatorStatus(models.TextChoices):
    """Where an indicator stands against its target (``workflow.targets.indicator_status``)."""

    MET = "met", _("Met")
    AT_RISK = "at_risk", _("At risk of being missed")
    MISSED = "missed", _("Missed")
    IN_PROGRESS = "in_progress", _("In progress")


class IndicatorAction(models.TextChoices):
    VIEW = "view", _("See")
    ADD = "add", _("Add")
    CHANGE = "change", _("Change")
    REPORT = "report", _("Report a value")
    CONFIRM = "confirm", _("Confirm a value")


class MeasurementAction(models.TextChoices):
    VIEW = "view", _("See")
    CONFIRM = "confirm", _("Confirm")
    # Correct a reported value (điều chỉnh số liệu): the office's reviewers at any time, the
    # reporting agency while the value awaits confirmation (``workflow.access``).
    CORRECT = "correct", _("Correct a value")


class NationalIndex(models.TextChoices):
    """The national indices a province is ranked by each year (DOMAIN.md §3)."""

    PAR_INDEX = "par_index", _("PAR Index (administrative reform)")
    SIPAS = "sipas", _("SIPAS (satisfaction with public administration)")
    PAPI = "papi", _("PAPI (governance and public administration)")


class IndexResultAction(models.TextChoices):
    VIEW = "view", _("See")
    # Enter a year's result, correct one, or import a file of them: the office's reviewers.
    CHANGE = "change", _("Enter or correct")


class ExplanationStatus(models.TextChoices):
    """Where an explanation request (yêu cầu giải trình) stands."""

    REQUESTED = "requested", _("Awaiting the explanation")
    ANSWERED = "answered", _("Explained")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ExplanationAction(models.TextChoices):
    VIEW = "view", _("See")
    # Ask an agency to explain (the office's reviewers and the province's leaders).
    ADD = "add", _("Ask for an explanation")
    ANSWER = "answer", _("Explain")
    WITHDRAW = "withdraw", _("Withdraw the request")
