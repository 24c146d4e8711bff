"""The status colours: one file in the templates folder, read by every output, readable in grey."""

from __future__ import annotations

import io
import itertools
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

import pdfplumber
import pytest
from openpyxl import load_workbook
from PIL import Image

from boardpack import build
from boardpack.derive import Colour, contrast_ratio
from boardpack.errors import DataError
from boardpack.model import STATUSES
from boardpack.palette import SHIPPED, default_palette, load_palette, parse, printed_grey

from .conftest import DATA, TEMPLATES, minimal, run

TRACKER = DATA / "2021-09-hmicfrs-tracker.yaml"
APART = ("GREEN", "AMBER", "RED")

RESTYLED = {
    "GREEN": ("#2E7D32", "#FFFFFF"),
    "NEW GREEN": ("#66BB6A", "#0B0C0C"),
    "AMBER": ("#FFE082", "#0B0C0C"),
    "RED": ("#6B0F1A", "#FFFFFF"),
    "WHITE": ("#FFFFFF", "#000000"),
    "CLOSED": ("#263238", "#FFFFFF"),
}
"""A secretary's restyling: every fill differs from the shipped palette's."""


def palette_text(colours: dict[str, tuple[str, str]]) -> str:
    """A palette file: status N (from 0) on line 3N+1, its fill on 3N+2 and its ink on 3N+3."""
    return "".join(f'{status}:\n  fill: "{fill}"\n  ink: "{ink}"\n' for status, (fill, ink) in colours.items())


def templates_with(tmp_path: Path, palette: str | None) -> Path:
    """A copy of the shipped templates folder, with this palette file (or none)."""
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    (folder / "palette.yaml").unlink()
    if palette is not None:
        (folder / "palette.yaml").write_text(palette, encoding="utf-8")
    return folder


def grey_contrast(one: float, other: float) -> float:
    """WCAG contrast of two grey levels (0-255), as printed."""
    return contrast_ratio(f"{round(one):02X}" * 3, f"{round(other):02X}" * 3)


# --- the shipped palette reads in grey, measured from the PDF ------------------------------------


