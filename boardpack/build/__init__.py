"""The pipeline: load, validate, derive, render, write, in that order.

The papers are found and checked in `papers`, rendered in `outputs`, handed out to processes in
`parallel` and reported in `report`; `build()` below reads as those stages.

Every paper is checked before anything is rendered, and nothing of a paper is written until
its outputs have all rendered, so bad data or a broken template never costs the secretariat
last quarter's files. A paper that fails does not hold up the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..chain import Checked, check, prepare
from ..edition import LARGE_PRINT, edition
from ..errors import BoardpackError
from ..inputs import Recalled, inputs_key, recall, record
from ..names import path_label
from ..write import build_lock, commit_outputs, read_manifest, write_manifest
from .options import DEFAULT_TEMPLATES, FORMATS
from .outputs import output_names, render_paper
from .papers import cover_names_free, find_papers, plural, unique_names
from .parallel import collecting_rarely, die_with_parent, early_chart, early_workers, render_job
from .report import Built, Progress, Progressing, view_counts

# The parser, the model and the renderers are imported where they are used: a build where
# nothing changed recalls every paper from the manifest and never needs them.
if TYPE_CHECKING:
    from ..render.workers import Workers


def _bytes_read(checked: Checked) -> dict[Path, tuple[int, bytes]]:
    """The paper file and its chain as the check read them, for a worker to parse (not the whole command's)."""
    return {p: checked.read[p] for p in (checked.path, *checked.chain) if p in checked.read}


def inputs_of(checked: Checked, templates: Path, formats: Sequence[str]) -> str:
    """Fingerprint of everything a paper's outputs depend on, from the bytes its check read."""
    # The whole chain counts: an edit two quarters back can change this paper's histories.
    return inputs_key([checked.path, *checked.chain], templates, formats, checked.read)


def build(
    paths: Sequence[Path] | None = None,
    *,
    data_dir: Path = Path("data"),
    out_dir: Path = Path("build"),
    templates: Path = DEFAULT_TEMPLATES,
    formats: Sequence[str] = FORMATS,
    force: bool = False,
    jobs: int | None = None,
    on_paper: Callable[[Built], None] | None = None,
    progress: Progressing = False,
    large_print: bool = False,
) -> list[Built]:
    """Check every paper, then render and write those whose inputs changed.

    `progress` prints how far a long paper's PDF has got on stderr (see `Progress`); a function
    `progress(output name, parts done, parts)` is called instead, from the building process, on
    every part (papers built in worker processes, when several are built at once, stay quiet).

    A paper with errors in its data, or whose rendering fails, is not written and keeps its
    previous outputs; its Built carries the error and the other papers are built as usual.
    Raises DataError (before anything is written) only for mistakes that concern several
    papers at once: two files whose outputs would have the same name, a missing file.

    `large_print` builds the large-print edition of every paper (NAME-large-print.pdf, ...),
    beside the usual one and fingerprinted apart from it.
    """
    asked = (*formats, LARGE_PRINT) if large_print else tuple(formats)
    with collecting_rarely():
        return _build(paths, data_dir, out_dir, templates, asked, force, jobs, on_paper, progress)


def _build(paths: Sequence[Path] | None, data_dir: Path, out_dir: Path, templates: Path, formats: Sequence[str], force: bool,
           jobs: int | None, on_paper: Callable[[Built], None] | None, progress: Progressing) -> list[Built]:
    found = unique_names(find_papers(paths, data_dir, archived=False))
    formats = tuple(f for f in (*FORMATS, LARGE_PRINT) if f in formats)
    recalled = {} if force else _recall(found, out_dir, templates, formats)
    with early_workers(formats, len(found) - len(recalled), jobs) as workers, early_chart(formats, len(found) - len(recalled)):
        return _build_found(found, recalled, out_dir, templates, formats, force, jobs, on_paper, progress, workers)


def _build_found(found: list[Path], recalled: dict[Path, Recalled], out_dir: Path, templates: Path, formats: tuple[str, ...],
                 force: bool, jobs: int | None, on_paper: Callable[[Built], None] | None, progress: Progressing,
                 workers: Workers | None) -> list[Built]:
    checked = check([p for p in found if p not in recalled])
    cover_names_free(checked, list(recalled.values()))
    if checked:
        from ..palette import palette_for

        # A broken palette stops the build here, before any paper is rendered. A recalled paper
        # was built with the palette as it is now, so it was a sound one.
        palette_for(templates)
    failed: dict[str, Built] = {}
    for c in checked:
        if c.paper is None or c.errors:
            name = edition(c.path.stem, formats)
            failed[name] = Built(name, warnings=c.warnings, errors=c.errors, error=f"{plural(len(c.errors), 'error')} in {c.label}")
            if on_paper:
                on_paper(failed[name])
    ready = {c.path: c for c in checked if edition(c.path.stem, formats) not in failed}
    papers: list[Checked | Recalled] = [recalled.get(p) or ready[p] for p in found if p in recalled or p in ready]
    with build_lock(out_dir):
        built = _build_checked(papers, out_dir, templates, formats, force, jobs, on_paper, progress, workers)
    done = {b.name: b for b in built} | failed
    return [done[edition(p.stem, formats)] for p in found]


def _recall(found: Sequence[Path], out_dir: Path, templates: Path, formats: tuple[str, ...]) -> dict[Path, Recalled]:
    """The papers whose inputs are unchanged since their last build, from the manifest and the bytes of their files.

    Read without the build folder's lock (the manifest is replaced whole, never rewritten in
    place); `_build_checked` checks each entry again while it holds the lock.
    """
    manifest = read_manifest(out_dir)
    if not manifest:
        return {}
    recalled = {}
    for path in found:
        name = edition(path.stem, formats)
        outputs = {cover: [out_dir / n for n in output_names(name, formats, cover).values()] for cover in (False, True)}
        found_again = recall(manifest.get(name), path, path_label(path), templates, formats, outputs)
        if found_again is not None:
            recalled[path] = found_again
    return recalled


def _entry(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    """A paper's manifest entry; an entry of another shape (a foreign or damaged manifest) counts as none."""
    entry = manifest.get(name)
    return entry if isinstance(entry, dict) else {}


RECORD_KEYS = ("chain", "warnings", "counts", "cover")
"""The keys of a manifest entry that `inputs.record` writes."""


def _build_checked(
    papers: list[Checked | Recalled], out_dir: Path, templates: Path, formats: tuple[str, ...], force: bool, jobs: int | None,
    on_paper: Callable[[Built], None] | None, progress: Progressing = False, workers: Workers | None = None,
) -> list[Built]:
    """Render and write the papers whose inputs changed, holding the build folder's lock.

    A recalled paper whose manifest entry changed since it was recalled (another build wrote
    it meanwhile) is checked as usual here.
    """
    manifest = read_manifest(out_dir)
    todo: list[tuple[Checked, str, str]] = []
    results: dict[str, Built] = {}
    records: dict[str, dict[str, Any]] = {}
    recorded = False
    order: list[str] = []
    for c in papers:
        name = edition(c.path.stem, formats)
        order.append(name)
        entry = _entry(manifest, name)
        if isinstance(c, Recalled):
            outputs = [out_dir / n for n in output_names(name, formats, c.cover).values()]
            if entry.get("inputs") == c.key and all(p.is_file() for p in outputs):
                results[name] = Built(name, outputs, c.pages, c.counts, c.warnings, skipped=True)
                if on_paper:
                    on_paper(results[name])
                continue
            c = prepare(c.path, c.label)
            if c.paper is None or c.errors:
                results[name] = Built(name, warnings=c.warnings, errors=c.errors, error=f"{plural(len(c.errors), 'error')} in {c.label}")
                if on_paper:
                    on_paper(results[name])
                continue
        assert c.paper is not None
        key = inputs_of(c, templates, formats)
        outputs = [out_dir / n for n in output_names(name, formats, c.paper.cover is not None).values()]
        counts = view_counts(c.resolved.paper if c.resolved else c.paper)
        built = Built(name, outputs, entry.get("pages"), counts, c.warnings)
        results[name] = built
        records[name] = record(c.chain, c.label, c.warnings, counts, c.paper.cover is not None)
        if not force and entry.get("inputs") == key and all(p.is_file() for p in outputs):
            built.skipped = True
            # What the check said is kept for the next build, which then need not parse the paper at all.
            kept = {k: v for k, v in entry.items() if k not in RECORD_KEYS} | records[name]
            if kept != entry:
                manifest[name] = kept
                recorded = True
            if on_paper:
                on_paper(built)
        else:
            todo.append((c, name, key))
    if recorded:
        write_manifest(out_dir, manifest)

    def finish(c: Checked, name: str, key: str, outcome: tuple[dict[str, bytes], int | None, float] | BaseException) -> None:
        built = results[name]
        if isinstance(outcome, BaseException):
            built.error = str(outcome) if isinstance(outcome, BoardpackError) else f"Error building '{name}' (render): {type(outcome).__name__}: {outcome}"
        else:
            rendered, pages, seconds = outcome
            names = output_names(name, formats, c.paper is not None and c.paper.cover is not None)
            try:
                commit_outputs({out_dir / file_name: rendered[key] for key, file_name in names.items()})
            except OSError as exc:
                built.error = f"cannot write {exc.filename or name}: {exc.strerror or exc}"
                if on_paper:
                    on_paper(built)
                return
            built.pages, built.seconds = pages, seconds
            # Outputs of earlier builds in other formats stay listed, so `clean` still finds them.
            listed = _entry(manifest, name).get("outputs")
            earlier = [n for n in listed if isinstance(n, str)] if isinstance(listed, list) else []
            if c.paper is not None and c.paper.cover is None:  # a cover block taken out: its old report goes too
                for stale in [n for n in earlier if n.startswith(f"{name}-cover.") and Path(n).name == n]:
                    (out_dir / stale).unlink(missing_ok=True)
                    earlier.remove(stale)
            outputs = sorted({*earlier, *names.values()})
            manifest[name] = {"inputs": key, "pages": pages, "outputs": outputs, **records[name]}
            write_manifest(out_dir, manifest)
        if on_paper:
            on_paper(built)

    processes = min(jobs or os.cpu_count() or 1, len(todo))
    if processes > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=processes, initializer=die_with_parent) as pool:
            futures = [(c, name, key, pool.submit(render_job, c.path, name, templates, formats, out_dir, force, 1, progress is True,
                                                  read=_bytes_read(c))) for c, name, key in todo]
            for c, name, key, future in futures:
                try:
                    finish(c, name, key, future.result())
                except Exception as exc:  # noqa: BLE001 - reported per paper
                    finish(c, name, key, exc)
    else:
        for c, name, key in todo:
            try:
                finish(c, name, key, render_job(c.path, name, templates, formats, out_dir, force, jobs or os.cpu_count() or 1, progress,
                                                 c.resolved, workers))
            except Exception as exc:  # noqa: BLE001 - reported per paper
                finish(c, name, key, exc)
    return [results[name] for name in order]


__all__ = ["DEFAULT_TEMPLATES", "FORMATS", "Built", "Progress", "build", "find_papers", "inputs_of",
           "render_paper"]
