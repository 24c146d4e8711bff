"""One paper rendered into its outputs: their file names, its view, and the renderers the formats ask for (`render.RENDERERS`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..edition import LARGE_PRINT, large_print_edition
from ..render import COVER_FORMATS
from .report import Progress, Progressing

if TYPE_CHECKING:
    from ..derive import PaperView
    from ..history import Resolved
    from ..model import Paper
    from ..render.pdf.workers import Workers


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
    from ..render import render_view
    from ..render.context import RenderContext

    paper_view = _view(paper, name, templates, formats)
    slices = None
    if cache is not None and {"pdf", "html"} & set(formats):  # only the PDF and the web page's chart use the cache
        from ..render.pdf.cache import SliceCache

        slices = SliceCache(cache, templates, fresh=fresh)
    context = RenderContext(name, templates, tuple(formats), slices, jobs, _reporter(f"{name}.pdf", progress), workers)
    outputs = render_view(paper_view, context)
    if slices is not None and "pdf" in formats:  # the cache keeps what this build used; a Word-only build leaves it be
        slices.keep_only()
    return outputs, context.pages


def _view(paper: Paper | Resolved, name: str, templates: Path, formats: Sequence[str]) -> PaperView:
    """The paper's view, in its large-print edition when that is asked for."""
    from ..derive import view
    from ..history import Resolved, resolve
    from ..palette import palette_for

    if not isinstance(paper, Resolved):
        paper = resolve(paper, None)
    if LARGE_PRINT in formats:
        paper = large_print_edition(paper)
    return view(paper.paper, name, paper.changes, palette_for(templates), paper.earlier)


def _reporter(file_name: str, progress: Progressing) -> Callable[[int, int], None] | None:
    if progress is True:
        return Progress(file_name)
    if callable(progress):
        return functools.partial(progress, file_name)
    return None
