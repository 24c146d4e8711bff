"""What members read first: the executive summary (counts table, chart, RED and overdue) and the cover report.

The reference papers are built once per module; every check opens what was built (HTML, PDF,
Word) and compares it with the counts the report sentences use.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import io
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

import boardpack
from boardpack.chain import prepare
from boardpack.derive import PaperView, summary_sentence, view
from boardpack.derive.summary import counts_table, financial_quarter
from boardpack.model import Paper, When
from boardpack.palette import default_palette
from boardpack.render.chart.draw import chart_png, chart_svg

from ..conftest import DATA, minimal

TRACKER = DATA / "2021-09-hmicfrs-tracker.yaml"
RESPONSE = DATA / "2023-05-casey-response.yaml"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def paper_view(path: Path) -> PaperView:
    checked = prepare(path)
    assert checked.resolved is not None
    return view(checked.resolved.paper, path.stem, checked.resolved.changes)


@pytest.fixture(scope="module")
def built(reference_build: Path) -> Path:
    """The reference papers built once per session (read-only), in every format."""
    return reference_build


@pytest.fixture(scope="module")
def tracker() -> PaperView:
    return paper_view(TRACKER)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _pdf_text(data: bytes | Path, pages: int | None = None) -> str:
    """The text of the PDF, or of its first pages (the summary is at the front)."""
    with pdfplumber.open(io.BytesIO(data) if isinstance(data, bytes) else data) as pdf:
        return _flat(" ".join(page.extract_text() or "" for page in pdf.pages[:pages]))


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    return _flat(" ".join(t.text or "" for t in document.element.body.iter(qn("w:t"))))


# --- the counts table -------------------------------------------------------------------------


def _sentence_numbers(sentence: str) -> dict[str, int]:
    """What a report's summary sentence says about the rows of its table, in numbers.

    Two forms: 'There are 7 actions for the force: 1 complete, ...' and, for a report with
    published totals, '... Of the 5 in the table, 1 is newly complete, ...'.
    """
    found = {"own": 0, "complete": 0, "newly": 0, "closed": 0, "progress": 0, "RED": 0, "white": 0}
    table = re.search(r"(?:Of the|All) (\d+) in the table|The (one) in the table", sentence)
    if table is None and (match := re.search(r"There (?:is|are) (\d+) ", sentence)):
        found["own"] = int(match.group(1))
    clause = sentence[table.start():] if table else sentence
    shown = (1 if table.group(2) else int(table.group(1))) if table else found["own"]
    verb = r"(?:is |are )?"
    if match := re.search(rf"(\d+) {verb}complete \((\d+) newly\)", clause):
        found["complete"], found["newly"] = int(match.group(1)), int(match.group(2))
    elif match := re.search(rf"(\d+) {verb}newly complete|(?:all|which is|are|is) newly complete", clause):
        found["complete"] = found["newly"] = int(match.group(1)) if match.group(1) else shown
    elif match := re.search(rf"(\d+) {verb}complete|(?:all|which is|are|is) complete", clause):
        found["complete"] = int(match.group(1)) if match.group(1) else shown
    for key, word in (("closed", "closed"), ("progress", "in progress"), ("RED", "RED")):
        if match := re.search(rf"(\d+) {verb}{word}|(?:all|which is|are|is) {word}", clause):
            found[key] = int(match.group(1)) if match.group(1) else shown
    if match := re.search(r"(\d+) (?:more )?(?:is|are) for (?:an)?other organisations?", sentence):
        found["white"] = int(match.group(1))
    elif re.search(r"in the table (?:is|are) for (?:an)?other organisations?", sentence):
        found["white"] = shown
    if table:
        found["own"] = shown - found["white"]
    return found


def _table_numbers(statuses: list[str], counts: list[int], total: int) -> dict[str, int]:
    by = dict(zip(statuses, counts, strict=True))
    return {"own": total - by.get("WHITE", 0), "complete": by.get("GREEN", 0) + by.get("NEW GREEN", 0), "newly": by.get("NEW GREEN", 0),
            "closed": by.get("CLOSED", 0), "progress": by.get("AMBER", 0), "RED": by.get("RED", 0), "white": by.get("WHITE", 0)}


def _html_counts(page: str) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """The counts table as printed in the HTML: status columns, then (report, counts, total) rows."""
    table = re.search(r'<table class="counts-table">.*?</table>', page, re.DOTALL)
    assert table, "no counts table"
    statuses = [html_lib.unescape(s) for s in re.findall(r'<th scope="col" class="count rag [^"]+">([^<]+)</th>', table.group(0))]
    rows = []
    for row in re.findall(r"<tr(?: class=\"total-row\")?>(.*?)</tr>", table.group(0), re.DOTALL):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.DOTALL)
        if head is None:
            continue
        numbers = [int(n) for n in re.findall(r'<td class="count[^"]*"[^>]*>(\d+)</td>', row)]
        rows.append((html_lib.unescape(re.sub(r"<[^>]+>", "", head.group(1))), numbers[:-1], numbers[-1]))
    return statuses, rows


def test_the_printed_counts_table_agrees_with_every_report_sentence(built: Path, tracker: PaperView) -> None:
    page = (built / "2021-09-hmicfrs-tracker.html").read_text(encoding="utf-8")
    statuses, rows = _html_counts(page)
    assert statuses == ["GREEN", "NEW GREEN", "AMBER", "RED", "WHITE", "CLOSED"]
    assert len(rows) == len(tracker.reports) + 1 and rows[-1][0] == "Total"
    for report, (title, counts, total) in zip(tracker.reports, rows, strict=False):
        assert title == f"{report.number}. {report.title}"
        assert dict(zip(statuses, counts, strict=True)) == {s: report.counts.get(s, 0) for s in statuses}  # the sentence's own counts
        assert _table_numbers(statuses, counts, total) == _sentence_numbers(report.sentence), report.sentence
        assert total == sum(report.counts.values())
    _, counts, total = rows[-1]
    assert counts == [sum(r[1][n] for r in rows[:-1]) for n in range(len(statuses))] == [0, 17, 19, 8, 18, 4]
    assert total == 66
    assert _table_numbers(statuses, counts, total) == _sentence_numbers(tracker.summary.sentence)


def test_counts_table_of_the_response_paper_agrees_with_its_sentences() -> None:
    response = paper_view(RESPONSE)
    checked = prepare(RESPONSE)
    table = counts_table(checked.resolved.paper)
    statuses = [s.word for s in table.statuses]
    assert len(response.reports) == len(table.rows) == 1
    for report, row in zip(response.reports, table.rows, strict=True):  # addressed to the Met, not to the force
        assert row.total == 16 and statuses == ["GREEN", "AMBER", "RED", "WHITE"] and not any(row.counts)
        assert report.sentence.startswith(f"This review makes {row.total} recommendations to the Metropolitan Police Service;")
        assert summary_sentence(Counter({"": row.total}), "recommendation") == "There are 16 recommendations for the force."


def test_summary_is_in_all_three_tracker_outputs_and_only_tracker_papers(built: Path, tracker: PaperView) -> None:
    summary = tracker.summary
    page = (built / "2021-09-hmicfrs-tracker.html").read_text(encoding="utf-8")
    body = page[page.index("</header>"):]
    assert body.index('id="summary"') < body.index('id="changes"') < body.index("Traffic Light Colour")
    assert summary.changes_headline and html_lib.escape(summary.changes_headline, quote=False) in page
    pdf = _pdf_text(built / "2021-09-hmicfrs-tracker.pdf", pages=10)
    word = _docx_text(built / "2021-09-hmicfrs-tracker.docx")
    for text in (pdf, word):
        assert summary.sentence in text and summary.changes_headline in text
        assert "Items by status in each report" in text and "RED and overdue" in text and "8 items are RED." in text
        assert text.index("Summary") < text.index("Changes since June 2021") < text.index("Traffic Light Colour")
        for row in summary.attention:
            assert row.due in text and _flat(row.why.splitlines()[0])[:40] in text
    response_page = (built / "2023-05-casey-response.html").read_text(encoding="utf-8")
    assert '<section class="exec-summary"' not in response_page and "<svg" not in response_page
    assert "RED and overdue" not in _docx_text(built / "2023-05-casey-response.docx")


def test_word_counts_table_has_a_coloured_column_per_status(built: Path) -> None:
    document = docx.Document(str(built / "2021-09-hmicfrs-tracker.docx"))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Report")
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Report", "GREEN", "NEW GREEN", "AMBER", "RED", "WHITE", "CLOSED", "Total"]
    red = table.rows[0].cells[4]._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
    assert red is not None and red.get(qn("w:fill")) == default_palette()["RED"].fill
    assert [c.text for c in table.rows[-1].cells] == ["Total", "0", "17", "19", "8", "18", "4", "66"]
    assert len(table.rows) == 21  # a header, 19 reports with items (State of Policing has none: a line below) and Total


# --- the chart --------------------------------------------------------------------------------


def test_svg_has_title_and_desc_and_is_inline_in_html_and_pdf(built: Path, tracker: PaperView) -> None:
    page = (built / "2021-09-hmicfrs-tracker.html").read_text(encoding="utf-8")
    svg = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert svg
    element = etree.fromstring(svg.group(0).encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    title, desc = element.find("s:title", ns), element.find("s:desc", ns)
    assert title.text == "Items by RAG status in each report, September 2021"
    assert "19 reports" in desc.text and "66 items: 17 NEW GREEN, 19 AMBER, 8 RED, 18 WHITE and 4 CLOSED" in desc.text
    assert element.get("role") == "img" and element.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    labels = [t.text for t in element.iter("{http://www.w3.org/2000/svg}text")]
    assert "9. Disproportionate use of Police powers" in labels  # real text, searchable in the PDF
    assert "<?xml" not in page and "<metadata>" not in svg.group(0)
    reader = PdfReader(built / "2021-09-hmicfrs-tracker.pdf")
    alts = []

    def walk(node: object) -> None:
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt")))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                walk(kid)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert alts == [title.text]  # the PDF's figure takes its alternative text from the <title>
    front = _pdf_text(built / "2021-09-hmicfrs-tracker.pdf", pages=2).replace(" ", "")  # SVG text keeps no spaces for pdfplumber
    assert "9.DisproportionateuseofPolicepowers" in front and "19.PEEL:PoliceEffectiveness2017–National" in front


@pytest.mark.slow
def test_chart_is_byte_identical_across_runs_and_processes(tracker: PaperView) -> None:
    chart = tracker.summary.chart
    svg, (png, _) = chart_svg(chart), chart_png(chart)
    assert svg == chart_svg(chart) and png == chart_png(chart)[0]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in png and b"Date" not in svg.encode()
    code = ("import hashlib, sys; from tests.derive.test_summary import paper_view, TRACKER; from boardpack.render.chart.draw import chart_svg, chart_png; "
            "c = paper_view(TRACKER).summary.chart; "
            "print(hashlib.sha256(chart_svg(c).encode()).hexdigest(), hashlib.sha256(chart_png(c)[0]).hexdigest())")
    root = Path(__file__).resolve().parent.parent.parent
    other = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin", "HOME": str(root / ".venv")}).stdout.split()
    assert other == [hashlib.sha256(svg.encode()).hexdigest(), hashlib.sha256(png).hexdigest()]


@pytest.mark.slow
def test_chart_bytes_do_not_depend_on_which_fonts_of_its_family_a_machine_has(tracker: PaperView, tmp_path: Path) -> None:
    """Liberation Sans 1 beside 2 (Debian installs both with Chromium): matplotlib's cache order picked one."""
    chart = tracker.summary.chart
    expected = [hashlib.sha256(chart_svg(chart).encode()).hexdigest(), hashlib.sha256(chart_png(chart)[0]).hexdigest()]
    code = ("import hashlib, pathlib, matplotlib; from matplotlib import font_manager as fm; "
            "ttf = pathlib.Path(matplotlib.get_data_path(), 'fonts', 'ttf'); "
            # another font of the family, first in the cache: what the per-user cache order can give
            "fm.fontManager.ttflist[:0] = [fm.FontEntry(fname=str(ttf / f), name='Liberation Sans', weight=w, size='scalable') "
            "for f, w in (('DejaVuSans.ttf', 400), ('DejaVuSans-Bold.ttf', 700))]; "
            "from tests.derive.test_summary import paper_view, TRACKER; from boardpack.render.chart.draw import chart_svg, chart_png; "
            "c = paper_view(TRACKER).summary.chart; "
            "print(hashlib.sha256(chart_svg(c).encode()).hexdigest(), hashlib.sha256(chart_png(c)[0]).hexdigest())")
    root = Path(__file__).resolve().parent.parent.parent
    empty_cache = tmp_path / "matplotlib"
    empty_cache.mkdir()
    other = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MPLCONFIGDIR": str(empty_cache)}).stdout.split()
    assert other == expected
    assert any(empty_cache.glob("fontlist-*.json"))  # the cache was built afresh in that process


