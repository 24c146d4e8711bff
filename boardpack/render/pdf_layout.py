"""WeasyPrint's part of the PDF: laying out and writing one document, in whichever process does it.

Only this module uses WeasyPrint (imported by `weasy`, a third of a second), so a build
whose layouts all go to worker processes never loads it itself: the workers load it while
the build reads the paper.
Everything here fetches nothing but the project's own templates.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

from . import pdf_patch
from .pdf_join import Bookmark, Marks, Rendered, Tree
from .weasy import HTML, Matrix, URLFetcher, make_page_bookmark_tree

pdf_patch.apply()  # writing tagged PDFs in linear time; pinned to the checked versions, see pdf_patch

PDF_VARIANT = "pdf/ua-1"
"""Tagged for screen readers; see README ('PDF flavour') for why not PDF/A as well."""


class TemplateOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `file:` URLs inside the templates folder and refuses everything else.

    Paper data is untrusted: no network protocol, no redirect, no file elsewhere on disk.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=1)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused to fetch {url!r}: only files in the templates folder may be loaded")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"refused to fetch {url!r}: only files in the templates folder may be loaded")
        return super().fetch(url, headers)


def render_pdf(html: str, templates: Path) -> tuple[bytes, int]:
    """Lay out and write one document; return the PDF and its page count.

    The same HTML always gives the same bytes: nothing time-dependent is written.
    """
    return _written(_layout(html, templates))


def _layout(html: str, templates: Path) -> Any:
    fetcher = TemplateOnlyFetcher(templates)
    return HTML(string=html, base_url=str(templates.resolve()) + "/", url_fetcher=fetcher).render(pdf_variant=PDF_VARIANT)


def _written(document: Any) -> tuple[bytes, int]:
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return pdf, len(document.pages)


# --- long rows' parts that share a page, read as one row ---------------------------------------

def _rows(box: Any, table: Any = None) -> Any:
    """The marked items-table rows under a box, in document order, each with its table."""
    for child in getattr(box, "children", ()):
        element = getattr(child, "element", None)
        if getattr(child, "element_tag", None) == "tr" and element is not None and element.get("data-part"):
            yield table, child
        else:
            yield from _rows(child, child if type(child).__name__ == "TableBox" else table)


def _hide_rule_above(table: Any, row: Any) -> None:
    """Make the collapsed border above a body row transparent: it keeps its width, so nothing moves."""
    grid = getattr(table, "collapsed_border_grid", None)
    if not grid or not table.children:
        return
    header = len(table.children[0].children) if table.children[0].is_header else 0
    horizontal = grid[1]
    y = header + row.index
    if 0 < y < len(horizontal):
        horizontal[y] = [(score, (style, width, type(color)(color.space, color.coordinates, 0)))
                         for score, (style, width, color) in horizontal[y]]


def _unmark(cell: Any, css_class: str | None) -> None:
    """Take a cell's content (or only its boxes of `css_class`) out of the laid-out page; nothing else moves."""
    if css_class is None:
        cell.children = []
        return
    kept = []
    for child in cell.children:
        element = getattr(child, "element", None)
        if element is not None and css_class in (element.get("class") or "").split():
            continue
        if getattr(child, "children", None):
            _unmark(child, css_class)
        kept.append(child)
    cell.children = kept


def join_on_page(document: Any) -> int:
    """Parts of a row laid out on one page read as one row: the later part loses its number and status word.

    The boxes are taken out after layout, so no line moves and the page breaks stay where
    the layout put them; a part that begins a page keeps "5 (continued)" and its status word.
    Returns how many parts were joined.
    """
    started: dict[str, int] = {}
    joined = 0
    for number, page in enumerate(document.pages):
        for table, row in _rows(page._page_box):
            mark = row.element.get("data-part")
            if mark in started:
                continue  # the same row's fragment on a later page
            started[mark] = number
            if "continued" not in (row.element.get("class") or "").split():
                continue
            report, _, index = mark.partition(".")
            if started.get(f"{report}.{int(index) - 1}") != number:
                continue
            for cell in row.children:
                classes = (cell.element.get("class") or "").split() if cell.element is not None else []
                if "ref" in classes:
                    _unmark(cell, None)
                elif "rag" in classes:
                    _unmark(cell, "status-word")
            if table is not None:
                _hide_rule_above(table, row)
            row.element.set("class", row.element.get("class") + " joined")
            joined += 1
    return joined


SCALE = 0.75
"""PDF points per CSS pixel, as WeasyPrint writes pages."""


def render_slice(html: str, templates: Path, stand_ins: frozenset[str] = frozenset()) -> Rendered:
    """Lay out and write one slice: its PDF, with the outline entries and anchors the join needs.

    Runs in a worker process; the laid-out pages stay there, only the bytes come back.
    `stand_ins` are the anchors that hold a link's place for a target in another slice:
    they are not this slice's to give.
    """
    document = _layout(html, templates)
    join_on_page(document)
    bookmarks: list[Bookmark] = []
    anchors: dict[str, tuple[str, int, float, float]] = {}
    for number, page in enumerate(document.pages):
        for level, label, (x, y), state in page.bookmarks:
            bookmarks.append(Bookmark(level, label, number, x * SCALE, (page.height - y) * SCALE, state != "closed"))
        for name, (x, y, *_rest) in page.anchors.items():
            if name in stand_ins:
                continue
            anchors.setdefault(name, (name, number, x * SCALE, (page.height - y) * SCALE))  # the first wins, as in WeasyPrint
    pdf, pages = _written(document)
    return Rendered(pdf, pages, tuple(bookmarks), tuple(anchors.values()))


def outline(pages: Sequence[Marks]) -> Tree:
    """The outline of a joined paper, nested by level exactly as WeasyPrint nests one document's.

    `pages` holds each page's headings as (level, label, (x, y), state).
    """
    root: list[Any] = []
    skipped: list[int] = []
    last_by_depth: list[Any] = [root]
    level = 0
    for number, marks in enumerate(pages):
        level = make_page_bookmark_tree(SimpleNamespace(bookmarks=list(marks)), skipped, last_by_depth, level, number, Matrix())
    return root


def start_worker() -> None:
    """A layout worker's start: freeze what it inherited from the build, so collections never walk it."""
    gc.freeze()