@pytest.fixture(scope="module")
def legend_greys(reference_build: Path, reference_pdf: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """The grey of each status's legend cell in the reference tracker, as `pdftoppm -gray` prints it."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        if os.environ.get("BOARDPACK_REQUIRE_SOFFICE"):
            pytest.fail("poppler (pdftoppm) is required here but not installed")
        pytest.skip("poppler (pdftoppm) is not installed")
    out = tmp_path_factory.mktemp("grey")
    pdf_path = reference_build / f"{TRACKER.stem}.pdf"
    palette = default_palette()
    cells: dict[str, tuple[float, float, float, float]] = {}
    with reference_pdf(TRACKER.stem) as pdf:
        number, page = next((n, p) for n, p in enumerate(pdf.pages, start=1) if "Traffic Light Colour" in (p.extract_text() or ""))
        words = page.extract_words(keep_blank_chars=False)
        legend_x = min(w["x0"] for w in words if w["text"] == "Traffic")
        for status in STATUSES:
            label = status.split()[-1]  # NEW GREEN's cell is found by its second word, GREEN's by a GREEN not after NEW
            spots = [w for n, w in enumerate(words) if w["text"] == label and w["x0"] < legend_x + 100
                     and (words[n - 1]["text"] == "NEW") == (status == "NEW GREEN")]
            word = spots[0]
            x, y = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
            under = [r for r in page.rects if r.get("fill") and r["x0"] <= x <= r["x1"] and r["top"] <= y <= r["bottom"]]
            rect = under[-1]
            assert "".join(f"{round(c * 255):02X}" for c in rect["non_stroking_color"]) == palette[status].fill, status
            cells[status] = (rect["x0"], rect["top"], rect["x1"], rect["bottom"])
    subprocess.run([pdftoppm, "-gray", "-r", "50", "-f", str(number), "-l", str(number), "-singlefile", str(pdf_path), str(out / "legend")],
                   check=True, capture_output=True, timeout=120)
    image = Image.open(out / "legend.pgm")
    scale = 50 / 72
    greys = {}
    for status, (x0, top, x1, bottom) in cells.items():
        box = (round(x0 * scale) + 2, round(top * scale) + 2, round(x1 * scale) - 2, round(bottom * scale) - 2)
        assert box[2] - box[0] >= 10 and box[3] - box[1] >= 4, (status, box)
        greys[status] = float(median(image.crop(box).tobytes()))  # the fill; the word on it is a small share of the cell
    return greys


def test_green_amber_and_red_print_as_distinct_greys(legend_greys: dict[str, float]) -> None:
    """The chairman's complaint: printed in black and white, GREEN, RED and CLOSED were one dark grey."""
    assert set(APART) <= set(legend_greys) and len(APART) == 3
    for one, other in itertools.combinations(APART, 2):
        assert grey_contrast(legend_greys[one], legend_greys[other]) >= 1.5, (one, other, legend_greys)


def test_new_green_and_closed_print_apart_from_every_other_status(legend_greys: dict[str, float]) -> None:
    for status in ("NEW GREEN", "CLOSED"):
        for other in STATUSES:
            if other != status:
                assert grey_contrast(legend_greys[status], legend_greys[other]) >= 1.3, (status, other, legend_greys)


def test_the_printed_grey_the_palette_check_predicts_is_what_poppler_prints(legend_greys: dict[str, float]) -> None:
    """The loader's grey check is only worth having if it agrees with a real rasteriser."""
    assert set(legend_greys) == set(default_palette()) == set(STATUSES) and len(STATUSES) == 6
    for status, colour in default_palette().items():
        assert abs(legend_greys[status] - int(printed_grey(colour.fill)[:2], 16)) <= 3, (status, legend_greys[status])


def test_every_word_reads_on_its_fill_in_colour_and_in_grey() -> None:
    assert len(default_palette()) == 6
    for status, colour in default_palette().items():
        assert contrast_ratio(colour.fill, colour.ink) >= 4.5, status
        assert contrast_ratio(printed_grey(colour.fill), printed_grey(colour.ink)) >= 4.5, status


# --- one file, read by every output ----------------------------------------------------------------


@pytest.mark.slow
def test_a_restyled_palette_changes_every_output_without_code(tmp_path: Path, paper_file: Callable[..., Path]) -> None:
    templates = templates_with(tmp_path, palette_text(RESTYLED))
    shipped = default_palette()
    source = paper_file(minimal())  # items in every status
    out = tmp_path / "build"
    [built] = build([source], out_dir=out, templates=templates, formats=("pdf", "html", "docx"))
    assert built.error is None
    new = {status: fill.lstrip("#") for status, (fill, _) in RESTYLED.items()}
    assert all(new[s] != shipped[s].fill for s in STATUSES if s != "WHITE")

    html = (out / "paper.html").read_text(encoding="utf-8")
    for status in STATUSES:
        css = status.lower().replace(" ", "-")
        assert f".rag-{css} {{ background-color: #{new[status]}; color: {RESTYLED[status][1]}; }}" in html
    chart = html[html.index("<svg"):html.index("</svg>")]
    assert f"fill: #{new['RED'].lower()}" in chart and f"fill: #{shipped['RED'].fill.lower()}" not in chart
    assert shipped["RED"].fill not in html.upper()

    with pdfplumber.open(out / "paper.pdf") as pdf:
        colours = [r["non_stroking_color"] for page in pdf.pages for r in page.rects if r.get("fill")]
    fills = {"".join(f"{round(c * 255):02X}" for c in colour) for colour in colours if isinstance(colour, (tuple, list)) and len(colour) == 3}
    assert {new[s] for s in STATUSES} <= fills
    assert not {shipped[s].fill for s in STATUSES if s != "WHITE"} & fills

    with zipfile.ZipFile(out / "paper.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
        pngs = [docx.read(n) for n in docx.namelist() if n.startswith("word/media/") and n.endswith(".png")]
    for status in STATUSES:
        assert f'w:fill="{new[status]}"' in body, status
    assert f'w:fill="{shipped["RED"].fill}"' not in body
    assert len(pngs) == 1  # the chart, drawn in the palette's colours
    colours = {"{:02X}{:02X}{:02X}".format(*pixel[:3]) for _, pixel in Image.open(io.BytesIO(pngs[0])).convert("RGB").getcolors(1 << 20)}
    assert new["RED"] in colours and new["AMBER"] in colours and shipped["RED"].fill not in colours

    code, _, err = run("returns", str(source), "--templates", str(templates), "--out", str(tmp_path / "returns"), "--include-unowned")
    assert code == 0, err
    fills_in_books = set()
    for book in (tmp_path / "returns").glob("*.xlsx"):
        ws = load_workbook(book)["Items"]
        fills_in_books |= {str(ws.cell(row=r, column=5).fill.fgColor.rgb)[-6:] for r in range(9, ws.max_row + 1) if ws.cell(row=r, column=5).value}
    assert new["AMBER"] in fills_in_books and new["RED"] in fills_in_books


def test_a_templates_folder_without_a_palette_uses_the_shipped_one(tmp_path: Path, paper_file: Callable[..., Path]) -> None:
    templates = templates_with(tmp_path, None)
    out = tmp_path / "build"
    [built] = build([paper_file(minimal())], out_dir=out, templates=templates, formats=("html",))
    assert built.error is None
    html = (out / "paper.html").read_text(encoding="utf-8")
    assert f".rag-red {{ background-color: #{default_palette()['RED'].fill};" in html


def test_editing_the_palette_rebuilds_the_paper(tmp_path: Path, paper_file: Callable[..., Path]) -> None:
    templates = templates_with(tmp_path, SHIPPED.read_text(encoding="utf-8"))
    source = paper_file(minimal())
    out = tmp_path / "build"
    assert not build([source], out_dir=out, templates=templates, formats=("html",))[0].skipped
    assert build([source], out_dir=out, templates=templates, formats=("html",))[0].skipped
    (templates / "palette.yaml").write_text(palette_text(RESTYLED), encoding="utf-8")
    assert not build([source], out_dir=out, templates=templates, formats=("html",))[0].skipped
    assert ".rag-red { background-color: #6B0F1A;" in (out / "paper.html").read_text(encoding="utf-8")


def test_the_palette_is_read_again_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "palette.yaml"
    path.write_text(palette_text(RESTYLED), encoding="utf-8")
    assert load_palette(path)["RED"] == Colour("6B0F1A", "FFFFFF")
    changed = dict(RESTYLED, RED=("#7B0F1A", "#FFFFFF"))
    path.write_text(palette_text(changed), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert load_palette(path)["RED"] == Colour("7B0F1A", "FFFFFF")


# --- a bad palette is refused, located --------------------------------------------------------------


def problems(text: str) -> list[str]:
    with pytest.raises(DataError) as caught:
        parse(text, Path("templates/palette.yaml"), "templates/palette.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_missing_status_is_named_with_every_status_allowed() -> None:
    colours = dict(RESTYLED)
    del colours["CLOSED"]
    [message] = problems(palette_text(colours))
    assert message.startswith("templates/palette.yaml:1:1:")
    assert "no colours for CLOSED" in message and "GREEN, NEW GREEN, AMBER, RED, WHITE, CLOSED" in message


def test_a_colour_that_is_not_hex_is_located_at_its_line() -> None:
    colours = dict(RESTYLED, AMBER=("#FFBF4", "#0B0C0C"))  # AMBER is the third status: its fill is on line 8
    [message] = problems(palette_text(colours))
    assert message.startswith("templates/palette.yaml:8:")
    assert "AMBER.fill: '#FFBF4' is not a colour" in message and '"#1C853F"' in message


def test_an_unquoted_hash_colour_is_explained() -> None:
    text = palette_text(RESTYLED).replace('fill: "#6B0F1A"', "fill: #6B0F1A")
    [message] = problems(text)
    assert message.startswith("templates/palette.yaml:11:") and "nothing is not a colour" in message and "starts a comment" in message


def test_ink_that_fails_wcag_aa_is_refused_at_the_ink_line() -> None:
    colours = dict(RESTYLED, RED=("#6B0F1A", "#505A5F"))  # RED is the fourth status: its ink is on line 12
    [message] = problems(palette_text(colours))
    assert message.startswith("templates/palette.yaml:12:")
    assert "RED.ink" in message and "4.5 or more (WCAG AA)" in message


def test_green_amber_and_red_of_one_grey_are_refused() -> None:
    """The old default palette: GREEN and RED differ in hue only, and print as one grey."""
    colours = dict(RESTYLED, GREEN=("#00703C", "#FFFFFF"), RED=("#B3261E", "#FFFFFF"))
    [message] = problems(palette_text(colours))
    assert message.startswith("templates/palette.yaml:11:")  # RED's fill
    assert "GREEN (#00703C) and RED (#B3261E) print as nearly the same grey" in message and "1.5 or more" in message


def test_unknown_statuses_and_keys_are_refused() -> None:
    text = palette_text(RESTYLED) + 'BLUE:\n  fill: "#0000FF"\n  ink: "#FFFFFF"\n'
    text = text.replace('  ink: "#0B0C0C"\n', '  ink: "#0B0C0C"\n  border: "#000000"\n', 1)
    found = problems(text)
    assert any("'BLUE' is not a status; allowed: GREEN, NEW GREEN" in m for m in found)
    assert any("'border' is not a palette key; allowed: fill" in m for m in found)


def test_a_broken_palette_stops_the_build_before_anything_is_written(tmp_path: Path, paper_file: Callable[..., Path]) -> None:
    colours = dict(RESTYLED, AMBER=("amber", "#0B0C0C"))
    templates = templates_with(tmp_path, palette_text(colours))
    out = tmp_path / "build"
    code, _, err = run("build", str(paper_file(minimal())), "--templates", str(templates), "--out", str(out), "--jobs", "1")
    assert code == 1
    assert "palette.yaml:8:" in err and "AMBER.fill: 'amber' is not a colour" in err
    assert not (out / "paper.pdf").exists() and not (out / "paper.html").exists()


def test_check_reports_a_bad_palette_of_the_templates_folder(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    text = (templates / "palette.yaml").read_text(encoding="utf-8")
    (templates / "palette.yaml").write_text(text.replace("AMBER:", "AMBR:", 1), encoding="utf-8")
    code, out, err = run("check", str(DATA / "2023-05-casey-response.yaml"), "--templates", str(templates))
    assert code == 1
    assert "palette.yaml:" in err and "AMBR" in err
    assert "2023-05-casey-response.yaml: ok" in out  # the papers are still checked and counted
