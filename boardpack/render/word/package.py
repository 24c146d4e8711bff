"""A rendered Word document made ready for Word: table widths, rows kept whole, properties, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ...derive import PaperView
from ...text import clean_text
from .pages import number_contents

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_TC, _P, _T, _W, _TYPE, _TCPR, _TCW = (qn(name) for name in ("w:tc", "w:p", "w:t", "w:w", "w:type", "w:tcPr", "w:tcW"))
"""Tag and attribute names the table passes look up for every cell."""


def cell_width(tc: Any) -> Any:
    """A cell's `w:tcPr/w:tcW`, as `tc.find` of that path finds it, without ElementPath's work on every call (a paper has thousands of cells)."""
    for props in tc.iterchildren(_TCPR):
        for width in props.iterchildren(_TCW):
            return width
    return None


def twips(length: int | None, default: int) -> int:
    """A python-docx length (EMU) in twentieths of a point, or `default` where the template leaves it unset."""
    return round(length / 635) if length is not None else default


def _fit_tables(doc: Any) -> None:
    """Full-width tables whose optional columns were left out get the page width back, in their last column."""
    sections = doc.sections
    if not len(sections):
        return
    section = sections[-1]
    text_width = twips(section.page_width, 16838) - twips(section.left_margin, 1134) - twips(section.right_margin, 1134)
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
        if total < text_width:  # columns left out: their width goes to the last column, as the PDF's comment column takes the rest
            scaled = [*widths[:-1], widths[-1] + text_width - total]
        else:  # wider than the page (a column per status, or an optional column the template counts over): all shrink alike
            scaled = [width * text_width // total for width in widths]
            scaled[-1] += text_width - sum(scaled)
        grid = tbl.find(qn("w:tblGrid"))
        for col in list(grid):
            grid.remove(col)
        for width in scaled:
            col = OxmlElement("w:gridCol")
            col.set(qn("w:w"), str(width))
            grid.append(col)
        texts = [str(width) for width in scaled]
        for tr in rows:
            tcs = tr.findall(_TC)
            if len(tcs) != len(scaled):
                continue
            for tc, text in zip(tcs, texts, strict=True):
                tc_w = cell_width(tc)
                if tc_w is not None:
                    tc_w.set(_W, text)
                    tc_w.set(_TYPE, "dxa")


KEEP_WHOLE_LINES = 12
"""Rows estimated at up to this many lines are kept on one page; longer ones break where the page ends.

