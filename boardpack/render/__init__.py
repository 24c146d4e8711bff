"""Renderers: one per kind of output, each reading the same derived `PaperView`.

A renderer says which outputs it makes of a paper (`outputs`) and makes each as bytes
(`render`), with what the paper's renderers share in a `RenderContext`. `RENDERERS` lists them
in the order a paper's outputs are made, by module and class name: a renderer's module (and
WeasyPrint, docxtpl or openpyxl behind it) is imported only when a build asks for one of its
formats, so a build where nothing changed imports none. A new output is a new module and a
line here; nothing else dispatches on formats.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

from .context import RenderContext, stage

if TYPE_CHECKING:
    from ..derive import PaperView

COVER_FORMATS = ("pdf", "docx")
"""The formats of the committee cover report, made beside the paper's when it has `cover:`."""


class Renderer(Protocol):
    """A kind of output. It may also have `begin(view, context)`, called before any renderer of the paper runs."""

    def outputs(self, view: PaperView, formats: Sequence[str]) -> tuple[str, ...]:
        """The outputs it makes of this paper for these formats, named as `build.outputs.output_names` keys them."""

    def render(self, output: str, view: PaperView, context: RenderContext) -> bytes:
        """One of its outputs, as the bytes of the file."""


class Registered(NamedTuple):
    module: str
    """The module under `boardpack.render` that holds the renderer."""
    name: str
    """The renderer's class there."""
    formats: tuple[str, ...]
    """The formats that ask for it."""


RENDERERS: dict[str, Registered] = {
    "pdf": Registered("pdf.paper", "PdfRenderer", ("pdf",)),
    "html": Registered("html", "HtmlRenderer", ("html",)),
    "annex": Registered("sheets.annex", "AnnexRenderer", ("xlsx", "csv")),
    "docx": Registered("word", "DocxRenderer", ("docx",)),
    "cover": Registered("cover", "CoverRenderer", COVER_FORMATS),
}
"""Every renderer, in the order a paper's outputs are made: the PDF first, as it begins the
cover report's PDF while its last slices are laid out, and the cover report last."""


def renderer(registered: Registered) -> Renderer:
    module = importlib.import_module(f"{__name__}.{registered.module}")
    made: Renderer = getattr(module, registered.name)()
    return made


def file_name(name: str, output: str) -> str:
    """The file an output of paper `name` is written to: 'pdf' → NAME.pdf, 'cover-docx' → NAME-cover.docx."""
    cover, _, fmt = output.rpartition("-")
    return f"{name}-{cover}.{fmt}" if cover else f"{name}.{fmt}"


def render_view(view: PaperView, context: RenderContext) -> dict[str, bytes]:
    """Every output the context's formats ask for of this paper, by output (see `Renderer.outputs`)."""
    asked = set(context.formats)
    renderers = [renderer(registered) for registered in RENDERERS.values() if asked & set(registered.formats)]
    for each in renderers:
        begin = getattr(each, "begin", None)
        if begin is not None:
            begin(view, context)
    made: dict[str, bytes] = {}
    for each in renderers:
        made.update(_render_all(each, view, context))
    return made


def _render_all(made_by: Renderer, view: PaperView, context: RenderContext) -> dict[str, bytes]:
    made = {}
    for output in made_by.outputs(view, context.formats):
        made[output] = stage(file_name(context.name, output), functools.partial(made_by.render, output, view, context))
    return made
