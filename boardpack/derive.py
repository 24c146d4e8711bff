"""Everything a paper shows that is worked out rather than typed.

Pure functions only: counts, summary sentences, due-date wording, overdue flags, RAG
colours, and the view of a paper that every renderer reads. No I/O here, so the
renderers (HTML/PDF and Word) can never disagree about what a paper says; the colours
come in as a palette, read from the templates folder by `boardpack.palette`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .history import NEW_SINCE, Changes, excerpt, slippage
from .identity import entry_key
from .model import DONE, STATUSES, DueStep, Item, Paper, Report, Totals, When, current_due, dated
from .timeline import Timeline, timelines

if TYPE_CHECKING:
    from .appendix import AppendixView
    from .summary import CoverView, SummaryView


@dataclass(frozen=True)
class Colour:
    """How a status is painted: a fill and a text colour that passes WCAG AA on it (hex, no '#')."""

    fill: str
    ink: str


Palette = Mapping[str, Colour]
"""Status word -> its colours; read from templates/palette.yaml (see `boardpack.palette`)."""


def contrast_ratio(fill: str, ink: str) -> float:
    """WCAG 2 contrast ratio between two hex colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fill), luminance(ink)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# --- counts and sentences -------------------------------------------------------------


def count_statuses(items: Iterable[Item]) -> Counter[str]:
    """Items per status, in vocabulary order; items without a status count as ''."""
    counts: Counter[str] = Counter(item.status or "" for item in items)
    return Counter({s: counts[s] for s in (*STATUSES, "") if counts[s]})


def _phrases(counts: Counter[str]) -> list[str]:
    """The parts of a summary sentence, one per group of statuses."""
    complete = counts["GREEN"] + counts["NEW GREEN"]
    parts = []
    if complete:
        new = counts["NEW GREEN"]
        if new == complete:
            parts.append(f"{complete} newly complete")
        elif new:
            parts.append(f"{complete} complete ({new} newly)")
        else:
            parts.append(f"{complete} complete")
    if counts["CLOSED"]:
        parts.append(f"{counts['CLOSED']} closed")
    if counts["AMBER"]:
        parts.append(f"{counts['AMBER']} in progress")
    if counts["RED"]:
        parts.append(f"{counts['RED']} RED")
    if counts[""]:
        parts.append(f"{counts['']} without a status")
    return parts


def _is_are(n: int) -> str:
    return "is" if n == 1 else "are"


def _plural(n: int, noun: str) -> str:
    """'1 recommendation', '2 recommendations', '2 areas for improvement'."""
    if n == 1:
        return f"{n} {noun}"
    head, _, tail = noun.partition(" ")
    return f"{n} {head}s" + (f" {tail}" if tail else "")


def _others_phrases(white: int, bodies: Iterable[tuple[str, int]]) -> list[str]:
    """'1 is for the Home Office', '2 are for other organisations to deliver'."""
    parts = [f"{n} {_is_are(n)} for {body}" for body, n in bodies if n]
    if white:
        parts.append(f"{white} is for another organisation to deliver" if white == 1
                     else f"{white} are for other organisations to deliver")
    return parts


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _with_verbs(parts: list[str]) -> list[str]:
    """'2 closed', '1 RED' -> '2 are closed', '1 is RED' on the first and last parts only."""
    def verb(part: str) -> str:
        n, _, rest = part.partition(" ")
        if rest.startswith(("is ", "are ")):
            return part
        return f"{n} {_is_are(int(n))} {rest}"

    if len(parts) == 1:
        return [verb(parts[0])]
    return [verb(parts[0]), *parts[1:-1], verb(parts[-1])]


