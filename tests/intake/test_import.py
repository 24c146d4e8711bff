"""Importing old Word appendices: hand-made layouts (seeds 000 and 004), our own output, hostile files.

The hand-made fixtures are built here with python-docx the way the reference papers were
made by hand: a RAG tracker with split rows, repeated headers, merged cells, shading,
typed bullets, Word numbering, lead-ins, links and footnotes; and the response table.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

from boardpack.build import build, render_paper
from boardpack.chain import prepare
from boardpack.derive import view
from boardpack.formats.wordml.read import Reader
from boardpack.formats.wordml.rich import Rich, to_markdown
from boardpack.intake.package import MAX_ENTRIES, WordFileError
from boardpack.intake.phrases import EARLIER_FILLS, bodies_named, byline, count_sentence, due_history, fill_family, status_cell, status_from_fill
from boardpack.intake.word import Imported, import_docx, write_import
from boardpack.markdown import to_html
from boardpack.model import When
from boardpack.palette import default_palette

from ..conftest import DATA, TEMPLATES, run

# --- building hand-made Word files ---------------------------------------------------------


class Hand:
    """A Word document made the way a secretariat makes one: direct formatting, no boardpack styles."""

    def __init__(self) -> None:
        self.doc = docx.Document()
        self.notes: list[str] = []
        self._numbering()

    def _numbering(self) -> None:
        """A decimal list definition, as Word adds one when someone presses the numbering button."""
        numbering = self.doc.part.numbering_part.element
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:multiLevelType w:val="hybridMultilevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/></w:lvl>'
            "</w:abstractNum>"
        )
        numbering.insert(0, abstract)
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def heading(self, text: str, level: int = 2) -> None:
        self.doc.add_heading(text, level)

    def para(self, *runs: str | tuple[str, str]) -> Any:
        """A body paragraph; runs are text or (format, text) with format among b, i, u, sup, br."""
        return fill_paragraph(self.doc.add_paragraph(), runs, self)

    def table(self, widths: int, header: list[tuple[str, int]] | None = None) -> Any:
        table = self.doc.add_table(rows=0, cols=widths)
        table.style = self.doc.styles["Table Grid"]
        if header:
            self.row(table, [(text, {"span": span, "b": True}) for text, span in header], header=True)
        return table

    def row(self, table: Any, cells: list[Any], header: bool = False) -> Any:
        """Cells are a text, a list of paragraphs, or (content, options): span, fill, vmerge, b."""
        tr = table.add_row()._tr
        for tc in list(tr.findall(qn("w:tc"))):
            tr.remove(tc)
        if header:
            trpr = tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:tblHeader"))
        for cell in cells:
            content, options = cell if isinstance(cell, tuple) and len(cell) == 2 and isinstance(cell[1], dict) else (cell, {})
            tc = OxmlElement("w:tc")
            tcpr = OxmlElement("w:tcPr")
            if options.get("span", 1) > 1:
                span = OxmlElement("w:gridSpan")
                span.set(qn("w:val"), str(options["span"]))
                tcpr.append(span)
            if options.get("vmerge"):
                merge = OxmlElement("w:vMerge")
                if options["vmerge"] == "restart":
                    merge.set(qn("w:val"), "restart")
                tcpr.append(merge)
            if options.get("fill"):
                shd = OxmlElement("w:shd")
                shd.set(qn("w:val"), "clear")
                shd.set(qn("w:color"), "auto")
                shd.set(qn("w:fill"), options["fill"])
                tcpr.append(shd)
            tc.append(tcpr)
            for spec in content if isinstance(content, list) else [content]:
                if isinstance(spec, dict) and "table" in spec:  # a table inside the cell
                    inner = self.doc.add_table(rows=0, cols=len(spec["table"][0]))
                    for cells_of_row in spec["table"]:
                        self.row(inner, cells_of_row)
                    tc.append(inner._tbl)
                    continue
                p = OxmlElement("w:p")
                tc.append(p)
                if isinstance(spec, dict):
                    _list_paragraph(p, spec, self)
                    continue
                runs = (spec,) if isinstance(spec, str) else spec
                if options.get("b"):
                    runs = tuple(("b", r) if isinstance(r, str) else r for r in runs)
                fill_xml(p, runs, self)
            tr.append(tc)
        return tr

    def link(self, paragraph_xml: Any, url: str, text: str) -> None:
        rid = self.doc.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = text
        run.append(t)
        link.append(run)
        paragraph_xml.append(link)

    def footnote(self, paragraph_xml: Any, text: str) -> None:
        self.notes.append(text)
        run = OxmlElement("w:r")
        rpr = parse_xml(f'<w:rPr {nsdecls("w")}><w:vertAlign w:val="superscript"/></w:rPr>')
        run.append(rpr)
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(len(self.notes)))
        run.append(ref)
        paragraph_xml.append(run)

    def header(self, text: str) -> None:
        self.doc.sections[0].header.paragraphs[0].text = text

    def save(self, path: Path) -> Path:
        if self.notes:
            notes = "".join(
                f'<w:footnote w:id="{n}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
                f'<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
                for n, text in enumerate(self.notes, start=1)
            )
            blob = (
                f"<w:footnotes {nsdecls('w', 'r')}>"
                '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
                f"{notes}</w:footnotes>"
            ).encode()
            part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob, self.doc.part.package)
            self.doc.part.relate_to(part, RT.FOOTNOTES)
        self.doc.save(str(path))
        return path


def fill_paragraph(paragraph: Any, runs: Any, hand: Hand) -> Any:
    fill_xml(paragraph._p, runs, hand)
    return paragraph


def fill_xml(p: Any, runs: Any, hand: Hand) -> None:
    """Runs: text, or (format, text): b, i, u, bu (bold underline), sup, br (line break), link:URL, note."""
    for piece in runs:
        fmt, text = ("", piece) if isinstance(piece, str) else piece
        if fmt.startswith("link:"):
            hand.link(p, fmt[5:], text)
            continue
        if fmt == "note":
            hand.footnote(p, text)
            continue
        r = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        if "b" in fmt:
            rpr.append(OxmlElement("w:b"))
        if "i" in fmt and fmt != "br":
            rpr.append(OxmlElement("w:i"))
        if "u" in fmt:
            u = OxmlElement("w:u")
            u.set(qn("w:val"), "single")
            rpr.append(u)
        if fmt == "sup":
            va = OxmlElement("w:vertAlign")
            va.set(qn("w:val"), "superscript")
            rpr.append(va)
        if len(rpr):
            r.append(rpr)
        if fmt == "br":
            r.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = text
        r.append(t)
        p.append(r)


def _list_paragraph(p: Any, spec: dict[str, Any], hand: Hand) -> None:
    """A Word-numbered paragraph: {'num': text, 'level': 0} (numPr, as Word writes it)."""
    ppr = parse_xml(f'<w:pPr {nsdecls("w")}><w:numPr><w:ilvl w:val="{spec.get("level", 0)}"/><w:numId w:val="90"/></w:numPr></w:pPr>')
    p.append(ppr)
    fill_xml(p, (spec["num"],), hand)


HEADER = [("Recommendations & Areas for Improvement", 2), ("Status", 1), ("Due Date", 1), ("Comment", 1)]
"""Seed 004's header: the first heading spans the No. column and the text column."""


