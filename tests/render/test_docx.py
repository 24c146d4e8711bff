"""The Word renderer: real content in real Word structures, safe with hostile text, reproducible.

Each docxtpl trap has a guard here: autoescape (#557, #634), cellbg on a short <w:tcPr/>
(#559, #342), nested row loops (#547) and tags split across runs by Word (#440).
"""

from __future__ import annotations

import copy
import importlib.util
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import RGBColor
from lxml import etree

from boardpack.derive import PaperView, view
from boardpack.errors import RenderError
from boardpack.model import Paper
from boardpack.palette import default_palette
from boardpack.render.word import render_docx

from ..conftest import soffice

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
TRACKER = TEMPLATES / "tracker.docx"
RESPONSE = TEMPLATES / "response.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}

PALETTE = default_palette()
"""The shipped palette: what every output is painted in unless a templates folder has its own."""

PAPER: dict[str, Any] = {
    "paper": {
        "title": "HMICFRS Report Recommendations & <select> tracker",
        "appendix": "A",
        "period": "2021-09",
        "committee": "Police Authority Board",
        "organisation": "City of London Police",
        "layout": "tracker",
        "classification": "OFFICIAL & SENSITIVE",
    },
    "reports": [
        {
            "title": "A review of 'Fraud: Time to choose' {{ 7*7 }}",
            "scope": "national",
            "published": "2021-08-05",
            "summary": "See the [inspection report](https://www.justiceinspectorates.gov.uk/hmicfrs/) for context.",
            "items": [
                {
                    "ref": "R1",
                    "type": "Recommendation",
                    "to": "chief constables",
                    "text": "Follow <script>alert('x')</script> & report {% if x %}{{ 7*7 }}{% endif %}.",
                    "status": "AMBER",
                    "status_note": "pending Transform changes",
                    "due": ["2021-09", {"date": "2021-11", "note": "to further assess performance"}],
                    "comment": (
                        "[Current position:]{.underline} Being considered[^1].\n\n"
                        "- first bullet\n- second bullet\n  - nested bullet\n\n"
                        "1. step one\n2. step two\n\n"
                        "Between the lists, *italic* and **bold** and a [link](https://example.org/a?b=1&c=2).\n\n"
                        "3) step three\n4) step four\n\n"
                        "[^1]: Note text with a [source](https://example.org/note).\n"
                    ),
                },
                {
                    "ref": "R2",
                    "type": "Area for Improvement",
                    "text": "Improve data.",
                    "status": "NEW GREEN",
                    "due": "2021-07",
                    "comment": "**Done** in July.",
                    "tasks": [
                        {"ref": "R2.1", "text": "Write the report.", "position": "Written.", "status": "GREEN"},
                        {"ref": "R2.2", "text": "Publish the report.", "position": "Drafting.", "status": "AMBER", "due": "2021-12"},
                    ],
                },
                {
                    "ref": "R3",
                    "type": "Recommendation",
                    "text": "Fix the backlog.",
                    "status": "RED",
                    "rationale": "Vacancies in the unit.",
                    "due": ["2021-06", "2021-12"],
                    "comment": "Recruiting: Ελληνικά, 中文, עברית, Ünïcødé.",
                },
                {"ref": "R4", "type": "Suggested Action", "text": "Change the law.", "status": "WHITE", "lead": "Home Office"},
                {"ref": "R5", "type": "Cause of Concern", "text": "Old matter.", "status": "CLOSED", "due": "2021-01"},
                {"ref": "R6", "text": "Late matter.", "status": "AMBER", "due": "2021-03", "comment": "Late."},
            ],
        },
        {"title": "State of Policing 2020", "published": "2021-07", "items": []},
        {
            "title": "Second table",
            "items": [
                {"ref": "R7", "type": "Recommendation", "text": "Keep tables apart.", "status": "GREEN", "due": "2021-05"},
            ],
        },
    ],
}

REFS = ["R1", "R2", "R2.1", "R2.2", "R3", "R4", "R5", "R6", "R7"]


def paper_view(data: dict[str, Any] | None = None, name: str = "appendix-a") -> PaperView:
    return view(Paper.model_validate(copy.deepcopy(data or PAPER)), name)


