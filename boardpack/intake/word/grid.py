"""A Word table as a grid of cells (merged cells followed), and its columns found by their header words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...formats.wordml.vocabulary import plain, w, wval


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
        columns = Columns({}, {}, row.number, {norm(t) for t in texts if t}, "items")
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


def norm(text: str) -> str:
    return " ".join(text.lower().split()).strip(" :.")


def subheader(text: str) -> str | None:
    t = norm(text)
    if re.fullmatch(r"ref|no|task ref|task no", t):
        return "task_ref"
    if re.fullmatch(r"tasks?|actions?|sub-?tasks?", t):
        return "task"
    if re.fullmatch(r"(?:task )?(?:status|rag)", t):
        return "task_status"
    return None
