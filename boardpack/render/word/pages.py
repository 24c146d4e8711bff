"""Page numbers for the Word contents list, worked out from the finished document.

A contents field shows page numbers only once a word processor has brought it up to date:
Word does so when the file opens (the template asks it to), LibreOffice does not. So the
field's result is written with the pages the document's own layout gives, estimated here as
Word lays out: the page's height, each paragraph's lines (characters per line from its
width and size), spacing, pictures, table rows (short rows kept whole, the heading row
repeated) and headings kept with what follows. An estimate is within a page or so; Word
replaces it with its own count when the fields are updated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

__all__ = ["number_contents"]

_P, _TBL, _TR, _TC, _T = (qn(tag) for tag in ("w:p", "w:tbl", "w:tr", "w:tc", "w:t"))
CHAR_EM = 0.5
"""Average width of a character, in ems of its size (Arial and Liberation Sans in running text)."""
LINE_EM = 1.15
"""Height of a single-spaced line, in ems (Arial's ascent and descent)."""
CELL_PAD = 6.0
"""A table row's top and bottom cell margins and borders together, in points."""
CELL_SIDES = 8.5
"""A cell's left and right margins together, in points."""


@dataclass
class _Style:
    size: float
    before: float
    after: float
    keep_next: bool
    line: float = 1.0
    """Line spacing as a multiple of single (Word's "Multiple"; exact and at-least spacing count as single)."""


class _Styles:
    """Paragraph styles resolved through their `basedOn` chain, in points."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
        self.default_size = int(defaults.get(qn("w:val"))) / 2 if defaults is not None else 11.0
        self.cache: dict[str | None, _Style] = {}

    def get(self, style_id: str | None) -> _Style:
        if style_id not in self.cache:
            self.cache[style_id] = self._resolve(style_id)
        return self.cache[style_id]

    def _resolve(self, style_id: str | None) -> _Style:
        size = before = after = keep = line = None
        style = next((s for s in self.doc.styles if s.style_id == style_id), None) if style_id else self.doc.styles["Normal"]
        while style is not None:
            fmt = style.paragraph_format
            size = size if size is not None else (style.font.size.pt if style.font.size is not None else None)
            before = before if before is not None else (fmt.space_before.pt if fmt.space_before is not None else None)
            after = after if after is not None else (fmt.space_after.pt if fmt.space_after is not None else None)
            keep = keep if keep is not None else fmt.keep_with_next
            line = line if line is not None else fmt.line_spacing
            style = style.base_style
        multiple = line if isinstance(line, float) else 1.0  # a Length is exact or at-least spacing
        return _Style(size or self.default_size, before or 0.0, after or 0.0, bool(keep), multiple)


def _style_id(p: Any) -> str | None:
    ppr = p.find(qn("w:pPr"))
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    return style.get(qn("w:val")) if style is not None else None


def _wrapped(text: str, width: int) -> int:
    """Lines a paragraph takes wrapped at spaces in a column `width` characters wide (a longer word is broken)."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, 0
        lines += (used + len(word) - 1) // width if len(word) > width else 0
        used = (used + len(word)) % width if len(word) > width else used + len(word) + (1 if used else 0)
    return lines


def _paragraph_height(p: Any, width: float, styles: _Styles) -> float:
    """Points a paragraph takes in a column `width` points wide, spacing included."""
    style = styles.get(_style_id(p))
    text = "".join(t.text or "" for t in p.iter(_T))
    lines = _wrapped(text, max(4, int(width / (style.size * CHAR_EM))))
    pictures = sum(int(extent.get("cy", "0")) / 12700 for extent in p.iter(qn("wp:extent")))
    return lines * style.size * LINE_EM * style.line + pictures + style.before + style.after


def _row_height(tr: Any, styles: _Styles) -> float:
    tallest = 0.0
    for tc in tr.iter(_TC):
        width_el = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
        width = int(width_el.get(qn("w:w"), "2000")) / 20 if width_el is not None else 100.0
        height = sum(_paragraph_height(p, width - CELL_SIDES, styles) for p in tc.iter(_P))
        tallest = max(tallest, height)
    return tallest + CELL_PAD


class _Pages:
    """The page and height reached as the body is laid out, top to bottom."""

    def __init__(self, height: float) -> None:
        self.height, self.page, self.used = height, 1, 0.0

    def flow(self, points: float) -> None:
        """Content that may break across pages (a paragraph, a row allowed to break)."""
        self.used += points
        while self.used > self.height:
            self.page += 1
            self.used -= self.height

    def whole(self, points: float, then: float = 0.0) -> None:
        """Content kept on one page (with the `then` points kept with it)."""
        if self.used and self.used + points + then > self.height:
            self.page, self.used = self.page + 1, 0.0
        self.flow(points)


def _table(tbl: Any, pages: _Pages, styles: _Styles) -> None:
    header = 0.0
    for tr in tbl.findall(_TR):
        props = tr.find(qn("w:trPr"))
        height = _row_height(tr, styles)
        if props is not None and props.find(qn("w:tblHeader")) is not None:
            header += height
            pages.whole(height)
            continue
        start = pages.page
        if props is not None and props.find(qn("w:cantSplit")) is not None:
            pages.whole(height)
        else:
            pages.flow(height)
        if pages.page != start and header:  # the heading row repeats at the top of the new page
            pages.flow(header)


def heading_pages(doc: Any) -> list[int]:
    """The page each Heading 1 paragraph of the document starts on, in order (estimated)."""
    section = doc.sections[-1]
    height = (section.page_height - section.top_margin - section.bottom_margin) / 12700
    width = (section.page_width - section.left_margin - section.right_margin) / 12700
    styles, pages, found = _Styles(doc), _Pages(height), []
    children = list(doc.element.body)
    for n, child in enumerate(children):
        if child.tag == _TBL:
            _table(child, pages, styles)
        elif child.tag == _P:
            style = styles.get(_style_id(child))
            points = _paragraph_height(child, width, styles)
            following = children[n + 1] if n + 1 < len(children) else None
            then = style.size * LINE_EM * 2 if style.keep_next and following is not None else 0.0
            if style.keep_next:
                pages.whole(points, then)
            else:
                pages.flow(points)
            if _style_id(child) == "Heading1":
                found.append(pages.page)
    return found


def number_contents(doc: Any) -> None:
    """Write the pages of the Heading 1 paragraphs into the contents field's result, one entry a heading."""
    entries = _contents_entries(doc)
    if not entries:
        return
    for p, page in zip(entries, heading_pages(doc), strict=False):
        tab, number = OxmlElement("w:r"), OxmlElement("w:r")
        tab.append(OxmlElement("w:tab"))
        text = OxmlElement("w:t")
        text.text = str(page)
        number.append(text)
        last = p.findall(qn("w:r"))[-1]
        ends_field = last.find(qn("w:fldChar")) is not None
        (last.addprevious if ends_field else last.addnext)(tab)
        tab.addnext(number)


def _contents_entries(doc: Any) -> list[Any]:
    """The paragraphs of the TOC field's result: from the one that begins it to the one that ends it."""
    body = doc.element.body
    entries: list[Any] = []
    for p in body.iterchildren(_P):
        instructions = "".join(i.text or "" for i in p.iter(qn("w:instrText")))
        if not entries and " TOC " not in f" {instructions} ":
            continue
        entries.append(p)
        if any(f.get(qn("w:fldCharType")) == "end" for f in p.iter(qn("w:fldChar"))):
            break
    return entries
