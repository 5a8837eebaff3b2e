"""Every change to directives and assignments, one function per action.

Each service runs in one transaction, in this order: lock the row → ``require`` → check the
state → change → validate → save → audit (the assignment's timeline) → complete the viewflow
task. The UI, the API and the commands call only these. ``at`` lets tests and the demo say when
an action happened; it defaults to now.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from agencies.choices import Collective, Role
from agencies.models import Agency, AgencyVersion, Membership, valid_on_q
from agencies.selectors import collective_members
from core.access import require
from core.audit import audit_record
from core.exceptions import DomainError, Forbidden, InvalidInput
from core.text import nfc
from core.time import local_date
from notifications.models import Category
from notifications.services import Planned, notices_plan

from . import breakdown, evidence
from .access import may_create_directive
from .choices import (
    ACTION_STATES,
    AssignmentRole,
    AssignmentSource,
    AssignmentState,
    DirectiveStatus,
    DuePolicy,
    EscalationDecision,
    EscalationResolution,
    ExtensionStatus,
    Modality,
    ReportKind,
    ReportStatus,
)
from .deadlines import DueRule, WorkCalendar, occurrence_due_date, period_bounds
from .flows import AssignmentFlow, EscalationFlow, ExtensionFlow
from .models import (
    Assignment,
    Attachment,
    Directive,
    DirectiveItem,
    Escalation,
    ExtensionRequest,
    ProgressReport,
    RecurringObligation,
)


class AlreadyHandled(DomainError):
    default_code = "already_handled"
    default_message = _("This step has already been handled by someone else.")


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _clean(instance: Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), details=exc.message_dict) from exc


def _locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update()
        .select_related("item__directive")
        .get(pk=assignment.pk)
    )


def _expect(assignment: Assignment, step: str) -> None:
    """Refuse a step the assignment's state does not allow (someone else got there first)."""
    if assignment.state not in ACTION_STATES[step]:
        raise AlreadyHandled()


def _complete_task(process, node, actor, at: datetime) -> None:
    """Complete the open ``node`` task of ``process`` as ``actor`` (permission checked before)."""
    task = process.task_set.filter(flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED]).first()
    if task is None:
        raise AlreadyHandled()
    with task.activation() as activation:
        if activation.task.status == STATUS.NEW:
            activation.assign(actor)
        elif activation.task.owner_id != actor.pk:
            activation.reassign(actor)
        activation.start(None)
        activation.task.started = at
        activation.execute()


def _timeline(actor, verb: str, assignment: Assignment, *, old=None, new=None, note="", at=None):
    """One line of the assignment's timeline (the append-only audit record)."""
    return audit_record(actor=actor, verb=verb, obj=assignment, old=old, new=new, note=note, at=at)


def _agency_exists_on(agency: Agency, on: date) -> bool:
    return AgencyVersion.objects.filter(valid_on_q(on), agency=agency).exists()


# Directives and items ------------------------------------------------------------------------


