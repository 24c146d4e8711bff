"""Old Word appendices into paper files: `generate.py import OLD.docx [-o data/NEW.yaml]`.

Reads both layouts, as boardpack prints them and as secretariats made them by hand:

- the tracker (a RAG legend, then per inspection report a heading, byline, "Published ..."
  line, summary sentence and one or more tables: No. + type + text / Status / Due Date /
  Comment, sub-tasks with their own RAG either as rows or inside the comment column);
- the response table (No. / Recommendation / Force Task Owner / Force Progress & Response).

Columns are found by their header words, never by position; a table without a header
that says what its columns are is reported, and its text kept as a YAML comment. Rows cut
by a page break (an empty first cell) are joined, repeated header rows skipped, merged
cells (gridSpan, vMerge) followed. Cell text becomes Markdown through the mapping the Word
renderer writes with (`render.wordml`), so a paper boardpack built reads back as it was.

What is derived (summary sentences, "Extended to" wording, slippage and overdue lines, the
changes section, legend additions) is not imported; where an old sentence disagrees with
its table, a warning says so. Where the format needs a field the old paper lacks (a RED
item's rationale, a WHITE item's lead), it is filled from the nearest words and marked
`# review:` in the file. Nothing is dropped silently: anything that could not be placed is
a warning naming the table, row and column, and a comment in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from ..derive import count_statuses
from ..errors import DataError, Problem, UsageError
from ..load import PAPER_SUFFIXES
from ..model import STATUSES, Paper, When, parse_when
from ..render.wordml import GOES_ON_MARK, LEAD_PREFIX, POSITION_LEAD, RATIONALE_LEAD, RATIONALE_MARK, TASK_LEAD, Para, Reader, Rich, Span, plain, ruled, w, wval
from . import phrases
from .package import Package, WordFileError, open_package

__all__ = ["Finding", "Imported", "WordFileError", "default_output", "import_docx", "write_import"]

PLACEHOLDER = "To be confirmed"
"""What a required field the old paper lacks is set to, with a review comment."""
DERIVED_LEGEND = {"NEW GREEN": "Implemented since the last report", "CLOSED": "Closed: no further action will be taken"}
"""Legend lines the renderer adds when a status is used; not part of the paper file."""

_TASK_LEAD = re.compile(rf"^{TASK_LEAD}s?\s*(?:\[\s*([\w.]+)\s*\]|([\d]+(?:\.\d+)*))?\s*:?$", re.IGNORECASE)
_POSITION_LEAD = re.compile(r"^current\s+position\s*:?$", re.IGNORECASE)
_RATIONALE_LEAD = re.compile(r"^(?:deadline\s+)?rationale\s*:?$", re.IGNORECASE)
_RATIONALE_LABEL = re.compile(r"^\s*(?:deadline\s+)?rationale\s*(?::|-|–)\s*", re.IGNORECASE)
"""A rationale's label typed at the start of its words, which the paper prints itself."""
_WHY_WORDS = (
    re.compile(r"deadline|delay|extended|stall|reset|slipp|not (?:yet )?(?:been )?(?:met|achieved|completed?)|behind", re.IGNORECASE),
    re.compile(r"vacanc|retire|awaiting|pending|waiting", re.IGNORECASE),
)
"""Words that say why an item is late, strongest first: a RED item's rationale is the first paragraph with them."""
_ADDRESSED = re.compile(r"^This [\w-]+ makes \d+ [\w ]+? to (?P<to>.+?); the table gives the force's response to (?:each|it)\.(?: Of the \d+ .*)?$")
"""`derive.addressed_sentence`: a report whose recommendations are another body's."""
_NO_ITEMS = re.compile(r"^[“\"](?P<title>.+)[”\"](?: \(published (?P<published>[^)]+)\))? makes no recommendations for the force\.$")
"""The line boardpack prints for a report with no items (`derive.without_items`), read back as that report."""
_DERIVED_SECTION = re.compile(r"^(?:changes since\b|(?:executive )?summary$|red and overdue\b|overdue items?\b)", re.IGNORECASE)
"""Headings of sections the paper derives (boardpack prints them; the importer leaves them out)."""
_NOTES = re.compile(r"^(?:closing\s+)?notes?$", re.IGNORECASE)
"""The heading of the paper's closing notes (`notes:`), printed after the last report."""
_DERIVED_DUE = re.compile(r"^(?:Extended (?:once|twice|\d+ times): .*|Overdue)$")
_APPENDIX = re.compile(r"^appendix[\s\-_]*([A-Za-z0-9]{1,6})(?![A-Za-z0-9])[\s\-_:–—.]*(.*)$", re.IGNORECASE)
FIELDS = ("id", "ref", "type", "to", "text", "position", "status", "status_note", "rationale", "due", "owner", "lead", "for_body", "comment", "tasks")
"""Item and task keys in the format's order (a task's `position` sits where an item's text ends)."""


# --- what the importer says --------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A warning (or error) about the old paper, located as `table T, row R, column C`."""

    where: str
    message: str
    severity: str = "warning"

    def line(self, label: str) -> str:
        return f"{label}: {self.where}: {self.message}" if self.where else f"{label}: {self.message}"


@dataclass
class Imported:
    """What an import made: the paper, its file text, and what the importer was unsure of."""

    label: str
    paper: Paper
    text: str
    findings: list[Finding]
    path: Path | None = None
    skipped: list[str] = field(default_factory=list)
    """Derived parts of the old paper that were left out on purpose (summary sentences, changes)."""

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def summary(self) -> list[str]:
        items = [item for report in self.paper.reports for item in report.items]
        tasks = sum(len(item.tasks) for item in items)
        counts = ", ".join(f"{status or 'no status'} {n}" for status, n in count_statuses(items).items()) or "no items"
        lines = [f"{len(self.paper.reports)} report(s), {len(items)} item(s) ({counts}), {tasks} task(s); layout {self.paper.paper.layout}"]
        for n, report in enumerate(self.paper.reports, start=1):
            report_counts = ", ".join(f"{s or 'no status'} {c}" for s, c in count_statuses(report.items).items()) or "no items"
            lines.append(f"  {n:>2}. {report.title}: {len(report.items)} item(s) ({report_counts})")
        return lines


# --- the table grid ----------------------------------------------------------------------


@dataclass
class Cell:
    start: int
    """First grid column (0-based)."""
    span: int
    merge: str | None
    """'restart' or 'continue' for vertically merged cells."""
    fill: str | None
    elements: list[Any]


@dataclass
class Row:
    number: int
    cells: list[Cell]
    header: bool


def _children(parent: Any, tag: str) -> Iterator[Any]:
    """Direct children with `tag`, looking through content controls and custom XML."""
    for child in parent:
        if child.tag == w(tag):
            yield child
        elif child.tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == w("customXml"):
            yield from _children(child, tag)


def table_grid(tbl: Any) -> list[Row]:
    rows: list[Row] = []
    for number, tr in enumerate(_children(tbl, "tr"), start=1):
        trpr = tr.find(w("trPr"))
        col = int(wval(trpr.find(w("gridBefore"))) or 0) if trpr is not None and trpr.find(w("gridBefore")) is not None else 0
        cells: list[Cell] = []
        for tc in _children(tr, "tc"):
            tcpr = tc.find(w("tcPr"))
            span, merge, fill = 1, None, None
            if tcpr is not None:
                grid_span = tcpr.find(w("gridSpan"))
                if grid_span is not None and (wval(grid_span) or "1").isdigit():
                    span = max(1, min(int(wval(grid_span) or 1), 64))
                vmerge = tcpr.find(w("vMerge"))
                if vmerge is not None:
                    merge = "restart" if wval(vmerge) == "restart" else "continue"
                shd = tcpr.find(w("shd"))
                if shd is not None:
                    value = (wval(shd, "fill") or "").upper()
                    fill = value if re.fullmatch(r"[0-9A-F]{6}", value) else None
                hmerge = tcpr.find(w("hMerge"))
                if hmerge is not None and wval(hmerge) != "restart" and cells:
                    cells[-1].span += span
                    cells[-1].elements += [e for e in tc if e.tag in (w("p"), w("tbl"), w("sdt"))]
                    col += span
                    continue
            elements = [e for e in tc if e.tag in (w("p"), w("tbl"), w("sdt"), w("customXml"))]
            cells.append(Cell(col, span, merge, fill, elements))
            col += span
        header = trpr is not None and trpr.find(w("tblHeader")) is not None and (wval(trpr.find(w("tblHeader"))) or "true") not in ("0", "false")
        rows.append(Row(number, cells, header))
    return rows


def cell_text(cell: Cell) -> str:
    return " ".join(" ".join(plain(e) for e in cell.elements).split())


