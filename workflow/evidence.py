"""What may be uploaded as evidence: the type is read from the content, never the name."""

import hashlib
import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from core.exceptions import InvalidInput

_OFFICE_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff(head: bytes, data: bytes) -> str | None:
    """The MIME type of an allowed document, judged by its first bytes; None if not allowed."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"  # legacy Word/Excel (OLE compound file)
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" not in names:
            return None
        for prefix, mime in _OFFICE_PARTS.items():
            if any(name.startswith(prefix) for name in names):
                return mime
    return None


def inspect_upload(upload) -> tuple[str, int, str]:
    """Check one uploaded file; return (content type, size, sha256) or raise InvalidInput."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise InvalidInput(
            _("“{name}” is too big ({size} MB); the limit is {limit} MB.").format(
                name=upload.name,
                size=round(upload.size / 1_048_576, 1),
                limit=limit // 1_048_576,
            ),
            code="file_too_big",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    content_type = sniff(data[:16], data)
    if content_type is None:
        raise InvalidInput(
            _("“{name}” is not an accepted document (PDF, Word, Excel, PNG or JPEG).").format(
                name=upload.name
            ),
            code="file_type",
        )
    return content_type, len(data), hashlib.sha256(data).hexdigest()
