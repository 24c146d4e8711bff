"""The pipeline: load, validate, derive, render, write, in that order.

The papers are found and checked in `papers`, rendered in `outputs`, handed out to processes in
`parallel` and reported in `report`; `build()` below reads as those stages.

Every paper is checked before anything is rendered, and nothing of a paper is written until
its outputs have all rendered, so bad data or a broken template never costs the secretariat
last quarter's files. A paper that fails does not hold up the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..chain import Checked, check, prepare
from ..edition import LARGE_PRINT, edition
from ..errors import BoardpackError
from ..inputs import Recalled, inputs_key, recall, record
from ..names import path_label
from ..text import plural
from ..write import build_lock, commit_outputs, read_manifest, write_manifest
from .options import DEFAULT_TEMPLATES, FORMATS, BuildOptions
from .outputs import output_names, render_paper
from .papers import cover_names_free, find_papers, unique_names
from .parallel import Outcome, collecting_rarely, early_chart, early_workers, rendered
from .report import Built, Progress, Progressing, view_counts

# The parser, the model and the renderers are imported where they are used: a build where
# nothing changed recalls every paper from the manifest and never needs them.
if TYPE_CHECKING:
    from ..render.pdf.workers import Workers


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
    options = BuildOptions(out_dir, templates, tuple(f for f in (*FORMATS, LARGE_PRINT) if f in asked), force, jobs, on_paper, progress)
    with collecting_rarely():
        return _build(paths, data_dir, options)


def _build(paths: Sequence[Path] | None, data_dir: Path, options: BuildOptions) -> list[Built]:
    found = unique_names(find_papers(paths, data_dir, archived=False))
    recalled = {} if options.force else _recall(found, options.out_dir, options.templates, options.formats)
    to_build = len(found) - len(recalled)
    with early_workers(options.formats, to_build, options.jobs) as workers, early_chart(options.formats, to_build):
        return _build_found(found, recalled, options, workers)


def _build_found(found: list[Path], recalled: dict[Path, Recalled], options: BuildOptions, workers: Workers | None) -> list[Built]:
    checked = check([p for p in found if p not in recalled])
    cover_names_free(checked, list(recalled.values()))
    if checked:
        from ..palette import palette_for

        # A broken palette stops the build here, before any paper is rendered. A recalled paper
        # was built with the palette as it is now, so it was a sound one.
        palette_for(options.templates)
    failed: dict[str, Built] = {}
    for c in checked:
        if c.paper is None or c.errors:
            name = edition(c.path.stem, options.formats)
            failed[name] = _failed(name, c)
            options.tell(failed[name])
    ready = {c.path: c for c in checked if edition(c.path.stem, options.formats) not in failed}
    papers: list[Checked | Recalled] = [recalled.get(p) or ready[p] for p in found if p in recalled or p in ready]
    with build_lock(options.out_dir):
        built = _build_checked(papers, options, workers)
    done = {b.name: b for b in built} | failed
    return [done[edition(p.stem, options.formats)] for p in found]


def _failed(name: str, checked: Checked) -> Built:
    return Built(name, warnings=checked.warnings, errors=checked.errors, error=f"{plural(len(checked.errors), 'error')} in {checked.label}")


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


def _build_checked(papers: list[Checked | Recalled], options: BuildOptions, workers: Workers | None = None) -> list[Built]:
    """Render and write the papers whose inputs changed, holding the build folder's lock."""
    plan = _Plan(read_manifest(options.out_dir), options)
    for c in papers:
        plan.add(c)
    if plan.recorded:
        write_manifest(options.out_dir, plan.manifest)
    for (c, name, key), outcome in rendered(plan.todo, options, workers):
        try:
            plan.finish(c, name, key, outcome)
        except Exception as exc:  # noqa: BLE001 - reported per paper
            plan.finish(c, name, key, exc)
    return [plan.results[name] for name in plan.order]