def header_role(text: str) -> str | None:
    """What a column holds, from its header words."""
    t = " ".join(text.lower().replace("’", "'").split()).strip(" :")
    if not t:
        return None
    if re.fullmatch(r"changes?", t):
        return "change"
    if re.fullmatch(r"(?:inspection )?report(?: title)?", t):
        return "report"
    if "traffic light" in t or t.startswith("definition"):
        return "legend"
    if re.search(r"\bowner\b|^lead(?: officer)?$|responsible|accountable", t):
        return "owner"
    if re.search(r"\bstatus\b|\brag\b", t):
        return "status"
    if re.search(r"\bdue\b|deadline|target date|timescale|completion date|^date$", t):
        return "due"
    if re.search(r"comment|progress|response|update|position", t):
        return "comment"
    if re.fullmatch(r"no\.?|number|ref\.?|reference|#|item|rec(?:ommendation)? no\.?", t):
        return "ref"
    if re.search(r"recommendation|improvement|action|concern|finding", t):
        return "text"
    return None


_ROLE_ORDER = ("text", "comment", "due", "status", "owner", "ref", "task", "task_ref", "task_status", "extra")


@dataclass
class Columns:
    """The role of each grid column of a table, from its header row."""

    roles: dict[int, str]
    names: dict[int, str]
    header_row: int
    header_texts: set[str]
    kind: str
    """'items', 'legend' or 'changes'."""
    title: str | None = None
    """A first header cell that names the report (the response layout's 'Baroness Casey Review ...')."""

    def role(self, cell: Cell) -> str | None:
        roles = {self.roles.get(c) for c in range(cell.start, cell.start + cell.span)} - {None}
        for role in _ROLE_ORDER:
            if role in roles:
                return role
        return None

    def name(self, cell: Cell) -> str:
        return self.names.get(cell.start, "")


def find_columns(rows: list[Row]) -> Columns | None:
    for index, row in enumerate(rows[:3]):
        texts = [cell_text(cell) for cell in row.cells]
        roles = [header_role(t) for t in texts]
        found = {r for r in roles if r}
        if "legend" in found or (len(row.cells) == 2 and texts and re.search(r"colou?r", texts[0], re.IGNORECASE) and "definition" in texts[1].lower()):
            return Columns({}, {}, row.number, set(), "legend")
        if "report" in found or ("change" in found and "text" in found):
            return Columns({}, {}, row.number, set(), "derived")
        if len(found) < 2 or not ({"text", "comment"} & found):
            continue
        columns = Columns({}, {}, row.number, {_norm(t) for t in texts if t}, "items")
        for cell, text, role in zip(row.cells, texts, roles, strict=True):
            for c in range(cell.start, cell.start + cell.span):
                columns.names[c] = text
                if role:
                    columns.roles[c] = role
        text_cols = sorted(c for c, r in columns.roles.items() if r == "text")
        if "ref" not in columns.roles.values() and text_cols:
            first = text_cols[0]
            header = next(cell for cell in row.cells if cell.start <= first < cell.start + cell.span)
            if header.span > 1 and _body_splits(rows[index + 1 :], first):
                columns.roles[first] = "ref"
            elif first > 0 and columns.roles.get(first - 1) is None:
                columns.roles[first - 1] = "ref"
                unnamed = columns.names.get(first - 1, "")
                if unnamed and not re.fullmatch(r"\W*", unnamed):
                    columns.title = unnamed
                    columns.names[first - 1] = "No."
        width = max((cell.start + cell.span for r in rows for cell in r.cells), default=0)
        comment_cols = [c for c, role in columns.roles.items() if role == "comment"]
        for c in range(width):
            if c not in columns.roles and comment_cols and c > max(comment_cols):
                columns.roles[c] = "extra"
        return columns
    return None


def _body_splits(rows: list[Row], col: int) -> bool:
    """Whether body rows have a cell of their own starting at `col` (the No. under a spanning header)."""
    return any(any(cell.start == col and cell.span == 1 for cell in row.cells) and any(cell.start == col + 1 for cell in row.cells) for row in rows)


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).strip(" :.")


# --- drafts: what the rows say, before it is a paper --------------------------------------


def _goes_on(rich: Rich, mark: str) -> bool:
    """Whether the first paragraph of a continued part's cell goes on with the paragraph before (boardpack marked it)."""
    first = next((p for p in rich.paras if not p.empty), None)
    return first is not None and any(m.startswith(mark) for m in first.marks)


def _rationale_apart(rich: Rich) -> tuple[Rich, Rich]:
    """The paragraphs boardpack marked as a rationale (copied), and the rest."""
    marked = [p for p in rich.paras if any(m.startswith(RATIONALE_MARK) for m in p.marks)]
    return rich.take([p.copy() for p in marked]), rich.take([p for p in rich.paras if all(p is not r for r in marked)])


_CONTINUED = re.compile(r"(.*?)\s*\((?:continued|cont\.?)\)", re.IGNORECASE)
"""The No. of a later part of a row that boardpack cut for the page."""


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


# --- the importer --------------------------------------------------------------------------