def response_data(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(PAPER)
    data["paper"]["layout"] = "response"
    for report in data["reports"]:
        for item in report["items"]:
            item["owner"] = "Economic Crime Directorate"
    data["paper"].update(changes)
    return data


def open_docx(blob: bytes) -> Any:
    return docx.Document(io.BytesIO(blob))


def text(element: Any) -> str:
    """All the text of an element; line breaks as newlines."""
    out = []
    for node in element.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
        out.append(node.text or "" if node.tag == qn("w:t") else "\n" if node.tag == qn("w:br") else "\t")
    return "".join(out)


def paras(element: Any) -> list[str]:
    return [text(p) for p in element.iter(qn("w:p"))]


def part_xml(blob: bytes, name: str) -> Any:
    """A part parsed strictly: any malformed XML fails here, unlike docxtpl's recovering parser."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return etree.fromstring(archive.read(name))


def entries(blob: bytes) -> list[tuple[str, bytes]]:
    """A package's parts in order, uncompressed: equal whatever zlib compressed them."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def data_tables(doc: Any) -> list[Any]:
    return [t for t in doc.tables if t.rows and text(t.rows[0].cells[0]._tc) == "No."]


def legend_table(doc: Any) -> Any:
    """The legend: after the executive summary's tables in a tracker paper."""
    return next(t for t in doc.tables if text(t.rows[0].cells[0]._tc) == "Traffic Light Colour")


def body_rows(table: Any) -> list[Any]:
    return [row for row in table.rows[1:]]


def column(table: Any, label: str) -> int:
    labels = [text(cell._tc) for cell in table.rows[0].cells]
    return labels.index(label)


def cell_fill(tc: Any) -> str | None:
    shd = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
    return shd.get(qn("w:fill")) if shd is not None else None


@pytest.fixture(scope="module")
def tracker_blob() -> bytes:
    return render_docx(paper_view(), TRACKER)


@pytest.fixture(scope="module")
def tracker(tracker_blob: bytes) -> Any:
    return open_docx(tracker_blob)


@pytest.fixture(scope="module")
def document_text(tracker: Any) -> str:
    return text(tracker.element.body)


# --- structure and content ----------------------------------------------------------------


def test_a4_landscape_with_running_header_and_page_x_of_y(tracker: Any) -> None:
    section = tracker.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    assert text(section.header._element) == "Appendix A · September 2021 · OFFICIAL & SENSITIVE"
    footer = section.footer._element
    instructions = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert text(footer).startswith("Page ") and " of " in text(footer)
    assert len(footer.findall(f".//{qn('w:fldChar')}")) == 6


def test_title_block_in_named_styles(tracker: Any) -> None:
    styled = [(p.style.name, p.text) for p in tracker.paragraphs[:8]]
    assert ("Subtitle", "City of London Police") in styled
    assert ("Subtitle", "Police Authority Board") in styled
    assert ("Subtitle", "Appendix A") in styled
    assert ("Subtitle", "September 2021") in styled
    assert ("Title", "HMICFRS Report Recommendations & <select> tracker") in styled


def test_one_heading_1_per_report(tracker: Any) -> None:
    headings = [p.text for p in tracker.paragraphs if p.style.name == "Heading 1"]
    # the executive summary, then one per report that has items (the one without is a line under the counts table)
    assert headings == ["Summary", *(r["title"] for r in PAPER["reports"] if r["items"])]


def test_byline_sentence_and_markdown_summary(tracker: Any, document_text: str) -> None:
    paragraphs = [(p.style.name, p.text) for p in tracker.paragraphs]
    assert ("Byline", "A national report by HMICFRS") in paragraphs
    assert ("Byline", "Published 5 August 2021") in paragraphs
    sentence = paper_view().reports[0].sentence
    assert ("Report Summary", sentence) in paragraphs
    assert ("Body Text", "“State of Policing 2020” (published July 2021) makes no recommendations for the force.") in paragraphs
    assert "There are no actions for the force." not in [text for _, text in paragraphs]
    assert "See the inspection report for context." in document_text


def test_every_ref_and_status_word_in_one_table_per_report(tracker: Any) -> None:
    tables = data_tables(tracker)
    assert len(tables) == 2  # the report without items has no table
    refs = [text(row.cells[0]._tc) for t in tables for row in body_rows(t)]
    assert refs == REFS  # tasks follow their item in the one flat row loop (#547)
    statuses = [paras(row.cells[column(t, "Status")]._tc)[0] for t in tables for row in body_rows(t)]
    assert statuses == ["AMBER", "NEW GREEN", "GREEN", "AMBER", "RED", "WHITE", "CLOSED", "AMBER", "GREEN"]


def test_rag_cells_shaded_with_the_status_colour(tracker: Any) -> None:
    shaded = 0
    for table in data_tables(tracker):
        index = column(table, "Status")
        for row in body_rows(table):
            tc = row.cells[index]._tc
            word = paras(tc)[0]
            assert cell_fill(tc) == PALETTE[word].fill, word
            ink = tc.find(f".//{qn('w:r')}/{qn('w:rPr')}/{qn('w:color')}")
            assert ink.get(qn("w:val")) == PALETTE[word].ink
            shaded += 1
    assert shaded == len(REFS)


def test_cell_properties_in_schema_order(tracker_blob: bytes) -> None:
    order = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd"]
    cells = list(part_xml(tracker_blob, "word/document.xml").iter(f"{{{W}}}tcPr"))
    assert len(cells) > 100  # every cell of the summary, legend and item tables
    for tcpr in cells:
        tags = [etree.QName(child).localname for child in tcpr]
        known = [tag for tag in tags if tag in order]
        assert known == sorted(known, key=order.index), tags


def test_legend_table_is_shaded(tracker: Any) -> None:
    legend = legend_table(tracker)
    assert [text(c._tc) for c in legend.rows[0].cells] == ["Traffic Light Colour", "Definition of target achievement"]
    words = []
    for row in legend.rows[1:]:
        word = text(row.cells[0]._tc)
        words.append(word)
        assert cell_fill(row.cells[0]._tc) == PALETTE[word].fill
    assert words == ["GREEN", "NEW GREEN", "AMBER", "RED", "WHITE", "CLOSED"]


def test_header_rows_repeat_and_body_rows_may_break(tracker: Any) -> None:
    tables = [legend_table(tracker), *data_tables(tracker)]
    assert len(tables) == 3 and sum(len(body_rows(table)) for table in tables) == 15  # the legend's six rows and the nine items
    for table in tables:
        header = table.rows[0]._tr
        assert header.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        for row in body_rows(table):
            assert row._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None


def test_a_long_row_is_one_row_that_may_break_across_pages_and_short_rows_are_kept_whole() -> None:
    data = copy.deepcopy(PAPER)
    data["reports"][0]["items"][5]["comment"] = "\n\n".join(f"Paragraph {n} of a long update." for n in range(60))
    doc = open_docx(render_docx(paper_view(data), TRACKER))
    table = data_tables(doc)[0]
    comment = column(table, "Comment")
    rows = {text(row.cells[0]._tc): row for row in body_rows(table)}
    assert [ref for ref in rows if ref.startswith("R6")] == ["R6"]  # one row: Word breaks it where the page ends, no "(continued)" parts
    assert rows["R6"]._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is None
    assert [p for p in paras(rows["R6"].cells[comment]._tc) if p] == [f"Paragraph {n} of a long update." for n in range(60)]
    assert rows["R5"]._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None


def test_row_details(tracker: Any) -> None:
    table = data_tables(tracker)[0]
    rows = {text(row.cells[0]._tc): row.cells for row in body_rows(table)}
    rec, status, due, comment = (column(table, label) for label in ("Recommendations & Areas for Improvement", "Status", "Due Date", "Comment"))
    first = rows["R1"][rec]._tc
    assert paras(first) == ["To chief constables", "Recommendation Follow <script>alert('x')</script> & report {% if x %}{{ 7*7 }}{% endif %}."]
    lead_in = first.findall(f".//{qn('w:r')}")[1]
    assert text(lead_in) == "Recommendation"
    assert lead_in.find(f"{qn('w:rPr')}/{qn('w:rStyle')}").get(qn("w:val")) == "LeadIn"
    assert tracker.styles["Lead In"].font.underline is True
    assert paras(rows["R1"][status]._tc) == ["AMBER", "pending Transform changes"]
    assert paras(rows["R1"][due]._tc) == ["September 2021", "Now November 2021 to further assess performance",  # a paragraph each, spaced
                                          "Extended once: 2 months after the first date (September 2021)"]
    assert paras(rows["R6"][due]._tc) == ["March 2021", "Overdue"]
    assert "Overdue" not in text(rows["R1"][due]._tc)
    assert "Rationale: Vacancies in the unit." in paras(rows["R3"][status]._tc)  # beside the status, as the lead is
    assert "Rationale" not in text(rows["R3"][comment]._tc)
    ink = [c.get(qn("w:val")) for c in rows["R3"][status]._tc.iter(qn("w:color"))]
    assert ink and set(ink) == {PALETTE["RED"].ink}  # the rationale reads in the status ink on the RED fill
    assert "Rationale" not in text(rows["R1"][comment]._tc)
    assert paras(rows["R4"][status]._tc) == ["WHITE", "Lead: Home Office"]
    assert text(rows["R2.1"][rec]._tc) == "Task Write the report."
    assert text(rows["R2.1"][comment]._tc) == "Current position: Written."
    assert text(rows["R4"][due]._tc) == "No date set by HMICFRS"


def test_markdown_lists_use_word_numbering(tracker: Any) -> None:
    numbering = tracker.part.numbering_part.element
    cell = data_tables(tracker)[0].rows[1].cells[-1]._tc
    items = []
    for p in cell.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            continue
        ilvl = int(num_pr.find(qn("w:ilvl")).get(qn("w:val")))
        num_id = int(num_pr.find(qn("w:numId")).get(qn("w:val")))
        num = numbering.num_having_numId(num_id)
        abstract = numbering.find(f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{num.abstractNumId.val}']")
        fmt = abstract.find(f"{qn('w:lvl')}[@{qn('w:ilvl')}='{ilvl}']/{qn('w:numFmt')}").get(qn("w:val"))
        start = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        items.append((text(p), style.get(qn("w:val")), ilvl, num_id, fmt, int(start.get(qn("w:val"))) if start is not None else None))
    bullets = [i for i in items if i[1] == "ListBullet"]
    numbers = [i for i in items if i[1] == "ListNumber"]
    assert [(t, lvl, fmt) for t, _, lvl, _, fmt, _ in bullets] == [
        ("first bullet", 0, "bullet"),
        ("second bullet", 0, "bullet"),
        ("nested bullet", 1, "bullet"),
    ]
    assert [(t, fmt) for t, _, _, _, fmt, _ in numbers] == [
        ("step one", "decimal"),
        ("step two", "decimal"),
        ("step three", "decimal"),
        ("step four", "decimal"),
    ]
    assert numbers[0][3] == numbers[1][3] != numbers[2][3] == numbers[3][3]  # the second list restarts
    assert (numbers[0][5], numbers[2][5]) == (1, 3)


def test_inline_formatting_and_real_hyperlinks(tracker: Any, tracker_blob: bytes) -> None:
    cell = data_tables(tracker)[0].rows[1].cells[-1]._tc
    runs = {text(r): r for r in cell.iter(qn("w:r"))}
    assert runs["bold"].find(f"{qn('w:rPr')}/{qn('w:b')}") is not None
    assert runs["italic"].find(f"{qn('w:rPr')}/{qn('w:i')}") is not None
    assert runs["Current position:"].find(f"{qn('w:rPr')}/{qn('w:u')}").get(qn("w:val")) == "single"
    links = cell.findall(f".//{qn('w:hyperlink')}")
    assert [text(link) for link in links] == ["link"]
    rel = tracker.part.rels[links[0].get(qn("r:id"))]
    assert rel.is_external and rel.target_ref == "https://example.org/a?b=1&c=2"
    summary = [p for p in tracker.paragraphs if "inspection report" in text(p._p)][0]
    link = summary._p.find(qn("w:hyperlink"))
    assert tracker.part.rels[link.get(qn("r:id"))].target_ref == "https://www.justiceinspectorates.gov.uk/hmicfrs/"


def test_footnotes_are_real_word_footnotes(tracker_blob: bytes) -> None:
    document = part_xml(tracker_blob, "word/document.xml")
    refs = document.xpath("//w:footnoteReference/@w:id", namespaces=NS)
    assert len(refs) == 1
    notes = part_xml(tracker_blob, "word/footnotes.xml")
    note = notes.xpath(f"//w:footnote[@w:id='{refs[0]}']", namespaces=NS)[0]
    assert "Note text with a source." in "".join(note.itertext())
    assert note.xpath(".//w:footnoteRef", namespaces=NS)
    link = note.xpath(".//w:hyperlink/@r:id", namespaces=NS)[0]
    rels = part_xml(tracker_blob, "word/_rels/footnotes.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    assert targets[link] == "https://example.org/note"
    assert "[^1]" not in text(document)


def test_document_parts_are_well_formed_word(tracker_blob: bytes) -> None:
    document = part_xml(tracker_blob, "word/document.xml")
    for tc in document.iter(f"{{{W}}}tc"):
        assert etree.QName(tc[-1]).localname == "p"  # Word needs a paragraph to close every cell
    body = document.find(f"{{{W}}}body")
    assert etree.QName(body[-2]).localname == "p" and etree.QName(body[-1]).localname == "sectPr"
    numbering = part_xml(tracker_blob, "word/numbering.xml")
    defined = set(numbering.xpath("//w:num/@w:numId", namespaces=NS))
    assert set(document.xpath("//w:numPr/w:numId/@w:val", namespaces=NS)) <= defined
    leftovers = [t for t in document.itertext() if "{%tr" in t or "{%p" in t or "{%tc" in t or "cellbg" in t]
    assert leftovers == []


# --- hostile text -------------------------------------------------------------------------


def test_markup_and_template_syntax_in_data_print_literally(document_text: str, tracker: Any) -> None:
    assert "Follow <script>alert('x')</script> & report {% if x %}{{ 7*7 }}{% endif %}." in document_text
    assert "A review of 'Fraud: Time to choose' {{ 7*7 }}" in document_text
    assert "HMICFRS Report Recommendations & <select> tracker" in document_text
    assert "49" not in document_text
    assert "Recruiting: Ελληνικά, 中文, עברית, Ünïcødé." in document_text
    assert tracker.core_properties.title == "HMICFRS Report Recommendations & <select> tracker"


def test_control_characters_never_corrupt_the_file() -> None:
    data = copy.deepcopy(PAPER)
    item = data["reports"][0]["items"][1]
    item["text"] = "before\vafter\fpage\x00nul\x1besc\x08bs\ufffeend"
    item["comment"] = "line one\vline two"
    data["reports"][0]["title"] = "Title\vwith\x07bell"
    data["reports"][0]["items"][2]["status_note"] = "note\x0bbroken"
    blob = render_docx(paper_view(data), TRACKER)
    part_xml(blob, "word/document.xml")  # strict parse: no recovery
    raw = zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml").decode("utf-8")
    assert not any(ch in raw for ch in "\x00\x07\x08\x0b\x0c\x1b\ufffe")
    doc = open_docx(blob)
    rows = {text(row.cells[0]._tc): row.cells for row in body_rows(data_tables(doc)[0])}
    assert text(rows["R2"][1]._tc) == "Area for Improvement before\nafter\npagenulescbsend"
    assert text(rows["R2"][-1]._tc) == "line one\nline two"
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][1] == "Title\nwithbell"
    assert "note\nbroken" in text(rows["R3"][2]._tc)


def test_docxtpl_unescape_markers_in_data_stay_as_typed() -> None:
    data = copy.deepcopy(PAPER)
    data["reports"][0]["items"][0]["comment"] = "a {\\_{ b }\\_} c {\\_% d %\\_} e"  # Markdown escapes: literal _
    data["reports"][0]["items"][0]["status_note"] = "n {_% y %_}"
    data["reports"][0]["title"] = "t {_{ x }_}"
    doc = open_docx(render_docx(paper_view(data), TRACKER))
    body = text(doc.element.body)
    assert "a {_{ b }_} c {_% d %_} e" in body
    assert "n {_% y %_}" in body
    assert "t {_{ x }_}" in body


# --- reproducibility ----------------------------------------------------------------------


def test_two_renders_are_byte_identical(tracker_blob: bytes) -> None:
    again = render_docx(paper_view(), TRACKER)
    assert again == tracker_blob
    with zipfile.ZipFile(io.BytesIO(tracker_blob)) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert len({info.filename for info in infos}) == len(infos)


def test_core_properties_come_from_the_paper(tracker: Any) -> None:
    props = tracker.core_properties
    assert props.author == "City of London Police"
    assert props.subject == "Police Authority Board"
    assert props.created.date().isoformat() == props.modified.date().isoformat() == "2021-09-01"
    assert props.last_modified_by == "City of London Police"


def test_generator_makes_templates_that_render(tmp_path: Path) -> None:
    """The committed templates may be restyled by the secretariat; the generator must still make working ones."""
    spec = importlib.util.spec_from_file_location("make_docx_templates", ROOT / "scripts" / "make_docx_templates.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = tmp_path / "tracker.docx"
    fresh.write_bytes(module.build("tracker"))
    doc = open_docx(render_docx(paper_view(), fresh))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]


# --- response layout ----------------------------------------------------------------------


def test_response_layout_columns() -> None:
    doc = open_docx(render_docx(paper_view(response_data()), RESPONSE))
    table = data_tables(doc)[0]
    assert [text(c._tc) for c in table.rows[0].cells] == ["No.", "Recommendation", "Force Task Owner", "Status", "Due Date", "Force Progress & Response"]
    assert [text(r.cells[0]._tc) for r in body_rows(table)] == REFS[:-1]
    assert text(body_rows(table)[0].cells[2]._tc) == "Economic Crime Directorate"
    for row in body_rows(table):
        word = paras(row.cells[3]._tc)[0]
        assert cell_fill(row.cells[3]._tc) == PALETTE[word].fill
    widths = [int(w) for w in table._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
    assert len(widths) == 6 and sum(widths) == 16838 - 2 * 1134


def test_response_layout_without_status_or_due_drops_those_columns() -> None:
    data = response_data()
    for report in data["reports"]:
        for item in report["items"]:
            for key in ("status", "status_note", "rationale", "lead", "due"):
                item.pop(key, None)
            for task in item.get("tasks", []):
                task.pop("status", None)
                task.pop("due", None)
    doc = open_docx(render_docx(paper_view(data), RESPONSE))
    assert len(doc.tables) == 2  # no legend without statuses
    table = data_tables(doc)[0]
    assert [text(c._tc) for c in table.rows[0].cells] == ["No.", "Recommendation", "Force Task Owner", "Force Progress & Response"]
    for row in table.rows:
        assert len(row.cells) == 4
    widths = [int(w) for w in table._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
    assert len(widths) == 4 and sum(widths) == 16838 - 2 * 1134


# --- templates a secretary edits -----------------------------------------------------------


def test_template_tags_split_across_runs_still_render(tmp_path: Path) -> None:
    """Word splits a tag into several runs after edits (#440)."""
    doc = docx.Document(str(TRACKER))
    heading = next(p for p in doc.paragraphs if p.text == "{{ report.title }}")
    run = heading.runs[0]._r
    for piece in reversed(["{{ rep", "ort.ti", "tle }}"]):
        clone = copy.deepcopy(run)
        clone.find(qn("w:t")).text = piece
        run.addnext(clone)
        run.addnext(etree.SubElement(etree.Element(qn("w:tmp")), qn("w:proofErr"), {qn("w:type"): "spellStart"}))
    heading._p.remove(run)
    path = tmp_path / "split.docx"
    doc.save(str(path))
    assert any(p.text == "{{ report.title }}" and len(p.runs) == 3 for p in docx.Document(str(path)).paragraphs)
    out = open_docx(render_docx(paper_view(), path))
    assert [p.text for p in out.paragraphs if p.style.name == "Heading 1"] == ["Summary", *(r["title"] for r in PAPER["reports"] if r["items"])]


@pytest.mark.parametrize("strip", ["children", "element"])
def test_cellbg_on_short_or_missing_cell_properties(tmp_path: Path, strip: str) -> None:
    """`{% cellbg %}` on <w:tcPr/> put w:shd outside the cell properties (#559)."""
    doc = docx.Document(str(TRACKER))
    for tc in doc.element.body.iter(qn("w:tc")):
        if "cellbg" in text(tc):
            tcpr = tc.find(qn("w:tcPr"))
            if strip == "children":
                for child in list(tcpr):
                    tcpr.remove(child)
            else:
                tc.remove(tcpr)
    path = tmp_path / "short.docx"
    doc.save(str(path))
    assert (b"<w:tcPr/>" in zipfile.ZipFile(path).read("word/document.xml")) == (strip == "children")
    out = open_docx(render_docx(paper_view(), path))
    for table, index in [(legend_table(out), 0), *((t, 2) for t in data_tables(out))]:
        for row in body_rows(table):
            tc = row.cells[index]._tc
            word = paras(tc)[0]
            assert cell_fill(tc) == PALETTE[word].fill
            assert tc.find(qn("w:shd")) is None


def test_restyled_template_changes_the_output(tmp_path: Path) -> None:
    doc = docx.Document(str(TRACKER))
    heading = doc.styles["Heading 1"]
    heading.font.name = "Georgia"
    heading.font.color.rgb = RGBColor(0x8B, 0x00, 0x00)
    path = tmp_path / "restyled.docx"
    doc.save(str(path))
    before = open_docx(render_docx(paper_view(), TRACKER))
    after = open_docx(render_docx(paper_view(), path))
    assert before.styles["Heading 1"].font.name != "Georgia"
    assert after.styles["Heading 1"].font.name == "Georgia"
    assert after.styles["Heading 1"].font.color.rgb == RGBColor(0x8B, 0x00, 0x00)
    headings = [p for p in after.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 3  # Summary and the two reports with items
    for paragraph in headings:  # no direct formatting that would hide the style
        assert paragraph._p.find(f".//{qn('w:rPr')}") is None


def test_autoescape_is_on_for_template_expressions(tmp_path: Path) -> None:
    """Without autoescape a '<' from a template expression breaks the XML (#557, #634)."""
    doc = docx.Document(str(TRACKER))
    doc.add_paragraph('{{ "<Chips>" }} {{ layout }}')
    path = tmp_path / "expression.docx"
    doc.save(str(path))
    out = open_docx(render_docx(paper_view(), path))
    assert "<Chips> tracker" in [p.text for p in out.paragraphs]


def test_template_mistake_is_a_render_error(tmp_path: Path) -> None:
    doc = docx.Document(str(TRACKER))
    doc.add_paragraph("{{ no_such_field }}")
    path = tmp_path / "broken.docx"
    doc.save(str(path))
    with pytest.raises(RenderError) as caught:
        render_docx(paper_view(), path)
    assert caught.value.paper == "appendix-a.docx" and caught.value.stage == "render"
    assert "no_such_field" in str(caught.value) and "broken.docx" in str(caught.value)
    with pytest.raises(RenderError):
        render_docx(paper_view(), tmp_path / "missing.docx")


# --- speed -------------------------------------------------------------------------------


def hundred_rows() -> dict[str, Any]:
    data = copy.deepcopy(PAPER)
    items = []
    for n in range(1, 51):
        items.append(
            {
                "ref": f"{n}",
                "type": "Recommendation",
                "text": f"Recommendation {n} with **bold** words. " * 4,
                "status": ("GREEN", "AMBER", "RED", "WHITE")[n % 4],
                "due": ["2021-06", "2022-01"],
                "rationale": "Late." if n % 4 == 2 else None,
                "lead": "Home Office" if n % 4 == 3 else None,
                "comment": f"Update {n}[^1]:\n\n- a point\n- another [link](https://example.org/{n})\n\n"
                "1. first\n2. second\n\n" + "More words. " * 30 + "\n\n[^1]: A note.",
                "tasks": [{"ref": f"{n}.1", "text": "A task.", "position": "In hand.", "status": "AMBER"}],
            }
        )
    for item in items:
        if item["rationale"] is None:
            del item["rationale"]
        if item["lead"] is None:
            del item["lead"]
    data["reports"] = [{"title": "Big report", "items": items}]
    return data


def test_a_hundred_row_paper_has_a_hundred_rows() -> None:
    big = paper_view(hundred_rows())
    assert sum(len(r.rows) for r in big.reports) == 100
    blob = render_docx(big, TRACKER)
    assert len(body_rows(data_tables(open_docx(blob))[0])) == 100


# --- LibreOffice -------------------------------------------------------------------------


@pytest.mark.client
def test_libreoffice_pdf_contains_every_ref(tmp_path: Path, tracker_blob: bytes) -> None:
    source = tmp_path / "appendix-a.docx"
    source.write_bytes(tracker_blob)
    soffice(tmp_path, "--convert-to", "pdf", "--outdir", str(tmp_path), str(source))
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    words = subprocess.run([pdftotext, "-layout", str(tmp_path / "appendix-a.pdf"), "-"], check=True, capture_output=True, text=True).stdout
    tokens = set(words.split())
    for ref in REFS:
        assert ref in tokens, ref
    assert "Page 1 of" in words
    assert "{{ 7*7 }}" in words and "<script>alert('x')</script>" in words


@pytest.mark.client
def test_template_resaved_by_libreoffice_still_renders(tmp_path: Path) -> None:
    outdir = tmp_path / "resaved"
    soffice(tmp_path, "--convert-to", "docx", "--outdir", str(outdir), str(TRACKER))
    resaved = outdir / "tracker.docx"
    assert resaved.read_bytes() != TRACKER.read_bytes()
    blob = render_docx(paper_view(), resaved)
    assert blob == render_docx(paper_view(), resaved)
    doc = open_docx(blob)
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == ["Summary", *(r["title"] for r in PAPER["reports"] if r["items"])]
    tables = data_tables(doc)
    assert [text(row.cells[0]._tc) for t in tables for row in body_rows(t)] == REFS
    for table in tables:
        for row in body_rows(table):
            tc = row.cells[2]._tc
            assert cell_fill(tc) == PALETTE[paras(tc)[0]].fill
    assert "Follow <script>alert('x')</script> & report {% if x %}{{ 7*7 }}{% endif %}." in text(doc.element.body)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = archive.namelist()
    assert len(names) == len(set(names)) and "word/footnotes.xml" in names


def test_unnumbered_items_for_another_body_and_closing_notes() -> None:
    data = copy.deepcopy(PAPER)
    item = data["reports"][0]["items"][0]
    del item["ref"]
    item["for_body"] = "the Home Office"
    data["notes"] = "Reports with nothing left to do are **removed** after one quarter."
    doc = open_docx(render_docx(paper_view(data), TRACKER))
    table = data_tables(doc)[0]
    first = body_rows(table)[0]
    assert text(first.cells[0]._tc) == "–"  # an unnumbered item's No. is a dash, as in the PDF
    assert "For the Home Office" in paras(first.cells[column(table, "Recommendations & Areas for Improvement")]._tc)
    body = [p.text for p in doc.paragraphs]
    heading = next(n for n, p in enumerate(doc.paragraphs) if p.text == "Notes" and p.style.name == "Heading 1")
    assert body[heading + 1] == "Reports with nothing left to do are removed after one quarter."
    assert "Notes" in [p.text.split("\t")[0] for p in doc.paragraphs if p.style.name == "toc 1"]  # and in the contents list


def test_the_tracker_prints_the_owner_where_the_pdf_does() -> None:
    data = copy.deepcopy(PAPER)
    data["reports"][0]["items"][0]["owner"] = "Economic Crime Directorate"
    assert "Force Task Owner" not in [text(c._tc) for c in data_tables(open_docx(render_docx(paper_view(data), TRACKER)))[0].rows[0].cells]
    data["paper"]["print_owners"] = True  # owners route returns; they print in a tracker only when asked for
    doc = open_docx(render_docx(paper_view(data), TRACKER))
    table = data_tables(doc)[0]
    owner = column(table, "Force Task Owner")
    rows = {text(row.cells[0]._tc): row for row in body_rows(table)}
    assert text(rows["R1"].cells[owner]._tc) == "Economic Crime Directorate"
    assert text(rows["R3"].cells[owner]._tc) == ""
    assert "Force Task Owner" not in [text(c._tc) for c in data_tables(open_docx(render_docx(paper_view(), TRACKER)))[0].rows[0].cells]


def test_the_chart_drawn_in_a_forked_process_is_the_chart_drawn_here() -> None:
    from boardpack.render.chart.draw import chart_png
    from boardpack.render.word import summary as docx_summary

    chart = paper_view().summary.chart  # type: ignore[union-attr]
    docx_summary.start_chart(chart)
    assert id(chart) in docx_summary.being_drawn or not docx_summary.sys.platform.startswith("linux")
    assert docx_summary.drawn_png(chart) in (chart_png(chart), None)
    assert id(chart) not in docx_summary.being_drawn


def test_a_chart_process_that_fails_leaves_the_drawing_to_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    from boardpack.render.chart import draw as chart_module
    from boardpack.render.word import summary as docx_summary

    view_ = paper_view()
    expected = render_docx(view_, TEMPLATES / "tracker.docx")
    real = chart_module.chart_png
    parent = os.getpid()

    def dies_in_the_child(chart: Any) -> Any:
        if os.getpid() != parent:
            os._exit(3)
        return real(chart)

    monkeypatch.setattr(chart_module, "chart_png", dies_in_the_child)
    docx_summary.start_chart(view_.summary.chart)  # type: ignore[union-attr]
    assert docx_summary.drawn_png(view_.summary.chart) is None  # type: ignore[union-attr]
    assert render_docx(view_, TEMPLATES / "tracker.docx") == expected


def test_the_chart_placed_before_it_is_drawn_is_the_picture_python_docx_places() -> None:
    from boardpack.render.chart.draw import chart_png
    from boardpack.render.word import summary as docx_summary
    from boardpack.render.word.package import normalise_package

    chart = paper_view().summary.chart  # type: ignore[union-attr]
    png, size = chart_png(chart)

    def saved(doc: Any) -> bytes:
        out = io.BytesIO()
        doc.save(out)
        return normalise_package(out.getvalue())

    for holding_it in (False, True):  # a template already holding the same picture shares it, as python-docx does
        placed, drawn = docx.Document(str(TRACKER)), docx.Document(str(TRACKER))
        if holding_it:
            for doc in (placed, drawn):
                doc.add_picture(io.BytesIO(png))
        assert docx_summary.chart_run(placed, chart) == docx_summary.picture_run(drawn, png, size, chart.title, chart.desc)
        assert saved(placed) == saved(drawn)


def test_a_package_zipped_once_is_the_saved_package_normalised() -> None:
    from boardpack.render.word.package import normalise_package, package_bytes

    doc = docx.Document(str(TRACKER))
    doc.add_paragraph("A paragraph")
    out = io.BytesIO()
    doc.save(out)
    assert package_bytes(doc) == normalise_package(out.getvalue())


def test_the_chart_drawn_by_the_process_started_before_the_paper_is_the_chart_drawn_here() -> None:
    from boardpack.render.chart import process as chart_process
    from boardpack.render.chart.draw import chart_png
    from boardpack.render.word import summary as docx_summary

    chart = paper_view().summary.chart  # type: ignore[union-attr]
    chart_process.prepare()
    waiting = list(chart_process._waiting)
    docx_summary.start_chart(chart)
    assert not chart_process._waiting
    if waiting:  # Linux: the waiting process drew it
        assert docx_summary.being_drawn[id(chart)][1] == waiting[0][0]
        assert docx_summary.drawn_png(chart) == chart_png(chart)
    chart_process.prepare()
    chart_process.end()  # one never sent a chart is ended and reaped
    assert not chart_process._waiting


def test_table_grids_are_fitted_as_docxtpl_fits_them() -> None:
    from docxtpl import DocxTemplate

    from boardpack.render.word import _Template

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def table(grid: list[int], rows: list[list[int]], inner: str = "") -> str:
        cols = "".join(f'<w:gridCol w:w="{width}"/>' for width in grid)
        def cell(n: int) -> str:
            merged = f'<w:gridSpan w:val="{n}"/>' if n > 1 else ""
            return f"<w:tc><w:tcPr>{merged}</w:tcPr><w:p/>{inner}</w:tc>"

        cells = ["".join(cell(n) for n in row) for row in rows]
        return f"<w:tbl><w:tblGrid>{cols}</w:tblGrid>{''.join(f'<w:tr>{c}</w:tr>' for c in cells)}</w:tbl>"

    nested = table([700, 700], [[1]])
    cases = [
        table([1000, 2000, 3000], [[1, 1, 1], [1, 1]]),  # nothing to do
        table([1000, 2000, 3000, 4000], [[1, 1], [1]]),  # columns a `{%tc %}` left out
        table([1000, 2000, 3000], [[2], [1, 1]]),  # merged cells
        table([1000, 2000], [[1, 1, 1]]),  # more cells than columns (a `{%tc for %}`)
        table([1000, 2000], [[1, 1, 1, 2]]),  # more, and merged
        table([1000, 2000, 3000], [[1, 1]], inner=nested),  # a table in a cell
        table([1000, 2000], []),  # no rows
    ]
    template = _Template(str(TRACKER))
    for case in cases:
        xml = f"<w:document {w}><w:body>{case}</w:body></w:document>"
        assert etree.tostring(template.fix_tables(xml)) == etree.tostring(DocxTemplate.fix_tables(template, xml)), case


FIELDS_OF_EVERY_KIND = [
    "plain words", "**bold**, *italic* and [underlined]{.underline}", "[a link](https://example.org/?a=1&b=2) [](https://x.y)",
    "a note[^1]\n\n[^1]: with **bold** and [a link](mailto:a@b.c)\n\n    - and a list", "- one\n  - two\n\n    more\n- three",
    "3. three\n4. four\n\n   ---", "> quoted\n> 1. item\n>\n> ***", "# Heading\n\n```\ncode <x> & \"y\"\n```",
    "line  \nbreak, a\ttab and\va vertical tab", "  spaces at both ends  ", "{{ jinja }} {% if %} {_ _} <w:p/> &amp;",
    "Ünïcödé — “quotes” 😀 \u00a0non-breaking\u00a0", "***bold italic*** [**in a link**](https://x.y)",
]


def test_a_block_is_written_as_lxml_writes_it() -> None:
    """The paragraphs are written as text: parsed and written again by lxml, they are unchanged, so the text is well formed and escaped as lxml escapes."""
    from boardpack.formats.wordml.vocabulary import GOES_ON_MARK, RATIONALE_LEAD
    from boardpack.formats.wordml.write import Words, shield

    doc = docx.Document(str(TRACKER))
    words = Words(doc)
    for text in FIELDS_OF_EVERY_KIND:
        for block, inked in ((words.block(text, "Table Text"), False), (words.block(text, "RAG Note", lead=RATIONALE_LEAD, color="1a2b3c"), True),
                             (words.block(text, "Body Text", lead="Task", empty=True, mark=GOES_ON_MARK), False)):
            assert block is not None
            body = etree.fromstring(f'<w:body xmlns:w="{W}" xmlns:r="{R}">{block.xml}</w:body>')
            again = "".join(etree.tostring(child, encoding="unicode") for child in body)
            assert shield(again.replace(f' xmlns:w="{W}"', "").replace(f' xmlns:r="{R}"', "")) == block.xml, text
            assert block.paragraphs == len(body), text
            runs = body.findall(".//w:r", NS)
            assert runs and all((r.find("w:rPr/w:color", NS) is not None) == inked for r in runs), text
    words.footnotes.flush()


def test_text_and_attributes_are_escaped_as_lxml_escapes_them() -> None:
    from boardpack.formats.wordml.write import escape_attr, escape_text

    for value in ('a & b < c > d "e" \'f\'', "tab\tnew\nline\rreturn", "]]> <!-- x -->", "plain"):
        element = etree.Element("e", a=value)
        element.text = value
        assert etree.tostring(element, encoding="unicode") == f'<e a="{escape_attr(value)}">{escape_text(value)}</e>'


def test_a_cell_width_is_found_as_its_path_finds_it() -> None:
    from boardpack.render.word.package import cell_width

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    for cell in (f"<w:tc {w}><w:p/></w:tc>", f'<w:tc {w}><w:tcPr><w:tcW w:w="5"/></w:tcPr></w:tc>', f"<w:tc {w}><w:tcPr/></w:tc>",
                 f'<w:tc {w}><w:tcPr><w:shd/></w:tcPr><w:tcPr><w:tcW w:w="7"/><w:tcW w:w="8"/></w:tcPr></w:tc>'):
        tc = etree.fromstring(cell)
        assert cell_width(tc) is tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks")
def test_a_process_forked_from_the_build_draws_its_own_chart_not_the_waiting_process() -> None:
    """A paper built in a process of its own must not wait on a chart process that is not its child."""
    from boardpack.render.chart import process as chart_process

    chart_process.prepare()
    try:
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through its exit status
            os._exit(0 if chart_process.send(paper_view().summary.chart) is None and not chart_process._waiting else 1)
        _pid, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        chart_process.end()
    assert not chart_process._waiting
