"""What a paper's outputs depend on, and telling from bytes alone that none of it changed.

A build records, for each paper, a fingerprint of its inputs (the paper file, the files of
its chain of previous papers, the templates), the chain itself, and what the check said
(warnings, counts, whether it has a cover report). A later build recomputes the fingerprint
from the recorded chain before parsing anything: if it matches, the paper's data is the very
data that was checked last time, so the check's result is replayed instead of redone. This
module imports nothing heavy, so a build where nothing changed never loads the YAML parser,
the data model or a renderer.

The manifest sits in the build folder and is untrusted: every field is checked for shape, a
recorded chain can only name paper files beside the paper, and anything unexpected means "not
recalled", so a tampered manifest can at worst cause a rebuild.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import Problem

PALETTE_FILE = "palette.yaml"
SHIPPED_PALETTE = Path(__file__).resolve().parent.parent / "templates" / PALETTE_FILE
"""The default palette, used by a templates folder that has no palette.yaml of its own."""

PAPER_SUFFIXES = (".yaml", ".yml")
MAX_CHAIN = 400
"""More previous papers than a century of quarters is a mistake, not a history."""

Read = Mapping[Path, tuple[int, bytes]]
"""Data files as the check read them: modification time (ns) and bytes, by path."""


def palette_file(templates: Path) -> Path:
    """The palette a templates folder uses: its own palette.yaml, or the shipped one."""
    own = templates / PALETTE_FILE
    return own if own.exists() else SHIPPED_PALETTE


def inputs_key(data: Sequence[Path], templates: Path, formats: Sequence[str], read: Read | None = None) -> str:
    """Fingerprint of everything a paper's outputs depend on: `data` is the paper file, then its chain.

    The data files count by content and by modification time, so saving (or touching) a
    paper file rebuilds that paper, as a secretary would expect. `read` gives files as they
    were parsed, so the fingerprint describes the bytes the check saw even if a file is saved
    again meanwhile; the others are read now.
    """
    read = read or {}
    contents: list[tuple[Path, bytes | None]] = []
    stamps: list[str] = []
    for path in data:
        if path not in read and not path.is_file():
            contents.append((path, None))
            continue
        mtime, raw = read[path] if path in read else (path.stat().st_mtime_ns, path.read_bytes())
        stamps.append(str(mtime))
        contents.append((path, raw))
    files = sorted(p for p in templates.rglob("*") if p.is_file())
    if palette_file(templates) not in [*data, *files]:  # a folder without its own palette.yaml uses the shipped one
        files.append(palette_file(templates))
    contents += [(p, p.read_bytes() if p.is_file() else None) for p in files]
    digest = hashlib.sha256()
    for value in (__version__, ",".join(sorted(formats)), *stamps):
        digest.update(value.encode() + b"\0")
    for path, content in contents:
        digest.update(str(path).encode() + b"\0")
        digest.update(b"<missing>" if content is None else content)
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass
class Recalled:
    """A paper whose inputs are byte for byte those of its last build: the check's result, replayed."""

    path: Path
    label: str
    key: str
    chain: tuple[Path, ...]
    warnings: list[Problem]
    counts: dict[str, int]
    cover: bool
    pages: int | None


def record(chain: Sequence[Path], label: str, warnings: Sequence[Problem], counts: Mapping[str, int], cover: bool) -> dict[str, Any]:
    """What the manifest keeps of a paper's check, to replay it; empty when it cannot be replayed faithfully."""
    if any(w.file != label or w.severity != "warning" for w in warnings):
        return {}
    return {
        "chain": [p.name for p in chain],
        "warnings": [[w.line, w.column, w.where, w.message] for w in warnings],
        "counts": [[status, n] for status, n in counts.items()],
        "cover": cover,
    }


def _text(value: Any) -> bool:
    """A string that prints as it reads: no control characters a terminal would act on."""
    return isinstance(value, str) and not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _plain_file(path: Path, *, follow: bool) -> bool:
    """A regular file (a FIFO or device is never read), through a link with `follow`."""
    try:
        info = path.stat() if follow else path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode)


def _chain(path: Path, names: Any) -> tuple[Path, ...] | None:
    """The recorded chain as paths, if every name is a paper file beside this one, as `previous:` allows."""
    if not isinstance(names, list) or len(names) > MAX_CHAIN or len(set(map(str, names))) != len(names):
        return None
    chain = []
    for name in names:
        if (not isinstance(name, str) or not name.endswith(PAPER_SUFFIXES) or name != os.path.basename(name)
                or "\\" in name or "\0" in name or name == path.name):
            return None
        target = path.parent / name
        if not _plain_file(target, follow=True) or not os.path.realpath(target).endswith(PAPER_SUFFIXES):
            return None
        chain.append(target)
    return tuple(chain)


def recall(entry: Any, path: Path, label: str, templates: Path, formats: Sequence[str], outputs: Mapping[bool, Sequence[Path]]) -> Recalled | None:
    """The last check of a paper from its manifest entry, if its inputs are unchanged and its outputs are all there.

    `outputs` gives the output files with and without a cover report. Anything in the entry
    that is not as a build writes it gives None: the paper is then checked as usual.
    """
    if not isinstance(entry, dict) or not isinstance(entry.get("inputs"), str) or not _plain_file(path, follow=True):
        return None
    chain = _chain(path, entry.get("chain"))
    warnings, counts, cover, pages = entry.get("warnings"), entry.get("counts"), entry.get("cover"), entry.get("pages")
    if chain is None or not isinstance(warnings, list) or not isinstance(counts, list) or not isinstance(cover, bool):
        return None
    if not all(isinstance(w, list) and len(w) == 4 and _count(w[0]) and _count(w[1]) and _text(w[2]) and _text(w[3]) for w in warnings):
        return None
    if not all(isinstance(c, list) and len(c) == 2 and _text(c[0]) and _count(c[1]) for c in counts):
        return None
    if not all(p.is_file() for p in outputs[cover]):
        return None
    key = inputs_key([path, *chain], templates, formats)
    if key != entry["inputs"]:
        return None
    return Recalled(path, label, key, chain, [Problem(label, w[0], w[1], w[2], w[3], "warning") for w in warnings],
                    {c[0]: c[1] for c in counts}, cover, pages if _count(pages) else None)
