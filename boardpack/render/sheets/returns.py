"""Owners' return workbooks: each owner's open items, out as an Excel file to fill in.

One workbook per owner (items grouped by `owner`, WHITE items by `lead`, the rest under
"Unassigned"). What the paper says is locked; the owner fills five columns whose headers are
fixed: New status (a drop-down), New due date (a day or a month), Reason for the new date,
Update, Rationale. Each row carries a hidden key and a hidden sheet records the paper, the
period, the owner, each row's identity (`boardpack.identity`), the state of its fields and what
it shows, and a check over all of it, so a return is matched to its items (not to row
positions), merged against what the owner saw (a three-way merge: refused only where the
secretariat changed the same field since), and refused where a row no longer shows the item
its key names (a sort that left column A behind).
The workbooks read the resolved paper and its view, as every other output does.
`boardpack.intake.returns` reads them back with the same layout (`boardpack.formats.returns_sheet`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ...derive import Palette, view
from ...formats.returns_sheet import HEADER_ROW, HEADERS, KEYS_COLUMNS, KEYS_FIRST_ROW, KEYS_SHEET, LOCKED, SHEET, Entry, digest, latest, open_entries, record
from ...history import Resolved
from ...model import STATUSES, Paper
from .workbook import row_height, save, text_cell

WIDTHS = (4, 22, 6, 40, 12, 18, 42, 12, 14, 24, 40, 28)


WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))})
"""Names Windows keeps for devices, whatever the extension: 'CON.xlsx' cannot be saved or opened there."""


def file_name(owner: str) -> str:
    """A safe file name from an owner's name: 'Head of PSD / Vetting' -> 'Head-of-PSD-Vetting.xlsx'.

    Letters, digits and '-' only; a name Windows keeps for a device ('CON', 'lpt1') gets
    '-owner' added, so the workbook can be saved on any machine.
    """
    stem = re.sub(r"[^A-Za-z0-9]+", "-", owner).strip("-")[:60] or "owner"
    if stem.upper() in WINDOWS_RESERVED:
        stem += "-owner"
    return f"{stem}.xlsx"


def file_names(owners: Sequence[str]) -> dict[str, str]:
    """Each owner's workbook name, unique without regard to case.

    On a case-insensitive folder (Windows shares, macOS, FAT) 'PSD.xlsx' and 'psd.xlsx' are one
    file, and one owner would get another's items: the second of two names alike but for case
    or punctuation gets '-2' (then '-3', ...), in the order of the sorted owners, so a name stays
    the same from one run to the next.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for owner in sorted(owners):
        stem = file_name(owner).removesuffix(".xlsx")
        name, n = f"{stem}.xlsx", 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}.xlsx"
        taken.add(name.casefold())
        names[owner] = name
    return names


def workbooks(resolved: Resolved, paper_file: str, palette: Palette | None = None) -> dict[str, bytes]:
    """One workbook per holder of open items: {file name: .xlsx bytes}.

    Read from the paper as every output reads it: `resolved` is the paper resolved against its
    previous papers (`build.prepare(...).resolved`), so a due date carried from last quarter is
    shown, and what each row shows comes from the paper's view (`derive.view`), as in the
    paper and the annex. Statuses in the palette's colours (default: the shipped one).
    """
    by_owner: dict[str, list[Entry]] = {}
    for owner, entry in open_entries(resolved.paper):
        by_owner.setdefault(owner, []).append(entry)
    books = workbook_of(resolved, paper_file, by_owner, palette)
    names = file_names(list(by_owner))
    return {names[owner]: books[owner] for owner in sorted(by_owner)}


def workbook_of(resolved: Resolved, paper_file: str, by_owner: dict[str, list[Entry]], palette: Palette | None = None) -> dict[str, bytes]:
    """The workbook of each owner given, of the entries given them: {owner: .xlsx bytes} (see `workbooks`)."""
    if palette is None:
        from ...palette import default_palette

        palette = default_palette()
    paper = resolved.paper
    rows = {row.key: row for report in view(paper, paper_file, resolved.changes, palette).reports for row in report.rows}
    return {owner: workbook(paper, paper_file, owner, [replace(entry, row=rows[entry.identity]) for entry in entries], palette)
            for owner, entries in by_owner.items()}


INSTRUCTIONS = (
    "Fill in the five shaded columns on the right for each row that has news; leave a row blank if nothing changed.",
    "New status: choose from the list. RED needs a Rationale. New due date: only if the date moves (31/03/2022, or a month: "
    "March 2022), with its reason beside it.",
    "Update: what has happened this quarter, in a few sentences (Markdown allowed: **bold**, - bullets). It is added to the comment, dated.",
    "Do not add, remove or reorder rows or columns, and return this file as it is (same name) to the secretariat.",
)
"""What the owner reads above the table."""


