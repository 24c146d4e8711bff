"""Word output: a paper's view poured into a docxtpl template that a secretary can restyle.

The template owns the look (named styles, numbering definitions, the table style); this
module only supplies content: the context the template sees, then the package as Word
wants it (table widths, rows kept whole, properties, reproducible bytes). Markdown fields
become WordprocessingML in `wordml`, which the Word importer shares, so what is written
here reads back as it was. Data is never compiled as a template: plain fields reach
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from ..derive import ChangesView, PaperView, ReportView, Row, StatusView
from ..errors import RenderError
from ..parts import Columns, in_parts
from ..text import clean_text  # form feeds and vertical tabs become '\v', which the writers turn into line breaks
from .wordml import GOES_ON_MARK, LEAD_PREFIX, POSITION_LEAD, RATIONALE_LEAD, RATIONALE_MARK, TASK_LEAD, Block, Words
from .wordml import shield as _shield

__all__ = ["render_docx", "normalise_package", "clean_text", "Words", "Block"]

_HEX = re.compile(r"^[0-9A-Fa-f]{6}$")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_TC, _P, _T, _W, _TYPE, _TCPR, _TCW = (qn(name) for name in ("w:tc", "w:p", "w:t", "w:w", "w:type", "w:tcPr", "w:tcW"))
"""Tag and attribute names the table passes look up for every cell."""
_LISTING = re.compile("[\t\a\n\f]")
"""What docxtpl's `resolve_listing` turns into Word's tags (tab, paragraph, line and page breaks)."""


def _cell_width(tc: Any) -> Any:
    """A cell's `w:tcPr/w:tcW`, as `tc.find` of that path finds it, without ElementPath's work on every call (a paper has thousands of cells)."""
    for props in tc.iterchildren(_TCPR):
        for width in props.iterchildren(_TCW):
            return width
    return None


# --- text that is safe in WordprocessingML -----------------------------------------------


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


# --- the context the template sees -------------------------------------------------------


def _lines(words: Words, lines: tuple[str, ...], style: str) -> Markup:
    """Lines as paragraphs of their own (a due-date history: one date a paragraph, spaced apart); one empty paragraph for none."""
    style_id = words.styles.paragraph(style, "Table Text", "Normal")
    ppr = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""
    xml = "".join(f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{_plain(line)}</w:t></w:r></w:p>' for line in lines)
    return Markup(xml or f"<w:p>{ppr}</w:p>")  # noqa: S704 - lines escaped by _plain


def _fill(status: StatusView | None) -> str:
    return status.fill.upper() if status and _HEX.match(status.fill) else "auto"


def _row(words: Words, row: Row) -> dict[str, Any]:
    task = row.kind == "task" and not row.part
    status = row.status
    labelled = not row.part  # a continued part's paragraphs go on without their labels

    def goes_on(field: str) -> str | None:
        return GOES_ON_MARK if field in row.goes_on else None

    return {
        "kind": row.kind,
        "ref": _plain(f"{row.ref or '–'} (continued)" if row.part else row.ref or "–"),  # '–': an item the report left unnumbered
        "continued": bool(row.part),
        "to": _plain(row.to),
        "for_body": _plain(row.for_body),
        "text": words.block(row.text, "Table Text", lead=row.lead_in or (TASK_LEAD if task else None), empty=True, mark=goes_on("text")),
        "fill": _fill(status),
        "status": _run(status.word, status.ink) if status else Markup(""),
        "status_note": _run(status.note, status.ink) if status and status.note else Markup(""),
        "due": _lines(words, row.due, "Due Line"),
        "overdue": row.overdue,
        "slippage": _plain(row.slippage),
        "owner": _plain(row.owner),
        "lead": _run(f"{LEAD_PREFIX}{row.lead}", status.ink if status else None) if row.lead else Markup(""),
        # a RED rationale stands beside the status, as a WHITE item's lead does; without a status, in the comment
        "rationale": words.block(row.rationale, "RAG Note", lead=RATIONALE_LEAD if labelled else None, color=status.ink,
                                  mark=RATIONALE_MARK + ("_on" if "rationale" in row.goes_on else ""))
        if row.rationale and status else None,
        "comment_rationale": words.block(row.rationale, "Table Text", lead=RATIONALE_LEAD if labelled else None,
                                          mark=RATIONALE_MARK + ("_on" if "rationale" in row.goes_on else ""))
        if row.rationale and not status else None,
        "comment": words.block(row.comment, "Table Text", lead=POSITION_LEAD if task and row.comment else None, empty=True,
                               mark=goes_on("comment")),
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
        "notes": words.block(view.notes, "Body Text"),
        "contents": _contents(view, words),
    }


TOC_INSTRUCTION = r' TOC \o "1-1" \h \z \u '
"""Word's contents field over the Heading 1 paragraphs (report titles, Summary, Changes, Notes)."""


