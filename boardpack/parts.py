"""Long rows in parts, for the outputs printed on pages (the PDF and the Word file).

A row that runs onto the next page leaves that page with a coloured Status cell and no
status word, and an empty No. cell: colour alone then carries the status. So the paged
outputs cut a long row at paragraph boundaries (between list items, between due-date
lines) into parts of bounded height, each kept whole on a page (in the PDF, a later part
calling no footnote may break between its paragraphs: `Columns.whole`); every part after the
first repeats the number ("5 (continued)") and the status word. The first part always
holds the first paragraph of every cell, so a row never starts with only its labels.

Heights are estimates from character counts and the widths of the columns, which each
renderer gives (`Columns`). The PDF renderer, which sees its own layout, joins again the
parts that landed on one page (`render.pdf.rows`), so there a row is cut only where a page
ends. Pure functions: the view in, a view out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .derive import PaperView, ReportView, Row
from .markdown import SENTENCE_END, blocks
from .text import LINE_BREAK


@dataclass(frozen=True)
class Columns:
    """Characters per line of an items table's columns, and the lines a part may hold."""

    text: int
    status: int
    due: int
    comment: int
    budget: float
    """Lines a part is cut to; a part holding a single longer paragraph is longer."""
    paragraph: float = 0.5
    """Space after a paragraph, in lines."""
    sentences: float | None = None
    """Paragraphs longer than this many lines may be cut after a sentence; None: at `budget`.

    The PDF shows a cut only where a page turns, so it cuts as finely as it likes; in Word
    every cut shows, so there only a paragraph too long for a page is cut inside."""
    whole: bool = False
    """Cut no paragraph (the PDF): a row is cut only between paragraphs, so no paragraph is shown
    as two where its pieces would share a page. The first part (the row's labels and first
    paragraphs) and a part calling a footnote (`FOOTNOTE_CALL`) are kept whole on a page; the
    layout may break any other part where a page turns, between its paragraphs (`Row.breaks`)."""


FOOTNOTE_CALL = "[^"
"""How a field calls a footnote. A table row that the layout breaks misplaces a note called
inside it (WeasyPrint gives the note to the next page, leaving the call's line where it was),
so a part with a call is kept whole on its page."""


FIELDS = ("text", "rationale", "comment", "due")


@dataclass(frozen=True)
class _Unit:
    field: str
    index: int
    height: float


def _wrapped(line: str, width: int) -> int:
    """Lines one line of text takes when wrapped at spaces in a column `width` characters wide."""
    lines, used = 1, 0
    for word in line.split():
        size = len(word)
        if used and used + 1 + size > width:
            lines, used = lines + 1, 0
        if size > width:  # a word longer than the column is broken anywhere
            lines += (used + size - 1) // width
            used = (used + size) % width or width
        else:
            used += size + (1 if used else 0)
    return lines


def _lines(text: str, width: int) -> float:
    """Estimated lines of one paragraph of text in a column `width` characters wide."""
    width = max(width, 4)
    return sum(_wrapped(line, width) for line in text.replace(LINE_BREAK, "\n").split("\n") if line.strip()) or 1


def _markdown_units(field: str, pieces: Sequence[str], width: int, spacing: float) -> list[_Unit]:
    units = []
    for n, piece in enumerate(pieces):
        paragraphs = [p for p in piece.split("\n\n") if p.strip()] or [piece]
        indent = 3 if piece.lstrip()[:1] in ("-", "*", "+") or piece.lstrip()[:1].isdigit() else 0
        height = sum(_lines(" ".join(p.split("\n")), width - indent) + spacing for p in paragraphs)
        units.append(_Unit(field, n, height))
    return units


def _cells(row: Row, columns: Columns, pieces: dict[str, list[str]]) -> dict[str, list[_Unit]]:
    """Each column's content as units in reading order; the rationale sits with the status when there is one."""
    gap = columns.paragraph
    cells: dict[str, list[_Unit]] = {
        "text": _markdown_units("text", pieces["text"], columns.text, gap),
        "status": [],
        "due": [_Unit("due", n, _lines(line, columns.due) + 0.2) for n, line in enumerate(row.due)],
        "ref": [],
        "comment": [],
    }
    rationale = _markdown_units("rationale", pieces["rationale"], columns.status if row.status else columns.comment, gap)
    if row.status:
        cells["status"] = rationale
    else:
        cells["comment"] = rationale
    cells["comment"] += _markdown_units("comment", pieces["comment"], columns.comment, gap)
    after = sum(_lines(extra, columns.due + 2) + 0.3 for extra in (row.slippage,) if extra) + (1.3 if row.overdue else 0)
    if row.due and after:  # the slippage and 'Overdue' come after the last date: a unit of their own
        cells["due"].append(_Unit("due", len(row.due), after))
    return cells