def test_word_chart_is_a_png_with_alt_text(built: Path, tracker: PaperView) -> None:
    path = built / "2021-09-hmicfrs-tracker.docx"
    with zipfile.ZipFile(path) as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and archive.read(media[0])[:4] == b"\x89PNG"
    (doc_pr,) = document.iter(f"{{{WP}}}docPr")
    assert doc_pr.get("title") == tracker.summary.chart.title
    assert doc_pr.get("descr") == tracker.summary.chart.desc and "8 RED" in doc_pr.get("descr")


def test_financial_year_quarters() -> None:
    assert financial_quarter(When(2021, 9)) == "Q2 July–September 2021"
    assert financial_quarter(When(2021, 4, 30)) == "Q1 April–June 2021"
    assert financial_quarter(When(2021, 12)) == "Q3 October–December 2021"
    assert financial_quarter(When(2022, 2)) == "Q4 January–March 2022"


# --- the cover report ---------------------------------------------------------------------------


def _cover_checks(text: str, tracker: PaperView) -> None:
    text = re.sub(r":(?=\S)", ": ", text)  # a label and its value are separate runs, sometimes read without a space
    cover = tracker.cover
    assert cover is not None
    for words in ("Committee(s): Police Authority Board", "Dated: 13 October 2021", "Public", "For Information",
                  "Subject: Quarterly HMICFRS update (Q2 July–September 2021)", "Report of: Commissioner of Police",
                  "Report author: Strategic Development, City of London Police", "Members are asked to note the report.",
                  "Appendix A – HMICFRS Report Recommendations", "8 items are RED.", tracker.summary.sentence,
                  "Her Majesty's Inspectorate of Constabulary"):
        assert words in text, words
    for status, count in zip(cover.counts.statuses, cover.counts.total.counts, strict=True):
        assert f"{status.word} {count} " in text, status.word
    assert f"Total {sum(tracker.counts.values())}" in text
    assert "Newly RED 5" in text and "Due dates extended 12" in text
    for row in cover.red:
        assert f"{row.report}, No. {row.ref}" in text


