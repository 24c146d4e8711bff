"""Generate the Word templates `templates/tracker.docx` and `templates/response.docx`.

The templates are docxtpl documents a secretary can open in Word and restyle: every
look (fonts, colours, spacing, list bullets, table borders) lives in named styles and
numbering definitions, never in direct formatting, so changing a style changes every
paper built from the template. Run from the project root:

    .venv/bin/python scripts/make_docx_templates.py
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from boardpack.render.word.package import normalise_package  # noqa: E402

FONT = "Arial"
INK = "0B0C0C"
ACCENT = "1D3557"
"""Navy used for headings and the table header row."""
RULE = "8A8F94"

PAGE_W, PAGE_H = 16838, 11906
"""A4 landscape in twentieths of a point."""
MARGIN = 1134
TEXT_W = PAGE_W - 2 * MARGIN
TABLE_PT, TABLE_LINE = 9, 1.17
"""The papers' table text as the PDF's: 9 pt, its lines 1.35 em apart (paper.css), which is
1.17 times Arial's single line (1.15 em). Cover reports keep 10 pt, single spaced (`COVER_TABLE`)."""
COVER_TABLE = (10, None)
MARKER_W = 600
"""Width of the docxtpl marker cells ({%tc ... %}) that vanish on rendering; the renderer
re-fits the remaining columns to the page: a table left narrower gives the rest to its last column,
a wider one shrinks all its columns alike."""

APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Template>Normal.dotm</Template><Application>boardpack</Application><DocSecurity>0</DocSecurity>"
    b"<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    b"<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)
"""Extended properties without the sample document's stale page and word counts."""

KEEP_STYLES = {
    "Normal",
    "Due Line",
    "TOC Heading",
    "toc 1",
    "Default Paragraph Font",
    "Normal Table",
    "No List",
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Body Text",
    "List Bullet",
    "List Number",
    "List Continue",
    "Header",
    "Footer",
    "Table Grid",
}


# --- package and styles ------------------------------------------------------------------


