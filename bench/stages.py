#!/usr/bin/env python3
"""Time each stage of one paper in one process, and optionally profile the PDF.

run.py times whole processes, as a secretary meets them; this splits a paper's time into
check, HTML, PDF layout, PDF write (which includes tagging) and Word, to see where it goes:
the layout and write columns lay the paper out whole in this one process; `sliced` is the
PDF as a build makes it (in slices, one worker per core, joined), without the cache.
`--profile` runs the PDF stages under cProfile and prints the top functions by cumulative
time; `--no-patch` leaves out boardpack's pydyf patch, for before/after figures.

Run: .venv/bin/python bench/stages.py [PAPER.yaml ...] [--repeat N] [--profile] [--no-patch]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from boardpack.chain import prepare  # noqa: E402
from boardpack.derive import view  # noqa: E402
from boardpack.parts import in_parts  # noqa: E402
from boardpack.render.html import render_html  # noqa: E402
from boardpack.render.pdf import patch as pdf_patch  # noqa: E402
from boardpack.render.pdf.layout import PDF_VARIANT, TemplateOnlyFetcher, join_on_page  # noqa: E402
from boardpack.render.pdf.paper import columns, render_view_pdf  # noqa: E402
from boardpack.render.word import render_docx  # noqa: E402

TEMPLATES = ROOT / "templates"
T = TypeVar("T")


def timed(work: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Median seconds of `repeat` runs, and the last result."""
    times: list[float] = []
    result: T | None = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    assert result is not None
    return statistics.median(times), result


def layout(html: str):  # type: ignore[no-untyped-def]
    """WeasyPrint's layout step, and the joining of row parts that share a page (what render_view_pdf does before writing)."""
    from weasyprint import HTML

    source = HTML(string=html, base_url=str(TEMPLATES.resolve()) + "/", url_fetcher=TemplateOnlyFetcher(TEMPLATES))
    document = source.render(pdf_variant=PDF_VARIANT)
    join_on_page(document)
    return document


def write(document) -> bytes:  # type: ignore[no-untyped-def]
    """WeasyPrint's write step alone: drawing, tagging and serialising the PDF."""
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return bytes(pdf)


def profile(html: str, top: int) -> str:
    """cProfile of layout and write, the `top` functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    write(layout(html))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time each stage of papers in one process.")
    parser.add_argument("papers", nargs="*", type=Path, help="paper files (default: every paper in data/)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage; the median is printed (default 3)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the PDF stages")
    parser.add_argument("--top", type=int, default=30, help="functions to print with --profile (default 30)")
    parser.add_argument("--no-patch", action="store_true", help="time WeasyPrint without boardpack's pydyf patch")
    args = parser.parse_args(argv)
    if args.no_patch:
        pdf_patch.remove()
    print(f"pydyf patch: {'on' if pdf_patch.active() else 'off'}")
    papers = args.papers or sorted((ROOT / "data").glob("*.yaml"))
    print(f"{'paper':32} {'check':>7} {'html':>7} {'layout':>7} {'write':>7} {'pages':>5} {'pages/s':>7} {'sliced':>7} {'pages':>5} {'docx':>7}")
    for path in papers:
        t_check, checked = timed(lambda path=path: prepare(path), args.repeat)
        if checked.resolved is None:
            sys.exit(f"{path}: does not check; run generate.py check {path}")
        paper_view = view(checked.resolved.paper, path.stem, checked.resolved.changes)
        t_html, html = timed(lambda pv=paper_view: render_html(in_parts(pv, columns(pv)), TEMPLATES, paged=True), args.repeat)
        t_layout, document = timed(lambda h=html: layout(h), args.repeat)
        t_write, _ = timed(lambda d=document: write(d), args.repeat)
        t_sliced, (_, sliced_pages) = timed(lambda pv=paper_view: render_view_pdf(pv, TEMPLATES, jobs=os.cpu_count() or 1), args.repeat)
        t_docx, _ = timed(lambda pv=paper_view: render_docx(pv, TEMPLATES / f"{pv.layout}.docx"), args.repeat)
        pages = len(document.pages)
        rate = pages / (t_layout + t_write)
        print(f"{path.stem:32} {t_check:7.3f} {t_html:7.3f} {t_layout:7.2f} {t_write:7.2f} {pages:5d} {rate:7.1f} {t_sliced:7.2f} "
              f"{sliced_pages:5d} {t_docx:7.2f}")
        if args.profile:
            print(profile(html, args.top))


if __name__ == "__main__":
    main()