def _totals_sentence(counts: Counter[str], totals: Totals, noun: str, bodies: tuple[tuple[str, int], ...]) -> str:
    """The sentence of a report whose published totals are recorded.

    'This report makes 10 recommendations for the force; 5 were completed before this paper.
    Of the 5 in the table, 1 is newly complete, 1 closed, 2 RED and 1 is for another organisation to deliver.'
    """
    made, for_force, before = totals.made, totals.for_force, totals.completed_before
    if made is not None and for_force is not None and for_force != made:
        head = f"This report makes {_plural(made, noun)}, {for_force} of which {_is_are(for_force)} for the force"
        if for_force == 0:
            head = f"This report makes {_plural(made, noun)}, none of which is for the force"
    elif for_force is not None:
        head = f"This report makes {_plural(for_force, noun)} for the force"
    elif made is not None:
        head = f"This report makes {_plural(made, noun)}"
    else:
        head = ""
    white = counts["WHITE"]
    own = Counter({s: n for s, n in counts.items() if s != "WHITE"})
    parts = _phrases(own) if set(own) != {""} else ([f"{sum(own.values())} for the force"] if own else [])
    parts += _others_phrases(white, bodies)
    shown = sum(counts.values()) + sum(n for _, n in bodies)
    first: list[str] = []
    if head:
        first.append(head)
    if before:
        everything = for_force is not None and before == for_force
        first.append(f"all {before} were completed before this paper" if everything and before > 1
                     else f"{before} {'was' if before == 1 else 'were'} completed before this paper")
    sentences = ["; ".join(first) + "." if first else ""]
    if shown == 0:
        if not first:
            sentences.append("There is nothing in the table.")
    elif len(parts) == 1:
        only = parts[0].split(" ", 1)[1]
        if only.startswith(("is ", "are ")):
            only = only.split(" ", 1)[1]
        sentences.append(f"The one in the table is {only}." if shown == 1 else f"All {shown} in the table are {only}.")
    else:
        sentences.append(f"Of the {shown} in the table, {_listed(_with_verbs(parts))}.")
    sentence = " ".join(s for s in sentences if s)
    return sentence[0].upper() + sentence[1:]


def summary_sentence(counts: Counter[str], noun: str = "action", totals: Totals | None = None,
                     bodies: Iterable[tuple[str, int]] = (), item_noun: str = "recommendation") -> str:
    """'There are 7 actions for the force: 1 complete, 1 closed and 5 in progress.'

    WHITE items are not the force's to deliver, so they are counted in a sentence of their
    own, as are items for another body (`bodies`: (body, count) of items with `for_body`).
    With the report's own `totals` the sentence starts from them ('This report makes 10
    recommendations for the force; 5 were completed before this paper.') and then counts the
    rows in the table (`item_noun` names what the report makes). Grammatical for none, one
    and many; never typed, so it cannot drift from the table.
    """
    bodies = tuple(bodies)
    if totals is not None:
        return _totals_sentence(counts, totals, item_noun, bodies)
    white = counts["WHITE"]
    own = Counter({s: n for s, n in counts.items() if s != "WHITE"})
    total = sum(own.values())
    other_parts = _others_phrases(white, bodies)
    others = _listed(other_parts) if other_parts else ""
    if total == 0:
        return f"There are no {noun}s for the force" + (f"; {others}." if other_parts else ".")
    head = f"There is 1 {noun} for the force" if total == 1 else f"There are {total} {noun}s for the force"
    parts = _phrases(own)
    if set(own) == {""}:  # nothing has a status (response papers): the count alone
        sentence = head + "."
    elif len(parts) == 1:
        only = parts[0].split(" ", 1)[1]
        sentence = f"{head}, which is {only}." if total == 1 else f"{head}, all {only}."
    else:
        sentence = f"{head}: {', '.join(parts[:-1])} and {parts[-1]}."
    if other_parts:
        sentence += f" {others.split(' ', 1)[0]} more {others.split(' ', 1)[1]}."
    return sentence


def addressed_sentence(report: Report, counts: Counter[str]) -> str:
    """'This review makes 16 recommendations to the Metropolitan Police Service; the table gives the force's response to each.'

    For a report whose recommendations are addressed to another body (`to:`), so the paper
    never calls them the force's own; the statuses, if any, follow as usual.
    """
    made = report.totals.made if report.totals and report.totals.made is not None else len(report.items)
    tail = report.scope.split()[-1].lower() if report.scope else ""
    kind = tail if tail in _REPORT_NOUNS else "report"
    each = "it" if made == 1 else "each"
    sentence = f"This {kind} makes {_plural(made, item_noun(report.items))} to {report.to}; the table gives the force's response to {each}."
    parts = _phrases(Counter({s: n for s, n in counts.items() if s}))
    if parts:
        sentence += f" Of the {sum(counts.values())} in the table, {_listed(_with_verbs(parts))}."
    return sentence


def item_noun(items: Iterable[Item]) -> str:
    """What a report makes, by its items' types: 'area for improvement' when every item is one."""
    types = {item.type for item in items}
    return "area for improvement" if types == {"Area for Improvement"} else "recommendation"


