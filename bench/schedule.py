#!/usr/bin/env python3
"""Check the order in which a build hands work to its two layout workers.

The order is a matter of speed, not of what the paper says: the summary (the one slice that
waits for the chart) goes out once each worker has slices in hand, not last, where a long one
kept a worker busy alone; the cover report and the footer font go out behind the last slice,
before the contents list is laid out again with its page numbers, not after the join. What
the paper says is checked by the tests (tests/render/test_slices.py); the order is checked here, as
it follows the pool, and a correctness suite should not pin it.

Each check builds the reference tracker's PDF with two workers, recording what the build
submits to its process pool. Exits 1 if an order is not the one described.

Run: .venv/bin/python bench/schedule.py
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import boardpack  # noqa: E402
from boardpack.render.pdf import join as pdf_join  # noqa: E402
from boardpack.render.pdf.paper import CHART_AFTER  # noqa: E402

TRACKER = ROOT / "data" / "2021-09-hmicfrs-tracker.yaml"
KINDS = (("cover", 'class="front-sheet"'), ("contents", 'class="contents"'), ("summary", 'class="chart"'), ("slice", "<html"))


def handed_to_workers(out: Path) -> list[str]:
    """Build the tracker's PDF with two workers; return what was handed to them, in order.

    Each entry is "contents", "summary" (the slice with the chart), "cover", "slice" or the
    function's name (the footer font), and "join" where the slices were joined.
    """
    handed: list[str] = []
    submit: Callable[..., Future[Any]] = ProcessPoolExecutor.submit
    finish = pdf_join.Joiner.finish

    def spy(pool: ProcessPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        html = args[0] if args and isinstance(args[0], str) else ""
        handed.append(next((kind for kind, mark in KINDS if mark in html), fn.__name__))
        return submit(pool, fn, *args, **kwargs)

    def joined(*args: Any, **kwargs: Any) -> Any:
        handed.append("join")
        return finish(*args, **kwargs)

    ProcessPoolExecutor.submit = spy  # type: ignore[method-assign,assignment]
    pdf_join.Joiner.finish = joined  # type: ignore[method-assign]
    try:
        (built,) = boardpack.build([TRACKER], out_dir=out, formats=("pdf",), force=True, jobs=2)
    finally:
        ProcessPoolExecutor.submit = submit  # type: ignore[method-assign]
        pdf_join.Joiner.finish = finish  # type: ignore[method-assign]
    if built.error is not None:
        raise SystemExit(f"the build failed: {built.error}")
    return handed


def problems(handed: list[str], out: Path) -> list[str]:
    """What is wrong with the order handed out, or nothing."""
    found = []
    slices_in_order = [kind for kind in handed if kind in ("contents", "summary", "slice")]
    if len(slices_in_order) < 7 or slices_in_order.count("summary") != 1:
        found.append(f"expected at least 7 slices and one summary, handed {slices_in_order}")
    elif slices_in_order.index("summary") != CHART_AFTER * 2:
        found.append(f"the summary went out as slice {slices_in_order.index('summary')}, not after {CHART_AFTER} slices for each of 2 workers")
    if handed.count("contents") != 2:
        found.append(f"the contents list was laid out {handed.count('contents')} times, not twice (again with its page numbers)")
    else:
        again = len(handed) - 1 - handed[::-1].index("contents")
        if "footer_font" not in handed or "cover" not in handed or "join" not in handed:
            found.append(f"footer font, cover report or join missing from {handed}")
        elif not (handed.index("footer_font") < again and handed.index("cover") < again < handed.index("join")):
            found.append("the cover report and the footer font should go out before the contents list is laid out again, "
                         f"and that before the join: {handed}")
    cover = out / f"{TRACKER.stem}-cover.pdf"
    if not cover.is_file() or b"%PDF" not in cover.read_bytes()[:8]:
        found.append("no cover report was written")
    return found


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        handed = handed_to_workers(Path(folder))
        print("handed to the workers:", " ".join(handed))
        found = problems(handed, Path(folder))
    for problem in found:
        print("schedule:", problem, file=sys.stderr)
    print("schedule: as described" if not found else f"schedule: {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
