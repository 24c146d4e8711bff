"""Word output: a paper's view poured into a docxtpl template that a secretary can restyle.

The template owns the look (named styles, numbering definitions, the table style); this
module only supplies content. Data is never compiled as a template: plain fields reach
Jinja as already-escaped markup and Markdown fields as ready-made WordprocessingML, so
`{{ ... }}` typed in a comment is printed, not run. The output is reproducible: the same
view and template give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markdown_it.token import Token
from markupsafe import Markup, escape

from .. import markdown
from ..derive import ChangesView, PaperView, ReportView, Row, StatusView
from ..errors import RenderError
from ..text import clean_text  # form feeds and vertical tabs become '\v', which the writers turn into line breaks

__all__ = ["render_docx", "normalise_package", "clean_text"]

_HEX = re.compile(r"^[0-9A-Fa-f]{6}$")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

LEVEL_INDENT = 360
"""Twips per list level; matches the template's numbering definitions."""


# --- text that is safe in WordprocessingML -----------------------------------------------


def _shield(xml: str) -> str:
    """Keep docxtpl's post-render unescaping ('{_{' -> '{{') away from data."""
    return xml.replace("{_", "{&#95;").replace("_}", "&#95;}")


def _plain(text: str | None) -> Markup:
    """A plain field as escaped markup; newlines and vertical tabs become line breaks."""
    if not text:
        return Markup("")
    return Markup(_shield(str(escape(clean_text(text).replace("\v", "\n")))))  # noqa: S704 - escaped here


def _run(text: str | None, color: str | None = None) -> Markup:
    """One run for a `{{r ...}}` tag, coloured (status ink) when asked."""
    if not text:
        return Markup("")
    props = f'<w:rPr><w:color w:val="{color.upper()}"/></w:rPr>' if color and _HEX.match(color) else ""
    return Markup(f'<w:r>{props}<w:t xml:space="preserve">{_plain(text)}</w:t></w:r>')  # noqa: S704 - text escaped by _plain


class Block:
    """Paragraphs for a `{{p ...}}` tag: docxtpl's Subdoc protocol (XML through `__html__`).

    docxtpl's own Subdoc loads a blank document per instance (about 8 ms each) and needs
    docxcompose; a paper has hundreds of fields, so blocks are built in a detached body that
    borrows the template's styles, numbering and relationships instead.
    """

    def __init__(self, body: Any) -> None:
        self.paragraphs = len(body)
        xml = etree.tostring(body, encoding="unicode")
        self.xml = _shield(re.sub(r"^<w:body[^>]*>|</w:body>$|^<w:body[^>]*/>$", "", xml))

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml

    def __bool__(self) -> bool:
        return self.paragraphs > 0


# --- Markdown tokens to Word paragraphs ----------------------------------------------------


class _Styles:
    """The template's style ids by name, so a style renamed in its id (LibreOffice does) still resolves."""

    def __init__(self, doc: Any) -> None:
        self.ids: dict[tuple[str, str], str] = {}
        self.elements: dict[str, Any] = {}
        for style in doc.styles.element.findall(qn("w:style")):
            name = style.find(qn("w:name"))
            sid = style.get(qn("w:styleId"))
            self.elements[sid] = style
            if name is not None:
                self.ids.setdefault((style.get(qn("w:type")), name.get(qn("w:val")).lower()), sid)

    def paragraph(self, *names: str) -> str | None:
        return next((self.ids[("paragraph", n.lower())] for n in names if ("paragraph", n.lower()) in self.ids), None)

    def character(self, name: str) -> str | None:
        return self.ids.get(("character", name.lower()))

    def num_id(self, style_id: str | None) -> int | None:
        """The numbering a paragraph style is linked to, following basedOn."""
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.elements.get(style_id)
            if style is None:
                return None
            num = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
            if num is not None:
                return int(num.get(qn("w:val")))
            based = style.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        return None