def _contents(view: PaperView, words: Words) -> Markup | None:
    """The contents list as a TOC field whose result already lists the parts (titles only).

    Word recomputes the field, page numbers included, when the paper is opened (the template
    asks it to); other readers show the titles as written here.
    """
    if not view.contents:
        return None
    style = words.styles.paragraph("toc 1", "Normal")
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    paragraphs = []
    for n, entry in enumerate(view.contents):
        runs = ""
        if n == 0:
            runs += ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                     f'<w:r><w:instrText xml:space="preserve">{escape(TOC_INSTRUCTION)}</w:instrText></w:r>'
                     '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        runs += f'<w:r><w:t xml:space="preserve">{_plain(entry.title)}</w:t></w:r>'
        if n == len(view.contents) - 1:
            runs += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        paragraphs.append(f"<w:p>{ppr}{runs}</w:p>")
    return Markup("".join(paragraphs))  # noqa: S704 - titles escaped by _plain


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
        texts = [str(width) for width in scaled]
        for tr in rows:
            tcs = tr.findall(_TC)
            if len(tcs) != len(scaled):
                continue
            for tc, text in zip(tcs, texts, strict=True):
                tc_w = _cell_width(tc)
                if tc_w is not None:
                    tc_w.set(_W, text)
                    tc_w.set(_TYPE, "dxa")


TWIPS_PER_CHAR = 105
"""Average width of a character of 10 pt table text, in twentieths of a point."""
PART_LINES = 20
"""Lines a long row's parts are cut to: short enough to fill pages, long enough to read on."""
SENTENCE_LINES = 16
"""Only a paragraph longer than this is cut after a sentence: every cut shows in Word."""
_TC_IF = re.compile(r"{%-?\s*tc\s+if\s+(\w+)\s*-?%}")
_TC_ENDIF = re.compile(r"{%-?\s*tc\s+endif\s*-?%}")
_CELL_FIELDS = (("text", "row.text"), ("status", "row.status"), ("due", "row.due"), ("comment", "row.comment"))


