"""The text of a Word document (.docx), read as a stream within the importer's bounds.

The text is what python-docx's ``Document(...).paragraphs`` gives (the body's paragraphs, each
the text of its runs and hyperlinks, tabs and line breaks included; tables left out), but the
main part is parsed as it is unpacked and each paragraph dropped once read: memory holds the
text, never the whole XML tree. The main part is refused before parsing when it would unpack to
more than ``MAX_DOCX_XML_BYTES``, and the reading stops as soon as the text passes
``MAX_TEXT_CHARS`` — a 200 KB upload can unpack to a hundred megabytes of XML, or hold one
text node of 21 MB that lxml refuses.
"""

import io
import lzma
import posixpath
import zipfile
import zlib
from typing import IO, NoReturn

from django.utils.translation import gettext as _
from lxml import etree

from core.exceptions import InvalidInput

from .limits import MAX_DOCX_XML_BYTES, MAX_TEXT_CHARS

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY, _P, _R, _HYPERLINK, _T, _BR = (_W + t for t in ("body", "p", "r", "hyperlink", "t", "br"))
_SIMPLE = {_W + "tab": "\t", _W + "ptab": "\t", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_RUN_CONTENT = frozenset([_T, _BR, *_SIMPLE])
_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_SMALL_PART = 1024 * 1024  # [Content_Types].xml and _rels/.rels
_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    ValueError,
    OSError,
    EOFError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # an unknown compression method
    zlib.error,
    lzma.LZMAError,
    etree.LxmlError,
)


def _not_docx() -> NoReturn:
    raise InvalidInput(
        _("The file is not a Word document (.docx), whatever its name says."), code="not_docx"
    )


def too_long(count: int | None = None) -> InvalidInput:
    """The refusal of a text longer than ``MAX_TEXT_CHARS`` (``count`` when known)."""
    if count is None:
        message = _(
            "The text is too long for a directive: at most {limit} characters. "
            "Import the directive itself, without its appendices."
        ).format(limit=f"{MAX_TEXT_CHARS:,}".replace(",", "."))
    else:
        message = _(
            "The text is too long for a directive ({count} characters; at most {limit}). "
            "Import the directive itself, without its appendices."
        ).format(
            count=f"{count:,}".replace(",", "."), limit=f"{MAX_TEXT_CHARS:,}".replace(",", ".")
        )
    return InvalidInput(message, code="text_too_long")


def _safe_xml(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def _small(archive: zipfile.ZipFile, names: dict[str, str], name: str):
    info = archive.getinfo(names[name.lower()])
    if info.file_size > _SMALL_PART:
        _not_docx()
    return _safe_xml(archive.read(info))


def _main_part(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The document's main part, found as python-docx finds it (the package relationship of
    type officeDocument, whose content type is a Word document's)."""
    names = {info.filename.lower(): info.filename for info in archive.infolist()}
    rels = _small(archive, names, "_rels/.rels")
    target = next(
        (
            rel.get("Target", "")
            for rel in rels
            if str(rel.get("Type", "")).endswith("/officeDocument")
        ),
        "",
    )
    part = posixpath.normpath(posixpath.join("/", target)).lstrip("/")
    if not target or part.lower() not in names:
        _not_docx()
    types = _small(archive, names, "[Content_Types].xml")
    declared = {
        str(o.get("PartName", "")).lower(): o.get("ContentType")
        for o in types
        if str(o.tag).endswith("}Override")
    }
    if declared.get("/" + part.lower()) != _MAIN_TYPE:
        _not_docx()
    return archive.getinfo(names[part.lower()])


def _run_text(run) -> str:
    parts = []
    for child in run:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _BR:
            parts.append("\n" if child.get(_W + "type", "textWrapping") == "textWrapping" else "")
        elif tag in _SIMPLE:
            parts.append(_SIMPLE[tag])
    return "".join(parts)


def _in_body_paragraph(parent) -> bool:
    """Whether a run under ``parent`` belongs to a body paragraph (directly or in a link)."""
    if parent is not None and parent.tag == _HYPERLINK:
        parent = parent.getparent()
    if parent is None or parent.tag != _P:
        return False
    body = parent.getparent()
    return body is not None and body.tag == _BODY


def _text(stream: IO[bytes]) -> str:
    paragraphs: list[str] = []
    runs: list[str] = []
    count = -1  # characters so far, the new lines between paragraphs included
    events = etree.iterparse(
        stream,
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for _event, element in events:
        tag = element.tag
        if tag in _RUN_CONTENT:
            continue  # read with its run
        parent = element.getparent()
        if tag == _R and _in_body_paragraph(parent):
            runs.append(_run_text(element))
            count += len(runs[-1])
        elif tag == _P and parent is not None and parent.tag == _BODY:
            paragraphs.append("".join(runs))
            runs = []
            count += 1
        if count > MAX_TEXT_CHARS:
            raise too_long()
        if parent is not None and parent.tag != _R:  # a run's children are read at its end
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
    return "\n".join(paragraphs)


def docx_text(data: bytes) -> str:
    """The text of the body paragraphs of a .docx (see the module docstring)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main = _main_part(archive)
            if main.file_size > MAX_DOCX_XML_BYTES:
                raise too_long()
            with archive.open(main) as stream:
                return _text(stream)
    except _ERRORS:
        _not_docx()
