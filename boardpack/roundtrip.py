"""Round-trip YAML for the paper writer (`paperfile.PaperFile`), so a secretary's file stays theirs.

Rolling a paper forward (and merging owners' returns) changes a few values in a file a
person wrote. ruamel.yaml's round-trip mode keeps comments, blank lines, key order and
quoting; the file's own indentation, byte-order mark and line ends are detected and kept.
Every rewrite is checked with the paper's own rules before `PaperFile` writes it.
"""

from __future__ import annotations

import copy
import io
import threading
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from .errors import DataError, Problem
from .load import Source, load_text, read_paper_bytes
from .model import Paper
from .validate import validate


class _Emitter(RoundTripEmitter):
    """ruamel.yaml's emitter, remembering how each scalar may be written.

    Deciding a scalar's style (plain, quoted, literal) scans it character by character, and a
    dump of a paper scans thousands of scalars that are the same as at the last dump; what a
    scan finds depends only on the text and the emitter's settings (and the YAML version), so it is kept (a copy is
    handed out, since the emitter marks it). The text dumped is the same byte for byte.
    """

    _known: dict[tuple[str, bool, bool, bool, Any], Any] = {}
    _known_lock = threading.Lock()
    _known_chars = 0
    BUDGET = 8_000_000
    """The characters of scalars remembered at most (a few papers' worth); past it, the memory starts afresh."""

    def analyze_scalar(self, scalar: Any) -> Any:
        if not isinstance(scalar, str):
            return super().analyze_scalar(scalar)
        version = getattr(getattr(self, "serializer", None), "use_version", None)
        key = (scalar, bool(self.allow_unicode), bool(self.unicode_supplementary), bool(getattr(self, "allow_space_break", False)), version)
        found = self._known.get(key)
        if found is None:
            found = super().analyze_scalar(scalar)
            with self._known_lock:
                if _Emitter._known_chars + len(scalar) > self.BUDGET:
                    self._known.clear()
                    _Emitter._known_chars = 0
                self._known[key] = found
                _Emitter._known_chars += len(scalar)
        return copy.copy(found)


class Document:
    """A paper file open for rewriting: its round-trip tree and how to dump it as it was."""

    def __init__(self, path: Path, label: str | None = None, raw: bytes | None = None) -> None:
        """Parse the file at `path`, or `raw`, its bytes as already read (by `PaperFile`, under the paper's lock)."""
        self.path, self.label = path, label or str(path)
        raw = read_paper_bytes(path, self.label) if raw is None else raw
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError([Problem.about(self.label, "the file is not UTF-8 text; save it as UTF-8")]) from None
        # How the file is saved, kept on writing so that only the lines that change differ:
        # a byte-order mark (Windows Notepad adds one), CRLF line ends, a last line with no end.
        self.bom = raw.startswith(b"\xef\xbb\xbf")
        self.crlf = raw.count(b"\r\n") * 2 > raw.count(b"\n")
        self.final_newline = raw.endswith(b"\n") or not raw.strip()
        # The file has already passed `check` (the safe loader, no tags or aliases); this
        # parser only ever sees text that one did. What the safe loader read is kept, so the
        # file as read is checked without parsing it a third time (see `validated`).
        self.source = load_text(self.text, path, self.label)
        self._checked: dict[str, tuple[Paper | None, list[Problem]]] = {}
        self._sources: dict[str, Source] = {}
        self.dumped: str | None = None
        """The text of the last `dump`: the tree as text, unless it was changed since."""
        self.yaml = YAML()
        """The ruamel.yaml reader and writer of this file, set to its indentation and its quotes."""
        self.yaml.Emitter = _Emitter
        self.yaml.preserve_quotes = True
        self.yaml.width = 1_000_000  # never re-wrap a long line
        try:
            # One round-trip parse: the indent is guessed from the lines, and the tree loaded by
            # this document's own parser (parsing the file twice was most of the time of a save).
            self.data, sequence, offset = load_yaml_guess_indent(self.text, yaml=self.yaml)
        except (YAMLError, ValueError) as exc:  # pragma: no cover - the safe loader refused it first
            raise DataError([Problem.about(self.label, f"cannot be read for rewriting: {exc}")]) from None
        mapping = _mapping_indent(self.text)
        offset = offset or 0
        self.yaml.indent(mapping=mapping, sequence=max(sequence or mapping, offset + 2), offset=offset)

    def dump(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        self.dumped = out.getvalue()
        return self.dumped

    def written(self, text: str) -> None:
        """The file now holds `text`, this tree's last dump: the document stands for the file as it is now.

        So the next writer of the file can start from this tree instead of parsing the file again.
        """
        self.text = text
        self.source = self._sources.get(text) or load_text(text, self.path, self.label)
        self._sources.clear()
        self._checked = {text: self._checked[text]} if text in self._checked else {}
        self.dumped = None

    def encode(self, text: str) -> bytes:
        """Text as this file's bytes: its byte-order mark and line ends, a last line ended only if it was."""
        if not self.final_newline:
            text = text.rstrip("\n")
        if self.crlf:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")

    def validated(self, text: str | None = None) -> tuple[Paper | None, list[Problem]]:
        """`check`'s paper and problems of `text` (the file as read, when None); each text is checked once.

        Raises DataError when the text is not YAML the paper loader reads.
        """
        text = self.text if text is None else text
        kept = self._checked.get(text)
        if kept is None:
            source = self.source if text == self.text else load_text(text, self.path, self.label)
            self._sources[text] = source
            kept = self._checked[text] = validate(source)
        return kept

    def checked(self) -> str:
        """The rewritten text, refused (DataError naming the file) if it would not check."""
        text = self.dump()
        paper, problems = self.validated(text)
        errors = [p for p in problems if p.severity == "error"]
        if paper is None or errors:
            raise DataError(errors or problems)
        return text


def _mapping_indent(text: str) -> int:
    """How far the file indents a block of keys under a key: the first indented key line tells."""
    previous = ""
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent and not stripped.startswith("- ") and previous.rstrip().endswith(":") and not previous.startswith(" "):
            return indent
        previous = line
    return 2


def set_after(mapping: Any, key: str, value: Any, after: str) -> None:
    """Set `key` in a round-trip mapping, placing a new key right after `after`."""
    if key in mapping:
        mapping[key] = value
        return
    keys = list(mapping)
    position = keys.index(after) + 1 if after in keys else len(keys)
    mapping.insert(position, key, value)


def new_text(data: Any, header: list[str] | None = None) -> str:
    """The text of a new paper file from a round-trip tree, laid out as the files in `data/` are.

    Keys indented by two, list entries under their key, long lines never wrapped, a blank
    line between reports; `header` lines become the file's opening comment. Comments put on
    the tree (`yaml_add_eol_comment`, `yaml_set_comment_before_after_key`) are written too.
    """
    yaml = YAML()
    yaml.width = 1_000_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    if header:
        data.yaml_set_start_comment("\n".join(header))
    out = io.StringIO()
    yaml.dump(data, out)
    lines = out.getvalue().split("\n")
    starts = [n for n, line in enumerate(lines) if line.startswith("  - title:")]
    for start in reversed(starts[1:]):
        if lines[start - 1].strip():
            lines.insert(start, "")
    return "\n".join(lines)