def test_cover_report_numbers_come_from_the_counts(built: Path, tracker: PaperView) -> None:
    assert tracker.cover is not None and tracker.counts["RED"] == len(tracker.cover.red) == 8
    pdf = _pdf_text(built / "2021-09-hmicfrs-tracker-cover.pdf")
    _cover_checks(pdf, tracker)
    assert "Page 1 of" in pdf
    word = _docx_text(built / "2021-09-hmicfrs-tracker-cover.docx")
    _cover_checks(word, tracker)
    assert not (built / "2023-05-casey-response-cover.pdf").exists()


@pytest.mark.client
def test_cover_docx_opens_in_libreoffice(reference_word_pdf: dict[str, Path]) -> None:
    text = _pdf_text(reference_word_pdf["2021-09-hmicfrs-tracker-cover"])
    assert "Quarterly HMICFRS update (Q2 July–September" in text and "What is RED and why" in text  # the cell wraps before 2021


def test_non_public_cover_needs_its_exempt_paragraphs(paper_file, tmp_path: Path) -> None:
    data = minimal()
    data["cover"] = {"meeting": "2021-10-13", "report_of": "Commissioner of Police", "author": "Strategic Development", "public": False}
    (result,) = boardpack.check([paper_file(data)])
    assert [p.where for p in result.errors] == ["cover"] and "exempt" in result.errors[0].message
    data["cover"].update(exempt="3", purpose="decision", subject="Quarterly inspection update",
                         recommendation="Members are asked to:\n\n- note the report;\n- agree the closures.")
    cover = view(Paper.model_validate(data), "p").cover
    assert cover.marking == "Non-public: exempt under paragraph(s) 3 of Part I of Schedule 12A to the Local Government Act 1972"
    assert (cover.purpose, cover.subject) == ("For Decision", "Quarterly inspection update (Q2 July–September 2021)")


