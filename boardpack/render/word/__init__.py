"""Word output: a paper's view poured into a docxtpl template that a secretary can restyle.

The template owns the look (named styles, numbering definitions, the table style); boardpack
only supplies content. Three modules share the work: `docx_context` makes what the template
sees (Markdown fields become WordprocessingML in `wordml`, which the Word importer shares, so
what is written reads back as it was), this module renders the template, and `docx_package`
makes the package as Word wants it (table widths, rows kept whole, properties, reproducible
bytes). Data is never compiled as a template. The same view and template give the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from ...derive import PaperView
from ...errors import RenderError
from ...formats.wordml.write import Words
from ..context import RenderContext
from .context import build_context
from .package import finished

__all__ = ["render_docx"]

_LISTING = re.compile("[\t\a\n\f]")
"""What docxtpl's `resolve_listing` turns into Word's tags (tab, paragraph, line and page breaks)."""


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
        docxtpl's own (`tests/render/test_docx.py` compares them).
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
        from .summary import start_chart

        start_chart(chart)
    try:
        return _render_docx(view, template, paper, context_of, title)
    finally:
        if chart is not None:
            from .summary import forget_chart

            forget_chart(chart)


def _render_docx(view: PaperView, template: Path, paper: str, context_of: ContextBuilder | None, title: str | None) -> bytes:
    try:
        tpl = _Template(str(template))
        doc = tpl.get_docx()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise RenderError(paper, "template", f"cannot open Word template {template}: {exc}") from exc
    words = Words(doc)  # long rows stay whole: Word breaks them across pages (see docx_package)
    context = (context_of or build_context)(view, words)
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except TemplateError as exc:
        near = " ".join(line.strip() for line in getattr(exc, "docx_context", []) if line.strip())
        hint = f" (near: {near[:200]})" if near else ""
        raise RenderError(paper, "render", f"template {template}: {exc.message or exc}{hint}") from exc
    words.footnotes.flush()
    return finished(tpl.docx, view, title)


class DocxRenderer:
    """The paper as a Word file, through the template of its layout (`tracker.docx`, `response.docx`)."""

    def outputs(self, view: PaperView, formats: Sequence[str]) -> tuple[str, ...]:
        return ("docx",)

    def render(self, output: str, view: PaperView, context: RenderContext) -> bytes:
        return render_docx(view, context.templates / f"{view.layout}.docx")
