"""The summary chart (stacked bars of the counts table) as SVG for HTML and PDF, PNG for Word.

matplotlib draws it with the Agg backend and no pyplot state, from the view's `Chart` only.
The files are the same bytes run to run: SVG ids come from a fixed hash salt, no date or
software stamp is written, and text stays text (SVG `font-type none`) so the PDF keeps it
searchable. Status colours come from the view (the palette), so the chart matches the tables.
The palette's fills differ in lightness, so the bars read in grey; RED and CLOSED are also
hatched, so they read apart even under a palette restyled without that care.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402 - after choosing the backend
from matplotlib.figure import Figure  # noqa: E402

from ...derive.summary import LABEL_LINE, Chart, bar_slots, figure_size  # noqa: E402
from ..fonts import font_file  # noqa: E402

STYLE: dict[str, Any] = {
    "svg.hashsalt": "boardpack",
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.size": 8,
    "axes.edgecolor": "#6F777B",
    "axes.labelcolor": "#0B0C0C",
    "xtick.color": "#0B0C0C",
    "ytick.color": "#0B0C0C",
    "hatch.linewidth": 0.8,
    "figure.autolayout": False,
    "figure.constrained_layout.use": False,
}
"""Fixed settings, so neither a user's matplotlibrc nor the clock changes the bytes."""

FAMILY = "Liberation Sans"
"""The papers' font (templates/paper.css), so the chart's words match the text around them."""
FALLBACK = "DejaVu Sans"
"""matplotlib's own font, from its own files, where the machine has no Liberation Sans."""


