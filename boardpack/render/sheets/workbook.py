"""What every workbook boardpack writes shares: text kept as text, and reproducible bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell

MAX_CELL = 32_000
"""Excel holds at most 32,767 characters in a cell."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take for the start of a formula (CSV injection)."""


def text_cell(cell: Cell, value: str | None) -> None:
    """Put text in a cell as text, never as a formula ('=1+2' stays those four characters)."""
    value = (value or "")[:MAX_CELL]
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def row_height(values: Sequence[str], widths: Sequence[float]) -> float:
    """Points for a row whose cells wrap: spreadsheet programs do not grow rows a file sets none for."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if value and width > 8:
            per_line = max(1, int(width * 1.15))
            lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in value.split("\n")))
    return min(409.0, 15.0 * lines)


def save(wb: Workbook, day: dt.date) -> bytes:
    """The workbook's bytes with document dates from the paper, never the clock, in a fixed zip order."""
    from ..word.package import normalise_package

    stamp = dt.datetime.combine(day, dt.time())
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = wb.properties.lastModifiedBy = "boardpack"
    out = io.BytesIO()
    wb.save(out)
    return normalise_package(_fixed_modified(out.getvalue(), stamp))


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_modified(data: bytes, stamp: dt.datetime) -> bytes:
    """openpyxl stamps 'modified' with the clock when saving; put the paper's date back."""
    value = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + value + rb"\g<2>", body)
            dst.writestr(info.filename, body)
    return out.getvalue()
