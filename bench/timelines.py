#!/usr/bin/env python3
"""Time the timelines of a chain of 12 quarters of a 1,000-item tracker (goal: derived in under 2 s).

The chain is made as a secretariat makes it: the synthetic tracker (bench/make_tracker.py,
fixed seed) is the first quarter, and `roll` makes each next one; between rolls a tenth of
the open items change status and a tenth have their date moved, with a reason, so every
timeline has something to follow. Reported: the chain checked and resolved (`prepare`, which
reads all 12 papers) and the timelines derived from it, each the median of five runs.

Run: .venv/bin/python bench/timelines.py [--quarters 12] [--items 1000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_tracker import dump, make_tracker  # noqa: E402

from boardpack.chain import prepare  # noqa: E402
from boardpack.derive.timeline import timelines  # noqa: E402
from boardpack.model import parse_when  # noqa: E402
from boardpack.roll import roll  # noqa: E402
from boardpack.roundtrip import Document  # noqa: E402


def _months(period: str, n: int) -> str:
    year, month = map(int, period.split("-"))
    total = year * 12 + month - 1 + n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def _change(path: Path, quarter: int, rng: random.Random) -> None:
    """A tenth of the open items change status, a tenth move their date; written through the round-trip writer."""
    doc = Document(path)
    for report in doc.data["reports"]:
        for item in report.get("items") or []:
            status = item.get("status")
            if status in ("GREEN", "NEW GREEN", "CLOSED", "WHITE"):
                continue
            roll_of = rng.random()
            if roll_of < 0.1:
                item["status"] = "GREEN" if status == "AMBER" else "AMBER"
                item.pop("rationale", None)
            elif roll_of < 0.2:
                due = item.get("due")
                steps = list(due) if isinstance(due, list) else ([due] if due else [])
                dates = [parse_when(step["date"] if isinstance(step, dict) else step) for step in steps
                         if not isinstance(step, dict) or step.get("date")]
                last = max([*dates, parse_when(doc.data["paper"]["period"])])
                steps.append({"date": _months(f"{last.year:04d}-{last.month:02d}", 1 + quarter % 4), "note": f"moved in quarter {quarter}"})
                item["due"] = steps
    path.write_text(doc.checked(path, str(path)), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quarters", type=int, default=12)
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(12)  # noqa: S311 - a fixed draw of changes, not a secret
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2021-09-tracker.yaml"
        path.write_text(dump(make_tracker(args.items, 1000), args.items, 1000), encoding="utf-8")
        started = time.perf_counter()
        period = "2021-09"
        for quarter in range(1, args.quarters):
            period = _months(period, 3)
            path = roll(path, period).path
            _change(path, quarter, rng)
        made = time.perf_counter() - started
        resolve, derive = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            checked = prepare(path)
            t1 = time.perf_counter()
            assert checked.resolved is not None, checked.problems
            papers = (*checked.resolved.earlier, checked.resolved.paper)
            lines = timelines(papers)
            t2 = time.perf_counter()
            resolve.append(t1 - t0)
            derive.append(t2 - t1)
        moved = sum(1 for line in lines.values() if line.moved_more_than_once)
        print(f"{len(papers)} quarters of {args.items} items (made by roll in {made:.1f} s): {len(lines)} timelines, "
              f"{moved} with dates moved more than once")
        print(f"chain checked and resolved: {statistics.median(resolve):.2f} s (median of 5)")
        print(f"timelines derived:          {statistics.median(derive):.2f} s (median of 5; goal < 2 s)")


if __name__ == "__main__":
    main()
