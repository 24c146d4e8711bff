#!/usr/bin/env python3
"""Time boardpack against the goals of issue 13, in one run, and write docs/benchmarks.md.

Every figure is a whole process, as a secretary meets it: `generate.py build ...` (and
LibreOffice converting our own .docx of the same paper, the yardstick for the PDF), with
wall time and the peak memory of the process tree: the proportional set sizes of all its
processes alive at once, summed, so that pages forked workers share with the build count
once; sampled from /proc every 200 ms (reading them costs the kernel a walk of the page
tables), and never less than the largest single process as the kernel reports it. Short rows
run three times and report the median; the long rows run once. The synthetic trackers come
from bench/make_tracker.py with fixed seeds, so every run times the same files.

Run: .venv/bin/python bench/run.py [--quick]     (--quick leaves out the 5,000-item row)
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_tracker import dump, make_tracker  # noqa: E402

SEED_TRACKER = ROOT / "data" / "2021-09-hmicfrs-tracker.yaml"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench/run.py writes from here -->", "<!-- bench/run.py writes up to here -->"
SAMPLE_SECONDS = 0.2
GOAL_5000 = "<= 5.5x the 1,000-item time, peak < 1 GB"
SEEDS = {1000: 1000, 5000: 5000}
"""Seed of each synthetic tracker, by items."""


class Failed(Exception):
    """A timed process failed: its row says so and the run goes on."""


@dataclass
class Run:
    """One process: wall seconds, peak memory of its tree (bytes), what it printed."""

    seconds: float
    peak: int
    stdout: str


@dataclass
class Row:
    """One line of the table: the work, the figure, the goal, and whether it is met."""

    work: str
    figure: str
    peak: int | None
    goal: str
    met: bool | None
    notes: list[str] = field(default_factory=list)


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and every descendant alive now, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields start after the last ')'.
        fields = stat[stat.rindex(b")") + 2:].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * page
    total, todo = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    while todo:
        pid = todo.pop()
        total += _proportional(pid, rss.get(pid, 0))
        todo.extend(children.get(pid, ()))
    return total


def _proportional(pid: int, rss: int) -> int:
    """A process's proportional set size: each page it shares counted once across the sharers.

    A build's workers are forked from it and share its pages until they write to them; summing
    resident sizes would count those pages once per worker. Falls back to `rss` where the
    kernel gives no smaps_rollup.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return rss