class _Import:
    def __init__(self, package: Package, label: str, stem: str, period: When | None = None) -> None:
        self.package = package
        self.label = label
        self.stem = stem
        self.period = period
        """The period given with --period: it wins over what the old paper says."""
        self.reader = Reader(package.styles, package.numbering, package.links, package.notes, package.note_links)
        self.findings: list[Finding] = []
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
        self.findings.append(Finding(where, message))

    def keep(self, where: str, text: str, why: str) -> None:
        """Report something that could not be placed, and keep it as a comment in the file."""
        text = " ".join(text.split())
        if not text:
            return
        report = self.reports[-1] if self.reports else None
        after = len(report.items) if report is not None else 0
        self.loose.append(Loose(report, after, where, text))
        self.warn(where, f"{why}; kept as a comment in the file: {_short(text)}")

    # the document

    def run(self) -> None:
        body = self.package.document.element.body
        for kind, element in self._blocks(body):
            if kind == "p":
                self.paragraph += 1
                self._paragraph(element)
            else:
                self.table += 1
                self._table(element)

    def _blocks(self, parent: Any) -> Iterator[tuple[str, Any]]:
        for child in parent:
            if child.tag == w("p"):
                yield "p", child
            elif child.tag == w("tbl"):
                yield "tbl", child
            elif child.tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    yield from self._blocks(content)
            elif child.tag == w("customXml"):
                yield from self._blocks(child)

    def _paragraph(self, p: Any) -> None:
        text = " ".join(plain(p).split())
        where = f"paragraph {self.paragraph}"
        if not text:
            if self.in_notes and self.notes is not None and self.notes.paras and ruled(p):
                self.notes.paras.append(Para(kind="rule"))
                return
            report = self.reports[-1] if self.reports else None
            if report is not None and report.summary and not report.items and self.current is None and self.skip_level is None and ruled(p):
                report.summary.paras.append(Para(kind="rule"))  # a horizontal rule between summary paragraphs
            return
        level = self.reader.heading_level(p)
        style = self.reader.style_name(p)
        if level is None and (empty := _NO_ITEMS.match(text)):  # under the summary's counts table, or before the reports
            self.without_items.append((empty.group("title"), empty.group("published")))
            return
        if self.skip_level is not None:
            if level is not None and level <= self.skip_level and not _DERIVED_SECTION.match(text):
                self.skip_level = None
            else:
                return
        if level is not None and level <= 2 and _DERIVED_SECTION.match(text):
            self.skip_level = level
            self.skipped.append(f"{where}: the '{text}' section (derived)")
            return
        if style == "title":
            self.info.setdefault("title", text)
            return
        if style == "notice" and text.startswith("Note: "):  # the paper's notice, as boardpack prints it
            self.info.setdefault("note", text.removeprefix("Note: "))
            return
        if style in ("toc heading", "contents heading") or re.fullmatch(r"(toc|contents) ?\d", style or ""):
            self.skipped.append(f"{where}: the contents list (derived)")
            return
        if self.in_notes and self.notes is not None:
            if level is None or level > 2:
                self.notes.extend(self.reader.cell([p]), join=False)
                return
            self.in_notes = False
        if level is not None and level <= 2 and _NOTES.match(text) and self.reports:
            self.notes = self.notes or Rich()
            self.in_notes = True
            self.current = None
            return
        if level is not None and level <= 2 or (level is None and self._looks_like_heading(p, text)):
            self._start_report(p, text, where)
            return
        lines = [" ".join(line.split()) for line in plain(p).split("\n") if line.strip()]
        if not self.reports:
            self.front += [(style, line, where) for line in lines]
            return
        if len(lines) > 1 and any(phrases.byline(line) or phrases.published_dates(line) for line in lines):
            for line in lines:  # 'A national report HMICFRS' and 'Published ...' on one paragraph, broken by a line break
                self._intro(None, line, style, where)
            return
        self._intro(p, text, style, where)

    def _looks_like_heading(self, p: Any, text: str) -> bool:
        """A short paragraph that is bold throughout, before the first table of a report (hand-made headings)."""
        if len(text) > 200 or text.endswith((".", ":")) or self.reader.style_name(p).startswith(("list", "table")):
            return False
        runs = [r for r in p.iter(w("r")) if "".join(t.text or "" for t in r.iter(w("t"))).strip()]
        if not runs:
            return False
        bold = all(r.find(f"{w('rPr')}/{w('b')}") is not None and (wval(r.find(f"{w('rPr')}/{w('b')}")) or "true") not in ("0", "false") for r in runs)
        return bold and not phrases.classification(text) and not _APPENDIX.match(text) and phrases.find_date(text) is None

    def _start_report(self, p: Any, text: str, where: str) -> None:
        self.current = None
        self.columns = None
        self.reader.paragraph(p, rich := Rich())
        report = ReportDraft(title=_title_text(p), where=where)
        if rich.notes:
            report.summary.extend(Rich([n.copy() for note in rich.notes for n in note]), join=False)
            report.review["summary"] = "taken from a footnote of the report's title"
        self.reports.append(report)

    def _intro(self, p: Any | None, text: str, style: str, where: str) -> None:
        """A paragraph under a report heading: byline, published date, the old summary sentence, or summary."""
        report = self.reports[-1]
        if addressed := _ADDRESSED.match(text):  # boardpack's sentence for a report of another force ('to:')
            report.to = addressed.group("to")
            self.skipped.append(f"{where}: summary sentence of '{_short(report.title, 40)}' (derived)")
            return
        sentence = phrases.count_sentence(text)
        dates = phrases.published_dates(text)
        if sentence is None and dates and not text.lower().startswith("published"):
            # 'This report was published 22nd March 2017. There are 4 recommendations ...': derived and dated, no summary
            parts = [part for part in re.split(r"(?<=[.;])\s+", text) if part.strip()]
            counted = [phrases.count_sentence(part) for part in parts]
            if any(counted) and all(c is not None or phrases.published_dates(part) for c, part in zip(counted, parts, strict=True)):
                sentence = next(c for c in counted if c is not None)
        if text.lower().startswith("published") and dates:
            if report.published is None:
                report.published = dates[0]
            elif dates[0] != report.published:
                self.warn(where, f"the report's published date is given twice, differently ({report.published}, {dates[0]}); "
                                 f"the first is used")
            return
        if not report.items and not report.bylined and style != "report summary" and sentence is None:
            parsed = phrases.byline(text)
            if parsed is not None and (style == "byline" or re.search(r"\b(?:report|review|inspection|HMICFRS|thematic|investigation)\b", text, re.IGNORECASE)):
                report.scope, report.by = parsed
                report.bylined = True
                return
        if sentence is not None:
            report.sentences.append((sentence, where))
            self.skipped.append(f"{where}: summary sentence of '{_short(report.title, 40)}' (derived)")
            for date in dates:
                if report.published is None:
                    report.published = date
                elif date != report.published:
                    self.warn(where, f"the text says the report was published {date}, the Published line says "
                                     f"{report.published}; the Published line is used")
            return
        rich = self.reader.cell([p]) if p is not None else Rich([Para([Span(text)])])
        if report.items or self.current is not None:
            self.keep(where, rich.markdown() or text, "text after the report's table")
            return
        report.summary.extend(rich, join=False)

    # tables

    def _table(self, tbl: Any) -> None:
        where = f"table {self.table}"
        rows = table_grid(tbl)
        if not rows:
            return
        columns = find_columns(rows)
        if columns is None and self.columns is not None and self.current is not None:
            width = max(cell.start + cell.span for row in rows for cell in row.cells)
            if width == max(c for c in self.columns.roles) + 1 or width == len(self.columns.names):
                columns = Columns(self.columns.roles, self.columns.names, 0, self.columns.header_texts, "items", None)
        if self.skip_level is not None and (columns is None or columns.kind != "legend"):
            return
        if columns is None:
            text = "\n".join(" | ".join(t for t in (cell_text(cell) for cell in row.cells) if t) for row in rows)
            self.keep(where, text, "a table without a header that says what its columns are")
            return
        if columns.kind == "derived":
            self.skipped.append(f"{where}: a table of reports (derived)")
            return
        self.skip_level = None
        if columns.kind == "legend":
            self._legend(rows, columns, where)
            return
        self._vote(columns)
        if not self.reports:
            title = columns.title or self.info.get("title") or self._header_title()
            report = ReportDraft(title=title or PLACEHOLDER, where=where)
            if columns.title:
                report.review["title"] = "taken from the first heading cell of the table"
            else:
                report.review["title"] = "the old paper has no heading for this report"
                self.warn(where, "no heading names the report this table belongs to; the paper's title is used")
            self.reports.append(report)
        elif columns.title and self.reports[-1].title == PLACEHOLDER:
            self.reports[-1].title = columns.title
        if self.columns is None or columns.header_row:
            self.columns = columns
        for row in rows:
            if row.number < columns.header_row:
                text = " | ".join(t for t in (cell_text(cell) for cell in row.cells) if t)
                self.keep(f"{where}, row {row.number}", text, "a row above the table's header")
                continue
            if row.number == columns.header_row:
                continue
            self._row(row, self.columns, where)

    def _vote(self, columns: Columns) -> None:
        roles = set(columns.roles.values())
        if "owner" in roles and "status" not in roles:
            self.layout_votes["response"] += 1
        elif "status" in roles:
            self.layout_votes["tracker"] += 1
        if "owner" in roles and "status" in roles:
            self.layout_votes["response"] += 1

    def _header_title(self) -> str | None:
        for header in self.package.headers:
            for line in header.splitlines():
                match = _APPENDIX.match(line.strip())
                if match and len(match.group(2)) > 10:
                    return match.group(2).strip(" .")
        return None

    def _legend(self, rows: list[Row], columns: Columns, where: str) -> None:
        for row in rows:
            if row.number <= columns.header_row or len(row.cells) < 2:
                continue
            word = phrases.status_cell([cell_text(row.cells[0])])
            definition = cell_text(row.cells[-1])
            at = f"{where}, row {row.number}"
            if word.status is None or word.note:
                self.keep(at, f"{cell_text(row.cells[0])}: {definition}", "a legend line without a status word")
                continue
            if definition:
                self.legend[word.status] = definition

    # rows

    def _row(self, row: Row, columns: Columns, table: str) -> None:
        at = f"{table}, row {row.number}"
        texts = [cell_text(cell) for cell in row.cells]
        if not any(texts):
            return
        if row.header or all(not t or _norm(t) in columns.header_texts for t in texts):
            return  # a header row repeated after a page break
        if self._banner(row, texts, at):
            return
        parts: dict[str, list[Cell]] = {}
        for cell, words_in_cell in zip(row.cells, texts, strict=True):
            role = columns.role(cell)
            if role in ("comment", "extra", "task", "task_ref", "task_status") and words_in_cell:
                sub = _subheader(words_in_cell)
                if sub:
                    for c in range(cell.start, cell.start + cell.span):
                        columns.roles[c] = sub
                        columns.names[c] = words_in_cell
                    continue
            parts.setdefault(role or "unknown", []).append(cell)
        if not any(cell_text(cell) for cells in parts.values() for cell in cells):
            return  # only the 'Ref. / Task' headings of sub-task columns
        nested = [task for role in ("comment", "task") for cell in parts.get(role, []) for task in self._nested_tasks(cell, at)]

        def where(role: str) -> str:
            cells = parts.get(role) or []
            if not cells:
                return at
            name = columns.name(cells[0])
            return f"{at}, column {cells[0].start + 1}" + (f" ({name})" if name else "")

        def rich(role: str) -> Rich:
            out = Rich()
            for cell in parts.get(role, []):
                if cell.merge != "continue":
                    out.extend(self.reader.cell(cell.elements), join=False)
            return out

        def lines(role: str) -> list[str]:
            if role == "status":  # without a RED rationale written beside the status (read with the comment)
                return status_rich.lines()
            return [line for cell in parts.get(role, []) if cell.merge != "continue" for line in self.reader.cell(cell.elements).lines()]

        def comment_rich() -> Rich:
            """The comment, after any RED rationale marked in the status cell (boardpack prints it there)."""
            if not status_rationale.paras:
                return rich("comment")
            out = status_rationale.take([p.copy() for p in status_rationale.paras])
            out.extend(rich("comment"), join=False)
            return out

        status_all = rich("status")
        status_rationale, status_rich = _rationale_apart(status_all)

        for cell in parts.get("unknown", []):
            if cell_text(cell):
                self.keep(f"{at}, column {cell.start + 1}", cell_text(cell), "a cell in a column without a header")
        ref_cells = parts.get("ref", [])
        ref = " ".join(" ".join(lines("ref")).split()).rstrip(".") or None
        if ref in ("–", "—", "-"):  # boardpack prints an unnumbered item's No. as a dash
            ref = None
        ref_merged = any(cell.merge == "continue" for cell in ref_cells)
        continued = _CONTINUED.fullmatch(ref or "")
        if continued and self.current is not None:
            self._continued_row(continued.group(1), rich("text"), comment_rich(), lines("due"))
            return
        text = rich("text")
        status_cells = [c for c in parts.get("status", []) if c.merge != "continue"]
        status_lines = lines("status")
        status_fill = next((c.fill for c in status_cells if c.fill), None)
        if ref is None and not ref_merged and text.paras:
            ref = _typed_ref(text)
        first_lead = text.paras[0].lead() if text.paras else ""
        task_lead = _TASK_LEAD.match(first_lead) if first_lead else None
        current = self.current

        if task_lead and current is not None:
            task = Draft("task", at, ref=ref or task_lead.group(1) or task_lead.group(2))
            text.paras[0].drop_prefix(len(text.paras[0].text) - len(text.paras[0].text.lstrip()) + len(first_lead))
            task.text = text
            self._fields(task, status_lines, status_fill, lines("due"), [], comment_rich(), where, position=True)
            current.tasks.append(task)
            return
        is_subref = bool(ref and current is not None and current.ref and re.fullmatch(rf"{re.escape(current.ref)}[.\-]\w+", ref)
                         and not self._type_lead(text))
        if is_subref and current is not None:
            task = Draft("task", at, ref=ref, text=text)
            self._fields(task, status_lines, status_fill, lines("due"), [], comment_rich(), where, position=True)
            current.tasks.append(task)
            return
        words = phrases.status_cell(status_lines)
        new_item = bool(ref and not ref_merged) or current is None or (
            not ref_merged and bool(text) and (self._type_lead(text) is not None or (words.status is not None and bool(status_cells))))
        if new_item:
            item = Draft("item", at, ref=ref if not ref_merged else None)
            item.at["ref"] = where("ref")
            item.at["text"] = where("text")
            self._text(item, text)
            self._fields(item, status_lines, status_fill, lines("due"), lines("owner"), comment_rich(), where, position=False)
            self.reports[-1].items.append(item)
            self.current = item
        else:
            assert current is not None
            item = current
            item.text.extend(text)
            if status_lines:
                if words.status and phrases.status_cell(item.status_lines).status not in (None, words.status):
                    self.keep(where("status"), " ".join(status_lines), "a second status for the same item (continued row)")
                elif not item.status_lines:
                    item.status_lines, item.status_fill = status_lines, status_fill
                    item.at["status"] = where("status")
                else:
                    item.status_lines += [line for line in status_lines if phrases.status_cell([line]).status is None]
            item.due_lines += lines("due")
            item.owner += lines("owner")
            comment = comment_rich()
            if comment:
                self._comment(item, comment, continued=True)
        self._task_columns(item, rich("task"), " ".join(lines("task_ref")), lines("task_status") + lines("extra"),
                           next((c.fill for c in parts.get("task_status", []) + parts.get("extra", []) if c.fill), None), where, at)
        if nested:  # after the cell's own words, which are the item's comment
            item.tasks.extend(nested)
            item.comment_tasks = True

    def _continued_row(self, ref: str, text: Rich, comment: Rich, due: list[str]) -> None:
        """A later part of a long row ('5 (continued)', as boardpack cuts rows for the page): more of the same row."""
        assert self.current is not None
        target = self.current
        last_task = self.current.tasks[-1] if self.current.tasks else None
        if last_task is not None and (last_task.ref == ref or (ref in ("–", "—", "-") and last_task.ref is None)):
            target = last_task
        target.text.extend(text, join=_goes_on(text, GOES_ON_MARK), always=True)
        more, comment = _rationale_apart(comment)
        if more.paras:
            if target.rationale is None:
                target.rationale = more
            else:
                target.rationale.extend(more, join=_goes_on(more, RATIONALE_MARK + "_on"), always=True)
        if comment:
            target.comment.extend(comment, join=_goes_on(comment, GOES_ON_MARK), always=True)
        target.due_lines += [line for line in due if not _DERIVED_DUE.match(line)]

    def _nested_tasks(self, cell: Cell, at: str) -> list[Draft]:
        """Sub-tasks written as a table inside the comment cell (Ref. / Task / Status columns); taken out of the cell."""
        tasks: list[Draft] = []
        for tbl in [e for e in cell.elements if e.tag == w("tbl")]:
            rows = table_grid(tbl)
            if len(rows) < 2:
                continue
            roles = {}
            for head in rows[0].cells:
                words = _norm(cell_text(head))
                role = _subheader(words) or ("position" if re.search(r"position|update|progress", words) else None)
                if role:
                    roles[head.start] = role
            if "task" not in roles.values():
                continue
            cell.elements = [e for e in cell.elements if e is not tbl]
            for row in rows[1:]:
                parts = {roles.get(c.start): c for c in row.cells if roles.get(c.start)}
                text = self.reader.cell(parts["task"].elements) if "task" in parts else Rich()
                if not text and "task_ref" not in parts:
                    continue
                _, found = _split_tasks(text, open_tasks=True)
                ref, body, position = found[0] if found else (None, text, None)
                ref = (cell_text(parts["task_ref"]) if "task_ref" in parts else "") or ref
                task = Draft("task", f"{at}, a table inside the comment", ref=ref or None, text=body, comment=position or Rich())
                if "position" in parts:
                    task.comment.extend(self.reader.cell(parts["position"].elements), join=False)
                if "task_status" in parts:
                    task.status_lines = self.reader.cell(parts["task_status"].elements).lines()
                    task.status_fill = parts["task_status"].fill
                tasks.append(task)
        return tasks

    def _banner(self, row: Row, texts: list[str], at: str) -> bool:
        """A row across the whole table: a report's heading (with its byline and date) inside the table."""
        filled = [(cell, text) for cell, text in zip(row.cells, texts, strict=True) if text]
        width = max((cell.start + cell.span for cell in row.cells), default=0)
        if len(filled) != 1 or width < 3 or filled[0][0].span < max(3, width - 1):
            return False
        cell = filled[0][0]
        lines = [line for p in cell.elements if p.tag == w("p") for line in plain(p).split("\n") if line.strip()]
        lines = [" ".join(line.split()) for line in lines]
        dated = any(phrases.published_dates(line) or phrases.byline(line) for line in lines[1:])
        report = self.reports[-1] if self.reports else None
        if not dated and not (report is not None and not report.items and "title" in report.review and len(lines) == 1):
            self.keep(at, "\n".join(lines), "a row across the whole table, neither an item nor a report heading")
            return True
        if report is not None and not report.items and "title" in report.review:
            report.title = lines[0]
            report.review.pop("title", None)
        else:
            self.reports.append(ReportDraft(title=lines[0], where=at))
            self.current = None
        for line in lines[1:]:
            self._intro(None, line, "", at)
        return True

    def _type_lead(self, text: Rich) -> str | None:
        for para in text.paras[:2]:
            lead = para.lead()
            if lead and phrases.item_type(lead):
                return phrases.item_type(lead)
            found = phrases.leading_type(para.text)
            if found:
                return found[0]
            if para.text.strip() and not para.style.startswith("addressee") and not para.text.strip().lower().startswith("to "):
                break
        return None

    def _text(self, item: Draft, text: Rich) -> None:
        """The type lead-in and addressee ('Recommendation', 'To chief constables') out of the text."""
        paras = [p for p in text.paras if not p.empty]
        for _ in range(3):
            if not paras:
                break
            first = paras[0]
            lead = first.lead()
            plain_text = first.text.strip()
            if item.type is None and lead and phrases.item_type(lead):
                item.type = phrases.item_type(lead)
                first.drop_prefix(len(first.text) - len(first.text.lstrip()) + len(lead))
            elif item.type is None and (found := phrases.leading_type(plain_text)):
                item.type = found[0]
                first.drop_prefix(len(first.text) - len(first.text.lstrip()) + found[1])
            elif item.to is None and plain_text.lower().startswith("to ") and (
                    first.style.startswith("addressee") or lead == plain_text or (len(plain_text) < 90 and not plain_text.endswith("."))):
                item.to = " ".join(plain_text[3:].split()) or None
                first.spans = []
            elif item.for_body is None and plain_text.lower().startswith("for ") and first.style.startswith("addressee"):
                item.for_body = " ".join(plain_text[4:].split()) or None  # boardpack prints `for_body` as 'For the Home Office'
                first.spans = []
            elif item.to is None and plain_text.lower().startswith("to ") and "  " in plain_text[:150]:
                head, _, _ = plain_text.partition("  ")
                item.to = " ".join(head[3:].split())
                first.drop_prefix(len(first.text) - len(first.text.lstrip()) + len(head))
            else:
                break
            paras = [p for p in paras if not p.empty]
        item.text = text.take(paras)

    def _fields(self, draft: Draft, status: list[str], fill: str | None, due: list[str], owner: list[str], comment: Rich,
                where: Any, position: bool) -> None:
        draft.status_lines, draft.status_fill = status, fill
        draft.due_lines = [line for line in due if not _DERIVED_DUE.match(line)]
        draft.owner = owner
        for role in ("status", "due", "owner", "comment"):
            draft.at[role] = where(role)
        rationale, comment = _rationale_apart(comment)
        if rationale.paras:
            draft.rationale = rationale
            _drop_lead(draft.rationale, RATIONALE_LEAD)
        if position:
            _drop_lead(comment, POSITION_LEAD)  # printed by boardpack before a task's position
            if not self.ours and comment.paras and _POSITION_LEAD.match(comment.paras[0].lead() or ""):
                _drop_lead(comment, comment.paras[0].lead())
            draft.comment = comment
        else:
            self._comment(draft, comment, continued=False)

    def _comment(self, item: Draft, comment: Rich, continued: bool) -> None:
        """A comment cell: the item's comment, and tasks written inside the comment column."""
        if self.ours:  # boardpack prints tasks as rows of their own; an underlined 'Task' in a comment is the comment's
            item.comment.extend(comment, join=continued)
            return
        before, tasks = _split_tasks(comment, open_tasks=item.comment_tasks)
        if before:
            if item.comment_tasks and item.tasks:
                _add_to_task(item.tasks[-1], before)
            else:
                item.comment.extend(before, join=continued)
        for ref, text, position in tasks:
            task = Draft("task", item.at.get("comment", item.where), ref=ref, text=text, comment=position or Rich())
            if position is not None:
                task.at["position"] = "set"
            item.tasks.append(task)
            item.comment_tasks = True

    def _task_columns(self, item: Draft, text: Rich, ref: str, status: list[str], fill: str | None, where: Any, at: str) -> None:
        """Tasks in columns of their own (Ref. / Task / a status column beside the comment)."""
        made = None
        if text or ref:
            before, tasks = _split_tasks(text, open_tasks=True)
            if ref and not tasks:
                tasks, before = [(ref, text, None)], Rich()
            if before:
                if item.tasks and item.comment_tasks:
                    _add_to_task(item.tasks[-1], before)
                else:
                    item.comment.extend(before)
            for n, (task_ref, task_text, position) in enumerate(tasks):
                task = Draft("task", where("task"), ref=(ref if n == 0 and ref else task_ref), text=task_text, comment=position or Rich())
                if position is not None:
                    task.at["position"] = "set"
                item.tasks.append(task)
                made = task
            if tasks:
                item.comment_tasks = True
        if status:
            target = made or (item.tasks[-1] if item.tasks and item.comment_tasks else None)
            if target is not None and not target.status_lines:
                target.status_lines, target.status_fill = status, fill
                target.at["status"] = at
            else:
                self.keep(at, " ".join(status), "a status beside the comment that belongs to no task")

    # the paper

    def paper_info(self) -> None:
        info = self.info
        if self.period is not None:
            info["period"] = self.period
            self.info_review["period"] = "given with --period"
        subtitles: list[tuple[str, str]] = []
        for style, text, where in self.front:
            if "appendix" not in info and len(text) < 200 and self._appendix(text):
                continue
            found = phrases.find_date(text)
            if found and "period" not in info and found[1] == 0 and found[2] >= len(text.rstrip(". ")):
                info["period"] = found[0]
                continue
            if "classification" not in info and phrases.classification(text):
                info["classification"] = text
                continue
            if style in ("subtitle", "byline") or len(text) < 120:
                subtitles.append((text, where))
            else:
                self.keep(where, text, "text before the first report")
        if subtitles and "title" not in info and not any(s == "subtitle" for s, _, _ in self.front):
            title_report = self._title_report()  # a heading over the first report that is no report: the paper's title
            if title_report is not None:
                info["title"] = title_report
            else:
                info["title"], _ = subtitles.pop(0)
        names = [t for t, _ in subtitles]
        if names:
            organisation, committee = phrases.organisation_line(names.pop(0))
            info.setdefault("organisation", organisation)
            if committee:  # 'City of London Police – Police Authority Board': the committee is named on the organisation's line
                info.setdefault("committee", committee)
                self.info_review.setdefault("committee", "taken from the organisation's line")
        if names:
            info.setdefault("committee", names.pop(0))
        for text, where in [(t, wh) for t, wh in subtitles if t in names]:
            self.keep(where, text, "text before the first report")
        for header in self.package.headers:
            for piece in re.split(r"\s*[·|\n]\s*", header):
                piece = piece.strip()
                if not piece:
                    continue
                if self._appendix(piece):
                    continue
                found = phrases.find_date(piece)
                if found and found[1] == 0:
                    info.setdefault("period", found[0])
                elif phrases.classification(piece):
                    info.setdefault("classification", piece)
        if "title" not in info:
            title_report = self._title_report()
            if title_report is not None:
                info["title"] = title_report
        if "period" not in info and isinstance(info.get("title"), str) and (dated := phrases.title_period(info["title"])):
            info["period"], info["title"] = dated  # 'HMICFRS Report Recommendations – December 2022'
            self.info_review["period"] = "taken from the title"
        if "period" not in info:
            period = phrases.name_period(self.stem)  # '2022-12 tracker', 'Appendix A - December 2022'
            if period is not None:
                self.info_review["period"] = "taken from the file name"
                info["period"] = period
            elif (saved := self._saved_month()) is not None:  # never the clock: the month the file itself was last saved
                info["period"] = saved
                self.info_review["period"] = "the old paper gives no period; the month it was last saved is assumed"
                self.warn("", f"the old paper gives no period (a 'December 2022' in its title, a line or page header, or its "
                              f"file name); {saved}, when the file was last saved, is assumed: check it, or give --period")
            # else the build asks for --period
        for key, what in (("title", "title"), ("committee", "committee"), ("organisation", "organisation")):
            if key not in info:
                info[key] = PLACEHOLDER
                self.info_review[key] = f"the old paper does not give the {what}"
                self.warn("", f"the old paper does not give the {what}; '{PLACEHOLDER}' is written for you to replace")

    def _saved_month(self) -> When | None:
        """The month the Word file was last saved (or made), from its own properties; None when it records neither."""
        try:
            props = self.package.document.core_properties
            when = props.modified or props.created
        except (AttributeError, ValueError):
            return None
        return When(when.year, when.month) if isinstance(when, dt.datetime) else None

    def _appendix(self, text: str) -> bool:
        """'Appendix A', 'Appendix 1 – September 2021', 'Appendix-1_<title>': the appendix, and a period or title after it."""
        match = _APPENDIX.match(text.strip())
        if not match:
            return False
        self.info.setdefault("appendix", match.group(1))
        rest = match.group(2).strip(" .")
        found = phrases.find_date(rest) if rest else None
        if found is not None and found[1] == 0 and found[2] >= len(rest):
            self.info.setdefault("period", found[0])
        elif len(rest) > 10:
            self.info.setdefault("title", rest)
        return True

    def _title_report(self) -> str | None:
        """A first 'report' heading with no items, byline or date under it is the paper's title."""
        if len(self.reports) > 1:
            first = self.reports[0]
            if not first.items and not first.bylined and first.published is None and not first.sentences:
                self.reports.pop(0)
                if first.summary:
                    self.loose.append(Loose(None, 0, first.where, first.summary.markdown()))
                    self.warn(first.where, "text under the paper's title; kept as a comment in the file")
                return first.title
        return None

    def layout(self) -> str:
        if self.layout_votes["tracker"] > self.layout_votes["response"]:
            return "tracker"
        if self.layout_votes["response"]:
            return "response"
        return "tracker"


