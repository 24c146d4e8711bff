"""Owners' return workbooks: each owner's open items, out as an Excel file to fill in.

One workbook per owner (items grouped by `owner`, WHITE items by `lead`, the rest under
"Unassigned"). What the paper says is locked; the owner fills four columns whose headers are
fixed: New status (a drop-down), New due date, Update, Rationale. Each row carries a hidden key
and a hidden sheet records the paper, the period and each item's identity and state, so a
return is matched to its items (not to row positions) and refused if the paper has moved on.
`boardpack.intake.returns` reads them back with the same layout.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..derive import Palette, due_lines
from ..history import excerpt
from ..model import DONE, STATUSES, Item, Paper, Report, Task
from .xlsx import row_height, save, text_cell

SHEET = "Items"
KEYS_SHEET = "boardpack"
LOCKED = ("Key", "Report", "No.", "Recommendation", "Current status", "Current due date", "Latest comment")
OPEN = ("New status", "New due date", "Update", "Rationale")
HEADERS = LOCKED + OPEN
WIDTHS = (4, 22, 6, 40, 12, 18, 42, 12, 13, 40, 28)
HEADER_ROW = 8
"""Rows above the header hold the title and the instructions."""
UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class Entry:
    """One row of a return: an item, or one of its tasks, with what identifies it."""

    key: str
    report: Report
    item: Item
    task: Task | None

    @property
    def ref(self) -> str:
        return (self.task.ref if self.task else self.item.ref) or ""

    @property
    def identity(self) -> tuple[str, str, str]:
        return identity(self.report, self.item, self.task)

    @property
    def state(self) -> str:
        return state(self.task or self.item)


def identity(report: Report, item: Item, task: Task | None) -> tuple[str, str, str]:
    """Stable names of a row's report, item and task, as the quarterly cycle pairs them."""
    report_key = f"id:{report.id}" if report.id else f"title:{report.title}"
    if item.id:
        item_key = f"id:{item.id}"
    elif item.ref:
        item_key = f"ref:{item.ref}"
    else:
        item_key = "text:" + hashlib.sha256(" ".join(item.text.split()).encode()).hexdigest()[:16]
    return report_key, item_key, task.ref if task else ""


def state(entry: Item | Task) -> str:
    """A fingerprint of what an owner's return changes, to refuse a return made on an older paper."""
    comment = entry.comment if isinstance(entry, Item) else entry.position
    due = "|".join(f"{s.date}:{s.note or ''}" if s.date is not None else f"words:{s.words}" for s in entry.due)
    parts = [entry.status or "", due, comment or "", entry.rationale or ""]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


TEXT_LIMIT = 400
"""Characters of the recommendation and of the latest comment shown: enough to recognise the
item and where it stood, short enough that a row prints on a page."""


def latest(comment: str | None) -> str:
    """The end of a comment (its last paragraphs), where the latest position is written."""
    if not comment:
        return ""
    paragraphs = [p for p in comment.strip().split("\n\n") if p.strip()]
    shown: list[str] = []
    for paragraph in reversed(paragraphs):
        text = excerpt(paragraph, limit=TEXT_LIMIT)
        if shown and sum(len(t) for t in shown) + len(text) > TEXT_LIMIT:
            break
        shown.insert(0, text)
    return ("… " if len(shown) < len(paragraphs) else "") + " ".join(shown)


def holder(item: Item) -> str:
    """Who answers for an item: its owner, the lead of a WHITE item, or nobody yet."""
    if item.owner:
        return item.owner
    if item.status == "WHITE" and item.lead:
        return item.lead
    return UNASSIGNED


def open_entries(paper: Paper) -> Iterator[tuple[str, Entry]]:
    """(holder, entry) for every item not yet done, and its tasks not yet done."""
    n = 0
    for report in paper.reports:
        for item in report.items:
            if item.status in DONE:
                continue
            n += 1
            yield holder(item), Entry(f"K{n}", report, item, None)
            for task in item.tasks:
                if task.status not in DONE:
                    n += 1
                    yield holder(item), Entry(f"K{n}", report, item, task)


