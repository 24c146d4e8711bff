"""Markdown <-> WordprocessingML: the one mapping between rich-text fields and Word paragraphs.

The Word renderer writes Markdown fields as Word paragraphs (`Words`), and the Word importer
(`boardpack.intake.word`) reads Word paragraphs back as Markdown (`Reader`). Both directions
live here and share their vocabulary (styles, lead-ins, the rationale mark), so what
boardpack writes it reads back as it was:

| Markdown | WordprocessingML |
| --- | --- |
| paragraph | `w:p` in the field's style |
| `- item` (nested by indent) | `List Bullet` paragraph with the bullet `w:numPr` at the item's level |
| `1. item` | `List Number` paragraph with its own `w:num` (start override) |
| second paragraph of an item | `List Continue` paragraph |
| `**bold**`, `*italic*` | `w:b`, `w:i` |
| `[words]{.underline}` | `w:u` (and the `Lead In` character style for lead-ins) |
| `[text](https://...)` | `w:hyperlink` to an external relationship |
| `text[^1]` + `[^1]: note` | `w:footnoteReference` to a note in footnotes.xml |
| hard line break | `w:br` |

Reading is more forgiving than writing, because hand-made papers are: typed bullets ("•",
"○", "-"), any Word numbering, formatting from character styles, HYPERLINK fields, tracked
insertions and content controls are all understood. Reading never fetches, runs or follows
anything: a link is a string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax import saxutils

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml.ns import nsdecls, qn
from lxml import etree
from markdown_it.token import Token

from .. import markdown
from ..text import clean_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

LEVEL_INDENT = 360
"""Twips per list level; matches the template's numbering definitions."""

# --- the vocabulary both directions share ------------------------------------------------

TASK_LEAD = "Task"
"""The lead-in of a task row's text."""
POSITION_LEAD = "Current position:"
"""The lead-in of a task's position (its comment cell)."""
RATIONALE_LEAD = "Rationale:"
"""The lead-in of a rationale, printed above the comment."""
LEAD_PREFIX = "Lead: "
"""How a WHITE item's lead is printed under its status."""
GOES_ON_MARK = "_bp_goes_on"
"""Hidden bookmark around the paragraphs of a cell in a row's later part whose first paragraph
goes on from the part before (cut after a sentence to fit the page): the importer joins it back."""
RATIONALE_MARK = "_bp_rationale"
"""Hidden bookmark (Word hides names starting with '_') around a rationale's paragraphs, so
the importer knows where the rationale ends and the comment begins."""

BULLET_STYLE, NUMBER_STYLE, CONTINUE_STYLE = "List Bullet", "List Number", "List Continue"
LEAD_STYLE, LINK_STYLE = "Lead In", "Hyperlink"
NOTE_REF_STYLE, NOTE_TEXT_STYLE = "footnote reference", "footnote text"

SAFE_SCHEMES = ("http://", "https://", "mailto:")

TYPED_BULLETS = "•●▪■◦○·‣⁃–-*\uf0b7\uf0a7\uf076\uf0d8"
"""Characters people type (or Word's Symbol font puts) before a list item by hand."""
_NESTED_BULLETS = "◦○▪‣\uf0a7"
_SYMBOL_CHARS = {"F0B7": "•", "F0A7": "▪", "F076": "❖", "F0D8": "➢", "F0FC": "✓", "F0A8": "○"}


def w(tag: str) -> str:
    """Clark name of a WordprocessingML tag: w('p') -> '{...main}p'."""
    return f"{{{W}}}{tag}"


def wval(element: Any, attr: str = "val") -> str | None:
    """A w: attribute of an element, or None."""
    if element is None:
        return None
    value = element.get(w(attr))
    return str(value) if value is not None else None


def _on(element: Any) -> bool:
    """A toggle property (w:b, w:i) is on unless its value says off."""
    return element is not None and (wval(element) or "true").lower() not in ("0", "false", "off", "none")


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
        paragraphs[0].content.insert(0, f'<w:bookmarkStart w:id="{mark_id}" w:name="{_attr(name)}{self.marks}"/>')
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


