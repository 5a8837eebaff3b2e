"""Evidence of a finding: photos from a phone's camera (JPEG, PNG, or HEIC converted), resized
on arrival to what a report needs, and documents checked as every evidence file is
(``workflow.evidence``)."""

import hashlib
import io
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.exceptions import DomainError, InvalidInput
from workflow import evidence

from ..choices import RECORDING_STATES, FindingSide, InspectionAction
from ..models import Finding, FindingEvidence
from .inspections import _locked

FOLDER = "inspection"
# A photo is kept at most this many pixels on its longer side, as JPEG of this quality: what
# the minutes and a screen need, a tenth of a phone's original.
PHOTO_SIDE = 1600
PHOTO_QUALITY = 85
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def is_heif(head: bytes) -> bool:
    """An ISO base media file of the HEIF family (an iPhone's photo): ``ftyp`` and its brand."""
    return len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def _open_heif(data: bytes, name: str):
    from PIL import Image

    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - pillow-heif is in requirements/base.txt
        raise InvalidInput(
            _("“{name}” is a HEIC photo; save it as JPEG and send it again.").format(name=name),
            code="heic_unsupported",
        ) from None
    pillow_heif.register_heif_opener()
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > evidence.MAX_PIXELS:
            raise InvalidInput(
                _("“{name}” is too large an image ({pixels} megapixels; at most {limit}).").format(
                    name=name,
                    pixels=round(width * height / 1_000_000),
                    limit=evidence.MAX_PIXELS // 1_000_000,
                ),
                code="image_too_large",
            )
        image.load()
        return image
    except InvalidInput:
        raise
    except Exception as exc:
        raise InvalidInput(
            _("“{name}” is a damaged HEIC photo.").format(name=name), code="file_damaged"
        ) from exc


def _resized(image) -> bytes:
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)  # as the camera held it; EXIF is not kept
    image = image.convert("RGB")
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True)
    return out.getvalue()


def prepared(upload) -> tuple[bytes, str]:
    """The bytes to keep for an upload and their type: a photo resized to JPEG, a document
    as it came once checked; a type not accepted, a damaged or oversized file is refused."""
    from PIL import Image

    name = evidence.label(upload.name)
    limit = settings.EVIDENCE_MAX_BYTES
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if is_heif(head):
        if upload.size > limit:
            raise InvalidInput(
                _("“{name}” is too big ({size} MB); the limit is {limit} MB.").format(
                    name=name, size=round(upload.size / 1_048_576, 1), limit=limit // 1_048_576
                ),
                code="file_too_big",
            )
        return _resized(_open_heif(upload.read(limit + 1), name)), evidence.JPEG
    content_type, _size, _sha = evidence.inspect_upload(upload)
    upload.seek(0)
    data = upload.read()
    if content_type in (evidence.JPEG, evidence.PNG):
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return _resized(image), evidence.JPEG
    return data, content_type


def finding_evidence_add(
    *, actor, finding: Finding, upload, at: datetime | None = None
) -> FindingEvidence:
    """Attach a photo or a document to one of the team's findings, while findings may still
    change. The file is written only if the change lands (``evidence.kept_if_committed``)."""
    at = at or timezone.now()
    with evidence.kept_if_committed(), transaction.atomic():
        inspection = _locked(actor, InspectionAction.RECORD, finding.inspection_id)
        finding = Finding.objects.get(pk=finding.pk)
        if finding.side != FindingSide.TEAM:
            raise InvalidInput(_("Evidence goes with the team's findings."), code="side")
        if inspection.status not in RECORDING_STATES:
            raise DomainError(
                _("The minutes are drafted: findings can no longer change."), code="minutes_drafted"
            )
        data, content_type = prepared(upload)
        stored = evidence.store(ContentFile(data), content_type, folder=FOLDER)
        row = FindingEvidence.objects.create(
            finding=finding,
            file=stored,
            original_name=evidence.label(upload.name),
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
            uploaded_at=at,
        )
        audit_record(
            actor=actor,
            verb="inspection.evidence_add",
            obj=inspection,
            new={
                "finding": finding.pk,
                "criterion": finding.criterion_id,
                "file": row.original_name,
            },
            at=at,
        )
        return row
