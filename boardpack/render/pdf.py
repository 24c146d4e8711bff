"""HTML to PDF through WeasyPrint, fetching nothing but the project's own templates."""

from __future__ import annotations

import gc
import multiprocessing
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from ..derive import PaperView
from ..parts import Columns, Slice, in_parts, row_lines, slices
from . import pdf_patch
from .pdf_cache import SliceCache
from .pdf_join import Bookmark, Rendered, first_pages, join

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


# --- a paper's view to PDF, long rows cut where the pages turn -----------------------------

PAGE_WIDTH_PT = (297 - 24) * 72 / 25.4
"""A4 landscape less paper.css's side margins: the width of the items tables, in points."""
CHAR_PT = 4.9
"""Average width of a character of the table text (9 pt Liberation Sans), in points."""
CELL_PADDING_PT = 14
PART_LINES = 14
"""Lines a long row's parts are first cut to; the second layout joins those on one page."""
SENTENCE_LINES = 3
"""Paragraphs are cut after sentences into pieces of about this many lines, so each column of a
part fills it closely: a cut shows only where a page turns, and the parts on one page join
with little space between them."""
WIDTHS = {"ref": 6, "text": 29, "status": 9, "due": 11, "owner": 12}
"""Column widths in per cent of the table, as paper.css sets them; the comment takes the rest."""


def columns(view: PaperView) -> Columns:
    """Characters per line of the items tables' columns, as paper.css lays them out."""
    shown = {"ref": True, "text": True, "status": view.has_status, "due": view.has_due, "owner": view.has_owner}
    comment = 100 - sum(width for name, width in WIDTHS.items() if shown[name])

    def chars(per_cent: float) -> int:
        return max(4, int((PAGE_WIDTH_PT * per_cent / 100 - CELL_PADDING_PT) / CHAR_PT))

    return Columns(text=chars(WIDTHS["text"]), status=chars(WIDTHS["status"]), due=chars(WIDTHS["due"]), comment=chars(comment),
                   budget=PART_LINES, sentences=SENTENCE_LINES)


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


SLICE_LINES = 400.0
"""Estimated table lines per slice of a long paper (about 12 pages): see `parts.slices`."""
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


def render_view_pdf(view: PaperView, templates: Path, chart: Any = None, *, cache: SliceCache | None = None, jobs: int = 1,
                    progress: Callable[[int, int], None] | None = None) -> tuple[bytes, int]:
    """Lay out a paper with its long rows cut into short parts, each kept whole on a page.

    Where two parts of a row fall on one page, the later one's number and status word, and
    the rule between them, are taken out after layout, so a row reads as cut only where a
    page turns, and every page a row reaches shows its number and status word.

    A long paper is laid out in slices of whole reports (`parts.slices`), in `jobs` worker
    processes at once, each slice recalled from `cache` when its HTML is unchanged, and the
    slices joined into one PDF (`pdf_join`): the page numbers, contents list, bookmarks, links
    and structure tree are those of one document. `progress(done, total)` follows the slices.
    Each slice goes to a worker as soon as its HTML is made; `chart` (the SVG, or a function
    that draws it) is drawn only after the others have gone, as the summary alone needs it.
    """
    shape = columns(view)
    plan = slices(view, shape, SLICE_LINES)
    pages: dict[str, str] | None = None
    if len(plan) > 1 and view.contents:
        estimate = sum(row_lines(row, shape) for report in view.reports for row in report.rows) / 30
        pages = {entry.anchor: "0" * len(str(max(1, round(estimate)))) for entry in view.contents}  # page numbers' width
    drawn: list[Any] = []

    def chart_for(piece: Slice) -> Any:
        """The chart where the slice shows it (the summary's), and nothing elsewhere: it is drawn only when needed."""
        if not (piece.summary and piece.view.summary is not None):
            return _NO_CHART
        if not drawn:
            drawn.append(chart() if callable(chart) else chart)
        return drawn[0]

    later: list[Slice] = []
    footnotes = 0
    with _Layouts(templates, cache, jobs, len(plan), progress) as layouts:
        for piece in plan:
            piece = replace(piece, view=in_parts(piece.view, shape), footnotes=footnotes, pages=pages if piece.title else None)
            waits = len(plan) > 1 and piece.summary and piece.view.summary is not None  # laid out once the chart is drawn
            piece, html = _slice_html(piece, templates, _NO_CHART if waits else chart_for(piece), len(plan) > 1)
            plan[piece.index] = piece
            footnotes += html.count(FOOTNOTE_CALL)  # the chart holds none, so the stand-in counts the same
            if waits:
                later.append(piece)
            else:
                layouts.submit(piece.index, html, piece.elsewhere)
        for piece in later:
            layouts.submit(piece.index, _slice_html(piece, templates, chart_for(piece), True)[1], piece.elsewhere)
        rendered = layouts.results()
    for _attempt in range(3):  # the front matter again, with the contents list's page numbers
        if pages is None:
            break
        starts = first_pages(rendered)
        found = {name: start + page + 1 for piece, start in zip(rendered, starts, strict=True) for name, page, _x, _y in piece.anchors}
        numbers = {anchor: str(found.get(anchor, "")) for anchor in pages}
        if numbers == pages:
            break
        pages = numbers
        piece, html = _slice_html(replace(plan[0], pages=pages), templates, chart_for(plan[0]), True)
        before = rendered[0].pages
        with _Layouts(templates, cache, 1, 1, None) as again:
            again.submit(0, html, piece.elsewhere)
            rendered[0] = again.results()[0]
        if rendered[0].pages == before:
            break
    joined = join(rendered, font=cache.footer_font() if cache is not None else None)
    return joined, sum(piece.pages for piece in rendered)