def _title_text(p: Any) -> str:
    """A heading's words, without a footnote marker typed as a superscript number ('super-complaint¹')."""
    out = []
    for r in p.iter(w("r")):
        text = "".join(t.text or "" for t in r.iter(w("t")))
        align = r.find(f"{w('rPr')}/{w('vertAlign')}")
        if align is not None and wval(align) == "superscript" and re.fullmatch(r"[\d*†‡§]+", text.strip()):
            continue
        out.append(text)
    return " ".join("".join(out).split()) or " ".join(plain(p).split())


def _subheader(text: str) -> str | None:
    t = _norm(text)
    if re.fullmatch(r"ref|no|task ref|task no", t):
        return "task_ref"
    if re.fullmatch(r"tasks?|actions?|sub-?tasks?", t):
        return "task"
    if re.fullmatch(r"(?:task )?(?:status|rag)", t):
        return "task_status"
    return None


def _typed_ref(text: Rich) -> str | None:
    """A number typed at the top of the text cell ('6' on its own line, or '7 Recommendation ...'), taken out."""
    paras = [p for p in text.paras if not p.empty]
    if not paras:
        return None
    first = paras[0]
    alone = re.fullmatch(r"\s*(\d{1,3}[a-z]?)\.?\s*", first.text)
    if alone and len(paras) > 1:
        text.paras = [p for p in text.paras if p is not first]
        return alone.group(1)
    inline = re.match(r"\s*(\d{1,3}[a-z]?)\.?\s+", first.text)
    if inline:
        rest = first.text[inline.end():]
        if phrases.leading_type(rest) or (first.spans and any(s.underline or s.bold for s in first.spans[1:2])):
            first.drop_prefix(inline.end())
            return inline.group(1)
    return None