def _escape(text: str) -> str:
    """Text content as lxml writes it (a carriage return cannot reach here: `clean_text` makes it a newline)."""
    return saxutils.escape(text, _TEXT_ENTITIES)


def _attr(value: str) -> str:
    """An attribute's value as lxml writes it (between double quotes)."""
    return saxutils.escape(value, _ATTR_ENTITIES)


_TEXT_ENTITIES = {"\r": "&#13;"}
_ATTR_ENTITIES = {**_TEXT_ENTITIES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}


def _run(content: str, style_id: str | None = None, bold: bool = False, italic: bool = False, underline: bool = False,
         color: str | None = None) -> str:
    """A `w:r` around `content`, its properties in the schema's order (rStyle, b, i, color, u)."""
    props = f'<w:rStyle w:val="{_attr(style_id)}"/>' if style_id else ""
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
            out += f'<w:t xml:space="preserve">{_escape(piece)}</w:t>'
        else:
            out += f"<w:t>{_escape(piece)}</w:t>"
    return out


class _Link:
    """A `w:hyperlink` being written: its runs, then its XML."""

    __slots__ = ("rid", "content")

    def __init__(self, rid: str) -> None:
        self.rid = rid
        self.content: list[str] = []

    def xml(self) -> str:
        inner = "".join(self.content)
        return f'<w:hyperlink r:id="{_attr(self.rid)}">{inner}</w:hyperlink>' if inner else f'<w:hyperlink r:id="{_attr(self.rid)}"/>'


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
            props.append(f'<w:pStyle w:val="{_attr(style_id)}"/>')
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


# --- what a cell says, as structure ------------------------------------------------------


@dataclass
class Span:
    """A piece of text with one formatting; a footnote call has `note` and no text."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    link: str | None = None
    note: int | None = None
    """Index into `Rich.notes`."""

    def same_look(self, other: Span) -> bool:
        return (self.bold, self.italic, self.underline, self.link) == (other.bold, other.italic, other.underline, other.link) \
            and self.note is None and other.note is None


ParaKind = Literal["para", "bullet", "number", "continue", "rule"]


@dataclass
class Para:
    """One paragraph: a plain paragraph, a list item at a level, or an item's further paragraph."""

    spans: list[Span] = field(default_factory=list)
    kind: ParaKind = "para"
    level: int = 0
    number: int | None = None
    """The number a numbered item shows."""
    style: str = ""
    """The paragraph style's name, lower case."""
    marks: set[str] = field(default_factory=set)
    """Bookmarks (by name) that cover this paragraph."""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)

    @property
    def empty(self) -> bool:
        """No words, no footnote call, and not a rule: a paragraph that says nothing."""
        return self.kind != "rule" and not self.text.strip() and all(s.note is None for s in self.spans)

    def lead(self) -> str:
        """The underlined or bold words the paragraph starts with ('Current position')."""
        out: list[str] = []
        for span in self.spans:
            if span.note is not None:
                break
            if not (span.underline or span.bold):
                if span.text.strip():
                    break
                if out:
                    break
                continue
            out.append(span.text)
        return "".join(out).strip()

    def drop_prefix(self, chars: int) -> None:
        """Remove the first `chars` characters of text (and the spaces after them)."""
        left = chars
        spans = []
        for span in self.spans:
            if left > 0 and span.note is None:
                if len(span.text) <= left:
                    left -= len(span.text)
                    continue
                span = Span(span.text[left:], span.bold, span.italic, span.underline, span.link)
                left = 0
            spans.append(span)
        while spans and spans[0].note is None and not spans[0].text.strip():
            spans.pop(0)
        if spans and spans[0].note is None:
            first = spans[0]
            spans[0] = Span(first.text.lstrip(), first.bold, first.italic, first.underline, first.link)
        self.spans = spans

    def copy(self) -> Para:
        return Para([Span(s.text, s.bold, s.italic, s.underline, s.link, s.note) for s in self.spans],
                    self.kind, self.level, self.number, self.style, set(self.marks))


