"""What may be uploaded as evidence, how it is stored and served, and the sweep of orphan files.

The type is read from the content, never from the name, and the WHOLE file is checked for it:
a PDF must parse (pdfminer.six) and have pages, an image must decode (Pillow), a Word or Excel
file must be a sound zip holding the parts it claims, within bounds (no zip bomb). Accepted:
PDF, PNG, JPEG, .docx and .xlsx. Legacy .doc/.xls (OLE compound files) are refused with advice to
save them again: nothing installed here can check their insides.

Polyglots. A file that is both a PNG (or PDF, or zip) and a web page passes any check of its first
bytes. Whatever its type, a file is refused when its bytes hold the start of an HTML or SVG tag
that a browser, an old sniffing client or a mail gateway would act on (``<html``, ``<script``,
``<svg``, ``<iframe``, ``<body``, ``<meta``, ``<object``, ``<embed``, ``<!doctype html`` …, any
case, followed by a space, ``/`` or ``>``). None of them occurs in the bytes of a real document:
compressed data holds such a sequence by chance with odds far below one in a million for a 20 MB
file, and the metadata that documents do carry uncompressed (XMP, EXIF) uses other tags
(``<x:xmpmeta``, ``<rdf:…``). A PDF is also refused when it carries JavaScript or a Launch action
anywhere in its objects (the kind of PDF payload an evidence file has no use for). A PNG must end
at its IEND chunk.

Storage. The file is written under a random name with the detected extension
(``evidence/2026/12/<32 hex>.pdf``): never the uploader's name, no path parts. The uploader's
name is kept in ``Attachment.original_name`` only as a label to show; a download is named from
it, cleaned (``download_name``: safe characters, one extension — the detected one), so
``report.html`` that is a PDF downloads as ``report.pdf`` with type ``application/pdf``.

Integrity. The files written while a service runs (``kept_if_committed``) are deleted again when
it fails, so a refused or failed report leaves nothing on disk. A process killed mid-way cannot
clean up after itself: ``manage.py evidence_orphans_sweep`` deletes files of the evidence folder
that no ``Attachment`` names, once they are older than the uploads still in flight.
"""

import contextvars
import hashlib
import io
import itertools
import os
import re
import struct
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from xml.parsers import expat

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import InvalidInput
from core.text import nfc

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The extension each accepted type is stored and downloaded with.
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx"}
KINDS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", DOCX: "Word (.docx)", XLSX: "Excel (.xlsx)"}

# The part an Office file of each type cannot be without, besides [Content_Types].xml.
OFFICE_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}

# Bounds on what a file may unpack to: an image's pixels, a zip's parts and their total size and
# ratio (an ordinary .xlsx compresses 5–20 times, a zip bomb thousands of times), a PDF's objects.
MAX_PIXELS = 50_000_000
MAX_ZIP_MEMBERS = 5_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_PDF_OBJECTS = 200_000
MAX_PDF_PAGES = 10_000

EVIDENCE_DIR = "evidence"

