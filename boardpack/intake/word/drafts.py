"""Drafts: what the rows say about items, tasks and reports, before it is a paper."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...formats.wordml.rich import Rich
from ...model import When
from .. import phrases


@dataclass
class Draft:
    """An item or task as read from rows, still in Word's terms."""

    kind: str
    where: str
    ref: str | None = None
    type: str | None = None
    to: str | None = None
    for_body: str | None = None
    text: Rich = field(default_factory=Rich)
    status_lines: list[str] = field(default_factory=list)
    status_fill: str | None = None
    due_lines: list[str] = field(default_factory=list)
    owner: list[str] = field(default_factory=list)
    comment: Rich = field(default_factory=Rich)
    """An item's comment, a task's position."""
    rationale: Rich | None = None
    tasks: list[Draft] = field(default_factory=list)
    comment_tasks: bool = False
    """Tasks came from the comment column: further comment text belongs to the last task."""
    at: dict[str, str] = field(default_factory=dict)
    """Where each field was read, for messages."""
    review: dict[str, str] = field(default_factory=dict)
    extra_status: list[str] = field(default_factory=list)


@dataclass
class ReportDraft:
    title: str
    where: str
    scope: str | None = None
    by: str | None = None
    published: When | None = None
    to: str | None = None
    """Whom the report's recommendations are addressed to, read from boardpack's own sentence for it."""
    summary: Rich = field(default_factory=Rich)
    items: list[Draft] = field(default_factory=list)
    sentences: list[tuple[phrases.Sentence, str]] = field(default_factory=list)
    review: dict[str, str] = field(default_factory=dict)
    bylined: bool = False


@dataclass
class Loose:
    """Something that could not be placed: kept as a comment at this point of the file."""

    report: ReportDraft | None
    after: int
    where: str
    text: str
