"""The pipeline: load, validate, derive, render, write, in that order.

Every paper is checked before anything is rendered, and nothing of a paper is written until
its outputs have all rendered, so bad data or a broken template never costs the secretariat
last quarter's files. A paper that fails does not hold up the others.
"""

from __future__ import annotations

import functools
import gc
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .archive import current
from .edition import LARGE_PRINT, edition, large_print_edition
from .errors import BoardpackError, DataError, Problem, RenderError
from .inputs import MAX_CHAIN, Recalled, inputs_key, recall, record
from .names import paper_files
from .write import CACHE, build_lock, commit_outputs, read_manifest, write_manifest

# The parser, the model and the renderers are imported where they are used: a build where
# nothing changed recalls every paper from the manifest and never needs them.
if TYPE_CHECKING:
    from .history import Resolved
    from .load import Source
    from .model import Paper
    from .render.workers import Workers

T = TypeVar("T")

FORMATS = ("pdf", "docx", "html", "xlsx", "csv")
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATES = ROOT / "templates"


@dataclass
class Checked:
    """A paper file after load and validate, resolved against its previous paper."""

    path: Path
    label: str
    paper: Paper | None
    problems: list[Problem]
    resolved: Resolved | None = None
    """The paper as printed (derived NEW GREEN, full due histories) and its changes."""
    chain: tuple[Path, ...] = ()
    """The previous paper files this one was resolved against, newest first."""
    read: dict[Path, tuple[int, bytes]] = field(default_factory=dict, repr=False)
    """The data files as they were read for this check (see `inputs.inputs_key`)."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass
class Built:
    """What happened to one paper in a build."""

    name: str
    outputs: list[Path] = field(default_factory=list)
    pages: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    skipped: bool = False
    error: str | None = None
    errors: list[Problem] = field(default_factory=list)
    """The mistakes in the paper's data that stopped it being built (`error` sums them up)."""


def find_papers(paths: Sequence[Path] | None, data_dir: Path, archived: bool = True) -> list[Path]:
    """The files named, or every paper file in the data folder (but its archived ones, unless `archived`)."""
    if paths:
        missing = [p for p in paths if not p.is_file()]
        if missing:
            raise DataError([Problem(str(p), 0, 0, "", "no such file") for p in missing])
        return list(paths)
    if not data_dir.is_dir():
        raise DataError([Problem(str(data_dir), 0, 0, "", "no such folder; put paper files (*.yaml) in it")])
    found = paper_files(data_dir)
    return found if archived else current(found)


Validated = dict[Path, tuple["Paper | None", list[Problem]]]
"""Papers already loaded and validated in this command, by resolved path: last quarter's paper
is both a paper of its own and this quarter's previous, and is read once."""


def check(paths: Iterable[Path]) -> list[Checked]:
    """Load and validate each file; every problem of every file is kept.

    Where the papers' folder has an owners directory, owners and leads it does not know are
    warned of, each at its line. An archived paper is not warned about (`archive`): only its errors are kept.
    """
    validated: Validated = {}
    read: dict[Path, tuple[int, bytes]] = {}
    results = [prepare(path, _label(path), validated, read) for path in paths]
    for result in results:
        if result.paper is not None and result.paper.paper.archived:
            result.problems = result.errors
            continue
        if result.paper is not None and path_read(result):
            from .owners import name_warnings

            result.problems = sorted(result.problems + name_warnings(result.path, result.label, path_read(result)))
    return results


def path_read(checked: Checked) -> bytes:
    """The bytes of a checked paper's own file, as they were read for the check."""
    return checked.read.get(checked.path, (0, b""))[1]


def prepare(path: Path, label: str | None = None, validated: Validated | None = None,
            read: dict[Path, tuple[int, bytes]] | None = None,
            loaded: tuple[Source, Paper | None, list[Problem]] | None = None) -> Checked:
    """Load, validate and resolve one paper file against its chain of previous papers.

    `read` collects the data files as read (shared across a command, like `validated`);
    `loaded` is the file already loaded and validated (by the writer that just wrote it).
    """
    from .load import load_file
    from .validate import validate

    label = label or _label(path)
    validated = {} if validated is None else validated
    read = {} if read is None else read
    if loaded is not None:
        source, paper, problems = loaded[0], loaded[1], list(loaded[2])
    else:
        try:
            source = load_file(path, label, keep_going=True, read=read)
        except DataError as exc:
            validated[path.resolve()] = (None, exc.problems)
            return Checked(path, label, None, exc.problems, read=read)
        paper, problems = validate(source)
    validated[path.resolve()] = (paper, problems)
    resolved: Resolved | None = None
    chain: list[Path] = []
    if paper is not None and not any(p.severity == "error" for p in problems):
        resolved, more = _resolve_chain(source, paper, chain, validated, read)
        problems += more
    return Checked(path, label, paper, sorted(problems), resolved, tuple(chain), read)