class _Footnotes:
    """Real Word footnotes: references go into the body now, the notes into footnotes.xml after rendering."""

    def __init__(self, doc: Any) -> None:
        part = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.FOOTNOTES and not r.is_external), None)
        if part is None:
            blob = (
                f"<w:footnotes {nsdecls('w', 'r')}>"
                '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
                "</w:p></w:footnote></w:footnotes>"
            ).encode()
            part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob, doc.part.package)
            doc.part.relate_to(part, RT.FOOTNOTES)
        self.part = part
        ids = [int(i) for i in etree.fromstring(self._blob()).xpath("//w:footnote/@w:id", namespaces={"w": _W})]
        self.next_id = max([0, *ids]) + 1
        self.pending: list[Any] = []

    def _blob(self) -> bytes:
        return self.part.blob if not isinstance(self.part, XmlPart) else etree.tostring(self.part.element)

    def add(self, body: Any) -> int:
        note_id = self.next_id
        self.next_id += 1
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(note_id))
        for child in list(body):
            note.append(child)
        self.pending.append(note)
        return note_id

    def flush(self) -> None:
        """Append the notes to the part as docxtpl left it (it renders footnotes.xml as a template)."""
        if not self.pending:
            return
        root = etree.fromstring(self._blob())
        for note in self.pending:
            root.append(note)
        if isinstance(self.part, XmlPart):
            self.part._element = root
        else:
            self.part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@dataclass
class _List:
    ordered: bool
    num_id: int | None
    depth: int


