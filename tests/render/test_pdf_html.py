"""The PDF and HTML papers: open what was built and check what a reader sees."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import yaml
from pypdf import PdfReader

from boardpack.build import build
from boardpack.derive import view
from boardpack.model import Paper
from boardpack.palette import default_palette
from boardpack.render.html import render_html
from boardpack.render.pdf.layout import TemplateOnlyFetcher
from boardpack.render.pdf.paper import render_pdf

from ..conftest import DATA, TEMPLATES, minimal

TRACKER = DATA / "2021-09-hmicfrs-tracker.yaml"
RESPONSE = DATA / "2023-05-casey-response.yaml"
STATUS_WORDS = re.compile(r"\b(NEW GREEN|GREEN|AMBER|RED|WHITE|CLOSED)\b")

PALETTE = default_palette()
"""The shipped palette: what every output is painted in unless a templates folder has its own."""


@pytest.fixture(scope="module")
def seeds(reference_build: Path) -> Path:
    """The reference papers built once per session (read-only)."""
    return reference_build


def _paper(data: dict) -> Paper:
    return Paper.model_validate(data)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_ref_status_and_sentence_of_the_tracker_is_in_the_pdf(reference_pdf: Callable[[str], Any]) -> None:
    paper = Paper.model_validate(yaml.safe_load(TRACKER.read_text(encoding="utf-8")))
    paper_view = view(paper, "t")
    assert len(paper_view.reports) == 19 and sum(1 for report in paper_view.reports for row in report.rows if row.ref) == 78  # State of Policing: a line
    with reference_pdf("2021-09-hmicfrs-tracker") as pdf:
        text = _flat("\n".join(page.extract_text() or "" for page in pdf.pages))
    for report in paper_view.reports:
        assert _flat(report.sentence) in text, report.sentence
        assert _flat(report.title) in text, report.title
    with reference_pdf("2021-09-hmicfrs-tracker") as pdf:
        cells = [w["text"] for page in pdf.pages for w in page.extract_words()]
    for report in paper_view.reports:
        for row in report.rows:
            assert row.ref is None or row.ref in cells, row.ref
    expected = Counter_of(r.status.word for rep in paper_view.reports for r in rep.rows if r.status)
    found = Counter_of(STATUS_WORDS.findall(text))
    assert sum(expected.values()) == 71 and len(expected) == 6
    for word, n in expected.items():
        assert found[word] >= n, word  # the legend adds one of each


def Counter_of(words):  # noqa: N802 - reads as the Counter it returns
    from collections import Counter

    return Counter(words)


def test_title_block_header_and_page_footer(reference_pdf: Callable[[str], Any]) -> None:
    with reference_pdf("2021-09-hmicfrs-tracker") as pdf:
        first = pdf.pages[0].extract_text()
        total = len(pdf.pages)
        last = pdf.pages[-1].extract_text()
    for words in ("City of London Police", "Police Authority Board", "Appendix A", "September 2021", "HMICFRS Report Recommendations"):
        assert words in first
    assert f"Page 1 of {total}" in first and f"Page {total} of {total}" in last
    assert "Appendix A · September 2021" in last  # the running header


def test_rag_cells_are_filled_with_their_status_colour(reference_pdf: Callable[[str], Any]) -> None:
    checked = 0
    with reference_pdf("2021-09-hmicfrs-tracker") as pdf:
        # The tables start at the legend; the changes section before it names statuses in words.
        start = next(n for n, page in enumerate(pdf.pages) if "Traffic Light Colour" in (page.extract_text() or ""))
        for page in pdf.pages[start:]:
            fills = [r for r in page.rects if r.get("fill")]
            words = page.extract_words(extra_attrs=["fontname", "size"])
            for n, word in enumerate(words):
                # Status words are bold; NEW GREEN is two words, judged by its second. A heading is
                # larger than a cell's text: 'How RED and overdue items got here' names RED in no cell.
                if "Bold" not in word["fontname"] or word["text"] not in PALETTE or word["text"] == "NEW" or word["size"] > 10:
                    continue
                before = words[n - 1] if n else None
                if before and before["text"].isdigit() and abs(before["top"] - word["top"]) < 1 and word["x0"] - before["x1"] < 8:
                    continue  # a count in a report's (bold) summary sentence: "2 RED and 1 is ..."
                status = word["text"]
                if status == "GREEN" and n and words[n - 1]["text"] == "NEW" and abs(words[n - 1]["top"] - word["top"]) < 1:
                    status = "NEW GREEN"
                x, y = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
                under = [r for r in fills if r["x0"] <= x <= r["x1"] and r["top"] <= y <= r["bottom"]]
                assert under, f"{status} on page {page.page_number} has no fill"
                hex_colour = "".join(f"{round(c * 255):02X}" for c in under[-1]["non_stroking_color"])
                assert hex_colour == PALETTE[status].fill, (status, page.page_number)
                checked += 1
    assert checked >= 60


def test_header_row_repeats_on_every_page_of_a_long_table(reference_pdf: Callable[[str], Any]) -> None:
    with reference_pdf("2023-05-casey-response") as pdf:
        assert len(pdf.pages) >= 5
        for page in pdf.pages:
            text = page.extract_text()
            assert "Recommendation" in text and "Force Task Owner" in text and "Force Progress & Response" in text, page.page_number


def test_pdf_has_metadata_bookmarks_language_and_tags(seeds: Path) -> None:
    reader = PdfReader(seeds / "2021-09-hmicfrs-tracker.pdf")
    assert reader.metadata.title.startswith("HMICFRS Report Recommendations")
    assert reader.metadata.author == "City of London Police"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    titles = []

    def walk(outline):
        for entry in outline:
            if isinstance(entry, list):
                walk(entry)
            else:
                titles.append(entry.title)

    walk(reader.outline)
    paper = Paper.model_validate(yaml.safe_load(TRACKER.read_text(encoding="utf-8")))
    for report in (r for r in paper.reports if r.items):  # a report with no items is a line, with no bookmark
        assert report.title in titles
    fonts = {f for page in reader.pages for f in _fonts(page)}
    assert fonts and all(embedded for _, embedded in fonts)


def _fonts(page) -> set[tuple[str, bool]]:
    out = set()
    for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
        font = font.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and "/DescendantFonts" in font:
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        out.add((str(font.get("/BaseFont")), any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return out


@pytest.mark.slow
def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    paper_view = view(_paper(minimal()), "p")
    html = render_html(paper_view, TEMPLATES)
    first, _ = render_pdf(html, TEMPLATES)
    second, _ = render_pdf(render_html(paper_view, TEMPLATES), TEMPLATES)
    assert html == render_html(paper_view, TEMPLATES)
    assert first == second


def test_data_is_shown_never_interpreted() -> None:
    data = minimal()
    item = data["reports"][0]["items"][0]
    item["text"] = "<script>alert(1)</script> {{ 7*7 }} {% raw %} & <b>bold?</b>"
    item["comment"] = "![x](file:///etc/passwd) <img src=\"file:///etc/passwd\"> [link](javascript:alert(1))"
    html = render_html(view(_paper(data), "p"), TEMPLATES)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = re.sub(r"<svg.*?</svg>", "", html, flags=re.DOTALL)  # the summary chart's coordinates are numbers
    assert "{{ 7*7 }}" in html and "49" not in page.replace("2049", "")
    assert "<img" not in html and 'href="javascript' not in html
    pdf, _ = render_pdf(html, TEMPLATES)
    text = _flat(" ".join(p.extract_text() for p in PdfReader(__import__("io").BytesIO(pdf)).pages))
    assert "<script>alert(1)</script> {{ 7*7 }}" in text
    assert "root:x:0" not in text


def test_fetcher_refuses_files_outside_templates_and_network(tmp_path: Path) -> None:
    fetcher = TemplateOnlyFetcher(TEMPLATES)
    for url in ("file:///etc/passwd", "http://127.0.0.1/x.css", "https://example.org/a.png",
                f"file://{TEMPLATES}/../pyproject.toml", "data:text/plain,hi"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.fetch(f"file://{TEMPLATES / 'paper.css'}") is not None


@pytest.mark.slow
def test_a_huge_comment_is_never_clipped() -> None:
    data = minimal()
    words = [f"w{n:05d}" for n in range(3000)]
    data["reports"][0]["items"][0]["comment"] = " ".join(words) + " THE-END"
    assert len(data["reports"][0]["items"][0]["comment"]) > 20_000
    pdf, pages = render_pdf(render_html(view(_paper(data), "p"), TEMPLATES), TEMPLATES)
    reader = PdfReader(__import__("io").BytesIO(pdf))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert pages >= 3 and "THE-END" in text
    found = set(re.findall(r"w\d{5}", text))
    assert len(found) == len(words)


@pytest.mark.slow
def test_markdown_becomes_lists_links_and_footnotes() -> None:
    data = minimal()
    data["reports"][0]["items"][0]["comment"] = (
        "[Current position]{.underline} in hand[^1].\n\n- first bullet\n- second bullet\n\n"
        "1. one\n2. two\n\nSee [the report](https://www.justiceinspectorates.gov.uk/hmicfrs/).\n\n"
        "[^1]: A real footnote.\n")
    html = render_html(view(_paper(data), "p"), TEMPLATES)
    assert '<span class="underline">Current position</span>' in html
    assert "<li>first bullet</li>" in html and "<ol>" in html
    assert '<a href="https://www.justiceinspectorates.gov.uk/hmicfrs/">the report</a>' in html
    pdf, _ = render_pdf(html, TEMPLATES)
    with pdfplumber.open(__import__("io").BytesIO(pdf)) as doc:
        page = next(p for p in doc.pages if any(w["text"] == "footnote." for w in p.extract_words()))  # after the summary
        footnote = [w for w in page.extract_words() if w["text"] == "footnote."]
        assert footnote and footnote[0]["top"] > page.height * 0.8  # at the foot of the page
        assert any(a.get("uri") == "https://www.justiceinspectorates.gov.uk/hmicfrs/" for a in page.annots)


def test_html_page_stands_alone_and_adapts_to_small_screens(seeds: Path) -> None:
    html = (seeds / "2021-09-hmicfrs-tracker.html").read_text(encoding="utf-8")
    assert '<html lang="en-GB">' in html and 'name="viewport"' in html
    assert "<link" not in html and "<script" not in html  # styles inlined, nothing fetched
    assert "@media screen and (max-width" in html and "@media print" in html
    assert html.count('<section class="report"') == 19  # the 20th, State of Policing, has no items: a line under the counts table
    assert html.count('<h2 id="report-') == 19


def test_an_item_without_a_number_prints_a_dash_in_the_number_cell() -> None:
    data = minimal()
    del data["reports"][0]["items"][0]["ref"]
    html = render_html(view(_paper(data), "p"), TEMPLATES)
    assert '<th scope="row" class="ref">–</th>' in html and "None" not in html


NOTICE = "Illustrative paper: made up for the example; not a published paper."


@pytest.mark.slow
def test_a_papers_note_is_a_notice_on_the_first_page_of_every_output(paper_file, tmp_path: Path) -> None:
    import docx
    from openpyxl import load_workbook

    data = minimal()
    data["paper"]["note"] = NOTICE
    data["cover"] = {"meeting": "2021-10-13", "report_of": "Commissioner of Police", "author": "Strategic Development"}
    out = tmp_path / "out"
    (result,) = build([paper_file(data)], out_dir=out, formats=("pdf", "docx", "html", "xlsx"))
    assert result.error is None
    with pdfplumber.open(out / "paper.pdf") as pdf:
        assert "Note: " + NOTICE in " ".join(pdf.pages[0].extract_text().split())
    with pdfplumber.open(out / "paper-cover.pdf") as pdf:
        assert "Note: " + NOTICE in " ".join(pdf.pages[0].extract_text().split())
    page = (out / "paper.html").read_text(encoding="utf-8")
    assert f'<p class="notice" role="note"><strong>Note:</strong> {NOTICE}</p>' in page
    assert page.index('class="notice"') < page.index("</header>")  # in the title block, before anything else
    for name in ("paper.docx", "paper-cover.docx"):
        notices = [p for p in docx.Document(str(out / name)).paragraphs if p.style.name == "Notice"]
        assert [p.text for p in notices] == ["Note: " + NOTICE], name
    about = load_workbook(out / "paper.xlsx")["About"]
    assert about["A3"].value == "Note" and about["B3"].value == NOTICE


def test_the_made_up_june_tracker_says_so() -> None:
    june = yaml.safe_load((DATA / "2021-06-hmicfrs-tracker.yaml").read_text(encoding="utf-8"))
    note = june["paper"]["note"]
    assert note.startswith("Illustrative paper:") and "not a published paper" in note
    september = yaml.safe_load((DATA / "2021-09-hmicfrs-tracker.yaml").read_text(encoding="utf-8"))
    assert "note" not in september["paper"]  # the published papers carry no notice
    page = render_html(view(Paper.model_validate(june), "june"), TEMPLATES)
    assert 'role="note"' in page and "Illustrative paper:" in page


def test_counts_table_headings_keep_their_words_whole_on_a_phone(seeds: Path, tmp_path: Path) -> None:
    """At 390 px the status columns are narrow: each heading must read on one line ('GRE EN' broke mid-word)."""
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no Chromium to lay the page out")
    page = (seeds / "2021-09-hmicfrs-tracker.html").read_text(encoding="utf-8")
    probe = """<script>
    const out = [...document.querySelectorAll('.counts-table thead th.count')].map(th => {
      const range = document.createRange(); range.selectNodeContents(th);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(getComputedStyle(th).writingMode.startsWith('vertical') ? r.left : r.top)));
      return th.textContent.trim() + '=' + lines.size;
    });
    const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = out.join('|'); document.body.append(pre);
    </script></body>"""
    probed = tmp_path / "probe.html"
    probed.write_text(page.replace("</body>", probe), encoding="utf-8")
    result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=390,2000", "--virtual-time-budget=2000",
                             "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'<pre id="probe">([^<]*)</pre>', result.stdout)
    assert found, result.stderr[-500:]
    headings = dict(entry.split("=") for entry in found.group(1).split("|"))
    assert set(headings) == {"GREEN", "NEW GREEN", "AMBER", "RED", "WHITE", "CLOSED", "Total"}
    assert all(lines == "1" for lines in headings.values()), headings


def _sizes_and_words(path: Path) -> tuple[set[float], list[str]]:
    with pdfplumber.open(path) as pdf:
        sizes = {round(ch["size"], 1) for page in pdf.pages for ch in page.chars}
        # the body of each page, without the running header and page number (a longer edition has more of them)
        words = [w for page in pdf.pages for w in (page.crop((0, 44, page.width, page.height - 40)).extract_text() or "").split()]
    return sizes, words


@pytest.mark.slow
def test_the_large_print_edition_has_12_pt_text_and_the_same_words(paper_file, tmp_path: Path) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    data = minimal()
    data["paper"]["layout"] = "response"
    for item in data["reports"][0]["items"]:
        item.pop("status", None), item.pop("status_note", None), item.pop("lead", None), item.pop("rationale", None)
    data["cover"] = {"meeting": "2021-10-13", "report_of": "Commissioner of Police", "author": "Strategic Development"}
    builds = {}
    for large in (False, True):
        data["paper"]["large_print"] = large
        out = tmp_path / f"out-{large}"
        (result,) = build([paper_file(data, f"paper-{large}")], out_dir=out, formats=("pdf", "docx", "html"))
        assert result.error is None, result.error
        builds[large] = out
    for stem in ("paper-{}", "paper-{}-cover"):
        normal, large = (_sizes_and_words(builds[flag] / f"{stem.format(flag)}.pdf") for flag in (False, True))
        assert min(normal[0]) < 12 <= min(large[0]), stem  # every character at 12 pt or more, page numbers too
        # the same words (a longer edition repeats more table headings, and lines break elsewhere)
        if "cover" in stem:  # no repeated headings: the same characters (a table's cells may be read in another order)
            assert sorted("".join(large[1])) == sorted("".join(normal[1]))
        else:
            assert set(large[1]) - {"(continued)"} == set(normal[1]) - {"(continued)"} and len(large[1]) >= len(normal[1])
    for name in ("paper-True.docx", "paper-True-cover.docx"):
        document = docx.Document(str(builds[True] / name))
        used = {p.style.name for p in document.paragraphs} | {p.style.name for t in document.tables for row in t.rows
                                                                for cell in row.cells for p in cell.paragraphs}
        for style in document.styles:
            if style.type == WD_STYLE_TYPE.PARAGRAPH and style.name in used:
                size = next((s.font.size for s in _chain(style) if s.font.size is not None), None)
                assert size is not None and size.pt >= 12, (name, style.name)
    page = (builds[True] / "paper-True.html").read_text(encoding="utf-8")
    assert "html { font-size: 12pt; }" in page
    assert "html { font-size: 12pt; }" not in (builds[False] / "paper-False.html").read_text(encoding="utf-8")


def _chain(style):  # noqa: ANN001, ANN202 - a python-docx style and the styles it is based on
    while style is not None:
        yield style
        style = style.base_style
