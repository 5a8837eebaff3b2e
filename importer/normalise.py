"""Normalising pasted or uploaded directive text before it is parsed.

The result is NFC, uses "\n" line ends, has no tabs, no-break spaces or runs of spaces, has each
line stripped, keeps at most one blank line between paragraphs, and joins lines that a hard wrap
broke in the middle of a sentence or of an agency name ("Sở\nKhoa học và Công nghệ"). The raw
text is kept untouched by the callers for audit.
"""

import io
import re
import unicodedata
import zipfile
from pathlib import Path

import docx
from django.utils.translation import gettext as _

from core.exceptions import InvalidInput

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_ENDS_SENTENCE = re.compile(r"[.;:!?…\"”)]$")
# A line that starts a new unit and is never the tail of a wrapped line.
_STARTS_UNIT = re.compile(r"^(?:\d{1,2}[.)]\s|[a-zđ]\)\s|[-–+•*]\s|[IVX]{1,5}[.)]\s)")


def _is_heading(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def normalise(raw: str) -> str:
    """The text the parser reads (see the module docstring)."""
    text = unicodedata.normalize("NFC", raw or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line:
            if out and out[-1] != "":
                out.append("")
            continue
        previous = out[-1] if out else ""
        if (
            previous
            and not _ENDS_SENTENCE.search(previous)
            and not _STARTS_UNIT.match(line)
            and not _is_heading(previous)
            and not _is_heading(line)
        ):
            out[-1] = f"{previous} {line}"
        else:
            out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def decode(data: bytes) -> str:
    """Bytes of a .txt upload as text: UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            _("The file is not UTF-8 or UTF-16 text. Save it as UTF-8 and try again."),
            code="not_utf8",
        ) from exc


def _docx_text(data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            _("The file is not a Word document (.docx), whatever its name says."),
            code="not_docx",
        ) from exc
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def read_upload(name: str, data: bytes) -> str:
    """The raw text of an uploaded file: .txt (UTF-8 or UTF-16) or .docx, at most 5 MB."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            _("The file is too big ({size} MB); a directive's text is at most {limit} MB.").format(
                size=round(len(data) / 1_048_576, 1), limit=MAX_UPLOAD_BYTES // 1_048_576
            ),
            code="file_too_big",
        )
    suffix = Path(name or "").suffix.lower()
    if suffix == ".docx":
        return _docx_text(data)
    if suffix not in ("", ".txt", ".text"):
        raise InvalidInput(
            _(
                "Unsupported file type “{suffix}”: upload a .txt or .docx file or paste the text."
            ).format(suffix=suffix),
            code="unsupported_file",
        )
    return decode(data)


def read_file(path: str | Path) -> str:
    path = Path(path)
    return read_upload(path.name, path.read_bytes())