class Words:
    """Turns Markdown fields into Word paragraphs that use the template's styles and numbering."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.styles = _Styles(doc)
        self.numbering = doc.part.numbering_part.element
        self.bullet_style = self.styles.paragraph("List Bullet")
        self.number_style = self.styles.paragraph("List Number")
        self.continue_style = self.styles.paragraph("List Continue")
        self.bullet_num = self.styles.num_id(self.bullet_style)
        self.number_abstract: int | None = None
        number_num = self.styles.num_id(self.number_style)
        if number_num is not None:
            try:
                self.number_abstract = self.numbering.num_having_numId(number_num).abstractNumId.val
            except KeyError:
                self.number_abstract = None
        self.lead_style = self.styles.character("Lead In")
        self.link_style = self.styles.character("Hyperlink")
        self.note_ref_style = self.styles.character("footnote reference")
        self.note_text_style = self.styles.paragraph("footnote text")
        self.footnotes = _Footnotes(doc)

    def block(self, text: str | None, style: str, lead: str | None = None, empty: bool = False) -> Block | None:
        """A Markdown field as paragraphs in `style`; `lead` is an underlined lead-in before the text.

        With `empty`, a missing field still gives one empty paragraph (a table cell needs one).
        """
        style_id = self.styles.paragraph(style, "Normal")
        body = parse_xml(f"<w:body {nsdecls('w', 'r')}/>")
        if text and text.strip():
            tokens = markdown.parse(clean_text(text))
            main, notes = markdown.split_notes(tokens)
            _Writer(self, body, style_id, self.doc.part, notes).write(main, lead)
        elif lead or empty:
            writer = _Writer(self, body, style_id, self.doc.part, {})
            writer.paragraph()
            if lead:
                writer.lead(lead)
        return Block(body) if len(body) else None

    def footnote(self, tokens: Sequence[Token]) -> int:
        body = parse_xml(f"<w:body {nsdecls('w', 'r')}/>")
        style_id = self.note_text_style or self.styles.paragraph("Normal")
        _Writer(self, body, style_id, self.footnotes.part, {}).write(tokens, None)
        if not len(body):
            _Writer(self, body, style_id, self.footnotes.part, {}).paragraph()
        first = body[0]
        mark = _r_element(self.note_ref_style)
        mark.append(OxmlElement("w:footnoteRef"))
        space = _r_element(None)
        _append_text(space, " ")
        ppr = first.find(qn("w:pPr"))
        index = 1 if ppr is not None else 0
        first.insert(index, mark)
        first.insert(index + 1, space)
        return self.footnotes.add(body)

    def new_list(self, ordered: bool, depth: int, start: int) -> int | None:
        if not ordered:
            return self.bullet_num
        if self.number_abstract is None:
            return None
        num = self.numbering.add_num(self.number_abstract)
        num.add_lvlOverride(ilvl=depth).add_startOverride(start)
        return int(num.numId)


def _r_element(style_id: str | None, bold: bool = False, italic: bool = False, underline: bool = False) -> Any:
    run = OxmlElement("w:r")
    if style_id or bold or italic or underline:
        rpr = OxmlElement("w:rPr")
        if style_id:
            rstyle = OxmlElement("w:rStyle")
            rstyle.set(qn("w:val"), style_id)
            rpr.append(rstyle)
        if bold:
            rpr.append(OxmlElement("w:b"))
        if italic:
            rpr.append(OxmlElement("w:i"))
        if underline:
            u = OxmlElement("w:u")
            u.set(qn("w:val"), "single")
            rpr.append(u)
        run.append(rpr)
    return run


def _append_text(run: Any, text: str) -> None:
    """Text into a run: tabs as w:tab, newlines and vertical tabs as w:br."""
    for piece in re.split(r"([\t\n\v])", text):
        if not piece:
            continue
        if piece == "\t":
            run.append(OxmlElement("w:tab"))
        elif piece in "\n\v":
            run.append(OxmlElement("w:br"))
        else:
            t = OxmlElement("w:t")
            t.text = piece
            if piece != piece.strip():
                t.set(_XML_SPACE, "preserve")
            run.append(t)


class _Writer:
    """One pass over a field's tokens, appending w:p elements to a detached body."""

    def __init__(self, words: Words, body: Any, style_id: str | None, link_part: Any, notes: dict[int, list[Token]]) -> None:
        self.words = words
        self.body = body
        self.style_id = style_id
        self.link_part = link_part
        self.notes = notes
        self.lists: list[_List] = []
        self.items: list[bool] = []
        self.quote = 0
        self.p: Any = None
        self.target: Any = None
        self.bold = self.italic = 0
        self.spans: list[bool] = []
        self.in_link = False
        self.pending_lead: str | None = None

    # blocks

    def write(self, tokens: Sequence[Token], lead: str | None) -> None:
        if lead:
            if tokens and tokens[0].type == "paragraph_open":
                self.pending_lead = lead
            else:
                self.paragraph()
                self.lead(lead)
                self.p = None
        for token in tokens:
            kind = token.type
            if kind == "paragraph_open":
                self.paragraph()
                if self.pending_lead:
                    self.lead(self.pending_lead)
                    self.run_text(" ")
                    self.pending_lead = None
            elif kind in ("paragraph_close", "heading_close"):
                if kind == "heading_close":
                    self.bold -= 1
                self.p = None
            elif kind == "heading_open":
                self.paragraph()
                self.bold += 1
            elif kind == "inline":
                self.inline(token.children or [])
            elif kind in ("bullet_list_open", "ordered_list_open"):
                ordered = kind == "ordered_list_open"
                depth = len(self.lists)
                start = int(token.attrs.get("start", 1) or 1)
                self.lists.append(_List(ordered, self.words.new_list(ordered, depth, start), depth))
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                self.items.append(False)
            elif kind == "list_item_close":
                if not self.items[-1]:
                    self.paragraph()
                self.items.pop()
                self.p = None
            elif kind == "blockquote_open":
                self.quote += 1
            elif kind == "blockquote_close":
                self.quote -= 1
            elif kind in ("code_block", "fence", "html_block"):
                self.paragraph()
                self.run_text(token.content.rstrip("\n"))
                self.p = None

    def paragraph(self) -> Any:
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        style_id = self.style_id
        num: tuple[int, int] | None = None
        indent = 0
        if self.lists:
            level = self.lists[-1]
            if self.items and not self.items[-1]:
                self.items[-1] = True
                style_id = (self.words.number_style if level.ordered else self.words.bullet_style) or style_id
                if level.num_id is not None:
                    num = (level.depth, level.num_id)
            else:
                style_id = self.words.continue_style or style_id
                indent = LEVEL_INDENT * (level.depth + 1)
        indent += LEVEL_INDENT * self.quote
        if style_id:
            pstyle = OxmlElement("w:pStyle")
            pstyle.set(qn("w:val"), style_id)
            ppr.append(pstyle)
        if num is not None:
            numpr = OxmlElement("w:numPr")
            ilvl = OxmlElement("w:ilvl")
            ilvl.set(qn("w:val"), str(num[0]))
            num_id = OxmlElement("w:numId")
            num_id.set(qn("w:val"), str(num[1]))
            numpr.append(ilvl)
            numpr.append(num_id)
            ppr.append(numpr)
        if num is not None and self.quote:
            indent = LEVEL_INDENT * (num[0] + 1 + self.quote)
        if indent:
            ind = OxmlElement("w:ind")
            ind.set(qn("w:left"), str(indent))
            if num is not None:
                ind.set(qn("w:hanging"), str(LEVEL_INDENT))
            ppr.append(ind)
        if len(ppr):
            p.append(ppr)
        self.body.append(p)
        self.p = self.target = p
        return p

    def lead(self, words: str) -> None:
        run = _r_element(self.words.lead_style, underline=self.words.lead_style is None)
        _append_text(run, words)
        self.p.append(run)

    # inlines

    def inline(self, children: Sequence[Token]) -> None:
        if self.p is None:
            self.paragraph()
        for child in children:
            kind = child.type
            if kind == "text" or kind == "code_inline" or kind == "html_inline":
                self.run_text(child.content)
            elif kind == "softbreak":
                self.run_text(" ")
            elif kind == "hardbreak":
                run = _r_element(None)
                run.append(OxmlElement("w:br"))
                self.target.append(run)
            elif kind == "strong_open":
                self.bold += 1
            elif kind == "strong_close":
                self.bold -= 1
            elif kind == "em_open":
                self.italic += 1
            elif kind == "em_close":
                self.italic -= 1
            elif kind == "span_open":
                self.spans.append("underline" in str(child.attrs.get("class", "")).split())
            elif kind == "span_close":
                if self.spans:
                    self.spans.pop()
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
                if href:
                    rid = self.link_part.relate_to(href, RT.HYPERLINK, is_external=True)
                    link = OxmlElement("w:hyperlink")
                    link.set(qn("r:id"), rid)
                    self.p.append(link)
                    self.target = link
                    self.in_link = True
            elif kind == "link_close":
                if self.in_link and not len(self.target):
                    self.p.remove(self.target)
                self.target = self.p
                self.in_link = False
            elif kind == "footnote_ref":
                self.note_ref(int(child.meta["id"]))
            elif kind == "image":
                self.run_text(child.content)

    def run_text(self, text: str) -> None:
        if not text:
            return
        style = self.words.link_style if self.in_link else None
        run = _r_element(style, bold=self.bold > 0, italic=self.italic > 0, underline=any(self.spans))
        _append_text(run, text)
        self.target.append(run)

    def note_ref(self, md_id: int) -> None:
        tokens = self.notes.get(md_id)
        if tokens is None:
            return
        note_id = self.words.footnote(tokens)
        run = _r_element(self.words.note_ref_style)
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(note_id))
        run.append(ref)
        self.target.append(run)