Keeping a longer row whole would leave the rest of the page blank (up to a third of it)."""


def _char_twips(doc: Any) -> int:
    """A character's average width in the template's table text (0.55 em of the Table Text style's size), in twips."""
    try:
        size = doc.styles["Table Text"].font.size
    except KeyError:
        size = None
    return round(11 * size.pt) if size is not None else 110


def _keep_short_rows(doc: Any) -> None:
    """Short rows never split across a page; long ones flow onto the next, under the repeated heading row."""
    char = _char_twips(doc)
    for tbl in doc.element.body.iter(qn("w:tbl")):
        for tr in tbl.findall(qn("w:tr")):
            trpr = tr.find(qn("w:trPr"))
            if trpr is not None and trpr.find(qn("w:tblHeader")) is not None:
                continue
            lines = 0
            for tc in tr.findall(_TC):
                tc_w = cell_width(tc)
                width = int(tc_w.get(_W, "2000")) if tc_w is not None and tc_w.get(_TYPE, "dxa") == "dxa" else 2000
                per_line = max(8, (width - 170) // char)
                cell_lines = sum(max(1, math.ceil(len("".join(p.itertext(_T, with_tail=False))) / per_line)) for p in tc.iter(_P))
                lines = max(lines, cell_lines)
            if lines <= KEEP_WHOLE_LINES:
                if trpr is None:
                    trpr = OxmlElement("w:trPr")
                    exceptions = tr.find(qn("w:tblPrEx"))
                    tr.insert(1 if exceptions is not None else 0, trpr)
                if trpr.find(qn("w:cantSplit")) is None:
                    trpr.insert(0, OxmlElement("w:cantSplit"))


HEADING_KEEPS = 3
"""Paragraphs after a heading kept on its page with it (and with the table or picture they lead to)."""


def _keep_next(p: Any) -> None:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    if ppr.find(qn("w:keepNext")) is None:
        style = ppr.find(qn("w:pStyle"))
        (style.addnext if style is not None else lambda e: ppr.insert(0, e))(OxmlElement("w:keepNext"))


def _style_of(p: Any) -> str:
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return str(style.get(qn("w:val"))) if style is not None else ""


def _keep_together(doc: Any) -> None:
    """No heading alone at a page's foot, no Total row alone at a page's top.

    A heading's next few paragraphs are kept with it and with the table they lead to (not with
    a picture, which may take most of a page); the row above a table's Total row (a row all in
    the Table Total style) is kept with it.
    """
    body = doc.element.body
    for p in body.iterchildren(_P):
        if not _style_of(p).startswith("Heading"):
            continue
        run, picture = [p], False
        for sibling in p.itersiblings():
            if sibling.tag != _P or _style_of(sibling).startswith("Heading") or len(run) > HEADING_KEEPS:
                break
            if sibling.find(f".//{qn('w:drawing')}") is not None:  # a picture may be most of a page: kept with it, all would move
                picture = True
                break
            run.append(sibling)
        after = run[-1].getnext()
        for kept in run if not picture and after is not None and after.tag == qn("w:tbl") else run[:-1]:
            _keep_next(kept)
    for tbl in body.iter(qn("w:tbl")):
        rows = tbl.findall(qn("w:tr"))
        last = [p for tc in rows[-1].findall(_TC) for p in tc.iter(_P)] if len(rows) > 2 else []
        if last and all(_style_of(p) == "TableTotal" for p in last):
            for p in rows[-2].iter(_P):
                _keep_next(p)


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
        return _reproducible_zip({name: src.read(name) for name in dict.fromkeys(src.namelist())})


def _reproducible_zip(members: dict[str, bytes]) -> bytes:
    """Members zipped in `normalise_package`'s order, with its fixed timestamps and attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in sorted(members, key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n)):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, members[name], compresslevel=6)
    return out.getvalue()


class _Members:
    """Stands in for python-docx's zip writer: keeps each member's bytes by name, the last written winning, as in a zip read back."""

    def __init__(self) -> None:
        self.members: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.members[pack_uri.membername] = blob


def package_bytes(doc: Any) -> bytes:
    """A python-docx document as `normalise_package(saved bytes)`, without zipping it twice.

    Its parts are made as `Document.save` makes them, then zipped once, in order.
    """
    package = doc.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    written = _Members()
    writer: Any = PackageWriter  # its steps take any object with the zip writer's `write(pack_uri, blob)`
    writer._write_content_types_stream(written, parts)
    writer._write_pkg_rels(written, package.rels)
    writer._write_parts(written, parts)
    return _reproducible_zip(written.members)


LARGE_PRINT_PT = 12
"""The smallest text of the large-print edition, as public sector guidance advises."""


def large_print(doc: Any) -> None:
    """Every style's text at least 12 pt, headings in proportion: the large-print edition of a Word file."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    for style in doc.styles:
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE) or style.font.size is None:
            continue
        size = style.font.size.pt
        if style.name.startswith(("Heading", "Title")):
            style.font.size = Pt(round(size * LARGE_PRINT_PT / 11))
        elif size < LARGE_PRINT_PT:
            style.font.size = Pt(LARGE_PRINT_PT)
    normal = doc.styles["Normal"].font
    if normal.size is None or normal.size.pt < LARGE_PRINT_PT:
        normal.size = Pt(LARGE_PRINT_PT)
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    for tag in ("w:sz", "w:szCs") if defaults is not None else ():  # LibreOffice sizes inherited text from the defaults
        size = defaults.find(qn(tag))
        if size is not None and int(size.get(qn("w:val"), "0")) < LARGE_PRINT_PT * 2:
            size.set(qn("w:val"), str(LARGE_PRINT_PT * 2))


def finished(doc: Any, view: PaperView, title: str | None = None) -> bytes:
    """A rendered document as Word wants it, in reproducible bytes; `title` is its document title when not the paper's."""
    if view.large_print:
        large_print(doc)
    _order_cell_properties(doc)
    _fit_tables(doc)
    _keep_short_rows(doc)
    _keep_together(doc)
    number_contents(doc)
    _properties(doc, view)
    if title:
        doc.core_properties.title = _core_text(title)
    return package_bytes(doc)