_NO_CHART = Markup("")  # noqa: S704 - empty


def _slice_html(piece: Slice, templates: Path, chart: Any, sliced: bool) -> tuple[Slice, str]:
    """A slice's HTML; in a sliced paper, with stand-ins for the anchors it links to in other slices."""
    from .html import render_html

    html = render_html(piece.view, templates, paged=True, chart=chart, print_slice=piece)
    if sliced:
        elsewhere = tuple(sorted(set(_LINK.findall(html)) - set(_ID.findall(html))))
        if elsewhere:  # links to other slices: stand-ins keep them until the join
            piece = replace(piece, elsewhere=elsewhere)
            html = render_html(piece.view, templates, paged=True, chart=chart, print_slice=piece)
    return piece, html


FOOTNOTE_CALL = '<span class="footnote">'
"""How markdown.py opens a footnote: counted to number each slice's footnotes on from the last."""
_LINK = re.compile(r'<a href="#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')
"""Internal links and element ids as the templates and markdown.py write them (values escaped)."""


def _render_in_worker(html: str, templates: Path, stand_ins: frozenset[str]) -> Rendered:
    """`render_slice` in a worker, which then frees the slice's cycles, so a long paper's workers stay small.

    The worker froze what it inherited from the build (`gc.freeze` at start-up): the
    collection walks only what the slice left behind, and the build's pages stay shared.
    """
    try:
        return render_slice(html, templates, stand_ins)
    finally:
        gc.collect()


class _Layouts:
    """Slices laid out as they are handed in: from the cache, in this process, or in up to `jobs` forked workers."""

    def __init__(self, templates: Path, cache: SliceCache | None, jobs: int, total: int,
                 progress: Callable[[int, int], None] | None) -> None:
        self.templates, self.cache, self.total, self.progress = templates, cache, total, progress
        self.found: dict[int, Rendered] = {}
        self.keys: dict[int, str] = {}
        self.waiting: dict[Any, int] = {}
        self.pool: Any = None
        if jobs > 1 and total > 1 and "fork" in multiprocessing.get_all_start_methods():
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=min(jobs, total), mp_context=multiprocessing.get_context("fork"),
                                            initializer=gc.freeze)

    def __enter__(self) -> _Layouts:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, n: int, html: str, stand_ins: Sequence[str]) -> None:
        key = self.keys[n] = self.cache.key(html) if self.cache else ""
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            self._done(n, cached, store=False)
        elif self.pool is not None:
            self.waiting[self.pool.submit(_render_in_worker, html, self.templates, frozenset(stand_ins))] = n
        else:
            self._done(n, render_slice(html, self.templates, frozenset(stand_ins)))

    def _done(self, n: int, piece: Rendered, store: bool = True) -> None:
        self.found[n] = piece
        if self.cache and store:
            self.cache.put(self.keys[n], piece)
        if self.progress:
            self.progress(len(self.found), self.total)

    def results(self) -> list[Rendered]:
        """Every slice handed in, in order, once laid out."""
        if self.waiting:
            from concurrent.futures import as_completed

            for future in as_completed(list(self.waiting)):
                self._done(self.waiting.pop(future), future.result())
        return [self.found[n] for n in sorted(self.found)]
