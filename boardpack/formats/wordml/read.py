"""Word in: Word paragraphs read back as `Rich` (`Reader`), forgiving of hand-made papers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .rich import Para, Rich, Span
from .vocabulary import LINK_STYLE, NESTED_BULLETS, NOTE_REF_STYLE, SYMBOL_CHARS, TYPED_BULLETS, R, on, ruled, safe_link, w, wval

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
                        bold = on(rpr.find(w("b")))
                    if italic is None and rpr.find(w("i")) is not None:
                        italic = on(rpr.find(w("i")))
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
                self._typed[char] = previous + 1 if char in NESTED_BULLETS and previous >= 0 else 0
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
                bold = on(rpr.find(w("b")))
            if rpr.find(w("i")) is not None:
                italic = on(rpr.find(w("i")))
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
                add(SYMBOL_CHARS.get((child.get(w("char")) or "").upper(), ""))
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


_HYPERLINK = re.compile(r'^\s*HYPERLINK\s+(?:\\[a-z]\s+"[^"]*"\s+)*"?([^"\s]+)"?', re.IGNORECASE)


def _field_link(instr: str) -> str | None:
    """The address of a HYPERLINK field, if it is a web or mail address."""
    match = _HYPERLINK.match(instr)
    if not match:
        return None
    target = match.group(1)
    return target if safe_link(target) else None
