"""What members read first, derived: the executive summary and the committee cover report.

Pure functions beside `derive`: the counts table (one row per report, one column per status,
the same counts the summary sentences use), the figures of the chart drawn from it, the RED
and overdue items, the financial-year quarter of the period, and the cover report's every
number and list. Nothing here is typed by a secretary except the prose of `cover:`, which is
printed beside the derived words, never instead of them.
"""

from __future__ import annotations

import calendar
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..history import excerpt, slippage
from ..model import STATUSES, Cover, Item, Paper, Report, When, current_due, dated, is_overdue
from ..palette import Palette
from .rows import ChangesView, StatusView, numbered, status_view, without_items
from .timeline import Timeline, ages
from .words import summary_sentence

CORE_STATUSES = ("GREEN", "AMBER", "RED", "WHITE")
"""Always a column of the counts table, even at nought: members look for RED 0."""


# --- the quarter ------------------------------------------------------------------------------


def financial_quarter(period: When) -> str:
    """The UK financial-year quarter (April to March) holding the period: 'Q2 July–September 2021'."""
    number = (period.month - 4) % 12 // 3 + 1
    first = (period.month - 1) // 3 * 3 + 1
    return f"Q{number} {calendar.month_name[first]}–{calendar.month_name[first + 2]} {period.year}"


def financial_year(period: When) -> str:
    """'2021/22' for any month from April 2021 to March 2022."""
    start = period.year if period.month >= 4 else period.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


# --- the counts table and the chart -------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    """One report's items per status, in the table's column order, and their total."""

    number: int | None
    """The report's number in the paper (None for the Total row)."""
    anchor: str | None
    title: str
    counts: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class CountsTable:
    statuses: tuple[StatusView, ...]
    rows: tuple[CountRow, ...]
    total: CountRow


@dataclass(frozen=True)
class Chart:
    """Everything the chart shows, so every output draws the same one."""

    title: str
    """Short: the SVG <title>, which the PDF also uses as the figure's alternative text."""
    desc: str
    """The longer description: the SVG <desc> and the Word picture's alternative text."""
    labels: tuple[str, ...]
    """One bar per report, top to bottom: its number and its whole title, wrapped onto lines ('\\n')."""
    statuses: tuple[StatusView, ...]
    series: tuple[tuple[int, ...], ...]
    """Per status (in `statuses` order), the count in each bar."""
    text_pt: float = 8.0
    """Size of the chart's words and numbers as printed: 12 in the large-print edition."""


FIGURE_WIDTH_IN = 10.0
FIGURE_BAR_IN = 0.15


LABEL_LINE = 1.1
"""Distance of a bar label's lines, in sizes of its words (matplotlib's own is 1.2)."""
FIGURE_LINE_IN = 0.15
"""Height of each further line of a wrapped bar label."""


def bar_slots(chart: Chart) -> tuple[float, ...]:
    """Each bar's share of the chart's height, in bars: one, and more for a label wrapped onto lines."""
    return tuple(1 + max(label.count("\n"), 0) * FIGURE_LINE_IN / FIGURE_BAR_IN for label in chart.labels)


def figure_size(chart: Chart) -> tuple[float, float]:
    """The chart's drawn size in inches, known before it is drawn, so Word can place it while it is being drawn.

    Larger words take taller bars (a line and a tenth of the words' size each, as the chart sets
    its labels' lines) and more room for the legend and axis, in proportion.
    """
    bar = max(FIGURE_BAR_IN, chart.text_pt * LABEL_LINE / 72)
    return FIGURE_WIDTH_IN, round(0.9 * chart.text_pt / 8 + bar * max(sum(bar_slots(chart)), 1), 4)


def columns(paper: Paper) -> tuple[str, ...]:
    """The statuses the counts table shows: the four of the legend, and any other in use."""
    used = {item.status for report in paper.reports for item in report.items}
    return tuple(s for s in STATUSES if s in CORE_STATUSES or s in used)


def _count_row(number: int | None, title: str, items: Iterable[Item], statuses: Sequence[str]) -> CountRow:
    counts: Counter[str | None] = Counter(item.status for item in items)
    cells = tuple(counts[s] for s in statuses)
    return CountRow(number, f"report-{number}" if number else None, title, cells, sum(counts.values()))


