"""One paper rendered into its outputs: the file names, and each format's renderer called in turn."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..edition import LARGE_PRINT, large_print_edition
from ..errors import BoardpackError, RenderError
from .report import Progress, Progressing

if TYPE_CHECKING:
    from ..history import Resolved
    from ..model import Paper
    from ..render.workers import Workers


T = TypeVar("T")


COVER_FORMATS = ("pdf", "docx")
"""The formats of the committee cover report, built beside the paper's when it has `cover:`."""


def output_names(name: str, formats: Sequence[str], has_cover: bool) -> dict[str, str]:
    """The file name of each output, keyed as `render_paper` returns them: 'pdf', ..., 'cover-pdf'.

    A paper with a cover report gets NAME-cover.pdf with its PDF and NAME-cover.docx with its
    Word file, so `--format pdf` still builds everything a printed pack needs.
    """
    names = {fmt: f"{name}.{fmt}" for fmt in formats if fmt != LARGE_PRINT}
    if has_cover:
        names.update({f"cover-{fmt}": f"{name}-cover.{fmt}" for fmt in COVER_FORMATS if fmt in formats})
    return names


def render_paper(paper: Paper | Resolved, name: str, templates: Path, formats: Sequence[str], *, cache: Path | None = None,
                 fresh: bool = False, jobs: int = 1, progress: Progressing = False, workers: Workers | None = None) -> tuple[dict[str, bytes], int | None]:
    """Render one paper to every requested format, in memory; return outputs and PDF pages.

    Outputs are keyed by format, and the cover report's by 'cover-pdf' and 'cover-docx'
    (see `output_names`); pages are the paper's own. A long paper's PDF is laid out in
    slices by `jobs` processes (the build's `workers`, when it started them), kept in `cache`
    for the next build (`fresh`: nothing is taken from it), with `progress` on stderr.
    """
    from ..derive import view
    from ..history import Resolved, resolve
    from ..palette import palette_for

    if not isinstance(paper, Resolved):
        paper = resolve(paper, None)
    if LARGE_PRINT in formats:
        paper = large_print_edition(paper)
    paper_view = view(paper.paper, name, paper.changes, palette_for(templates), paper.earlier)
    outputs: dict[str, bytes] = {}
    pages = None
    slices = None
    if cache is not None and {"pdf", "html"} & set(formats):  # only the PDF and the web page's chart use the cache
        from ..render.pdf_cache import SliceCache

        slices = SliceCache(cache, templates, fresh=fresh)
    # The chart is drawn once for the web page and the PDF, when first needed: a long PDF draws it while
    # its slices are laid out. A Word-only build neither needs nor depends on it.
    drawn: list[Any] = []

    def chart() -> Any:
        if not drawn:
            from ..render.html import chart_markup

            drawn.append(chart_markup(paper_view, slices))
        return drawn[0]

    cover_pdf: list[Callable[[], tuple[bytes, int]]] = []

    def start_cover_pdf() -> None:
        """The cover report's PDF begun: by the paper's PDF once its slices have gone to the workers, else when it is built.

        A failure is the cover report's, under its name, wherever it is begun.
        """
        from ..render.cover import start_cover_pdf

        if not cover_pdf:
            cover_pdf.append(_stage(f"{name}-cover", "pdf", lambda: start_cover_pdf(paper_view, templates, slices, workers)))

    has_cover_pdf = paper_view.cover is not None and "pdf" in formats
    if "pdf" in formats:
        from ..render.pdf import render_view_pdf

        report: Callable[[int, int], None] | None = None
        if progress is True:
            report = Progress(f"{name}.pdf")
        elif callable(progress):
            report = functools.partial(progress, f"{name}.pdf")
        outputs["pdf"], pages = _stage(name, "pdf", lambda: render_view_pdf(paper_view, templates, chart, cache=slices, jobs=jobs, progress=report,
                                                                                     workers=workers,
                                                                                     after_slices=start_cover_pdf if has_cover_pdf else None))
    if "html" in formats:
        from ..render.html import render_html

        outputs["html"] = render_html(paper_view, templates, chart=chart()).encode("utf-8")
    if "xlsx" in formats or "csv" in formats:
        from ..render.annex import render_csv, render_xlsx

        if "xlsx" in formats:
            outputs["xlsx"] = _stage(name, "xlsx", lambda: render_xlsx(paper_view))
        if "csv" in formats:
            outputs["csv"] = _stage(name, "csv", lambda: render_csv(paper_view))
    if "docx" in formats:
        from ..render.docx import render_docx

        outputs["docx"] = _stage(name, "docx", lambda: render_docx(paper_view, templates / f"{paper_view.layout}.docx"))
    if paper_view.cover is not None and {"pdf", "docx"} & set(formats):
        from ..render.cover import render_cover_docx

        if has_cover_pdf:
            start_cover_pdf()
            outputs["cover-pdf"] = _stage(f"{name}-cover", "pdf", lambda: cover_pdf[0]()[0])
        if "docx" in formats:
            outputs["cover-docx"] = _stage(f"{name}-cover", "docx", lambda: render_cover_docx(paper_view, templates))
    if slices is not None and "pdf" in formats:  # the cache keeps what this build used; a Word-only build leaves it be
        slices.keep_only()
    return outputs, pages


def _stage(name: str, fmt: str, work: Callable[[], T]) -> T:
    try:
        return work()
    except BoardpackError:
        raise
    except Exception as exc:  # a template edit the renderer cannot digest
        raise RenderError(f"{name}.{fmt}", "render", f"{type(exc).__name__}: {exc}") from exc