def _headings(row: Row, columns: Columns) -> dict[str, float]:
    """Lines each cell prints before its paragraphs in a row's first part."""
    text = sum(_lines(label, columns.text) for label in (row.lead_in, row.to, row.for_body) if label) + (1 if row.kind == "task" else 0)
    status = 0.0
    if row.status:
        status = 1 + sum(_lines(extra, columns.status) + 0.3 for extra in (row.status.note, row.lead and f"Lead: {row.lead}") if extra)
        status += 1.3 if row.rationale else 0
    comment = 1.0 if (row.rationale and not row.status) or (row.kind == "task" and row.comment) else 0.0
    return {"text": text, "status": status, "due": 0.0, "comment": comment, "ref": 1.0}


def _plan(cells: dict[str, list[_Unit]], first: dict[str, float], budget: float) -> list[dict[str, list[_Unit]]]:
    """Units per part: each cell takes what fits the budget; a first part takes at least one unit of every cell."""
    queues = {name: list(units) for name, units in cells.items()}
    parts: list[dict[str, list[_Unit]]] = []
    while any(queues.values()) or not parts:
        opening = not parts
        # a later part repeats the number with '(continued)' (two lines) and the status word
        start = {name: first[name] if opening else {"status": 1.0, "ref": 2.0}.get(name, 0.0) for name in queues}
        # A part is as tall as the budget, or as its one paragraph that must go in it (the first of
        # each cell in a first part; otherwise the shortest next one): the other cells fill that height.
        if opening:
            forced = [start[name] + queue[0].height for name, queue in queues.items() if queue]
        else:
            forced = [min(start[name] + queue[0].height for name, queue in queues.items() if queue)]
        target = max([budget, *forced])
        taken: dict[str, list[_Unit]] = {name: [] for name in queues}
        for name, queue in queues.items():
            height = start[name]
            while queue and height + queue[0].height <= target:
                height += queue[0].height
                taken[name].append(queue.pop(0))
        parts.append(taken)
    return parts


def _text(pieces: list[str], shared: str, indices: list[int], whole: str | None) -> str | None:
    if not indices:
        return None
    if len(indices) == len(pieces):
        return whole
    body = "".join(pieces[n] for n in indices)
    return body.rstrip("\n") + "\n\n" + shared if shared else body


def _bound(text: str | None, width: int, spacing: float, limit: int | None) -> float:
    """Lines a Markdown field takes at most, however `split_row` cuts it: never fewer than it counts.

    Every source line is wrapped on its own, as if indented, and spaced as a paragraph; a
    field long enough to be cut after sentences (`limit` characters; None: never cut) may end a
    line early at each sentence. A row within the budget by this bound is one part, unparsed.
    """
    if not text:
        return 0.0
    lines = [line for line in text.replace(LINE_BREAK, "\n").split("\n") if line.strip()]
    total = sum(_wrapped(line, max(width - 3, 4)) + spacing for line in lines)
    if limit is not None and len(text) > limit:
        total += (1 + spacing) * len(SENTENCE_END.findall(text))
    return total


def _surely_fits(row: Row, columns: Columns, widths: dict[str, int], limits: dict[str, int | None]) -> bool:
    gap = columns.paragraph
    bound = {field: _bound(getattr(row, field), width, gap, limits[field]) for field, width in widths.items()}
    due = sum(_lines(line, columns.due) + 0.2 for line in row.due)
    due += sum(_lines(extra, columns.due + 2) + 0.3 for extra in (row.slippage,) if extra) + (1.3 if row.overdue else 0)
    heights = {"text": bound["text"], "status": bound["rationale"] if row.status else 0.0, "due": due, "ref": 0.0,
               "comment": bound["comment"] + (0.0 if row.status else bound["rationale"])}
    first = _headings(row, columns)
    return all(first[name] + height <= columns.budget for name, height in heights.items())


def split_row(row: Row, columns: Columns) -> list[Row]:
    """A row as its parts: the row itself when it fits the budget."""
    widths = {"text": columns.text, "rationale": columns.status if row.status else columns.comment, "comment": columns.comment}
    lines = columns.sentences or columns.budget * 0.8
    limits = {field: None if columns.whole else int(width * lines) for field, width in widths.items()}
    if _surely_fits(row, columns, widths, limits):
        return [row]
    split = {field: blocks(getattr(row, field), limits[field]) for field in widths}
    pieces = {field: split[field].pieces for field in split}
    plans = _plan(_cells(row, columns, pieces), _headings(row, columns), columns.budget)
    if len(plans) == 1:
        return [row]
    out = []
    for n, plan in enumerate(plans):
        indices = {field: [u.index for units in plan.values() for u in units if u.field == field] for field in FIELDS}
        due = tuple(row.due[i] for i in indices["due"] if i < len(row.due))
        last_due = (len(row.due) in indices["due"]) if row.due else n == 0  # the part that holds the slippage unit
        fields = {field: _text(pieces[field], split[field].shared, indices[field], getattr(row, field)) for field in ("text", "rationale", "comment")}
        goes_on = tuple(field for field in ("text", "rationale", "comment") if n and indices[field] and indices[field][0] in split[field].goes_on)
        calls = any(FOOTNOTE_CALL in pieces[field][i] for field in ("text", "rationale", "comment") for i in indices[field])
        part = replace(row, text=fields["text"] or "", rationale=fields["rationale"], comment=fields["comment"], due=due, part=n,
                       slippage=row.slippage if last_due else None, overdue=row.overdue and last_due, goes_on=goes_on,
                       more=n < len(plans) - 1, breaks=columns.whole and n > 0 and not calls)
        if n:
            part = replace(part, lead_in=None, to=None, for_body=None, owner=None, lead=None,
                           status=replace(row.status, note=None) if row.status else None)
        out.append(part)
    return out


