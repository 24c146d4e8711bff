"""The tables a paper shows: statuses in their colours, rows, what changed, reports, the contents list.

Pure functions of the resolved paper and a palette passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..history import NEW_SINCE, Changes, excerpt, slippage
from ..identity import entry_key
from ..model import Paper, Report, When, current_due, is_overdue
from ..palette import Palette
from .words import due_lines


@dataclass(frozen=True)
class StatusView:
    word: str
    note: str | None
    fill: str
    ink: str
    css: str


def status_view(word: str | None, note: str | None = None, palette: Palette | None = None) -> StatusView | None:
    """A status as printed, in the palette's colours (the shipped palette when none is given)."""
    if word is None:
        return None
    if palette is None:
        from ..palette import default_palette  # read once and cached; the build always passes its own

        palette = default_palette()
    colour = palette[word]
    return StatusView(word, note, colour.fill, colour.ink, word.lower().replace(" ", "-"))


@dataclass(frozen=True)
class Row:
    """One table row: an item, or one of its tasks under it."""

    kind: Literal["item", "task"]
    ref: str | None
    lead_in: str | None
    to: str | None
    text: str
    status: StatusView | None
    due: tuple[str, ...]
    overdue: bool
    owner: str | None
    lead: str | None
    rationale: str | None
    comment: str | None
    slippage: str | None = None
    for_body: str | None = None
    """'For the Home Office': an item addressed to another body without being WHITE."""
    """'Extended 2 times: 9 months after the first date (February 2020)'."""
    change: str | None = None
    """What changed since the previous paper: 'AMBER → RED; June 2021 → December 2021: ...'."""
    type: str | None = None
    """The item's type, for the data annex (the lead-in carries it in the tables)."""
    part: int = 0
    """0 for a whole row or its first part; a later part of a long row cut for the page (see `parts`)."""
    more: bool = False
    """Another part of the same row follows this one."""
    goes_on: tuple[str, ...] = ()
    """Fields whose first paragraph goes on from the part before (a paragraph cut after a sentence)."""
    breaks: bool = False
    """A later part of a long row that the layout may break between its paragraphs where a page turns (it calls no footnote)."""
    key: str = ""
    """The item's (or task's) identity in its paper, URL-safe: 'report/item[/task]' (`identity.entry_key`)."""
    due_date: When | None = None
    """The current due date, for the data annex's date column (None: no date set)."""
    tasks: tuple[tuple[str, str | None, str, str | None], ...] = ()
    """An item's tasks (ref, status, text, position), for the data annex, where they share the item's row."""


@dataclass(frozen=True)
class ChangeRow:
    """One line of the changes section, in words."""

    report: str
    ref: str | None
    text: str | None
    change: str


@dataclass(frozen=True)
class ChangeGroup:
    key: str
    heading: str
    rows: tuple[ChangeRow, ...]

    @property
    def of_reports(self) -> bool:
        """New or removed reports: a table of reports and their items, with no No. or Recommendation."""
        return self.key in ("new_reports", "removed_reports")


@dataclass(frozen=True)
class ChangesView:
    """'Changes since June 2021': only the categories that have entries."""

    since: str
    headline: str
    groups: tuple[ChangeGroup, ...]


def changes_by_item(changes: ChangesView) -> dict[tuple[str, str | None, str], list[str]]:
    """Each item's changes, keyed as the changes list names it, for the item's own row."""
    found: dict[tuple[str, str | None, str], list[str]] = {}
    for group in changes.groups:
        if group.key in ("new_reports", "removed_reports", "removed_items"):
            continue
        for row in group.rows:
            found.setdefault((row.report, row.ref, row.text or ""), []).append(row.change)
    return found


def changes_view(changes: Changes) -> ChangesView:
    """Each change as a table row: what it was, what it is, and why where a reason is due."""
    groups = []
    for key, heading, entries in changes.groups():
        rows = []
        for entry in entries:
            if key in ("new_reports", "removed_reports"):
                rows.append(ChangeRow(entry.report, None, None, entry.detail or ""))
                continue
            if key == "slipped":
                change = f"{entry.was} → {entry.now}: {entry.detail}"
            elif key == "new_items":
                change = f"New: {entry.now or 'no status'}"
            elif key == "removed_items":
                change = f"Removed (was {entry.was or 'without a status'})"
            elif entry.detail == NEW_SINCE:
                change = f"Not in the {changes.since} paper → {entry.now}"
            else:
                change = f"{entry.was or 'no status'} → {entry.now or 'no status'}"
                if entry.detail == "improved":
                    change += " (improved)"
            rows.append(ChangeRow(entry.report, entry.ref, entry.text, change))
        groups.append(ChangeGroup(key, heading, tuple(rows)))
    return ChangesView(str(changes.since), changes.headline(), tuple(groups))


