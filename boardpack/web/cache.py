"""Each paper as `check` sees it, and what the pages derive from it, kept until its files change.

A page of the workspace reads a paper many times a minute while it changes a few times a
minute, so the work of reading it (load, rules, the chain of previous papers: a quarter of a
second for a 100-item paper) is done once per version of its files, and so is what the pages
derive from that (the paper's rows as its HTML prints them, the items by identity, the table
of items). A version is told by the files' modification times and sizes as they were read and
the folder's list of papers: a save, a merge or a hand edit of the paper or of a paper of its
chain makes the next request read it again, once, whichever thread asks first (the others
wait for that reading instead of doing it too).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..build import find_papers
from ..chain import Checked, prepare
from ..errors import DataError, Problem
from ..load import Source
from ..model import Paper

T = TypeVar("T")

Stamp = tuple[tuple[str, ...], dict[Path, tuple[int, int] | None]]


@dataclass
class _Entry:
    stamp: Stamp
    result: Checked
    derived: dict[str, Any] = field(default_factory=dict)
    lock: Any = field(default_factory=threading.RLock)  # re-entrant: what one derivation makes may use another


_entries: dict[Path, _Entry] = {}
_reading: dict[Path, threading.Lock] = {}
"""Per paper, held by the thread that reads it again, so the others wait for its result."""
_lock = threading.Lock()


def names(folder: Path) -> tuple[str, ...]:
    try:
        return tuple(p.name for p in find_papers(None, folder))
    except DataError:
        return ()


def _current(files: Iterable[Path]) -> dict[Path, tuple[int, int] | None]:
    now: dict[Path, tuple[int, int] | None] = {}
    for file in files:
        try:
            info = file.stat()
        except OSError:
            now[file] = None
            continue
        now[file] = (info.st_mtime_ns, info.st_size)
    return now


def _fresh(path: Path) -> _Entry | None:
    with _lock:
        kept = _entries.get(path)
    if kept is not None and kept.stamp == (names(path.parent), _current(kept.stamp[1])):
        return kept
    return None


def _entry(path: Path) -> _Entry:
    kept = _fresh(path)
    if kept is not None:
        return kept
    with _lock:
        reading = _reading.setdefault(path, threading.Lock())
    with reading:
        kept = _fresh(path)  # read by the thread this one waited for
        if kept is not None:
            return kept
        listed = names(path.parent)
        result = prepare(path, path.name)
        # As read (modification time taken before reading): a change made during the check shows next time.
        files: dict[Path, tuple[int, int] | None] = {file: (mtime, len(raw)) for file, (mtime, raw) in result.read.items()}
        files.setdefault(path, None)
        entry = _Entry((listed, files), result)
        with _lock:
            _entries[path] = entry
        return entry


def checked(path: Path) -> Checked:
    """The paper as `check` sees it, kept until its file, a paper of its chain or the folder's list of papers changes.

    A save of one paper leaves the other papers' checks as they were.
    """
    return _entry(path).result


def derived(result: Checked, what: str, make: Callable[[], T]) -> T:
    """`make()`, made once per checked version of the paper (`result`, as `checked` gave it) and kept with it.

    `what` names what is made, with everything else it depends on (a palette, say).
    """
    entry = _entries.get(result.path)
    if entry is None or entry.result is not result:
        return make()  # a version no longer kept: made for this request only
    with entry.lock:
        if what not in entry.derived:
            entry.derived[what] = make()
        made: T = entry.derived[what]
    return made


def prime(path: Path, written: bytes, loaded: tuple[Source, Paper | None, list[Problem]]) -> None:
    """Keep the paper as a save just wrote it (`written`, loaded and validated by the writer), if the file still holds it.

    The paper's chain is read as usual; the file itself is not loaded again.
    """
    with _lock:
        reading = _reading.setdefault(path, threading.Lock())
    with reading:
        listed = names(path.parent)
        try:
            info = path.stat()  # before reading: a change made after this shows next time
            if path.read_bytes() != written:
                return  # changed again since: the next reader reads it
        except OSError:
            return
        result = prepare(path, path.name, loaded=loaded)
        files: dict[Path, tuple[int, int] | None] = {file: (mtime, len(raw)) for file, (mtime, raw) in result.read.items()}
        files[path] = (info.st_mtime_ns, info.st_size)
        with _lock:
            _entries[path] = _Entry((listed, files), result)


def warm(folder: Path) -> threading.Thread:
    """Check every paper of the folder in the background, so the first pages after a start find them kept."""
    def run() -> None:
        for path in find_papers_quietly(folder):
            try:
                checked(path)
            except Exception:  # noqa: BLE001, S112 - a page that asks for the paper reads it again and shows what is wrong
                continue

    thread = threading.Thread(target=run, name="boardpack-warm", daemon=True)
    thread.start()
    return thread


def find_papers_quietly(folder: Path) -> list[Path]:
    try:
        return list(find_papers(None, folder))
    except DataError:
        return []


def forget() -> None:
    """Drop everything kept (for tests)."""
    with _lock:
        _entries.clear()
