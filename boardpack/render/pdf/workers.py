"""Forked processes that lay out PDFs, started as early as a build knows it will need them.

This module imports nothing heavy, so the build can fork its workers before it loads the
parser and the model: they load WeasyPrint (half a second) while it reads the paper.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types import Marks, Rendered, Tree


def _start_worker() -> None:
    """A worker's start: load WeasyPrint, and freeze what was inherited so collections never walk it."""
    from .layout import start_worker

    start_worker()


def _ready() -> None:
    """Nothing: submitted once so that the workers start at once."""


def in_worker(html: str, templates: Path, stand_ins: frozenset[str]) -> Rendered:
    """`layout.render_slice` in a worker, which then frees the slice's cycles, so a long paper's workers stay small."""
    from .layout import render_slice

    try:
        return render_slice(html, templates, stand_ins)
    finally:
        gc.collect()


def _outline_in_worker(pages: Sequence[Marks]) -> Tree:
    from .layout import outline

    return outline(pages)


class Workers:
    """A pool of forked layout processes; a context manager.

    Besides a paper's slices they lay out the cover report, make the footer font and nest the
    joined outline, so a build whose pages all go to them never loads WeasyPrint itself.
    """

    def __init__(self, jobs: int) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs
        self.pool: Any = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker)
        self.pool.submit(_ready)  # with fork, every worker starts on the first submission

    @staticmethod
    def possible(jobs: int) -> bool:
        return jobs > 1 and "fork" in multiprocessing.get_all_start_methods()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(cancel_futures=True)

    def start(self, html: str, templates: Path) -> Callable[[], Rendered]:
        """One document (the cover report) handed to a worker; the function returned waits for it."""
        return self.pool.submit(in_worker, html, templates, frozenset()).result  # type: ignore[no-any-return]

    def nest(self, pages: Sequence[Marks]) -> Tree:
        """The joined paper's outline, nested in a worker (see `join.join`)."""
        return self.pool.submit(_outline_in_worker, list(pages)).result()  # type: ignore[no-any-return]
