"""The one writer of paper files in `data/`: every command that changes or creates one comes here.

    with PaperFile.open(path, label) as pf:     # the paper's lock taken, the file read under it
        pf.data["reports"][0]["items"][0]["status"] = "GREEN"   # the round-trip tree
        pf.save()                               # checked with the paper's rules, written atomically

    PaperFile.create(path, text, label)          # a new paper file (roll, import), never over another

What it guarantees, whoever calls it (a command, or a web request in a thread):
- One lock per paper (`data/.NAME.yaml.lock`, beside the real file): held across processes
  and threads, so two merges, or a merge and an edit, run one after the other, and the second
  plans its changes against the file the first wrote (it re-reads the file under the lock).
- The result is checked with the paper's rules before anything is written; a refused or failed
  write leaves the file byte-identical and no half-written file behind.
- A symlinked paper is written through: the link's target gets the new text, the link stays.
- The file keeps its mode, owner and group (as far as the system lets the user give them), its
  hard links, its UTF-8 byte-order mark and its line ends; only the lines that change differ.
- Temporary files a killed writer of this paper left (`.NAME.yaml.XXXX.part`) are removed
  once the lock is held, when nothing can be using them.
- Every failure to write (a read-only folder, a full disk) is a `DataError` naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .errors import DataError, Problem, UsageError
from .load import load_text, read_paper_bytes
from .model import Paper
from .roundtrip import Document
from .validate import validate
from .write import replace_atomic, staged, sync_folder, write_all, write_new

log = logging.getLogger(__name__)
_held = threading.local()
"""The locks of papers this thread holds."""

_trees: dict[Path, tuple[bytes, Document]] = {}
"""Per paper file, the round-trip document of this process's last write of it and the bytes written.

Parsing a paper for rewriting is most of the time of a save; the next writer of that file starts
from the document instead when the file still holds exactly those bytes. A document is taken out
while it is used, so no two writers share one, and is kept only when its tree was left as written.
"""
_trees_lock = threading.Lock()

LOCK_SUFFIX = ".lock"
UNDO_SUFFIX = ".undo"
REDO_SUFFIX = ".redo"


def real_file(path: Path) -> Path:
    """The file a paper's name stands for: a symlink followed to its end (a new name: itself, made absolute)."""
    return Path(os.path.realpath(path))


def lock_file(path: Path) -> Path:
    """The paper's lock: `.NAME.yaml.lock` beside the real file, so every name of one file shares it."""
    real = real_file(path)
    return real.with_name(f".{real.name}{LOCK_SUFFIX}")


def _cannot(label: str, what: str, exc: OSError, outcome: str) -> DataError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason += " (the folder or file is read-only for you)"
    elif exc.errno == errno.ENOSPC:
        reason += " (free some space and run it again)"
    return DataError([Problem.about(label, f"cannot {what}: {reason}; {outcome}")])


@contextlib.contextmanager
def paper_lock(path: Path, label: str | None = None) -> Iterator[None]:
    """Hold the lock of the paper at `path` (waiting for another holder to finish).

    Blocking: a thread of a web server waits here as a second process does; the thread that
    holds it may take it again (a nested open) without waiting. While it is held,
    temporary files left by a killed writer of this paper are removed, and a write of a
    hard-linked paper that was interrupted is undone (see `_write_in_place`).
    """
    label = label or str(path)
    held: set[Path] = _held.__dict__.setdefault("papers", set())
    key = lock_file(path)
    if key in held:  # this thread holds it already (a nested open): taking it again would wait forever
        yield
        return
    lock = FileLock(key)  # one open file per acquisition, so other threads wait as other processes do
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.warning("waiting for another command writing %s to finish ...", label)
            lock.acquire()
    except OSError as exc:
        raise _cannot(label, f"take the paper's lock {lock.lock_file}", exc, "nothing was changed") from None
    held.add(key)
    try:
        _tidy(real_file(path), label)
        yield
    finally:
        held.discard(key)
        lock.release()


