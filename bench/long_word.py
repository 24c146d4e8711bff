#!/usr/bin/env python3
"""Time a paper whose comment is one 100,000-character word (goal: under 30 s to PDF).

Laid out as one unbreakable word, WeasyPrint takes about two minutes over it; boardpack gives
such a word break points (tests/test_hostile.py checks they are there and that every character
is printed). This times the whole build of that paper, the median of three runs.

Run: .venv/bin/python bench/long_word.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from boardpack import build  # noqa: E402
from tests.conftest import minimal  # noqa: E402

GOAL = 30.0


def main() -> None:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        data = minimal()
        data["reports"][0]["items"][0]["comment"] = "Q" * 100_000
        path = Path(tmp) / "paper.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        for n in range(3):
            started = time.perf_counter()
            results = build([path], out_dir=Path(tmp) / f"build{n}", formats=("pdf",))
            times.append(time.perf_counter() - started)
            assert [r.error for r in results] == [None], results
    median = statistics.median(times)
    print(f"a 100,000-character word to PDF: {median:.1f} s (median of 3; goal < {GOAL:.0f} s: {'met' if median < GOAL else 'NOT met'})")


if __name__ == "__main__":
    main()
