"""Long rows in the PDF read as one row however their parts fall on the pages.

Where a row's parts share a page, each column goes on directly under its own text: no
column keeps a hole where a shorter column of the part before ended. Where a page turns inside a row (a part, or a row too tall for a page),
the next page shows the row's number with "(continued)" and its status word.

The pages are read with pdfplumber: the items tables' columns are the dark heading cells
beside "No.", rows end at drawn rules, and a cell's lines are the words between them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from ..conftest import minimal, run
from .test_pages import _dark, _heading_cells, _in, _status_cells

PAPERS = ["2021-09-hmicfrs-tracker", "2023-05-casey-response"]
LINE_PT = 9 * 1.35
"""One line of the table text (9 pt at line-height 1.35), in points."""


def _columns(page: Any) -> list[tuple[float, float, float, float]]:
    """The items tables' columns on a page, as (x0, x1, top, bottom of the heading): dark cells in the row of a 'No.' heading."""
    heads = [w for w in page.extract_words() if w["text"] == "No."]
    out = []
    for head in heads:
        row = [r for r in page.rects if _dark(r.get("non_stroking_color")) and r["top"] - 1 <= head["top"] <= r["bottom"]]
        if row and min(r["x0"] for r in row) <= head["x0"] <= min(r["x0"] for r in row) + 10:  # 'No.' in the first column
            out += [(r["x0"], r["x1"], r["top"], r["bottom"]) for r in row]
    return out


def holes(page: Any) -> list[tuple[float, float, float]]:
    """Vertical gaps of more than two lines between lines of text in one cell: (x, y, gap) in points."""
    words = page.extract_words()
    lines_drawn = [e for e in page.edges if e["orientation"] == "h" and e["object_type"] == "line"]
    heads = sorted({head for _x0, _x1, head, _top in _columns(page)})
    found = []
    for x0, x1, head, top in _columns(page):
        below = [h - 1 for h in heads if h > head + 1]  # the next table's heading
        rules = [e["top"] for e in lines_drawn if e["x0"] <= x0 + 2 and x1 - 2 <= e["x1"] and top - 1 <= e["top"] < min(below, default=1e9)]
        end = max(rules, default=top)  # the table's last rule: text below it is not in the table
        lines: dict[int, tuple[float, float]] = {}
        for word in words:
            if x0 - 1 <= word["x0"] and word["x1"] <= x1 + 1 and top <= word["top"] and word["bottom"] <= end:
                key = round(word["top"])
                lines[key] = (word["top"], max(word["bottom"], lines.get(key, (0, 0))[1]))
        ordered = sorted(lines.values())
        for (_t, above), (under, _b) in zip(ordered, ordered[1:], strict=False):
            if under - above > 2 * LINE_PT and not any(above - 1 <= y <= under + 1 for y in rules):
                found.append((x0, above, under - above))
    return found


def scan(pdf: Any) -> dict[int, list[tuple[float, float, float]]]:
    return {n: found for n, page in enumerate(pdf.pages, start=1) if (found := holes(page))}


@pytest.mark.parametrize("name", PAPERS)
def test_no_cell_of_a_reference_paper_has_a_hole(reference_pdf: Callable[[str], Any], name: str) -> None:
    with reference_pdf(name) as pdf:
        assert len(_columns(pdf.pages[-1])) + sum(len(_columns(page)) for page in pdf.pages) > 20  # the scan sees the tables
        assert scan(pdf) == {}


def _long_rows_paper(tmp_path: Path) -> dict[str, Any]:
    paper = minimal()
    items = paper["reports"][0]["items"]
    # a long comment of short words, in one paragraph with no full stop: no part can end inside it
    items[1]["comment"] = " ".join(["we will do it as we go on to it"] * 120)
    items[1]["status"] = "GREEN"
    # columns of uneven paragraphs, cut into parts that share pages
    # (each sentence numbered, so that the words either side of a paragraph's gap say which paragraph they are from)
    items[0]["text"] = "\n\n".join(" ".join(f"Forces should review how they record outcomes {p}{s}." for s in range(3)) for p in range(8))
    items[0]["comment"] = "\n\n".join(" ".join(f"The force has set up working group {p}{s} to look at this and report back." for s in range(k))
                                       for p, k in enumerate((1, 6, 2, 9, 1, 4, 8, 3)))
    return paper


@pytest.fixture(scope="module")
def long_rows_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import yaml

    folder = tmp_path_factory.mktemp("long-rows")
    (folder / "data").mkdir()
    path = folder / "data" / "long-rows.yaml"
    path.write_text(yaml.safe_dump(_long_rows_paper(folder), sort_keys=False), encoding="utf-8")
    code, _out, err = run("build", str(path), "--out", str(folder / "out"), "--format", "pdf", "--force")
    assert code == 0, err
    return folder / "out" / "long-rows.pdf"


def _labels(page: Any) -> list[str]:
    """Per items table on the page: its first row's number cell, and each status cell's words (each must hold a status word)."""
    words = page.extract_words()
    shown = []
    for label, heading in _heading_cells(page):
        if label == "No.":
            shown.append(" ".join(_in(words, heading["x0"], heading["x1"] + 30, heading["bottom"], heading["bottom"] + 22)))
        else:
            shown += [" ".join(_in(words, heading["x0"], heading["x1"], top, bottom)) for top, bottom in _status_cells(page, heading)]
    return shown