@pytest.mark.slow
def test_format_pdf_builds_the_cover_pdf_and_a_removed_cover_removes_its_report(paper_file, tmp_path: Path) -> None:
    data = minimal()
    data["cover"] = {"meeting": "2021-10-13", "report_of": "Commissioner of Police", "author": "Strategic Development"}
    path = paper_file(data)
    out = tmp_path / "build"
    (result,) = boardpack.build([path], out_dir=out, formats=("pdf",))
    assert result.error is None and [p.name for p in result.outputs] == ["paper.pdf", "paper-cover.pdf"]
    text = _pdf_text(out / "paper-cover.pdf")
    assert "1 item is RED." in text and "Fix the backlog." in text and "Vacancies in the unit." in text
    assert "No due date has been extended." not in text  # item 3 moved from June to December 2021
    del data["cover"]
    path.write_text(__import__("yaml").safe_dump(data, sort_keys=False), encoding="utf-8")
    (result,) = boardpack.build([path], out_dir=out, formats=("pdf",))
    assert [p.name for p in result.outputs] == ["paper.pdf"] and not (out / "paper-cover.pdf").exists()


# --- every count printed twice agrees ------------------------------------------------------------

_HEADLINE_WORDS = {"newly complete": "Newly complete", "newly RED": "Newly RED", "reopened": "Reopened", "closed": "Closed",
                   "other status change": "Other status changes", "due date extended": "Due dates extended",
                   "due dates extended": "Due dates extended", "new report": "New reports", "new reports": "New reports",
                   "new item": "New items", "new items": "New items", "report removed": "Removed reports",
                   "reports removed": "Removed reports", "item removed": "Removed items", "items removed": "Removed items"}


