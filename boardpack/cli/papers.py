"""The commands that build and check papers: build, check, clean, schema."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..archive import left_out
from ..build import FORMATS, Built, build, find_papers
from ..chain import check
from ..errors import DataError, UsageError
from ..text import plural
from ..write import clean
from .words import counts

if TYPE_CHECKING:  # the data model is imported by the commands that parse papers, not by every start
    from ..derive import ChangesView


def run_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")

    def report(built: Built) -> None:
        if built.error:
            for problem in sorted(built.errors + built.warnings):
                print(problem, file=err)
            print(f"FAILED  {built.name}: {built.error}; {_kept(built, args.out)}", file=err)
            err.flush()
            return
        outputs = ", ".join(p.name for p in built.outputs)
        if built.skipped:  # its warnings were shown when it was built; `check` lists them again
            where = built.warnings[0].file if built.warnings and built.warnings[0].file.isprintable() else "FILE"
            warned = f"; {plural(len(built.warnings), 'warning')} (`check {where}` lists them)" if built.warnings else ""
            print(f"skipped {built.name}: unchanged ({outputs}){warned}; --force rebuilds", file=out)
            return
        for warning in built.warnings:
            print(warning, file=err)
        pages = f"{built.pages} pages · " if built.pages else ""
        print(f"built   {built.name}: {outputs} · {pages}{counts(built.counts)} · "
              f"{plural(len(built.warnings), 'warning')} · {built.seconds:.1f} s", file=out)
        out.flush()

    results = build(args.files, data_dir=args.data, out_dir=args.out, templates=args.templates,
                    formats=args.format, force=args.force, jobs=args.jobs, on_paper=report, progress=True, large_print=args.large_print)
    failed = [b for b in results if b.error]
    archived = None if args.files else left_out(args.data, "not rebuilt")
    if archived:
        print(archived, file=out)
    if not results and not archived:
        print(f"no paper files in {args.data}/", file=err)
    elif failed:
        skipped = sum(b.skipped for b in results)
        done = len(results) - len(failed) - skipped
        unchanged = f", {skipped} unchanged" if skipped else ""
        print(f"{plural(done, 'paper')} built{unchanged}, {len(failed)} failed (see above; "
              f"{'it keeps its' if len(failed) == 1 else 'they keep their'} previous outputs)", file=err)
    return 1 if failed else 0


def _kept(built: Built, out_dir: Path) -> str:
    """What a failed paper leaves in the build folder: its earlier outputs, if it ever built."""
    earlier = any((out_dir / f"{built.name}.{fmt}").exists() for fmt in FORMATS)
    return "the previous outputs were kept" if earlier else "nothing was written for it"


def run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..derive import changes_view, count_statuses
    from ..owners import directory_near
    from ..palette import palette_for

    results = check(find_papers(args.files, args.data, archived=False))
    failed = False
    try:
        palette_for(args.templates)  # the build's first check: a palette that prints as one grey stops it
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        failed = True
    folders = dict.fromkeys([args.data, *(result.path.parent for result in results)])
    for folder in folders:
        directory, problems = directory_near(folder)
        for problem in problems:
            print(problem, file=err)
        failed = failed or any(p.severity == "error" for p in problems)
        if directory is not None:
            print(f"{folder / 'owners.yaml'}: ok · {plural(len(directory.owners), 'owner')}", file=out)
    for result in results:
        for problem in result.problems:
            print(problem, file=err)
        failed = failed or bool(result.errors)
        if result.paper is None:
            print(f"{result.label}: {plural(len(result.errors), 'error')}; the counts follow once they are fixed", file=out)
            continue
        paper = result.resolved.paper if result.resolved else result.paper
        items = [item for report in paper.reports for item in report.items]
        verdict = "ok" if not result.errors else plural(len(result.errors), "error")
        print(f"{result.label}: {verdict} · {plural(len(paper.reports), 'report')} · "
              f"{plural(len(items), 'item')} ({counts(dict(count_statuses(items)))}) · "
              f"{plural(len(result.warnings), 'warning')}", file=out)
        for n, report in enumerate(paper.reports, start=1):
            print(f"  {n:>2}. {report.title}: {plural(len(report.items), 'item')} ({counts(dict(count_statuses(report.items)))})", file=out)
        if result.resolved and result.resolved.changes:
            _print_changes(changes_view(result.resolved.changes), out)
    archived = None if args.files else left_out(args.data, "not checked")
    if archived:
        print(archived, file=out)
    return 1 if failed else 0


def _print_changes(changes: ChangesView, out: TextIO) -> None:
    """The changes section of the paper, in words."""
    print(f"  {changes.headline}", file=out)
    for group in changes.groups:
        print(f"    {group.heading}:", file=out)
        for row in group.rows:
            what = f"{row.report}, No. {row.ref}" if row.ref else row.report
            print(f"      - {what}: {row.change}", file=out)


def run_clean(args: argparse.Namespace, out: TextIO) -> int:
    removed = clean(args.out)
    print(f"removed {plural(removed, 'file')} from {args.out}/", file=out)
    return 0


def run_schema(args: argparse.Namespace, out: TextIO) -> int:
    from ..start import schema_text
    from ..write import write_atomic

    text = schema_text()
    if args.output is None:
        out.write(text)
        return 0
    write_atomic(args.output, text.encode("utf-8"))
    print(f"wrote {args.output}", file=out)
    return 0