def _cell_text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def columns(doc: Any, view: PaperView) -> Columns:
    """Characters per line of the template's items-table columns, as this paper shows them.

    Read from the template itself (its row of `row.` fields, less the columns a `{%tc if %}`
    hides for this paper, scaled to the page as `_fit_tables` does), so a restyled template
    with other widths still gets parts that fit its pages.
    """
    flags = {"has_owner": view.has_owner, "has_status": view.has_status, "has_due": view.has_due}
    widths: dict[str, int] = {}
    total = 0
    for tbl in doc.element.body.iter(qn("w:tbl")):
        rows = tbl.findall(qn("w:tr"))
        marks = [n for n, tr in enumerate(rows) if "report.rows" in _cell_text(tr)]
        if not marks or marks[0] + 1 >= len(rows):
            continue
        hidden = False
        for tc in rows[marks[0] + 1].findall(qn("w:tc")):
            text = _cell_text(tc)
            if match := _TC_IF.search(text):
                hidden = not flags.get(match.group(1), True)
                continue
            if _TC_ENDIF.search(text):
                hidden = False
                continue
            tc_w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            width = int(tc_w.get(qn("w:w"), "0")) if tc_w is not None and tc_w.get(qn("w:type"), "dxa") == "dxa" else 0
            if hidden or width <= 0:
                continue
            total += width
            for name, field in _CELL_FIELDS:
                if field in text and name not in widths:
                    widths[name] = width
                    break
        break
    section = doc.sections[-1] if len(doc.sections) else None
    page = _twips(section.page_width, 16838) - _twips(section.left_margin, 1134) - _twips(section.right_margin, 1134) if section else 14570
    scale = page / total if total else 1.0

    def chars(name: str, default: int) -> int:
        return max(4, int((widths.get(name, default) * scale - 220) // TWIPS_PER_CHAR))

    return Columns(text=chars("text", 4700), status=chars("status", 1500), due=chars("due", 1600), comment=chars("comment", 5000),
                   budget=PART_LINES, paragraph=0.4, sentences=SENTENCE_LINES)


KEEP_WHOLE_LINES = 40
"""Rows estimated at up to a page are kept on one page (the parts of a long row are shorter); longer ones may break."""


def _keep_short_rows(doc: Any) -> None:
    """Short rows never split across a page; long comments still flow onto the next page."""
    for tbl in doc.element.body.iter(qn("w:tbl")):
        for tr in tbl.findall(qn("w:tr")):
            trpr = tr.find(qn("w:trPr"))
            if trpr is not None and trpr.find(qn("w:tblHeader")) is not None:
                continue
            lines = 0
            for tc in tr.findall(_TC):
                tc_w = _cell_width(tc)
                width = int(tc_w.get(_W, "2000")) if tc_w is not None and tc_w.get(_TYPE, "dxa") == "dxa" else 2000
                per_line = max(8, (width - 170) // 110)
                cell_lines = sum(max(1, math.ceil(len("".join(p.itertext(_T, with_tail=False))) / per_line)) for p in tc.iter(_P))
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


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl with one fix: `{% cellbg %}` also works on cells whose properties are empty or absent (#559)."""

    def patch_xml(self, src_xml: str) -> str:
        src_xml = re.sub(r"<w:tcPr\s*/>", "<w:tcPr></w:tcPr>", src_xml)
        src_xml = re.sub(r"(<w:tc(?:\s[^>]*)?>)(?!<w:tcPr[\s>])", r"\1<w:tcPr></w:tcPr>", src_xml)
        return str(super().patch_xml(src_xml))

    def fix_tables(self, xml: str) -> Any:
        """docxtpl's pass that fits each table's grid to the cells its rows kept, visiting each row once.

        docxtpl walks every row twice, the second time looking for merged cells in each; a
        table without merged cells needs only each row's count of cells. The result is
        docxtpl's own (`tests/test_docx.py` compares them).
        """
        tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
        ns = "{" + tree.nsmap["w"] + "}"
        tc, tc_pr, span, val = f"{ns}tc", f"{ns}tcPr", f"{ns}gridSpan", f"{ns}val"
        for table in tree.iter(f"{ns}tbl"):
            grid = table.find(f"{ns}tblGrid")
            columns = grid.findall(f"{ns}gridCol")
            spans = table.find(f".//{span}") is not None
            most = widest = 0
            for row in table.iter(f"{ns}tr"):
                cells = row.findall(tc)
                most = max(most, len(cells))
                if spans:
                    spanned = 0
                    for cell in cells:
                        props = cell.find(tc_pr)
                        merged = None if props is None else props.find(span)
                        spanned += int(merged.get(val)) if merged is not None else 1
                    widest = max(widest, spanned)
                else:
                    widest = most
            if most > len(columns):  # as docxtpl: columns added, the table's width kept
                to_add = most - len(columns)
                total = 0.0
                for column in columns:
                    if column.get(f"{ns}w") is not None:
                        total += float(column.get(f"{ns}w"))
                if total > 0:
                    old_average, new_average = total / len(columns), total / (len(columns) + to_add)
                    for column in columns:
                        column.set(f"{ns}w", str(int(float(column.get(f"{ns}w")) * new_average / old_average)))
                    for _ in range(to_add):
                        etree.SubElement(grid, f"{ns}gridCol", {f"{ns}w": str(int(new_average))})
                columns = grid.findall(f"{ns}gridCol")
            to_remove = len(columns) - widest
            if to_remove > 0:  # as docxtpl: the last columns go, and their width is shared among the others
                removed_width = 0.0
                for column in columns[-to_remove:]:
                    removed_width += float(column.get(f"{ns}w"))
                    grid.remove(column)
                left = grid.findall(f"{ns}gridCol")
                extra_space = int(removed_width / len(left)) if left else 0
                for column in left:
                    column.set(f"{ns}w", str(int(float(column.get(f"{ns}w")) + extra_space)))
        return tree

    def resolve_listing(self, xml: str) -> str:
        """docxtpl's pass that turns tabs and newlines in text into Word's tags, only when there is one.

        The pass walks every paragraph, run and text with nested regular expressions (a third
        of a long paper's render); it changes nothing in a document without these characters.
        """
        return str(super().resolve_listing(xml)) if _LISTING.search(xml) else xml


ContextBuilder = Callable[[PaperView, Words], dict[str, Any]]


def render_docx(view: PaperView, template: Path, context_of: ContextBuilder | None = None, file_name: str | None = None,
                title: str | None = None) -> bytes:
    """Render a paper's view through a Word template; returns reproducible .docx bytes.

    The paper itself by default; another document of the same view (the cover report) brings
    its own context builder, output name (for messages) and document title.
    """
    paper = file_name or f"{view.name}.docx"
    chart = view.summary.chart if context_of is None and view.summary is not None else None
    if chart is not None:
        from .docx_summary import start_chart

        start_chart(chart)
    try:
        return _render_docx(view, template, paper, context_of, title)
    finally:
        if chart is not None:
            from .docx_summary import forget_chart

            forget_chart(chart)


def _render_docx(view: PaperView, template: Path, paper: str, context_of: ContextBuilder | None, title: str | None) -> bytes:
    try:
        tpl = _Template(str(template))
        doc = tpl.get_docx()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise RenderError(paper, "template", f"cannot open Word template {template}: {exc}") from exc
    words = Words(doc)
    if context_of is None:  # the paper itself: long rows in parts that each fit a page (see boardpack.parts)
        view = in_parts(view, columns(doc, view))
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
    return package_bytes(tpl.docx)