def _drop_lead(rich: Rich, lead: str) -> None:
    """Remove a printed lead-in ('Current position:') from the start of a Rich."""
    for para in rich.paras:
        if not para.text.strip():
            continue
        stripped = para.text.lstrip()
        if stripped.lower().startswith(lead.lower()):
            para.drop_prefix(len(para.text) - len(stripped) + len(lead))
        break
    rich.paras = [p for p in rich.paras if not p.empty]


_PLAIN_TASK = re.compile(r"^\s*(Tasks?\s*(?:\[\s*[\w.]+\s*\]|\d+(?:\.\d+)*)?\s*:?)\s+(?=[A-Z\[(‘'\"“])")
_PLAIN_POSITION = re.compile(r"^\s*(Current\s+position\s*:?)(?:\s+|$)", re.IGNORECASE)
_TASK_REF = re.compile(r"^\s*(\d+(?:\.\d+)+|\[\d+\])\s*$")


def _task_lead(para: Para, plain_too: bool) -> str:
    """The 'Task' / 'Task [1]' lead-in a paragraph starts with: underlined or bold, or (in task columns) typed plainly."""
    lead = para.lead()
    if lead and _TASK_LEAD.match(lead):
        return lead
    if plain_too:
        match = _PLAIN_TASK.match(para.text)
        if match and _TASK_LEAD.match(match.group(1).strip()):
            return match.group(1)
    return ""