class _Plan:
    """What a build does with each paper under the lock: skip it (its outputs are current), or render it and write what it made."""

    def __init__(self, manifest: dict[str, Any], options: BuildOptions) -> None:
        self.manifest, self.options = manifest, options
        self.results: dict[str, Built] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.todo: list[tuple[Checked, str, str]] = []
        self.recorded = False
        """The manifest changed without a paper being rendered (what a check said, kept for the next build)."""

    def add(self, paper: Checked | Recalled) -> None:
        """A recalled paper whose manifest entry changed since it was recalled (another build wrote it meanwhile) is checked as usual here."""
        name = edition(paper.path.stem, self.options.formats)
        self.order.append(name)
        entry = _entry(self.manifest, name)
        c = self._still_current(paper, name, entry) if isinstance(paper, Recalled) else paper
        if c is None:
            return
        assert c.paper is not None
        key = inputs_of(c, self.options.templates, self.options.formats)
        outputs = self._outputs(name, c.paper.cover is not None)
        counts = view_counts(c.resolved.paper if c.resolved else c.paper)
        built = self.results[name] = Built(name, outputs, entry.get("pages"), counts, c.warnings)
        self.records[name] = record(c.chain, c.label, c.warnings, counts, c.paper.cover is not None)
        if self.options.force or entry.get("inputs") != key or not all(p.is_file() for p in outputs):
            self.todo.append((c, name, key))
            return
        built.skipped = True
        # What the check said is kept for the next build, which then need not parse the paper at all.
        kept = {k: v for k, v in entry.items() if k not in RECORD_KEYS} | self.records[name]
        if kept != entry:
            self.manifest[name] = kept
            self.recorded = True
        self.options.tell(built)

    def _outputs(self, name: str, cover: bool) -> list[Path]:
        return [self.options.out_dir / n for n in output_names(name, self.options.formats, cover).values()]

    def _still_current(self, recalled: Recalled, name: str, entry: dict[str, Any]) -> Checked | None:
        """None when the recalled paper is done with (skipped as current, or failed its check again); else the paper checked."""
        if entry.get("inputs") == recalled.key and all(p.is_file() for p in self._outputs(name, recalled.cover)):
            self.results[name] = Built(name, self._outputs(name, recalled.cover), recalled.pages, recalled.counts, recalled.warnings, skipped=True)
            self.options.tell(self.results[name])
            return None
        c = prepare(recalled.path, recalled.label)
        if c.paper is None or c.errors:
            self.results[name] = _failed(name, c)
            self.options.tell(self.results[name])
            return None
        return c

    def finish(self, c: Checked, name: str, key: str, outcome: Outcome) -> None:
        """Write what a paper's rendering made, and record it in the manifest; or report why it failed."""
        built = self.results[name]
        if isinstance(outcome, BaseException):
            built.error = str(outcome) if isinstance(outcome, BoardpackError) else f"Error building '{name}' (render): {type(outcome).__name__}: {outcome}"
        else:
            self._write(c, name, key, outcome)
        self.options.tell(built)

    def _write(self, c: Checked, name: str, key: str, outcome: tuple[dict[str, bytes], int | None, float]) -> None:
        built, out_dir = self.results[name], self.options.out_dir
        made, pages, seconds = outcome
        names = output_names(name, self.options.formats, c.paper is not None and c.paper.cover is not None)
        try:
            commit_outputs({out_dir / file_name: made[output] for output, file_name in names.items()})
        except OSError as exc:
            built.error = f"cannot write {exc.filename or name}: {exc.strerror or exc}"
            return
        built.pages, built.seconds = pages, seconds
        # Outputs of earlier builds in other formats stay listed, so `clean` still finds them.
        listed = _entry(self.manifest, name).get("outputs")
        earlier = [n for n in listed if isinstance(n, str)] if isinstance(listed, list) else []
        if c.paper is not None and c.paper.cover is None:  # a cover block taken out: its old report goes too
            for stale in [n for n in earlier if n.startswith(f"{name}-cover.") and Path(n).name == n]:
                (out_dir / stale).unlink(missing_ok=True)
                earlier.remove(stale)
        self.manifest[name] = {"inputs": key, "pages": pages, "outputs": sorted({*earlier, *names.values()}), **self.records[name]}
        write_manifest(out_dir, self.manifest)


__all__ = ["DEFAULT_TEMPLATES", "FORMATS", "Built", "Progress", "build", "find_papers", "inputs_of",
           "render_paper"]
