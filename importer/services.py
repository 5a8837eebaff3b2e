"""The import's two actions, for the pages, the API and the commands: read and parse the input
(no side effects), then confirm the reviewed document. Both are for whoever may register a
directive (``core.access.may``)."""

from core import access
from workflow.choices import DirectiveAction
from workflow.models import Directive

from .confirm import breakdown_confirm
from .document import BreakdownDocument
from .normalise import read_upload
from .parse import parse_text


def import_parse(*, actor, text: str = "", upload=None, on=None, issuer=None) -> BreakdownDocument:
    """The proposed breakdown of a pasted or uploaded text; nothing is written."""
    access.require_may(actor, DirectiveAction.ADD, Directive)
    if upload is not None:
        text = read_upload(upload.name, upload.read())
    return parse_text(text, on=on, issuer=issuer.code if issuer is not None else None)


def import_confirm(*, actor, document: BreakdownDocument) -> Directive:
    """Create the reviewed breakdown through the workflow services, all or nothing."""
    access.require_may(actor, DirectiveAction.ADD, Directive)
    return breakdown_confirm(actor=actor, document=document)