_HIDDEN_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|\?xml-stylesheet|html|head|body|script|svg|iframe|frame|frameset|"
    rb"object|embed|applet|meta|base|link|style|form|img|math|a\s+href)[\s/>]",
    re.IGNORECASE,
)
_DOCTYPE = re.compile(rb"<!doctype", re.IGNORECASE)
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(head: bytes) -> str | None:
    """The type a file claims by its first bytes (to be proven by ``validate``)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


class _Refused(Exception):
    """Why a file is not what it claims, as an InvalidInput code and message template."""

    def __init__(self, code: str, message: str, **params):
        self.code, self.message, self.params = code, message, params
        super().__init__(code)


def _damaged(content_type: str) -> _Refused:
    return _Refused(
        "file_damaged",
        _("“{name}” is damaged or incomplete: it does not open as a {kind} file."),
        kind=KINDS[content_type],
    )


def _check_pdf(data: bytes) -> None:
    from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFObjectNotFound, PDFStream, resolve1
    from pdfminer.psparser import PSLiteral

    if b"%%EOF" not in data[-1024:]:
        raise _damaged(PDF)
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
    except PDFPasswordIncorrect as exc:
        raise _Refused(
            "file_encrypted", _("“{name}” is protected by a password; upload it without one.")
        ) from exc
    except Exception as exc:  # any parser error: the file does not read as a PDF
        raise _damaged(PDF) from exc
    try:
        # The page tree itself must hold pages (pdfminer would also pick up stray page objects).
        tree = resolve1(document.catalog.get("Pages"))
        count = resolve1(tree.get("Count")) if isinstance(tree, dict) else 0
        pages = sum(1 for _page in itertools.islice(PDFPage.create_pages(document), MAX_PDF_PAGES))
    except Exception as exc:
        raise _damaged(PDF) from exc
    if not isinstance(count, int) or count < 1 or not pages:
        raise _damaged(PDF)

    def scripted(value, depth=0) -> bool:
        if depth > 32:
            return False
        if isinstance(value, PDFStream):
            if _object_stream_scripted(value):
                return True
            value = value.attrs
        if isinstance(value, dict):
            if "JS" in value or "JavaScript" in value:
                return True
            kind = value.get("S")
            if isinstance(kind, PSLiteral) and kind.name in {"JavaScript", "Launch"}:
                return True
            return any(scripted(v, depth + 1) for v in value.values())
        if isinstance(value, list):
            return any(scripted(v, depth + 1) for v in value)
        return False

    seen = 0
    for xref in document.xrefs:
        for objid in xref.get_objids():
            seen += 1
            if seen > MAX_PDF_OBJECTS:
                raise _Refused(
                    "file_too_complex", _("“{name}” holds too many objects to be checked.")
                )
            try:
                obj = document.getobj(objid)
            except PDFObjectNotFound:
                continue
            except Exception as exc:
                raise _damaged(PDF) from exc
            if scripted(obj):
                raise _Refused(
                    "file_script",
                    _("“{name}” contains scripts (JavaScript or actions); it cannot be accepted."),
                )


_PDF_SCRIPT_NAMES = re.compile(rb"/(?:JS|JavaScript|Launch)(?![A-Za-z0-9])")
MAX_OBJECT_STREAM_BYTES = 32 * 1024 * 1024


def _object_stream_scripted(stream) -> bool:
    """Whether a compressed object stream (/Type /ObjStm) holds a script, read in bounded
    memory: its objects are reached through it even when no cross-reference lists them."""
    from pdfminer.psparser import PSLiteral

    kind = stream.attrs.get("Type")
    if not (isinstance(kind, PSLiteral) and kind.name == "ObjStm"):
        return False
    filters = stream.attrs.get("Filter")
    names = filters if isinstance(filters, list) else [filters] if filters else []
    names = [f.name if isinstance(f, PSLiteral) else f for f in names]
    raw = stream.rawdata if stream.rawdata is not None else stream.data or b""
    if names == ["FlateDecode"]:
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, MAX_OBJECT_STREAM_BYTES)
        if inflater.unconsumed_tail:
            raise _Refused("file_too_complex", _("“{name}” holds too many objects to be checked."))
    elif not names:
        data = raw
    else:
        return False  # another filter: its objects are still walked through the xref
    return bool(_PDF_SCRIPT_NAMES.search(data))


def _too_large(pixels: int) -> _Refused:
    return _Refused(
        "image_too_large",
        _("“{name}” is too large an image ({pixels} megapixels; at most {limit})."),
        pixels=round(pixels / 1_000_000),
        limit=MAX_PIXELS // 1_000_000,
    )


def _check_image(data: bytes, content_type: str) -> None:
    from PIL import Image

    expected = "PNG" if content_type == PNG else "JPEG"
    if content_type == PNG and not data.endswith(_PNG_END):
        raise _damaged(content_type)
    try:
        image = Image.open(io.BytesIO(data), formats=[expected])
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_large(int(found.group(1)) if found else MAX_PIXELS + 1) from exc
    except Exception as exc:
        raise _damaged(content_type) from exc
    try:
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_large(width * height)
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            if content_type == JPEG:
                # Every entropy-coded byte is decoded, at an eighth of the size in memory.
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except _Refused:
        raise
    except Exception as exc:  # truncated, corrupt, or a bomb Pillow itself refuses
        raise _damaged(content_type) from exc


def _check_office(data: bytes) -> str:
    end = data.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(data):
        raise _not_accepted()
    (comment_length,) = struct.unpack("<H", data[end + 20 : end + 22])
    if end + 22 + comment_length != len(data):  # bytes hidden after the zip's end
        raise _not_accepted()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error) as exc:
        raise _not_accepted() from exc
    names = {m.filename for m in members}
    claimed = {OFFICE_MAIN_PARTS[n] for n in names if n in OFFICE_MAIN_PARTS}
    if "[Content_Types].xml" not in names or len(claimed) != 1:
        raise _not_accepted()
    (content_type,) = claimed
    if len(members) > MAX_ZIP_MEMBERS:
        raise _Refused("file_bomb", _("“{name}” holds too many parts to be checked."))
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > MAX_UNZIPPED_BYTES or total > MAX_ZIP_RATIO * max(packed, 1024):
        raise _Refused(
            "file_bomb",
            _("“{name}” unpacks to far more than its size ({size} MB); it cannot be accepted."),
            size=round(total / 1_048_576),
        )
    for member in members:
        parts = member.filename.replace("\\", "/").split("/")
        if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise _not_accepted()
        if member.flag_bits & 0x1:
            raise _Refused(
                "file_encrypted", _("“{name}” is protected by a password; upload it without one.")
            )
    # Read every part to its end: the CRC of each is checked, and no part may unpack to more
    # than it declared (zipfile stops there), so the total above bounds the work.
    read = 0
    try:
        for member in members:
            with archive.open(member) as part:
                chunks = []
                keep = member.filename in {"[Content_Types].xml", *OFFICE_MAIN_PARTS}
                while chunk := part.read(1 << 20):
                    read += len(chunk)
                    if read > total:
                        raise _damaged(content_type)
                    if keep:
                        chunks.append(chunk)
            if keep:
                xml = b"".join(chunks)
                if _DOCTYPE.search(xml):  # Office never writes one: entities, XXE
                    raise _damaged(content_type)
                expat.ParserCreate().Parse(xml, True)  # well-formed (no DTD, so no entities)
    except _Refused:
        raise
    except Exception as exc:  # bad CRC, bad deflate data, malformed XML
        raise _damaged(content_type) from exc
    return content_type


def _not_accepted() -> _Refused:
    return _Refused(
        "file_type", _("“{name}” is not an accepted document (PDF, Word, Excel, PNG or JPEG).")
    )


def validate(data: bytes) -> str:
    """The MIME type of ``data`` once the whole file is proven to be of that type; raises
    ``_Refused`` otherwise."""
    if not data:
        raise _Refused("file_empty", _("“{name}” is empty."))
    if data.startswith(_OLE):
        raise _Refused(
            "file_legacy",
            _(
                "“{name}” is an old-format Word or Excel file (.doc, .xls); save it as .docx, "
                ".xlsx or PDF and upload it again."
            ),
        )
    claimed = sniff(data[:16])
    if claimed is None:
        raise _not_accepted()
    if _HIDDEN_MARKUP.search(data):
        raise _Refused(
            "file_hidden_content",
            _("“{name}” hides web page or script content; it cannot be accepted."),
        )
    if claimed == PDF:
        _check_pdf(data)
        return PDF
    if claimed in (PNG, JPEG):
        _check_image(data, claimed)
        return claimed
    return _check_office(data)


def inspect_upload(upload) -> tuple[str, int, str]:
    """Check one uploaded file; return (content type, size, sha256) or raise InvalidInput."""
    name = label(upload.name)
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise InvalidInput(
            _("“{name}” is too big ({size} MB); the limit is {limit} MB.").format(
                name=name,
                size=round(upload.size / 1_048_576, 1),
                limit=limit // 1_048_576,
            ),
            code="file_too_big",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:  # the declared size was wrong
        raise InvalidInput(
            _("“{name}” is too big ({size} MB); the limit is {limit} MB.").format(
                name=name, size=round(len(data) / 1_048_576, 1), limit=limit // 1_048_576
            ),
            code="file_too_big",
        )
    try:
        content_type = validate(data)
    except _Refused as refused:
        raise InvalidInput(
            refused.message.format(name=name, **refused.params), code=refused.code
        ) from None
    return content_type, len(data), hashlib.sha256(data).hexdigest()


# --- names --------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w\- ()]+")


def label(name: str | None) -> str:
    """The uploader's file name as a label to show: its last path part, printable, NFC."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return nfc(name)[:255] or "—"


