"""Word out: Markdown fields as Word paragraphs (`Words`), escaped and styled."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax import saxutils

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml.ns import nsdecls, qn
from lxml import etree
from markdown_it.token import Token

from ... import markdown
from ...text import clean_text
from .vocabulary import (
    BULLET_STYLE,
    CONTINUE_STYLE,
    LEAD_STYLE,
    LEVEL_INDENT,
    LINK_STYLE,
    NOTE_REF_STYLE,
    NOTE_TEXT_STYLE,
    NUMBER_STYLE,
    RATIONALE_LEAD,
    RATIONALE_MARK,
    W,
)

# --- Word out: Markdown fields as Word paragraphs ------------------------------------------

HEX_COLOUR = re.compile(r"[0-9A-Fa-f]{6}")
"""A colour as WordprocessingML writes it (w:color, w:shd): six hex digits, matched whole."""

MARK_ID_BASE = 90000
"""Bookmark ids of the rationale marks start here, clear of any a template holds."""


def shield(xml: str) -> str:
    """Keep docxtpl's post-render unescaping ('{_{' -> '{{') away from data."""
    return xml.replace("{_", "{&#95;").replace("_}", "&#95;}")




class Block:
    """Paragraphs for a `{{p ...}}` tag: docxtpl's Subdoc protocol (XML through `__html__`).

    docxtpl's own Subdoc loads a blank document per instance (about 8 ms each) and needs
    docxcompose; a paper has hundreds of fields, so blocks are written as WordprocessingML
    text that uses the template's styles, numbering and relationships instead.
    """

    def __init__(self, paragraphs: Sequence[_Para]) -> None:
        self.paragraphs = len(paragraphs)
        self.xml = shield("".join(p.xml() for p in paragraphs))

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml

    def __bool__(self) -> bool:
        return self.paragraphs > 0


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
        ids = [int(i) for i in etree.fromstring(self._blob()).xpath("//w:footnote/@w:id", namespaces={"w": W})]
        self.next_id = max([0, *ids]) + 1
        self.pending: list[str] = []

    def _blob(self) -> bytes:
        return self.part.blob if not isinstance(self.part, XmlPart) else etree.tostring(self.part.element)

    def add(self, paragraphs: Sequence[_Para]) -> int:
        note_id = self.next_id
        self.next_id += 1
        self.pending.append(f'<w:footnote w:id="{note_id}">{"".join(p.xml() for p in paragraphs)}</w:footnote>')
        return note_id

    def flush(self) -> None:
        """Append the notes to the part as docxtpl left it (it renders footnotes.xml as a template)."""
        if not self.pending:
            return
        root = etree.fromstring(self._blob())
        for note in etree.fromstring(f"<w:footnotes {nsdecls('w', 'r')}>{''.join(self.pending)}</w:footnotes>"):
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
        self.bullet_style = self.styles.paragraph(BULLET_STYLE)
        self.number_style = self.styles.paragraph(NUMBER_STYLE)
        self.continue_style = self.styles.paragraph(CONTINUE_STYLE)
        self.bullet_num = self.styles.num_id(self.bullet_style)
        self.number_abstract: int | None = None
        number_num = self.styles.num_id(self.number_style)
        if number_num is not None:
            try:
                self.number_abstract = self.numbering.num_having_numId(number_num).abstractNumId.val
            except KeyError:
                self.number_abstract = None
        self.lead_style = self.styles.character(LEAD_STYLE)
        self.link_style = self.styles.character(LINK_STYLE)
        self.note_ref_style = self.styles.character(NOTE_REF_STYLE)
        self.note_text_style = self.styles.paragraph(NOTE_TEXT_STYLE)
        self.footnotes = _Footnotes(doc)
        self.marks = 0

    def block(self, text: str | None, style: str, lead: str | None = None, empty: bool = False,
              color: str | None = None, mark: str | None = None) -> Block | None:
        """A Markdown field as paragraphs in `style`; `lead` is an underlined lead-in before the text.

        With `empty`, a missing field still gives one empty paragraph (a table cell needs one);
        `color` (hex) colours every run, as the status ink on a RAG fill; `mark` names the hidden
        bookmark put around the block (a rationale always has one, for the importer).
        """
        style_id = self.styles.paragraph(style, "Normal")
        ink = color.upper() if color and HEX_COLOUR.fullmatch(color) else None
        main, notes = markdown.split_notes(markdown.parse(clean_text(text))) if text and text.strip() else (None, {})
        writer = _Writer(self, style_id, self.doc.part, notes, ink)
        if main is not None:
            writer.write(main, lead)
        elif lead or empty:
            writer.paragraph()
            if lead:
                writer.lead(lead)
        paragraphs = writer.paragraphs
        if (mark or lead == RATIONALE_LEAD) and paragraphs:
            self._mark(paragraphs, mark or RATIONALE_MARK)
        return Block(paragraphs) if paragraphs else None

    def _mark(self, paragraphs: list[_Para], name: str) -> None:
        """A hidden bookmark around all the paragraphs of a block (the importer reads where it ends)."""
        self.marks += 1
        mark_id = MARK_ID_BASE + self.marks
        paragraphs[0].content.insert(0, f'<w:bookmarkStart w:id="{mark_id}" w:name="{escape_attr(name)}{self.marks}"/>')
        paragraphs[-1].content.append(f'<w:bookmarkEnd w:id="{mark_id}"/>')

    def footnote(self, tokens: Sequence[Token]) -> int:
        style_id = self.note_text_style or self.styles.paragraph("Normal")
        writer = _Writer(self, style_id, self.footnotes.part, {}, None)
        writer.write(tokens, None)
        if not writer.paragraphs:
            writer.paragraph()
        writer.paragraphs[0].content[:0] = [_run("<w:footnoteRef/>", self.note_ref_style), _run(_text(" "))]
        return self.footnotes.add(writer.paragraphs)

    def new_list(self, ordered: bool, depth: int, start: int) -> int | None:
        if not ordered:
            return self.bullet_num
        if self.number_abstract is None:
            return None
        num = self.numbering.add_num(self.number_abstract)
        num.add_lvlOverride(ilvl=depth).add_startOverride(start)
        return int(num.numId)


_BREAKS = re.compile(r"([\t\n\v])")


def escape_text(text: str) -> str:
    """Text content as lxml writes it (a carriage return cannot reach here: `clean_text` makes it a newline)."""
    return saxutils.escape(text, _TEXT_ENTITIES)


def escape_attr(value: str) -> str:
    """An attribute's value as lxml writes it (between double quotes)."""
    return saxutils.escape(value, _ATTR_ENTITIES)


_TEXT_ENTITIES = {"\r": "&#13;"}
_ATTR_ENTITIES = {**_TEXT_ENTITIES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}


def _run(content: str, style_id: str | None = None, bold: bool = False, italic: bool = False, underline: bool = False,
         color: str | None = None) -> str:
    """A `w:r` around `content`, its properties in the schema's order (rStyle, b, i, color, u)."""
    props = f'<w:rStyle w:val="{escape_attr(style_id)}"/>' if style_id else ""
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    if color:
        props += f'<w:color w:val="{color}"/>'
    if underline:
        props += '<w:u w:val="single"/>'
    inner = f"<w:rPr>{props}</w:rPr>{content}" if props else content
    return f"<w:r>{inner}</w:r>" if inner else "<w:r/>"


def _text(text: str) -> str:
    """Text for a run: tabs as w:tab, newlines and vertical tabs as w:br, spaces at either end kept."""
    out = ""
    for piece in _BREAKS.split(text):
        if not piece:
            continue
        if piece == "\t":
            out += "<w:tab/>"
        elif piece in "\n\v":
            out += "<w:br/>"
        elif piece != piece.strip():
            out += f'<w:t xml:space="preserve">{escape_text(piece)}</w:t>'
        else:
            out += f"<w:t>{escape_text(piece)}</w:t>"
    return out


class _Link:
    """A `w:hyperlink` being written: its runs, then its XML."""

    __slots__ = ("rid", "content")

    def __init__(self, rid: str) -> None:
        self.rid = rid
        self.content: list[str] = []

    def xml(self) -> str:
        inner = "".join(self.content)
        return f'<w:hyperlink r:id="{escape_attr(self.rid)}">{inner}</w:hyperlink>' if inner else f'<w:hyperlink r:id="{escape_attr(self.rid)}"/>'


class _Para:
    """A `w:p` being written: its properties (pPr's children, in order) and its content."""

    __slots__ = ("props", "content")

    def __init__(self, props: list[str]) -> None:
        self.props = props
        self.content: list[str | _Link] = []

    def xml(self) -> str:
        inner = "".join(piece if isinstance(piece, str) else piece.xml() for piece in self.content)
        if self.props:
            inner = f"<w:pPr>{''.join(self.props)}</w:pPr>{inner}"
        return f"<w:p>{inner}</w:p>" if inner else "<w:p/>"


class _Writer:
    """One pass over a field's tokens, writing its paragraphs; `color` inks every run (a RAG fill's status ink).

    The paragraphs are written as text, not built as lxml elements and serialised: a long
    paper has tens of thousands of runs.
    """

    def __init__(self, words: Words, style_id: str | None, link_part: Any, notes: dict[int, list[Token]], color: str | None) -> None:
        self.words = words
        self.paragraphs: list[_Para] = []
        self.style_id = style_id
        self.link_part = link_part
        self.notes = notes
        self.color = color
        self.lists: list[_List] = []
        self.items: list[bool] = []
        self.quote = 0
        self.p: _Para | None = None
        self.target: list[Any] = []
        """Where runs go: the paragraph's content, or a link's."""
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
            elif kind == "hr":
                self.rule()

    def paragraph(self) -> _Para:
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
        props = []
        if style_id:
            props.append(f'<w:pStyle w:val="{escape_attr(style_id)}"/>')
        if num is not None:
            props.append(f'<w:numPr><w:ilvl w:val="{num[0]}"/><w:numId w:val="{num[1]}"/></w:numPr>')
        if num is not None and self.quote:
            indent = LEVEL_INDENT * (num[0] + 1 + self.quote)
        if indent:
            hanging = f' w:hanging="{LEVEL_INDENT}"' if num is not None else ""
            props.append(f'<w:ind w:left="{indent}"{hanging}/>')
        p = _Para(props)
        self.paragraphs.append(p)
        self.p = p
        self.target = p.content
        return p

    def rule(self) -> None:
        """A thematic break as Word draws one: an empty paragraph with a bottom border (before any indent)."""
        props = self.paragraph().props
        border = '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'
        props.insert(len(props) - 1 if props and props[-1].startswith("<w:ind ") else len(props), border)
        self.p = None

    def lead(self, words: str) -> None:
        assert self.p is not None
        self.p.content.append(_run(_text(words), self.words.lead_style, underline=self.words.lead_style is None, color=self.color))

    # inlines

    def inline(self, children: Sequence[Token]) -> None:
        p = self.p if self.p is not None else self.paragraph()
        for child in children:
            kind = child.type
            if kind == "text" or kind == "code_inline" or kind == "html_inline":
                self.run_text(child.content)
            elif kind == "softbreak":
                self.run_text(" ")
            elif kind == "hardbreak":
                self.target.append(_run("<w:br/>", color=self.color))
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
                    link = _Link(self.link_part.relate_to(href, RT.HYPERLINK, is_external=True))
                    p.content.append(link)
                    self.target = link.content
                    self.in_link = True
            elif kind == "link_close":
                if self.in_link and not self.target:
                    p.content.pop()  # a link with no words: the one just opened, last in its paragraph
                self.target = p.content
                self.in_link = False
            elif kind == "footnote_ref":
                self.note_ref(int(child.meta["id"]))
            elif kind == "image":
                self.run_text(child.content)

    def run_text(self, text: str) -> None:
        if not text:
            return
        style = self.words.link_style if self.in_link else None
        self.target.append(_run(_text(text), style, self.bold > 0, self.italic > 0, any(self.spans), self.color))

    def note_ref(self, md_id: int) -> None:
        tokens = self.notes.get(md_id)
        if tokens is None:
            return
        note_id = self.words.footnote(tokens)
        self.target.append(_run(f'<w:footnoteReference w:id="{note_id}"/>', self.words.note_ref_style, color=self.color))
