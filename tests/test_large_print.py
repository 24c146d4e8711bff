"""The large-print edition asked for at build time (`build --large-print`), beside the usual one."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import docx
from docx.oxml.ns import qn

from boardpack import build
from boardpack.chain import prepare
from boardpack.derive import view
from boardpack.derive.summary import FIGURE_WIDTH_IN
from boardpack.edition import large_print_edition

from .conftest import DATA, minimal, run

LARGE = "html { font-size: 12pt; }"
"""large-print.css's rule, which only the large-print edition's web page carries."""


def _normal_size(path: Path) -> float:
    size = docx.Document(str(path)).styles["Normal"].font.size
    return size.pt if size is not None else 0.0


def test_a_large_print_build_is_named_apart_fingerprinted_apart_and_larger(paper_file: Callable[..., Path], tmp_path: Path) -> None:
    source, out = paper_file(minimal(), "paper"), tmp_path / "build"
    (usual,) = build([source], out_dir=out, formats=("html", "docx"))
    (large,) = build([source], out_dir=out, formats=("html", "docx"), large_print=True)
    assert usual.error is None and large.error is None and not large.skipped  # built after the usual one, not taken for it
    assert large.name == "paper-large-print"
    assert sorted(p.name for p in large.outputs) == ["paper-large-print.docx", "paper-large-print.html"]
    assert LARGE in (out / "paper-large-print.html").read_text(encoding="utf-8")
    assert LARGE not in (out / "paper.html").read_text(encoding="utf-8")
    assert _normal_size(out / "paper-large-print.docx") >= 12 > _normal_size(out / "paper.docx")
    (extent,) = docx.Document(str(out / "paper-large-print.docx")).element.body.iter(qn("wp:extent"))
    assert int(extent.get("cx")) == FIGURE_WIDTH_IN * 914400  # the chart printed as wide as drawn: its 12 pt words stay 12 pt
    manifest = json.loads((out / ".boardpack-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest) == ["paper", "paper-large-print"] and manifest["paper"]["inputs"] != manifest["paper-large-print"]["inputs"]
    again = [*build([source], out_dir=out, formats=("html", "docx")), *build([source], out_dir=out, formats=("html", "docx"), large_print=True)]
    assert [(b.name, b.skipped) for b in again] == [("paper", True), ("paper-large-print", True)]  # both editions kept, neither rebuilt


def test_the_command_line_builds_the_large_print_edition(paper_file: Callable[..., Path], tmp_path: Path) -> None:
    code, out, err = run("build", str(paper_file(minimal(), "paper")), "--out", str(tmp_path / "b"), "--format", "html", "--large-print")
    assert code == 0, err
    assert out.startswith("built   paper-large-print: paper-large-print.html · ")
    assert LARGE in (tmp_path / "b" / "paper-large-print.html").read_text(encoding="utf-8")
    assert not (tmp_path / "b" / "paper.html").exists()


def test_the_chart_of_the_large_print_edition_has_12_pt_words_and_still_fits_a_page() -> None:
    from boardpack.derive.summary import figure_size
    from boardpack.render.chart.draw import chart_svg

    checked = prepare(DATA / "2021-09-hmicfrs-tracker.yaml")
    assert checked.resolved is not None
    charts = {}
    for large, resolved in ((False, checked.resolved), (True, large_print_edition(checked.resolved))):
        summary = view(resolved.paper, "tracker", resolved.changes).summary
        assert summary is not None
        charts[large] = summary.chart
    assert (charts[False].text_pt, charts[True].text_pt) == (8.0, 12.0)
    svg = chart_svg(charts[True])
    sizes = [float(size) for size in re.findall(r"font-size[:=]\s*\"?([\d.]+)px", svg)]
    assert len(sizes) >= 19 + 6 and min(sizes) >= 12  # every bar's label, the legend's words and the counts
    assert "font-size: 8px" in chart_svg(charts[False])
    # drawn 10 in wide and printed across the page's 10.7 in, so the words print a little over 12 pt;
    # its height, so printed, still fits A4 landscape's 7 in between the margins
    width, height = figure_size(charts[True])
    assert width == 10.0 and 5.5 < height * 10.7 / width <= 6.9