def tracker_004(path: Path) -> Path:
    """A hand-made tracker laid out like seed 004."""
    hand = Hand()
    hand.header("Appendix A\nSeptember 2021")
    hand.heading("HMICFRS Report Recommendations")
    legend = hand.table(2, [("Traffic Light Colour", 1), ("Definition of target achievement", 1)])
    for word, fill, definition in (("GREEN", "00B050", "The recommendation is implemented"),
                                   ("AMBER", "FFC000", "The recommendation is subject to ongoing work and monitoring"),
                                   ("RED", "FF0000", "The recommendation is beyond designated deadline (rationale required)"),
                                   ("WHITE", None, "The recommendation is not CoLP responsibility to deliver.")):
        hand.row(legend, [((("b", word),), {"fill": fill}), definition])

    # 1: a split row continued on the next page, with the header row repeated in between
    hand.heading("A review of 'Fraud: Time to choose'")
    hand.para("A national report HMICFRS", ("br", "Published 5"), ("sup", "th"), " August 2021")
    hand.para("There are 3 new actions for the force.")
    table = hand.table(5, HEADER)
    hand.row(table, ["1", [(("u", "Recommendation"), " By 30 September 2021, chief constables should follow the guidance.")],
                     ((("b", "AMBER"),), {"fill": "FFC000"}), "September 2021", "This is a new report being considered by the force."])
    hand.row(table, ["2", [(("u", "Recommendation"), " By 31 March 2022, the National Police Chiefs' Council Coordinator with the City of London")],
                     ((("b", "AMBER"),), {"fill": "FFC000"}), "March 2022", "This is a new report"])
    hand.row(table, [(text, {"span": span, "b": True}) for text, span in HEADER], header=True)
    hand.row(table, ["", "Police should set up an effective national tasking process for fraud.", "", "", "recently published."])
    hand.row(table, ["3", [(("u", "Recommendation"),), "By 31 October 2021, chief constables should adopt the guidance."],
                     "AMBER", "October 2021", "Being considered."])

    # 2: a sentence that disagrees with its table; WHITE without a lead; colour without a word; colour against the word
    hand.heading("A joint thematic inspection of the police and CPS response to rape")
    hand.para("A national joint thematic HMICFRS and HMCPSi")
    hand.para("Published 16", ("sup", "th"), " July 2021.")
    hand.para("There are 4 actions for the force to consider, 1 is complete, 1 closed and 2 are in progress.")
    table = hand.table(5, HEADER)
    hand.row(table, ["1", [(("u", "Recommendation"), " Police forces should record protected characteristics.")],
                     ((("b", "CLOSED"),), {"fill": "BFBFBF"}), "August 2021",
                     ["A decision and the following actions implemented:", "• Continue to record ethnicity, age and gender.",
                      "• Record religion if related to the crime type.", "○ nested under the second"]])
    hand.row(table, ["2", [(("u", "Recommendation"), " Police forces and support services should work together.")],
                     ((("b", "NEW GREEN"),), {"fill": "92D050"}), "August 2021", "COLP work closely with support agencies."])
    hand.row(table, ["3", [(("u", "Recommendation"), " The Home Office should undertake an urgent review of the detective constable role.")],
                     ((("b", "WHITE"),), {}), "No date set by HMICFRS", "This action is for the Home Office"])
    hand.row(table, ["4", [(("u", "Recommendation"), " Forces should collect data on withdrawals.")],
                     ("", {"fill": "00B050"}), "December 2021 for review", "Recorded on Niche."])
    hand.row(table, ["5", [(("u", "Recommendation"), " Forces should review case strategies.")],
                     ((("b", "AMBER"),), {"fill": "FF0000"}), "December 2021", "No update at present."])

    # 3: RED with a due history cut by a page break; Word numbering, formatting, a link and a footnote
    hand.heading("Crime Data Integrity inspection 2019", level=1)
    hand.para("A force report by HMICFRS", ("br", "Published August 2019"))
    hand.para("This report makes 6 areas for improvement for the force; 4 are complete, 1 closed and 1 to be progressed.")
    table = hand.table(5, HEADER)
    comment = [
        "Audit results have not met the desired standards and further steps are being taken:",
        {"num": "Guidance has been re-issued to officers"},
        {"num": "Digitisation of Cannabis Warnings is being pursued"},
        (("b", "Bold words"), ", ", ("i", "italic words"), " and ", ("u", "Next Steps"), " with a ", ("link:https://example.org/ooc", "link"), "."),
    ]
    hand.row(table, ["6", [(("u", "Area for Improvement"), " The force should immediately improve its use of out of court disposals")],
                     ((("b", "RED"),), {"fill": "FF0000"}), "February 2020", comment])
    hand.row(table, ["", "", "", ["Extended to July 2020 but need to be reviewed [Reported to PAB]", "Now November 2021 to further assess performance"],
                     [("The deadline is extended as the OOC review has stalled", ("note", "OOC: out of court disposals."))]])

    # 4: tasks in sub-columns (Ref. / Task) under a spanning Comment header, numbers merged down the rows
    hand.heading("Disproportionate use of Police powers")
    hand.para("A national report HMICFRS")
    hand.para("Published 26", ("sup", "th"), " February 2021")
    table = hand.table(6, [("Recommendations & Areas for Improvement", 2), ("Status", 1), ("Due Date", 1), ("Comment", 2)])
    hand.row(table, [("1", {"vmerge": "restart"}), [(("u", "Recommendation"), " By July 2022, forces should ensure effective communication skills.")],
                     ((("b", "AMBER"),), {"vmerge": "restart", "fill": "FFC000"}), "July 2022", ((("b", "Ref."),), {}), ((("b", "Task"),), {})])
    hand.row(table, [("", {"vmerge": "continue"}), "", ("", {"vmerge": "continue"}), "", "1.1",
                     [(("u", "Task"), " Learning & Development to produce a written report."),
                      (("u", "Current position"), " A report has been produced and will be presented at the next")]])
    hand.row(table, [(text, {"span": span, "b": True}) for text, span in HEADER], header=True)
    hand.row(table, [("", {"vmerge": "continue"}), "", ("", {"vmerge": "continue"}), "", "", "working group."])
    hand.row(table, [("", {"vmerge": "continue"}), "", ("", {"vmerge": "continue"}), "", "1.2",
                     [(("u", "Task"), " Paper to the working group on training."), (("u", "Current position"), " A company has been identified.")]])
    hand.row(table, [("", {"vmerge": "continue"}), "", ("", {"vmerge": "continue"}), "", "",
                     ["1.3", "Task Present documented updates.", "Current position To be presented."]])  # typed plainly, ref above
    hand.row(table, ["2", [(("u", "Recommendation"), " By July 2021, forces should reinforce communication skills.")],
                     ((("b", "AMBER"),), {"fill": "FFC000"}), "July 2021",
                     (["Two tasks are agreed:", {"table": [[(("b", "Ref."),), (("b", "Task"),), (("b", "Status"),)],
                                                           ["2.1", [(("u", "Task"), " Write a schedule of events."),
                                                                    (("u", "Current position"), " Planned.")], "GREEN"],
                                                           ["2.2", [(("u", "Task"), " Review body worn video.")], "AMBER"]]}],
                      {"span": 2})])

    # 5: tasks with their own RAG in a column beside the comment (seed 004's hate crime table)
    hand.heading("Understanding the difference: the initial police response to hate crime")
    hand.para("A national joint report by HMICFRS", ("br", "Published July 2018"))
    table = hand.table(6, [("Recommendations & Areas for Improvement", 2), ("Status", 1), ("Due Date", 1), ("Comment", 1), ("", 1)])
    hand.row(table, ["8", [(("u", "Recommendation"), " Forces should apply the minimum standard of response consistently.")],
                     "RED", ["December 2020", "Then February 2021", "Now June 2021 to enable Sector Policing to embed changes"],
                     ["This action has been held at WHITE pending the publication of the College of Policing APP.",
                      "The deadline has been reset to June 2021 to enable Sector Policing to embed necessary changes"], ""])
    hand.row(table, ["", "", "", "Now October 2021 to establish progress on [2]",
                     [(("u", "Task [1]"), " PPU will review the current SOP."), (("u", "Current position"), " The SOP has been updated.")],
                     ((("b", "GREEN"),), {})])
    hand.row(table, ["", "", "", "", [(("u", "Task [2]"), " Sector Policing will take ownership of the SOP."), (("u", "Current position"),)],
                     "AMBER"])
    hand.row(table, ["", "", "", "", "This to be discussed with the Equality & Inclusion Manager.", ""])

    # a table that says nothing about its columns
    hand.table(2).add_row().cells[0].text = "Contact: Strategic Development"
    return hand.save(path)