def run(args: list[str], cwd: Path = ROOT) -> Run:
    """Run one fresh process to the end; raise Failed, with its last words, if it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err)
        ended: dict[str, Any] = {}

        def reap() -> None:
            # Waiting in a thread stops the clock the moment the process ends, not at the next sample.
            _, status, usage = os.wait4(proc.pid, 0)
            ended.update(seconds=time.perf_counter() - started, status=status, usage=usage)

        waiter = threading.Thread(target=reap)
        waiter.start()
        sampled = 0
        while waiter.is_alive():
            sampled = max(sampled, _tree_rss(proc.pid))
            waiter.join(SAMPLE_SECONDS)
        proc.returncode = os.waitstatus_to_exitcode(ended["status"])
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        lines = (stdout + stderr).strip().splitlines() or [f"exit code {proc.returncode}"]
        why = next((line for line in lines if line.startswith(("FAILED", "error"))), lines[-1])
        what = f"generate.py {args[2]}" if len(args) > 2 and args[1].endswith("generate.py") else Path(args[0]).name
        raise Failed(f"failed: `{what}`: {why.strip()}")
    # ru_maxrss is the largest single process (kilobytes on Linux); the samples add up the tree.
    return Run(ended["seconds"], max(sampled, ended["usage"].ru_maxrss * 1024), stdout)


def median_run(args: list[str], repeat: int, cwd: Path = ROOT) -> Run:
    """The median time of `repeat` fresh runs, with the highest peak of them."""
    runs = [run(args, cwd) for _ in range(repeat)]
    return Run(statistics.median(r.seconds for r in runs), max(r.peak for r in runs), runs[-1].stdout)


def generate(*args: str | Path) -> list[str]:
    return [sys.executable, str(ROOT / "generate.py"), *map(str, args)]


def pages_of(stdout: str) -> int | None:
    match = re.search(r"(\d+) pages", stdout)
    return int(match.group(1)) if match else None


def per_second(pages: int | None, result: Run) -> str:
    """Pages per second: the figure that compares trackers of different density."""
    return "" if not pages else f" ({pages / result.seconds:.1f} pages/s)"


def mb(size: int | None) -> str:
    return "" if size is None else f"{size / 2**20:,.0f} MB"


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def seed_vs_libreoffice(tmp: Path, repeat: int) -> Row:
    """The seed tracker to PDF against LibreOffice converting our .docx of it."""
    out = tmp / "seed"
    pdf = median_run(generate("build", SEED_TRACKER, "--format", "pdf", "--force", "--out", out), repeat)
    pages = pages_of(pdf.stdout)
    figure = f"{pdf.seconds:.2f} s"
    office = soffice_path()
    if office is None:
        return Row(f"seed tracker ({pages} pages) to PDF, whole process, vs LibreOffice", figure + " (LibreOffice not installed)",
                   pdf.peak, "ratio <= 1.0", None)
    run(generate("build", SEED_TRACKER, "--format", "docx", "--force", "--out", out))
    docx = out / f"{SEED_TRACKER.stem}.docx"
    converted = tmp / "soffice"
    lo = [office, f"-env:UserInstallation={(tmp / 'lo-profile').as_uri()}", "--headless", "--convert-to", "pdf",
          "--outdir", str(converted), str(docx)]
    run(lo)  # the first start makes LibreOffice's profile; time the warm ones
    office_run = median_run(lo, repeat)
    ratio = pdf.seconds / office_run.seconds
    return Row(f"seed tracker ({pages} pages) to PDF, whole process, vs LibreOffice converting our .docx of it",
               f"{pdf.seconds:.2f} s vs {office_run.seconds:.2f} s (ratio {ratio:.2f})", pdf.peak, "ratio <= 1.0", ratio <= 1.0,
               [f"LibreOffice peak {mb(office_run.peak)}"])


def edit_one_comment(text: str) -> str:
    """The seed tracker with one word added to its first comment."""
    edited, count = re.subn(r"(\n\s+comment: \|\n\s+)(\S)", r"\1Edited: \2", text, count=1)
    assert count == 1, "the seed tracker has no block comment to edit"
    return edited


def edit_rebuild(tmp: Path, repeat: int) -> Row:
    """Cold build of a copy of data/, one comment edited, rebuilt; the ratio of the two."""
    colds, edits, peak = [], [], 0
    for n in range(repeat):
        data, out = tmp / f"edit{n}" / "data", tmp / f"edit{n}" / "build"
        shutil.copytree(ROOT / "data", data)
        paper = data / SEED_TRACKER.name
        command = generate("build", paper, "--format", "pdf", "--out", out)
        cold = run(command)
        paper.write_text(edit_one_comment(paper.read_text(encoding="utf-8")), encoding="utf-8")
        edit = run(command)
        colds.append(cold.seconds)
        edits.append(edit.seconds)
        peak = max(peak, edit.peak)
    cold_s, edit_s = statistics.median(colds), statistics.median(edits)
    ratio = edit_s / cold_s
    return Row("seed tracker to PDF after editing one comment", f"{edit_s:.2f} s ({ratio:.2f} of the cold {cold_s:.2f} s)", peak,
               "<= 0.4 of the cold time", ratio <= 0.4)


def synthetic(tmp: Path, items: int) -> Path:
    path = tmp / f"tracker-{items}.yaml"
    path.write_text(dump(make_tracker(items, SEEDS[items]), items, SEEDS[items]), encoding="utf-8")
    return path


def big_pdf(tmp: Path, items: int) -> tuple[Run, int | None]:
    result = run(generate("build", synthetic(tmp, items), "--format", "pdf", "--force", "--out", tmp / f"out{items}"))
    return result, pages_of(result.stdout)


def no_change(tmp: Path, repeat: int) -> Row:
    """Build data/ once, then time rebuilds with nothing changed."""
    out = tmp / "nochange"
    run(generate("build", "--data", ROOT / "data", "--out", out))
    result = median_run(generate("build", "--data", ROOT / "data", "--out", out), repeat)
    return Row("no-change rebuild of data/ (all formats)", f"{result.seconds:.2f} s", result.peak, "< 0.3 s", result.seconds < 0.3)


def machine() -> list[tuple[str, str]]:
    """What the figures were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        memory_text = f"{memory / 2**30:.1f} GB"
    except (OSError, StopIteration):
        memory_text = "unknown"
    office = soffice_path()
    office_version = "not installed"
    if office:
        words = subprocess.run([office, "--version"], capture_output=True, text=True, check=False).stdout.split()
        office_version = " ".join(words[1:3]) if len(words) >= 3 else " ".join(words)

    def package(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    git = shutil.which("git") or "git"
    commit = subprocess.run([git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    changed = subprocess.run([git, "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True,
                             check=False).stdout.strip()
    if commit and changed:
        commit += " with uncommitted changes"
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("memory", memory_text),
        ("system", platform.platform()),
        ("Python", platform.python_version()),
        ("WeasyPrint", package("weasyprint")),
        ("pydyf", package("pydyf")),
        ("LibreOffice", office_version),
        ("commit", commit or "unknown"),
    ]


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def table(rows: list[Row], about: list[tuple[str, str]], quick: bool) -> str:
    lines = [
        f"Measured by `bench/run.py{' --quick' if quick else ''}` on {time.strftime('%Y-%m-%d')}.",
        "",
        "| work | measured | peak memory | goal | met |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        notes = f" ({'; '.join(row.notes)})" if row.notes else ""
        met = "" if row.met is None else ("yes" if row.met else "no")
        lines.append(f"| {row.work} | {row.figure}{notes} | {mb(row.peak)} | {row.goal} | {met} |")
    lines += ["", "| machine | |", "| --- | --- |"] + [f"| {k} | {v} |" for k, v in about]
    return "\n".join(lines)


def write_doc(doc: Path, text: str) -> None:
    """Replace the generated block of the note, keeping everything written around it."""
    block = f"{START}\n{text}\n{END}"
    if doc.is_file():
        current = doc.read_text(encoding="utf-8")
        if START in current and END in current:
            before, rest = current.split(START, 1)
            after = rest.split(END, 1)[1]
            doc.write_text(before + block + after, encoding="utf-8")
            return
        doc.write_text(current.rstrip("\n") + "\n\n" + block + "\n", encoding="utf-8")
        return
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(f"# Benchmarks\n\n{block}\n", encoding="utf-8")


def show(row: Row) -> None:
    met = "" if row.met is None else ("  met" if row.met else "  NOT MET")
    notes = f" ({'; '.join(row.notes)})" if row.notes else ""
    print(f"{row.work}\n    {row.figure}{notes}, peak {mb(row.peak)}    goal {row.goal}{met}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time boardpack against the goals of issue 13 and write docs/benchmarks.md.")
    parser.add_argument("--quick", action="store_true", help="leave out the 5,000-item tracker (about 4 GB and five minutes)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each short row; the median is reported (default 3)")
    parser.add_argument("--doc", type=Path, default=DOC, help=f"note to write the table into (default {DOC.relative_to(ROOT)})")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave the note alone")
    args = parser.parse_args(argv)

    about = machine()
    about.append(("load average (1/5/15 min) at the start", load()))
    print("\n".join(f"{k}: {v}" for k, v in about) + "\n", flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="boardpack-bench-") as name:
        tmp = Path(name)
        thousand: list[Run] = []

        def pdf_1000() -> Row:
            result, pages = big_pdf(tmp, 1000)
            thousand.append(result)
            return Row(f"1,000-item tracker ({pages} pages) to PDF", f"{result.seconds:.1f} s{per_second(pages, result)}",
                       result.peak, "< 15 s", result.seconds < 15)

        def pdf_5000() -> Row:
            five, pages = big_pdf(tmp, 5000)
            figure = f"{five.seconds:.1f} s{per_second(pages, five)}"
            if not thousand:
                return Row(f"5,000-item tracker ({pages} pages) to PDF", figure, five.peak, GOAL_5000, None)
            ratio = five.seconds / thousand[0].seconds
            return Row(f"5,000-item tracker ({pages} pages) to PDF", f"{figure}, {ratio:.1f}x the 1,000-item time",
                       five.peak, GOAL_5000, ratio <= 5.5 and five.peak < 2**30)

        def word_1000() -> Row:
            command = generate("build", synthetic(tmp, 1000), "--format", "docx", "--force", "--out", tmp / "word")
            word = median_run(command, args.repeat)
            return Row("1,000-item tracker to Word, whole process", f"{word.seconds:.2f} s", word.peak, "< 1.5 s", word.seconds < 1.5)

        steps: list[tuple[str, str, Callable[[], Row]]] = [
            ("seed tracker to PDF vs LibreOffice", "ratio <= 1.0", lambda: seed_vs_libreoffice(tmp, args.repeat)),
            ("seed tracker to PDF after editing one comment", "<= 0.4 of the cold time", lambda: edit_rebuild(tmp, args.repeat)),
            ("1,000-item tracker to PDF", "< 15 s", pdf_1000),
            *([] if args.quick else [("5,000-item tracker to PDF", GOAL_5000, pdf_5000)]),
            ("1,000-item tracker to Word, whole process", "< 1.5 s", word_1000),
            ("no-change rebuild of data/ (all formats)", "< 0.3 s", lambda: no_change(tmp, args.repeat)),
        ]
        for work, goal, step in steps:
            try:
                row = step()
            except Failed as exc:
                row = Row(work, str(exc), None, goal, False)
            rows.append(row)
            show(row)
    about.append(("load average (1/5/15 min) at the end", load()))
    print(f"\nload average at the end: {load()}")
    if not args.no_doc:
        write_doc(args.doc, table(rows, about, args.quick))
        print(f"written to {args.doc}")


if __name__ == "__main__":
    main()