def in_parts(view: PaperView, columns: Columns) -> PaperView:
    """The view with every report's long rows cut into parts."""
    reports = [replace(report, rows=tuple(part for row in report.rows for part in split_row(row, columns))) for report in view.reports]
    return replace(view, reports=tuple(reports))


# --- the paper in slices, laid out apart -----------------------------------------------------

REPORT_HEAD_LINES = 5.0
"""Lines a report's heading, byline and table head take before its first row."""


@dataclass(frozen=True)
class Slice:
    """A run of the paper laid out on its own; the PDF renderer joins the slices' pages.

    `title` marks the slice that prints the title block (and the contents list), `summary`,
    `changes` and `legend` those that print these; the view holds the slice's reports and,
    in the last, the notes. `footnotes` is how many footnotes the slices before it number,
    so numbering goes on.
    """

    view: PaperView
    index: int
    title: bool
    summary: bool
    changes: bool
    legend: bool
    footnotes: int = 0
    pages: dict[str, str] | None = None
    """Each contents entry's page number in the joined paper, once the other slices are laid out."""
    elsewhere: tuple[str, ...] = ()
    """Anchors this slice links to that other slices hold: each gets an empty stand-in here, so
    the link is kept, and the join points it at the real one."""


def row_lines(row: Row, columns: Columns) -> float:
    """Estimated lines a row (or a row's part) takes in its table."""
    pieces = {field: [getattr(row, field) or ""] for field in ("text", "rationale", "comment")}
    cells = _cells(row, columns, pieces)
    first = _headings(row, columns) if not row.part else {"status": 1.0, "ref": 2.0}
    return max(first.get(name, 0.0) + sum(unit.height for unit in units) for name, units in cells.items()) + 0.6


def _chunks(report: ReportView, heights: list[float], size: float) -> list[tuple[ReportView, float]]:
    """A report as runs of rows of about `size` lines (itself, when shorter), each with its height.

    A slice holds only part of a very long report, so that no slice is much longer than
    `size`: the later runs carry on the report's table under its repeated head, without its heading.
    """
    total = REPORT_HEAD_LINES + sum(heights)
    if total <= 2 * size:
        return [(report, total)]
    out: list[tuple[ReportView, float]] = []
    start, filled = 0, REPORT_HEAD_LINES
    for n, height in enumerate(heights):
        if n > start and filled + height > size:
            out.append((replace(report, rows=report.rows[start:n], continued=bool(out)), filled))
            start, filled = n, 2.0  # the table head again
        filled += height
    out.append((replace(report, rows=report.rows[start:], continued=bool(out)), filled))
    return out


def slices(view: PaperView, columns: Columns, size: float) -> list[Slice]:
    """The paper as runs of whole reports of about `size` lines each; one slice when it is short.

    Each slice after the first starts a page, so a paper is sliced only when it is long
    enough for the time saved to matter, and every run of reports holds `size` lines or
    more. A paper with a contents list opens with the title and contents alone, as that
    slice is laid out again once the others' page numbers are known; its summary and its
    changes since the last paper follow, each a slice of its own.
    """
    pieces: list[tuple[ReportView, float]] = []
    for report in view.reports:
        pieces += _chunks(report, [row_lines(row, columns) for row in report.rows], size)
    if sum(weight for _, weight in pieces) < 2 * size or len(pieces) < 2:
        return [Slice(view, 0, title=True, summary=True, changes=True, legend=True)]
    groups: list[list[ReportView]] = [[]]
    filled = 0.0 if view.contents else size / 2  # without a contents list the front matter opens the first run
    for piece, weight in pieces:
        if groups[-1] and (filled >= size or piece.continued):
            groups.append([])
            filled = 0.0
        groups[-1].append(piece)
        filled += weight
    if len(groups) > 1 and filled < size / 2:  # a short last run joins the one before
        short = groups.pop()
        groups[-1] += short
    runs = [replace(view, reports=tuple(group), notes=None, timeline_appendix=None) for group in groups]
    runs[-1] = replace(runs[-1], notes=view.notes, timeline_appendix=view.timeline_appendix)
    if not view.contents:
        return [Slice(run, n, title=n == 0, summary=n == 0, changes=n == 0, legend=n == 0) for n, run in enumerate(runs)]
    front = ["title", *(part for part, shown in (("summary", view.summary), ("changes", view.changes)) if shown)]
    empty = replace(view, reports=(), notes=None, timeline_appendix=None)
    out = [Slice(empty, n, title=part == "title", summary=part == "summary", changes=part == "changes", legend=False)
           for n, part in enumerate(front)]
    return out + [Slice(run, len(out) + n, title=False, summary=False, changes=False, legend=n == 0) for n, run in enumerate(runs)]