def response_000(path: Path) -> Path:
    """A hand-made response table laid out like seed 000: no headings, the review named in the first header cell."""
    hand = Hand()
    hand.header("Appendix-1_Baroness Casey Review – ‘Cleaning Up the MET’ – COLP response to 16 recommendations.")
    header = [("Baroness Casey Review ‘Cleaning up the MET’", 1), ("Recommendation &/or Area for Improvement", 1),
              ("Force Task Owner", 1), ("Force Progress & Response", 1)]
    table = hand.table(4, header)
    hand.row(table, ["1.", "The misconduct process is not fit for purpose.", "Professional Standards Dept (PSD)",
                     [(("u", "Current Position:"), " Whilst PSD is fit for purpose, training is being considered."),
                      (("u", "Linked workstreams:"), " this links into the Operation Hood review.")]])
    hand.row(table, ["2.", "The Met should embed the highest ethical standards.", "Human Resources (HR)",
                     [(("u", "Current Position:"), " HR will support L&OD with the review and roll out of the Management")]])
    hand.row(table, [(text, {"span": span, "b": True}) for text, span in header], header=True)
    hand.row(table, ["", "", "", ["Development Programme, maximising opportunities to embed values.",
                                  "CoLP adheres to all published policy."]])
    p = ["Vetting standards should be changed with immediate effect."]
    hand.row(table, ["3.", p, "PSD (Vetting)",
                     [(("u", "Current position:"), " the 2017 APP", ("note", "APP-Associated Professional Practice"), " has the guidance.")]])
    hand.row(table, ["4.", ["The Commissioner should introduce immediate changes, including:",
                            "○ i) effectively disbanding PaDP in its current form.",
                            "○ ii) setting new, higher vetting and behaviour standards."],
                     "Local Policing (LP)", "Current Position: the Tactical Firearms Group is part of Local Policing."])
    return hand.save(path)


