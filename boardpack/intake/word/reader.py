"""The walk over a Word document's paragraphs and tables, in order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...formats.wordml.rich import Para, Rich
from ...formats.wordml.vocabulary import plain, ruled, w, wval
from .. import phrases
from .drafts import ReportDraft
from .front import Front
from .grid import Columns, Row, cell_text, find_columns, table_grid
from .marks import APPENDIX, DERIVED_SECTION, NO_ITEMS, NOTES_HEADING, PLACEHOLDER
from .rows import Rows


class Import(Rows, Front):
    """One import: paragraphs and tables in document order."""

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
        if level is None and (empty := NO_ITEMS.match(text)):  # under the summary's counts table, or before the reports
            self.without_items.append((empty.group("title"), empty.group("published")))
            return
        if self.skip_level is not None:
            if level is not None and level <= self.skip_level and not DERIVED_SECTION.match(text):
                self.skip_level = None
            else:
                return
        if level is not None and level <= 2 and DERIVED_SECTION.match(text):
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
        if level is not None and level <= 2 and NOTES_HEADING.match(text) and self.reports:
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
        return bold and not phrases.classification(text) and not APPENDIX.match(text) and phrases.find_date(text) is None

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
                match = APPENDIX.match(line.strip())
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