def _validated(path: Path, validated: Validated, read: dict[Path, tuple[int, bytes]]) -> Paper | None:
    """A previous paper, loaded and validated once per command; None if it has errors."""
    from .load import load_file
    from .validate import validate

    key = path.resolve()
    if key not in validated:
        try:
            validated[key] = validate(load_file(path, _label(path), keep_going=True, read=read))
        except DataError as exc:
            validated[key] = (None, exc.problems)
    paper, problems = validated[key]
    return None if any(p.severity == "error" for p in problems) else paper


def _resolve_chain(source: Source, paper: Paper, paths: list[Path], validated: Validated,
                   read: dict[Path, tuple[int, bytes]]) -> tuple[Resolved | None, list[Problem]]:
    """Follow `previous` back to the first paper, then resolve each period against the one before.

    Every problem in the chain is reported at this file's `previous:` line, since that is
    where the secretary can act on it.
    """
    from .history import resolve
    from .load import previous_path

    at = ("paper", "previous")
    chain: list[Paper] = []
    names = [source.path.name]
    seen = {source.path.resolve()}
    path, current = source.path, paper
    while current.paper.previous is not None:
        target, why = previous_path(path, current.paper.previous)
        if target is None:
            if not chain:  # validate has said so already
                return None, []
            return None, [source.problem(at, f"the chain of previous papers breaks at {path.name}: {why}")]
        names.append(target.name)
        if target.resolve() in seen or len(chain) >= MAX_CHAIN:
            return None, [source.problem(at, f"previous papers form a loop ({' → '.join(names)}); "
                                         "each paper's previous must be an earlier period's paper")]
        seen.add(target.resolve())
        paths.append(target)
        before = _validated(target, validated, read)
        if before is None:
            return None, [source.problem(at, f"the previous paper {target.name} has errors; "
                                         f"run `generate.py check {_label(target)}` and fix them first")]
        if before.paper.period.last_day >= current.paper.period.last_day:
            return None, [source.problem(at, f"{target.name} is for {before.paper.period}, not before "
                                         f"{path.name} ({current.paper.period}); previous must name an earlier period's paper")]
        chain.append(before)
        path, current = target, before
    resolved_before: Paper | None = None
    earlier: list[Paper] = []
    for before_paper in reversed(chain):
        resolved_before = resolve(before_paper, resolved_before).paper
        earlier.append(resolved_before)
    result = resolve(paper, resolved_before)
    result.earlier = tuple(earlier)
    return result, [source.problem(where, message, severity="warning") for where, message in result.notes]


def _label(path: Path) -> str:
    """Name a file as the user would: relative to the current folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


COVER_FORMATS = ("pdf", "docx")
"""The formats of the committee cover report, built beside the paper's when it has `cover:`."""


def output_names(name: str, formats: Sequence[str], has_cover: bool) -> dict[str, str]:
    """The file name of each output, keyed as `render_paper` returns them: 'pdf', ..., 'cover-pdf'.

    A paper with a cover report gets NAME-cover.pdf with its PDF and NAME-cover.docx with its
    Word file, so `--format pdf` still builds everything a printed pack needs.
    """
    names = {fmt: f"{name}.{fmt}" for fmt in formats if fmt != LARGE_PRINT}
    if has_cover:
        names.update({f"cover-{fmt}": f"{name}-cover.{fmt}" for fmt in COVER_FORMATS if fmt in formats})
    return names


