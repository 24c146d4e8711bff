"""A table's rows into drafts: items, tasks, continued rows, banners across the table."""

from __future__ import annotations

import re
from typing import Any

from ...formats.wordml.read import Reader
from ...formats.wordml.rich import Rich
from ...formats.wordml.vocabulary import GOES_ON_MARK, POSITION_LEAD, RATIONALE_LEAD, RATIONALE_MARK, plain, w
from .. import phrases
from .cells import add_to_task, drop_lead, goes_on, rationale_apart, split_tasks, typed_ref
from .drafts import Draft, ReportDraft
from .grid import Cell, Columns, Row, cell_text, norm, subheader, table_grid
from .marks import CONTINUED, DERIVED_DUE, POSITION_LEAD_RE, TASK_LEAD_RE
from .reports import Reports


class Rows(Reports):
    """Rows of a recommendations table, read into the current report's drafts."""

    def _row(self, row: Row, columns: Columns, table: str) -> None:
        at = f"{table}, row {row.number}"
        texts = [cell_text(cell) for cell in row.cells]
        if not any(texts):
            return
        if row.header or all(not t or norm(t) in columns.header_texts for t in texts):
            return  # a header row repeated after a page break
        if self._banner(row, texts, at):
            return
        parts = _parts(row, columns, texts)
        if not any(cell_text(cell) for cells in parts.values() for cell in cells):
            return  # only the 'Ref. / Task' headings of sub-task columns
        nested = [task for role in ("comment", "task") for cell in parts.get(role, []) for task in self._nested_tasks(cell, at)]
        cells = RowCells(at, parts, columns, self.reader)
        for cell in parts.get("unknown", []):
            if cell_text(cell):
                self.keep(f"{at}, column {cell.start + 1}", cell_text(cell), "a cell in a column without a header")
        ref = " ".join(" ".join(cells.lines("ref")).split()).rstrip(".") or None
        if ref in ("–", "—", "-"):  # boardpack prints an unnumbered item's No. as a dash
            ref = None
        ref_merged = any(cell.merge == "continue" for cell in parts.get("ref", []))
        continued = CONTINUED.fullmatch(ref or "")
        if continued and self.current is not None:
            self._continued_row(continued.group(1), cells.rich("text"), cells.comment(), cells.lines("due"))
            return
        text = cells.rich("text")
        if ref is None and not ref_merged and text.paras:
            ref = typed_ref(text)
        if self._row_task(cells, ref, text):
            return
        item = self._row_item(cells, ref, ref_merged, text)
        self._task_columns(item, cells.rich("task"), " ".join(cells.lines("task_ref")), cells.lines("task_status") + cells.lines("extra"),
                           next((c.fill for c in parts.get("task_status", []) + parts.get("extra", []) if c.fill), None), cells.where, at)
        if nested:  # after the cell's own words, which are the item's comment
            item.tasks.extend(nested)
            item.comment_tasks = True

    def _row_task(self, cells: RowCells, ref: str | None, text: Rich) -> bool:
        """A row that is a task of the current item: a 'Task' lead-in, or a sub-number of the item's ('5.1' under 5)."""
        current = self.current
        if current is None:
            return False
        first_lead = text.paras[0].lead() if text.paras else ""
        task_lead = TASK_LEAD_RE.match(first_lead) if first_lead else None
        if task_lead:
            task = Draft("task", cells.at, ref=ref or task_lead.group(1) or task_lead.group(2))
            text.paras[0].drop_prefix(len(text.paras[0].text) - len(text.paras[0].text.lstrip()) + len(first_lead))
            task.text = text
        elif ref and current.ref and re.fullmatch(rf"{re.escape(current.ref)}[.\-]\w+", ref) and not self._type_lead(text):
            task = Draft("task", cells.at, ref=ref, text=text)
        else:
            return False
        self._fields(task, cells.lines("status"), cells.status_fill, cells.lines("due"), [], cells.comment(), cells.where, position=True)
        current.tasks.append(task)
        return True

    def _row_item(self, cells: RowCells, ref: str | None, ref_merged: bool, text: Rich) -> Draft:
        """The row as a new item, or as more of the current one (a row cut by a page break)."""
        current = self.current
        status_lines = cells.lines("status")
        words = phrases.status_cell(status_lines)
        new_item = bool(ref and not ref_merged) or current is None or (
            not ref_merged and bool(text) and (self._type_lead(text) is not None or (words.status is not None and bool(cells.status_cells))))
        if new_item:
            item = Draft("item", cells.at, ref=ref if not ref_merged else None)
            item.at["ref"] = cells.where("ref")
            item.at["text"] = cells.where("text")
            self._text(item, text)
            self._fields(item, status_lines, cells.status_fill, cells.lines("due"), cells.lines("owner"), cells.comment(), cells.where, position=False)
            self.reports[-1].items.append(item)
            self.current = item
            return item
        assert current is not None
        current.text.extend(text)
        if status_lines:
            if words.status and phrases.status_cell(current.status_lines).status not in (None, words.status):
                self.keep(cells.where("status"), " ".join(status_lines), "a second status for the same item (continued row)")
            elif not current.status_lines:
                current.status_lines, current.status_fill = status_lines, cells.status_fill
                current.at["status"] = cells.where("status")
            else:
                current.status_lines += [line for line in status_lines if phrases.status_cell([line]).status is None]
        current.due_lines += cells.lines("due")
        current.owner += cells.lines("owner")
        comment = cells.comment()
        if comment:
            self._comment(current, comment, continued=True)
        return current

    def _continued_row(self, ref: str, text: Rich, comment: Rich, due: list[str]) -> None:
        """A later part of a long row ('5 (continued)', as boardpack cuts rows for the page): more of the same row."""
        assert self.current is not None
        target = self.current
        last_task = self.current.tasks[-1] if self.current.tasks else None
        if last_task is not None and (last_task.ref == ref or (ref in ("–", "—", "-") and last_task.ref is None)):
            target = last_task
        target.text.extend(text, join=goes_on(text, GOES_ON_MARK), always=True)
        more, comment = rationale_apart(comment)
        if more.paras:
            if target.rationale is None:
                target.rationale = more
            else:
                target.rationale.extend(more, join=goes_on(more, RATIONALE_MARK + "_on"), always=True)
        if comment:
            target.comment.extend(comment, join=goes_on(comment, GOES_ON_MARK), always=True)
        target.due_lines += [line for line in due if not DERIVED_DUE.match(line)]

    def _nested_tasks(self, cell: Cell, at: str) -> list[Draft]:
        """Sub-tasks written as a table inside the comment cell (Ref. / Task / Status columns); taken out of the cell."""
        tasks: list[Draft] = []
        for tbl in [e for e in cell.elements if e.tag == w("tbl")]:
            rows = table_grid(tbl)
            if len(rows) < 2:
                continue
            roles = {}
            for head in rows[0].cells:
                words = norm(cell_text(head))
                role = subheader(words) or ("position" if re.search(r"position|update|progress", words) else None)
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
                _, found = split_tasks(text, open_tasks=True)
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
        draft.due_lines = [line for line in due if not DERIVED_DUE.match(line)]
        draft.owner = owner
        for role in ("status", "due", "owner", "comment"):
            draft.at[role] = where(role)
        rationale, comment = rationale_apart(comment)
        if rationale.paras:
            draft.rationale = rationale
            drop_lead(draft.rationale, RATIONALE_LEAD)
        if position:
            drop_lead(comment, POSITION_LEAD)  # printed by boardpack before a task's position
            if not self.ours and comment.paras and POSITION_LEAD_RE.match(comment.paras[0].lead() or ""):
                drop_lead(comment, comment.paras[0].lead())
            draft.comment = comment
        else:
            self._comment(draft, comment, continued=False)

    def _comment(self, item: Draft, comment: Rich, continued: bool) -> None:
        """A comment cell: the item's comment, and tasks written inside the comment column."""
        if self.ours:  # boardpack prints tasks as rows of their own; an underlined 'Task' in a comment is the comment's
            item.comment.extend(comment, join=continued)
            return
        before, tasks = split_tasks(comment, open_tasks=item.comment_tasks)
        if before:
            if item.comment_tasks and item.tasks:
                add_to_task(item.tasks[-1], before)
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
            before, tasks = split_tasks(text, open_tasks=True)
            if ref and not tasks:
                tasks, before = [(ref, text, None)], Rich()
            if before:
                if item.tasks and item.comment_tasks:
                    add_to_task(item.tasks[-1], before)
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


