"""Paper view to HTML through the Jinja2 templates in `templates/`.

Autoescaping is on and undefined names are errors, so a template typo fails the build
instead of printing nothing. Data only ever fills template variables; it is never
compiled as template code.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup, escape

from ..derive import PaperView
from ..errors import RenderError
from ..markdown import to_html
from ..parts import Slice
from ..text import break_long_words
from .context import RenderContext

if TYPE_CHECKING:
    from .pdf.cache import SliceCache


def _markdown(text: str | None) -> Markup:
    return Markup(to_html(text))  # noqa: S704 - to_html escapes all text and drops raw HTML


def chart_markup(view: PaperView, cache: SliceCache | None = None) -> Markup | None:
    """The summary chart as inline SVG (its <title> and <desc> included), when the paper has a summary.

    With a `cache`, a chart of the same figures is taken from the last build, without loading matplotlib.
    """
    summary = view.summary
    if summary is None:
        return None

    def draw() -> str:
        from .chart.draw import chart_svg  # matplotlib is loaded only for papers that draw a chart

        return chart_svg(summary.chart)

    from ..derive.summary import figure_size

    what = f"{summary.chart!r} {figure_size(summary.chart)!r}"  # the size is set in derive/summary.py, not chart/draw.py
    svg = cache.drawing(what, draw) if cache is not None else draw()
    return Markup(svg)  # noqa: S704 - drawn by matplotlib; every text in it is escaped


def _breakable(value: object) -> object:
    """Every plain value printed gets break points in its overlong words (rich text has them already).

    Without them WeasyPrint lays out a long unbroken word in time that grows with the square of
    its length. Markup (rendered rich text, the chart, the `whole` filter) passes unchanged.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return break_long_words(value)
    return value


def _whole(value: object) -> Markup:
    """A value as typed, without break points: for <title> and <meta>, which are never laid out."""
    return Markup(escape(value))  # noqa: S704 - escaped here


@lru_cache(maxsize=8)
def environment(templates: Path) -> jinja2.Environment:
    """One environment per templates folder, so compiled templates are reused across papers."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_breakable,
    )
    env.filters["markdown"] = _markdown
    env.filters["whole"] = _whole
    return env


def render_html(view: PaperView, templates: Path, paged: bool = False, chart: Markup | None = None, print_slice: Slice | None = None) -> str:
    """The paper as a standalone web page (styles inlined), also the input of the PDF.

    `paged` marks each items-table row with its place (`data-part`) for the PDF renderer,
    which reads back the page each row was laid out on; `chart`, an SVG already drawn;
    `print_slice`, the slice of a long paper the PDF renderer lays out on its own.
    """
    name = f"{view.layout}.html"
    try:
        template = environment(templates).get_template(name)
        return template.render(paper=view, palette=view.palette, summary_chart=chart if chart is not None else chart_markup(view), paged=paged,
                               print_slice=print_slice)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{view.name}.html", "render", f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"{view.name}.html", "render", f"template '{exc.name}' not found in {templates}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{view.name}.html", "render", f"template {name}: {exc.message}") from None


class HtmlRenderer:
    """The paper as one accessible web page."""

    def outputs(self, view: PaperView, formats: Sequence[str]) -> tuple[str, ...]:
        return ("html",)

    def render(self, output: str, view: PaperView, context: RenderContext) -> bytes:
        chart = context.shared("chart", lambda: chart_markup(view, context.slices))
        return render_html(view, context.templates, chart=chart).encode("utf-8")
