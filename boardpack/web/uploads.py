"""Files uploaded to the workspace, kept under generated names until the action they are for is done.

An upload is stored in the build folder, in `.uploads/<id>/<n>/<name>`: `id` is a random
token the server makes (a URL can name nothing else), `n` the file's place in the upload and
`name` the file's own name without any folder, control character or leading dot, so what
reads the file (and its messages) sees the name the user chose. A batch records the paper it is for and who sent it.
Batches are removed when their action is done, and any left over after a day.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort, current_app

FOLDER = ".uploads"
KEEP_SECONDS = 24 * 3600
MAX_FILES = 50
"""Workbooks in one upload: a round has one per owner, a few dozen at most."""
_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


@dataclass(frozen=True)
class Batch:
    """One upload: its folder, what it is for, and each file stored with the name it was sent as."""

    id: str
    folder: Path
    kind: str
    paper: str
    who: str
    files: list[tuple[Path, str]]

    def names(self) -> dict[str, str]:
        """Stored path (as the library names it in messages) -> the name the user sent."""
        return {str(path): name for path, name in self.files}

    def shown(self, text: str) -> str:
        """A message with each stored path replaced by the file's own name."""
        for path, name in self.files:
            text = text.replace(str(path), name)
        return text

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _root() -> Path:
    return Path(current_app.config["OUT"]) / FOLDER


def _tidy(root: Path) -> None:
    """Batches left over from actions never finished, after a day."""
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        try:
            if folder.is_dir() and not folder.is_symlink() and now - folder.stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _plain(sent: str) -> str:
    """A sent file's name as it is kept: its last part only, no control characters, no leading dot."""
    name = Path(sent.replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".")
    return name[-120:]


def store(files: list[Any], kind: str, paper: str, who: str, default: str) -> Batch:
    """Keep the uploaded files (werkzeug FileStorage) under generated names; a new batch."""
    root = _root()
    _tidy(root)
    batch = secrets.token_urlsafe(16)
    folder = root / batch
    folder.mkdir(parents=True, mode=0o700)
    kept: list[tuple[Path, str]] = []
    for n, upload in enumerate(files, start=1):
        sent = _plain(upload.filename or "") or default
        place = folder / str(n)
        place.mkdir(mode=0o700)
        upload.save(place / sent)
        kept.append((place / sent, sent))
    manifest = {"kind": kind, "paper": paper, "who": who, "files": [[str(p.relative_to(folder)), name] for p, name in kept]}
    (folder / "batch.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Batch(batch, folder, kind, paper, who, kept)


def find(batch: str, kind: str, paper: str | None = None) -> Batch:
    """The batch of that id, for that kind of action (and paper); 404 if there is none."""
    if not _ID.match(batch):
        abort(404)
    folder = _root() / batch
    try:
        manifest = json.loads((folder / "batch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        abort(404)
    if manifest.get("kind") != kind or (paper is not None and manifest.get("paper") != paper):
        abort(404)
    files = []
    for stored, name in manifest["files"]:
        path = folder / stored
        if path.parent.parent != folder or not path.is_file() or path.is_symlink():
            abort(404)
        files.append((path, str(name)))
    return Batch(batch, folder, kind, str(manifest.get("paper", "")), str(manifest.get("who", "")), files)