def stale_parts(path: Path) -> list[Path]:
    """Temporary files of this paper's writers (`.NAME.yaml.XXXX.part`); only stale while its lock is held."""
    real = real_file(path)
    return sorted(Path(p) for p in glob.glob(os.path.join(glob.escape(str(real.parent)), f".{glob.escape(real.name)}.*.part")))


def _tidy(real: Path, label: str) -> None:
    for leftover in stale_parts(real):
        with contextlib.suppress(OSError):
            leftover.unlink()
    _recover(real, label)


def _take(file: Path, raw: bytes) -> Document | None:
    """The document of this process's last write of `file`, if the file still holds what was written."""
    with _trees_lock:
        kept = _trees.pop(file, None)
    return kept[1] if kept is not None and kept[0] == raw else None


class PaperFile:
    """A paper file open for editing under its lock: the round-trip tree of the bytes read under it.

    Use `PaperFile.open` (a context manager); `data` is the ruamel.yaml round-trip tree to
    change, `paper` the validated paper of the file as read, `save()` writes the tree back.
    """

    def __init__(self, path: Path, label: str, raw: bytes, *, locked: bool) -> None:
        self.path = path
        """The paper's name, as given (it may be a symlink)."""
        self.file = real_file(path)
        """The file that is written: the link's target for a symlink."""
        self.label = label
        self.raw = raw
        """The file's bytes as read (under the lock)."""
        self.locked = locked
        kept = _take(self.file, raw) if locked else None
        if kept is not None:
            kept.path, kept.label = path, label
        self._doc = kept or Document(path, label, raw)
        self._paper: Paper | None = None
        self._as_written = False
        """The tree is the text last written, and nobody has been handed it since."""

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path, label: str | None = None, *, write: bool = True) -> Iterator[PaperFile]:
        """Open the paper at `path` for editing, holding its lock until the block ends.

        With `write=False` (a dry run, a preview) no lock is taken and `save` is refused.
        """
        label = label or str(path)
        with paper_lock(path, label) if write else contextlib.nullcontext():
            pf = cls(path, label, read_paper_bytes(path, label), locked=write)
            yield pf
            if pf._as_written:
                with _trees_lock:
                    _trees[pf.file] = (pf.raw, pf._doc)

    @property
    def data(self) -> Any:
        """The round-trip tree: change it in place (`set_after` places a new key)."""
        self._as_written = False
        return self._doc.data

    @property
    def paper(self) -> Paper:
        """The paper as read (before any change to `data`), validated; DataError if it does not check."""
        if self._paper is None:
            self._paper = self.valid(self._doc.text)
        return self._paper

    def text(self) -> str:
        """The tree as the file's text now (line ends LF, no byte-order mark)."""
        return self._doc.dump()

    def check(self) -> Paper:
        """The paper the tree now makes; DataError (naming the file) if it would not check."""
        return self.valid(self.text())

    def encoded(self) -> bytes:
        """The bytes `save` would write: checked, in the file's own encoding and line ends."""
        return self._doc.encode(self._doc.checked())

    def valid(self, text: str) -> Paper:
        """The paper `text` makes, checked with the paper's rules (DataError naming the file if it does not check).

        Each text is checked once per open file: a text checked before it is written is not checked again.
        """
        return _valid_of(*self._doc.validated(text))

    @property
    def document(self) -> Document:
        """The round-trip document of the file as read (its tree is `data`)."""
        self._as_written = False
        return self._doc

    def save(self) -> bool:
        """Check the tree and write it to the file; False if that would change no byte.

        Refused (DataError) if the file was changed on disk since it was read (by a program
        that does not take the lock, such as an editor), so that change is never lost.
        """
        data = self.encoded() if self.locked else b""
        if self.locked and data == self.raw:
            return False
        self._write(data)
        return True

    def replace(self, text: str) -> bytes:
        """Write `text` as the paper's whole new text (a restored version, an edit made as text), checked first.

        Saved in the file's own encoding and line ends; returns the bytes written.
        """
        self.valid(text)
        data = self._doc.encode(text)
        if data != self.raw:
            self._write(data)
        return data

    def _write(self, data: bytes) -> None:
        if not self.locked:
            raise UsageError(f"{self.label}: opened without its lock (write=False); nothing was written")
        outcome = "the file was left as it was"
        try:
            now = read_paper_bytes(self.path, self.label)
        except DataError:
            now = None
        if now != self.raw:
            raise DataError([Problem.about(self.label, "the file was changed by another program while this command "
                                     f"ran; {outcome}: run the command again")])
        try:
            info = os.stat(self.file)
            if info.st_nlink > 1:
                _write_in_place(self.file, data, self.raw)
            else:
                replace_atomic(self.file, data)
        except OSError as exc:
            raise _cannot(self.label, "write the paper file", exc, outcome) from None
        self.raw = data
        dumped = self._doc.dumped
        if dumped is not None and self._doc.encode(dumped) == data:
            self._doc.written(dumped)
            self._as_written = True


    @staticmethod
    def create(path: Path, text: str, label: str | None = None, *, like: PaperFile | None = None) -> None:
        """Write a new paper file under its lock; never over an existing file or link (UsageError).

        `text` is checked with the paper's rules first (DataError naming `label`). With `like`
        (the paper it was made from, as `roll` does) it is saved as that file is: byte-order
        mark and line ends. Its mode is the one the umask gives a new file.
        """
        label = label or str(path)
        _valid(text, path, label)
        data = like._doc.encode(text) if like is not None else text.encode("utf-8")
        outcome = "no paper file was written"
        with paper_lock(path, label):
            if os.path.lexists(path):
                raise UsageError(f"{path} already exists; it was left as it was (remove it, or choose another name with -o)")
            try:
                write_new(path, data)
            except FileExistsError:
                raise UsageError(f"{path} already exists; it was left as it was") from None
            except OSError as exc:
                raise _cannot(label, "write the new paper file", exc, outcome) from None