@dataclass
class Rich:
    """A rich-text cell (or part of one): paragraphs, and the footnotes they call."""

    paras: list[Para] = field(default_factory=list)
    notes: list[list[Para]] = field(default_factory=list)
    images: int = 0
    """Pictures and embedded objects seen (not imported)."""
    tables: int = 0
    """Tables nested in the cell (their text is read as paragraphs)."""

    @property
    def text(self) -> str:
        """Plain text, one line per paragraph (line breaks kept)."""
        return "\n".join(p.text for p in self.paras).strip()

    def __bool__(self) -> bool:
        return any(not p.empty for p in self.paras)

    def lines(self) -> list[str]:
        """Plain text lines: paragraphs and line breaks both end a line; blank lines dropped."""
        return [line.strip() for p in self.paras for line in p.text.split("\n") if line.strip()]

    def take(self, paras: Sequence[Para]) -> Rich:
        """A Rich of some of these paragraphs, with the notes they call."""
        return Rich(list(paras), self.notes)

    def extend(self, other: Rich, join: bool = True, always: bool = False) -> None:
        """Append another Rich (a row continued after a page break).

        With `join`, a paragraph that the break cut in two is put back together: the last
        paragraph did not end a sentence, or the next starts in lower case; with `always`,
        the first paragraph is joined to the last whatever they say (boardpack marked it).
        """
        offset = len(self.notes)
        self.notes.extend(other.notes)
        paras = [p.copy() for p in other.paras if not p.empty]
        for para in paras:
            for span in para.spans:
                if span.note is not None:
                    span.note += offset
        if join and paras and self.paras:
            last, first = self.paras[-1], paras[0]
            if always or _cut(last, first):
                last.spans.append(Span(" "))
                last.spans.extend(first.spans)
                paras = paras[1:]
        self.paras.extend(paras)
        self.images += other.images
        self.tables += other.tables

    def markdown(self) -> str:
        """The cell as Markdown in the project's dialect; '' when empty."""
        return to_markdown(self)


_SENTENCE_END = re.compile(r"[.!?:;)\]”\"'’]\s*$")


def _cut(last: Para, first: Para) -> bool:
    """Whether two paragraphs are one that a page break split."""
    if "rule" in (first.kind, last.kind) or first.kind in ("bullet", "number") and first.kind == last.kind:
        return False
    if first.kind in ("bullet", "number") and last.kind == "para":
        return False
    text, start = last.text.rstrip(), first.text.lstrip()
    if not text or not start:
        return False
    return start[0].islower() or not _SENTENCE_END.search(text)


# --- Markdown out ----------------------------------------------------------------------------


