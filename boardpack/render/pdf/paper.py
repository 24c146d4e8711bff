"""A paper's view to PDF: long rows in parts, long papers in slices laid out in worker processes and joined.

WeasyPrint itself is used in `layout`, loaded by whichever process lays out; `workers`
start before the build reads the paper, so they load it meanwhile and the build need not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup

from ...derive import PaperView
from ...parts import Columns, Slice, in_parts, row_lines, slices
from ..context import RenderContext
from .cache import SliceCache
from .join import Footer, FooterFont, Joiner, first_pages
from .types import Rendered
from .workers import Workers, in_worker

T = TypeVar("T")


def render_pdf(html: str, templates: Path) -> tuple[bytes, int]:
    """Lay out and write one document in this process; return the PDF and its page count (`layout.render_pdf`)."""
    from .layout import render_pdf as lay_out

    return lay_out(html, templates)


def render_slice(html: str, templates: Path, stand_ins: frozenset[str] = frozenset()) -> Rendered:
    """Lay out one slice in this process (`layout.render_slice`)."""
    from .layout import render_slice as lay_out

    return lay_out(html, templates, stand_ins)


# --- a paper's view to PDF, long rows cut where the pages turn -----------------------------

PAGE_WIDTH_PT = (297 - 24) * 72 / 25.4
"""A4 landscape less paper.css's side margins: the width of the items tables, in points."""
CHAR_PT = 4.9
"""Average width of a character of the table text (9 pt Liberation Sans), in points."""
CELL_PADDING_PT = 14
PART_LINES = 14
"""Lines a long row's parts are cut to, between paragraphs (no paragraph is cut: `Columns.whole`);
parts that land on one page are joined after layout (`rows`), each column drawn up under its own text."""
WIDTHS = {"ref": 6, "text": 29, "status": 9, "due": 11, "owner": 12}
"""Column widths in per cent of the table, as paper.css sets them; the comment takes the rest."""


LARGE_PRINT_WIDTHS = {"ref": 9, "text": 26}
"""The large-print edition's wider No. column (large-print.css), for '12 (continued)' at 12 pt."""
LARGE_PRINT = 12 / 9
"""How much larger the large-print edition's table text is (12 pt for 9 pt): characters are as much wider."""


def columns(view: PaperView) -> Columns:
    """Characters per line of the items tables' columns, as paper.css (and large-print.css) lay them out."""
    shown = {"ref": True, "text": True, "status": view.has_status, "due": view.has_due, "owner": view.has_owner}
    widths = {**WIDTHS, **LARGE_PRINT_WIDTHS} if view.large_print else WIDTHS
    comment = 100 - sum(width for name, width in widths.items() if shown[name])

    def chars(per_cent: float) -> int:
        return max(4, int((PAGE_WIDTH_PT * per_cent / 100 - CELL_PADDING_PT) / (CHAR_PT * (LARGE_PRINT if view.large_print else 1))))

    return Columns(text=chars(widths["text"]), status=chars(widths["status"]), due=chars(widths["due"]), comment=chars(comment),
                   budget=PART_LINES, whole=True)


CHART_AFTER = 2
"""Slices handed to each worker before the summary chart is drawn, so none waits while it is."""
SLICE_LINES = 400.0
"""Estimated table lines per slice of a long paper (about 12 pages): see `parts.slices`."""