def edit_paper(path: Path, change: Callable[[Any], None], label: str | None = None) -> bool:
    """Change the paper at `path` under its lock: `change(tree)` edits the round-trip tree; True if written."""
    with PaperFile.open(path, label) as pf:
        change(pf.data)
        return pf.save()


def valid_text(text: str, path: Path, label: str | None = None) -> Paper:
    """The paper `text` makes as the file at `path` (a new file, say), checked as a write checks it; DataError if not."""
    return _valid_of(*validate(load_text(text, path, label or str(path))))


def _valid(text: str, path: Path, label: str) -> Paper:
    return valid_text(text, path, label)


def _valid_of(paper: Paper | None, problems: list[Problem]) -> Paper:
    errors = [p for p in problems if p.severity == "error"]
    if paper is None or errors:
        raise DataError(errors or problems)
    return paper


# --- hard-linked papers -----------------------------------------------------------------------
#
# A rename gives the name a new file, so the other names of a hard-linked paper would keep the
# old text: the link is silently cut, and the copy the secretary linked elsewhere goes stale.
# A paper with more than one link is therefore rewritten in place, which keeps every name on
# the one file, with a journal beside it so that a failure or a kill in the middle never
# leaves a half-written paper: `.NAME.yaml.undo` (the old bytes) and `.NAME.yaml.redo` (the
# new), both written whole and synced before the file is touched. On a failure the old bytes
# are written back at once; after a kill, the next writer of the paper (under its lock) finds
# the journal and puts the old bytes back if the file holds a part-written mix of the two, or
# just removes the journal if the file is whole. If the file is neither (changed by hand
# since), it is left alone and the writer is refused, naming the journal. The cost: a program
# that reads the paper without its lock may see the write in progress, for the moment it takes.


