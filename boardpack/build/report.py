"""What a build says of each paper (`Built`) and how it reports a long PDF's progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem

if TYPE_CHECKING:
    from ..model import Paper


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
        if total > 1 and done and (due or (done == total and self.said is not None)):  # no line for the plan alone (0 done)
            print(f"        {self.label}: {done} of {total} parts laid out", file=sys.stderr, flush=True)
            self.said = now


def view_counts(paper: Paper) -> dict[str, int]:
    """RAG counts of a whole paper, for the one-line summary."""
    from ..derive import count_statuses

    return dict(count_statuses(item for report in paper.reports for item in report.items))