def render_view_pdf(view: PaperView, templates: Path, chart: Any = None, *, cache: SliceCache | None = None, jobs: int = 1,
                    progress: Callable[[int, int], None] | None = None, workers: Workers | None = None,
                    after_slices: Callable[[], None] | None = None) -> tuple[bytes, int]:
    """Lay out a paper with its long rows cut into short parts, each kept whole on a page.

    Where two parts of a row fall on one page, the later one's number and status word, and
    the rule between them, are taken out after layout and its columns drawn up under the
    earlier part's (`rows`), so a row reads as cut only where a page turns, and every
    page a row reaches shows its number and status word.

    A long paper is laid out in slices of whole reports (`parts.slices`), in `jobs` worker
    processes at once, each slice recalled from `cache` when its HTML is unchanged, and the
    slices joined into one PDF (`join`): the page numbers, contents list, bookmarks, links
    and structure tree are those of one document. `progress(done, total)` follows the slices.
    `workers` started by the build lay out every slice (else the slices get workers of their own).
    Each slice goes to a worker as soon as its HTML is made; `chart` (the SVG, or a function
    that draws it) is drawn once every worker has slices in hand (`CHART_AFTER`), and the
    summary, the only slice that shows it, goes next: it is often the longest slice, and
    laid out last it left one worker busy long after the other had finished. Then the footer
    font is made and `after_slices` is called (the build starts the cover report): work that
    fills the workers' time while the last slices are laid out. Meanwhile this process joins
    the slices laid out so far (`join.Joiner`), in order; the front slice comes last.
    """
    shape = columns(view)
    plan = slices(view, shape, SLICE_LINES)
    pages = _page_number_stand_ins(view, shape, len(plan))
    chart_for = _ChartFor(chart)
    joiner = Joiner(Footer(size=12.0) if view.large_print else Footer())  # the page number as large as the text
    laid_out: dict[int, Rendered] = {}

    def copy(n: int, piece: Rendered) -> None:
        """Join the slices laid out so far, in order, while the others are laid out: all but the front one, which comes last."""
        laid_out[n] = piece
        while len(joiner.copied) + 1 in laid_out:
            joiner.add(len(joiner.copied) + 1, laid_out[len(joiner.copied) + 1])

    with _Layouts(templates, cache, jobs, len(plan), progress, workers, copy) as layouts:
        _hand_out(plan, shape, pages, templates, chart_for, layouts)
        font = _footer_font(cache, layouts)
        if after_slices is not None:
            after_slices()
        rendered = layouts.results()
    if pages is not None:
        _front_again(rendered, plan, pages, templates, chart_for(plan[0]), cache, workers)
    joiner.add(0, rendered[0])
    joined = joiner.finish(rendered, font(), workers.nest) if workers is not None else joiner.finish(rendered, font())
    return joined, sum(piece.pages for piece in rendered)


def _page_number_stand_ins(view: PaperView, shape: Columns, slices: int) -> dict[str, str] | None:
    """The contents list's page numbers before layout: zeros as wide as the paper's last page number will be.

    None when the paper is one slice (laid out whole, its contents numbered in one go) or has no contents list.
    """
    if slices <= 1 or not view.contents:
        return None
    estimate = sum(row_lines(row, shape) for report in view.reports for row in report.rows) / 30
    return {entry.anchor: "0" * len(str(max(1, round(estimate)))) for entry in view.contents}


class _ChartFor:
    """The chart where a slice shows it (the summary's), and nothing elsewhere: drawn only when first needed."""

    def __init__(self, chart: Any) -> None:
        self.chart = chart
        self.drawn: list[Any] = []

    def __call__(self, piece: Slice) -> Any:
        if not (piece.summary and piece.view.summary is not None):
            return _NO_CHART
        if not self.drawn:
            self.drawn.append(self.chart() if callable(self.chart) else self.chart)
        return self.drawn[0]


def _hand_out(plan: list[Slice], shape: Columns, pages: dict[str, str] | None, templates: Path, chart_for: _ChartFor,
              layouts: _Layouts) -> None:
    """Each slice's HTML to the layouts as soon as it is made; the summary's once every worker has slices in hand and the chart is drawn."""
    later: list[Slice] = []
    footnotes = 0

    def send_later() -> None:
        for piece in later:
            layouts.submit(piece.index, _slice_html(piece, templates, chart_for(piece), True)[1], piece.elsewhere)
        later.clear()

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
        if later and layouts.handed_out >= CHART_AFTER * layouts.processes:
            send_later()
    send_later()


def _front_again(rendered: list[Rendered], plan: list[Slice], pages: dict[str, str], templates: Path, chart: Any,
                 cache: SliceCache | None, workers: Workers | None) -> None:
    """Lay the front slice out again with the contents list's page numbers, until they hold (three times at most)."""
    for _attempt in range(3):
        starts = first_pages(rendered)
        found = {name: start + page + 1 for piece, start in zip(rendered, starts, strict=True) for name, page, _x, _y in piece.anchors}
        numbers = {anchor: str(found.get(anchor, "")) for anchor in pages}
        if numbers == pages:
            return
        pages = numbers
        piece, html = _slice_html(replace(plan[0], pages=pages), templates, chart, True)
        before = rendered[0].pages
        with _Layouts(templates, cache, 1, 1, None, workers) as again:
            again.submit(0, html, piece.elsewhere)
            rendered[0] = again.results()[0]
        if rendered[0].pages == before:
            return