@cache
def _font_style() -> dict[str, Any]:
    """The chart's font family, its regular and bold faces pinned to files.

    matplotlib picks among fonts of one family (Liberation Sans 1 and 2, or a system DejaVu
    beside its own) by the order of its per-user font cache, and the chart's measures, so its
    bytes, followed that. The faces are pinned to the files fontconfig gives, the ones Pango
    prints the paper in; without Liberation Sans, to matplotlib's own DejaVu Sans.
    """
    faces = [font_file(FAMILY, style) for style in ("Regular", "Bold")]
    family = FAMILY
    if not all(faces):
        family = FALLBACK
        folder = Path(matplotlib.get_data_path(), "fonts", "ttf")
        faces = [folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"]
    manager = font_manager.fontManager
    for face in faces:
        manager.addfont(str(face))
    pinned = {str(face) for face in faces}
    manager.ttflist = [entry for entry in manager.ttflist if entry.name != family or entry.fname in pinned]
    cached = getattr(manager, "_findfont_cached", None)  # a lookup made before the pinning is forgotten
    if cached is not None:
        cached.cache_clear()
    return {"font.family": [family]}


def chart_style(chart: Chart) -> dict[str, Any]:
    """The chart's look; its words (labels, axis, legend) at the chart's own size."""
    return {**STYLE, **_font_style(), "font.size": chart.text_pt}


_CONTROL = re.compile("[\x00-\x1f\x7f]")
"""Control characters pasted into a title have no glyph; they print as a space."""

HATCH = {"RED": "////", "CLOSED": "---", "NEW GREEN": "...."}
"""Patterns that tell fills apart when printed in grey, whatever the palette: the two darkest,
and NEW GREEN from GREEN, which are near in grey."""
PNG_DPI = 200


def chart_figure(chart: Chart, dpi: int | None = None) -> Figure:
    """The chart's figure; with `dpi`, already laid out for an Agg picture at that resolution."""
    rows = len(chart.labels)
    fig = Figure(figsize=figure_size(chart), layout="constrained", dpi=dpi or 100)
    ax = fig.add_subplot()
    slots = bar_slots(chart)  # a bar whose label takes two lines takes the room of its lines
    positions = [sum(slots[:n]) + slots[n] / 2 - 0.5 for n in range(rows)]
    left = [0] * rows
    for status, counts in zip(chart.statuses, chart.series, strict=True):
        fill, ink = f"#{status.fill}", f"#{status.ink}"
        hatch = HATCH.get(status.word)
        bars = ax.barh(positions, counts, left=left, height=0.72, color=fill, edgecolor="#0B0C0C", linewidth=0.5,
                       hatch=hatch, hatchcolor=ink if hatch else None, label=status.word)
        for patch in bars:  # inside the axes: the layout measures the labels around them, not every bar
            patch.set_in_layout(False)
        shown = [(positions[n], start + count / 2, count) for n, (start, count) in enumerate(zip(left, counts, strict=True)) if count]
        # on a hatched bar each number sits on a plain patch of the fill, sized to the number, so no stroke crosses it
        box = {"boxstyle": "square,pad=0.25", "facecolor": fill, "edgecolor": "none"} if hatch else None
        for y, middle, count in shown:  # inside their bars: the layout need not measure them
            ax.text(middle, y, str(count), ha="center", va="center", color=ink, fontsize=chart.text_pt, fontweight="bold", zorder=3,
                    in_layout=False, bbox=box)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.set_yticks(positions, labels=["\n".join(_CONTROL.sub(" ", line) for line in label.split("\n")) for label in chart.labels])
    if chart.text_pt > STYLE["font.size"]:  # larger words: lines as close as the bars' slots allow (see figure_size)
        for label in ax.get_yticklabels():
            label.set_linespacing(LABEL_LINE)
    ax.set_ylim(sum(slots) - 0.5, -0.5)  # top to bottom, with the room each label's lines need
    ax.set_xlabel("Items")
    most = max(left, default=0)
    ax.set_xlim(0, max(most, 1) * 1.02)
    ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # MaxNLocator's keyword; the stub knows only the base class
    ax.grid(axis="x", color="#D0D4D6", linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.legend(loc="outside upper center", ncols=len(chart.statuses), frameon=False, fontsize=chart.text_pt, handlelength=1.6)
    if dpi is not None:  # laid out once, here, measured as Agg draws at this resolution; left on, saving
        engine = fig.get_layout_engine()  # would draw every artist once more just to lay them out
        assert engine is not None
        engine.execute(fig)
        fig.set_layout_engine(None)
    return fig


_PATTERN = re.compile(r'(<pattern\b[^>]*\bwidth=")72(" height=")72(">.*?<path d=")([^"]*)(".*?</pattern>)', re.DOTALL)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


TILES = (12, 18, 24, 36, 72)
"""Sizes a dot hatch's tile may take (whole periods of its dots, dividing matplotlib's 72):
a tile as small as one period (3 by 6) shows its seams on screen."""


def _small_tile(match: re.Match[str]) -> str:
    """A hatch of dots as the smallest tile that repeats it, the same dots where they were.

    matplotlib writes every hatch as a 72-unit tile: for NEW GREEN's dots, 600 little circles
    (a quarter of a megabyte), which WeasyPrint writes out again for every bar that uses it, so
    a chart of fifty reports took a minute to write. The dots lie on a lattice, so a tile of one
    period of it holds the same pattern; a hatch of lines is left as it is.
    """
    dots = [piece for piece in re.split(r"(?=M )", match.group(4)) if piece.strip()]
    centres = []
    for dot in dots:
        numbers = [float(n) for n in _NUMBER.findall(dot)]
        xs, ys = numbers[0::2], numbers[1::2]
        if not xs or max(xs) - min(xs) > 2 or max(ys) - min(ys) > 2:
            return match.group(0)  # not dots
        centres.append((round((max(xs) + min(xs)) / 2, 3), round((max(ys) + min(ys)) / 2, 3)))
    found = {(x % 72, y % 72) for x, y in centres}
    period = [next((p for p in (1.5, 3, 4, 4.5, 6, 8, 9, 12, 18, 24, 36) if all(((x + p * (axis == 0)) % 72, (y + p * (axis == 1)) % 72) in found
                                                                           for x, y in found)), 72) for axis in (0, 1)]
    if period == [72, 72]:
        return match.group(0)
    width, height = (next(size for size in TILES if size >= p and abs(size / p - round(size / p)) < 1e-9) for p in period)
    kept = "".join(dot for dot, (x, y) in zip(dots, centres, strict=True) if 0 <= x <= width and 0 <= y <= height)
    # the fill under the dots, one tile large: beyond it, it would cover the next tile's dots
    opening = re.sub(r'(<rect x="0" y="0" width=")73(" height=")73"', rf'\g<1>{width:g}\g<2>{height:g}"', match.group(3), count=1)
    return f"{match.group(1)}{width:g}{match.group(2)}{height:g}{opening}{kept.rstrip()}{match.group(5)}"


def chart_svg(chart: Chart, element_id: str = "summary-chart") -> str:
    """The chart as an `<svg>` element for inlining in HTML, with its <title> and <desc>."""
    with matplotlib.rc_context(chart_style(chart)):  # type: ignore[arg-type]  # the stub wants literal key types
        fig = chart_figure(chart)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg"):]  # no XML declaration or DOCTYPE inside HTML
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    svg = _PATTERN.sub(_small_tile, svg)
    opening = re.match(r"<svg\b[^>]*>", svg)
    assert opening is not None
    attrs = re.sub(r'\s(width|height)="[^"]*"', "", opening.group(0)[4:-1])
    head = (f'<svg{attrs} class="chart" role="img" aria-labelledby="{element_id}-title {element_id}-desc">'
            f'<title id="{element_id}-title">{escape(chart.title)}</title>'
            f'<desc id="{element_id}-desc">{escape(chart.desc)}</desc>')
    return head + svg[opening.end():]


def chart_png(chart: Chart) -> tuple[bytes, tuple[float, float]]:
    """The chart as PNG bytes for Word, and its size in inches."""
    with matplotlib.rc_context(chart_style(chart)):  # type: ignore[arg-type]  # the stub wants literal key types
        fig = chart_figure(chart, PNG_DPI)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=PNG_DPI, metadata={"Software": None})
    width, height = fig.get_size_inches()
    return out.getvalue(), (float(width), float(height))
