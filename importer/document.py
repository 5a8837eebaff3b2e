"""The breakdown document: the one shape between a directive's source and ``confirm``.

Two readers produce it: ``importer.parse.parse_text`` (the text of a directive, every value
with its span and confidence, for a reviewer to check) and ``importer.readers.read_breakdown``
(a hand-authored YAML breakdown). It is plain JSON (dates as ISO strings), so it travels through
the review screen and the API unchanged; ``importer.confirm.breakdown_confirm`` is the only code
that turns it into a directive.

An item says who it goes to in one of two ways:
- ``agencies``: the mentions read in its text (each matched to an agency code or a collective,
  with a role and a modality), plus the item's ``deadline`` and ``recurrence``; confirm groups
  them (one group per modality, the recurring reports beside the duty).
- ``groups``: explicit assignments, as a hand-authored breakdown writes them (own titles,
  expected outputs, working-day deadlines, report days).
"""

from typing import NotRequired, TypedDict


class Evidence(TypedDict, total=False):
    span: list[int] | None
    confidence: float
    given: bool


class Header(TypedDict):
    kind: str
    number: NotRequired[str]
    date: str | None  # ISO date of issue (None when not read: confirm refuses it)
    issuer: str | None  # agency code
    title: str
    signer: NotRequired[str]
    note: NotRequired[str]
    evidence: NotRequired[dict[str, Evidence]]


class Mention(TypedDict, total=False):
    """An agency named in an item's text."""

    text: str
    matched: str | None  # agency code, or None when unmatched
    collective: str | None  # agencies.choices.Collective value for "các sở, ban, ngành"…
    role: str  # AssignmentRole
    modality: str  # Modality
    span: list[int] | None
    confidence: float
    inherited: str  # the parent item, or "opening" for the opening addressees


class Deadline(TypedDict, total=False):
    policy: str  # DuePolicy
    date: str | None  # ISO, for a fixed date
    days: int | None  # for N working days
    span: list[int] | None
    confidence: float
    inherited: str


class Recurrence(TypedDict, total=False):
    """Recurring reports read in the text: one obligation per period and lead agency."""

    periods: list[str]  # Period values
    span: list[int] | None
    confidence: float
    inherited: str


class GroupRecurrence(TypedDict, total=False):
    period: str
    starts_on: str | None  # None when a breakdown omits it: confirm refuses it
    ends_on: str | None
    report_day: int
    month_offset: int


class Group(TypedDict, total=False):
    """One explicit assignment of an item to agencies (codes) and collectives."""

    to: list[str]  # agency codes and Collective values; all lead
    coordinators: list[str]  # agency codes, with exactly one lead
    as_written: str
    modality: str
    title: str
    expected_output: str
    due: Deadline
    recurrence: GroupRecurrence | None  # a recurring report instead of a one-off assignment


class Item(TypedDict, total=False):
    number: str
    parent: str | None
    text: str
    span: list[int]
    agencies: list[Mention]
    deadline: Deadline | None
    recurrence: Recurrence | None
    indicators: list[dict]
    groups: list[Group]
    # What a reviewer adds (``importer.review``): a short title for its assignments, what they
    # must produce, the agency that gathers the item's results (a code).
    title: str
    expected_output: str
    focal_agency: str


class BreakdownDocument(TypedDict, total=False):
    directive: Header
    items: list[Item]
    preamble: str
    closing: str
    text: str  # the normalised text
    raw: str  # the text as given (kept as the directive's full text)
    warnings: list[dict]