def render_paper(paper: Paper | Resolved, name: str, templates: Path, formats: Sequence[str], *, cache: Path | None = None,
                 fresh: bool = False, jobs: int = 1, progress: Progressing = False, workers: Workers | None = None) -> tuple[dict[str, bytes], int | None]:
    """Render one paper to every requested format, in memory; return outputs and PDF pages.

    Outputs are keyed by format, and the cover report's by 'cover-pdf' and 'cover-docx'
    (see `output_names`); pages are the paper's own. A long paper's PDF is laid out in
    slices by `jobs` processes (the build's `workers`, when it started them), kept in `cache`
    for the next build (`fresh`: nothing is taken from it), with `progress` on stderr.
    """
    from .derive import view
    from .history import Resolved, resolve
    from .palette import palette_for

    if not isinstance(paper, Resolved):
        paper = resolve(paper, None)
    if LARGE_PRINT in formats:
        paper = large_print_edition(paper)
    paper_view = view(paper.paper, name, paper.changes, palette_for(templates), paper.earlier)
    outputs: dict[str, bytes] = {}
    pages = None
    slices = None
    if cache is not None and {"pdf", "html"} & set(formats):  # only the PDF and the web page's chart use the cache
        from .render.pdf_cache import SliceCache

        slices = SliceCache(cache, templates, fresh=fresh)
    # The chart is drawn once for the web page and the PDF, when first needed: a long PDF draws it while
    # its slices are laid out. A Word-only build neither needs nor depends on it.
    drawn: list[Any] = []

    def chart() -> Any:
        if not drawn:
            from .render.html import chart_markup

            drawn.append(chart_markup(paper_view, slices))
        return drawn[0]

    cover_pdf: list[Callable[[], tuple[bytes, int]]] = []

    def start_cover_pdf() -> None:
        """The cover report's PDF begun: by the paper's PDF once its slices have gone to the workers, else when it is built.

        A failure is the cover report's, under its name, wherever it is begun.
        """
        from .render.cover import start_cover_pdf

        if not cover_pdf:
            cover_pdf.append(_stage(f"{name}-cover", "pdf", lambda: start_cover_pdf(paper_view, templates, slices, workers)))

    has_cover_pdf = paper_view.cover is not None and "pdf" in formats
    if "pdf" in formats:
        from .render.pdf import render_view_pdf

        report: Callable[[int, int], None] | None = None
        if progress is True:
            report = Progress(f"{name}.pdf")
        elif callable(progress):
            report = functools.partial(progress, f"{name}.pdf")
        outputs["pdf"], pages = _stage(name, "pdf", lambda: render_view_pdf(paper_view, templates, chart, cache=slices, jobs=jobs, progress=report,
                                                                                     workers=workers,
                                                                                     after_slices=start_cover_pdf if has_cover_pdf else None))
    if "html" in formats:
        from .render.html import render_html

        outputs["html"] = render_html(paper_view, templates, chart=chart()).encode("utf-8")
    if "xlsx" in formats or "csv" in formats:
        from .render.annex import render_csv, render_xlsx

        if "xlsx" in formats:
            outputs["xlsx"] = _stage(name, "xlsx", lambda: render_xlsx(paper_view))
        if "csv" in formats:
            outputs["csv"] = _stage(name, "csv", lambda: render_csv(paper_view))
    if "docx" in formats:
        from .render.docx import render_docx

        outputs["docx"] = _stage(name, "docx", lambda: render_docx(paper_view, templates / f"{paper_view.layout}.docx"))
    if paper_view.cover is not None and {"pdf", "docx"} & set(formats):
        from .render.cover import render_cover_docx

        if has_cover_pdf:
            start_cover_pdf()
            outputs["cover-pdf"] = _stage(f"{name}-cover", "pdf", lambda: cover_pdf[0]()[0])
        if "docx" in formats:
            outputs["cover-docx"] = _stage(f"{name}-cover", "docx", lambda: render_cover_docx(paper_view, templates))
    if slices is not None and "pdf" in formats:  # the cache keeps what this build used; a Word-only build leaves it be
        slices.keep_only()
    return outputs, pages


Progressing = bool | Callable[[str, int, int], None]
"""How a build reports a long PDF's progress: not at all, on stderr, or to a function (name, done, total)."""