def _journal(real: Path) -> tuple[Path, Path]:
    return real.with_name(f".{real.name}{UNDO_SUFFIX}"), real.with_name(f".{real.name}{REDO_SUFFIX}")


def _write_in_place(real: Path, new: bytes, old: bytes) -> None:
    undo, redo = _journal(real)
    try:
        for name, data in ((redo, new), (undo, old)):  # the undo file last: it marks the journal complete
            tmp = staged(name, data)
            try:
                os.replace(tmp, name)
            finally:
                tmp.unlink(missing_ok=True)
        sync_folder(real.parent)
    except BaseException:
        _forget(undo, redo)  # the paper was not touched yet
        raise
    try:
        _overwrite(real, new)
    except BaseException:
        _overwrite(real, old)
        _forget(undo, redo)
        raise
    _forget(undo, redo)


def _overwrite(real: Path, data: bytes) -> None:
    fd = os.open(real, os.O_WRONLY | os.O_CLOEXEC)
    try:
        write_all(fd, data, 0)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _forget(undo: Path, redo: Path) -> None:
    undo.unlink(missing_ok=True)
    redo.unlink(missing_ok=True)
    sync_folder(undo.parent)


def _recover(real: Path, label: str) -> None:
    """Finish the journal of an interrupted in-place write of this paper, if there is one."""
    undo, redo = _journal(real)
    if not undo.is_file():
        redo.unlink(missing_ok=True)  # killed before the journal was complete: the file was not touched
        return
    try:
        old, now = undo.read_bytes(), real.read_bytes()
        new = redo.read_bytes() if redo.is_file() else None
    except OSError as exc:
        raise _cannot(label, f"read the journal of an interrupted write ({undo})", exc, "nothing was changed") from None
    if now in (old, new):
        _forget(undo, redo)
        return
    if new is not None and _torn(now, old, new):
        try:
            _overwrite(real, old)
            _forget(undo, redo)
        except OSError as exc:
            raise _cannot(label, f"put back the paper an interrupted write left half-written (it is in {undo})", exc,
                          "nothing else was changed") from None
        log.warning("%s: an earlier write was interrupted; the file was put back as it was before it", label)
        return
    raise DataError([Problem.about(label, f"an earlier write of this paper was interrupted, and the file was changed "
                             f"since; {undo} holds the paper as it was before that write: compare the two, keep what is "
                             f"right, then remove {undo.name} and {redo.name}")])


def _torn(now: bytes, old: bytes, new: bytes) -> bool:
    """`now` is what writing `new` over `old` from the start leaves part of the way: new[:k] + old[k:]."""
    k = len(os.path.commonprefix([now, new]))
    return now[k:] == old[k:]


def edit_yaml(path: Path, change: Callable[[Any], None], check: Callable[[str], object], label: str | None = None,
              *, new: str | None = None) -> bool:
    """Change another YAML file of the data folder (the owners directory) as a paper is changed; True if written.

    Under the file's lock, through the round-trip writer (comments, order and layout kept):
    `change(tree)` edits the tree, `check(text)` raises DataError if the new text is not allowed,
    and the file is replaced atomically, or left byte-identical. A file that does not exist yet is
    started from `new` (its first text) when given.
    """
    label = label or str(path)
    with paper_lock(path, label):
        if new is not None and not os.path.lexists(path):
            document = Document(path, label, new.encode("utf-8"))
            raw = None
        else:
            raw = read_paper_bytes(path, label)
            document = Document(path, label, raw)
        change(document.data)
        text = document.dump()
        check(text)
        data = document.encode(text)
        if data == raw:
            return False
        try:
            if raw is None:
                write_new(path, data)
            elif os.stat(real_file(path)).st_nlink > 1:
                _write_in_place(real_file(path), data, raw)
            else:
                replace_atomic(real_file(path), data)
        except OSError as exc:
            raise _cannot(label, "write the file", exc, "the file was left as it was") from None
    return True
