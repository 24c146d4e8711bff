"""The chart's dot hatch (NEW GREEN) is written as a small tile of the same dots.

matplotlib writes it as a 72-unit tile of about 600 circles, which WeasyPrint writes out for
every bar that uses it: a 1,000-item tracker's chart took longer to write than a hundred
pages of tables. The small tile must repeat to exactly the dots matplotlib drew.
"""

from __future__ import annotations

import io
import re

import matplotlib

from boardpack.chain import prepare
from boardpack.derive import view
from boardpack.render.chart import draw as chart_module
from boardpack.render.chart.draw import chart_svg

from ..conftest import DATA

_PATTERN = re.compile(r'<pattern id="([^"]+)"[^>]*width="([\d.]+)" height="([\d.]+)">.*?<path d="([^"]*)".*?</pattern>', re.DOTALL)


def _dots(path: str) -> set[tuple[float, float]]:
    """Centres of the little closed shapes a hatch path draws."""
    centres = set()
    for piece in re.split(r"(?=M )", path):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", piece)]
        if numbers:
            xs, ys = numbers[0::2], numbers[1::2]
            centres.add((round((max(xs) + min(xs)) / 2, 3), round((max(ys) + min(ys)) / 2, 3)))
    return centres


def _patterns(svg: str) -> dict[str, tuple[float, float, str]]:
    return {m.group(1): (float(m.group(2)), float(m.group(3)), m.group(4)) for m in _PATTERN.finditer(svg)}


def test_the_dot_hatch_is_a_small_tile_of_the_same_dots() -> None:
    checked = prepare(DATA / "2021-09-hmicfrs-tracker.yaml")
    paper = view(checked.resolved.paper, "2021-09-hmicfrs-tracker", checked.resolved.changes)
    assert paper.summary is not None
    chart = paper.summary.chart
    with matplotlib.rc_context(chart_module.chart_style(chart)):  # type: ignore[arg-type]
        out = io.StringIO()
        chart_module.chart_figure(chart).savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    drawn, written = _patterns(out.getvalue()), _patterns(chart_svg(chart))
    assert drawn.keys() == written.keys() and len(drawn) == 3  # RED's lines, CLOSED's lines, NEW GREEN's dots
    dotted = [name for name, (_w, _h, path) in drawn.items() if len(_dots(path)) > 100]
    assert len(dotted) == 1
    for name, (width, height, path) in written.items():
        if name not in dotted:
            assert (width, height, path) == drawn[name]  # hatches of lines are left as matplotlib wrote them
            continue
        assert (width, height) == (12, 12) and drawn[name][:2] == (72, 72)
        small = _dots(path)
        tiled = {((x + i * width) % 72, (y + j * height) % 72) for x, y in small for i in range(6) for j in range(6)}
        assert tiled == {(x % 72, y % 72) for x, y in _dots(drawn[name][2])}
        assert len(path) * 20 < len(drawn[name][2])
    assert re.search(r'<pattern [^>]*width="12" height="12">\s*<rect x="0" y="0" width="12" height="12"', chart_svg(chart))
