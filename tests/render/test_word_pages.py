"""The Word file's pages: as many as the PDF's give or take 15%, a numbered contents list, nothing stranded.

LibreOffice is the client here: what it lays out is what a member without Word reads. Every
paper in data/ is laid out, all in one start of LibreOffice (about 5 s on two cores for the
three: the September tracker 4 s, the Casey response under 2 s).
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx.oxml.ns import qn

from boardpack.render.word import render_docx

from ..conftest import REFERENCE_PAPERS
from .test_docx import PAPER, TRACKER, body_rows, data_tables, open_docx, paper_view, soffice

NAME = "2021-09-hmicfrs-tracker"


def _outline_pages(pdf: Path) -> list[tuple[str, int]]:
    """The top-level bookmarks of a PDF LibreOffice wrote (one per Heading 1), with their pages."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    with pdf.open("rb") as handle:
        document = PDFDocument(PDFParser(handle))
        numbers = {page.pageid: n + 1 for n, page in enumerate(PDFPage.create_pages(document))}
        found = []
        for level, title, dest, action, _ in document.get_outlines():
            target = dest if dest is not None else action.resolve().get("D")
            target = target.resolve() if hasattr(target, "resolve") else target
            target = target["D"] if isinstance(target, dict) else target
            if level == 1:
                found.append((title, numbers[target[0].objid]))
    return found


def _page_texts(pdf: Path) -> list[str]:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def word_pdfs(reference_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every reference paper's Word file as LibreOffice lays it out, converted once for this module: {NAME: NAME.pdf}."""
    out = tmp_path_factory.mktemp("word-pages")
    soffice(out, "--convert-to", "pdf", "--outdir", str(out), *(str(reference_build / f"{name}.docx") for name in REFERENCE_PAPERS))
    return {name: out / f"{name}.pdf" for name in REFERENCE_PAPERS}


@pytest.fixture(scope="module")
def word_pdf(word_pdfs: dict[str, Path]) -> Path:
    """The September tracker's Word file as LibreOffice lays it out."""
    return word_pdfs[NAME]


@pytest.mark.client
@pytest.mark.parametrize("name", REFERENCE_PAPERS)
def test_the_word_file_has_as_many_pages_as_the_pdf_give_or_take_15_percent(name: str, word_pdfs: dict[str, Path],
                                                                            reference_pdf: Callable[[str], Any]) -> None:
    with reference_pdf(name) as pdf:
        printed = len(pdf.pages)
    pages = _page_texts(word_pdfs[name])
    assert printed >= 10 and printed * 0.85 <= len(pages) <= printed * 1.15, (len(pages), printed)
    assert sum("(continued)" in page for page in pages) == 0  # a long row is one row, broken by Word where the page ends


@pytest.mark.client
def test_libreoffice_shows_page_numbers_in_the_contents_within_a_page_of_the_headings(word_pdf: Path) -> None:
    pages = _page_texts(word_pdf)
    listed = re.findall(r"^\s*(\S.*?)\s*\.{4,}\s*(\d+)\s*$", pages[0] + pages[1], re.M)
    headings = [(title, page) for title, page in _outline_pages(word_pdf) if title != "Contents"]
    assert len(listed) == len(headings) == 22  # Summary, Changes, 19 reports with items and the timelines' appendix
    assert listed[-1][0].startswith("How RED and overdue items got here")
    for (entry, number), (title, page) in zip(listed, headings, strict=True):
        assert title.startswith(entry[:40].rstrip(".")), (entry, title)
        assert abs(int(number) - page) <= 1, (entry, number, page)
    assert [int(number) for _, number in listed] == sorted(int(number) for _, number in listed)


@pytest.mark.client
def test_the_summary_heading_has_its_sentence_under_it(word_pdf: Path) -> None:
    lines = [[line.strip() for line in page.splitlines() if line.strip()] for page in _page_texts(word_pdf)]
    (summary, at), = [(n, page.index("Summary")) for n, page in enumerate(lines) if "Summary" in page]  # the heading (the contents has dots)
    assert "There are 48 actions" in " ".join(lines[summary][at + 1:at + 3])  # its sentence follows it on its page


@pytest.mark.client
@pytest.mark.parametrize("name", REFERENCE_PAPERS)
def test_no_heading_ends_a_page_and_no_total_row_starts_one(name: str, word_pdfs: dict[str, Path]) -> None:
    pages = _page_texts(word_pdfs[name])
    headings = {"Summary", "Items by status in each report", "RED and overdue"}
    headings |= {title.strip() for title, _ in _outline_pages(word_pdfs[name])}
    lines = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]
    for n, page in enumerate(lines):
        body = [line for line in page if not line.startswith(("Appendix ", "Page "))]
        assert body and body[-1] not in headings, n + 1
        first_row = next((line for line in body if not line.startswith(("Report", "GREEN"))), "")
        assert not first_row.startswith("Total"), f"page {n + 1}: the Total row alone at its top"


def _keeps(p: Any) -> bool:
    return p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None


def test_the_row_above_the_total_is_kept_with_it_and_headings_with_what_follows() -> None:
    doc = open_docx(render_docx(paper_view(), TRACKER))
    counts = doc.element.body.findall(qn("w:tbl"))[0]
    rows = counts.findall(qn("w:tr"))
    assert "".join(t.text for t in rows[-1].iter(qn("w:t"))).startswith("Total")
    above = list(rows[-2].iter(qn("w:p")))
    assert above and all(_keeps(p) for p in above)
    assert not any(_keeps(p) for p in rows[1].iter(qn("w:p")))  # the other rows may part
    paragraphs = list(doc.element.body.iterchildren(qn("w:p")))
    summary = next(n for n, p in enumerate(paragraphs) if "".join(t.text for t in p.iter(qn("w:t"))) == "Summary")
    chart = next(n for n, p in enumerate(paragraphs) if p.find(f".//{qn('w:drawing')}") is not None)
    assert summary < chart - 1 and _keeps(paragraphs[summary])  # the heading stays with its sentence
    assert not _keeps(paragraphs[chart - 1]) and not _keeps(paragraphs[chart])  # not with the chart, which may take most of a page
    report = next(p for p in paragraphs if p.getnext() is not None and p.getnext().tag == qn("w:tbl") and "Table" not in str(p.xml))
    assert _keeps(report)  # the line before a report's table stays with its first row


def test_the_contents_field_result_carries_a_page_for_every_entry_in_order() -> None:
    data = copy.deepcopy(PAPER)
    long = "\n\n".join(f"Paragraph {n} of a long update that runs on for a while." for n in range(40))
    item = {"ref": "1", "text": "Act.", "status": "AMBER", "due": "2021-12", "comment": long}
    data["reports"] += [{"title": f"Report {n}", "items": [copy.deepcopy(item)]} for n in range(4)]
    doc = open_docx(render_docx(paper_view(data), TRACKER))
    entries = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "toc 1"]
    numbers = [int(entry.rsplit("\t", 1)[1]) for entry in entries]
    assert len(entries) >= 6 and all("\t" in entry for entry in entries)
    assert numbers == sorted(numbers) and numbers[0] >= 1 and numbers[-1] - numbers[-4] >= 3  # each long report takes a page or more
    assert len(data_tables(doc)) >= 5 and len(body_rows(data_tables(doc)[-1])) == 1