def _printed_counts(page: str, cover: str) -> dict[str, set[int]]:
    """Every count the paper (its web page) and its cover report (text) give, by what it counts: each should have one value."""
    found: dict[str, set[int]] = {}

    def add(key: str, value: int) -> None:
        found.setdefault(key, set()).add(value)

    text = _flat(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))
    for source in (text, cover):
        sentence = re.search(r"There (?:is|are) \d+ actions? for the force[^.]*\.", source)
        assert sentence, "no summary sentence"
        numbers = _sentence_numbers(sentence.group(0))
        add("NEW GREEN", numbers["newly"])
        add("RED", numbers["RED"])
        headline = re.search(r"Since \w+ \d{4}: (.*?)\.", source)
        if headline:
            for number, words in re.findall(r"(\d+) (?:items? )?([a-zA-Z ]+?)(?=,| and |$)", headline.group(1)):
                add(_HEADLINE_WORDS[words.strip()], int(number))
        if match := re.search(r"(\d+) items? (?:is|are) RED", source):
            add("RED", int(match.group(1)))
    statuses, rows = _html_counts(page)
    total = dict(zip(statuses, rows[-1][1], strict=True))
    for status in ("NEW GREEN", "RED"):
        add(status, total.get(status, 0))
    add("items", rows[-1][2])
    for heading, body in re.findall(r"<h3>([^<]+)</h3>\s*<table class=\"changes-table[^\"]*\">(.*?)</table>", page, re.DOTALL):
        add(heading, len(re.findall(r"<tr><td", body)))
    if "NEW GREEN" in found and "Newly complete" in found:
        found["NEW GREEN"] |= found.pop("Newly complete")  # the same thing: what became complete since the last paper
    for status in ("NEW GREEN", "RED"):
        if match := re.search(rf"(?<!Newly )(?<!NEW )\b{status} (\d+) ", cover):
            add(status, int(match.group(1)))
    for heading in set(_HEADLINE_WORDS.values()) & set(found):
        if match := re.search(rf"\b{re.escape(heading)} (\d+)\b", cover.split("Changes since", 1)[-1]):
            add(heading, int(match.group(1)))
    if match := re.search(r"on the (\d+) items? of", cover):
        add("items", int(match.group(1)))
    if match := re.search(r"Total (\d+)", cover):
        add("items", int(match.group(1)))
    return found


