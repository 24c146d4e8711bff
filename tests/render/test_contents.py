"""The contents list after the title block: page numbers in the PDF, links in the web page, a field in Word."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from boardpack.chain import prepare
from boardpack.derive import view
from boardpack.render.word import render_docx

from ..conftest import DATA
from .test_docx import PAPER, TRACKER, open_docx, paper_view

NAME = "2021-09-hmicfrs-tracker"


@pytest.fixture(scope="module")
def outputs(reference_build: Path) -> dict[str, bytes]:
    return {fmt: (reference_build / f"{NAME}.{fmt}").read_bytes() for fmt in ("pdf", "html", "docx")}


def titles(paged: bool = True) -> list[str]:
    """The contents list's titles as the PDF and Word print it, or (not `paged`) the web page, which has no timelines' appendix."""
    checked = prepare(DATA / f"{NAME}.yaml")
    assert checked.resolved is not None
    paper_view = view(checked.resolved.paper, NAME, checked.resolved.changes, None, checked.resolved.earlier)
    return [entry.title for entry in paper_view.contents if paged or not entry.paged]


def test_the_contents_lists_summary_changes_and_every_report_in_order() -> None:
    checked = prepare(DATA / f"{NAME}.yaml")
    assert checked.resolved is not None
    entries = titles()
    assert entries[:2] == ["Summary", "Changes since June 2021"]
    assert entries[2:-1] == [report.title for report in checked.resolved.paper.reports if report.items]  # none for a report without items
    assert entries[-1] == "How RED and overdue items got here" and titles(paged=False) == entries[:-1]


def test_a_paper_of_one_or_two_parts_has_no_contents_list() -> None:
    checked = prepare(DATA / "2023-05-casey-response.yaml")
    assert checked.resolved is not None
    assert view(checked.resolved.paper, "casey", checked.resolved.changes).contents == ()


def test_the_pdf_contents_gives_the_page_each_part_starts_on(reference_pdf: Callable[[str], Any]) -> None:
    with reference_pdf(NAME) as pdf:
        first = pdf.pages[0]
        assert "Contents" in (first.extract_text() or "")
        half = first.width / 2
        columns = [first.crop((0, 0, half, first.height)).extract_text(), first.crop((half, 0, first.width, first.height)).extract_text()]
        pages = [page.extract_text() or "" for page in pdf.pages]
        found: list[int] = []
        for title in titles():
            head = title[:25]
            text = next(column for column in columns if head in column)
            match = re.search(r"\.\s*(\d+)\s*$", text[text.index(head):], re.MULTILINE)  # the leader, then the page
            assert match, f"no page number for {title!r}"
            page = int(match.group(1))
            assert head in pages[page - 1], f"{title!r} is not on page {page}"
            found.append(page)
        assert len(found) == len(titles())
        assert found == sorted(found) and found[-1] > 40  # in order, to the last report near the end


def test_the_web_page_contents_links_to_each_part(outputs: dict[str, bytes]) -> None:
    html = outputs["html"].decode("utf-8")
    nav = html[html.index('<nav class="contents"') : html.index("</nav>")]
    anchors = re.findall(r'href="#([^"]+)"', nav)
    assert len(anchors) == len(titles(paged=False))
    for anchor in anchors:
        assert f'id="{anchor}"' in html


def test_the_word_contents_is_a_field_that_word_updates_on_open(outputs: dict[str, bytes]) -> None:
    blob = outputs["docx"]
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        settings = archive.read("word/settings.xml").decode("utf-8")
    assert '<w:updateFields w:val="true"/>' in settings
    doc = docx.Document(io.BytesIO(blob))
    body = doc.element.body
    instructions = [el.text for el in body.iter(qn("w:instrText"))]
    assert any(text.strip().startswith("TOC ") and '\\o "1-1"' in text for text in instructions)
    entries = [p for p in doc.paragraphs if p.style is not None and p.style.name == "toc 1"]
    assert [p.text.rsplit("\t", 1)[0] for p in entries] == titles()
    assert all(p.text.rsplit("\t", 1)[1].isdigit() for p in entries)  # pages as laid out, until Word updates the field
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert all(title in headings for title in titles())  # what the field collects when Word updates it


def test_contents_entries_are_escaped_text() -> None:
    data = copy.deepcopy(PAPER)
    item = {"ref": "1", "text": "Act.", "status": "AMBER", "due": "2021-12"}
    data["reports"] += [{"title": f"Report <b>{n}</b> & {{{{ 7*7 }}}}", "items": [item]} for n in range(3)]
    data["reports"] += [{"title": "Empty <b>report</b> & {{ 7*7 }}", "items": []}]  # a line, not an entry: escaped too
    doc = open_docx(render_docx(paper_view(data), TRACKER))
    entries = [p.text.rsplit("\t", 1)[0] for p in doc.paragraphs if p.style is not None and p.style.name == "toc 1"]
    assert "Report <b>0</b> & {{ 7*7 }}" in entries
    assert "“Empty <b>report</b> & {{ 7*7 }}” makes no recommendations for the force." in [p.text for p in doc.paragraphs]


def test_no_two_tables_touch_in_the_word_file(outputs: dict[str, bytes]) -> None:
    """Word draws two tables with nothing between them as one (the legend ran into the changes table)."""
    body = docx.Document(io.BytesIO(outputs["docx"])).element.body
    tags = [child.tag for child in body]
    assert tags.count(qn("w:tbl")) >= 20  # the summary's, the legend, the changes' and one per report (20 reports)
    assert all(not (a == b == qn("w:tbl")) for a, b in zip(tags, tags[1:], strict=False))