class Progress:
    """Prints "NAME.pdf: 3 of 12 parts laid out" on stderr once a paper has taken a while; short work stays quiet."""

    AFTER = 2.0
    """Seconds of quiet before the first line."""
    EVERY = 2.0
    """Seconds between lines after that; the last part always has its line once any was printed."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.said: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        due = now - self.started >= self.AFTER and (self.said is None or now - self.said >= self.EVERY)
        if total > 1 and (due or (done == total and self.said is not None)):
            print(f"        {self.label}: {done} of {total} parts laid out", file=sys.stderr, flush=True)
            self.said = now


def _stage(name: str, fmt: str, work: Callable[[], T]) -> T:
    try:
        return work()
    except BoardpackError:
        raise
    except Exception as exc:  # a template edit the renderer cannot digest
        raise RenderError(f"{name}.{fmt}", "render", f"{type(exc).__name__}: {exc}") from exc


def _render_job(path: Path, name: str, templates: Path, formats: tuple[str, ...], out_dir: Path, fresh: bool, jobs: int, progress: Progressing,
                resolved: Resolved | None = None, workers: Workers | None = None,
                read: dict[Path, tuple[int, bytes]] | None = None) -> tuple[dict[str, bytes], int | None, float]:
    """Worker entry point: re-validating is cheaper than pickling the model across processes.

    A worker parses the bytes the building process read and fingerprinted (`read`: the paper
    file and its chain), never the files as they are now: a paper saved meanwhile (a `merge`)
    would otherwise be rendered and recorded under the fingerprint of its earlier bytes, and
    the next build would skip it. In the building process itself the paper already checked is
    passed in (`resolved`), as parsing a large paper again costs as much as rendering it. Any failure comes back as a
    BoardpackError, which pickles: an exception that did not would break the pool and fail
    every paper still building.
    """
    started = time.perf_counter()
    if resolved is None:
        checked = prepare(path, read=dict(read or {}))
        if checked.resolved is None:
            raise DataError(checked.errors)
        resolved = checked.resolved
    try:
        outputs, pages = render_paper(resolved, name, templates, formats, cache=out_dir / CACHE / name, fresh=fresh, jobs=jobs,
                                      progress=progress, workers=workers)
    except BoardpackError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported per paper, as a RenderError that pickles
        raise RenderError(name, "render", f"{type(exc).__name__}: {exc}") from None
    return outputs, pages, time.perf_counter() - started


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


RARE_COLLECTIONS = (100_000, 50, 1000)
"""Thresholds of Python's cyclic collector while papers are built (the default is 700, 10, 10)."""