def _el(tag: str, **attrs: str) -> Any:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _prune_package(doc: DocumentObject) -> None:
    """Drop the parts of python-docx's sample document that a template has no use for."""
    package = doc.part.package
    for rId, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rId]
    for rId, rel in list(doc.part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"):
            del doc.part.rels[rId]
    for rel in package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = APP_XML
    settings = doc.settings.element
    for tag in ("w:savePreviewPicture", "w:rsids"):
        for child in settings.findall(qn(tag)):
            settings.remove(child)
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-GB")
        lang.attrib.pop(qn("w:eastAsia"), None)


def _defaults(doc: DocumentObject) -> None:
    """Arial 10pt, British English, single spacing: what every style inherits."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    defaults.getparent().remove(defaults)
    styles.insert(
        0,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}>"
            "<w:rPrDefault><w:rPr>"
            f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
            f'<w:color w:val="{INK}"/><w:sz w:val="20"/><w:szCs w:val="20"/>'
            '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>'
            "</w:rPr></w:rPrDefault>"
            '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
            "</w:docDefaults>"
        ),
    )


def _prune_styles(doc: DocumentObject) -> None:
    """Keep a short, meaningful style list, reset to inherit from the defaults."""
    for style in list(doc.styles):
        if style.name not in KEEP_STYLES:
            style.element.getparent().remove(style.element)
            continue
        for tag in ("w:pPr", "w:rPr", "w:link", "w:rsid", "w:tblPr"):
            for child in style.element.findall(qn(tag)):
                style.element.remove(child)


def _style(
    doc: DocumentObject,
    name: str,
    kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH,
    *,
    based_on: str | None = "Normal",
    next_style: str | None = None,
    size: float | None = None,
    bold: bool | None = None,
    italic: bool | None = None,
    underline: bool | None = None,
    color: str | None = None,
    before: float | None = None,
    after: float | None = None,
    keep_next: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    builtin: bool = False,
    style_id: str | None = None,
) -> Any:
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, kind, builtin=builtin)
    if style_id:
        style.element.set(qn("w:styleId"), style_id)
    if based_on and kind != WD_STYLE_TYPE.TABLE:
        style.base_style = doc.styles[based_on]
    style.quick_style = True
    style.hidden = False
    style.unhide_when_used = False
    font = style.font
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    if underline is not None:
        font.underline = underline
    if color is not None:
        font.color.rgb = RGBColor.from_string(color)
    if kind == WD_STYLE_TYPE.PARAGRAPH:
        if next_style:
            style.next_paragraph_style = doc.styles[next_style]
        fmt = style.paragraph_format
        if before is not None:
            fmt.space_before = Pt(before)
        if after is not None:
            fmt.space_after = Pt(after)
        if keep_next:
            fmt.keep_with_next = True
        if align is not None:
            fmt.alignment = align
    return style


def _table_text(doc: DocumentObject, size: float, line: float | None) -> None:
    """The style every table cell's text is in or based on; `line` spacing as a multiple of single, or single."""
    style = _style(doc, "Table Text", size=size, after=4)
    if line is not None:
        style.paragraph_format.line_spacing = line


def _define_styles(doc: DocumentObject, table: tuple[float, float | None]) -> None:
    _style(doc, "Normal", based_on=None)
    title = _style(doc, "Title", size=22, bold=True, color=ACCENT, before=6, after=12, next_style="Body Text")
    title.paragraph_format.keep_with_next = True
    _style(doc, "Subtitle", size=12, color=INK, after=2, next_style="Subtitle", keep_next=True)
    for level, (size, before, after) in enumerate(((15, 18, 4), (12, 12, 4), (11, 10, 3)), start=1):
        heading = _style(doc, f"Heading {level}", size=size, bold=True, color=ACCENT, before=before, after=after, keep_next=True, next_style="Body Text")
        heading.paragraph_format.keep_together = True
        heading.element.get_or_add_pPr().append(_el("w:outlineLvl", val=str(level - 1)))
    _style(doc, "Body Text", size=11, after=6)
    _style(doc, "Byline", based_on="Body Text", italic=True, after=0, keep_next=True, next_style="Byline")
    _style(doc, "Report Summary", based_on="Body Text", before=6, after=8, keep_next=True, next_style="Body Text")
    _table_text(doc, *table)
    _style(doc, "Table Heading", based_on="Table Text", bold=True, color="FFFFFF", keep_next=True)
    _style(doc, "Template Marker", based_on="Table Text", size=7, color=RULE, after=0)
    _style(doc, "RAG Status", based_on="Table Text", bold=True, after=2)
    _style(doc, "RAG Note", based_on="Table Text", size=table[0] - 1)  # as the PDF's notes, 0.9 em of the table text
    _style(doc, "Overdue", based_on="Table Text", bold=True, color="B3261E", before=2)
    _style(doc, "Addressee", based_on="Table Text", bold=True, after=2)
    _style(doc, "Figure", based_on="Body Text", after=8, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "Front Sheet", based_on="Body Text", after=0)
    _style(doc, "Front Sheet Value", based_on="Body Text", bold=True, after=0)
    rationale = _style(doc, "Rationale", based_on="Body Text", after=6)
    rationale.paragraph_format.left_indent = Twips(567)
    ppr = rationale.element.get_or_add_pPr()
    border = parse_xml(f'<w:pBdr {nsdecls("w")}><w:left w:val="single" w:sz="18" w:space="6" w:color="B3261E"/></w:pBdr>')
    after = [child for child in ppr if child.tag in (qn("w:shd"), qn("w:tabs"), qn("w:spacing"), qn("w:ind"), qn("w:jc"))]
    if after:
        after[0].addprevious(border)  # schema order: pBdr before spacing and indentation
    else:
        ppr.append(border)
    notice = _style(doc, "Notice", based_on="Body Text", bold=True, before=6, after=12)  # a paper's notice, boxed
    box = "".join(f'<w:{side} w:val="single" w:sz="12" w:space="4" w:color="{ACCENT}"/>' for side in ("top", "left", "bottom", "right"))
    notice_ppr = notice.element.get_or_add_pPr()
    spacing = notice_ppr.find(qn("w:spacing"))
    spacing.addprevious(parse_xml(f'<w:pBdr {nsdecls("w")}>{box}</w:pBdr>'))
    numbered = _style(doc, "Numbered Paragraph", based_on="Body Text", after=6)
    numbered.paragraph_format.left_indent = Twips(567)
    numbered.paragraph_format.first_line_indent = Twips(-567)
    _style(doc, "Due Line", based_on="Table Text", after=5)
    _style(doc, "Table Total", based_on="Table Text", bold=True)
    _style(doc, "Table Number", based_on="Table Text", align=WD_ALIGN_PARAGRAPH.CENTER)
    for name in ("List Bullet", "List Number"):
        _style(doc, name, based_on="Table Text", after=2)
    _style(doc, "Timeline Fact", based_on="List Bullet", before=3, after=0)  # the dates under a timeline's table, clear of it
    cont = _style(doc, "List Continue", based_on="Table Text", after=2)
    cont.paragraph_format.left_indent = Twips(360)
    _style(doc, "Header", size=9, color="505A5F", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _style(doc, "Footer", size=9, color="505A5F", align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "footnote text", builtin=True, size=8, after=2, style_id="FootnoteText")
    _style(doc, "Lead In", WD_STYLE_TYPE.CHARACTER, based_on="Default Paragraph Font", underline=True)
    _style(doc, "Hyperlink", WD_STYLE_TYPE.CHARACTER, based_on="Default Paragraph Font", underline=True, color="1D70B8", builtin=True)
    _style(doc, "TOC Heading", builtin=True, size=13, bold=True, color=ACCENT, before=12, after=6, keep_next=True, style_id="TOCHeading")
    toc = _style(doc, "toc 1", builtin=True, size=10, after=3, style_id="TOC1")
    toc.paragraph_format.tab_stops.add_tab_stop(Twips(TEXT_W), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    ref = _style(doc, "footnote reference", WD_STYLE_TYPE.CHARACTER, based_on="Default Paragraph Font", builtin=True, style_id="FootnoteReference")
    ref.font.superscript = True
    _table_style(doc)


def _table_style(doc: DocumentObject) -> None:
    """Borders, cell padding and the navy header row, as a table style Word can edit."""
    style = _style(doc, "Paper Table", WD_STYLE_TYPE.TABLE, based_on=None)
    style.element.insert(1, _el("w:basedOn", val="TableNormal"))
    border = f'w:val="single" w:sz="4" w:space="0" w:color="{RULE}"'
    style.element.append(
        parse_xml(
            f"<w:tblPr {nsdecls('w')}><w:tblBorders>"
            + "".join(f"<w:{side} {border}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
            + '</w:tblBorders><w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
            '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        )
    )
    style.element.append(
        parse_xml(
            f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>'
            f'<w:tblPr/><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{ACCENT}"/></w:tcPr>'
            "</w:tblStylePr>"
        )
    )


def _lvl(ilvl: int, fmt: str, text: str, style: str | None) -> str:
    indent = 360 * (ilvl + 1)
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    font = f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:hint="default"/></w:rPr>' if fmt == "bullet" else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{pstyle}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{indent}" w:hanging="360"/></w:pPr>{font}</w:lvl>'
    )


def _define_numbering(doc: DocumentObject) -> None:
    """One bullet and one numbered multi-level definition, linked to List Bullet / List Number."""
    bullets = "".join(_lvl(i, "bullet", "•–•–•–•–•"[i], "ListBullet" if i == 0 else None) for i in range(9))
    formats = ("decimal", "lowerLetter", "lowerRoman") * 3
    numbers = "".join(_lvl(i, formats[i], f"%{i + 1}.", "ListNumber" if i == 0 else None) for i in range(9))
    xml = (
        f"<w:numbering {nsdecls('w')}>"
        f'<w:abstractNum w:abstractNumId="0"><w:nsid w:val="4B500001"/><w:multiLevelType w:val="multilevel"/>'
        f'<w:name w:val="Paper Bullets"/>{bullets}</w:abstractNum>'
        f'<w:abstractNum w:abstractNumId="1"><w:nsid w:val="4B500002"/><w:multiLevelType w:val="multilevel"/>'
        f'<w:name w:val="Paper Numbers"/>{numbers}</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>'
        "</w:numbering>"
    )
    doc.part.numbering_part._element = parse_xml(xml)
    for name, num_id in (("List Bullet", 1), ("List Number", 2), ("Numbered Paragraph", 3)):
        num_pr = doc.styles[name].element.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_numId().val = num_id


def _footnotes_part(doc: DocumentObject) -> None:
    """An empty footnotes part (separators only), so rendered notes are real Word footnotes."""
    spacing = '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    blob = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f"<w:footnotes {nsdecls('w', 'r')}>"
        f'<w:footnote w:type="separator" w:id="-1"><w:p>{spacing}<w:r><w:separator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p>{spacing}<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    ).encode()
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob, doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    settings = doc.settings.element
    settings.find(qn("w:compat")).addprevious(parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'))


# --- page furniture ------------------------------------------------------------------------


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A real Word field (PAGE, NUMPAGES) with a cached result of 1."""
    for kind in ("begin", None, "separate", "1", "end"):
        run = paragraph.add_run()
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif kind == "1":
            run.text = "1"
        else:
            run._r.append(_el("w:fldChar", fldCharType=kind))


def _section(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Twips(PAGE_W), Twips(PAGE_H)
    section.left_margin = section.right_margin = Twips(MARGIN)
    section.top_margin = section.bottom_margin = Twips(MARGIN)
    section.header_distance = section.footer_distance = Twips(567)
    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.add_run("{{ header }}")
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")


# --- body ----------------------------------------------------------------------------------


def _p(container: Any, text: str = "", style: str = "Table Text") -> Paragraph:
    paragraph = container.add_paragraph(style=style)
    if text:
        paragraph.add_run(text)
    return cast(Paragraph, paragraph)


def _contents(doc: DocumentObject) -> None:
    """A contents list: a TOC field over the Heading 1 paragraphs, filled by boardpack, updated by Word on open."""
    _p(doc, "{%p if contents %}", "Body Text")
    _p(doc, "Contents", "TOC Heading")
    _p(doc, "{{p contents }}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")


def _update_fields_on_open(doc: DocumentObject) -> None:
    """Word refreshes the contents field (and its page numbers) when the paper is opened."""
    settings = doc.settings.element
    update = _el("w:updateFields", val="true")
    later = {qn(f"w:{tag}") for tag in ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
                                         "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
                                         "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                                         "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")}
    following = next((child for child in settings if child.tag in later), None)
    if following is not None:
        following.addprevious(update)
    else:
        settings.append(update)


def _title_block(doc: DocumentObject) -> None:
    _p(doc, "{{ organisation }}", "Subtitle")
    _p(doc, "{{ committee }}", "Subtitle")
    _p(doc, "{%p if appendix %}", "Subtitle")
    _p(doc, "{{ appendix }}", "Subtitle")
    _p(doc, "{%p endif %}", "Subtitle")
    _p(doc, "{{ period }}", "Subtitle")
    _p(doc, "{%p if classification %}", "Subtitle")
    _p(doc, "{{ classification }}", "Subtitle")
    _p(doc, "{%p endif %}", "Subtitle")
    _p(doc, "{{ title }}", "Title")
    _p(doc, "{%p if note %}", "Body Text")
    _p(doc, "Note: {{ note }}", "Notice")
    _p(doc, "{%p endif %}", "Body Text")


def _table(doc: DocumentObject, widths: list[int], rows: int) -> Table:
    table = doc.add_table(rows=rows, cols=len(widths))
    table.style = doc.styles["Paper Table"]
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    for child in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(child)
    tbl_pr.append(_el("w:tblW", w="5000", type="pct"))
    look = tbl_pr.find(qn("w:tblLook"))
    if look is None:
        look = _el("w:tblLook")
        tbl_pr.append(look)
    for key, value in (("val", "0420"), ("firstRow", "1"), ("lastRow", "0"), ("firstColumn", "0"), ("lastColumn", "0"), ("noHBand", "1"), ("noVBand", "1")):
        look.set(qn(f"w:{key}"), value)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Twips(width)
    return cast(Table, table)


def _header_row(table: Table, labels: list[str]) -> None:
    row = table.rows[0]
    row._tr.get_or_add_trPr().append(_el("w:tblHeader"))
    for cell, label in zip(row.cells, labels, strict=True):
        style = "Template Marker" if label.startswith("{%") else "Table Heading"
        cell.paragraphs[0].style = cast(Any, table.part).document.styles[style]
        cell.paragraphs[0].add_run(label)


def _marker_row(table: Table, index: int, text: str) -> None:
    row = table.rows[index]
    cell = row.cells[0].merge(row.cells[-1])
    cell.paragraphs[0].style = cast(Any, table.part).document.styles["Table Text"]
    cell.paragraphs[0].add_run(text)


def _fill(cell: Any, lines: Sequence[tuple[str, ...]]) -> None:
    """Fill a cell with paragraphs: (style, text) or (style, lead-in, text)."""
    doc = cell.part.document
    first = True
    for line in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.style = doc.styles[line[0]]
        if len(line) == 3:
            paragraph.add_run(line[1], style=doc.styles["Lead In"])
            paragraph.add_run(line[2])
        else:
            for part in line[1].split("\x00"):
                paragraph.add_run(part)


REF = [("Table Text", "{{ row.ref }}")]
RECOMMENDATION = [
    ("Table Text", "{%p if row.to %}"),
    ("Addressee", "{{ row.to }}"),
    ("Table Text", "{%p endif %}"),
    ("Table Text", "{%p if row.for_body %}"),
    ("Addressee", "{{ row.for_body }}"),
    ("Table Text", "{%p endif %}"),
    ("Table Text", "{{p row.text }}"),
]
STATUS = [
    ("RAG Status", "{% cellbg row.fill %}\x00{{r row.status }}"),
    ("RAG Note", "{%p if row.status_note %}"),
    ("RAG Note", "{{r row.status_note }}"),
    ("RAG Note", "{%p endif %}"),
    ("RAG Note", "{%p if row.lead %}"),
    ("RAG Note", "{{r row.lead }}"),
    ("RAG Note", "{%p endif %}"),
    ("RAG Note", "{%p if row.rationale %}"),
    ("RAG Note", "{{p row.rationale }}"),
    ("RAG Note", "{%p endif %}"),
]
DUE = [
    ("Table Text", "{{p row.due }}"),
    ("RAG Note", "{%p if row.slippage %}"),
    ("RAG Note", "{{ row.slippage }}"),
    ("RAG Note", "{%p endif %}"),
    ("Overdue", "{%p if row.overdue %}"),
    ("Overdue", "Overdue"),
    ("Overdue", "{%p endif %}"),
]
COMMENT = [
    ("Table Text", "{%p if row.comment_rationale %}"),
    ("Table Text", "{{p row.comment_rationale }}"),
    ("Table Text", "{%p endif %}"),
    ("Table Text", "{{p row.comment }}"),
]


def _legend(doc: DocumentObject) -> None:
    """The RAG legend, after a paragraph of its own: Word draws two tables with nothing between them as one."""
    _p(doc, "", "Body Text")
    table = _table(doc, [2600, TEXT_W - 2600], 4)
    _header_row(table, ["Traffic Light Colour", "Definition of target achievement"])
    _marker_row(table, 1, "{%tr for entry in legend %}")
    cells = table.rows[2].cells
    _fill(cells[0], [("RAG Status", "{% cellbg entry.fill %}\x00{{r entry.word }}")])
    _fill(cells[1], [("Table Text", "{{ entry.definition }}")])
    _marker_row(table, 3, "{%tr endfor %}")


def _changes(doc: DocumentObject) -> None:
    """'Changes since <previous period>': present only when the paper names a previous one."""
    _p(doc, "{%p if changes %}", "Body Text")
    _p(doc, "Changes since {{ changes.since }}", "Heading 1")
    _p(doc, "{{ changes.headline }}", "Report Summary")
    _p(doc, "{%p for group in changes.groups %}", "Body Text")
    _p(doc, "{{ group.heading }}", "Heading 2")
    _p(doc, "{%p if group.of_reports %}", "Body Text")  # new or removed reports: the report and its items, no No. or text
    reports = _table(doc, [8700, TEXT_W - 8700], 4)
    _header_row(reports, ["Report", "Items"])
    _marker_row(reports, 1, "{%tr for row in group.rows %}")
    for cell, field in zip(reports.rows[2].cells, ("report", "change"), strict=True):
        _fill(cell, [("Table Text", f"{{{{ row.{field} }}}}")])
    _marker_row(reports, 3, "{%tr endfor %}")
    _p(doc, "{%p else %}", "Body Text")
    widths = [3600, 700, 6000]
    widths.append(TEXT_W - sum(widths))
    table = _table(doc, widths, 4)
    _header_row(table, ["Report", "No.", "Recommendation", "Change"])
    _marker_row(table, 1, "{%tr for row in group.rows %}")
    for cell, field in zip(table.rows[2].cells, ("report", "ref", "text", "change"), strict=True):
        _fill(cell, [("Table Text", f"{{{{ row.{field} }}}}")])
    _marker_row(table, 3, "{%tr endfor %}")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")


def _summary(doc: DocumentObject) -> None:
    """The executive summary: sentence, changes headline, chart, counts table, RED and overdue items."""
    _p(doc, "{%p if summary %}", "Body Text")
    _p(doc, "Summary", "Heading 1")
    _p(doc, "{{ summary.sentence }}", "Report Summary")
    _p(doc, "{%p if summary.changes_headline %}", "Body Text")
    _p(doc, "{{ summary.changes_headline }} See \u201cChanges since {{ summary.changes_since }}\u201d below.", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{{r summary.chart }}", "Figure")
    _p(doc, "Items by status in each report", "Heading 3")
    counts = _table(doc, [6600, MARKER_W, 1000, MARKER_W, 1000], 5)
    _header_row(counts, ["Report", "{%tc for status in summary.statuses %}", "", "{%tc endfor %}", "Total"])
    _fill(counts.rows[0].cells[2], [("RAG Status", "{% cellbg status.fill %}\x00{{r status.word }}")])
    counts.rows[0].cells[2].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _marker_row(counts, 1, "{%tr for row in summary.rows %}")
    for cell, lines in zip(counts.rows[2].cells, (
        [("Table Text", "{{ row.number }}. {{ row.title }}")],
        [("Template Marker", "{%tc for count in row.counts %}")], [("Table Number", "{{ count }}")],
        [("Template Marker", "{%tc endfor %}")], [("Table Total", "{{ row.total }}")],
    ), strict=True):
        _fill(cell, lines)
    _marker_row(counts, 3, "{%tr endfor %}")
    for cell, lines in zip(counts.rows[4].cells, (
        [("Table Total", "{{ summary.total.title }}")],
        [("Template Marker", "{%tc for count in summary.total.counts %}")], [("Table Total", "{{ count }}")],
        [("Template Marker", "{%tc endfor %}")], [("Table Total", "{{ summary.total.total }}")],
    ), strict=True):
        _fill(cell, lines)
    for paragraph in [*counts.rows[4].cells[2].paragraphs, *counts.rows[2].cells[4].paragraphs, *counts.rows[4].cells[4].paragraphs]:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _p(doc, "{%p for line in summary.without_items %}", "Body Text")  # reports with no items: a line each, not a row of noughts
    _p(doc, "{{ line }}", "Body Text")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "RED and overdue", "Heading 2")
    _p(doc, "{{ summary.attention_sentence }}", "Report Summary")
    _p(doc, "{%p if summary.ages_sentence %}", "Body Text")
    _p(doc, "{{ summary.ages_sentence }}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p if summary.attention %}", "Body Text")
    widths = [3000, 600, 3400, 1100, MARKER_W, 1700, MARKER_W, 1700]
    widths.append(TEXT_W - sum(widths))
    table = _table(doc, widths, 4)
    _header_row(table, ["Report", "No.", "Recommendation", "Status", "{%tc if summary.has_who %}", "Owner or lead", "{%tc endif %}",
                        "Due date", "Rationale"])
    _marker_row(table, 1, "{%tr for row in summary.attention %}")
    for cell, lines in zip(table.rows[2].cells, (
        [("Table Text", "{{ row.report }}")], [("Table Text", "{{ row.ref }}")], [("Table Text", "{{ row.text }}")],
        [("RAG Status", "{% cellbg row.fill %}\x00{{r row.status }}"), ("Overdue", "{%p if row.overdue %}"), ("Overdue", "Overdue"),
         ("Overdue", "{%p endif %}")],
        [("Template Marker", "{%tc if summary.has_who %}")], [("Table Text", "{{ row.who }}")], [("Template Marker", "{%tc endif %}")],
        [("Table Text", "{{ row.due }}"), ("RAG Note", "{%p if row.history %}"), ("RAG Note", "{{ row.history }}"), ("RAG Note", "{%p endif %}")],
        [("Table Text", "{{p row.why }}")],
    ), strict=True):
        _fill(cell, lines)
    _marker_row(table, 3, "{%tr endfor %}")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")


def _reports(doc: DocumentObject, build_table: Callable[[DocumentObject], None]) -> None:
    _p(doc, "{%p if not summary %}", "Body Text")  # without a summary, the reports with no items are listed here
    _p(doc, "{%p for line in without_items %}", "Body Text")
    _p(doc, "{{ line }}", "Body Text")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p for report in reports %}", "Body Text")
    _p(doc, "{{ report.title }}", "Heading 1")
    for field in ("byline", "published"):
        _p(doc, f"{{%p if report.{field} %}}", "Byline")
        _p(doc, f"{{{{ report.{field} }}}}", "Byline")
        _p(doc, "{%p endif %}", "Byline")
    _p(doc, "{%p if report.rows %}", "Report Summary")
    _p(doc, "{{ report.sentence }}", "Report Summary")
    _p(doc, "{%p else %}", "Body Text")
    _p(doc, "{{ report.sentence }}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p if report.summary %}", "Body Text")
    _p(doc, "{{p report.summary }}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p if report.rows %}", "Body Text")
    build_table(doc)
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "{%p if notes %}", "Body Text")
    _p(doc, "Notes", "Heading 1")
    _p(doc, "{{p notes }}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _timelines(doc)
    _p(doc, "", "Body Text")


def _timelines(doc: DocumentObject) -> None:
    """The appendix of the notable items' timelines: a strip of quarters per item, then its dates."""
    _p(doc, "{%p if timelines %}", "Body Text")
    _p(doc, "{{ timelines.heading }}", "Heading 1").paragraph_format.page_break_before = True  # an appendix starts a page
    _p(doc, "{{ timelines.intro }}", "Body Text")
    _p(doc, "{%p for story in timelines.stories %}", "Body Text")
    _p(doc, "{{ story.title }}", "Heading 2")
    _p(doc, "{{ story.text }}", "Body Text")
    widths = [2000, 1700, 2000]
    widths.append(TEXT_W - sum(widths))
    table = _table(doc, widths, 4)
    _header_row(table, ["Quarter", "Status", "Due", "What moved and why"])
    _marker_row(table, 1, "{%tr for q in story.quarters %}")
    lines = [("Table Text", "{{ q.period }}"), ("RAG Status", "{% cellbg q.fill %}\x00{{r q.status }}"),
             ("Table Text", "{{ q.due }}"), ("Table Text", "{{ q.moved }}")]
    for cell, line in zip(table.rows[2].cells, lines, strict=True):
        _fill(cell, [line])
    _marker_row(table, 3, "{%tr endfor %}")
    _p(doc, "{%p for fact in story.facts %}", "Timeline Fact")
    _p(doc, "{{ fact }}", "Timeline Fact")
    _p(doc, "{%p endfor %}", "Timeline Fact")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")


def _tracker_table(doc: DocumentObject) -> None:
    """The owner column sits between docxtpl {%tc %} markers: shown only when some item names an owner."""
    widths, labels, contents = [1300, 4400], ["No.", "Recommendations & Areas for Improvement"], [REF, RECOMMENDATION]
    widths += [MARKER_W, 1400, MARKER_W]
    labels += ["{%tc if has_owner %}", "Force Task Owner", "{%tc endif %}"]
    contents += [[("Template Marker", "{%tc if has_owner %}")], [("Table Text", "{{ row.owner }}")], [("Template Marker", "{%tc endif %}")]]
    widths += [1500, 1600]
    labels += ["Status", "Due Date"]
    contents += [STATUS, DUE]
    widths.append(TEXT_W - sum(widths) + 2 * MARKER_W + 1400)  # the page width without the owner; with it, columns shrink to fit
    labels.append("Comment")
    contents.append(COMMENT)
    table = _table(doc, widths, 4)
    _header_row(table, labels)
    _marker_row(table, 1, "{%tr for row in report.rows %}")
    for cell, lines in zip(table.rows[2].cells, contents, strict=True):
        _fill(cell, lines)
    _marker_row(table, 3, "{%tr endfor %}")


def _response_table(doc: DocumentObject) -> None:
    """Owner, Status and Due Date sit between docxtpl {%tc %} markers: shown only when the paper has them.

    Widths as the PDF's columns (paper.css: 6%, 29%, 12%, 9%, 11% of the text width); the
    response takes the rest, however many of the optional columns are shown.
    """
    optional = (
        ("has_owner", "Force Task Owner", 1748, [("Table Text", "{{ row.owner }}")]),
        ("has_status", "Status", 1311, STATUS),
        ("has_due", "Due Date", 1603, DUE),
    )
    widths, labels, contents = [874, 4225], ["No.", "Recommendation"], [REF, RECOMMENDATION]
    for flag, label, width, lines in optional:
        widths += [MARKER_W, width, MARKER_W]
        labels += [f"{{%tc if {flag} %}}", label, "{%tc endif %}"]
        contents += [[("Template Marker", f"{{%tc if {flag} %}}")], lines, [("Template Marker", "{%tc endif %}")]]
    widths.append(TEXT_W - sum(widths))
    labels.append("Force Progress & Response")
    contents.append(COMMENT)
    table = _table(doc, widths, 4)
    _header_row(table, labels)
    _marker_row(table, 1, "{%tr for row in report.rows %}")
    for cell, lines in zip(table.rows[2].cells, contents, strict=True):
        _fill(cell, lines)
    _marker_row(table, 3, "{%tr endfor %}")


def _portrait(doc: DocumentObject) -> None:
    """The cover report is A4 portrait, as committee reports are."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(PAGE_H), Twips(PAGE_W)


def _cover(doc: DocumentObject) -> None:
    """The committee cover report: the standard front sheet, then Summary, Recommendation(s), Main Report."""
    width = PAGE_H - 2 * MARGIN
    sheet = _table(doc, [width * 2 // 3, width - width * 2 // 3], 4)
    look = sheet._tbl.tblPr.find(qn("w:tblLook"))
    look.set(qn("w:firstRow"), "0")
    look.set(qn("w:val"), "0600")
    rows = sheet.rows
    _labelled(rows[0].cells[0], "Committee(s):", "{{ committee }}")
    _labelled(rows[0].cells[1], "Dated:", "{{ dated }}")
    _labelled(rows[1].cells[0], "Subject:", "{{ subject }}")
    _fill(rows[1].cells[1], [("Front Sheet Value", "{{ marking }}")])
    _labelled(rows[2].cells[0], "Report of:", "{{ report_of }}")
    _fill(rows[2].cells[1], [("Front Sheet Value", "{{ purpose }}")])
    author = rows[3].cells[0].merge(rows[3].cells[1])
    _labelled(author, "Report author:", "{{ author }}")
    _p(doc, "{%p if note %}", "Body Text")
    _p(doc, "Note: {{ note }}", "Notice")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "Summary", "Heading 1")
    _p(doc, "{%p for words in summary %}", "Body Text")
    _p(doc, "{{ words }}", "Numbered Paragraph")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "{%p if summary_extra %}", "Body Text")
    _p(doc, "{{p summary_extra }}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "Recommendation(s)", "Heading 1")
    _p(doc, "{{p recommendation }}", "Body Text")
    _p(doc, "Main Report", "Heading 1")
    _p(doc, "Background", "Heading 2")
    _p(doc, "{{p background }}", "Body Text")
    _p(doc, "Current position", "Heading 2")
    _p(doc, "{%p for words in position %}", "Body Text")
    _p(doc, "{{ words }}", "Numbered Paragraph")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "Items by status at the end of {{ period }}", "Heading 3")
    totals = _table(doc, [3000, 1500], 5)
    _header_row(totals, ["Status", "Items"])
    _marker_row(totals, 1, "{%tr for status in totals %}")
    _fill(totals.rows[2].cells[0], [("RAG Status", "{% cellbg status.fill %}\x00{{r status.word }}")])
    _fill(totals.rows[2].cells[1], [("Table Number", "{{ status.count }}")])
    _marker_row(totals, 3, "{%tr endfor %}")
    _fill(totals.rows[4].cells[0], [("Table Total", "Total")])
    _fill(totals.rows[4].cells[1], [("Table Total", "{{ total }}")])
    totals.rows[4].cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fixed_width(totals, 4500)
    _p(doc, "{%p if changes %}", "Body Text")
    _p(doc, "Changes since {{ changes_since }}", "Heading 3")
    changes = _table(doc, [3000, 1500], 4)
    _header_row(changes, ["Change", "Items"])
    _marker_row(changes, 1, "{%tr for change in changes %}")
    _fill(changes.rows[2].cells[0], [("Table Text", "{{ change.heading }}")])
    _fill(changes.rows[2].cells[1], [("Table Number", "{{ change.count }}")])
    _marker_row(changes, 3, "{%tr endfor %}")
    _fixed_width(changes, 4500)
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p if position_extra %}", "Body Text")
    _p(doc, "{{p position_extra }}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "What is RED and why", "Heading 2")
    _p(doc, "{%p for row in red %}", "Body Text")
    paragraph = _p(doc, "", "Numbered Paragraph")
    paragraph.add_run("{{ row.report }}, No. {{ row.ref }}").bold = True
    paragraph.add_run(" ({{ row.status }}; due {{ row.due }}): {{ row.text }}")
    _p(doc, "{{p row.why }}", "Body Text")
    _p(doc, "{%p else %}", "Body Text")
    _p(doc, "No item is RED.", "Numbered Paragraph")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "{%p if overdue %}", "Body Text")
    _p(doc, "Past their due date", "Heading 2")
    _p(doc, "{%p for row in overdue %}", "Body Text")
    paragraph = _p(doc, "", "Numbered Paragraph")
    paragraph.add_run("{{ row.report }}, No. {{ row.ref }}").bold = True
    paragraph.add_run(": {{ row.why_plain }}")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{{ slipped_heading }}", "Heading 2")
    _p(doc, "{%p if slipped %}", "Body Text")
    slips = _table(doc, [3100, 600, 2600, width - 6300], 4)
    _header_row(slips, ["Report", "No.", "Due date", "Reason"])
    _marker_row(slips, 1, "{%tr for row in slipped %}")
    for cell, field in zip(slips.rows[2].cells, ("report", "ref", "dates", "reason"), strict=True):
        _fill(cell, [("Table Text", f"{{{{ row.{field} }}}}")])
    _marker_row(slips, 3, "{%tr endfor %}")
    _p(doc, "{%p else %}", "Body Text")
    _p(doc, "No due date has been extended.", "Numbered Paragraph")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p if implications %}", "Body Text")
    _p(doc, "Corporate & strategic implications", "Heading 2")
    _p(doc, "{%p for entry in implications %}", "Body Text")
    _p(doc, "{{ entry.heading }}", "Heading 3")
    _p(doc, "{{p entry.words }}", "Body Text")
    _p(doc, "{%p endfor %}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "{%p if conclusion %}", "Body Text")
    _p(doc, "Conclusion", "Heading 2")
    _p(doc, "{{p conclusion }}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")
    _p(doc, "Appendices", "Heading 1")
    _p(doc, "{{ appendix }}", "List Bullet")
    _p(doc, "{{ author }}", "Front Sheet Value")
    _p(doc, "{%p if contact %}", "Body Text")
    _p(doc, "{{ contact }}", "Body Text")
    _p(doc, "{%p endif %}", "Body Text")


def _labelled(cell: Any, label: str, value: str) -> None:
    """A front-sheet field: the label in bold (direct formatting, as the sheet's fixed wording), then the value."""
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles["Front Sheet"]
    paragraph.add_run(label).bold = True
    paragraph.add_run(f" {value}")


def _fixed_width(table: Table, width: int) -> None:
    """A narrow table keeps its width (the renderer widens only full-width tables)."""
    tbl_pr = table._tbl.tblPr
    for child in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(child)
    tbl_pr.append(_el("w:tblW", w=str(width), type="dxa"))


def _blank(table: tuple[float, float | None] = (TABLE_PT, TABLE_LINE)) -> DocumentObject:
    """A document holding only the styles, numbering, footnotes part and page set-up every template shares."""
    doc = Document()
    _prune_package(doc)
    _defaults(doc)
    _prune_styles(doc)
    _define_styles(doc, table)
    _define_numbering(doc)
    _footnotes_part(doc)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _section(doc)
    return doc


def _saved(doc: DocumentObject, title: str) -> bytes:
    """The template's reproducible bytes, with fixed properties."""
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = "boardpack"
    props.subject = props.keywords = props.comments = props.category = ""
    props.created = props.modified = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    props.revision = 1
    out = io.BytesIO()
    doc.save(out)
    return normalise_package(out.getvalue())


def build_cover() -> bytes:
    """The cover report template, as reproducible .docx bytes: its table text as its PDF's, about 10 pt."""
    doc = _blank(COVER_TABLE)
    _portrait(doc)
    _cover(doc)
    return _saved(doc, "boardpack cover report template")


def build(layout: str) -> bytes:
    """The template for one layout, as reproducible .docx bytes."""
    doc = _blank()
    _update_fields_on_open(doc)
    _title_block(doc)
    _contents(doc)
    if layout == "tracker":
        _summary(doc)
    _changes(doc)
    if layout == "tracker":
        _legend(doc)
        _reports(doc, _tracker_table)
    else:
        _p(doc, "{%p if has_status %}", "Body Text")
        _legend(doc)
        _p(doc, "{%p endif %}", "Body Text")
        _reports(doc, _response_table)
    return _saved(doc, f"boardpack {layout} template")


def main() -> None:
    for layout in ("tracker", "response"):
        path = ROOT / "templates" / f"{layout}.docx"
        path.write_bytes(build(layout))
        print(path.relative_to(ROOT))
    path = ROOT / "templates" / "cover.docx"
    path.write_bytes(build_cover())
    print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
