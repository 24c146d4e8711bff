"""Everything a paper shows that is worked out rather than typed: the one view every output reads.

Pure functions only: counts, summary sentences, due-date wording, overdue flags, RAG colours
(`words`, `rows`), and `view()`, which puts them together with the summary, the cover report
and the timelines into the `PaperView` that every renderer reads. No I/O here, so the
renderers (HTML/PDF and Word) can never disagree about what a paper says; the colours come in
as a palette, read from the templates folder by `boardpack.palette`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..history import Changes
from ..model import STATUSES, Paper, Report, Status, When
from ..palette import Colour, Palette, contrast_ratio
from .rows import (
    APPENDIX_ANCHOR,
    ChangesView,
    ContentsEntry,
    LegendRow,
    ReportView,
    Row,
    StatusView,
    changes_by_item,
    changes_view,
    contents,
    numbered,
    report_rows,
    status_view,
    without_items,
)
from .timeline import Timeline, timelines
from .words import addressed_sentence, byline, count_statuses, due_lines, for_bodies, item_noun, summary_sentence

if TYPE_CHECKING:
    from .appendix import AppendixView
    from .summary import CoverView, SummaryView

__all__ = [
    "APPENDIX_ANCHOR", "ChangesView", "Colour", "ContentsEntry", "LegendRow", "Palette", "PaperView", "ReportView", "Row", "StatusView",
    "byline", "changes_view", "contents", "contrast_ratio", "count_statuses", "due_lines", "numbered", "status_view",
    "summary_sentence", "view", "without_items",
]


@dataclass(frozen=True)
class PaperView:
    """A paper as its readers see it; what the templates receive."""

    name: str
    title: str
    appendix: str | None
    period: str
    period_start: dt.date
    """First day of the period: the document date of the outputs, never the clock."""
    committee: str
    organisation: str
    classification: str | None
    layout: str
    note: str | None
    """The paper's notice, printed in a box on its first page (an illustrative paper, say)."""
    large_print: bool
    """The large-print edition: 12 pt or larger text in every output."""
    header: str
    legend: tuple[LegendRow, ...]
    reports: tuple[ReportView, ...]
    counts: dict[str, int]
    has_status: bool
    has_due: bool
    has_owner: bool
    overdue: int
    changes: ChangesView | None = None
    """What moved since the previous paper; None when the paper names no previous."""
    summary: SummaryView | None = None
    """The executive summary (counts table, chart, RED and overdue items); tracker papers only."""
    cover: CoverView | None = None
    """The committee cover report; None when the paper has no `cover:` block."""
    notes: str | None = None
    """Closing notes (Markdown), printed after the last report."""
    without_items: tuple[str, ...] = ()
    """A line for each report with no items: under the summary's counts table, or after the reports without a summary."""
    contents: tuple[ContentsEntry, ...] = ()
    """The contents list after the title block; empty when the paper has too few parts to need one."""
    palette: tuple[StatusView, ...] = ()
    """Every status in the palette's colours, for the style sheets (a status may be styled before it is used)."""
    timelines: tuple[Timeline, ...] = ()
    """Each item's path through the chain of papers, in the paper's order; empty for a paper without a previous one."""
    timeline_appendix: AppendixView | None = None
    """The PDF and Word appendix of the notable items' timelines (or every item's); None when none is notable."""

    @property
    def timeline_anchors(self) -> dict[str, str]:
        """The web page's anchor of each item's timeline, by the item's key (`Row.key`)."""
        return {line.key: line.anchor for line in self.timelines}