@pytest.fixture(scope="module")
def tracker_import(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return import_docx(tracker_004(tmp_path_factory.mktemp("hand") / "tracker.docx"))


@pytest.fixture(scope="module")
def response_import(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return import_docx(response_000(tmp_path_factory.mktemp("hand") / "response.docx"), period=When(2023, 5))  # it names no month


def items(imported: Imported, report: int) -> list[Any]:
    return list(imported.paper.reports[report].items)


def messages(imported: Imported) -> list[str]:
    return [str(f) for f in imported.findings]


# --- the hand-made tracker (seed 004) -----------------------------------------------------------


def test_tracker_reports_titles_bylines_and_dates(tracker_import: Imported) -> None:
    paper = tracker_import.paper
    assert paper.paper.title == "HMICFRS Report Recommendations"
    assert paper.paper.appendix == "A"
    assert paper.paper.period == When(2021, 9)
    assert paper.paper.layout == "tracker"
    titles = [r.title for r in paper.reports]
    assert titles == ["A review of 'Fraud: Time to choose'", "A joint thematic inspection of the police and CPS response to rape",
                      "Crime Data Integrity inspection 2019", "Disproportionate use of Police powers",
                      "Understanding the difference: the initial police response to hate crime"]
    fraud, rape, cdi = paper.reports[:3]
    assert (fraud.scope, fraud.by, fraud.published) == ("national", "HMICFRS", When(2021, 8, 5))
    assert (rape.scope, rape.by, rape.published) == ("national joint thematic", "HMICFRS and HMCPSi", When(2021, 7, 16))
    assert (cdi.scope, cdi.by, cdi.published) == ("force", "HMICFRS", When(2019, 8))
    assert paper.legend["RED"] == "The recommendation is beyond designated deadline (rationale required)"
    assert all(r.summary is None for r in paper.reports[:3])  # the count sentences are derived, never imported


def test_split_row_is_joined_and_repeated_header_skipped(tracker_import: Imported) -> None:
    fraud = items(tracker_import, 0)
    assert [i.ref for i in fraud] == ["1", "2", "3"]
    assert fraud[1].text == ("By 31 March 2022, the National Police Chiefs' Council Coordinator with the City of London "
                             "Police should set up an effective national tasking process for fraud.")
    assert fraud[1].comment == "This is a new report recently published."
    assert fraud[2].type == "Recommendation"  # lead-in in a paragraph of its own
    assert fraud[2].text == "By 31 October 2021, chief constables should adopt the guidance."
    assert [i.status for i in fraud] == ["AMBER"] * 3
    assert [tuple(str(s.date) for s in i.due) for i in fraud] == [("September 2021",), ("March 2022",), ("October 2021",)]


def test_statuses_colours_and_leads(tracker_import: Imported) -> None:
    rape = items(tracker_import, 1)
    assert [i.status for i in rape] == ["CLOSED", "NEW GREEN", "WHITE", "GREEN", "AMBER"]
    white = rape[2]
    assert white.lead == "Home Office" and white.due == ()
    found = messages(tracker_import)
    assert any("table 3, row 5, column 3 (Status)" in m and "without a status word; GREEN is taken from the colour" in m for m in found), found
    assert any("table 3, row 6, column 3 (Status)" in m and "says AMBER but is shaded red (FF0000)" in m for m in found), found
    assert any("WHITE without a lead; 'Home Office' taken from the comment" in m for m in found)
    assert any("the old summary sentence disagrees with its table" in m and "it says 1 complete, the table has 2; it says 2 in progress, "
               "the table has 1" in m for m in found), found


def test_typed_bullets_become_a_markdown_list(tracker_import: Imported) -> None:
    closed = items(tracker_import, 1)[0]
    assert closed.comment == ("A decision and the following actions implemented:\n\n"
                              "- Continue to record ethnicity, age and gender.\n- Record religion if related to the crime type.\n"
                              "  - nested under the second")


def test_due_history_rationale_numbering_formatting_link_and_footnote(tracker_import: Imported) -> None:
    report = tracker_import.paper.reports[2]
    assert report.totals is not None and (report.totals.made, report.totals.for_force, report.totals.completed_before) == (6, 6, 5)
    assert "# review: from the old summary sentence: 'This report makes 6 areas for improvement" in tracker_import.text
    red = items(tracker_import, 2)[0]
    assert red.type == "Area for Improvement" and red.status == "RED"
    assert [(str(s.date), s.note) for s in red.due] == [
        ("February 2020", None), ("July 2020", "but need to be reviewed [Reported to PAB]"),
        ("November 2021", "to further assess performance")]
    assert red.rationale == "Audit results have not met the desired standards and further steps are being taken:"
    assert red.comment == ("1. Guidance has been re-issued to officers\n2. Digitisation of Cannabis Warnings is being pursued\n\n"
                           "**Bold words**, *italic words* and [Next Steps]{.underline} with a [link](https://example.org/ooc).\n\n"
                           "The deadline is extended as the OOC review has stalled[^1]\n\n[^1]: OOC: out of court disposals.")
    assert "review: moved from the comment; RED needs a rationale" in tracker_import.text


def test_tasks_in_sub_columns_with_merged_cells(tracker_import: Imported) -> None:
    item = items(tracker_import, 3)[0]
    assert item.ref == "1" and item.status == "AMBER" and item.comment is None
    assert [(t.ref, t.text, t.position) for t in item.tasks] == [
        ("1.1", "Learning & Development to produce a written report.",
         "A report has been produced and will be presented at the next working group."),
        ("1.2", "Paper to the working group on training.", "A company has been identified."),
        ("1.3", "Present documented updates.", "To be presented."),
    ]
    second = items(tracker_import, 3)[1]  # its tasks in a table inside the comment cell
    assert second.ref == "2" and second.comment == "Two tasks are agreed:"
    assert [(t.ref, t.text, t.position, t.status) for t in second.tasks] == [
        ("2.1", "Write a schedule of events.", "Planned.", "GREEN"), ("2.2", "Review body worn video.", None, "AMBER")]


def test_tasks_with_their_own_rag_beside_the_comment(tracker_import: Imported) -> None:
    item = items(tracker_import, 4)[0]
    assert item.status == "RED" and item.rationale == "The deadline has been reset to June 2021 to enable Sector Policing to embed necessary changes"
    assert item.comment == "This action has been held at WHITE pending the publication of the College of Policing APP."
    assert [str(s.date) for s in item.due] == ["December 2020", "February 2021", "June 2021", "October 2021"]
    assert item.due[-1].note == "to establish progress on [2]"
    assert [(t.ref, t.status, t.text, t.position) for t in item.tasks] == [
        ("1", "GREEN", "PPU will review the current SOP.", "The SOP has been updated."),
        ("2", "AMBER", "Sector Policing will take ownership of the SOP.", "This to be discussed with the Equality & Inclusion Manager."),
    ]


def test_unrecognised_table_is_reported_and_kept(tracker_import: Imported) -> None:
    assert any("table 7: a table without a header that says what its columns are" in m for m in messages(tracker_import))
    assert "Contact: Strategic Development" in tracker_import.text
    assert "# not placed (table 7)" in tracker_import.text


def test_imported_tracker_is_readable_yaml(tracker_import: Imported) -> None:
    text = tracker_import.text
    assert text.index("  title:") < text.index("  period:") < text.index("  layout:") < text.index("\nlegend:") < text.index("\nreports:")
    assert "    published: 2021-08-05\n" in text
    assert "        text: |\n          By 30 September 2021" in text
    assert "# review: taken from the cell's colour" in text
    assert "\n\n  - title:" in text  # a blank line between reports


# --- the hand-made response table (seed 000) ----------------------------------------------------


def test_response_layout(response_import: Imported) -> None:
    paper = response_import.paper
    assert paper.paper.layout == "response"
    assert paper.paper.appendix == "1"
    assert paper.paper.title == "Baroness Casey Review – ‘Cleaning Up the MET’ – COLP response to 16 recommendations"
    report = paper.reports[0]
    assert report.title == "Baroness Casey Review ‘Cleaning up the MET’"
    assert [i.ref for i in report.items] == ["1", "2", "3", "4"]
    assert [i.owner for i in report.items] == ["Professional Standards Dept (PSD)", "Human Resources (HR)", "PSD (Vetting)", "Local Policing (LP)"]
    assert all(i.status is None for i in report.items)
    first, second, third, fourth = report.items
    assert first.comment == ("[Current Position:]{.underline} Whilst PSD is fit for purpose, training is being considered.\n\n"
                             "[Linked workstreams:]{.underline} this links into the Operation Hood review.")
    assert second.comment == ("[Current Position:]{.underline} HR will support L&OD with the review and roll out of the Management "
                              "Development Programme, maximising opportunities to embed values.\n\nCoLP adheres to all published policy.")
    assert third.comment == "[Current position:]{.underline} the 2017 APP[^1] has the guidance.\n\n[^1]: APP-Associated Professional Practice"
    assert fourth.text == ("The Commissioner should introduce immediate changes, including:\n\n"
                           "- i) effectively disbanding PaDP in its current form.\n- ii) setting new, higher vetting and behaviour standards.")
    assert response_import.paper.paper.period == When(2023, 5)  # no period in the old paper: the one given, never the clock


# --- import, check, build ----------------------------------------------------------------------------


@pytest.mark.slow
def test_import_writes_a_file_that_checks_and_builds(tmp_path: Path) -> None:
    source = tracker_004(tmp_path / "2021-09 tracker.docx")
    data = tmp_path / "data"
    code, out, err = run("import", str(source), "--data", str(data))
    assert code == 0, err
    target = data / "2021-09 tracker.yaml"
    assert target.is_file()
    assert "5 report(s), 12 item(s) (GREEN 1, NEW GREEN 1, AMBER 6, RED 2, WHITE 1, CLOSED 1), 7 task(s)" in out
    assert f"{source}: table 3, row 5, column 3 (Status): a cell shaded green (00B050) without a status word" in err
    checked = prepare(target)
    assert not checked.errors, checked.errors
    built = build([target], out_dir=tmp_path / "build", formats=("pdf", "docx", "html"), jobs=1)
    assert not built[0].error
    assert {p.suffix for p in built[0].outputs} >= {".pdf", ".docx", ".html"}
    assert (tmp_path / "build" / "2021-09 tracker.pdf").read_bytes().startswith(b"%PDF")
    html = (tmp_path / "build" / "2021-09 tracker.html").read_text(encoding="utf-8")
    assert "Police should set up an effective national tasking process for fraud." in html
    # never over an existing file
    code, _, err = run("import", str(source), "-o", str(target))
    assert code == 2 and "already exists" in err


def test_import_usage_and_unreadable_files(tmp_path: Path) -> None:
    code, _, err = run("import")
    assert code == 2
    code, _, err = run("import", str(tmp_path / "missing.docx"), "-o", str(tmp_path / "x.yaml"))
    assert code == 1 and "missing.docx" in err
    text = tmp_path / "notes.docx"
    text.write_text("not a zip")
    code, _, err = run("import", str(text), "-o", str(tmp_path / "x.yaml"))
    assert code == 1 and "not a Word .docx file" in err
    assert not (tmp_path / "x.yaml").exists()
    prose = Hand()
    prose.para("Minutes of the meeting, with no table of recommendations.")
    code, _, err = run("import", str(prose.save(tmp_path / "minutes.docx")), "-o", str(tmp_path / "x.yaml"))
    assert code == 1 and "no table of recommendations was found" in err and "no paper file was written" in err
    assert not (tmp_path / "x.yaml").exists()


# --- hostile packages -------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<" + b" " * (201 * 1024 * 1024) + b"/>"}))
    with pytest.raises(WordFileError, match="unpack"):
        import_docx(bomb)
    many = tmp_path / "many.docx"
    many.write_bytes(_zip({f"word/part{n}.xml": b"<a/>" for n in range(MAX_ENTRIES + 1)}))
    with pytest.raises(WordFileError, match="parts"):
        import_docx(many)


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.docx"
    response_000(good)
    with zipfile.ZipFile(good) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')
    parts["word/document.xml"] = laughs
    bad = tmp_path / "laughs.docx"
    bad.write_bytes(_zip(parts))
    with pytest.raises(WordFileError, match="laughs.docx: part word/document.xml declares a DTD"):
        import_docx(bad)


def test_old_doc_and_password_files_are_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.doc.docx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(WordFileError, match="97-2003"):
        import_docx(old)


def test_unsafe_links_keep_their_words_only(tmp_path: Path) -> None:
    hand = Hand()
    table = hand.table(4, [("No.", 1), ("Recommendation", 1), ("Status", 1), ("Comment", 1)])
    hand.row(table, ["1", "Do it.", "AMBER", [(("link:javascript:alert(1)", "click"), " here {{ 7*7 }} <script>")]])
    imported = import_docx(hand.save(tmp_path / "links.docx"))
    item = imported.paper.reports[0].items[0]
    assert "javascript" not in (item.comment or "")
    assert "click here" in to_html(item.comment) and "&lt;script&gt;" in to_html(item.comment) and "{{ 7*7 }}" in to_html(item.comment)
    assert any("javascript:alert(1)" in f.message for f in imported.findings)


# --- the phrases -----------------------------------------------------------------------------------------


def test_phrases() -> None:
    due = due_history(["December 2019 set to align with the next inspection", "Reset to June 2020 [Reported to PAB]",
                       "was April 2021", "New deadline July 2021 [subject for review]", "Now October 2021"])
    assert [(str(d), n) for d, n in due.steps] == [("December 2019", "set to align with the next inspection"),
                                                   ("June 2020", "[Reported to PAB]"), ("April 2021", None),
                                                   ("July 2021", "[subject for review]"), ("October 2021", None)]
    assert due_history(["No deadline set by HMICFRS"]).unset and not due_history(["No deadline set by HMICFRS"]).steps
    assert due_history(["Immediately"]).steps == [(None, "Immediately")]
    assert [(str(d) if d else None, n) for d, n in due_history(["No deadline set by HMICFRS", "November 2020 for an initial position"]).steps] == [
        (None, "No deadline set by HMICFRS"), ("November 2020", "for an initial position")]
    assert byline("A joint investigation report HMICFRS, College of Policing and IPOC") == (
        "joint investigation report", "HMICFRS, College of Policing and IPOC")
    assert byline("A national report HMICFRS") == ("national", "HMICFRS")
    assert byline("A national thematic HMICFRS report") == ("national thematic", "HMICFRS")
    assert byline("An independent review Baroness Casey") == ("independent review", "Baroness Casey")
    sentence = count_sentence("This report makes 6 areas for improvement for the force; 4 are complete, 1 closed and 1 to be progressed.")
    assert sentence is not None and sentence.total == 6 and sentence.counts == {"complete": 4, "closed": 1, "in progress": 1}
    assert status_cell(["WHITE pending the outcome of the NPCC Lead challenge"]).note == "pending the outcome of the NPCC Lead challenge"
    assert [fill_family(c.fill) for c in default_palette().values()] == ["green", "green", "amber", "red", "white", "grey"]
    # Word files made before the palette was a file carry the earlier fills; they still name their statuses.
    assert [status_from_fill(fill) for fill in ("00703C", "A7E3B7", "FFBF47", "B3261E", "505A5F")] == ["GREEN", "NEW GREEN", "AMBER", "RED", "CLOSED"]
    assert [fill_family(fill) for fill in EARLIER_FILLS] == ["green", "green", "amber", "red", "white", "grey"]
    assert [status_from_fill(c.fill) for s, c in default_palette().items() if s != "WHITE"] == ["GREEN", "NEW GREEN", "AMBER", "RED", "CLOSED"]
    assert bodies_named("Dependent on HMICFRS and the National Police Chiefs' Council, with the APCC") == "HMICFRS, NPCC and APCC"
    assert [str(d) for d, _ in due_history(["Sep-20", "Extended to Jan-21"]).steps] == ["September 2020", "January 2021"]


# --- our own output, read back -------------------------------------------------------------------------

RICH = ("text", "comment", "rationale", "summary", "position")
ROUND_TRIP = ("2021-09-hmicfrs-tracker", "2021-06-hmicfrs-tracker", "2023-05-casey-response")


def _comparable(value: Any, key: str = "") -> Any:
    """A model dump with Markdown compared by what it renders to (equivalent spellings are equal)."""
    if isinstance(value, dict) and key == "totals":  # 'makes 4 ... for the force' prints the same with or without `made: 4`
        made = value["made"] if value["made"] != value["for_force"] else None
        return {**value, "made": made}
    if isinstance(value, dict):
        return {k: _comparable(v, k) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if key in RICH and isinstance(value, str):
        return " ".join(to_html(value).split())
    return value


@pytest.mark.parametrize("name", ROUND_TRIP)
@pytest.mark.slow
def test_round_trip_through_our_word_output(name: str, tmp_path: Path) -> None:
    """Each paper in data/, built to Word by our renderer and imported back, is the same paper.

    The September paper names a previous one: its printed NEW GREEN and full due histories
    are resolved against it, so the import is compared with the resolved paper.
    """
    checked = prepare(DATA / f"{name}.yaml")
    assert checked.resolved is not None
    outputs, _ = render_paper(checked.resolved, name, TEMPLATES, ["docx"])
    path = tmp_path / f"{name}.docx"
    path.write_bytes(outputs["docx"])
    imported = import_docx(path)
    expected, got = checked.resolved.paper, imported.paper
    for key in ("title", "appendix", "period", "committee", "organisation", "layout", "classification", "note"):
        assert getattr(got.paper, key) == getattr(expected.paper, key), key
    if expected.paper.layout == "tracker" or any(i.status for r in expected.reports for i in r.items):
        assert dict(got.legend) == dict(expected.legend)
    # a report with no items is printed as a line, not in its place among the others: read back, it comes last
    assert sorted(r.title for r in got.reports if not r.items) == sorted(r.title for r in expected.reports if not r.items)
    assert len(got.reports) == len(expected.reports)
    for mine, theirs in zip([r for r in got.reports if r.items], [r for r in expected.reports if r.items], strict=True):
        assert _comparable(mine.model_dump(mode="json")) == _comparable(theirs.model_dump(mode="json")), mine.title
    assert not imported.warnings, [f.line(name) for f in imported.warnings]
    assert imported.paper.reports[0].items, "real content"
    # and the file it writes checks clean
    out = write_import(path, tmp_path / f"{name}.yaml")
    assert not prepare(out.path).errors  # type: ignore[arg-type]


def test_reader_is_the_inverse_of_the_writer() -> None:
    """Markdown written to Word by the renderer's mapping and read back renders the same."""
    from boardpack.formats.wordml.vocabulary import w
    from boardpack.formats.wordml.write import Words

    template = docx.Document(str(TEMPLATES / "tracker.docx"))
    words = Words(template)
    field = ("[Current position:]{.underline} Being *considered*[^1], see [the report](https://example.org/a?b=1&c=2).\n\n"
             "- first bullet\n- second **bold** bullet\n  - nested\n\n1. step one\n2. step two\n\n"
             "Prices in £ & symbols * _ ` < > [x] {y} 2021. done\\\nafter a break\n\n[^1]: The note.")
    block = words.block(field, "Table Text")
    assert block is not None
    body = parse_xml(f"<w:body {nsdecls('w', 'r')}>{block.xml}</w:body>")
    notes = {f"footnote:{n.get(qn('w:id'))}": n for n in parse_xml(f"<w:footnotes {nsdecls('w', 'r')}>{''.join(words.footnotes.pending)}</w:footnotes>")}
    rels = {rid: rel.target_ref for rid, rel in template.part.rels.items() if rel.is_external}
    reader = Reader(template.styles.element, template.part.numbering_part.element, rels, notes)
    rich: Rich = reader.cell([p for p in body if p.tag == w("p")])
    assert " ".join(to_html(to_markdown(rich)).split()) == " ".join(to_html(field).split())


EVERY_FIELD: dict[str, Any] = {
    "paper": {"title": "Every field", "appendix": "B", "period": "2021-09", "committee": "Police Authority Board",
              "organisation": "City of London Police", "layout": "tracker", "classification": "OFFICIAL-SENSITIVE"},
    "legend": {"GREEN": "Done", "AMBER": "Under way", "RED": "Late (rationale required)", "WHITE": "Not ours"},
    "reports": [
        {"title": "A report with everything", "scope": "national joint thematic", "by": "HMICFRS and HMCPSi", "published": "2021-08-05",
         "summary": "Read with the [full report](https://example.org/report).\n\n---\n\nAfter a rule.",
         "totals": {"made": 12, "for_force": 9, "completed_before": 4},
         "items": [
             {"ref": "1", "type": "Recommendation", "to": "chief constables", "text": "Follow the *guidance*.\n\n- one\n- two\n  1. nested number",
              "status": "AMBER", "status_note": "pending Transform changes",
              "due": ["2021-09", {"date": "2021-11", "note": "to further assess performance"}],
              "comment": "[Current position:]{.underline} **Being** considered[^1].\\\nA new line.\n\n[^1]: A note\n\n    in two paragraphs."},
             {"ref": "2", "type": "Cause of Concern", "text": "Late.", "status": "RED", "rationale": "Vacancies.\n\nAnd a second reason.",
              "due": ["2021-06", "2021-12"], "comment": "Being worked on.",
              "tasks": [{"ref": "2.1", "text": "Write it.", "position": "Written.", "status": "GREEN", "due": "2021-08"},
                        {"ref": "2.2", "text": "Check it.", "status": "RED", "rationale": "Nobody to check.", "due": "2021-10"}]},
             {"type": "Suggested Action", "text": "No number.", "status": "WHITE", "lead": "Home Office"},
             {"ref": "3a", "type": "Area for Improvement", "text": "Closed one.", "status": "CLOSED"},
             {"ref": "4", "text": "For someone else.", "status": "AMBER", "for_body": "the Home Office",
              "due": [{"words": "No deadline set by HMICFRS"}, {"date": "2021-11", "note": "for an initial position"}]},
         ]},
        {"title": "An empty report", "published": "2021-07", "items": []},
    ],
    "notes": "Closing words, with a [link](https://example.org/notes).\n\n- and a list",
}


def test_round_trip_of_every_field(paper_file: Callable[..., Path], tmp_path: Path) -> None:
    path = paper_file(EVERY_FIELD, "every")
    checked = prepare(path)
    assert checked.resolved is not None, checked.problems
    outputs, _ = render_paper(checked.resolved, "every", TEMPLATES, ["docx"])
    (tmp_path / "every.docx").write_bytes(outputs["docx"])
    imported = import_docx(tmp_path / "every.docx")
    expected, got = checked.resolved.paper, imported.paper
    assert got.paper.classification == "OFFICIAL-SENSITIVE" and got.paper.appendix == "B"
    assert dict(got.legend) == dict(expected.legend)
    assert _comparable(got.model_dump(mode="json")["reports"]) == _comparable(expected.model_dump(mode="json")["reports"])
    red = got.reports[0].items[1]
    assert red.rationale == "Vacancies.\n\nAnd a second reason." and red.comment == "Being worked on."
    assert [(t.ref, t.status, t.rationale) for t in red.tasks] == [("2.1", "GREEN", None), ("2.2", "RED", "Nobody to check.")]
    assert got.reports[0].items[2].ref is None
    assert got.notes == expected.notes
    assert got.reports[0].items[4].for_body == "the Home Office"
    assert got.reports[0].items[4].due[0].words == "No deadline set by HMICFRS"
    assert not imported.warnings, [f.line("every") for f in imported.warnings]


# --- an appendix of another year: its period, committee, rationale, statuses and dates as written ---------


def december_2022(path: Path, organisation: list[str]) -> Path:
    """A hand-made appendix whose title says December 2022, imported in a later year."""
    hand = Hand()
    for line in organisation:
        hand.para(line)
    hand.heading("HMICFRS Report Recommendations – December 2022", 1)
    hand.heading("A review of 'Fraud: Time to choose'")
    hand.para("A national report HMICFRS")
    table = hand.table(5, HEADER)
    hand.row(table, ["1", "Chief constables should follow the guidance.", "AMBER", "No deadline set by HMICFRS",
                     "The guidance is awaited from the NPCC."])
    hand.row(table, ["2", "Forces should review the policy.", "RED", "March 2022",
                     "Rationale: the post holder left in January and the review has not started."])
    hand.row(table, ["3", "Forces should record the data.", "Complete", "June 2022", "Done in June."])
    return hand.save(path)


@pytest.mark.parametrize("organisation", [["City of London Police – Police Authority Board"],
                                          ["City of London Police Authority Board"],
                                          ["City of London Police", "Police Authority Board"]])
def test_an_appendix_says_its_own_period_and_committee(organisation: list[str], tmp_path: Path) -> None:
    imported = import_docx(december_2022(tmp_path / "appendix.docx", organisation))
    info = imported.paper.paper
    assert info.period == When(2022, 12)  # from the title, never today's month
    assert info.title == "HMICFRS Report Recommendations"
    assert (info.organisation, info.committee) == ("City of London Police", "Police Authority Board")
    assert "To be confirmed" not in imported.text and not any("period" in m for m in messages(imported))


def test_the_file_name_gives_the_period_when_the_paper_does_not(tmp_path: Path) -> None:
    hand = Hand()
    hand.para("City of London Police – Police Authority Board")
    hand.heading("HMICFRS Report Recommendations", 1)
    hand.heading("A review of 'Fraud: Time to choose'")
    table = hand.table(5, HEADER)
    hand.row(table, ["1", "Chief constables should follow the guidance.", "AMBER", "March 2023", "Being considered."])
    imported = import_docx(hand.save(tmp_path / "Appendix A - December 2022.docx"))
    assert imported.paper.paper.period == When(2022, 12)
    assert "period: 2022-12  # review: taken from the file name" in imported.text


def test_without_any_period_the_month_the_file_was_saved_is_assumed_not_todays(tmp_path: Path) -> None:
    import datetime as dt

    hand = Hand()
    hand.heading("HMICFRS Report Recommendations", 1)
    hand.heading("A review of 'Fraud: Time to choose'")
    table = hand.table(5, HEADER)
    hand.row(table, ["1", "Chief constables should follow the guidance.", "AMBER", "March 2023", "Being considered."])
    hand.doc.core_properties.modified = dt.datetime(2019, 4, 2, 10, 0)
    imported = import_docx(hand.save(tmp_path / "tracker.docx"))
    assert imported.paper.paper.period == When(2019, 4)
    assert any("April 2019, when the file was last saved, is assumed" in m for m in messages(imported))
    code, out, err = run("import", str(tmp_path / "tracker.docx"), "-o", str(tmp_path / "t.yaml"), "--period", "2023-03")
    assert code == 0, err
    assert "period: 2023-03  # review: given with --period" in (tmp_path / "t.yaml").read_text()


def test_a_rationale_label_a_word_that_is_no_status_and_dateless_words(tmp_path: Path) -> None:
    imported = import_docx(december_2022(tmp_path / "appendix.docx", ["City of London Police"]))
    first, second, third = items(imported, 0)
    assert [step.words for step in first.due] == ["No deadline set by HMICFRS"]  # kept as written, not the derived words
    assert second.rationale == "the post holder left in January and the review has not started."  # the paper prints the label
    assert (third.status, third.status_note) == ("AMBER", "Complete")
    (warning,) = [m for m in messages(imported) if "row 4, column 3" in m]
    assert "'Complete' is not a status word (GREEN, NEW GREEN, AMBER, RED, WHITE, CLOSED)" in warning
    assert "kept as its status note" in warning and "GREEN, if it is complete" in warning and "no status word" not in warning
    paper = view(imported.paper, "x")
    assert paper.reports[0].rows[1].rationale is not None and not paper.reports[0].rows[1].rationale.startswith("Rationale")
    assert paper.reports[0].rows[0].due == ("No deadline set by HMICFRS",)
