"""Archived papers: quarters that are settled, still read as the `previous:` of later papers.

A paper marked `archived: true` among its paper's fields keeps its place in the chain (the
timelines and changes of the papers after it read it), but a build of the papers' folder no
longer rebuilds it, and a check no longer reports its overdue items or other warnings: it
would otherwise reprint them in every build, quarter after quarter.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .errors import DataError
from .names import MAX_FILE_BYTES, paper_files

MARK = b"archived"
"""The key as the file must spell it: a file without these bytes is not archived, and is not parsed here."""


def is_archived(path: Path) -> bool:
    """Whether a paper file says `archived: true` among its paper's own fields; a file that cannot be read is not."""
    try:
        if not _marked(path):
            return False
        from .load import load_file  # only now: a build that recalls every paper loads no YAML parser

        data = load_file(path, str(path), keep_going=True).data
    except (OSError, DataError):
        return False
    paper = data.get("paper") if isinstance(data, dict) else None
    return isinstance(paper, dict) and paper.get("archived") is True


def _marked(path: Path) -> bool:
    """Whether a regular file holds the key's bytes.

    A FIFO or device named *.yaml is never read: it is opened without waiting (reading a FIFO
    waits for a writer for ever) and passed by, for the load to refuse it with its message.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return False
        return MARK in handle.read(MAX_FILE_BYTES + 1)


def current(paths: Iterable[Path]) -> list[Path]:
    """The paper files that are not archived."""
    return [path for path in paths if not is_archived(path)]


def archived_in(folder: Path) -> list[Path]:
    """A folder's archived paper files, which a build or check of the folder leaves out."""
    if not folder.is_dir():
        return []
    return [path for path in paper_files(folder) if is_archived(path)]


def left_out(folder: Path, what: str) -> str | None:
    """'archived, not rebuilt: 2021-06-hmicfrs-tracker' for a folder with archived papers; None without."""
    names = [path.stem for path in archived_in(folder)]
    return f"archived, {what}: {', '.join(names)}" if names else None
