from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanForm(models.TextChoices):
    """How a plan's inspections are carried out (hình thức kiểm tra)."""

    ON_SITE = "on_site", _("On site")
    DOCUMENT_REVIEW = "document_review", _("Review of reports and documents")
    UNANNOUNCED = "unannounced", _("Unannounced")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    CLOSED = "closed", _("Closed")


class InspectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    MINUTES_DRAFTED = "minutes_drafted", _("Minutes awaiting the agency's head")
    MINUTES_SIGNED = "minutes_signed", _("Minutes signed, awaiting the conclusion")
    FOLLOW_UP = "follow_up", _("Concluded, recommendations followed up")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Findings may be entered (by the team) while the inspection is not yet in its minutes.
RECORDING_STATES = (InspectionStatus.SCHEDULED,)
# The minutes are signed: the inspected agency reads the team's findings.
SIGNED_STATES = (
    InspectionStatus.MINUTES_SIGNED,
    InspectionStatus.FOLLOW_UP,
    InspectionStatus.CLOSED,
)
OPEN_INSPECTION_STATES = (
    InspectionStatus.SCHEDULED,
    InspectionStatus.MINUTES_DRAFTED,
    InspectionStatus.MINUTES_SIGNED,
    InspectionStatus.FOLLOW_UP,
)


class TeamRole(models.TextChoices):
    LEAD = "lead", _("Head of the team")
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Secretary")


class FindingSide(models.TextChoices):
    TEAM = "team", _("The inspection team")
    AGENCY = "agency", _("The agency's self-assessment")


class FindingResult(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, in the conclusion to come")
    ISSUED = "issued", _("Issued, remediation under way")
    TO_VERIFY = "to_verify", _("Remediation reported, to verify")
    DONE = "done", _("Verified done")


class VerificationResult(models.TextChoices):
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


class InspectionAction(models.TextChoices):
    """What the access layer is asked about plans, inspections and their parts."""

    VIEW = "view", _("See")
    MANAGE = "manage", _("Change the plan or the inspection (the organiser)")
    RECORD = "record", _("Record findings and verify (the team)")
    LEAD = "lead", _("Draft the minutes and recommendations (the team's head)")
    CONFIRM = "confirm", _("Confirm the minutes (the inspected agency's head)")
    SELF_ASSESS = "self_assess", _("Assess itself against the checklist (the inspected agency)")
    CONCLUDE = "conclude", _("Issue the conclusion (the organiser's head)")
    EDIT_TEMPLATES = "edit_templates", _("Edit checklist templates")