def _position_lead(para: Para, plain_too: bool) -> str:
    lead = para.lead()
    if lead and _POSITION_LEAD.match(lead):
        return lead
    if plain_too:
        match = _PLAIN_POSITION.match(para.text)
        if match:
            return match.group(1)
    return ""


def _split_tasks(rich: Rich, open_tasks: bool) -> tuple[Rich, list[tuple[str | None, Rich, Rich | None]]]:
    """Paragraphs before the first 'Task' lead-in, then each task's text and 'Current position'.

    Tasks start only at the top of the cell, or anywhere once tasks are open for the item:
    an underlined 'Task' in the middle of an ordinary comment stays comment. A paragraph
    that is only a task number ('1.2') just above a 'Task' lead-in is that task's ref.
    """
    paras = [p for p in rich.paras if not p.empty]
    if not paras:
        return Rich(), []
    starts = bool(_task_lead(paras[0], open_tasks)) or (
        len(paras) > 1 and bool(_TASK_REF.match(paras[0].text)) and bool(_task_lead(paras[1], True)))
    if not open_tasks and not starts:
        return rich.take(paras), []
    before: list[Para] = []
    tasks: list[tuple[str | None, list[Para], list[Para] | None]] = []
    pending_ref: str | None = None
    for n, para in enumerate(paras):
        following = paras[n + 1] if n + 1 < len(paras) else None
        if _TASK_REF.match(para.text) and following is not None and _task_lead(following, True):
            pending_ref = para.text.strip().strip("[]")
            continue
        lead = _task_lead(para, open_tasks or starts)
        match = _TASK_LEAD.match(lead.strip()) if lead else None
        if match:
            para = para.copy()
            para.drop_prefix(len(para.text) - len(para.text.lstrip()) + len(lead))
            tasks.append((pending_ref or match.group(1) or match.group(2), [para] if para.text.strip() else [], None))
            pending_ref = None
            continue
        lead = _position_lead(para, True) if tasks else ""
        if lead:
            para = para.copy()
            para.drop_prefix(len(para.text) - len(para.text.lstrip()) + len(lead))
            ref, text, _ = tasks[-1]
            tasks[-1] = (ref, text, [para] if para.text.strip() else [])
            continue
        if not tasks:
            before.append(para)
        elif tasks[-1][2] is not None:
            tasks[-1][2].append(para)
        else:
            tasks[-1][1].append(para)
    return rich.take(before), [(ref, rich.take(text), rich.take(pos) if pos is not None else None) for ref, text, pos in tasks]


def _add_to_task(task: Draft, rich: Rich) -> None:
    """Text that continues a task written in the comment column: its text, then from a 'Current position' on, its position."""
    paras = [p for p in rich.paras if not p.empty]
    at = next((n for n, p in enumerate(paras) if _position_lead(p, True)), None)
    opened = bool(task.comment) or task.at.get("position") == "set"
    head = paras if at is None else paras[:at]
    if head:
        (task.comment if opened else task.text).extend(rich.take(head))
    if at is not None:
        first = paras[at].copy()
        first.drop_prefix(len(first.text) - len(first.text.lstrip()) + len(_position_lead(paras[at], True)))
        task.comment.extend(rich.take(([first] if first.text.strip() else []) + paras[at + 1 :]), join=False)
        task.review.pop("position", None)
        task.at["position"] = "set"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- drafts to the paper file ----------------------------------------------------------------


def _when(value: When) -> str | dt.date:
    """A month as '2021-09'; a day as a date, which YAML writes bare (2021-08-05)."""
    if value.day:
        return dt.date(value.year, value.month, value.day)
    return f"{value.year:04d}-{value.month:02d}"


def _markdown(rich: Rich | None) -> str | None:
    if rich is None:
        return None
    text = rich.markdown().strip()
    return text or None


def _literal(text: str) -> LiteralScalarString:
    block: LiteralScalarString = LiteralScalarString("\n".join(line.rstrip() for line in text.splitlines()) + "\n")
    return block


