"""Checklist templates and their versions: a version an inspection used is never changed, so
editing it makes the next version (with every criterion copied), and the inspections that
used it keep theirs."""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.audit import audit_record
from core.exceptions import InvalidInput
from core.text import nfc
from workflow.models import Directive, DirectiveItem

from ..choices import InspectionAction
from ..models import ChecklistTemplate, Criterion, CriterionField, Inspection


@dataclass(frozen=True)
class CriterionData:
    """What a criterion is made of, as a form, the API or a loaded file give it."""

    field: CriterionField
    code: str
    text: str
    max_points: Decimal
    guidance: str = ""
    evidence_expected: str = ""
    items: tuple[DirectiveItem, ...] = field(default_factory=tuple)


def _checked(criterion: Criterion) -> Criterion:
    try:
        criterion.full_clean(exclude=["template"])
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), details=exc.message_dict) from exc
    return criterion


def _apply(criterion: Criterion, data: CriterionData) -> Criterion:
    criterion.field = data.field
    criterion.code = nfc(data.code).strip()
    criterion.text = nfc(data.text).strip()
    criterion.guidance = nfc(data.guidance).strip()
    criterion.evidence_expected = nfc(data.evidence_expected).strip()
    criterion.max_points = data.max_points
    return _checked(criterion)


def template_create(
    *, actor, family: str, name: str, year: int, criteria: list[CriterionData], at=None
) -> ChecklistTemplate:
    """A new checklist (its first version) with its criteria; ``actor`` None for a loaded
    reference file (a management command)."""
    if actor is not None:
        access.require_may(actor, InspectionAction.EDIT_TEMPLATES, ChecklistTemplate)
    if not criteria:
        raise InvalidInput(_("A checklist needs at least one criterion."), code="no_criteria")
    codes = [nfc(c.code).strip() for c in criteria]
    if len(set(codes)) != len(codes):
        raise InvalidInput(_("Two criteria have the same code."), code="duplicate_code")
    with transaction.atomic():
        template = ChecklistTemplate(family=family, name=nfc(name), year=year, version=1)
        try:
            template.full_clean()
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), details=exc.message_dict) from exc
        template.save()
        for order, data in enumerate(criteria, start=1):
            criterion = _apply(Criterion(template=template, order=order), data)
            criterion.save()
            criterion.items.set(data.items)
        audit_record(
            actor=actor,
            verb="checklist.create",
            obj=template,
            new={"family": family, "version": 1, "criteria": len(criteria)},
            at=at,
        )
        return template


def _editable(*, actor, template: ChecklistTemplate, at) -> ChecklistTemplate:
    """The version an edit of ``template`` goes into: itself while no inspection used it, else
    a new version made now (the last of its checklist: an older one cannot be edited)."""
    access.require_may(actor, InspectionAction.EDIT_TEMPLATES, ChecklistTemplate)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if ChecklistTemplate.objects.filter(
        family=template.family, version__gt=template.version
    ).exists():
        raise InvalidInput(
            _("A newer version of this checklist exists; edit that one."), code="not_latest"
        )
    if not Inspection.objects.filter(template=template).exists():
        return template
    new = ChecklistTemplate.objects.create(
        family=template.family,
        version=template.version + 1,
        name=template.name,
        year=template.year,
        previous=template,
        created_at=at,
    )
    old = list(template.criteria.prefetch_related("items"))
    copies = Criterion.objects.bulk_create(
        [
            Criterion(
                template=new,
                field_id=c.field_id,
                code=c.code,
                text=c.text,
                guidance=c.guidance,
                max_points=c.max_points,
                evidence_expected=c.evidence_expected,
                order=c.order,
            )
            for c in old
        ]
    )
    through = Criterion.items.through
    through.objects.bulk_create(
        [
            through(criterion_id=copy.pk, directiveitem_id=item.pk)
            for original, copy in zip(old, copies, strict=True)
            for item in original.items.all()
        ]
    )
    audit_record(
        actor=actor,
        verb="checklist.new_version",
        obj=new,
        old={"version": template.version},
        new={"version": new.version},
        at=at,
    )
    return new


