"""Put outputs into `build/` without ever leaving a half-written file there.

Each output goes to a temporary file in the same folder and is moved into place with
one rename, which is atomic on the same file system: a reader (or a crash) sees the old
file or the new one, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MANIFEST = ".boardpack-manifest.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to `path` so that it is either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def clean(out_dir: Path) -> int:
    """Remove what boardpack put in `out_dir`; return how many files went."""
    if not out_dir.is_dir():
        return 0
    removed = 0
    for path in sorted(out_dir.rglob("*"), reverse=True):
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed += 1
        elif path.is_dir():
            path.rmdir()
    return removed
