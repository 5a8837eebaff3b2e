"""Normalising pasted or uploaded directive text before it is parsed.

The result is NFC, uses "\n" line ends, has no tabs, no-break spaces or runs of spaces, has each
line stripped, keeps at most one blank line between paragraphs, and joins lines that a hard wrap
broke in the middle of a sentence or of an agency name ("Sở\nKhoa học và Công nghệ"). The raw
text is kept untouched by the callers for audit.
"""

import re
import unicodedata
from pathlib import Path

from django.utils.translation import gettext as _

from core.exceptions import InvalidInput

from .wordfile import docx_text

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_SENTENCE_ENDS = frozenset('.;:!?…"”)')
# A line that starts a new unit and is never the tail of a wrapped line.
_STARTS_UNIT = re.compile(r"^(?:\d{1,2}[.)]\s|[a-zđ]\)\s|[-–+•*]\s|[IVX]{1,5}[.)]\s)")


def _is_heading(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def normalise(raw: str) -> str:
    """The text the parser reads (see the module docstring).

    One pass: a wrapped paragraph is gathered as a list of its lines and joined once (joining
    it line by line copied the paragraph once per line); whether the last line read ends a
    sentence or is a heading is known from that line alone (a joined paragraph is never a
    heading: neither of its parts was one).
    """
    text = unicodedata.normalize("NFC", raw or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    paragraphs: list[list[str]] = []  # the lines of each output line; [] is a blank line
    heading = False  # whether the last output line is a heading
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line).strip()
        if not line:
            if paragraphs and paragraphs[-1]:
                paragraphs.append([])
            continue
        is_heading = _is_heading(line)
        previous = paragraphs[-1] if paragraphs else []
        if (
            previous
            and previous[-1][-1] not in _SENTENCE_ENDS
            and not _STARTS_UNIT.match(line)
            and not heading
            and not is_heading
        ):
            previous.append(line)
        else:
            paragraphs.append([line])
            heading = is_heading
    while paragraphs and not paragraphs[-1]:
        paragraphs.pop()
    return "\n".join(" ".join(lines) for lines in paragraphs)


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


def read_upload(name: str, data: bytes) -> str:
    """The raw text of an uploaded file: .txt (UTF-8 or UTF-16) or .docx, at most 5 MB.

    The bound on the text itself (``limits.MAX_TEXT_CHARS``) is the parser's, for every source;
    a .docx is read no further than it (``wordfile``)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            _("The file is too big ({size} MB); a directive's text is at most {limit} MB.").format(
                size=round(len(data) / 1_048_576, 1), limit=MAX_UPLOAD_BYTES // 1_048_576
            ),
            code="file_too_big",
        )
    suffix = Path(name or "").suffix.lower()
    if suffix == ".docx":
        return docx_text(data)
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