def download_name(original: str, content_type: str) -> str:
    """The name a file downloads under: the label's stem in safe characters (letters of any
    script, digits, space, - _ ( )) with the detected extension, the only dot in it."""
    stem = label(original)
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    stem = re.sub(r"_{2,}", "_", " ".join(_UNSAFE.sub("_", stem).split()))
    stem = stem.strip(" _-")[:100].strip(" _-") or "tai-lieu"
    return f"{stem}.{EXTENSIONS.get(content_type, 'bin')}"


# --- storing: files written inside a service are deleted again if it fails ---------------------

_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "evidence_written", default=None
)


@contextmanager
def kept_if_committed() -> Iterator[None]:
    """Around a service's transaction: the evidence files it writes (``store``) are deleted
    again if it raises, so a refused or failed change leaves no file behind. Place it outside
    ``transaction.atomic()``, so the files go after the rollback. (A process killed before its
    commit cannot run this; the orphan sweep removes what it left.)"""
    written: list[str] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    finally:
        _written.reset(token)


def store(upload, content_type: str, folder: str = EVIDENCE_DIR) -> str:
    """Write an inspected upload under a random name with its detected extension; returns the
    storage name for ``Attachment.file`` (another app's files go in a ``folder`` of their
    own: the orphan sweep reads only the evidence folder, against ``Attachment``)."""
    now = timezone.now()
    name = f"{folder}/{now:%Y/%m}/{uuid.uuid4().hex}.{EXTENSIONS[content_type]}"
    upload.seek(0)
    stored = default_storage.save(name, upload)
    written = _written.get()
    if written is not None:
        written.append(stored)
    return stored