def view(paper: Paper, name: str, changes: Changes | None = None, palette: Palette | None = None,
         earlier: Sequence[Paper] = ()) -> PaperView:
    """Derive the whole view of a paper; `name` is the output file stem.

    `paper` is the paper as resolved against its previous one (see `history.resolve`),
    whose changes are passed beside it; `palette` colours the statuses (the build passes the
    templates folder's; without one, the shipped palette); `earlier` are the papers of the
    chain before it, oldest first (`Resolved.earlier`), for each item's timeline.
    """
    if palette is None:
        from ..palette import default_palette

        palette = default_palette()
    info = paper.paper
    noun = "action" if info.layout == "tracker" else "recommendation"
    changes_words = changes_view(changes) if changes is not None else None
    changed = changes_by_item(changes_words) if changes_words is not None else None
    reports = [_report_view(n, report, noun, info.period, palette, changed) for n, report in numbered(paper)]
    all_items = [item for report in paper.reports for item in report.items]
    rows = [row for report in reports for row in report.rows]
    legend = _legend(paper, {item.status for item in all_items})
    appendix = f"Appendix {info.appendix}" if info.appendix else None
    period = str(info.period)
    counts = dict(count_statuses(all_items))

    # the summary and the appendix read this package's tables (`rows`), so they are imported only when a view is made
    from .appendix import appendix_view
    from .summary import cover_view, summary_view

    lines = tuple(timelines((*earlier, paper)).values()) if earlier else ()
    summary = summary_view(paper, changes_words, noun, palette, lines)
    stories = appendix_view(lines, info.period, info.timelines == "all", palette)
    return PaperView(
        name=name, title=info.title, appendix=appendix, period=period, period_start=info.period.first_day, committee=info.committee,
        organisation=info.organisation, classification=info.classification, layout=info.layout, note=info.note, large_print=info.large_print,
        header=" · ".join(p for p in (appendix, period, info.classification) if p),
        legend=tuple(LegendRow(status_view(s, palette=palette), legend[s]) for s in STATUSES if s in legend),  # type: ignore[arg-type]
        reports=tuple(reports), counts=counts,
        has_status=info.layout == "tracker" or any(r.status for r in rows),
        has_due=info.layout == "tracker" or any(item.due for item in all_items),
        has_owner=(info.layout == "response" if info.print_owners is None else info.print_owners) and any(item.owner for item in all_items),
        overdue=sum(r.overdue for r in rows),
        changes=changes_words,
        summary=summary if info.layout == "tracker" else None,
        cover=cover_view(paper, paper.cover, summary, changes_words, counts) if paper.cover else None,
        notes=paper.notes,
        without_items=without_items(paper),
        contents=contents(info.layout == "tracker", changes_words, reports, bool(paper.notes),
                          stories.heading if stories else None),
        palette=tuple(status_view(s, palette=palette) for s in STATUSES),  # type: ignore[misc]
        timelines=lines,
        timeline_appendix=stories,
    )


def _report_view(n: int, report: Report, noun: str, period: When, palette: Palette,
                 changed: dict[tuple[str, str | None, str], list[str]] | None) -> ReportView:
    """One report's heading, sentence, counts and rows."""
    own = count_statuses(item for item in report.items if not item.for_body)
    if report.to:
        sentence = addressed_sentence(report, own)
    else:
        sentence = summary_sentence(own, noun, report.totals, for_bodies(report.items), item_noun(report.items))
    return ReportView(
        number=n, anchor=f"report-{n}", title=report.title, byline=byline(report),
        published=f"Published {report.published}" if report.published else None,
        sentence=sentence, summary=report.summary, counts=dict(count_statuses(report.items)),
        rows=tuple(report_rows(report, period, palette, changed)),
    )


def _legend(paper: Paper, used: set[Status | None]) -> dict[Status, str]:
    """The paper's legend, with the derived statuses it uses but does not explain (NEW GREEN, CLOSED) explained."""
    legend = dict(paper.legend)
    extras: tuple[tuple[Status, str], ...] = (("NEW GREEN", "Implemented since the last report"), ("CLOSED", "Closed: no further action will be taken"))
    for extra, words in extras:
        if extra in used and extra not in legend:
            legend[extra] = words
    return legend