class _Builder:
    """Drafts to the paper's YAML tree (format key order, block scalars, review comments)."""

    def __init__(self, job: _Import) -> None:
        self.job = job
        self.layout = job.layout()

    def warn(self, where: str, message: str) -> None:
        self.job.warn(where, message)

    def build(self) -> CommentedMap:
        job = self.job
        job.paper_info()
        info = job.info
        paper = CommentedMap()
        for key in ("title", "appendix", "period", "committee", "organisation"):
            if key in info:
                value = info[key]
                paper[key] = _when(value) if isinstance(value, When) else str(value)
                if key in job.info_review:
                    paper.yaml_add_eol_comment(f"review: {job.info_review[key]}", key)
        paper["layout"] = self.layout
        if "classification" in info:
            paper["classification"] = info["classification"]
        if "note" in info:
            paper["note"] = info["note"]
        root = CommentedMap()
        root["paper"] = paper
        legend = {s: d for s, d in job.legend.items() if DERIVED_LEGEND.get(s) != d}
        if legend:
            root["legend"] = CommentedMap((s, legend[s]) for s in STATUSES if s in legend)
        if not job.reports:
            raise DataError([Problem(job.label, 0, 0, "", "no table of recommendations was found: no table has a header "
                                     "naming its columns (Recommendation, Status, Due Date, Comment, ...)")])
        if "period" not in info:
            raise UsageError(f"{job.label}: the old paper gives no period (no month such as 'December 2022' in its title, "
                             "its first lines, its page header or its file name); give it with --period YYYY-MM")
        reports = CommentedSeq()
        for n, draft in enumerate(job.reports):
            report, before = self.report(draft)
            reports.append(report)
            for loose in [entry for entry in job.loose if entry.report is draft]:
                lines = [f"not placed ({loose.where}):"] + ["  " + line for line in _wrap(loose.text)]
                if loose.after < len(report["items"]):
                    before.setdefault(loose.after, []).extend(lines)
                else:
                    job.tail.setdefault(n, []).extend(lines)
            for index, lines in sorted(before.items()):
                report["items"].yaml_set_comment_before_after_key(index, before="\n".join(lines), indent=6)
        for title, published in job.without_items:
            empty = CommentedMap([("title", title)])
            if published:
                try:
                    empty["published"] = _when(parse_when(published))
                except ValueError:
                    empty.yaml_add_eol_comment(f"review: published {published}", "title")
            empty["items"] = CommentedSeq()
            reports.append(empty)
        root["reports"] = reports
        notes = _markdown(job.notes)
        if notes:
            root["notes"] = _literal(notes)
        front = [entry for entry in job.loose if entry.report is None]
        if front:
            lines = []
            for loose in front:
                lines += [f"not placed ({loose.where}):"] + ["  " + line for line in _wrap(loose.text)]
            root.yaml_set_comment_before_after_key("reports", before="\n".join(lines), indent=0)
        return root

    def report(self, draft: ReportDraft) -> tuple[CommentedMap, dict[int, list[str]]]:
        out = CommentedMap()
        out["title"] = draft.title
        if draft.scope:
            out["scope"] = draft.scope
        if draft.by:
            out["by"] = draft.by
        if draft.published is not None:
            out["published"] = _when(draft.published)
        if draft.to:
            out["to"] = draft.to
        summary = _markdown(draft.summary)
        if summary:
            out["summary"] = _literal(summary)
        items = CommentedSeq()
        before: dict[int, list[str]] = {}
        refs: set[str] = set()
        for n, item in enumerate(draft.items):
            mapping, first = self.item(item, refs)
            items.append(mapping)
            if first:
                before.setdefault(n, []).extend(f"review: {message}" for message in first)
        statuses = [i.get("status") for i in items if not i.get("for_body")]
        bodies = len(items) - len(statuses)
        checked = []
        for sentence, where in draft.sentences:
            totals = phrases.report_totals(sentence, len(items))
            if totals is not None and "totals" in out:
                continue  # the report's totals were given once already (a second sentence says them again)
            if totals is None:
                checked.append((sentence, where))
                continue
            made, for_force, completed = totals
            out["totals"] = CommentedMap((key, value) for key, value in (("made", made), ("for_force", for_force), ("completed_before", completed))
                                         if value is not None and (key != "completed_before" or value))
            if sentence.before is None and sentence.table is None:  # a hand-made sentence: the counts were the whole report's
                draft.review["totals"] = f"from the old summary sentence: '{_short(sentence.text, 90)}'"
            else:
                checked.append((sentence, where))
        for key, message in draft.review.items():
            if key in out:
                _attach(out, key, [message], 4, ("title", "scope", "by", "published", "summary", "totals"))
        out["items"] = items
        for sentence, where in checked:
            differences = phrases.sentence_disagrees(sentence, statuses, bodies)
            if differences:
                self.warn(where, f"the old summary sentence disagrees with its table ({'; '.join(differences)}): "
                                 f"'{_short(sentence.text, 100)}'; it is not imported, the paper derives it from the table")
        return out, before

    def item(self, draft: Draft, refs: set[str]) -> tuple[CommentedMap, list[str]]:
        out = CommentedMap()
        review: dict[str, list[str]] = {}
        for key, message in draft.review.items():
            review.setdefault(key, []).append(message)
        ref = draft.ref
        if ref is not None:
            ref = " ".join(ref.split())
            if ref in refs:
                n = 2
                while f"{ref}-{n}" in refs:
                    n += 1
                self.warn(draft.at.get("ref", draft.where), f"ref '{ref}' is used twice in this report; the second is written '{ref}-{n}'")
                review.setdefault("ref", []).append(f"the old paper numbers two items '{ref}'")
                ref = f"{ref}-{n}"
            refs.add(ref)
            out["ref"] = DoubleQuotedScalarString(ref)
        if draft.type:
            out["type"] = draft.type
        if draft.to:
            out["to"] = draft.to
        text = _markdown(draft.text)
        if not text:
            text = "Not given in the old paper."
            review.setdefault("text", []).append("the old paper gives no text for this item")
            self.warn(draft.at.get("text", draft.where), "an item without text; a placeholder is written")
        out["text"] = _literal(text)
        comment = draft.comment
        self.status(draft, out, review, required=self.layout == "tracker")
        self.rationale(draft, out, review, comment)
        self.due(draft, out, review)
        owner = " ".join(" ".join(draft.owner).split())
        if owner:
            out["owner"] = owner
        self.lead(draft, out, review, comment)
        if draft.for_body:
            out["for_body"] = draft.for_body
        body = _markdown(comment)
        if body:
            out["comment"] = _literal(body)
        if draft.tasks:
            tasks = CommentedSeq()
            seen: set[str] = set()
            for n, task in enumerate(draft.tasks, start=1):
                mapping, first = self.task(task, draft, n, seen)
                tasks.append(mapping)
                if first:
                    tasks.yaml_set_comment_before_after_key(n - 1, before="\n".join(f"review: {m}" for m in first), indent=10)
            out["tasks"] = tasks
        self._images(draft)
        return out, self.comments(out, review, 8)

    def task(self, draft: Draft, item: Draft, n: int, seen: set[str]) -> tuple[CommentedMap, list[str]]:
        out = CommentedMap()
        review: dict[str, list[str]] = {}
        for key, message in draft.review.items():
            review.setdefault(key, []).append(message)
        ref = " ".join((draft.ref or "").split())
        if not ref:
            ref = f"{item.ref}.{n}" if item.ref else str(n)
            review.setdefault("ref", []).append("numbered in order; the old paper does not number this task")
        if ref in seen:
            review.setdefault("ref", []).append(f"the old paper numbers two tasks '{ref}'")
            ref = f"{ref}-{n}"
        seen.add(ref)
        out["ref"] = DoubleQuotedScalarString(ref)
        text = _markdown(draft.text)
        if not text:
            text = "Not given in the old paper."
            review.setdefault("text", []).append("the old paper gives no text for this task")
            self.warn(draft.where, "a task without text; a placeholder is written")
        out["text"] = _literal(text)
        position = draft.comment
        status_map = CommentedMap()
        self.status(draft, status_map, review, required=False)
        self.rationale(draft, status_map, review, position, into="position")
        body = _markdown(position)
        if body:
            out["position"] = _literal(body)
        for key, value in status_map.items():
            out[key] = value
        self.due(draft, out, review)
        self._images(draft)
        return out, self.comments(out, review, 12)

    def status(self, draft: Draft, out: CommentedMap, review: dict[str, list[str]], required: bool) -> None:
        where = draft.at.get("status", draft.where)
        cell = phrases.status_cell(draft.status_lines, LEAD_PREFIX.strip())
        status, fill = cell.status, draft.status_fill
        if cell.others:
            self.warn(where, f"the cell names more than one status ({', '.join([status or '', *cell.others])}); {status} is used")
            review.setdefault("status", []).append(f"the old paper also says {', '.join(cell.others)}")
        if status is not None and phrases.fill_disagrees(status, fill):
            self.warn(where, f"the cell says {status} but is shaded {phrases.fill_family(fill)} ({fill}); the word is used")
            review.setdefault("status", []).append(f"the cell was shaded {phrases.fill_family(fill)} ({fill})")
        if status is None and phrases.status_from_fill(fill):
            status = phrases.status_from_fill(fill)
            self.warn(where, f"a cell shaded {phrases.fill_family(fill)} ({fill}) without a status word; {status} is taken from the colour")
            review.setdefault("status", []).append("taken from the cell's colour; the old paper has no word")
        if status is None and required and cell.note:
            status = "AMBER"  # 'Complete', 'Ongoing': words, but none of the vocabulary's
            self.warn(where, f"'{_short(cell.note, 40)}' is not a status word ({', '.join(STATUSES)}); AMBER is written so the "
                             f"paper builds, and '{_short(cell.note, 40)}' is kept as its status note: set the status it means"
                             + (" (GREEN, if it is complete)" if re.search(r"\b(?:complete|completed|done|implemented)\b", cell.note, re.I) else ""))
            review.setdefault("status", []).append(f"the old paper says '{_short(cell.note, 40)}', which is not a status word")
        elif status is None and required:
            status = "AMBER"
            self.warn(where, "no status (no word, no colour); AMBER is written so the paper builds")
            review.setdefault("status", []).append("the old paper gives no status")
        if status is not None:
            out["status"] = status
        if cell.note:
            out["status_note"] = cell.note
        if cell.lead:
            draft.at["printed_lead"] = cell.lead

    def rationale(self, draft: Draft, out: CommentedMap, review: dict[str, list[str]], comment: Rich, into: str = "comment") -> None:
        if draft.rationale is not None and _markdown(draft.rationale):
            first = next((p for p in draft.rationale.paras if p.text.strip()), None)
            if first is not None and (label := _RATIONALE_LABEL.match(first.text)):
                first.drop_prefix(label.end())
            out["rationale"] = _literal(_markdown(draft.rationale) or "")
            return
        if out.get("status") != "RED":
            return
        where = draft.at.get("comment", draft.where)
        paras = [p for p in comment.paras if p.text.strip()]  # a rule or a lone footnote is no rationale
        start = next((n for n, p in enumerate(paras) if _RATIONALE_LEAD.match(p.lead() or "")), None)
        if start is not None:
            chosen = [paras[start]]
            for para in paras[start + 1 :]:
                if para.lead():
                    break
                chosen.append(para)
            first = chosen[0].copy()
            first.drop_prefix(len(first.text) - len(first.text.lstrip()) + len(chosen[0].lead()))
            rationale = comment.take(([first] if first.text.strip() else []) + chosen[1:])
            comment.paras = [p for p in comment.paras if all(p is not c for c in chosen)]
            out["rationale"] = _literal(_markdown(rationale) or "Not given in the old paper.")
            return
        sources = [(comment, p) for p in paras] + [(task.comment, p) for task in draft.tasks for p in task.comment.paras if p.text.strip()]
        found = next(((origin, p) for words in _WHY_WORDS for origin, p in sources if words.search(p.text)), (comment, paras[0]) if paras else None)
        pick = found[1] if found else None
        if found is not None and pick is not None:
            origin = found[0]
            origin.paras = [p for p in origin.paras if p is not pick]
            if label := _RATIONALE_LABEL.match(pick.text):  # 'Rationale: ...' typed plainly: the paper prints its own label
                pick = pick.copy()
                pick.drop_prefix(label.end())
            if origin is not comment:
                into = "position of a task"
            out["rationale"] = _literal(_markdown(origin.take([pick])) or "")
            review.setdefault("rationale", []).append(f"moved from the {into}; RED needs a rationale")
            self.warn(where, f"RED without a rationale; taken from the {into}: '{_short(pick.text, 60)}'")
        else:
            out["rationale"] = _literal("Not given in the old paper.")
            review.setdefault("rationale", []).append("the old paper gives no rationale; RED needs one")
            self.warn(where, "RED without a rationale, and nothing to take it from; a placeholder is written")

    def due(self, draft: Draft, out: CommentedMap, review: dict[str, list[str]]) -> None:
        where = draft.at.get("due", draft.where)
        due = phrases.due_history(draft.due_lines)
        if due.backwards:
            self.warn(where, f"a due date goes backwards ({'; '.join(due.backwards)}); kept in the note of the date above")
            review.setdefault("due", []).append("dates that went backwards are kept in a note")
        if due.unset and not due.unset.startswith("No date set by "):  # the paper's own words ('No date set by ...') are derived again
            steps = CommentedSeq([CommentedMap([("words", due.unset)])])  # 'No deadline set by HMICFRS': kept as written
            steps[0].fa.set_flow_style()
            out["due"] = steps
            return
        if not due.steps:
            return
        first = due.steps[0]
        if len(due.steps) == 1 and first[0] is not None and not first[1]:
            out["due"] = _when(first[0])
            return
        steps = CommentedSeq()
        for when, note in due.steps:
            if when is None:
                step = CommentedMap([("words", note)])  # words without a date, printed as written
            elif note:
                step = CommentedMap([("date", _when(when)), ("note", note)])
            else:
                steps.append(_when(when))
                continue
            step.fa.set_flow_style()
            steps.append(step)
        out["due"] = steps

    def lead(self, draft: Draft, out: CommentedMap, review: dict[str, list[str]], comment: Rich) -> None:
        printed = draft.at.get("printed_lead")
        if printed:
            out["lead"] = printed
            return
        if out.get("status") != "WHITE":
            return
        where = draft.at.get("comment", draft.where)
        found = phrases.lead_from(comment.text) or phrases.lead_from(str(out.get("status_note") or ""))
        if found:
            out["lead"] = found
            review.setdefault("lead", []).append("taken from the comment; WHITE needs a lead")
            self.warn(where, f"WHITE without a lead; '{_short(found, 60)}' taken from the comment")
        elif named := phrases.bodies_named(f"{comment.text} {out.get('status_note') or ''}"):
            out["lead"] = named
            review.setdefault("lead", []).append("the bodies the comment names; WHITE needs a lead")
            self.warn(where, f"WHITE without a lead; '{_short(named, 60)}' (named in the comment) is written")
        else:
            out["lead"] = "Not stated"
            review.setdefault("lead", []).append("the old paper does not say who delivers it; WHITE needs a lead")
            self.warn(where, "WHITE without a lead, and the comment names nobody; 'Not stated' is written")

    def _images(self, draft: Draft) -> None:
        for rich in (draft.text, draft.comment, draft.rationale):
            if rich is not None and rich.images:
                self.warn(draft.where, f"{rich.images} picture(s) or embedded object(s) in the cell are not imported")
                rich.images = 0
            if rich is not None and rich.tables:
                self.warn(draft.where, "a table inside a cell was read as paragraphs")
                rich.tables = 0

    def comments(self, out: CommentedMap, review: dict[str, list[str]], indent: int) -> list[str]:
        """Attach review comments to their keys; return those that must go above the item."""
        first: list[str] = []
        for key, messages in review.items():
            first += _attach(out, key, messages, indent, FIELDS)
        return first


