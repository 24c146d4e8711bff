"""The data annex: one row per item, as a workbook and as CSV, for publication and for filtering.

Built from the same view as the papers, so its statuses, due dates and overdue flags are
the printed ones. Text that a spreadsheet could take for a formula stays text: in the
workbook as a text cell, in the CSV behind a leading apostrophe (the usual CSV-injection guard).
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..derive import PaperView, Row
from ..history import excerpt
from .xlsx import FORMULA_STARTS, MAX_CELL, row_height, save, text_cell

HEADERS = ("Report", "No.", "Type", "Recommendation", "Status", "Status note", "Due date", "Due history",
           "Owner or lead", "Overdue", "Last change")
WIDTHS = (34, 6, 16, 60, 12, 20, 16, 34, 22, 9, 40)


def records(view: PaperView) -> list[tuple[str, ...]]:
    """The annex's rows: every item of every report (tasks are part of their item's row)."""
    out = []
    for report in view.reports:
        for row in report.rows:
            if row.kind != "item":
                continue
            out.append(_record(report.title, row))
    return out


def _record(report: str, row: Row) -> tuple[str, ...]:
    due = row.due[-1] if row.due else ""
    return (
        report, row.ref or "", row.type or "", excerpt(row.text, limit=MAX_CELL),
        row.status.word if row.status else "", row.status.note or "" if row.status else "",
        due, " / ".join(row.due), row.owner or row.lead or "", "yes" if row.overdue else "",
        row.change or "",
    )


def render_xlsx(view: PaperView) -> bytes:
    """The annex as an Excel workbook: a header row, frozen, with filters."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Items"
    for col, (label, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=1, column=col)
        text_cell(cell, label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D3C6E")
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    rows = records(view)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
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
    return save(wb, view.period_start)


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