@dataclass(frozen=True)
class ReportView:
    number: int
    anchor: str
    title: str
    byline: str | None
    published: str | None
    sentence: str
    summary: str | None
    counts: dict[str, int]
    rows: tuple[Row, ...]
    continued: bool = False
    """More rows of a report whose heading was printed before: a long paper's PDF slices a very long report."""


@dataclass(frozen=True)
class LegendRow:
    status: StatusView
    definition: str


@dataclass(frozen=True)
class ContentsEntry:
    anchor: str
    title: str
    paged: bool = False
    """A part only the PDF and Word print (the timelines' appendix): the web page leaves it out of its list."""


APPENDIX_ANCHOR = "timelines"


CONTENTS_AT_LEAST = 4
"""Fewer parts than this (a summary and two reports, say) need no contents list."""


def contents(summary: bool, changes: ChangesView | None, reports: Iterable[ReportView], notes: bool,
             appendix: str | None = None) -> tuple[ContentsEntry, ...]:
    """The paper's parts in order, as the PDF, web page and Word contents list them.

    `appendix` is the heading of the timelines' appendix, which only the PDF and Word print (`paged`).
    """
    entries = [ContentsEntry("summary", "Summary")] if summary else []
    if changes is not None:
        entries.append(ContentsEntry("changes", f"Changes since {changes.since}"))
    entries += [ContentsEntry(report.anchor, report.title) for report in reports]
    if notes:
        entries.append(ContentsEntry("notes", "Notes"))
    if appendix:
        entries.append(ContentsEntry(APPENDIX_ANCHOR, appendix, paged=True))
    return tuple(entries) if len(entries) >= CONTENTS_AT_LEAST else ()


def report_rows(report: Report, period: When, palette: Palette, changes: dict[tuple[str, str | None, str], list[str]] | None = None,
          ) -> Iterable[Row]:
    unset = f"No date set by {report.by}"
    for item in report.items:
        change = "; ".join((changes or {}).get((report.title, item.ref, excerpt(item.text)), [])) or None
        yield Row(
            kind="item", ref=item.ref, lead_in=item.type, to=f"To {item.to}" if item.to else None, text=item.text,
            status=status_view(item.status, item.status_note, palette), due=due_lines(item.due, unset),
            overdue=is_overdue(item.status, item.due, period), owner=item.owner,
            lead=item.lead, rationale=item.rationale, comment=item.comment, slippage=slippage(item.due),
            change=change, type=item.type, for_body=f"For {item.for_body}" if item.for_body else None,
            key=entry_key(report, item),
            due_date=current_due(item.due),
            tasks=tuple((task.ref, task.status, task.text, task.position) for task in item.tasks),
        )
        for task in item.tasks:
            yield Row(
                kind="task", ref=task.ref, lead_in=None, to=None, text=task.text,
                status=status_view(task.status, task.status_note, palette), due=due_lines(task.due, None),
                overdue=is_overdue(task.status, task.due, period), owner=None, lead=None,
                rationale=task.rationale, comment=task.position, slippage=slippage(task.due),
                key=entry_key(report, item, task),
            )


def numbered(paper: Paper) -> list[tuple[int, Report]]:
    """The reports that have items, with their numbers in the paper.

    A report with no items (an annual assessment that makes no recommendations for the
    force) gets no section, bar, row or number: it is a line of its own (`without_items`).
    """
    return list(enumerate((report for report in paper.reports if report.items), start=1))


def without_items(paper: Paper) -> tuple[str, ...]:
    """'“State of Policing: …” (published 21 July 2021) makes no recommendations for the force.'"""
    lines = []
    for report in paper.reports:
        if not report.items:
            published = f" (published {report.published})" if report.published else ""
            lines.append(f"“{report.title}”{published} makes no recommendations for the force.")
    return tuple(lines)