def _attach(mapping: CommentedMap, key: str, messages: list[str], indent: int, order: tuple[str, ...]) -> list[str]:
    """A review comment on `key` (or, if it is not written, the key before where it would be).

    Plain values get it at the end of their line, block values above their key; above the
    first key of a list entry a comment cannot go, so those are returned for the list.
    """
    if not mapping:
        return messages
    if key not in mapping:
        earlier = [k for k in order[: order.index(key)] if k in mapping] if key in order else []
        key = earlier[-1] if earlier else next(iter(mapping))
    text = "; ".join(messages)
    value = mapping[key]
    if not isinstance(value, (LiteralScalarString, CommentedSeq, CommentedMap)):
        existing = mapping.ca.items.get(key)
        if existing and existing[2] is not None:
            text = existing[2].value.strip().lstrip("#").strip().removeprefix("review: ") + "; " + text
        mapping.yaml_add_eol_comment(f"review: {text}", key)
        return []
    if list(mapping).index(key) == 0:
        return [text]
    mapping.yaml_set_comment_before_after_key(key, before=f"review: {text}", indent=indent)
    return []


def _wrap(text: str, width: int = 100) -> list[str]:
    out: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            out.append(line)
    return out


# --- entry points -----------------------------------------------------------------------------


def default_output(path: Path, data_dir: Path = Path("data")) -> Path:
    """`data/<docx stem>.yaml`."""
    return data_dir / f"{path.stem}.yaml"


def import_docx(path: Path, label: str | None = None, period: When | None = None) -> Imported:
    """Read an old Word paper into a checked paper (not written); WordFileError if it cannot be read.

    `period` (--period) is the month the paper reports on, for an old paper that names none.
    """
    from ..roundtrip import new_text

    label = label or str(path)
    package = open_package(path, label)
    job = _Import(package, label, path.stem, period)
    job.run()
    builder = _Builder(job)
    root = builder.build()
    text = new_text(root, header=[f"Imported from {path.name} by `generate.py import`.",
                                  "Check the lines marked 'review:' and any 'not placed' comments, then run `generate.py check`."])
    text = _add_tails(text, job.tail)
    for link in job.reader.unsafe_links:
        job.warn("", f"a link to '{_short(link, 60)}' is not a web or mail address; its words are kept, the link is not")
    try:
        paper = Paper.model_validate(_plain(root))
    except ValidationError as exc:  # the builder's own mistake: every field it writes is checked here
        raise DataError([Problem(label, 0, 0, ".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()]) from None
    findings = [f for f in job.findings if not f.where] + [f for f in job.findings if f.where]
    return Imported(label, paper, text, findings, skipped=job.skipped)


def _add_tails(text: str, tails: dict[int, list[str]]) -> str:
    """Comments after a report's last item: inserted before the next report, or at the end."""
    if not tails:
        return text
    lines = text.split("\n")
    report_starts = [n for n, line in enumerate(lines) if line.startswith("  - title:") or line.startswith("- title:")]
    inserts: list[tuple[int, list[str]]] = []
    for report, comment in tails.items():
        at = report_starts[report + 1] if report + 1 < len(report_starts) else len(lines)
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        inserts.append((at, ["    # " + line for line in comment]))
    for at, block in sorted(inserts, reverse=True):
        lines[at:at] = block
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def write_import(path: Path, out: Path | None = None, *, data_dir: Path = Path("data"), label: str | None = None,
                 period: When | None = None) -> Imported:
    """Import `path` and write the paper file (atomically, never over an existing file), checked first."""
    from ..paperfile import PaperFile

    target = out if out is not None else default_output(path, data_dir)
    if target.suffix not in PAPER_SUFFIXES:
        raise UsageError(f"-o {target}: a paper file's name ends in .yaml or .yml")
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target} already exists; it was left as it was (remove it, or choose another name with -o)")
    imported = import_docx(path, label, period)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError([Problem(str(target), 0, 0, "", f"cannot make the folder {exc.filename or target.parent}: "
                                 f"{exc.strerror or exc}; no paper file was written")]) from None
    PaperFile.create(target, imported.text, str(target))
    imported.path = target
    return imported