@contextmanager
def collecting_rarely() -> Iterator[None]:
    """Run Python's cyclic collector rarely while papers are built.

    A paper makes millions of short-lived objects (layout boxes, Markdown tokens, XML
    elements) that reference counting frees; the default thresholds walk them again and
    again for the few cycles among them, a sixth of a PDF's layout time. Workers that lay
    out slices collect after each one (`render.workers`), so memory stays bounded.
    """
    before = gc.get_threshold()
    gc.set_threshold(*RARE_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _build(paths: Sequence[Path] | None, data_dir: Path, out_dir: Path, templates: Path, formats: Sequence[str], force: bool,
           jobs: int | None, on_paper: Callable[[Built], None] | None, progress: Progressing) -> list[Built]:
    found = _unique_names(find_papers(paths, data_dir, archived=False))
    formats = tuple(f for f in (*FORMATS, LARGE_PRINT) if f in formats)
    recalled = {} if force else _recall(found, out_dir, templates, formats)
    with _early_workers(formats, len(found) - len(recalled), jobs) as workers, _early_chart(formats, len(found) - len(recalled)):
        return _build_found(found, recalled, out_dir, templates, formats, force, jobs, on_paper, progress, workers)


@contextmanager
def _early_chart(formats: Sequence[str], papers: int) -> Iterator[None]:
    """For a build of one paper's Word file, a process that loads matplotlib now, to draw the summary chart once it is known.

    Several papers are built in processes of their own, which draw their charts themselves;
    a build with the PDF or the web page loads matplotlib for their chart anyway, and the
    Word file comes after them.
    """
    if "docx" not in formats or "pdf" in formats or "html" in formats or papers != 1:
        yield
        return
    from .render import chart_process

    chart_process.prepare()
    try:
        yield
    finally:
        chart_process.end()


@contextmanager
def _early_workers(formats: Sequence[str], papers: int, jobs: int | None) -> Iterator[Workers | None]:
    """Layout workers for a build of one paper's PDF, started now: they load WeasyPrint while the paper is read and checked.

    Several papers are built in processes of their own instead (`_build_checked`).
    """
    cores = jobs or os.cpu_count() or 1
    if "pdf" not in formats or papers != 1:
        yield None
        return
    from .render.workers import Workers

    if not Workers.possible(cores):
        yield None
        return
    with Workers(cores) as workers:
        yield workers


def _build_found(found: list[Path], recalled: dict[Path, Recalled], out_dir: Path, templates: Path, formats: tuple[str, ...],
                 force: bool, jobs: int | None, on_paper: Callable[[Built], None] | None, progress: Progressing,
                 workers: Workers | None) -> list[Built]:
    checked = check([p for p in found if p not in recalled])
    _cover_names_free(checked, list(recalled.values()))
    if checked:
        from .palette import palette_for

        # A broken palette stops the build here, before any paper is rendered. A recalled paper
        # was built with the palette as it is now, so it was a sound one.
        palette_for(templates)
    failed: dict[str, Built] = {}
    for c in checked:
        if c.paper is None or c.errors:
            name = edition(c.path.stem, formats)
            failed[name] = Built(name, warnings=c.warnings, errors=c.errors, error=f"{_plural(len(c.errors), 'error')} in {c.label}")
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
        found_again = recall(manifest.get(name), path, _label(path), templates, formats, outputs)
        if found_again is not None:
            recalled[path] = found_again
    return recalled


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _cover_names_free(checked: Sequence[Checked], recalled: Sequence[Recalled] = ()) -> None:
    """NAME-cover.pdf is the cover report of NAME; a paper file called NAME-cover would overwrite it."""
    stems = {p.stem: p for p in [*(c.path for c in checked), *(r.path for r in recalled)]}
    covered: list[Checked | Recalled] = [c for c in checked if c.paper is not None and c.paper.cover is not None]
    covered += [r for r in recalled if r.cover]
    problems = [Problem(_label(stems[f"{c.path.stem}-cover"]), 0, 0, "", f"has the name of the cover report of {c.label} "
                        "(NAME-cover.pdf), so their outputs would overwrite each other; rename the file")
                for c in covered if f"{c.path.stem}-cover" in stems]
    if problems:
        raise DataError(problems)


def _unique_names(paths: Sequence[Path]) -> list[Path]:
    """Outputs are named after the paper file; two files of one name would overwrite each other.

    The same file named twice is built once.
    """
    seen: dict[str, Path] = {}
    unique, problems = [], []
    for path in paths:
        first = seen.setdefault(path.stem, path)
        if first is path:
            unique.append(path)
        elif first.resolve() != path.resolve():
            problems.append(Problem(_label(path), 0, 0, "", f"has the same name as {_label(first)}, so their outputs "
                                    f"would overwrite each other in the build folder; rename one of them"))
    if problems:
        raise DataError(problems)
    return unique


def _die_with_parent() -> None:
    """Worker start-up: ask Linux to end this worker when the build that started it dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - not glibc
            return
        if os.getppid() == 1:  # the parent died before the request took effect
            os._exit(1)


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
                results[name] = Built(name, warnings=c.warnings, errors=c.errors, error=f"{_plural(len(c.errors), 'error')} in {c.label}")
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

        with ProcessPoolExecutor(max_workers=processes, initializer=_die_with_parent) as pool:
            futures = [(c, name, key, pool.submit(_render_job, c.path, name, templates, formats, out_dir, force, 1, progress is True,
                                                  read=_bytes_read(c))) for c, name, key in todo]
            for c, name, key, future in futures:
                try:
                    finish(c, name, key, future.result())
                except Exception as exc:  # noqa: BLE001 - reported per paper
                    finish(c, name, key, exc)
    else:
        for c, name, key in todo:
            try:
                finish(c, name, key, _render_job(c.path, name, templates, formats, out_dir, force, jobs or os.cpu_count() or 1, progress,
                                                 c.resolved, workers))
            except Exception as exc:  # noqa: BLE001 - reported per paper
                finish(c, name, key, exc)
    return [results[name] for name in order]


def view_counts(paper: Paper) -> dict[str, int]:
    """RAG counts of a whole paper, for the one-line summary."""
    from .derive import count_statuses

    return dict(count_statuses(item for report in paper.reports for item in report.items))


__all__ = ["COVER_FORMATS", "FORMATS", "Built", "Checked", "build", "check", "find_papers", "prepare", "render_paper"]