def workbook(paper: Paper, paper_file: str, owner: str, entries: list[Entry], palette: Palette) -> bytes:
    """The return workbook of one owner."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _heading(ws, paper, owner)
    for row, entry in enumerate(entries, start=HEADER_ROW + 1):
        _entry_row(ws, row, entry, paper.paper.updates == "newest-first")
    _checks(ws, HEADER_ROW + max(len(entries), 1))
    _sheet_setup(ws)
    _record(wb, paper_file, period_of(paper), owner, entries)
    return save(wb, paper.paper.period.first_day)


def _heading(ws: Any, paper: Paper, owner: str) -> None:
    """The title, who the return is for, the instructions, and the columns' headings."""
    info = paper.paper
    text_cell(ws["B1"], f"{info.title}: update for {info.period}")
    ws["B1"].font = Font(bold=True, size=14)
    text_cell(ws["B2"], f"{info.organisation} · {info.committee} · return for: {owner}")
    for n, line in enumerate(INSTRUCTIONS, start=3):
        text_cell(ws.cell(row=n, column=2), line)
        ws.merge_cells(start_row=n, start_column=2, end_row=n, end_column=len(HEADERS))
    head_fill = PatternFill("solid", fgColor="1D3C6E")
    for col, (label, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col)
        text_cell(cell, label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions["A"].hidden = True


def _entry_row(ws: Any, row: int, entry: Entry, newest_first: bool) -> None:
    """One item or task: what the paper says, locked, and the owner's five shaded columns, open."""
    seen = entry.row
    if seen is None:
        raise ValueError("an entry of a return is made by workbooks(), with its row of the paper's view")
    wrap = Alignment(wrap_text=True, vertical="top")
    values = (
        entry.key, *entry.shown, seen.status.word if seen.status else "",
        " / ".join(seen.due) or "No date set", latest(seen.comment, newest_first),
    )
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col)
        text_cell(cell, value)
        cell.alignment = wrap
    ws.row_dimensions[row].height = row_height(values, WIDTHS)
    if seen.status is not None:
        status_cell = ws.cell(row=row, column=5)
        status_cell.fill = PatternFill("solid", fgColor=seen.status.fill)
        status_cell.font = Font(bold=True, color=seen.status.ink)
    open_fill = PatternFill("solid", fgColor="FFF7D6")
    for col in range(len(LOCKED) + 1, len(HEADERS) + 1):
        cell = ws.cell(row=row, column=col)
        cell.protection = Protection(locked=False)
        cell.fill = open_fill
        cell.alignment = wrap
    ws.cell(row=row, column=len(LOCKED) + 2).number_format = "@"  # typed as text: 'June 2022' stays a month


def _sheet_setup(ws: Any) -> None:
    """Locked but for the owner's columns (which may be widened), headings frozen, printed landscape on A4, a page wide."""
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


def _checks(ws: Any, last: int) -> None:
    """The owner's columns' spreadsheet checks, to row `last`: the status list, and a prompt for the date."""
    status_col = get_column_letter(len(LOCKED) + 1)
    choices = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="Status", error="Choose a status from the list.")
    choices.add(f"{status_col}{HEADER_ROW + 1}:{status_col}{last}")
    due_col = get_column_letter(len(LOCKED) + 2)
    # A day or a month: no spreadsheet check takes both ('June 2022' is text), so the column
    # prompts for them and `merge` checks each cell, naming every one that is wrong at once.
    dates = DataValidation(allow_blank=True, showInputMessage=True, promptTitle="New due date",
                           prompt="A date (30/06/2022) or a month (June 2022); leave empty if the date stays.")
    dates.add(f"{due_col}{HEADER_ROW + 1}:{due_col}{last}")
    ws.add_data_validation(choices)
    ws.add_data_validation(dates)


def period_of(paper: Paper) -> str:
    """The paper's period as a return records it: '2021-12'."""
    return f"{paper.paper.period.year:04d}-{paper.paper.period.month:02d}"


def _record(wb: Any, paper_file: str, period: str, owner: str, entries: list[Entry]) -> None:
    """The hidden sheet: paper, period, owner and check, then what it keeps of each row (`record`)."""
    keys = wb.create_sheet(KEYS_SHEET)
    keys.sheet_state = "hidden"
    recorded = [record(entry) for entry in entries]
    for row, (label, value) in enumerate((("paper", paper_file), ("period", period), ("owner", owner),
                                          ("check", digest(paper_file, period, owner, recorded))), start=1):
        text_cell(keys.cell(row=row, column=1), label)
        text_cell(keys.cell(row=row, column=2), value)
    for col, label in enumerate(KEYS_COLUMNS, start=1):
        text_cell(keys.cell(row=KEYS_FIRST_ROW - 1, column=col), label)
    for row, kept in enumerate(recorded, start=KEYS_FIRST_ROW):
        for col, value in enumerate(kept, start=1):
            text_cell(keys.cell(row=row, column=col), value)
    keys.protection.sheet = True
