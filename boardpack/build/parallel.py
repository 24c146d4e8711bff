"""The processes of a build: papers rendered apart, the layout workers and chart drawer started early, the collector run rarely."""

from __future__ import annotations

import functools
import gc
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..chain import Checked, prepare
from ..errors import BoardpackError, DataError, RenderError
from ..write import CACHE
from .options import BuildOptions
from .outputs import render_paper
from .report import Progressing

if TYPE_CHECKING:
    from ..history import Resolved
    from ..render.pdf.workers import Workers


def render_job(path: Path, name: str, templates: Path, formats: tuple[str, ...], out_dir: Path, fresh: bool, jobs: int, progress: Progressing,
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


Outcome = tuple[dict[str, bytes], int | None, float] | BaseException
"""A paper's outputs, PDF pages and seconds, or why it failed."""


def rendered(todo: Sequence[tuple[Checked, str, str]], options: BuildOptions,
             workers: Workers | None) -> Iterator[tuple[tuple[Checked, str, str], Outcome]]:
    """Each paper to render (checked, name, inputs key) with its outcome, in order, as each is ready.

    Several papers are rendered in processes of their own, at once; one paper (or `jobs=1`) in
    this process, where it uses the build's early `workers` for its PDF's slices. Either way the
    caller sees the same: a paper's outcome as soon as it and those before it are done.
    """
    processes = min(options.jobs or os.cpu_count() or 1, len(todo))
    if processes > 1:
        from concurrent.futures import ProcessPoolExecutor  # only now: a build where nothing changed starts no process

        with ProcessPoolExecutor(max_workers=processes, initializer=die_with_parent) as pool:
            futures = [(item, pool.submit(render_job, item[0].path, item[1], options.templates, options.formats, options.out_dir,
                                          options.force, 1, options.progress is True, read=_bytes_read(item[0]))) for item in todo]
            for item, future in futures:
                yield item, _outcome(future.result)
        return
    for item in todo:
        c, name, _key = item
        yield item, _outcome(functools.partial(render_job, c.path, name, options.templates, options.formats, options.out_dir, options.force,
                                               options.jobs or os.cpu_count() or 1, options.progress, c.resolved, workers))


def _outcome(work: Callable[[], tuple[dict[str, bytes], int | None, float]]) -> Outcome:
    try:
        return work()
    except Exception as exc:  # noqa: BLE001 - reported per paper
        return exc


def _bytes_read(checked: Checked) -> dict[Path, tuple[int, bytes]]:
    """The paper file and its chain as the check read them, for a worker to parse (not the whole command's)."""
    return {p: checked.read[p] for p in (checked.path, *checked.chain) if p in checked.read}


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


@contextmanager
def early_chart(formats: Sequence[str], papers: int) -> Iterator[None]:
    """For a build of one paper's Word file, a process that loads matplotlib now, to draw the summary chart once it is known.

    Several papers are built in processes of their own, which draw their charts themselves;
    a build with the PDF or the web page loads matplotlib for their chart anyway, and the
    Word file comes after them.
    """
    if "docx" not in formats or "pdf" in formats or "html" in formats or papers != 1:
        yield
        return
    from ..render.chart import process as chart_process

    chart_process.prepare()
    try:
        yield
    finally:
        chart_process.end()


@contextmanager
def early_workers(formats: Sequence[str], papers: int, jobs: int | None) -> Iterator[Workers | None]:
    """Layout workers for a build of one paper's PDF, started now: they load WeasyPrint while the paper is read and checked.

    Several papers are built in processes of their own instead (`_build_checked`).
    """
    cores = jobs or os.cpu_count() or 1
    if "pdf" not in formats or papers != 1:
        yield None
        return
    from ..render.pdf.workers import Workers

    if not Workers.possible(cores):
        yield None
        return
    with Workers(cores) as workers:
        yield workers


def die_with_parent() -> None:
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