_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^(\s*)([#>+=|-]|\d+(?=[.)]))")


def escape(text: str, in_brackets: bool = False) -> str:
    r"""Plain text as Markdown that renders as exactly that text.

    Only what would change the meaning is escaped: emphasis and code marks, brackets that
    would make a link, span or footnote, autolinks, entities, and line starts that would
    make a heading, quote, list or rule.
    """
    out = []
    n = len(text)
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < n else ""
        prev = text[i - 1] if i else ""
        if ch in "\\`*{}<":
            out.append("\\" + ch)
        elif ch == "_" and not (prev.isalnum() and nxt.isalnum()):
            out.append("\\_")
        elif ch == "[" and (in_brackets or nxt == "^"):
            out.append("\\[")
        elif ch == "]" and (in_brackets or nxt in "({[:"):
            out.append("\\]")
        elif ch == "!" and nxt == "[":
            out.append("\\!")
        else:
            out.append(ch)
    return _ENTITY.sub("\\\\&", "".join(out))


def _line_starts(text: str) -> str:
    """Escape what would start a block at the beginning of each line."""
    lines = text.split("\n")
    out = []
    for line in lines:
        line = line.lstrip(" \t")
        match = _LINE_START.match(line)
        if match:
            mark = match.group(2)
            if mark[0].isdigit():
                line = mark + "\\" + line[len(mark):]
            else:
                line = "\\" + line
        out.append(line)
    return "\n".join(out)


def _inline(spans: Sequence[Span], notes: dict[int, int]) -> str:
    """Spans as inline Markdown, formatting nested link > bold > italic > underline."""
    merged: list[Span] = []
    for span in spans:
        if span.note is None and not span.text:
            continue
        if merged and span.note is None and merged[-1].same_look(span):
            merged[-1] = Span(merged[-1].text + span.text, span.bold, span.italic, span.underline, span.link)
        else:
            merged.append(span)
    return _group(merged, ("link", "bold", "italic", "underline"), notes)


def _group(spans: Sequence[Span], keys: Sequence[str], notes: dict[int, int]) -> str:
    if not keys:
        return "".join(f"[^{notes[s.note]}]" if s.note is not None else escape(s.text) for s in spans)
    key, rest = keys[0], keys[1:]
    out = []
    run: list[Span] = []

    def flush() -> None:
        if not run:
            return
        value = getattr(run[0], key)
        inner = _group(run, rest, notes) if not (key == "underline" and value) else _brackets(run, notes)
        if not value or run[0].note is not None:
            out.append(inner)
        else:
            out.append(_wrap(key, value, inner))
        run.clear()

    for span in spans:
        value = getattr(span, key) if span.note is None else None
        if run and (getattr(run[0], key) if run[0].note is None else None) != value:
            flush()
        run.append(span)
    flush()
    return "".join(out)


def _brackets(spans: Sequence[Span], notes: dict[int, int]) -> str:
    return "".join(f"[^{notes[s.note]}]" if s.note is not None else escape(s.text, in_brackets=True) for s in spans)


def _wrap(key: str, value: Any, inner: str) -> str:
    """Put markers around `inner`, keeping its outer spaces outside (CommonMark needs that)."""
    core = inner.strip()
    if not core:
        return inner
    before = inner[: len(inner) - len(inner.lstrip())]
    after = inner[len(inner.rstrip()):]
    if key == "link":
        wrapped = f"[{core}]({value})"
    elif key == "bold":
        wrapped = f"**{core}**"
    elif key == "italic":
        wrapped = f"*{core}*"
    else:
        wrapped = f"[{core}]{{.underline}}"
    return before + wrapped + after


def _para_markdown(para: Para, notes: dict[int, int]) -> str:
    text = _inline(para.spans, notes)
    text = text.replace("\t", " ")
    lines = [line.strip() for line in _line_starts(text).split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\\\n".join(line for line in lines if line) if len(lines) > 1 else (lines[0] if lines else "")


def to_markdown(rich: Rich) -> str:
    """A Rich as Markdown: paragraphs, tight lists, footnotes numbered from 1 at the end."""
    numbers: dict[int, int] = {}
    for para in rich.paras:
        for span in para.spans:
            if span.note is not None and span.note not in numbers:
                numbers[span.note] = len(numbers) + 1
    blocks: list[str] = []
    indents: list[int] = []  # text indent of each open list level
    previous: Para | None = None
    for para in rich.paras:
        if para.kind == "rule":
            indents = []
            blocks.append("---")
            previous = para
            continue
        body = _para_markdown(para, numbers)
        if not body:
            continue
        if para.kind in ("bullet", "number"):
            level = min(para.level, len(indents))
            del indents[level:]
            indent = indents[-1] if indents else 0
            marker = "- " if para.kind == "bullet" else f"{para.number or 1}. "
            indents.append(indent + len(marker))
            lines = body.split("\n")
            item = " " * indent + marker + ("\n" + " " * (indent + len(marker))).join(lines)
            tight = previous is not None and previous.kind in ("bullet", "number", "continue") and not (
                level == 0 and previous.kind in ("bullet", "number") and previous.level == 0 and previous.kind != para.kind)
            if tight and blocks:
                blocks[-1] += "\n" + item
            else:
                blocks.append(item)
        elif para.kind == "continue" and indents:
            pad = " " * indents[-1]
            blocks.append(pad + ("\n" + pad).join(body.split("\n")))
        else:
            indents = []
            blocks.append(body)
        previous = para
    for note, n in sorted(numbers.items(), key=lambda pair: pair[1]):
        paras = rich.notes[note] if 0 <= note < len(rich.notes) else []
        texts = [_para_markdown(p, {}) for p in paras]
        texts = [t for t in texts if t]
        if texts:
            blocks.append(f"[^{n}]: " + "\n\n".join([texts[0]] + ["    " + t.replace("\n", "\n    ") for t in texts[1:]]))
    return "\n\n".join(blocks).strip()


def safe_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


# --- Word in ----------------------------------------------------------------------------------


@dataclass
class _Level:
    fmt: str
    start: int


class Reader:
    """Reads paragraphs of one document as `Rich` text, resolving styles, numbering, links and notes.

    `styles`, `numbering` and `notes` are the parsed parts (lxml elements, or None); `links`
    maps relationship ids of the document part to their targets, `note_links` those of the
    footnotes part.
    """

    def __init__(self, styles: Any, numbering: Any, links: dict[str, str], notes: dict[str, Any] | None = None,
                 note_links: dict[str, str] | None = None) -> None:
        self.links = links
        self.note_links = note_links or {}
        self.notes = notes or {}
        self.style_names: dict[str, str] = {}
        self.char_looks: dict[str, tuple[bool, bool, bool]] = {}
        self.para_num: dict[str, tuple[str, int]] = {}
        self.para_outline: dict[str, int] = {}
        self._styles(styles)
        self.levels: dict[str, dict[int, _Level]] = {}
        self._numbering(numbering)
        self.unsafe_links: list[str] = []
        self._open: set[str] = set()
        self._ids: dict[str, str] = {}
        self._list_run: dict[tuple[str, int], int] = {}
        self._typed: dict[str, int] = {}
        """Levels of the typed bullet characters in the current run of typed bullets."""
        self._typed_last: str | None = None

    # parts

    def _styles(self, styles: Any) -> None:
        if styles is None:
            return
        elements = {s.get(w("styleId")): s for s in styles.iter(w("style"))}
        for sid, style in elements.items():
            name = style.find(w("name"))
            self.style_names[sid] = (wval(name) or sid or "").lower()

        def chain(sid: str | None) -> Iterator[Any]:
            seen = set()
            while sid and sid in elements and sid not in seen:
                seen.add(sid)
                yield elements[sid]
                sid = wval(elements[sid].find(w("basedOn")))

        for sid, style in elements.items():
            if style.get(w("type")) == "character":
                bold = italic = underline = None
                for link in chain(sid):
                    rpr = link.find(w("rPr"))
                    if rpr is None:
                        continue
                    if bold is None and rpr.find(w("b")) is not None:
                        bold = _on(rpr.find(w("b")))
                    if italic is None and rpr.find(w("i")) is not None:
                        italic = _on(rpr.find(w("i")))
                    if underline is None and rpr.find(w("u")) is not None:
                        underline = (wval(rpr.find(w("u"))) or "single") != "none"
                self.char_looks[sid] = (bool(bold), bool(italic), bool(underline))
            elif style.get(w("type")) == "paragraph":
                for link in chain(sid):
                    ppr = link.find(w("pPr"))
                    if ppr is None:
                        continue
                    num = ppr.find(w("numPr"))
                    if num is not None and sid not in self.para_num:
                        num_id = wval(num.find(w("numId")))
                        if num_id is not None:
                            self.para_num[sid] = (num_id, int(wval(num.find(w("ilvl"))) or 0))
                    outline = ppr.find(w("outlineLvl"))
                    if outline is not None and sid not in self.para_outline:
                        self.para_outline[sid] = int(wval(outline) or 9)

    def _numbering(self, numbering: Any) -> None:
        if numbering is None:
            return
        abstract: dict[str, dict[int, _Level]] = {}
        for definition in numbering.iter(w("abstractNum")):
            levels = {}
            for lvl in definition.iter(w("lvl")):
                fmt = wval(lvl.find(w("numFmt"))) or "decimal"
                start = wval(lvl.find(w("start")))
                levels[int(wval(lvl, "ilvl") or 0)] = _Level(fmt, int(start) if start and start.lstrip("-").isdigit() else 1)
            abstract[wval(definition, "abstractNumId") or ""] = levels
        for num in numbering.iter(w("num")):
            base = abstract.get(wval(num.find(w("abstractNumId"))) or "", {})
            levels = {k: _Level(v.fmt, v.start) for k, v in base.items()}
            for override in num.iter(w("lvlOverride")):
                ilvl = int(wval(override, "ilvl") or 0)
                start = wval(override.find(w("startOverride")))
                if start and start.lstrip("-").isdigit():
                    levels.setdefault(ilvl, _Level("decimal", 1)).start = int(start)
                lvl = override.find(w("lvl"))
                if lvl is not None:
                    levels[ilvl] = _Level(wval(lvl.find(w("numFmt"))) or "decimal", levels.get(ilvl, _Level("decimal", 1)).start)
            self.levels[wval(num, "numId") or ""] = levels

    # paragraphs

    def style_name(self, p: Any) -> str:
        sid = wval(p.find(f"{w('pPr')}/{w('pStyle')}"))
        return self.style_names.get(sid or "", (sid or "").lower())

    def heading_level(self, p: Any) -> int | None:
        """1 for Title and Heading 1, 2 for Heading 2, ...; None for body text."""
        sid = wval(p.find(f"{w('pPr')}/{w('pStyle')}")) or ""
        name = self.style_names.get(sid, sid.lower())
        if name == "title":
            return 1
        match = re.fullmatch(r"heading ?(\d)", name)
        if match:
            return int(match.group(1))
        outline = p.find(f"{w('pPr')}/{w('outlineLvl')}")
        level = int(wval(outline) or 9) if outline is not None else self.para_outline.get(sid)
        return level + 1 if level is not None and level < 9 else None

    def cell(self, elements: Sequence[Any], link_part: str = "document") -> Rich:
        """The paragraphs (and nested tables' paragraphs) of a cell, as Rich text."""
        rich = Rich()
        self._open, self._ids, self._list_run = set(), {}, {}
        self._typed, self._typed_last = {}, None
        for element in elements:
            if element.tag == w("p"):
                rich.paras.append(self.paragraph(element, rich, link_part))
            elif element.tag == w("tbl"):
                rich.tables += 1
                for p in element.iter(w("p")):
                    rich.paras.append(self.paragraph(p, rich, link_part))
            elif element.tag in (w("sdt"), w("customXml")):
                inner = element.find(w("sdtContent")) if element.tag == w("sdt") else element
                if inner is not None:
                    more = self.cell(list(inner), link_part)
                    rich.extend(more, join=False)
        return rich

    def paragraph(self, p: Any, rich: Rich, link_part: str = "document") -> Para:
        para = Para(style=self.style_name(p))
        para.marks |= self._open
        spans = para.spans
        self._runs(p, spans, rich, link_part, para, link=None)
        para.marks |= self._open
        if not para.text.strip() and not any(s.note is not None for s in spans) and ruled(p):
            para.kind = "rule"
            return para
        self._list(p, para)
        return para

    def _list(self, p: Any, para: Para) -> None:
        """List membership: Word numbering (direct or by style), our List styles, typed bullets."""
        ppr = p.find(w("pPr"))
        num = ppr.find(w("numPr")) if ppr is not None else None
        sid = wval(ppr.find(w("pStyle"))) if ppr is not None else None
        num_id, ilvl = None, 0
        if num is not None:
            num_id = wval(num.find(w("numId")))
            ilvl = int(wval(num.find(w("ilvl"))) or 0)
            if num_id is None and sid in self.para_num:
                num_id = self.para_num[sid][0]
        elif sid in self.para_num:
            num_id, ilvl = self.para_num[sid]
        if num_id is not None and num_id != "0":
            level = self.levels.get(num_id, {}).get(ilvl, _Level("bullet" if para.style.startswith("list bullet") else "decimal", 1))
            if level.fmt == "none":
                return
            para.level = max(0, min(ilvl, 8))
            if level.fmt == "bullet":
                para.kind = "bullet"
            else:
                para.kind = "number"
                key = (num_id, ilvl)
                para.number = self._list_run.get(key, level.start - 1) + 1
                self._list_run[key] = para.number
                for deeper in [k for k in self._list_run if k[0] == num_id and k[1] > ilvl]:
                    del self._list_run[deeper]
            return
        if para.style.startswith("list continue"):
            para.kind = "continue"
            return
        text = para.text
        stripped = text.lstrip()
        if stripped and stripped[0] in TYPED_BULLETS and (len(stripped) > 1 and (stripped[1] in " \t" or stripped[0] not in "-*–")):
            para.kind = "bullet"
            char = stripped[0]
            if char not in self._typed:
                previous = self._typed.get(self._typed_last or "", -1)
                self._typed[char] = previous + 1 if char in _NESTED_BULLETS and previous >= 0 else 0
            para.level = self._typed[char]
            self._typed_last = char
            para.drop_prefix(len(text) - len(stripped) + 1)
            return
        if text.strip():
            self._typed, self._typed_last = {}, None

    def _runs(self, parent: Any, spans: list[Span], rich: Rich, link_part: str, para: Para, link: str | None) -> None:
        field_stack: list[dict[str, Any]] = []
        for child in parent:
            tag = child.tag
            if tag == w("r"):
                self._run(child, spans, rich, link_part, para, link, field_stack)
            elif tag == w("hyperlink"):
                target = self._link(child, link_part)
                self._runs(child, spans, rich, link_part, para, target or link)
            elif tag == w("fldSimple"):
                target = _field_link(child.get(w("instr")) or "")
                self._runs(child, spans, rich, link_part, para, target or link)
            elif tag in (w("ins"), w("smartTag"), w("customXml"), w("moveTo"), w("dir"), w("bdo")):
                self._runs(child, spans, rich, link_part, para, link)
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    self._runs(content, spans, rich, link_part, para, link)
            elif tag == w("bookmarkStart"):
                name = child.get(w("name")) or ""
                self._ids[child.get(w("id")) or ""] = name
                self._open.add(name)
                para.marks.add(name)
            elif tag == w("bookmarkEnd"):
                name = self._ids.get(child.get(w("id")) or "")
                if name:
                    self._open.discard(name)
            # w:del, w:moveFrom, proofing marks, comments and maths are not text of the paper

    def _link(self, element: Any, link_part: str) -> str | None:
        rid = element.get(f"{{{R}}}id")
        if not rid:
            return None
        target = (self.note_links if link_part == "notes" else self.links).get(rid)
        if target is None:
            return None
        if not safe_link(target):
            self.unsafe_links.append(target)
            return None
        return target

    def _run(self, r: Any, spans: list[Span], rich: Rich, link_part: str, para: Para, link: str | None,
             fields: list[dict[str, Any]]) -> None:
        rpr = r.find(w("rPr"))
        bold = italic = underline = False
        if rpr is not None:
            sid = wval(rpr.find(w("rStyle")))
            if sid in self.char_looks and self.style_names.get(sid or "") not in (LINK_STYLE.lower(), NOTE_REF_STYLE):
                bold, italic, underline = self.char_looks[sid or ""]
            if rpr.find(w("b")) is not None:
                bold = _on(rpr.find(w("b")))
            if rpr.find(w("i")) is not None:
                italic = _on(rpr.find(w("i")))
            if rpr.find(w("u")) is not None:
                underline = (wval(rpr.find(w("u"))) or "single") != "none"
        if link:
            underline = False
        active = fields[-1] if fields else None
        target = link or (active.get("link") if active and active["result"] else None)

        def add(text: str) -> None:
            if active is not None and not active["result"]:
                return
            spans.append(Span(text, bold, italic, underline, target))

        for child in r:
            tag = child.tag
            if tag == w("t"):
                add(child.text or "")
            elif tag == w("tab") or tag == w("ptab"):
                add("\t")
            elif tag in (w("br"), w("cr")):
                add("\n")
            elif tag == w("noBreakHyphen"):
                add("-")
            elif tag == w("sym"):
                add(_SYMBOL_CHARS.get((child.get(w("char")) or "").upper(), ""))
            elif tag in (w("footnoteReference"), w("endnoteReference")):
                note_id = child.get(w("id")) or ""
                kind = "footnote" if tag == w("footnoteReference") else "endnote"
                body = self.notes.get(f"{kind}:{note_id}")
                if body is not None:
                    reader_notes = self._note(body)
                    rich.notes.append(reader_notes)
                    spans.append(Span("", note=len(rich.notes) - 1))
            elif tag in (w("drawing"), w("pict"), w("object")):
                rich.images += 1
            elif tag == w("fldChar"):
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    fields.append({"instr": "", "result": False, "link": None})
                elif kind == "separate" and fields:
                    fields[-1]["result"] = True
                    fields[-1]["link"] = _field_link(fields[-1]["instr"])
                elif kind == "end" and fields:
                    fields.pop()
                active = fields[-1] if fields else None
                target = link or (active.get("link") if active and active["result"] else None)
            elif tag == w("instrText") and fields:
                fields[-1]["instr"] += child.text or ""

    def _note(self, body: Any) -> list[Para]:
        """A footnote's paragraphs, without its number mark."""
        saved = (self._open, self._ids, self._list_run)
        self._open, self._ids, self._list_run = set(), {}, {}
        holder = Rich()
        paras = []
        for p in body.iter(w("p")):
            para = Para(style=self.style_name(p))
            self._runs(p, para.spans, holder, "notes", para, None)
            if para.spans and para.spans[0].note is None:
                para.drop_prefix(0)
            paras.append(para)
        self._open, self._ids, self._list_run = saved
        return [p for p in paras if p.text.strip()]


def ruled(p: Any) -> bool:
    """A paragraph with a bottom border: how Word draws a horizontal rule."""
    bottom = p.find(f"{w('pPr')}/{w('pBdr')}/{w('bottom')}")
    return bottom is not None and (wval(bottom) or "single") not in ("none", "nil")


_HYPERLINK = re.compile(r'^\s*HYPERLINK\s+(?:\\[a-z]\s+"[^"]*"\s+)*"?([^"\s]+)"?', re.IGNORECASE)


def _field_link(instr: str) -> str | None:
    """The address of a HYPERLINK field, if it is a web or mail address."""
    match = _HYPERLINK.match(instr)
    if not match:
        return None
    target = match.group(1)
    return target if safe_link(target) else None


def plain(element: Any) -> str:
    """All the text of an element, w:br and w:tab as newline and space; for headings and titles."""
    out = []
    for node in element.iter(w("t"), w("br"), w("tab"), w("cr")):
        if node.tag == w("t"):
            out.append(node.text or "")
        elif node.tag == w("tab"):
            out.append(" ")
        else:
            out.append("\n")
    return clean_text("".join(out))


def parse_part(blob: bytes) -> Any:
    """An XML part of a Word package, parsed without entities, DTDs or network.

    The caller has already refused any part with a DOCTYPE.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)
    return etree.fromstring(blob, parser)
