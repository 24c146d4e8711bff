"""The committee cover report: the same view, read by its own HTML template (for the PDF) and Word template.

Every number and list comes from `view.cover` (see `boardpack.summary`); the templates only
lay it out. The Word file goes through the paper's Word renderer with its own context, so it
shares its safety (data is never template code) and its reproducible bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from ..derive import PaperView
from ..derive.summary import AttentionRow, CoverView
from ..errors import RenderError
from . import COVER_FORMATS
from .context import RenderContext, stage
from .html import environment

# The Word side (docxtpl, python-docx) is imported where the cover report's Word file is made: a PDF-only
# build of a paper without a cover report never needs it.
if TYPE_CHECKING:
    from ..formats.wordml.write import Words
    from .pdf.cache import SliceCache
    from .pdf.types import Rendered
    from .pdf.workers import Workers

TEMPLATE = "cover.html"
WORD_TEMPLATE = "cover.docx"


def cover_name(view: PaperView, fmt: str) -> str:
    return f"{view.name}-cover.{fmt}"


def render_cover_html(view: PaperView, templates: Path) -> str:
    """The cover report as HTML, the input of its PDF."""
    assert view.cover is not None
    try:
        template = environment(templates).get_template(TEMPLATE)
        return template.render(paper=view, cover=view.cover, palette=view.palette)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(cover_name(view, "pdf"), "render", f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(cover_name(view, "pdf"), "render", f"template '{exc.name}' not found in {templates}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(cover_name(view, "pdf"), "render", f"template {TEMPLATE}: {exc.message}") from None


def start_cover_pdf(view: PaperView, templates: Path, cache: SliceCache | None = None,
                    workers: Workers | None = None) -> Callable[[], tuple[bytes, int]]:
    """The cover report's PDF begun now (in `workers`, so it fills their idle time); the function returned gives it.

    With a `cache`, it is taken from the last build when its HTML is unchanged.
    """
    from .pdf.paper import render_pdf, render_slice

    html = render_cover_html(view, templates)
    if cache is None:
        return lambda: render_pdf(html, templates)

    def here(html: str, templates: Path) -> Callable[[], Rendered]:
        """Laid out in this process, when the PDF is waited for."""
        return lambda: render_slice(html, templates)

    laid_out = cache.document(html, templates, workers.start if workers is not None else here)

    def pdf() -> tuple[bytes, int]:
        piece = laid_out()
        return piece.pdf, piece.pages

    return pdf


def _attention(words: Words, row: AttentionRow) -> dict[str, Any]:
    from .word.markup import plain

    return {
        "report": plain(row.report),
        "ref": plain(row.ref or "(unnumbered)"),
        "text": plain(row.text),
        "status": plain(row.status.word if row.status else ""),
        "due": plain(row.due),
        "who": plain(row.who),
        "why": words.block(row.why, "Rationale", empty=True),
        "why_plain": plain(row.why),
    }


def cover_context(view: PaperView, words: Words) -> dict[str, Any]:
    """The cover report as its Word template sees it: strings escaped, Markdown as WordprocessingML."""
    from .word.markup import fill, plain, run

    cover: CoverView | None = view.cover
    assert cover is not None
    counts = cover.counts
    return {
        "committee": plain(cover.committee),
        "note": plain(view.note),
        "dated": plain(cover.dated),
        "subject": plain(cover.subject),
        "public": cover.public,
        "marking": plain(cover.marking),
        "report_of": plain(cover.report_of),
        "author": plain(cover.author),
        "contact": plain(cover.contact),
        "purpose": plain(cover.purpose),
        "summary": [plain(words_) for words_ in cover.summary],
        "summary_extra": words.block(cover.summary_extra, "Body Text"),
        "recommendation": words.block(cover.recommendation, "Body Text", empty=True),
        "background": words.block(cover.background, "Body Text", empty=True),
        "position": [plain(words_) for words_ in cover.position],
        "position_extra": words.block(cover.position_extra, "Body Text"),
        "period": plain(view.period),
        "totals": [{"fill": fill(status), "word": run(status.word, status.ink), "count": n}
                   for status, n in zip(counts.statuses, counts.total.counts, strict=True)],
        "total": counts.total.total,
        "changes": [{"heading": plain(c.heading), "count": c.count} for c in cover.changes],
        "changes_since": plain(cover.changes_since),
        "red": [_attention(words, row) for row in cover.red],
        "overdue": [_attention(words, row) for row in cover.overdue],
        "slipped": [{"report": plain(s.report), "ref": plain(s.ref), "dates": plain(f"{s.was} → {s.now}"), "reason": plain(s.reason)}
                    for s in cover.slipped],
        "slipped_heading": plain(cover.slipped_heading),
        "implications": [{"heading": plain(heading), "words": words.block(text, "Body Text", empty=True)}
                         for heading, text in cover.implications],
        "conclusion": words.block(cover.conclusion, "Body Text"),
        "appendix": plain(cover.appendix),
        "header": plain(cover.marking if not cover.public else view.organisation),
    }


def render_cover_docx(view: PaperView, templates: Path) -> bytes:
    from .word import render_docx

    assert view.cover is not None
    return render_docx(view, templates / WORD_TEMPLATE, cover_context, cover_name(view, "docx"), title=view.cover.subject)


__all__ = ["cover_name", "render_cover_docx", "render_cover_html", "start_cover_pdf"]


class CoverRenderer:
    """The committee cover report of a paper with `cover:`, in PDF and Word, beside the paper's own.

    Its PDF is begun when the paper's PDF has handed out its slices, or else when it is asked for.
    """

    def __init__(self) -> None:
        self._pdf: Callable[[], tuple[bytes, int]] | None = None

    def outputs(self, view: PaperView, formats: Sequence[str]) -> tuple[str, ...]:
        if view.cover is None:
            return ()
        return tuple(f"cover-{fmt}" for fmt in COVER_FORMATS if fmt in formats)

    def begin(self, view: PaperView, context: RenderContext) -> None:
        if view.cover is not None and "pdf" in context.formats:
            context.after_pdf_slices.append(lambda: self._start(view, context))

    def _start(self, view: PaperView, context: RenderContext) -> None:
        if self._pdf is None:
            self._pdf = stage(f"{context.name}-cover.pdf", lambda: start_cover_pdf(view, context.templates, context.slices, context.workers))

    def render(self, output: str, view: PaperView, context: RenderContext) -> bytes:
        if output == "cover-docx":
            return render_cover_docx(view, context.templates)
        self._start(view, context)
        assert self._pdf is not None
        laid_out = self._pdf
        return stage(f"{context.name}-cover.pdf", lambda: laid_out()[0])
