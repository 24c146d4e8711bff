#!/usr/bin/env python3
"""Timing figures for boardpack, kept out of the test suite on purpose.

Measures, per paper in data/: check, HTML, PDF (pages per second), Word; LibreOffice's
conversion of our own .docx to PDF (the yardstick for the PDF); and whole builds, cold
(--force) and warm (everything skipped). Run: .venv/bin/python scripts/benchmark.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from boardpack import build, check  # noqa: E402
from boardpack.derive import view  # noqa: E402
from boardpack.render.docx import render_docx  # noqa: E402
from boardpack.render.html import render_html  # noqa: E402
from boardpack.render.pdf import render_pdf  # noqa: E402

TEMPLATES = ROOT / "templates"


def timed(work, repeat: int = 3) -> tuple[float, object]:
    """Median seconds of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    papers = sorted((ROOT / "data").glob("*.yaml"))
    soffice = shutil.which("soffice")
    print(f"{'paper':32} {'check':>7} {'html':>7} {'pdf':>7} {'pages':>5} {'pages/s':>7} {'docx':>7} {'soffice':>8}")
    for path in papers:
        t_check, (checked,) = timed(lambda path=path: check([path]))
        paper_view = view(checked.paper, path.stem)
        t_html, html = timed(lambda pv=paper_view: render_html(pv, TEMPLATES))
        t_pdf, (pdf, pages) = timed(lambda h=html: render_pdf(h, TEMPLATES))
        t_docx, docx = timed(lambda pv=paper_view: render_docx(pv, TEMPLATES / f"{pv.layout}.docx"))
        t_office = float("nan")
        if soffice:
            with tempfile.TemporaryDirectory() as tmp:
                source = Path(tmp) / f"{path.stem}.docx"
                source.write_bytes(docx)
                args = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
                        "--outdir", tmp, str(source)]
                subprocess.run(args, check=True, capture_output=True)  # warm LibreOffice's profile first
                t_office, _ = timed(lambda a=args: subprocess.run(a, check=True, capture_output=True), repeat=2)
        print(f"{path.stem:32} {t_check:7.3f} {t_html:7.3f} {t_pdf:7.2f} {pages:5d} {pages / t_pdf:7.1f} {t_docx:7.2f} {t_office:8.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        t_cold, _ = timed(lambda: build(data_dir=ROOT / "data", out_dir=out, force=True), repeat=2)
        t_warm, _ = timed(lambda: build(data_dir=ROOT / "data", out_dir=out), repeat=3)
    print(f"whole build of {len(papers)} papers, all formats: cold {t_cold:.2f} s, warm (all skipped) {t_warm:.3f} s")


if __name__ == "__main__":
    main()