def template_rename(*, actor, template: ChecklistTemplate, name: str, year: int, at=None):
    """Change a checklist's name or year (a new version once it was used)."""
    at = at or timezone.now()
    with transaction.atomic():
        target = _editable(actor=actor, template=template, at=at)
        old = {"name": target.name, "year": target.year}
        target.name, target.year = nfc(name).strip(), year
        try:
            target.full_clean()
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), details=exc.message_dict) from exc
        target.save(update_fields=["name", "year"])
        audit_record(
            actor=actor,
            verb="checklist.rename",
            obj=target,
            old=old,
            new={"name": name, "year": year},
            at=at,
        )
        return target


def criterion_save(
    *,
    actor,
    template: ChecklistTemplate,
    data: CriterionData,
    criterion: Criterion | None = None,
    at=None,
) -> tuple[ChecklistTemplate, Criterion]:
    """Add a criterion to a checklist, or change one (``criterion``, of ``template``); the
    version it lands in and the criterion there are returned."""
    at = at or timezone.now()
    with transaction.atomic():
        target = _editable(actor=actor, template=template, at=at)
        if criterion is None:
            last = target.criteria.order_by("-order").values_list("order", flat=True).first() or 0
            row = Criterion(template=target, order=last + 1)
            verb = "checklist.criterion_add"
        else:
            if criterion.template_id != template.pk:
                raise InvalidInput(_("This criterion is not in that checklist."), code="criterion")
            row = target.criteria.get(code=criterion.code) if target != template else criterion
            verb = "checklist.criterion_change"
        if target.criteria.filter(code=nfc(data.code).strip()).exclude(pk=row.pk).exists():
            raise InvalidInput(
                _("Another criterion of this checklist has the code {code}.").format(
                    code=data.code
                ),
                code="duplicate_code",
                details={"code": [_("This code is taken.")]},
            )
        _apply(row, data)
        row.save()
        row.items.set(data.items)
        audit_record(
            actor=actor,
            verb=verb,
            obj=target,
            new={"code": row.code, "max_points": row.max_points},
            at=at,
        )
        return target, row


def criterion_remove(*, actor, template: ChecklistTemplate, criterion: Criterion, at=None):
    """Take a criterion out of a checklist (out of a new version once it was used)."""
    at = at or timezone.now()
    with transaction.atomic():
        if criterion.template_id != template.pk:
            raise InvalidInput(_("This criterion is not in that checklist."), code="criterion")
        target = _editable(actor=actor, template=template, at=at)
        if target.criteria.count() == 1:
            raise InvalidInput(_("A checklist needs at least one criterion."), code="no_criteria")
        target.criteria.filter(code=criterion.code).delete()
        audit_record(
            actor=actor,
            verb="checklist.criterion_remove",
            obj=target,
            old={"code": criterion.code},
            at=at,
        )
        return target


REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference_checklist.yaml"


def checklist_load(*, path: Path = REFERENCE, at=None) -> tuple[ChecklistTemplate, bool]:
    """The checklist of a data file (the reference directive's by default), created with its
    fields the first time; (its last version, whether it was created now). Its criteria name
    the items of the directive the file names, which must be loaded."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    existing = ChecklistTemplate.objects.filter(family=data["family"]).order_by("-version").first()
    if existing is not None:
        return existing, False
    found = data["directive"]
    directive = Directive.objects.filter(
        issuer__code=found["issuer"], title__startswith=found["title_startswith"]
    ).first()
    if directive is None:
        raise InvalidInput(
            _("The directive the checklist is for is not loaded."), code="directive_missing"
        )
    items = {i.number: i for i in directive.items.all()}
    with transaction.atomic():
        fields = {}
        for order, f in enumerate(data["fields"], start=1):
            fields[f["code"]], _created = CriterionField.objects.get_or_create(
                code=f["code"], defaults={"name": f["name"], "order": order}
            )
        criteria = [
            CriterionData(
                field=fields[c["field"]],
                code=str(c["code"]),
                text=c["text"],
                max_points=Decimal(str(c["max_points"])),
                guidance=c.get("guidance", ""),
                evidence_expected=c.get("evidence", ""),
                items=tuple(items[str(n)] for n in c.get("items", []) if str(n) in items),
            )
            for c in data["criteria"]
        ]
        template = template_create(
            actor=None,
            family=data["family"],
            name=data["name"],
            year=data["year"],
            criteria=criteria,
            at=at,
        )
        return template, True
