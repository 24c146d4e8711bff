"""Put outputs into `build/` without ever leaving a half-written file there.

Each output goes to a temporary file in the same folder and is moved into place with
one rename, which is atomic on the same file system: a reader (or a crash) sees the old
file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import BoardpackError, UsageError

MANIFEST = ".boardpack-manifest.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to `path` so that it is either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _staged(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def commit_outputs(files: dict[Path, bytes]) -> None:
    """Replace a paper's outputs as a group: all of them, or (on any failure) none.

    Every output is first written whole beside its target; only then are they renamed into
    place, the old files kept as hard links until every rename has succeeded, so a blocked
    target or a full disk leaves the previous outputs as they were.
    """
    staged: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for path, data in files.items():
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(21, "a folder is in the way", str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            staged[path] = _staged(path, data)
        for path in files:
            if path.is_file() and not path.is_symlink():
                backup = Path(tempfile.mktemp(prefix=f".{path.name}.", suffix=".old.part", dir=path.parent))  # noqa: S306 - os.link never overwrites
                os.link(path, backup)
                backups[path] = backup
        for path, tmp in staged.items():
            os.replace(tmp, path)
            done.append(path)
    except BaseException:
        for path in reversed(done):  # put the previous outputs back
            if path in backups:
                os.replace(backups.pop(path), path)
            else:
                path.unlink(missing_ok=True)
        raise
    finally:
        for leftover in [*staged.values(), *backups.values()]:
            Path(leftover).unlink(missing_ok=True)


def _staged(path: Path, data: bytes) -> Path:
    """The data written whole and synced to a temporary file beside `path`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


LOCK = ".boardpack.lock"
CACHE = Path(".cache") / "pdf"
"""Under the build folder: each paper's laid-out PDF slices from its last build (`render.pdf_cache`)."""


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold the build folder for one build at a time; a second build waits its turn.

    While it is held, any temporary file in the folder was left by a build that was killed,
    and is removed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another build of {out_dir}/ to finish ...", file=sys.stderr, flush=True)
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            for stale in stale_parts(out_dir):
                stale.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_new(path: Path, data: bytes) -> None:
    """Write a new file whole, or not at all; never replace one that exists (FileExistsError)."""
    tmp = _staged(path, data)
    try:
        os.link(tmp, path)  # atomic, and fails if the name is taken
    finally:
        tmp.unlink(missing_ok=True)


def fingerprint(files: Iterable[Path], *extra: str) -> str:
    """A hash of the inputs of a paper: if it is unchanged, so are the outputs."""
    digest = hashlib.sha256()
    for value in extra:
        digest.update(value.encode() + b"\0")
    for file in files:
        digest.update(str(file).encode() + b"\0")
        digest.update(file.read_bytes() if file.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The fingerprints of the last successful build of each paper; empty if unreadable."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    write_atomic(out_dir / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n")


def is_build_folder(out_dir: Path) -> bool:
    """A folder boardpack built into: it holds the manifest (or the lock of a first build)."""
    return (out_dir / MANIFEST).is_file() or (out_dir / LOCK).is_file()


def built_files(out_dir: Path, manifest: dict[str, Any]) -> list[Path]:
    """The files the manifest says boardpack wrote, kept to names directly inside `out_dir`."""
    names: set[str] = set()
    for entry in manifest.values():
        outputs = entry.get("outputs", []) if isinstance(entry, dict) else []
        names.update(n for n in outputs if isinstance(n, str))
    # A manifest is data too: a name that climbs out of the folder is never followed.
    return sorted(out_dir / n for n in names if n and Path(n).name == n and n not in (".", ".."))


def _cache_folders(out_dir: Path) -> list[Path]:
    """The slice cache's paper folders: real folders only, never reached through a link."""
    root = out_dir / CACHE
    if root.parent.is_symlink() or root.is_symlink() or not root.is_dir():
        return []
    return [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()]


def cached_slices(out_dir: Path) -> list[Path]:
    """The files of the PDF slice cache: only names it writes, one real folder down per paper, never through a link."""
    from .render.pdf_cache import is_cache_file

    return sorted(f for folder in _cache_folders(out_dir) for f in folder.iterdir() if is_cache_file(f.name) and (f.is_file() or f.is_symlink()))


def stale_parts(out_dir: Path) -> list[Path]:
    """Temporary files a killed build left behind (`.NAME.XXXX.part`)."""
    return sorted(p for p in out_dir.glob(".*.part") if p.is_file() or p.is_symlink())


def clean(out_dir: Path) -> int:
    """Remove what boardpack wrote in `out_dir`, and nothing else; return how many files went.

    Only the files the manifest lists (and stale temporary files) are removed, so a
    mistyped `--out data` or `--out .` cannot delete a secretary's papers. A folder that
    holds files but no manifest was not built by boardpack and is refused.
    """
    if not out_dir.exists():
        return 0
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is not a folder")
    if not is_build_folder(out_dir):
        if any(out_dir.iterdir()):
            raise UsageError(f"{out_dir}/ is not a build folder (it has no {MANIFEST}); nothing was removed. "
                             "clean only removes what boardpack built")
        return 0
    targets = [*built_files(out_dir, read_manifest(out_dir)), *stale_parts(out_dir), out_dir / MANIFEST]
    removed = 0
    try:
        for path in targets:
            if path.is_symlink() or path.is_file():
                path.unlink()
                removed += 1
        (out_dir / LOCK).unlink(missing_ok=True)  # boardpack's own, not counted as an output
        for path in cached_slices(out_dir):  # the slice cache too: rebuilt when needed
            path.unlink()
        root = out_dir / CACHE
        if not (root.parent.is_symlink() or root.is_symlink()) and root.is_dir():
            for folder in [*_cache_folders(out_dir), root, root.parent]:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty
    except OSError as exc:
        raise BoardpackError(f"cannot remove {exc.filename or out_dir}: {exc.strerror}; "
                         f"{removed} file(s) were removed before this") from None
    return removed
