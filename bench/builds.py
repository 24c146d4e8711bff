#!/usr/bin/env python3
"""Time a build started from the workspace against issue 26's goals, through the real server on loopback.

A 100-item tracker (bench/make_tracker.py, fixed seed) in a temporary folder, an editor and a
reader made with the workspace's own account code, `generate.py serve` started on a free port
of 127.0.0.1 as a separate process. Measured, each the median of --runs:

(a) the same paper's PDF built by the command line (`build --format pdf --force`), as the yardstick;
(b) in the workspace, the editor presses Build (every output, as the button builds them; before
    each run the paper gets a new comment line and the slice cache is emptied, so that every page
    is laid out) and the build page is fetched every 0.1 s as its script does: the time until it first
    shows how far the layout has got ("N of M parts laid out"), goal < 1 s, and until the PDF
    has been downloaded whole, goal < (a) + 2 s (the button builds the Word file, web page and
    annex too, so (a) is the PDF's share);
(c) meanwhile a reader browses (papers, the paper, an item, history): the 95th percentile of
    those pages while the build runs, to hold beside issue 25's figures.

Run: .venv/bin/python bench/builds.py [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspace import PASSWORD, Client, csrf, load, percentile, serving  # noqa: E402

from boardpack.web import accounts, store  # noqa: E402

PAPER = "bench-100"
PROGRESS = re.compile(r"\d+ of \d+ parts laid out")


def cli_build(data: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "generate.py"), "build", str(data / f"{PAPER}.yaml"), "--format", "pdf", "--force",
                    "--out", str(out)], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def browse(port: int, stop: threading.Event, seconds: list[float]) -> None:
    reader = Client(port)
    reader.sign_in("reader")
    _, _, page, _ = reader.request("GET", f"/papers/{PAPER}")
    item = re.search(rf'href="(/papers/{PAPER}/item/[^"]+)"', page)
    pages = ["/papers", f"/papers/{PAPER}", f"/papers/{PAPER}/history"] + ([item.group(1)] if item else [])
    n = 0
    while not stop.is_set():
        _, _, _, took = reader.request("GET", pages[n % len(pages)])
        seconds.append(took)
        n += 1
        time.sleep(0.2)


def browser_build(port: int, paper: Path, run: int) -> tuple[float, float, list[float]]:
    """(first progress, PDF downloaded) in seconds from pressing Build, and the reader's page times meanwhile.

    The paper gets a new comment line first, so that the button (which skips a paper whose
    inputs are unchanged) builds it again each time, and the laid-out slices kept from the last
    build are removed, so that it lays out every page as the command line's forced build does.
    """
    with paper.open("a", encoding="utf-8") as handle:
        handle.write(f"# run {run}\n")
    shutil.rmtree(paper.parent.parent / "build" / ".cache", ignore_errors=True)
    editor = Client(port)
    editor.sign_in("editor")
    _, _, page, _ = editor.request("GET", f"/papers/{PAPER}/build")
    stop, seconds = threading.Event(), []
    reader = threading.Thread(target=browse, args=(port, stop, seconds))
    reader.start()
    try:
        started = time.perf_counter()
        status, _, _, _ = editor.request("POST", f"/papers/{PAPER}/build", {"csrf_token": csrf(page)})
        assert status == 302, status
        first = None
        while True:
            _, _, page, _ = editor.request("GET", f"/papers/{PAPER}/build")
            if first is None and PROGRESS.search(page):
                first = time.perf_counter() - started
            if 'data-running="0"' in page:
                break
            time.sleep(0.1)
        assert "The build failed" not in page and "Already up to date" not in page, page
        status, _, body, _ = editor.request("GET", f"/papers/{PAPER}/download/pdf")
        done = time.perf_counter() - started
        assert status == 200 and body.startswith("%PDF"), status
    finally:
        stop.set()
        reader.join()
    return (first if first is not None else float("nan")), done, seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        data, out = tmp / "data", tmp / "build"
        data.mkdir()
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_tracker.py"), "100", "25", str(data / f"{PAPER}.yaml")], check=True)
        database = data / store.DEFAULT_NAME
        with store.connect(database) as db:
            accounts.add_user(db, "editor", "editor", PASSWORD)
            accounts.add_user(db, "reader", "reader", PASSWORD)
        cli = [cli_build(data, tmp / f"cli-{n}") for n in range(args.runs)]
        print(f"(a) the command line's PDF: median {statistics.median(cli):.2f} s of {args.runs} (load average {load()})")
        with serving(tmp, data, out, database) as port:
            runs = [browser_build(port, data / f"{PAPER}.yaml", n) for n in range(args.runs)]
        first = statistics.median(r[0] for r in runs)
        done = statistics.median(r[1] for r in runs)
        pages = [s for r in runs for s in r[2]]
        goal = statistics.median(cli) + 2
        print(f"(b) Build pressed -> first progress: median {first:.2f} s (goal < 1 s: {'met' if first < 1 else 'NOT met'}); "
              f"-> PDF downloaded: median {done:.2f} s (goal < {goal:.2f} s: {'met' if done < goal else 'NOT met'})")
        print(f"(c) a reader's pages during the builds: {len(pages)} pages, 95th percentile {percentile(pages, 95) * 1000:.0f} ms, "
              f"median {statistics.median(pages) * 1000:.0f} ms (load average {load()})")
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