def _disagreements(found: dict[str, set[int]]) -> dict[str, set[int]]:
    return {key: values for key, values in found.items() if len(values) != 1}


def test_every_count_printed_twice_agrees_in_the_reference_paper(built: Path) -> None:
    page = (built / "2021-09-hmicfrs-tracker.html").read_text()
    for cover in (_pdf_text(built / "2021-09-hmicfrs-tracker-cover.pdf"), _docx_text(built / "2021-09-hmicfrs-tracker-cover.docx")):
        found = _printed_counts(page, cover)
        assert not _disagreements(found), _disagreements(found)
        assert found["NEW GREEN"] == {17} and found["RED"] == {8} and found["items"] == {66}
        assert found["New reports"] == {4} and found["Due dates extended"] == {12}


@pytest.mark.slow
def test_every_count_printed_twice_agrees_in_a_rolled_on_paper(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for path in (TRACKER, DATA / "2021-06-hmicfrs-tracker.yaml"):
        shutil.copy(path, folder)
    from ..conftest import run

    code, _, err = run("roll", str(folder / TRACKER.name), "--to", "2021-12", "-o", str(folder / "2021-12-hmicfrs-tracker.yaml"))
    assert code == 0, err
    rolled = folder / "2021-12-hmicfrs-tracker.yaml"
    text = rolled.read_text()
    text = text.replace("status: AMBER", "status: GREEN", 3)  # three items complete this quarter
    text = text.replace("\nreports:\n", """
reports:
  - title: A report new this quarter
    published: 2021-11-02
    items:
      - ref: "1"
        text: Forces should do one thing.
        status: GREEN
      - ref: "2"
        text: Forces should do another.
        status: AMBER
        due: 2022-03
  - title: An annual assessment with nothing for the force
    published: 2021-11-20
    items: []
""", 1)
    rolled.write_text(text)
    out = tmp_path / "build"
    (result,) = boardpack.build([rolled], out_dir=out, formats=("html", "docx"))
    assert result.error is None, result.error
    page = (out / "2021-12-hmicfrs-tracker.html").read_text()
    found = _printed_counts(page, _docx_text(out / "2021-12-hmicfrs-tracker-cover.docx"))
    assert not _disagreements(found), _disagreements(found)
    assert found["NEW GREEN"] == {4} and found["New reports"] == {2}


# --- a report with no items ---------------------------------------------------------------------------

STATE = "State of Policing: The Annual Assessment of Policing in England and Wales 2020"


def test_a_report_with_no_items_is_a_line_not_a_bar_a_row_or_a_section(built: Path, tracker: PaperView) -> None:
    assert tracker.summary is not None
    assert STATE not in [row.title for row in tracker.summary.counts.rows]
    assert not any(STATE in label or "State of Policing" in label for label in tracker.summary.chart.labels)
    assert STATE not in [report.title for report in tracker.reports] and STATE not in [e.title for e in tracker.contents]
    line = f"“{STATE}” (published 21 July 2021) makes no recommendations for the force."
    page = html_lib.unescape((built / "2021-09-hmicfrs-tracker.html").read_text())
    assert page.count(line) == 1 and "There are no actions for the force." not in page and "0 items" not in page
    assert f"<td data-label=\"Report\">{STATE}</td><td data-label=\"Items\">No recommendations for the force</td>" in page
    pdf = _pdf_text(built / "2021-09-hmicfrs-tracker.pdf")
    assert _flat(line) in pdf and "There are no actions for the force." not in pdf and "0 items" not in pdf
    word = _docx_text(built / "2021-09-hmicfrs-tracker.docx")
    assert line in word and "There are no actions for the force." not in word and "0 items" not in word
    assert f"{STATE} No recommendations for the force" in word
    numbers = [row.number for row in tracker.summary.counts.rows]
    assert numbers == list(range(1, len(numbers) + 1)) == [report.number for report in tracker.reports]


# --- the cover's corporate implications ---------------------------------------------------------------


@pytest.mark.slow
def test_the_cover_prints_the_implications_given_and_only_those(paper_file, tmp_path: Path) -> None:
    data = minimal()
    data["cover"] = {"meeting": "2021-10-13", "report_of": "Commissioner of Police", "author": "Strategic Development",
                     "implications": {"financial": "None beyond the force's existing budgets.", "legal": "None.",
                                      "equalities": "Assessed for its **equality impact**: no adverse impact.", "climate": "None."}}
    out = tmp_path / "out"
    (result,) = boardpack.build([paper_file(data)], out_dir=out, formats=("pdf", "docx"))
    assert result.error is None, result.error
    given = ["Financial implications", "Legal implications", "Equalities implications", "Climate implications"]
    pdf = _pdf_text(out / "paper-cover.pdf")
    word = _docx_text(out / "paper-cover.docx")
    for text in (pdf, word):
        assert "Corporate & strategic implications" in text
        assert [h for h in re.findall(r"\b(\w+) implications\b", text) if h != "strategic"] == [h.split()[0] for h in given]
        assert "Assessedforitsequalityimpact:noadverseimpact." in text.replace(" ", "")  # Word: one text run each
        assert "Security implications" not in text and "Risk implications" not in text
    headings = [p.text for p in docx.Document(str(out / "paper-cover.docx")).paragraphs if p.style.name == "Heading 3"]
    assert [h for h in headings if h.endswith("implications")] == given
    data["cover"]["implications"] = {"finance": "Typo."}
    (checked,) = boardpack.check([paper_file(data, "typo")])
    (problem,) = checked.errors
    assert problem.where == "cover.implications.finance" and "financial" in problem.message


def test_a_cover_without_implications_prints_no_such_section(built: Path) -> None:
    assert "implications" not in _pdf_text(built / "2021-09-hmicfrs-tracker-cover.pdf")


def test_chart_labels_are_whole_titles_and_new_green_is_patterned(tracker: PaperView) -> None:
    assert tracker.summary is not None
    chart = tracker.summary.chart
    for label, row in zip(chart.labels, tracker.summary.counts.rows, strict=True):
        assert "…" not in label and label.replace("\n", " ") == f"{row.number}. {row.title}"
    svg = chart_svg(chart)
    assert "…" not in svg
    from boardpack.render.chart.draw import HATCH

    assert {"RED", "NEW GREEN"} <= set(HATCH) and HATCH["NEW GREEN"] not in (HATCH["RED"], HATCH["CLOSED"])  # apart in grey