@pytest.mark.slow
def test_a_row_split_by_the_layout_shows_its_number_continued_and_status_word_on_every_page(long_rows_pdf: Path) -> None:
    """The row's last piece, alone on the last page, was shown with an empty No. cell and a green cell without its word."""
    with pdfplumber.open(long_rows_pdf) as pdf:
        words = [page.extract_words() for page in pdf.pages]
        labels = [_labels(page) for page in pdf.pages]
        columns = next(found for page in pdf.pages if len(found := dict(_heading_cells(page))) == 2)  # where the columns are
    pages = [n for n, found in enumerate(words) if any(w["text"] == "we" for w in found)]
    assert len(pages) >= 2, "the long comment fits one page: the paper no longer shows a row split by the layout"
    for n in pages:
        top = min(w["top"] for w in words[n] if w["text"] == "we")  # the row's first line on the page
        number = _in(words[n], columns["No."]["x0"], columns["No."]["x1"], top - 2, top + 22)
        status = _in(words[n], columns["Status"]["x0"], columns["Status"]["x1"], top - 2, top + 12)
        assert (number, status) == (["2"] if n == pages[0] else ["2", "(continued)"], ["GREEN"]), f"page {n + 1}"
    for n, page_labels in enumerate(labels):
        assert all(page_labels), f"page {n + 1}: a first row without its number, or a status cell without its word: {page_labels}"


@pytest.mark.slow
def test_parts_sharing_a_page_leave_no_hole_in_any_column(long_rows_pdf: Path) -> None:
    with pdfplumber.open(long_rows_pdf) as pdf:
        texts = [page.extract_text() for page in pdf.pages]
        assert sum(text.count("Forces should review") for text in texts) == 24
        assert scan(pdf) == {}



# --- paragraphs cut into pieces read whole where the pieces share a page ----------------------

def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _source_paragraphs(paper: Any) -> str:
    """Every paragraph (and list item) of a paper's fields, as lower-case letters and digits, one a line."""
    from boardpack.markdown import to_plain

    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) > 40:
            found.extend(_letters(line) for line in to_plain(value).splitlines())

    walk(paper)
    return "\n".join(line for line in found if line)


def _cells(page: Any) -> list[list[tuple[float, float, str]]]:
    """The items tables' cells on a page, each as its lines of table text top to bottom: (top, bottom, words).

    A cell ends at a drawn rule, so the parts of a row joined on the page are one cell.
    """
    words = [w for w in page.extract_words(extra_attrs=["size"]) if w["size"] > 7]  # not the footnote calls
    lines_drawn = [e for e in page.edges if e["orientation"] == "h" and e["object_type"] == "line"]
    heads = sorted({head for _x0, _x1, head, _top in _columns(page)})
    cells: list[list[tuple[float, float, str]]] = []
    for x0, x1, head, top in _columns(page):
        below = [h - 1 for h in heads if h > head + 1]
        rules = [e["top"] for e in lines_drawn if e["x0"] <= x0 + 2 and x1 - 2 <= e["x1"] and top - 1 <= e["top"] < min(below, default=1e9)]
        end = max(rules, default=top)
        lines: list[tuple[float, float, list[str]]] = []
        for word in sorted((w for w in words if x0 - 1 <= w["x0"] and w["x1"] <= x1 + 1 and top <= w["top"] and w["bottom"] <= end),
                           key=lambda w: (w["bottom"], w["x0"])):
            if lines and abs(lines[-1][1] - word["bottom"]) < 2:
                lines[-1][2].append(word["text"])
            else:
                lines.append((word["top"], word["bottom"], [word["text"]]))
        cell: list[tuple[float, float, str]] = []
        for line_top, bottom, line_words in lines:
            if cell and any(cell[-1][1] <= y <= line_top for y in rules):
                cells.append(cell)
                cell = []
            cell.append((line_top, bottom, " ".join(line_words)))
        cells += [cell] if cell else []
    return cells


def paragraph_splits(pdf: Any, source: str) -> tuple[int, list[tuple[int, str, str]]]:
    """How many paragraphs' gaps the cells show, and those that split a paragraph: (page, line above, line below).

    A gap between two lines of a cell is a paragraph's when it is more than a line's pitch; it
    splits a paragraph when the words either side of it (up to three lines each) run on inside
    one paragraph of `source` (`_source_paragraphs`).
    """
    gaps, found = 0, []
    for number, page in enumerate(pdf.pages, start=1):
        for cell in _cells(page):
            for n in range(1, len(cell)):
                (_top, above, words_above), (under_top, under, words_under) = cell[n - 1], cell[n]
                if under - above <= 1.35 * (under - under_top) + 1:
                    continue
                gaps += 1
                end = _letters(" ".join(line[2] for line in cell[max(0, n - 3):n]))[-40:]
                start = _letters(" ".join(line[2] for line in cell[n:n + 3]))[:40]
                if len(end) >= 12 and len(start) >= 12 and end + start in source:
                    found.append((number, words_above, words_under))
    return gaps, found


@pytest.mark.parametrize("name", PAPERS)
def test_no_paragraph_of_a_reference_paper_reads_as_two(reference_pdf: Callable[[str], Any], name: str) -> None:
    """A paragraph cut after a sentence into pieces, the pieces laid out on one page: it reads as one paragraph there."""
    import yaml

    from ..conftest import DATA

    source = _source_paragraphs(yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8")))
    with reference_pdf(name) as pdf:
        gaps, found = paragraph_splits(pdf, source)
    assert gaps > 40, "the scan sees the paragraphs' gaps"
    assert found == []


@pytest.mark.slow
def test_no_paragraph_of_a_paper_of_long_rows_reads_as_two(long_rows_pdf: Path) -> None:
    source = _source_paragraphs(_long_rows_paper(long_rows_pdf.parent))
    with pdfplumber.open(long_rows_pdf) as pdf:
        gaps, found = paragraph_splits(pdf, source)
    assert gaps > 5, "the scan sees the paragraphs' gaps"
    assert found == []