def counts_table(paper: Paper, palette: Palette | None = None) -> CountsTable:
    """One row per report, one column per status, and a Total row: the sentences' own counts."""
    statuses = columns(paper)
    rows = tuple(_count_row(n, report.title, report.items, statuses) for n, report in numbered(paper))
    total = _count_row(None, "Total", (item for report in paper.reports for item in report.items), statuses)
    return CountsTable(tuple(status_view(s, palette=palette) for s in statuses), rows, total)  # type: ignore[misc]


def _listed(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


LABEL_LENGTH = 52
"""Bar labels longer than this are wrapped at words onto further lines, never cut."""


def _wrapped(title: str, length: int = LABEL_LENGTH) -> str:
    return "\n".join(textwrap.wrap(title, length, break_long_words=False, break_on_hyphens=False)) or title


LARGE_PRINT_PT = 12.0
"""The chart's words in the large-print edition, as its body text."""
LARGE_PRINT_LABEL = 70
"""Bar labels of the large-print edition are wrapped later: in fewer, longer lines the chart still fits a page."""


def chart(table: CountsTable, period: str, large_print: bool = False) -> Chart:
    """The stacked bars of the counts table, with the words that stand in for the picture."""
    size = LARGE_PRINT_PT if large_print else 8.0
    in_all = [f"{n} {s.word}" for s, n in zip(table.statuses, table.total.counts, strict=True) if n]
    reports = len(table.rows)
    desc = (f"A stacked bar for each of the {reports} report{'s' if reports != 1 else ''}, numbered as in the paper, "
            f"split by RAG status. In all, {table.total.total} item{'s' if table.total.total != 1 else ''}"
            + (f": {_listed(in_all)}." if in_all else ".")
            + " The counts table beside the chart gives every figure.")
    busiest = sorted((r for r in table.rows if r.total), key=lambda r: (-r.total, r.number or 0))[:1]
    if busiest:
        desc += f" The most items are in report {busiest[0].number} ({busiest[0].total})."
    return Chart(
        title=f"Items by RAG status in each report, {period}",
        desc=desc,
        labels=tuple(_wrapped(f"{row.number}. {row.title}", LARGE_PRINT_LABEL if large_print else LABEL_LENGTH) for row in table.rows),
        statuses=table.statuses,
        series=tuple(tuple(row.counts[n] for row in table.rows) for n in range(len(table.statuses))),
        text_pt=size,
    )


# --- RED and overdue --------------------------------------------------------------------------


@dataclass(frozen=True)
class AttentionRow:
    """An item that is RED or past its due date, with what members ask about it."""

    report: str
    report_number: int
    anchor: str
    ref: str | None
    text: str
    """A plain excerpt of the recommendation."""
    status: StatusView | None
    overdue: bool
    who: str | None
    """'Owner: ...' or 'Lead: ...' when the paper names one."""
    due: str
    """The current due date, or that none is set."""
    history: str | None
    """How often and how far the date has moved: 'Extended once: 4 months after ...'."""
    why: str
    """The rationale (Markdown) of a RED item; for an overdue one, the derived words."""


def _attention_row(number: int, report: Report, item: Item, period: When, palette: Palette | None) -> AttentionRow | None:
    overdue = is_overdue(item.status, item.due, period)
    if item.status != "RED" and not overdue:
        return None
    current = current_due(item.due)
    due = str(current) if current is not None else f"No date set by {report.by}"
    if item.status == "RED":
        why = item.rationale or "No rationale given."
    else:
        why = f"Past its due date ({due}) at the end of {period} and still {item.status or 'without a status'}."
    who = f"Owner: {item.owner}" if item.owner else f"Lead: {item.lead}" if item.lead else None
    return AttentionRow(report.title, number, f"report-{number}", item.ref, excerpt(item.text), status_view(item.status, palette=palette),
                        overdue, who, due, slippage(item.due), why)


def attention(paper: Paper, palette: Palette | None = None) -> tuple[AttentionRow, ...]:
    """RED items and overdue items, in the paper's order."""
    period = paper.paper.period
    rows = (_attention_row(n, report, item, period, palette) for n, report in numbered(paper) for item in report.items)
    return tuple(row for row in rows if row is not None)


# --- the executive summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryView:
    """The executive summary at the front of a tracker paper."""

    sentence: str
    """The whole paper's summary sentence, from the Total row's counts."""
    counts: CountsTable
    chart: Chart
    attention: tuple[AttentionRow, ...]
    attention_sentence: str
    has_who: bool
    changes_headline: str | None
    """The headline of the changes since the previous paper; None without a previous."""
    without_items: tuple[str, ...] = ()
    """A line for each report with no items, printed under the counts table instead of a row of noughts."""
    ages_sentence: str | None = None
    """How old the open items are and how many dates moved more than once; None for a paper without an earlier quarter."""


def _attention_sentence(rows: Sequence[AttentionRow]) -> str:
    red = sum(r.status is not None and r.status.word == "RED" for r in rows)
    overdue = sum(r.overdue for r in rows)
    if not rows:
        return "No item is RED or past its due date."
    parts = []
    if red:
        parts.append(f"{red} item{' is' if red == 1 else 's are'} RED")
    if overdue:
        parts.append(f"{overdue} item{' is' if overdue == 1 else 's are'} past {'its' if overdue == 1 else 'their'} due date and not RED")
    return f"{_listed(parts)}."


def _months(n: float) -> str:
    shown = f"{n:g}"
    return f"{shown} month{'' if shown == '1' else 's'}"


def ages_sentence(lines: Sequence[Timeline], at: When) -> str | None:
    """'The 12 open items were made a median of 13.5 months ago; the oldest, 14 months ago. 1 item's due date has moved more than once.'"""
    if not lines:
        return None
    found = ages({line.key: line for line in lines}, at)
    open_items = sum(1 for line in lines if line.open and line.made is not None)
    moved = (f"{found.moved_twice} item's due date has" if found.moved_twice == 1 else f"{found.moved_twice} items' due dates have"
             if found.moved_twice else "No item's due date has")
    if found.median is None or found.oldest is None:
        return f"No item is open. {moved} moved more than once."
    first = (f"The open item was made {_months(found.oldest)} ago." if open_items == 1 else
             f"The {open_items} open items were made a median of {_months(found.median)} ago; the oldest, {_months(found.oldest)} ago.")
    return f"{first} {moved} moved more than once."


def summary_view(paper: Paper, changes: ChangesView | None, noun: str = "action", palette: Palette | None = None,
                 lines: Sequence[Timeline] = ()) -> SummaryView:
    """The executive summary of a paper (as resolved against its previous one), in the palette's colours.

    `lines` are the items' timelines over the chain (none without an earlier quarter), for the ages of the open items.
    """
    table = counts_table(paper, palette)
    rows = attention(paper, palette)
    all_counts: Counter[str] = Counter({s: n for s, n in zip((s.word for s in table.statuses), table.total.counts, strict=True) if n})
    return SummaryView(
        sentence=summary_sentence(all_counts, noun),
        counts=table,
        chart=chart(table, str(paper.paper.period), paper.paper.large_print),
        attention=rows,
        attention_sentence=_attention_sentence(rows),
        has_who=any(r.who for r in rows),
        changes_headline=changes.headline if changes else None,
        without_items=without_items(paper),
        ages_sentence=ages_sentence(lines, paper.paper.period),
    )


# --- the cover report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeCount:
    heading: str
    count: int


@dataclass(frozen=True)
class SlipRow:
    report: str
    ref: str | None
    text: str | None
    was: str | None
    now: str
    reason: str


@dataclass(frozen=True)
class CoverView:
    """The committee cover report: the standard front sheet, then the derived report."""

    committee: str
    dated: str
    subject: str
    quarter: str
    public: bool
    marking: str
    """'Public', or 'Non-public' with the exempt paragraph(s)."""
    report_of: str
    author: str
    contact: str | None
    purpose: str
    """'For Information' or 'For Decision'."""
    summary: tuple[str, ...]
    summary_extra: str | None
    recommendation: str
    background: str
    background_derived: bool
    position: tuple[str, ...]
    position_extra: str | None
    counts: CountsTable
    """The paper's counts table: the cover prints its Total row, status by status."""
    changes: tuple[ChangeCount, ...]
    changes_since: str | None
    red: tuple[AttentionRow, ...]
    overdue: tuple[AttentionRow, ...]
    slipped: tuple[SlipRow, ...]
    slipped_heading: str
    implications: tuple[tuple[str, str], ...]
    """(heading, Markdown) of each corporate implication given: 'Financial implications'."""
    conclusion: str | None
    appendix: str
    """'Appendix A – HMICFRS Report Recommendations'."""
    appendix_name: str
    """'Appendix A', or 'the appendix' when the paper has no letter."""


def publisher(paper: Paper) -> str:
    """Whose recommendations the paper tracks: 'HMICFRS' when every report names it first."""
    firsts = {report.by.replace(",", " and ").split(" and ")[0].strip() for report in paper.reports}
    return firsts.pop() if len(firsts) == 1 else "inspection"


def _slips(paper: Paper, changes: ChangesView | None) -> tuple[SlipRow, ...]:
    """With a previous paper, the dates moved since; without one, every date ever moved, with its reason."""
    if changes is not None:
        rows = [row for group in changes.groups if group.key == "slipped" for row in group.rows]
        out = []
        for row in rows:
            dates, _, reason = row.change.partition(": ")
            was, _, now = dates.partition(" → ")
            out.append(SlipRow(row.report, row.ref, row.text, was, now, reason or "no reason given"))
        return tuple(out)
    out = []
    for report in paper.reports:
        for item in report.items:
            steps = dated(item.due)  # steps of words (no date) are not moves
            if len(steps) > 1:
                last = steps[-1]
                out.append(SlipRow(report.title, item.ref, excerpt(item.text), str(steps[-2].date), str(last.date),
                                   last.note or "no reason given"))
    return tuple(out)


def cover_view(paper: Paper, cover: Cover, summary: SummaryView, changes: ChangesView | None, counts: dict[str, int]) -> CoverView:
    """Every number and list of the cover report, from the same counts as the paper."""
    info = paper.paper
    period = str(info.period)
    quarter = financial_quarter(info.period)
    appendix_name = f"Appendix {info.appendix}" if info.appendix else "the appendix"
    noun = "action" if info.layout == "tracker" else "recommendation"
    reports = len(numbered(paper))
    items = sum(counts.values())
    who = publisher(paper)
    subject = f"{cover.subject or f'Quarterly {who} update'} ({quarter})"
    red = tuple(r for r in summary.attention if r.status is not None and r.status.word == "RED")
    overdue = tuple(r for r in summary.attention if r.overdue)
    sentence = summary_sentence(Counter(counts), noun)
    scope = (f"{appendix_name[0].upper()}{appendix_name[1:]} ({info.title}) sets out the position at the end of {period} "
             f"({quarter}) on the {items} item{'s' if items != 1 else ''} of {reports} report{'s' if reports != 1 else ''} "
             f"tracked for the {info.committee}.")
    summary_words = [scope, sentence]
    if changes is not None:
        summary_words.append(changes.headline)
    summary_words.append(summary.attention_sentence)
    background = cover.background or (
        f"The {info.committee} receives a quarterly update on the progress {info.organisation} is making against "
        f"{'the recommendations and areas for improvement of ' + who + ' reports' if who != 'inspection' else 'inspection recommendations'}. "
        f"This report covers {quarter} (financial year {financial_year(info.period)}).")
    since = f", and what has changed since {changes.since}" if changes is not None else ""
    position = [f"The tables below give the {items} item{'s' if items != 1 else ''} by status at the end of {period}{since}; "
                f"{appendix_name} gives each item's update, due date and owner's comment."]
    return CoverView(
        committee=info.committee,
        dated=str(cover.meeting),
        subject=subject,
        quarter=quarter,
        public=cover.public,
        marking="Public" if cover.public else (f"Non-public: exempt under paragraph(s) {cover.exempt} of Part I of "
                                               "Schedule 12A to the Local Government Act 1972"),
        report_of=cover.report_of,
        author=cover.author,
        contact=cover.contact,
        purpose=f"For {cover.purpose.capitalize()}",
        summary=tuple(summary_words),
        summary_extra=cover.summary,
        recommendation=cover.recommendation,
        background=background,
        background_derived=cover.background is None,
        position=tuple(position),
        position_extra=cover.position,
        counts=summary.counts,
        changes=tuple(ChangeCount(g.heading, len(g.rows)) for g in changes.groups) if changes else (),
        changes_since=changes.since if changes else None,
        red=red,
        overdue=overdue,
        slipped=_slips(paper, changes),
        slipped_heading=f"Due dates extended since {changes.since}" if changes else "Due dates extended",
        implications=tuple(cover.implications.given()) if cover.implications else (),
        conclusion=cover.conclusion,
        appendix=f"{appendix_name[0].upper()}{appendix_name[1:]} – {info.title}",
        appendix_name=appendix_name,
    )
