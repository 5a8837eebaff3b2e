"""The glue between the import pages/API and the importer: read the input, parse, confirm."""

from core.exceptions import Forbidden

from .access import may_create_directive
from .importer.confirm import breakdown_confirm
from .importer.normalise import read_upload
from .importer.parse import parse_text


def import_parse(*, actor, text: str = "", upload=None, on=None, issuer=None) -> dict:
    """The proposed breakdown of a pasted or uploaded text; nothing is written."""
    if not may_create_directive(actor):
        raise Forbidden()
    if upload is not None:
        text = read_upload(upload.name, upload.read())
    return parse_text(text, on=on, issuer=issuer.code if issuer is not None else None)


def import_confirm(*, actor, document: dict):
    """Create the reviewed breakdown through the workflow services, all or nothing."""
    if not may_create_directive(actor):
        raise Forbidden()
    return breakdown_confirm(actor=actor, document=document)


def highlighted(text: str, spans) -> list[dict]:
    """``text`` cut into pieces, those inside ``spans`` ((start, end, kind)) marked."""
    pieces, at = [], 0
    for start, end, kind in sorted(s for s in spans if s[0] is not None):
        if start < at:
            continue
        if start > at:
            pieces.append({"text": text[at:start], "kind": ""})
        pieces.append({"text": text[start:end], "kind": kind})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "kind": ""})
    return pieces
