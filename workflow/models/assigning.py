from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from agencies.models import Agency
from core.querysets import RestrictedManager
from core.text import search_key

from ..choices import (
    OPEN_STATES,
    AssignmentRole,
    AssignmentSource,
    AssignmentState,
    DuePolicy,
    Modality,
    Timeliness,
)

USER = settings.AUTH_USER_MODEL


def assignment_search_text(*, title: str, expected_output: str) -> str:
    """What a search finds in an assignment's own row (``Assignment.search_text``): its title
    and expected output, folded. The item's text is searched in the item's row (one copy, not
    one per agency): ``directives.item_search_text``."""
    return search_key(title, expected_output)


class Assignment(models.Model):
    item = models.ForeignKey(
        "workflow.DirectiveItem",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    agency_as_written = models.ForeignKey(
        Agency,
        verbose_name=_("agency as written"),
        on_delete=models.PROTECT,
        related_name="assignments_as_written",
    )
    agency_text = models.CharField(_("as written"), max_length=500, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency responsible"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)
    modality = models.CharField(
        _("modality"), max_length=8, choices=Modality.choices, default=Modality.ORDER
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    obligation = models.ForeignKey(
        "workflow.RecurringObligation",
        verbose_name=_("recurring obligation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occurrences",
    )
    transferred_from = models.OneToOneField(
        "self",
        verbose_name=_("transferred from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_to",
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=255)
    expected_output = models.CharField(_("expected output"), max_length=500, blank=True)
    assigned_on = models.DateField(_("assigned on"))
    due_policy = models.CharField(_("due date policy"), max_length=16, choices=DuePolicy.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    original_due_date = models.DateField(_("original due date"), null=True, blank=True)
    due_date_as_written = models.DateField(
        _("due date as written"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the written date fell on a day off and moved to the next working day."
        ),
    )
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=AssignmentSource.choices,
        default=AssignmentSource.DIRECTIVE,
    )
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=AssignmentState.choices, default=AssignmentState.NEW
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Written once by the services (``assignment_search_text``): title and expected output never
    # change after the assignment is made. On PostgreSQL a pg_trgm GIN index, made by migration
    # 0002 outside the model state (SQLite has no such index), serves ``LIKE '%…%'``.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    # True from creation and after every move of the due date, until the deadline sweep has
    # weighed the assignment against every level (escalation/sweep.py): the sweep reads these
    # rows and the due dates that entered a level's window since its last pass, nothing else.
    # A change of the due date or the state made outside ``workflow.services`` (a data
    # correction, a restore) must set it too, so that the sweep closes the levels it voids.
    sweep_pending = models.BooleanField(
        _("awaiting the deadline sweep"), default=True, db_default=True, editable=False
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        # Object permissions django-guardian may grant (codename "<action>_<model>").
        permissions = [
            ("receive_assignment", _("Can receive and delegate the assignment")),
            ("refuse_assignment", _("Can return the assignment to the office")),
            ("progress_assignment", _("Can file progress updates")),
            ("report_assignment", _("Can report completion")),
            ("approve_assignment", _("Can approve or return the report")),
            ("accept_assignment", _("Can accept or return the result")),
            ("triage_assignment", _("Can decide on a refusal")),
            ("request_extension_assignment", _("Can request an extension")),
            ("transfer_assignment", _("Can transfer the assignment to a successor")),
            ("extend_assignment", _("Can set a later due date")),
            ("reassign_assignment", _("Can give the assignment to another agency or officer")),
        ]
        ordering = ["item__directive", "item__order", "agency__code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=models.F("assigned_on")),
                name="assignment_due_after_assigned",
            ),
            models.UniqueConstraint(
                fields=["obligation", "period_start"],
                condition=Q(obligation__isnull=False),
                name="assignment_one_occurrence_per_period",
            ),
        ]
        indexes = [
            # An agency's work by state and due date, covering what its timeliness needs (the
            # completion date; the key for the pending extension): an agency's counts by
            # timeliness are read from the index alone (PostgreSQL; SQLite ignores INCLUDE).
            models.Index(
                fields=["agency", "state", "due_date"],
                include=["completed_on", "id"],
                name="assignment_agency_tally",
            ),
            # Work in a state by due date, then id: the inbox walks a step's assignments in
            # this order (``core.inbox``, ``TaskKind.subjects``) from the index alone.
            models.Index(fields=["state", "due_date", "id"], name="assignment_state_due_id"),
            models.Index(fields=["item", "agency"], name="assignment_item_agency"),
            # The lists' order (due date, then id): the first page of a long list, searched or
            # not, is read from here without sorting every matching row.
            models.Index(fields=["due_date", "id"], name="assignment_due_order"),
            # An agency's list in that order, and its count read from the index alone (the
            # rule of access of everyone but the overseers is ``agency_id IN (…)``).
            models.Index(fields=["agency", "due_date", "id"], name="assignment_agency_due"),
            # Open work by due date, of the province and of an agency: what is overdue or due
            # this week (lists, counts, the dashboard), without the closed rows.
            models.Index(
                fields=["due_date", "id"],
                condition=Q(state__in=OPEN_STATES),
                name="assignment_open_due",
            ),
            models.Index(
                fields=["agency", "due_date", "id"],
                condition=Q(state__in=OPEN_STATES),
                name="assignment_agency_open_due",
            ),
            # The sweep's claim of the assignments it has not weighed yet.
            models.Index(
                fields=["id"],
                condition=Q(sweep_pending=True),
                name="assignment_sweep_pending",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def timeliness_label(self) -> str:
        """The label of the ``timeliness`` annotated by ``selectors.assignment_list``."""
        value = getattr(self, "timeliness", None)
        return Timeliness(value).label if value else ""


class AssignmentProcess(Process):
    """The viewflow process that walks one assignment through its steps."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, related_name="process", null=True
    )

    class Meta:
        verbose_name = _("assignment process")
        verbose_name_plural = _("assignment processes")
        ordering = ["-pk"]