# --- the context the template sees -------------------------------------------------------


def _fill(status: StatusView | None) -> str:
    return status.fill.upper() if status and _HEX.match(status.fill) else "auto"


def _row(words: Words, row: Row) -> dict[str, Any]:
    task = row.kind == "task"
    status = row.status
    return {
        "kind": row.kind,
        "ref": _plain(row.ref),
        "to": _plain(row.to),
        "text": words.block(row.text, "Table Text", lead=row.lead_in or ("Task" if task else None), empty=True),
        "fill": _fill(status),
        "status": _run(status.word, status.ink) if status else Markup(""),
        "status_note": _run(status.note, status.ink) if status and status.note else Markup(""),
        "due": _plain("\n".join(row.due)),
        "overdue": row.overdue,
        "slippage": _plain(row.slippage),
        "owner": _plain(row.owner),
        "lead": _run(f"Lead: {row.lead}", status.ink if status else None) if row.lead else Markup(""),
        "rationale": words.block(row.rationale, "Table Text", lead="Rationale:") if row.rationale else None,
        "comment": words.block(row.comment, "Table Text", lead="Current position:" if task and row.comment else None, empty=True),
    }


def _report(words: Words, report: ReportView) -> dict[str, Any]:
    return {
        "number": report.number,
        "anchor": report.anchor,
        "title": _plain(report.title),
        "byline": _plain(report.byline),
        "published": _plain(report.published),
        "sentence": _plain(report.sentence),
        "summary": words.block(report.summary, "Body Text"),
        "counts": dict(report.counts),
        "rows": [_row(words, row) for row in report.rows],
    }


def build_context(view: PaperView, words: Words) -> dict[str, Any]:
    """Everything the template may use; strings arrive escaped, rich text as WordprocessingML."""
    return {
        "name": _plain(view.name),
        "title": _plain(view.title),
        "appendix": _plain(view.appendix),
        "period": _plain(view.period),
        "committee": _plain(view.committee),
        "organisation": _plain(view.organisation),
        "classification": _plain(view.classification),
        "layout": view.layout,
        "header": _plain(view.header),
        "legend": [
            {
                "fill": _fill(entry.status),
                "word": _run(entry.status.word, entry.status.ink),
                "status": entry.status.word,
                "definition": _plain(entry.definition),
            }
            for entry in view.legend
        ],
        "reports": [_report(words, report) for report in view.reports],
        "counts": dict(view.counts),
        "has_status": view.has_status,
        "has_due": view.has_due,
        "has_owner": view.has_owner,
        "overdue": view.overdue,
        "changes": _changes(view.changes),
        "summary": _summary(view, words),
    }


