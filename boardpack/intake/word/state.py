"""The state of one import, shared by the parts of the reader."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ...errors import Problem
from ...formats.wordml.read import Reader
from ...formats.wordml.rich import Rich
from ...model import When
from ..package import Package
from .cells import short
from .drafts import Draft, Loose, ReportDraft
from .grid import Columns


class ImportState:
    """What an import has read so far, and what it says about it: the state every part of the reader shares."""

    def __init__(self, package: Package, label: str, stem: str, period: When | None = None) -> None:
        self.package = package
        self.label = label
        self.stem = stem
        self.period = period
        """The period given with --period: it wins over what the old paper says."""
        self.reader = Reader(package.styles, package.numbering, package.links, package.notes, package.note_links)
        self.findings: list[Problem] = []
        """What the import is unsure of, as warnings at a place of the old paper (`table T, row R, column C`)."""
        self.skipped: list[str] = []
        self.reports: list[ReportDraft] = []
        self.loose: list[Loose] = []
        self.legend: dict[str, str] = {}
        self.info: dict[str, Any] = {}
        self.info_review: dict[str, str] = {}
        self.without_items: list[tuple[str, str | None]] = []
        """(title, published) of the reports the old paper lists as making no recommendations for the force."""
        self.front: list[tuple[str, str, str]] = []
        """(style, text, where) of paragraphs before the first report."""
        self.layout_votes: Counter[str] = Counter()
        self.current: Draft | None = None
        self.columns: Columns | None = None
        self.paragraph = 0
        self.table = 0
        self.skip_level: int | None = None
        """Inside a derived section (changes, summary) started by a heading of this level."""
        self.notes: Rich | None = None
        """The closing notes, once a 'Notes' heading is seen."""
        self.in_notes = False
        self.ours = {"rag status", "table text", "lead in"} <= set(self.reader.style_names.values())
        """Made by boardpack (its template's styles are there): tasks are rows, never inside comments."""
        self.tail: dict[int, list[str]] = {}
        """Comments to write after a report's last item."""

    # messages

    def warn(self, where: str, message: str) -> None:
        self.findings.append(Problem(self.label, 0, 0, where, message, "warning"))

    def keep(self, where: str, text: str, why: str) -> None:
        """Report something that could not be placed, and keep it as a comment in the file."""
        text = " ".join(text.split())
        if not text:
            return
        report = self.reports[-1] if self.reports else None
        after = len(report.items) if report is not None else 0
        self.loose.append(Loose(report, after, where, text))
        self.warn(where, f"{why}; kept as a comment in the file: {short(text)}")
