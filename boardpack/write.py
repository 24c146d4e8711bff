"""Put outputs into `build/` without ever leaving a half-written file there.

Each output goes to a temporary file in the same folder and is moved into place with
one rename, which is atomic on the same file system: a reader (or a crash) sees the old
file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import BoardpackError, UsageError

MANIFEST = ".boardpack-manifest.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to `path` so that it is either the old file or the whole new one.

    An existing file keeps its mode and (where permitted) its owner; a new one gets the
    mode the umask gives.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomic(path, data)


def replace_atomic(path: Path, data: bytes) -> None:
    """Stage `data` beside `path`, then rename it over `path` in one step (an existing file's mode and owner kept)."""
    try:
        like: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        like = None
    tmp = staged(path, data, like)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def links_unsupported(exc: OSError) -> bool:
    """`link()` failed because the file system has no hard links (FAT, exFAT, many SMB shares)."""
    return isinstance(exc, PermissionError) or exc.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK)


def commit_outputs(files: dict[Path, bytes]) -> None:
    """Replace a paper's outputs as a group: all of them, or (on any failure) none.

    Every output is first written whole beside its target; only then are they renamed into
    place, the old files kept aside until every rename has succeeded, so a blocked target or
    a full disk leaves the previous outputs as they were. The old file is kept as a hard
    link; on a file system without hard links (FAT, exFAT, SMB shares) as a copy, so every
    rename is still a single atomic replace and a reader never finds a name missing.
    """
    staged_files: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for path, data in files.items():
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(21, "a folder is in the way", str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            like = os.stat(path) if path.is_file() and not path.is_symlink() else None
            staged_files[path] = staged(path, data, like)
        for path in files:
            if path.is_file() and not path.is_symlink():
                backups[path] = _backup(path)
        for path, tmp in staged_files.items():
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
        for leftover in [*staged_files.values(), *backups.values()]:
            Path(leftover).unlink(missing_ok=True)


def _backup(path: Path) -> Path:
    """The file as it is now, under a temporary name beside it: a hard link, or a copy where links are refused."""
    while True:
        backup = path.with_name(f".{path.name}.{secrets.token_hex(6)}.old.part")
        try:
            os.link(path, backup)
            return backup
        except FileExistsError:
            continue
        except OSError as exc:
            if not links_unsupported(exc):
                raise
            return staged(path, path.read_bytes(), os.stat(path))


def staged(path: Path, data: bytes, like: os.stat_result | None = None) -> Path:
    """The data written whole and synced to a temporary file beside `path` (`.NAME.XXXX.part`).

    With `like` (the stat of the file it will replace), the temporary file gets that file's
    mode and, where the system permits, its owner and group, so a replaced file is not
    widened or handed to another user. Without it, the mode is what the umask gives a new
    file (0666 less the umask), as any program creating a file would.
    """
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            break
        except FileExistsError:
            continue
    try:
        try:
            if like is not None:
                _same_owner_and_mode(fd, like)
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_all(fd: int, data: bytes, offset: int | None = None) -> None:
    """Every byte of `data` to `fd` (at `offset`, or where the file position is)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view) if offset is None else os.pwrite(fd, view, offset)
        if offset is not None:
            offset += written
        view = view[written:]


def _same_owner_and_mode(fd: int, like: os.stat_result) -> None:
    """Give the open file the owner, group and permission bits of `like`, as far as permitted."""
    if (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, like.st_uid, like.st_gid)
        except OSError:
            with contextlib.suppress(OSError):  # a member of the file's group may still give it that group
                os.fchown(fd, -1, like.st_gid)
    os.fchmod(fd, stat.S_IMODE(like.st_mode))  # after chown, which may clear set-id bits


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable; a folder that cannot be synced (some network shares) is left."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


LOCK = ".boardpack.lock"
CACHE = Path(".cache") / "pdf"
"""Under the build folder: each paper's laid-out PDF slices from its last build (`render.pdf.cache`)."""


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold the build folder for one build at a time; a second build waits its turn.

    While it is held, any temporary file in the folder was left by a build that was killed,
    and is removed.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = open(out_dir / LOCK, "a+b")  # noqa: SIM115 - closed below, after the lock is let go
    except OSError as exc:
        raise BoardpackError(f"cannot write in {out_dir}/: {exc.strerror or exc} ({exc.filename or out_dir / LOCK}); "
                             "nothing was built; give a folder you can write to with --out") from None
    with handle:
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
    """Write a new file whole, or not at all; never replace one that exists (FileExistsError).

    The new file gets the mode the umask gives. Where the file system has no hard links, the
    name is checked and then taken by a rename: that cannot tell a file made in between by
    another program, which is why paper files are created under the paper's lock
    (`paperfile.PaperFile.create`), which every boardpack writer takes.
    """
    tmp = staged(path, data)
    try:
        try:
            os.link(tmp, path)  # atomic, and fails if the name is taken
        except FileExistsError:
            raise
        except OSError as exc:
            if not links_unsupported(exc):
                raise
            if os.path.lexists(path):
                raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
            os.replace(tmp, path)
        sync_folder(path.parent)
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


_NAME = re.compile(r"\.?[0-9a-f]{64}(\.[A-Za-z0-9_]+)?\.(pdf|json|svg|ttf|tmp)")
"""The names the PDF slice cache writes (a key, or a temporary file of one); nothing else in its folder is touched."""


def is_cache_file(name: str) -> bool:
    return _NAME.fullmatch(name) is not None


def _cache_folders(out_dir: Path) -> list[Path]:
    """The slice cache's paper folders: real folders only, never reached through a link."""
    root = out_dir / CACHE
    if root.parent.is_symlink() or root.is_symlink() or not root.is_dir():
        return []
    return [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()]


def cached_slices(out_dir: Path) -> list[Path]:
    """The files of the PDF slice cache: only names it writes, one real folder down per paper, never through a link."""
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