def _parts(row: Row, columns: Columns, texts: list[str]) -> dict[str, list[Cell]]:
    """The row's cells by column role; a sub-header ('Ref.', 'Task', 'Status') inside a column gives that column its role from here on."""
    parts: dict[str, list[Cell]] = {}
    for cell, words_in_cell in zip(row.cells, texts, strict=True):
        role = columns.role(cell)
        if role in ("comment", "extra", "task", "task_ref", "task_status") and words_in_cell:
            sub = subheader(words_in_cell)
            if sub:
                for c in range(cell.start, cell.start + cell.span):
                    columns.roles[c] = sub
                    columns.names[c] = words_in_cell
                continue
        parts.setdefault(role or "unknown", []).append(cell)
    return parts


class RowCells:
    """One row's cells by role, read as the importer needs them: rich text, lines, and where each was found."""

    def __init__(self, at: str, parts: dict[str, list[Cell]], columns: Columns, reader: Reader) -> None:
        self.at = at
        self.parts = parts
        self.columns = columns
        self.reader = reader
        self.status_rationale, self.status_rich = rationale_apart(self.rich("status"))
        self.status_cells = [c for c in parts.get("status", []) if c.merge != "continue"]
        self.status_fill = next((c.fill for c in self.status_cells if c.fill), None)

    def where(self, role: str) -> str:
        cells = self.parts.get(role) or []
        if not cells:
            return self.at
        name = self.columns.name(cells[0])
        return f"{self.at}, column {cells[0].start + 1}" + (f" ({name})" if name else "")

    def rich(self, role: str) -> Rich:
        out = Rich()
        for cell in self.parts.get(role, []):
            if cell.merge != "continue":
                out.extend(self.reader.cell(cell.elements), join=False)
        return out

    def lines(self, role: str) -> list[str]:
        if role == "status":  # without a RED rationale written beside the status (read with the comment)
            return self.status_rich.lines()
        return [line for cell in self.parts.get(role, []) if cell.merge != "continue" for line in self.reader.cell(cell.elements).lines()]

    def comment(self) -> Rich:
        """The comment, after any RED rationale marked in the status cell (boardpack prints it there)."""
        if not self.status_rationale.paras:
            return self.rich("comment")
        out = self.status_rationale.take([p.copy() for p in self.status_rationale.paras])
        out.extend(self.rich("comment"), join=False)
        return out