_NO_CHART = Markup("")  # noqa: S704 - empty


def _footer_font(cache: SliceCache | None, layouts: _Layouts) -> Callable[[], FooterFont]:
    """The footer font, begun in a worker unless the cache holds it; the function returned gives it."""
    from .join import footer_font

    if cache is not None and cache.holds_footer_font():
        return cache.footer_font
    made = layouts.soon(footer_font)
    return made if cache is None else lambda: cache.footer_font(made)


def _slice_html(piece: Slice, templates: Path, chart: Any, sliced: bool) -> tuple[Slice, str]:
    """A slice's HTML; in a sliced paper, with stand-ins for the anchors it links to in other slices."""
    from ..html import render_html

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


class _Layouts:
    """Slices laid out as they are handed in: from the cache, by the build's `workers`, in up to `jobs` forked workers, or here."""

    def __init__(self, templates: Path, cache: SliceCache | None, jobs: int, total: int,
                 progress: Callable[[int, int], None] | None, workers: Workers | None = None,
                 on_done: Callable[[int, Rendered], None] | None = None) -> None:
        self.templates, self.cache, self.total, self.progress, self.on_done = templates, cache, total, progress, on_done
        self.found: dict[int, Rendered] = {}
        self.keys: dict[int, str] = {}
        self.waiting: dict[Any, int] = {}
        self.own: Workers | None = None
        if workers is None and total > 1 and Workers.possible(jobs):
            workers = self.own = Workers(min(jobs, total))
        self.pool: Any = workers.pool if workers is not None else None
        self.processes = workers.jobs if workers is not None else 0
        self.handed_out = 0
        """Slices given to the workers so far."""
        self.collecting = False
        """Whether every slice has been handed in: `on_done` is called from then on, not to hold up a slice on its way to a worker."""

    def __enter__(self) -> _Layouts:
        if self.progress:  # the plan is known: "0 of 12 parts laid out", before the first slice takes its second or two
            self.progress(0, self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.own is not None:
            self.own.__exit__(*exc)

    def submit(self, n: int, html: str, stand_ins: Sequence[str]) -> None:
        key = self.keys[n] = self.cache.key(html) if self.cache else ""
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            self._done(n, cached, store=False)
        elif self.pool is not None:
            self.waiting[self.pool.submit(in_worker, html, self.templates, frozenset(stand_ins))] = n
            self.handed_out += 1
        else:
            self._done(n, render_slice(html, self.templates, frozenset(stand_ins)))

    def soon(self, make: Callable[[], T]) -> Callable[[], T]:
        """`make` called in a worker, when there are any (else here, when asked); the function returned gives its result."""
        if self.pool is not None:
            return self.pool.submit(make).result  # type: ignore[no-any-return]
        return make

    def _done(self, n: int, piece: Rendered, store: bool = True) -> None:
        self.found[n] = piece
        if self.cache and store:
            self.cache.put(self.keys[n], piece)
        if self.progress:
            self.progress(len(self.found), self.total)
        if self.on_done and self.collecting:
            self.on_done(n, piece)

    def results(self) -> list[Rendered]:
        """Every slice handed in, in order, once laid out; `on_done` is told of each, those recalled or laid out already first."""
        self.collecting = True
        if self.on_done:
            for n in sorted(self.found):
                self.on_done(n, self.found[n])
        if self.waiting:
            from concurrent.futures import as_completed

            for future in as_completed(list(self.waiting)):
                self._done(self.waiting.pop(future), future.result())
        return [self.found[n] for n in sorted(self.found)]


class PdfRenderer:
    """The paper as a tagged PDF; what waits for its slices to be handed out (`after_pdf_slices`) begins then."""

    def outputs(self, view: PaperView, formats: Sequence[str]) -> tuple[str, ...]:
        return ("pdf",)

    def render(self, output: str, view: PaperView, context: RenderContext) -> bytes:
        from ..html import chart_markup

        def chart() -> Any:
            return context.shared("chart", lambda: chart_markup(view, context.slices))

        def after_slices() -> None:
            for begin in context.after_pdf_slices:
                begin()

        pdf, context.pages = render_view_pdf(view, context.templates, chart, cache=context.slices, jobs=context.jobs,
                                             progress=context.progress, workers=context.workers,
                                             after_slices=after_slices if context.after_pdf_slices else None)
        return pdf