def for_bodies(items: Iterable[Item]) -> tuple[tuple[str, int], ...]:
    """(body, number of items) for items addressed to another body, in order of first mention."""
    found: Counter[str] = Counter(item.for_body for item in items if item.for_body)
    return tuple(found.items())


# --- dates ---------------------------------------------------------------------------


def due_lines(due: tuple[DueStep, ...], unset: str | None) -> tuple[str, ...]:
    """The stacked lines of a due-date history: first date, 'Extended to ...', 'Now ...'."""
    if not due:
        return (unset,) if unset else ()
    steps = dated(due)
    lines = []
    for step in due:
        if step.date is None:  # a step of words, printed as written
            lines.append(step.words or "")
            continue
        n = steps.index(step)
        words = str(step.date)
        if n > 0:
            words = ("Now " if n == len(steps) - 1 else "Extended to ") + words
        if step.note:
            words += f" {step.note}"
        lines.append(words)
    return tuple(lines)


def is_overdue(status: str | None, due: tuple[DueStep, ...], period: When) -> bool:
    """Past its current due date at the end of the period, and not finished or RED already."""
    current = current_due(due)
    if current is None or status in DONE or status in ("WHITE", "RED"):
        return False
    return current.last_day < period.last_day


_REPORT_NOUNS = frozenset({"report", "review", "inspection", "investigation", "super-complaint", "assessment"})


def byline(report: Report) -> str | None:
    """'A national report by HMICFRS' (the seeds leave out the 'by'; the importer reads both)."""
    if not report.scope:
        return None
    scope = report.scope
    article = "An" if scope[0].lower() in "aeiou" else "A"
    tail = scope.split()[-1].lower()
    noun = "" if tail in _REPORT_NOUNS else " report"
    return f"{article} {scope}{noun} by {report.by}"


# --- the view every renderer reads -----------------------------------------------------


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
        from .palette import default_palette  # read once and cached; the build always passes its own

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


def _changes_by_item(changes: ChangesView) -> dict[tuple[str, str | None, str], list[str]]:
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


def _rows(report: Report, period: When, palette: Palette, changes: dict[tuple[str, str | None, str], list[str]] | None = None,
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


def view(paper: Paper, name: str, changes: Changes | None = None, palette: Palette | None = None,
         earlier: Sequence[Paper] = ()) -> PaperView:
    """Derive the whole view of a paper; `name` is the output file stem.

    `paper` is the paper as resolved against its previous one (see `history.resolve`),
    whose changes are passed beside it; `palette` colours the statuses (the build passes the
    templates folder's; without one, the shipped palette); `earlier` are the papers of the
    chain before it, oldest first (`Resolved.earlier`), for each item's timeline.
    """
    if palette is None:
        from .palette import default_palette

        palette = default_palette()
    info = paper.paper
    noun = "action" if info.layout == "tracker" else "recommendation"
    changes_words = changes_view(changes) if changes is not None else None
    changed = _changes_by_item(changes_words) if changes_words is not None else None
    reports = []
    for n, report in numbered(paper):
        report_counts = count_statuses(report.items)
        own = count_statuses(item for item in report.items if not item.for_body)
        if report.to:
            sentence = addressed_sentence(report, own)
        else:
            sentence = summary_sentence(own, noun, report.totals, for_bodies(report.items), item_noun(report.items))
        reports.append(ReportView(
            number=n, anchor=f"report-{n}", title=report.title, byline=byline(report),
            published=f"Published {report.published}" if report.published else None,
            sentence=sentence, summary=report.summary, counts=dict(report_counts),
            rows=tuple(_rows(report, info.period, palette, changed)),
        ))
    all_items = [item for report in paper.reports for item in report.items]
    rows = [row for report in reports for row in report.rows]
    used = {item.status for item in all_items}
    legend = dict(paper.legend)
    for extra, words in (("NEW GREEN", "Implemented since the last report"), ("CLOSED", "Closed: no further action will be taken")):
        if extra in used and extra not in legend:
            legend[extra] = words
    appendix = f"Appendix {info.appendix}" if info.appendix else None
    period = str(info.period)
    counts = dict(count_statuses(all_items))
    # summary builds on this module's view types, so it is imported here rather than at the top
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