def file_name(owner: str) -> str:
    """A safe file name from an owner's name: 'Head of PSD / Vetting' -> 'Head-of-PSD-Vetting.xlsx'."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", owner).strip("-")[:60] or "owner"
    return f"{stem}.xlsx"


def workbooks(paper: Paper, paper_file: str, palette: Palette | None = None) -> dict[str, bytes]:
    """One workbook per holder of open items: {file name: .xlsx bytes}; statuses in the palette's colours (default: the shipped one)."""
    if palette is None:
        from ..palette import default_palette

        palette = default_palette()
    by_owner: dict[str, list[Entry]] = {}
    for owner, entry in open_entries(paper):
        by_owner.setdefault(owner, []).append(entry)
    out: dict[str, bytes] = {}
    for owner in sorted(by_owner):
        name = file_name(owner)
        while name in out:  # two owners whose names differ only in punctuation
            name = name.replace(".xlsx", "-2.xlsx")
        out[name] = workbook(paper, paper_file, owner, by_owner[owner], palette)
    return out


def workbook(paper: Paper, paper_file: str, owner: str, entries: list[Entry], palette: Palette) -> bytes:
    """The return workbook of one owner."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    info = paper.paper
    text_cell(ws["B1"], f"{info.title}: update for {info.period}")
    ws["B1"].font = Font(bold=True, size=14)
    text_cell(ws["B2"], f"{info.organisation} · {info.committee} · return for: {owner}")
    instructions = (
        "Fill in the four shaded columns on the right for each row that has news; leave a row blank if nothing changed.",
        "New status: choose from the list. RED needs a Rationale. New due date: only if the date moves (type it as a date, e.g. 31/03/2022).",
        "Update: what has happened this quarter, in a few sentences (Markdown allowed: **bold**, - bullets). It is added to the comment, dated.",
        "Do not add, remove or reorder rows or columns, and return this file as it is (same name) to the secretariat.",
    )
    for n, line in enumerate(instructions, start=3):
        text_cell(ws.cell(row=n, column=2), line)
        ws.merge_cells(start_row=n, start_column=2, end_row=n, end_column=len(HEADERS))
    head_fill = PatternFill("solid", fgColor="1D3C6E")
    open_fill = PatternFill("solid", fgColor="FFF7D6")
    for col, (label, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col)
        text_cell(cell, label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions["A"].hidden = True
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, entry in enumerate(entries, start=HEADER_ROW + 1):
        subject = entry.task or entry.item
        comment = entry.task.position if entry.task else entry.item.comment
        values = (
            entry.key, entry.report.title, entry.ref,
            excerpt(subject.text, limit=TEXT_LIMIT), subject.status or "",
            " / ".join(due_lines(subject.due, "No date set")), latest(comment),
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            text_cell(cell, value)
            cell.alignment = wrap
        ws.row_dimensions[row].height = row_height(values, WIDTHS)
        status = subject.status
        if status is not None and status in palette:
            colour = palette[status]
            status_cell = ws.cell(row=row, column=5)
            status_cell.fill = PatternFill("solid", fgColor=colour.fill)
            status_cell.font = Font(bold=True, color=colour.ink)
        for col in range(len(LOCKED) + 1, len(HEADERS) + 1):
            cell = ws.cell(row=row, column=col)
            cell.protection = Protection(locked=False)
            cell.fill = open_fill
            cell.alignment = wrap
        ws.cell(row=row, column=len(LOCKED) + 2).number_format = "DD/MM/YYYY"
    last = HEADER_ROW + max(len(entries), 1)
    status_col = get_column_letter(len(LOCKED) + 1)
    choices = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="Status", error="Choose a status from the list.")
    choices.add(f"{status_col}{HEADER_ROW + 1}:{status_col}{last}")
    due_col = get_column_letter(len(LOCKED) + 2)
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,  # after 1 Jan 2000
                           showErrorMessage=True, errorTitle="Due date", error="Type a date, for example 31/03/2022.")
    dates.add(f"{due_col}{HEADER_ROW + 1}:{due_col}{last}")
    ws.add_data_validation(choices)
    ws.add_data_validation(dates)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # owners may widen columns
    ws.protection.formatRows = False
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    keys = wb.create_sheet(KEYS_SHEET)
    keys.sheet_state = "hidden"
    for row, (label, value) in enumerate((("paper", paper_file), ("period", f"{info.period.year:04d}-{info.period.month:02d}"),
                                          ("owner", owner)), start=1):
        text_cell(keys.cell(row=row, column=1), label)
        text_cell(keys.cell(row=row, column=2), value)
    for row, entry in enumerate(entries, start=5):
        for col, value in enumerate((entry.key, *entry.identity, entry.state), start=1):
            text_cell(keys.cell(row=row, column=col), value)
    keys.protection.sheet = True
    return save(wb, info.period.first_day)
