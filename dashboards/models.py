"""The province overview's tallies: how many assignments each agency has in each bucket of
timeliness (open work by due date, done work by month of completion; and again, whatever the
date, one row per agency), and how many escalations of each level are open against each
agency.

Kept by the database, not by Python: triggers (migration 0004) on ``workflow_assignment``
and ``escalation_escalation`` change a tally in the same statement as the rows it counts —
whoever writes them (the services, bulk inserts of a broadcast or of the benchmarks'
generator, a data correction in SQL) — so it cannot drift from them; the migration fills it
from the rows already there. Nothing else writes these tables. ``tests/dashboards`` checks
them against the live counts after every service.
"""

from datetime import date

from django.db import models

# The due date of a bucket that has none: every bucket but open work with a due date.
UNDATED = date(1, 1, 1)


class Bucket(models.TextChoices):
    """An assignment's timeliness (``workflow.selectors.timeliness``) as far as it does not
    depend on the day: open work with a due date (and no pending extension request) is one
    bucket, told overdue or on time by its due date on the day it is read."""

    OPEN = "open"
    CONTINUOUS = "continuous"
    EXTENSION = "extension"  # open work under a pending extension request
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"


class AssignmentTally(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    bucket = models.CharField(max_length=16, choices=Bucket.choices)
    # Open work: its due date; done work: the first day of its month of completion (the
    # dashboard's trend); UNDATED otherwise.
    due_date = models.DateField()
    n = models.IntegerField()

    # The same agency's row of every date (for the overview: its open work due from today on).
    summary = models.ForeignObject(
        "AgencyTally",
        from_fields=["agency"],
        to_fields=["agency"],
        on_delete=models.DO_NOTHING,
        null=True,  # no column: the joins it makes read ``agency_id`` on both sides
        related_name="dated",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "bucket", "due_date"], name="assignment_tally_key"
            )
        ]
        indexes = [
            # Open work due from a day on, and done work by month, across the province.
            models.Index(
                fields=["bucket", "due_date"], include=["agency", "n"], name="assignment_tally_due"
            )
        ]

    def __str__(self):
        return f"{self.agency_id} {self.bucket} {self.due_date}: {self.n}"


class ItemTally(models.Model):
    """The dated rows again, by directive item instead of agency (the public page counts its
    items' work from here): how many assignments of the item are in the bucket, by date."""

    item = models.ForeignKey(
        "workflow.DirectiveItem", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    bucket = models.CharField(max_length=16, choices=Bucket.choices)
    due_date = models.DateField()  # as AssignmentTally's
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "bucket", "due_date"], name="item_tally_key")
        ]

    def __str__(self):
        return f"{self.item_id} {self.bucket} {self.due_date}: {self.n}"


class PerAgency(models.Model):
    """A tally of one row per agency."""

    agency = models.OneToOneField(
        "agencies.Agency",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        abstract = True


class AgencyTally(PerAgency):
    """An agency's assignments by bucket whatever their dates: one row per agency (the
    province overview reads 12,000 of them, not the 40-odd dated rows of each). Its open work
    splits into overdue and on time on the day it is read: the work due from that day on is
    the few dated rows read beside it (``AssignmentTally.summary``), the rest is overdue."""

    open = models.IntegerField(default=0)
    continuous = models.IntegerField(default=0)
    extension = models.IntegerField(default=0)
    done_on_time = models.IntegerField(default=0)
    done_late = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    transferred = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.agency_id}: {self.open} open"


class EscalationTally(models.Model):
    """Open (unresolved) escalations of one level raised against one agency."""

    level = models.ForeignKey(
        "escalation.EscalationLevel",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "agency"], name="escalation_tally_key")
        ]

    def __str__(self):
        return f"{self.level_id} {self.agency_id}: {self.n}"


class AwaitingTally(PerAgency):
    """An agency's open escalations at the levels that await a decision: the office's and the
    leaders' (one row per agency, for the overview's table by agency; a level given another
    kind moves its escalations between the columns)."""

    office = models.IntegerField(default=0)
    leader = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.agency_id}: {self.office} office, {self.leader} leader"