# --- orphans ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Orphan:
    name: str  # the storage name, e.g. evidence/2026/12/<hex>.pdf
    size: int
    modified: datetime


def inspect_uploads(files) -> list[tuple]:
    """Each upload with its type, size and digest (``inspect_upload``), every one checked
    before anything is written: one refused file refuses them all."""
    return [(upload, *inspect_upload(upload)) for upload in files]


def files_save(new_row, checked: list[tuple], *, actor, at, folder: str = EVIDENCE_DIR) -> list:
    """Store the ``checked`` uploads (``inspect_uploads``) under random names in ``folder``
    and save a row for each, made by ``new_row(**columns)`` (an ``EvidenceFile`` bound to
    what it supports); returns the rows."""
    rows = []
    for upload, content_type, size, digest in checked:
        row = new_row(
            original_name=label(upload.name),
            content_type=content_type,
            size=size,
            sha256=digest,
            uploaded_by=actor,
            uploaded_at=at,
        )
        row.file.name = store(upload, content_type, folder=folder)
        row.save()
        rows.append(row)
    return rows


def _files(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for file in sorted(files):
            path = Path(folder) / file
            if path.is_file() and not path.is_symlink():
                yield path


# The evidence folders of higher apps (``folder_register``): folder → the model naming them.
_registered: dict[str, type] = {}


def folder_register(folder: str, model: type) -> None:
    """An app that stores its files here (``store(…, folder=)``) names the folder and the model
    whose ``file`` field holds them, so that the orphan sweep covers it (from ``ready()``)."""
    if _registered.get(folder, model) is not model:
        raise RuntimeError(f"The evidence folder {folder} is already another model's.")
    _registered[folder] = model


def _stores():
    """Each folder of stored evidence, with the model whose ``file`` names its files: an
    assignment's reports (``EVIDENCE_DIR``), reported values (``MEASUREMENT_EVIDENCE_DIR``),
    and those other apps registered."""
    from .models import Attachment, MeasurementEvidence
    from .models.targets import MEASUREMENT_EVIDENCE_DIR

    own = ((EVIDENCE_DIR, Attachment), (MEASUREMENT_EVIDENCE_DIR, MeasurementEvidence))
    return (*own, *sorted(_registered.items()))


def _named(model, names: list[str]) -> set[str]:
    """Those of ``names`` (paths under MEDIA_ROOT) that a row of ``model`` holds, 1,000 at a
    time."""
    known: set[str] = set()
    for start in range(0, len(names), 1000):
        chunk = names[start : start + 1000]
        known |= set(model.objects.filter(file__in=chunk).values_list("file", flat=True))
    return known


def orphans_find(*, older_than: timedelta, now: datetime | None = None) -> list[Orphan]:
    """Files of the evidence folders that no row names (an attachment of a report, a reported
    value's evidence), last written more than ``older_than`` ago (younger ones may belong to an
    upload in flight)."""
    root = Path(settings.MEDIA_ROOT)
    cutoff = (now or timezone.now()) - older_than
    found: list[Orphan] = []
    for directory, model in _stores():
        folder = root / directory
        if not folder.is_dir():
            continue
        files = _files(folder)
        while batch := list(itertools.islice(files, 1000)):
            candidates = {}
            for path in batch:
                stat = path.stat()
                modified = datetime.fromtimestamp(stat.st_mtime, tz=timezone.get_current_timezone())
                if modified <= cutoff:
                    candidates[path.relative_to(root).as_posix()] = (stat.st_size, modified)
            known = _named(model, list(candidates))
            found += [
                Orphan(name, size, modified)
                for name, (size, modified) in candidates.items()
                if name not in known
            ]
    return found


def orphans_remove(orphans: list[Orphan]) -> list[Orphan]:
    """Delete the orphan files (checked again against their table just before); returns those
    removed. Empty month folders left behind go too."""
    root = Path(settings.MEDIA_ROOT)
    removed = []
    for directory, model in _stores():
        mine = [o for o in orphans if o.name.startswith(f"{directory}/")]
        known = _named(model, [o.name for o in mine])
        top = root / directory
        for orphan in mine:
            if orphan.name in known:  # attached since it was found
                continue
            path = root / orphan.name
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(orphan)
            folder = path.parent
            while folder != top and folder.is_relative_to(top):
                try:
                    folder.rmdir()
                except OSError:
                    break
                folder = folder.parent
    return removed