def _summary(view: PaperView, words: Words) -> dict[str, Any] | None:
    if view.summary is None:
        return None
    from .docx_summary import summary_context  # matplotlib is loaded only for papers that draw a chart

    return summary_context(view.summary, view.changes.since if view.changes else None, words.doc, words, _plain, _run, _fill)


def _changes(changes: ChangesView | None) -> dict[str, Any] | None:
    if changes is None:
        return None
    return {
        "since": _plain(changes.since),
        "headline": _plain(changes.headline),
        "groups": [
            {
                "heading": _plain(group.heading),
                "rows": [
                    {"report": _plain(row.report), "ref": _plain(row.ref), "text": _plain(row.text), "change": _plain(row.change)}
                    for row in group.rows
                ],
            }
            for group in changes.groups
        ],
    }


# --- after rendering: table widths, row splitting, properties, bytes ----------------------


def _twips(length: int | None, default: int) -> int:
    return round(length / 635) if length is not None else default


def _fit_tables(doc: Any) -> None:
    """Full-width tables whose optional columns were left out get the page width back."""
    sections = doc.sections
    if not len(sections):
        return
    section = sections[-1]
    text_width = _twips(section.page_width, 16838) - _twips(section.left_margin, 1134) - _twips(section.right_margin, 1134)
    for tbl in doc.element.body.iter(qn("w:tbl")):
        tbl_w = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblW')}")
        if tbl_w is None or tbl_w.get(qn("w:type")) != "pct" or tbl_w.get(qn("w:w")) not in ("5000", "100%"):
            continue
        rows = tbl.findall(qn("w:tr"))
        if not rows:
            continue
        cells = rows[0].findall(qn("w:tc"))
        widths: list[int] = []
        for tc in cells:
            tc_w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            if tc_w is None or span is not None or tc_w.get(qn("w:type")) not in (None, "dxa"):
                widths = []
                break
            widths.append(int(tc_w.get(qn("w:w"))))
        total = sum(widths)
        if not widths or total <= 0:
            continue
        scaled = [width * text_width // total for width in widths]
        scaled[-1] += text_width - sum(scaled)
        grid = tbl.find(qn("w:tblGrid"))
        for col in list(grid):
            grid.remove(col)
        for width in scaled:
            col = OxmlElement("w:gridCol")
            col.set(qn("w:w"), str(width))
            grid.append(col)
        for tr in rows:
            tcs = tr.findall(qn("w:tc"))
            if len(tcs) != len(scaled):
                continue
            for tc, width in zip(tcs, scaled, strict=True):
                tc_w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
                if tc_w is not None:
                    tc_w.set(qn("w:w"), str(width))
                    tc_w.set(qn("w:type"), "dxa")


KEEP_WHOLE_LINES = 20
"""Rows estimated at up to this many lines are kept on one page; longer ones may break."""


def _keep_short_rows(doc: Any) -> None:
    """Short rows never split across a page; long comments still flow onto the next page."""
    for tbl in doc.element.body.iter(qn("w:tbl")):
        for tr in tbl.findall(qn("w:tr")):
            trpr = tr.find(qn("w:trPr"))
            if trpr is not None and trpr.find(qn("w:tblHeader")) is not None:
                continue
            lines = 0
            for tc in tr.findall(qn("w:tc")):
                tc_w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
                width = int(tc_w.get(qn("w:w"), "2000")) if tc_w is not None and tc_w.get(qn("w:type"), "dxa") == "dxa" else 2000
                per_line = max(8, (width - 170) // 110)
                cell_lines = sum(max(1, math.ceil(sum(len(t.text or "") for t in p.iter(qn("w:t"))) / per_line)) for p in tc.iter(qn("w:p")))
                lines = max(lines, cell_lines)
            if lines <= KEEP_WHOLE_LINES:
                if trpr is None:
                    trpr = OxmlElement("w:trPr")
                    exceptions = tr.find(qn("w:tblPrEx"))
                    tr.insert(1 if exceptions is not None else 0, trpr)
                if trpr.find(qn("w:cantSplit")) is None:
                    trpr.insert(0, OxmlElement("w:cantSplit"))


_TCPR_ORDER = {
    qn(f"w:{tag}"): n
    for n, tag in enumerate(
        (
            "cnfStyle",
            "tcW",
            "gridSpan",
            "hMerge",
            "vMerge",
            "tcBorders",
            "shd",
            "noWrap",
            "tcMar",
            "textDirection",
            "tcFitText",
            "vAlign",
            "hideMark",
            "headers",
            "cellIns",
            "cellDel",
            "cellMerge",
            "tcPrChange",
        )
    )
}


def _order_cell_properties(doc: Any) -> None:
    """Put cell properties in schema order: docxtpl's cellbg inserts w:shd first, which Word may reject."""
    for tcpr in doc.element.body.iter(qn("w:tcPr")):
        children = list(tcpr)
        ordered = sorted(children, key=lambda child: _TCPR_ORDER.get(child.tag, len(_TCPR_ORDER)))
        if ordered != children:
            for child in children:
                tcpr.remove(child)
            tcpr.extend(ordered)


CORE_PROPERTY_LIMIT = 255
"""Word refuses longer document properties; the body still prints the text in full."""


def _core_text(text: str) -> str:
    text = clean_text(text).replace("\v", " ")
    return text if len(text) <= CORE_PROPERTY_LIMIT else text[: CORE_PROPERTY_LIMIT - 1] + "…"


def _properties(doc: Any, view: PaperView) -> None:
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype != RT.CORE_PROPERTIES and rel.reltype.endswith("/metadata/core-properties"):
            del package.rels[rid]  # LibreOffice's spelling; python-docx adds its own core.xml beside it
    props = doc.core_properties
    props.title = _core_text(view.title)
    props.author = _core_text(view.organisation)
    props.last_modified_by = props.author
    props.subject = _core_text(view.committee)
    props.keywords = _core_text(view.classification or "")
    props.comments = ""
    props.category = view.layout
    props.created = props.modified = dt.datetime.combine(view.period_start, dt.time(), tzinfo=dt.UTC)
    props.revision = 1
    for printed in props._element.findall(qn("cp:lastPrinted")):
        props._element.remove(printed)


def normalise_package(data: bytes) -> bytes:
    """Rewrite a .docx zip so equal contents give equal bytes.

    Fixed timestamps and attributes, [Content_Types].xml first (Office expects it), then
    the package relationships, then every other part in name order.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        names = list(dict.fromkeys(src.namelist()))
        order = sorted(names, key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for name in order:
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 0
                info.external_attr = 0
                dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl with one fix: `{% cellbg %}` also works on cells whose properties are empty or absent (#559)."""

    def patch_xml(self, src_xml: str) -> str:
        src_xml = re.sub(r"<w:tcPr\s*/>", "<w:tcPr></w:tcPr>", src_xml)
        src_xml = re.sub(r"(<w:tc(?:\s[^>]*)?>)(?!<w:tcPr[\s>])", r"\1<w:tcPr></w:tcPr>", src_xml)
        return str(super().patch_xml(src_xml))


ContextBuilder = Callable[[PaperView, Words], dict[str, Any]]


def render_docx(view: PaperView, template: Path, context_of: ContextBuilder | None = None, file_name: str | None = None,
                title: str | None = None) -> bytes:
    """Render a paper's view through a Word template; returns reproducible .docx bytes.

    The paper itself by default; another document of the same view (the cover report) brings
    its own context builder, output name (for messages) and document title.
    """
    paper = file_name or f"{view.name}.docx"
    try:
        tpl = _Template(str(template))
        doc = tpl.get_docx()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise RenderError(paper, "template", f"cannot open Word template {template}: {exc}") from exc
    words = Words(doc)
    context = (context_of or build_context)(view, words)
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except TemplateError as exc:
        near = " ".join(line.strip() for line in getattr(exc, "docx_context", []) if line.strip())
        hint = f" (near: {near[:200]})" if near else ""
        raise RenderError(paper, "render", f"template {template}: {exc.message or exc}{hint}") from exc
    words.footnotes.flush()
    _order_cell_properties(tpl.docx)
    _fit_tables(tpl.docx)
    _keep_short_rows(tpl.docx)
    _properties(tpl.docx, view)
    if title:
        tpl.docx.core_properties.title = _core_text(title)
    out = io.BytesIO()
    tpl.docx.save(out)
    return normalise_package(out.getvalue())
