"""Every printed page reads on its own: a row that reaches a page shows its No. and status word there.

The reference papers are built to PDF, and to Word then laid out by LibreOffice (the real
Word client here); each page is walked with pdfplumber. A status cell is found as the
coloured boxes under the "Status" heading (boxes of one colour touching each other are one
cell: the parts of a row the PDF joined on a page); each must hold a status word, and the
first row under every table heading must show its number.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

PAPERS = ["2021-09-hmicfrs-tracker", "2023-05-casey-response"]
STATUS_WORDS = {"GREEN", "NEW", "AMBER", "RED", "WHITE", "CLOSED"}
LABELS = {"Recommendation", "Area", "for", "Improvement", "Cause", "of", "Concern", "Suggested", "Action", "To", "Task", "(continued)"}


@pytest.fixture(scope="module")
def laid_out_word(reference_word_pdf: dict[str, Path]) -> dict[str, Path]:
    """Each reference paper's Word file as LibreOffice lays it out, as PDF."""
    return {name: reference_word_pdf[name] for name in PAPERS}


def _heading_cells(page: Any) -> list[tuple[str, Any]]:
    """The items tables' heading cells on a page, as (label, rect): the dark boxes holding 'No.' or 'Status'."""
    words = page.extract_words()
    cells = []
    for word in words:
        if word["text"] not in ("No.", "Status"):
            continue
        around = [rect for rect in page.rects if _dark(rect.get("non_stroking_color"))
                  and rect["x0"] - 1 <= word["x0"] and word["x1"] <= rect["x1"] + 1 and rect["top"] - 1 <= word["top"] <= rect["bottom"]]
        if not around:
            continue
        cell = min(around, key=lambda r: (r["x1"] - r["x0"]) * (r["bottom"] - r["top"]))  # the heading cell, not a box behind it
        if word["text"] == "No." and any(_dark(r.get("non_stroking_color")) and abs(r["top"] - cell["top"]) < 2 and r["x1"] <= cell["x0"] + 1
                                         for r in page.rects):
            continue  # 'No.' in the second column: the summary's and the changes' tables, not an items table
        cells.append((word["text"], cell))
    return cells


def _dark(fill: Any) -> bool:
    return isinstance(fill, (tuple, list)) and len(fill) == 3 and sum(fill) < 1.2


def _in(words: list[dict[str, Any]], x0: float, x1: float, top: float, bottom: float) -> list[str]:
    return [w["text"] for w in words if x0 - 1 <= w["x0"] and w["x1"] <= x1 + 1 and top - 1 <= w["top"] and w["bottom"] <= bottom + 1]


def _status_cells(page: Any, heading: Any) -> list[tuple[float, float]]:
    """Vertical extents of the coloured status cells under a 'Status' heading; touching boxes of one colour are one cell."""
    boxes = []
    for rect in page.rects:
        fill = rect.get("non_stroking_color")
        if not isinstance(fill, (tuple, list)) or len(fill) != 3 or min(fill) > 0.97 or fill == heading.get("non_stroking_color"):
            continue  # unfilled, white, or the heading of a table further down
        if abs(rect["x0"] - heading["x0"]) < 3 and abs(rect["x1"] - heading["x1"]) < 3 and rect["top"] >= heading["bottom"] - 1:
            boxes.append((rect["top"], rect["bottom"], tuple(round(c, 2) for c in fill)))
    cells: list[list[Any]] = []
    for top, bottom, fill in sorted(boxes):
        if cells and cells[-1][2] == fill and top - cells[-1][1] < 3:
            cells[-1][1] = max(cells[-1][1], bottom)
        else:
            cells.append([top, bottom, fill])
    return [(top, bottom) for top, bottom, _ in cells]


def _check(pdf: Any, file_name: str, *, rows_run_on: bool = False) -> int:
    """Every row on every page shows its number and status word; gives the number of rows going on from a page before.

    `rows_run_on` (the Word file): a row that Word breaks at a page's end goes on at the top of the
    next page under the repeated heading row, without its number or word (they stand at its start,
    on the page before): allowed only for the first row under a page's heading, when the page before
    ended in an items table too.
    """
    tables = run_on = 0
    ended_in_table = False
    for number, page in enumerate(pdf.pages, start=1):
        words = page.extract_words()
        headings = _heading_cells(page)
        for label, heading in headings:
            if label == "No.":
                tables += 1
                first_row = _in(words, heading["x0"], heading["x1"], heading["bottom"], heading["bottom"] + 16)
                if not first_row and rows_run_on and ended_in_table:
                    run_on += 1
                    continue
                assert first_row, f"{file_name} page {number}: the first row under the heading shows no number"
                continue
            for top, bottom in _status_cells(page, heading):
                inside = set(_in(words, heading["x0"], heading["x1"], top, bottom))
                if rows_run_on and ended_in_table and top - heading["bottom"] < 3 and not inside & STATUS_WORDS:
                    continue  # the status cell of the row going on from the page before, in its colour
                assert inside & STATUS_WORDS, f"{file_name} page {number}: a status cell at {top:.0f}pt has no status word"
        ended_in_table = any(label == "No." for label, _ in headings)
    assert tables > 3, f"{file_name}: no items tables found"
    return run_on


@pytest.mark.parametrize("name", PAPERS)
def test_every_page_of_the_pdf_shows_number_and_status_word_of_each_row(reference_pdf: Callable[[str], Any], name: str) -> None:
    with reference_pdf(name) as pdf:
        _check(pdf, f"{name}.pdf")


@pytest.mark.client
@pytest.mark.parametrize("name", PAPERS)
def test_every_page_of_the_word_file_shows_number_and_status_word_of_each_row_that_starts_there(laid_out_word: dict[str, Path], name: str) -> None:
    if shutil.which("pdftotext") is None and not laid_out_word[name].exists():
        pytest.skip("LibreOffice did not lay the Word file out")
    with pdfplumber.open(laid_out_word[name]) as pdf:
        _check(pdf, laid_out_word[name].name, rows_run_on=True)


@pytest.mark.parametrize("name", PAPERS)
def test_no_row_begins_a_page_foot_with_only_its_labels(reference_pdf: Callable[[str], Any], name: str) -> None:
    """Where a row goes on to the next page, the part left at the foot carries some of its text."""
    with reference_pdf(name) as pdf:
        cut = 0
        for page, following in zip(pdf.pages, pdf.pages[1:], strict=False):
            after = dict(_heading_cells(following))
            if "No." not in after:
                continue
            top = after["No."]
            if "(continued)" not in _in(following.extract_words(), top["x0"], top["x1"] + 40, top["bottom"], top["bottom"] + 30):
                continue
            cut += 1
            here = dict(_heading_cells(page))
            assert "No." in here, f"page {page.page_number}: a continued row follows a page without its table"
            words = page.extract_words()
            table = next(t.bbox for t in page.find_tables() if t.bbox[1] <= here["No."]["top"] + 1 and here["No."]["bottom"] <= t.bbox[3])
            rows = [w for w in words if here["No."]["x0"] - 1 <= w["x0"] and w["x1"] <= here["No."]["x1"] + 1
                    and here["No."]["bottom"] < w["top"] < table[3]]
            start = max(w["top"] for w in rows if w["text"] != "(continued)")  # the last number on the page: the row going on
            text = [w for w in _in(words, here["No."]["x1"], page.width, start - 1, table[3]) if w not in LABELS]
            assert len(text) >= 6, f"page {page.page_number}: the row at its foot shows only {text}"
        assert cut > 3  # both papers have rows that run on (the response paper six, the tracker more)