def directive_create(
    *,
    actor,
    kind: str,
    title: str,
    issued_on: date,
    issuer: Agency,
    number: str = "",
    signer: str = "",
    full_text: str = "",
    note: str = "",
    contribution_lead_days: int = 3,
) -> Directive:
    """Register a directive as a draft (reviewers of the provincial office)."""
    with transaction.atomic():
        if not may_create_directive(actor):
            raise Forbidden()
        if not _agency_exists_on(issuer, issued_on):
            raise InvalidInput(
                _("{agency} does not exist on {day:%d/%m/%Y}.").format(
                    agency=issuer.code, day=issued_on
                ),
                code="agency_not_valid",
            )
        directive = Directive(
            kind=kind,
            number=nfc(number),
            title=nfc(title),
            issued_on=issued_on,
            issuer=issuer,
            signer=nfc(signer),
            full_text=full_text,
            note=nfc(note),
            contribution_lead_days=contribution_lead_days,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        _clean(directive)
        directive.save()
        audit_record(
            actor=actor,
            verb="directive.create",
            obj=directive,
            new={"title": directive.title, "kind": kind},
        )
        return directive


DIRECTIVE_FIELDS = (
    "kind",
    "number",
    "title",
    "issued_on",
    "signer",
    "full_text",
    "note",
    "contribution_lead_days",
)


def directive_update(*, actor, directive: Directive, **changes) -> Directive:
    """Correct a directive's details (while it is not closed)."""
    with transaction.atomic():
        directive = Directive.objects.select_for_update().get(pk=directive.pk)
        require(actor, "change", directive)
        if directive.status == DirectiveStatus.CLOSED:
            raise DomainError(_("A closed directive cannot be changed."), code="closed")
        unknown = set(changes) - set(DIRECTIVE_FIELDS)
        if unknown:
            raise InvalidInput(code="unknown_fields", details={f: ["unknown"] for f in unknown})
        old = {k: getattr(directive, k) for k in changes}
        for key, value in changes.items():
            setattr(
                directive,
                key,
                nfc(value) if isinstance(value, str) and key != "full_text" else value,
            )
        _clean(directive)
        directive.save(update_fields=list(changes))
        audit_record(actor=actor, verb="directive.update", obj=directive, old=old, new=changes)
        return directive


def directive_publish(*, actor, directive: Directive) -> Directive:
    """Publish a draft directive that has at least one item: agencies can now be assigned."""
    with transaction.atomic():
        directive = Directive.objects.select_for_update().get(pk=directive.pk)
        require(actor, "publish", directive)
        if directive.status != DirectiveStatus.DRAFT:
            raise AlreadyHandled()
        if not directive.items.exists():
            raise InvalidInput(_("Add at least one item before publishing."), code="no_items")
        directive.status = DirectiveStatus.PUBLISHED
        directive.save(update_fields=["status"])
        audit_record(
            actor=actor,
            verb="directive.publish",
            obj=directive,
            old={"status": "draft"},
            new={"status": "published"},
        )
        return directive


def item_add(
    *, actor, directive: Directive, number: str, text: str, order: int | None = None
) -> DirectiveItem:
    """Add a numbered item ("4", "4.b") to a directive that is not closed."""
    with transaction.atomic():
        directive = Directive.objects.select_for_update().get(pk=directive.pk)
        require(actor, "change", directive)
        if directive.status == DirectiveStatus.CLOSED:
            raise DomainError(_("A closed directive cannot be changed."), code="closed")
        number = nfc(number)
        if directive.items.filter(number=number).exists():
            raise InvalidInput(
                _("Item {number} already exists.").format(number=number), code="item_exists"
            )
        if order is None:
            order = directive.items.count() + 1
        item = DirectiveItem(directive=directive, number=number, text=text.strip(), order=order)
        _clean(item)
        item.save()
        audit_record(
            actor=actor, verb="item.add", obj=directive, new={"item": number, "order": order}
        )
        return item


def item_update(*, actor, item: DirectiveItem, number: str, text: str) -> DirectiveItem:
    """Correct an item's number or text."""
    with transaction.atomic():
        item = DirectiveItem.objects.select_for_update().select_related("directive").get(pk=item.pk)
        require(actor, "change", item.directive)
        old = {"number": item.number, "text": item.text}
        item.number, item.text = nfc(number), text.strip()
        if item.directive.items.filter(number=item.number).exclude(pk=item.pk).exists():
            raise InvalidInput(
                _("Item {number} already exists.").format(number=item.number),
                code="item_exists",
            )
        _clean(item)
        item.save(update_fields=["number", "text"])
        audit_record(
            actor=actor,
            verb="item.update",
            obj=item.directive,
            old=old,
            new={"number": item.number, "text": item.text},
        )
        return item


# Assigning -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One agency an item is given to, with the words of the text that name it."""

    agency: Agency
    role: str = AssignmentRole.LEAD
    modality: str = Modality.ORDER
    as_written: str = ""


def _new_assignment(*, actor, at, **fields) -> Assignment:
    assignment = Assignment(**fields)
    assignment.original_due_date = assignment.due_date
    _clean(assignment)
    assignment.save()
    AssignmentFlow.start.run(assignment=assignment)
    _timeline(
        actor,
        "assignment.create",
        assignment,
        at=at,
        new={
            "agency": assignment.agency.code,
            "role": assignment.role,
            "modality": assignment.modality,
            "due_date": assignment.due_date,
            "source": assignment.source,
        },
    )
    return assignment


def assignments_create(
    *,
    actor,
    item: DirectiveItem,
    targets: Sequence[Target],
    due_rule: DueRule,
    title: str,
    expected_output: str = "",
    assigned_on: date | None = None,
    at: datetime | None = None,
) -> list[Assignment]:
    """Give one item to many agencies, each as lead or coordinating.

    Coordinating agencies get contributions to the single lead assignment, due the directive's
    ``contribution_lead_days`` working days before the lead's deadline (never before the day of
    assignment). Every agency must exist on the day of assignment.
    """
    at = _now(at)
    with transaction.atomic():
        item = DirectiveItem.objects.select_related("directive").get(pk=item.pk)
        directive = Directive.objects.select_for_update().get(pk=item.directive_id)
        require(actor, "assign", directive)
        if directive.status != DirectiveStatus.PUBLISHED:
            raise DomainError(_("Publish the directive before assigning it."), code="not_published")
        assigned_on = assigned_on or local_date(at)
        if not targets:
            raise InvalidInput(_("Choose at least one agency."), code="no_agency")
        leads = [t for t in targets if t.role == AssignmentRole.LEAD]
        helpers = [t for t in targets if t.role == AssignmentRole.COORDINATING]
        if helpers and len(leads) != 1:
            raise InvalidInput(
                _("Coordinating agencies need exactly one lead agency."), code="one_lead"
            )
        codes = [t.agency.code for t in targets]
        if len(set(codes)) != len(codes):
            raise InvalidInput(_("An agency is listed twice."), code="duplicate_agency")
        valid = set(
            AgencyVersion.objects.filter(
                valid_on_q(assigned_on), agency__in=[t.agency for t in targets]
            ).values_list("agency_id", flat=True)
        )
        missing = [t.agency.code for t in targets if t.agency.pk not in valid]
        if missing:
            raise InvalidInput(
                _("Not an agency on {day:%d/%m/%Y}: {codes}.").format(
                    day=assigned_on, codes=", ".join(missing)
                ),
                code="agency_not_valid",
            )
        cal = WorkCalendar()
        due = due_rule.due_date(assigned_on=assigned_on, cal=cal)
        if due is not None and due < assigned_on:
            raise InvalidInput(
                _("The due date {due:%d/%m/%Y} is before the day of assignment.").format(due=due),
                code="due_before_assigned",
            )
        common = {
            "item": item,
            "title": nfc(title),
            "expected_output": nfc(expected_output),
            "assigned_on": assigned_on,
            "due_policy": due_rule.policy,
            "due_date": due,
        }
        created = []
        for target in leads:
            created.append(
                _new_assignment(
                    actor=actor,
                    at=at,
                    agency_as_written=target.agency,
                    agency=target.agency,
                    agency_text=nfc(target.as_written),
                    role=target.role,
                    modality=target.modality,
                    source=AssignmentSource.DIRECTIVE,
                    **common,
                )
            )
        if helpers:
            lead = created[0]
            contribution_due = due
            if due is not None:
                contribution_due = max(
                    assigned_on, cal.subtract_working_days(due, directive.contribution_lead_days)
                )
            for target in helpers:
                created.append(
                    _new_assignment(
                        actor=actor,
                        at=at,
                        agency_as_written=target.agency,
                        agency=target.agency,
                        agency_text=nfc(target.as_written),
                        role=target.role,
                        modality=target.modality,
                        parent=lead,
                        source=AssignmentSource.CONTRIBUTION,
                        **{**common, "due_date": contribution_due},
                    )
                )
        return created


def assignments_create_for_groups(
    *,
    actor,
    item: DirectiveItem,
    leads: Sequence[Agency] = (),
    collectives: Sequence[str] = (),
    coordinators: Sequence[Agency] = (),
    modality: str = Modality.ORDER,
    as_written: str = "",
    due_rule: DueRule,
    title: str,
    expected_output: str = "",
    assigned_on: date | None = None,
    at: datetime | None = None,
) -> list[Assignment]:
    """``assignments_create`` for agencies and whole groups ("các sở, ban, ngành"), the groups
    expanded to the agencies that existed on the day of assignment."""
    on = assigned_on or local_date(_now(at))
    everyone = list(leads)
    for collective in collectives:
        everyone += [v.agency for v in collective_members(collective=Collective(collective), on=on)]
    targets = [
        Target(agency=a, role=AssignmentRole.LEAD, modality=modality, as_written=as_written)
        for a in dict.fromkeys(everyone)
    ]
    targets += [
        Target(agency=a, role=AssignmentRole.COORDINATING, modality=modality, as_written=as_written)
        for a in coordinators
    ]
    return assignments_create(
        actor=actor,
        item=item,
        targets=targets,
        due_rule=due_rule,
        title=title,
        expected_output=expected_output,
        assigned_on=on,
        at=at,
    )


# The assignment's steps ----------------------------------------------------------------------


def _member(user, agency: Agency, on: date, roles) -> bool:
    return (
        Membership.objects.active_on(on)
        .filter(user=user, agency=agency, role__in=list(roles))
        .exists()
    )


def assignment_receive(
    *, actor, assignment: Assignment, assignee, at: datetime | None = None
) -> Assignment:
    """The agency receives the assignment and gives it to one of its people."""
    at = _now(at)
    with transaction.atomic():
        assignment = _locked(assignment)
        require(actor, "receive", assignment)
        _expect(assignment, "receive")
        if not _member(
            assignee, assignment.agency, local_date(at), (Role.OFFICER, Role.DEPUTY, Role.HEAD)
        ):
            raise InvalidInput(
                _("{user} does not work for {agency}.").format(
                    user=assignee, agency=assignment.agency.code
                ),
                code="assignee_not_member",
            )
        assignment.assignee = assignee
        assignment.state = AssignmentState.IN_PROGRESS
        assignment.received_on = local_date(at)
        assignment.save(update_fields=["assignee", "state", "received_on"])
        _timeline(
            actor,
            "assignment.receive",
            assignment,
            at=at,
            old={"state": AssignmentState.NEW},
            new={"state": assignment.state, "assignee": assignee.username},
        )
        _complete_task(assignment.process, AssignmentFlow.receive, actor, at)
        return assignment


def assignment_refuse(
    *, actor, assignment: Assignment, reason: str, at: datetime | None = None
) -> Assignment:
    """The agency sends the assignment back to the office: not within its remit."""
    at = _now(at)
    with transaction.atomic():
        assignment = _locked(assignment)
        require(actor, "refuse", assignment)
        _expect(assignment, "refuse")
        if not reason.strip():
            raise InvalidInput(_("Give the reason."), code="reason_required")
        assignment.state = AssignmentState.REFUSED
        assignment.save(update_fields=["state"])
        _timeline(
            actor,
            "assignment.refuse",
            assignment,
            at=at,
            note=reason.strip(),
            old={"state": AssignmentState.NEW},
            new={"state": assignment.state},
        )
        _complete_task(assignment.process, AssignmentFlow.receive, actor, at)
        return assignment


def assignment_triage(
    *,
    actor,
    assignment: Assignment,
    decision: str,
    note: str = "",
    agency: Agency | None = None,
    at: datetime | None = None,
) -> Assignment:
    """The office answers a refusal: send it back, cancel it, or give it to another agency."""
    at = _now(at)
    with transaction.atomic():
        assignment = _locked(assignment)
        require(actor, "triage", assignment)
        _expect(assignment, "triage")
        if decision == "return":
            assignment.state = AssignmentState.NEW
        elif decision == "cancel":
            assignment.state = AssignmentState.CANCELLED
        elif decision == "reassign":
            if agency is None or agency == assignment.agency:
                raise InvalidInput(_("Choose another agency."), code="agency_required")
            assignment.state = AssignmentState.TRANSFERRED
        else:
            raise InvalidInput(code="invalid_decision")
        assignment.save(update_fields=["state"])
        _timeline(
            actor,
            f"assignment.triage_{decision}",
            assignment,
            at=at,
            note=note,
            old={"state": AssignmentState.REFUSED},
            new={"state": assignment.state, "agency": agency.code if agency else None},
        )
        _complete_task(assignment.process, AssignmentFlow.triage, actor, at)
        if decision == "reassign":
            _successor_assignment(actor=actor, at=at, old=assignment, agency=agency)
        return assignment


def _successor_assignment(*, actor, at, old: Assignment, agency: Agency) -> Assignment:
    if not _agency_exists_on(agency, local_date(at)):
        raise InvalidInput(
            _("{agency} does not exist today.").format(agency=agency.code),
            code="agency_not_valid",
        )
    return _new_assignment(
        actor=actor,
        at=at,
        item=old.item,
        agency_as_written=old.agency_as_written,
        agency_text=old.agency_text,
        agency=agency,
        role=old.role,
        modality=old.modality,
        parent=old.parent,
        obligation=None,
        period_start=old.period_start,
        period_end=old.period_end,
        title=old.title,
        expected_output=old.expected_output,
        assigned_on=old.assigned_on,
        due_policy=old.due_policy,
        due_date=old.due_date,
        source=AssignmentSource.TRANSFER,
        transferred_from=old,
    )


def _store_report(*, actor, assignment, kind, text, percent, files, at) -> ProgressReport:
    if not text or not text.strip():
        raise InvalidInput(_("Write what was done."), code="text_required")
    checked = [(upload, *evidence.inspect_upload(upload)) for upload in files]
    report = ProgressReport(
        assignment=assignment,
        kind=kind,
        author=actor,
        text=text.strip(),
        percent=percent,
        submitted_at=at,
    )
    _clean(report)
    report.save()
    for upload, content_type, size, digest in checked:
        attachment = Attachment(
            report=report,
            original_name=nfc(upload.name)[:255],
            content_type=content_type,
            size=size,
            sha256=digest,
            uploaded_by=actor,
            uploaded_at=at,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
    return report


def progress_report_file(
    *,
    actor,
    assignment: Assignment,
    text: str,
    percent: int | None = None,
    files=(),
    at: datetime | None = None,
) -> ProgressReport:
    """File a progress update at any time; the flow does not move."""
    at = _now(at)
    with transaction.atomic():
        assignment = _locked(assignment)
        require(actor, "progress", assignment)
        _expect(assignment, "progress")
        report = _store_report(
            actor=actor,
            assignment=assignment,
            kind=ReportKind.PROGRESS,
            text=text,
            percent=percent,
            files=files,
            at=at,
        )
        _timeline(
            actor,
            "report.progress",
            assignment,
            at=at,
            note=report.text,
            new={
                "report": report.pk,
                "percent": percent,
                "attachments": report.attachments.count(),
            },
        )
        return report


def completion_report_file(
    *, actor, assignment: Assignment, text: str, files=(), at: datetime | None = None
) -> ProgressReport:
    """The officer reports the work done, with evidence; the head approves next."""
    at = _now(at)
    with transaction.atomic():
        assignment = _locked(assignment)
        require(actor, "report", assignment)
        _expect(assignment, "report")
        report = _store_report(
            actor=actor,
            assignment=assignment,
            kind=ReportKind.COMPLETION,
            text=text,
            percent=100,
            files=files,
            at=at,
        )
        assignment.state = AssignmentState.REPORTED
        assignment.save(update_fields=["state"])
        _timeline(
            actor,
            "report.complete",
            assignment,
            at=at,
            note=report.text,
            old={"state": AssignmentState.IN_PROGRESS},
            new={
                "state": assignment.state,
                "report": report.pk,
                "attachments": report.attachments.count(),
            },
        )
        _complete_task(assignment.process, AssignmentFlow.report, actor, at)
        return report


def _pending_report(assignment: Assignment, status: str) -> ProgressReport:
    report = assignment.reports.filter(kind=ReportKind.COMPLETION, status=status).last()
    if report is None:
        raise AlreadyHandled()
    return report


def _review(
    *,
    actor,
    assignment,
    step,
    action,
    node,
    report_from,
    to_state,
    report_to,
    verb,
    comment,
    at,
    comment_required=False,
) -> Assignment:
    at = _now(at)
    with transaction.atomic():
        assignment = _locked(assignment)
        require(actor, action, assignment)
        _expect(assignment, step)
        from_state = assignment.state
        if comment_required and not comment.strip():
            raise InvalidInput(_("Say what must be redone."), code="comment_required")
        report = _pending_report(assignment, report_from)
        report.status = report_to
        report.save(update_fields=["status"])
        assignment.state = to_state
        fields = ["state"]
        if to_state == AssignmentState.DONE:
            assignment.completed_on = local_date(report.submitted_at)
            fields.append("completed_on")
        assignment.save(update_fields=fields)
        if to_state == AssignmentState.DONE:
            _resolve_escalations(assignment, EscalationResolution.COMPLETED, at)
        _timeline(
            actor,
            verb,
            assignment,
            at=at,
            note=comment.strip(),
            old={"state": from_state},
            new={"state": to_state, "report": report.pk},
        )
        _complete_task(assignment.process, node, actor, at)
        return assignment


def report_approve(
    *, actor, assignment: Assignment, comment: str = "", at: datetime | None = None
) -> Assignment:
    """The head approves the officer's report and sends it to the provincial office."""
    return _review(
        actor=actor,
        assignment=assignment,
        action="approve",
        node=AssignmentFlow.approve,
        step="approve",
        report_from=ReportStatus.FILED,
        to_state=AssignmentState.APPROVED,
        report_to=ReportStatus.APPROVED,
        verb="report.approve",
        comment=comment,
        at=at,
    )


def report_return(
    *, actor, assignment: Assignment, comment: str, at: datetime | None = None
) -> Assignment:
    """The head returns the report to the officer with a comment."""
    return _review(
        actor=actor,
        assignment=assignment,
        action="approve",
        node=AssignmentFlow.approve,
        step="return",
        report_from=ReportStatus.FILED,
        to_state=AssignmentState.IN_PROGRESS,
        report_to=ReportStatus.RETURNED_BY_HEAD,
        verb="report.return",
        comment=comment,
        at=at,
        comment_required=True,
    )


def report_accept(
    *, actor, assignment: Assignment, comment: str = "", at: datetime | None = None
) -> Assignment:
    """The office accepts the result: the assignment is done on the day it was reported."""
    return _review(
        actor=actor,
        assignment=assignment,
        action="accept",
        node=AssignmentFlow.review,
        step="accept",
        report_from=ReportStatus.APPROVED,
        to_state=AssignmentState.DONE,
        report_to=ReportStatus.ACCEPTED,
        verb="report.accept",
        comment=comment,
        at=at,
    )


def report_return_office(
    *, actor, assignment: Assignment, comment: str, at: datetime | None = None
) -> Assignment:
    """The office returns the result to the agency with a comment."""
    return _review(
        actor=actor,
        assignment=assignment,
        action="accept",
        node=AssignmentFlow.review,
        step="return_office",
        report_from=ReportStatus.APPROVED,
        to_state=AssignmentState.IN_PROGRESS,
        report_to=ReportStatus.RETURNED_BY_OFFICE,
        verb="report.return_office",
        comment=comment,
        at=at,
        comment_required=True,
    )


# Extensions ----------------------------------------------------------------------------------


def _locked_extension(extension: ExtensionRequest) -> ExtensionRequest:
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    extension.assignment = _locked(extension.assignment)
    return extension


def extension_request(
    *,
    actor,
    assignment: Assignment,
    requested_due_date: date,
    reason: str,
    at: datetime | None = None,
) -> ExtensionRequest:
    """Ask for a later due date; a head's own request counts as endorsed."""
    at = _now(at)
    with transaction.atomic():
        assignment = _locked(assignment)
        require(actor, "request_extension", assignment)
        _expect(assignment, "request_extension")
        if assignment.due_date is None:
            raise DomainError(_("A continuous duty has no deadline to extend."), code="no_due_date")
        if requested_due_date <= assignment.due_date:
            raise InvalidInput(
                _("The new due date must be after the current one."), code="not_later"
            )
        if not reason.strip():
            raise InvalidInput(_("Give the reason."), code="reason_required")
        if assignment.extension_requests.filter(
            status__in=[ExtensionStatus.REQUESTED, ExtensionStatus.ENDORSED]
        ).exists():
            raise AlreadyHandled(_("An extension request is already pending."))
        extension = ExtensionRequest(
            assignment=assignment,
            requested_by=actor,
            requested_at=at,
            current_due_date=assignment.due_date,
            requested_due_date=requested_due_date,
            reason=reason.strip(),
        )
        _clean(extension)
        extension.save()
        ExtensionFlow.start.run(extension=extension)
        _timeline(
            actor,
            "extension.request",
            assignment,
            at=at,
            note=extension.reason,
            new={"extension": extension.pk, "requested_due_date": requested_due_date},
        )
        if _member(actor, assignment.agency, local_date(at), (Role.HEAD, Role.DEPUTY)):
            _endorse(actor=actor, extension=extension, endorse=True, note="", at=at)
        return extension


def _endorse(*, actor, extension, endorse, note, at):
    extension.status = ExtensionStatus.ENDORSED if endorse else ExtensionStatus.DENIED
    extension.endorsed_by = actor
    fields = ["status", "endorsed_by"]
    if not endorse:
        extension.decided_by, extension.decided_at, extension.decision_note = actor, at, note
        fields += ["decided_by", "decided_at", "decision_note"]
    extension.save(update_fields=fields)
    verb = "extension.endorse" if endorse else "extension.refuse_endorsement"
    _timeline(
        actor,
        verb,
        extension.assignment,
        at=at,
        note=note,
        new={"extension": extension.pk, "status": extension.status},
    )
    _complete_task(extension.process, ExtensionFlow.endorse, actor, at)


def extension_endorse(
    *, actor, extension: ExtensionRequest, endorse: bool, note: str = "", at: datetime | None = None
) -> ExtensionRequest:
    """The head supports the request (it goes to the office) or declines it."""
    at = _now(at)
    with transaction.atomic():
        extension = _locked_extension(extension)
        require(actor, "endorse_extension", extension.assignment)
        if extension.status != ExtensionStatus.REQUESTED:
            raise AlreadyHandled()
        _endorse(actor=actor, extension=extension, endorse=endorse, note=note, at=at)
        return extension


def extension_decide(
    *,
    actor,
    extension: ExtensionRequest,
    approve: bool,
    note: str = "",
    due_date: date | None = None,
    at: datetime | None = None,
) -> ExtensionRequest:
    """The office decides; approval moves ``due_date``, never ``original_due_date``."""
    at = _now(at)
    with transaction.atomic():
        extension = _locked_extension(extension)
        assignment = extension.assignment
        require(actor, "decide_extension", assignment)
        if extension.status != ExtensionStatus.ENDORSED:
            raise AlreadyHandled()
        if not approve and not note.strip():
            raise InvalidInput(_("Give the reason."), code="reason_required")
        new_due = due_date or extension.requested_due_date
        if approve and assignment.due_date and new_due <= assignment.due_date:
            raise InvalidInput(
                _("The new due date must be after the current one."), code="not_later"
            )
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        extension.decided_by, extension.decided_at = actor, at
        extension.decision_note = note.strip()
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        old_due = assignment.due_date
        if approve:
            assignment.due_date = new_due
            assignment.save(update_fields=["due_date"])
            _resolve_escalations(
                assignment, EscalationResolution.SUPERSEDED, at, keep_due_date=new_due
            )
        _timeline(
            actor,
            "extension.approve" if approve else "extension.deny",
            assignment,
            at=at,
            note=extension.decision_note,
            old={"due_date": old_due},
            new={"due_date": assignment.due_date, "extension": extension.pk},
        )
        _complete_task(extension.process, ExtensionFlow.decide, actor, at)
        return extension


# Reorganisation ------------------------------------------------------------------------------


def assignment_transfer(
    *, actor, assignment: Assignment, to_agency: Agency, note: str = "", at: datetime | None = None
) -> Assignment:
    """Give an open assignment of a merged or dissolved agency to its successor (confirmed by
    the office). The old one is closed as transferred; the agency as written is kept."""
    at = _now(at)
    with transaction.atomic():
        assignment = _locked(assignment)
        require(actor, "transfer", assignment)
        _expect(assignment, "transfer")
        old_state = assignment.state
        assignment.state = AssignmentState.TRANSFERRED
        assignment.save(update_fields=["state"])
        AssignmentFlow.instance.cancel(assignment.process)
        _resolve_escalations(assignment, EscalationResolution.REASSIGNED, at)
        successor = _successor_assignment(actor=actor, at=at, old=assignment, agency=to_agency)
        _timeline(
            actor,
            "assignment.transfer",
            assignment,
            at=at,
            note=note,
            old={"state": old_state, "agency": assignment.agency.code},
            new={"state": assignment.state, "agency": to_agency.code, "assignment": successor.pk},
        )
        return successor


# Recurrence ----------------------------------------------------------------------------------


def obligation_create(
    *,
    actor,
    item: DirectiveItem,
    agency: Agency,
    title: str,
    period: str,
    starts_on: date,
    ends_on: date | None = None,
    report_day: int = 15,
    month_offset: int = 0,
    modality: str = Modality.ORDER,
    expected_output: str = "",
    agency_as_written: str = "",
) -> RecurringObligation:
    """Record that ``agency`` owes a report every ``period`` for ``item``."""
    with transaction.atomic():
        require(actor, "assign", item.directive)
        obligation = RecurringObligation(
            item=item,
            agency=agency,
            title=nfc(title),
            period=period,
            starts_on=starts_on,
            ends_on=ends_on,
            report_day=report_day,
            month_offset=month_offset,
            modality=modality,
            expected_output=nfc(expected_output),
            agency_as_written=nfc(agency_as_written),
        )
        _clean(obligation)
        obligation.save()
        audit_record(
            actor=actor,
            verb="obligation.create",
            obj=item.directive,
            new={"obligation": obligation.pk, "agency": agency.code, "period": period},
        )
        return obligation


def _occurrence_title(title: str, first: date, last: date) -> str:
    suffix = f" ({first:%d/%m/%Y}–{last:%d/%m/%Y})"
    room = Assignment._meta.get_field("title").max_length - len(suffix)
    return (title if len(title) <= room else title[: room - 1] + "…") + suffix


def occurrences_generate(*, until: date, at: datetime | None = None) -> list[Assignment]:
    """Create every missing occurrence whose period starts by ``until`` (idempotent).

    Existing occurrences are read in one query; a unique constraint on (obligation, period
    start) makes a concurrent second run fail rather than duplicate.
    """
    at = _now(at)
    created = []
    with transaction.atomic():
        obligations = list(
            RecurringObligation.objects.select_related("item__directive", "agency").filter(
                starts_on__lte=until, item__directive__status=DirectiveStatus.PUBLISHED
            )
        )
        existing = set(
            Assignment.objects.filter(obligation__in=obligations).values_list(
                "obligation_id", "period_start"
            )
        )
        cal = WorkCalendar()
        lifetimes: dict[int, list] = {}
        for agency_id, start, end in AgencyVersion.objects.filter(
            agency_id__in={o.agency_id for o in obligations}
        ).values_list("agency_id", "valid_from", "valid_until"):
            lifetimes.setdefault(agency_id, []).append((start, end))
        for obligation in obligations:
            index = 0
            while True:
                first, last = period_bounds(obligation.period, obligation.starts_on, index)
                index += 1
                if first > until or (obligation.ends_on and first >= obligation.ends_on):
                    break
                if (obligation.pk, first) in existing:
                    continue
                alive = any(
                    start <= first and (end is None or first < end)
                    for start, end in lifetimes.get(obligation.agency_id, [])
                )
                if not alive:
                    continue
                due = occurrence_due_date(
                    period_end=last,
                    report_day=obligation.report_day,
                    month_offset=obligation.month_offset,
                    cal=cal,
                )
                assigned_on = min(first, due)
                created.append(
                    _new_assignment(
                        actor=None,
                        at=at,
                        item=obligation.item,
                        agency_as_written=obligation.agency,
                        agency=obligation.agency,
                        agency_text=obligation.agency_as_written,
                        role=AssignmentRole.LEAD,
                        modality=obligation.modality,
                        obligation=obligation,
                        period_start=first,
                        period_end=last,
                        title=_occurrence_title(obligation.title, first, last),
                        expected_output=obligation.expected_output,
                        assigned_on=assigned_on,
                        due_policy=DuePolicy.FIXED,
                        due_date=due,
                        source=AssignmentSource.RECURRENCE,
                    )
                )
    return created


# Breakdown files -----------------------------------------------------------------------------


def breakdown_load(*, actor, path, at: datetime | None = None) -> Directive:
    """Create a directive, its items, assignments and recurring obligations from a breakdown
    file, all in one transaction; collectives expand to the agencies of the issue date."""
    data = breakdown.parse(path)
    head = data.directive
    with transaction.atomic():
        issued_on = head["issued_on"]
        codes = {
            code
            for item in data.items
            for g in item.groups
            for code in [*g.to, *g.coordinators]
            if code not in Collective.values
        } | {head["issuer"]}
        agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
        unknown = sorted(codes - set(agencies))
        if unknown:
            raise InvalidInput(
                _("Unknown agencies: {codes}.").format(codes=", ".join(unknown)),
                code="agency_unknown",
            )
        directive = directive_create(
            actor=actor,
            kind=head["kind"],
            number=head.get("number") or "",
            title=head["title"],
            issued_on=issued_on,
            issuer=agencies[head["issuer"]],
            signer=head.get("signer") or "",
            full_text=data.full_text,
            note=head.get("note") or "",
        )
        items = [
            item_add(actor=actor, directive=directive, number=item.number, text=item.text)
            for item in data.items
        ]
        directive = directive_publish(actor=actor, directive=directive)
        for item, parsed in zip(items, data.items, strict=True):
            for group in parsed.groups:
                named = [agencies[n] for n in group.to if n not in Collective.values]
                groups = [n for n in group.to if n in Collective.values]
                if group.recurrence:
                    rec = group.recurrence
                    everyone = list(named)
                    for name in groups:
                        everyone += [
                            v.agency
                            for v in collective_members(collective=Collective(name), on=issued_on)
                        ]
                    for agency in dict.fromkeys(everyone):
                        obligation_create(
                            actor=actor,
                            item=item,
                            agency=agency,
                            title=group.title,
                            period=rec["period"],
                            starts_on=rec["starts_on"],
                            ends_on=rec.get("ends_on"),
                            report_day=rec.get("report_day", 15),
                            month_offset=rec.get("month_offset", 0),
                            modality=group.modality,
                            expected_output=group.expected_output,
                            agency_as_written=group.as_written,
                        )
                    continue
                assignments_create_for_groups(
                    actor=actor,
                    item=item,
                    leads=named,
                    collectives=groups,
                    coordinators=[agencies[c] for c in group.coordinators],
                    modality=group.modality,
                    as_written=group.as_written,
                    due_rule=DueRule(
                        group.due_policy, fixed_date=group.due_date, working_days=group.working_days
                    ),
                    title=group.title,
                    expected_output=group.expected_output,
                    assigned_on=issued_on,
                    at=at,
                )
        return directive


# Escalations --------------------------------------------------------------------------------


def _resolve_escalations(
    assignment: Assignment, resolution: str, at, *, actor=None, keep_due_date=None
) -> int:
    """Close the open levels of an assignment (all, or those of other due dates) and cancel
    their review tasks."""
    open_ = Escalation.objects.select_for_update(of=("self",)).filter(
        assignment=assignment, resolved_at__isnull=True
    )
    if keep_due_date is not None:
        open_ = open_.exclude(due_date=keep_due_date)
    closed = 0
    for escalation in open_.select_related("process"):
        escalation.resolved_at, escalation.resolution = at, resolution
        escalation.save(update_fields=["resolved_at", "resolution"])
        process = getattr(escalation, "process", None)
        if process is not None and process.finished is None:
            EscalationFlow.instance.cancel(process)
        closed += 1
    return closed


def escalations_decide(
    *,
    actor,
    escalations,
    decision: str,
    note: str = "",
    due_date: date | None = None,
    penalty_points=None,
    at: datetime | None = None,
) -> int:
    """Decide several escalations the same way, all or none (the office's bulk decision)."""
    with transaction.atomic():
        for escalation in escalations:
            escalation_decide(
                actor=actor,
                escalation=escalation,
                decision=decision,
                note=note,
                due_date=due_date,
                penalty_points=penalty_points,
                at=at,
            )
        return len(escalations)


def _notify_agency(assignment: Assignment, key: str, title: str, at) -> None:
    on = local_date(at)
    heads = (
        Membership.objects.active_on(on)
        .filter(agency=assignment.agency, role__in=[Role.HEAD, Role.DEPUTY])
        .values_list("user_id", flat=True)
    )
    recipients = set(heads) | ({assignment.assignee_id} if assignment.assignee_id else set())
    notices_plan(
        [
            Planned(
                recipient_id=user_id,
                key=key,
                category=Category.DECISION,
                title=title,
                url=f"/assignments/{assignment.pk}/",
            )
            for user_id in recipients
        ],
        at=at,
    )


def escalation_decide(
    *,
    actor,
    escalation: Escalation,
    decision: str,
    note: str = "",
    due_date: date | None = None,
    agency: Agency | None = None,
    assignee=None,
    penalty_points=None,
    send_up: bool = False,
    at: datetime | None = None,
) -> Escalation:
    """The office (or, once sent up, a leader) decides an escalation: extend, reassign,
    accept with a recorded penalty, or close; the office may instead send it up to a leader."""
    at = _now(at)
    with transaction.atomic():
        escalation = (
            Escalation.objects.select_for_update().select_related("level").get(pk=escalation.pk)
        )
        assignment = _locked(escalation.assignment)
        leader_step = escalation.sent_to_leader
        require(
            actor, "decide_escalation_leader" if leader_step else "decide_escalation", escalation
        )
        if escalation.resolved_at is not None:
            raise AlreadyHandled()
        if send_up and not leader_step:
            escalation.sent_to_leader = True
            escalation.decision_note = note.strip()
            escalation.save(update_fields=["sent_to_leader", "decision_note"])
            _timeline(
                actor,
                "escalation.send_up",
                assignment,
                at=at,
                note=note.strip(),
                new={"escalation": escalation.pk},
            )
            _complete_task(escalation.process, EscalationFlow.office, actor, at)
            return escalation
        old = {
            "due_date": assignment.due_date,
            "agency": assignment.agency.code,
            "assignee": assignment.assignee.username if assignment.assignee else None,
        }
        if decision == EscalationDecision.EXTEND:
            if due_date is None or assignment.due_date is None or due_date <= assignment.due_date:
                raise InvalidInput(
                    _("The new due date must be after the current one."), code="not_later"
                )
            assignment.due_date = due_date
            assignment.save(update_fields=["due_date"])
            resolution = EscalationResolution.EXTENDED
        elif decision == EscalationDecision.REASSIGN:
            if assignee is not None:
                if not _member(
                    assignee,
                    assignment.agency,
                    local_date(at),
                    (Role.OFFICER, Role.DEPUTY, Role.HEAD),
                ):
                    raise InvalidInput(
                        _("{user} does not work for {agency}.").format(
                            user=assignee, agency=assignment.agency.code
                        ),
                        code="assignee_not_member",
                    )
                assignment.assignee = assignee
                assignment.save(update_fields=["assignee"])
            elif agency is not None and agency != assignment.agency:
                assignment.state = AssignmentState.TRANSFERRED
                assignment.save(update_fields=["state"])
                AssignmentFlow.instance.cancel(assignment.process)
                _successor_assignment(actor=actor, at=at, old=assignment, agency=agency)
            else:
                raise InvalidInput(_("Choose another agency or officer."), code="agency_required")
            resolution = EscalationResolution.REASSIGNED
        elif decision == EscalationDecision.PENALTY:
            if penalty_points is None or penalty_points < 0:
                raise InvalidInput(_("Enter the penalty points."), code="penalty_required")
            escalation.penalty_points = penalty_points
            resolution = EscalationResolution.PENALISED
        elif decision == EscalationDecision.CLOSE:
            resolution = EscalationResolution.CLOSED
        else:
            raise InvalidInput(code="invalid_decision")
        if not note.strip() and decision != EscalationDecision.CLOSE:
            raise InvalidInput(_("Give the reason."), code="reason_required")
        escalation.resolved_at, escalation.resolution = at, resolution
        escalation.decided_by, escalation.decision_note = actor, note.strip()
        escalation.save(
            update_fields=[
                "resolved_at",
                "resolution",
                "decided_by",
                "decision_note",
                "penalty_points",
            ]
        )
        _timeline(
            actor,
            f"escalation.{decision}",
            assignment,
            at=at,
            note=note.strip(),
            old=old,
            new={
                "escalation": escalation.pk,
                "level": escalation.level.kind,
                "due_date": assignment.due_date,
                "penalty_points": penalty_points,
            },
        )
        if decision == EscalationDecision.EXTEND:
            _resolve_escalations(
                assignment, EscalationResolution.SUPERSEDED, at, keep_due_date=assignment.due_date
            )
        elif assignment.state == AssignmentState.TRANSFERRED:
            _resolve_escalations(assignment, EscalationResolution.REASSIGNED, at)
        process = getattr(escalation, "process", None)
        if process is not None and process.finished is None:
            node = EscalationFlow.leader if leader_step else EscalationFlow.office
            _complete_task(process, node, actor, at)
        _notify_agency(
            assignment,
            f"decision:{escalation.pk}",
            _("Decision on the escalation of “{title}”: {decision}.").format(
                title=assignment.title, decision=EscalationDecision(decision).label
            ),
            at,
        )
        return escalation
