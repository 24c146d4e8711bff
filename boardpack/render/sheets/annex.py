"""The data annex: one row per item, as a workbook and as CSV, for publication and for filtering.

Built from the same view as the papers, so its statuses, due dates and overdue flags are
the printed ones. Text that a spreadsheet could take for a formula stays text: in the
workbook as a text cell, in the CSV behind a leading apostrophe (the usual CSV-injection guard).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ...derive import PaperView, ReportView, Row
from ...history import excerpt
from ...markdown import to_plain
from ...model import When
from ..context import RenderContext
from .workbook import FORMULA_STARTS, MAX_CELL, row_height, save, text_cell

HEADERS = ("Report", "No.", "Type", "Recommendation", "Status", "Status note", "Due date", "Due history",
           "Owner or lead", "Overdue", "Last change", "Comment (latest update)", "Tasks", "Rationale")
WIDTHS = (34, 6, 16, 60, 12, 20, 16, 34, 22, 9, 40, 70, 50, 50)
DUE = HEADERS.index("Due date")
"""The due-date column: a real date in the workbook (sortable, filterable), ISO 8601 in the CSV."""


def records(view: PaperView) -> list[tuple[str, ...]]:
    """The annex's rows: every item of every report (tasks are part of their item's row)."""
    return [_record(report.title, row) for report, row in _items(view)]


def _items(view: PaperView) -> list[tuple[ReportView, Row]]:
    return [(report, row) for report in view.reports for row in report.rows if row.kind == "item"]


def _tasks(row: Row) -> str:
    """'1a (GREEN): Write the report. Position: Written.' a line a task."""
    lines = []
    for ref, status, text, position in row.tasks:
        head = f"{ref} ({status})" if status else ref
        lines.append(f"{head}: {to_plain(text)}" + (f" Position: {to_plain(position)}" if position else ""))
    return "\n".join(lines)


def _record(report: str, row: Row) -> tuple[str, ...]:
    return (
        report, row.ref or "", row.type or "", excerpt(row.text, limit=MAX_CELL),
        row.status.word if row.status else "", row.status.note or "" if row.status else "",
        row.due_date.iso if row.due_date else "", " / ".join(row.due), row.owner or row.lead or "", "yes" if row.overdue else "",
        row.change or "", to_plain(row.comment), _tasks(row), to_plain(row.rationale),
    )


def _header_row(ws: Any, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
    """A sheet's header row, white on dark blue, and its column widths."""
    for col, (label, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=col)
        text_cell(cell, label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D3C6E")
        ws.column_dimensions[get_column_letter(col)].width = width


def render_xlsx(view: PaperView) -> bytes:
    """The annex as an Excel workbook: a header row, frozen, with filters."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Items"
    _header_row(ws, HEADERS, WIDTHS)
    wrap = Alignment(wrap_text=True, vertical="top")
    items = _items(view)
    rows = [_record(report.title, row) for report, row in items]
    for r, (values, (_, row)) in enumerate(zip(rows, items, strict=True), start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            if col == DUE + 1:
                _date_cell(cell, row.due_date)
            else:
                text_cell(cell, value)
            cell.alignment = wrap
        ws.row_dimensions[r].height = row_height(values, WIDTHS)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(len(rows), 1) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.title = f"{view.title}: data annex, {view.period}"[:255]
    if view.timelines:
        _timeline_sheet(wb, view)
    if view.note:  # the paper's notice travels with its data
        about = wb.create_sheet("About")
        for r, (label, value) in enumerate((("Paper", f"{view.title}, {view.period}"), ("Committee", view.committee),
                                            ("Note", view.note)), start=1):
            text_cell(about.cell(row=r, column=1), label)
            about.cell(row=r, column=1).font = Font(bold=True)
            text_cell(about.cell(row=r, column=2), value)
            about.cell(row=r, column=2).alignment = wrap
        about.column_dimensions["A"].width = 12
        about.column_dimensions["B"].width = 100
        about.row_dimensions[3].height = row_height((view.note,), (100,))
    return save(wb, view.period_start)


TIMELINE_HEADERS = ("Report", "No.", "Quarter", "Status", "Due date", "Owner or lead", "What changed", "Update given")
TIMELINE_WIDTHS = (34, 6, 14, 12, 16, 22, 40, 70)


def timeline_records(view: PaperView) -> list[tuple[str | When | None, ...]]:
    """One row per item per quarter, from the first paper it is in: what the Timeline sheet holds."""
    return [(line.report, line.ref or "", quarter.period, quarter.status or "", quarter.due, quarter.owner or "",
             quarter.change or "", quarter.update or "")
            for line in view.timelines for quarter in line.quarters]


def _timeline_sheet(wb: Workbook, view: PaperView) -> None:
    """Each item's path through the chain of papers, a row per quarter, with real dates for members who filter."""
    ws = wb.create_sheet("Timeline")
    _header_row(ws, TIMELINE_HEADERS, TIMELINE_WIDTHS)
    wrap = Alignment(wrap_text=True, vertical="top")
    records = timeline_records(view)
    for r, values in enumerate(records, start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            if isinstance(value, When) or (value is None and col in (3, 5)):
                _date_cell(cell, value if isinstance(value, When) else None)
            else:
                text_cell(cell, str(value))
            cell.alignment = wrap
        ws.row_dimensions[r].height = row_height(tuple(str(v or "") for v in values), TIMELINE_WIDTHS)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(TIMELINE_HEADERS))}{max(len(records), 1) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"


def _date_cell(cell: Cell, when: When | None) -> None:
    """The current due date as a date cell, shown as the paper gives it ('December 2021', '5 August 2021').

    A month is its last day, the day overdue is judged against. Empty when no date is set.
    """
    if when is None:
        return
    cell.value = when.last_day
    cell.number_format = "d mmmm yyyy" if when.day is not None else "mmmm yyyy"


def _safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def render_csv(view: PaperView) -> bytes:
    """The annex as CSV (UTF-8 with a byte-order mark, so Excel reads the accents right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for values in records(view):
        writer.writerow([_safe(v) for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class AnnexRenderer:
    """The data annex: a workbook (`xlsx`) and a comma-separated file (`csv`) of every item."""

    def outputs(self, view: PaperView, formats: Sequence[str]) -> tuple[str, ...]:
        return tuple(fmt for fmt in ("xlsx", "csv") if fmt in formats)

    def render(self, output: str, view: PaperView, context: RenderContext) -> bytes:
        return render_xlsx(view) if output == "xlsx" else render_csv(view)
