"""Load paper files: safe YAML that remembers where every value came from.

PyYAML's safe loader builds plain Python values; we walk its node tree ourselves so
that each value keeps its line and column, which lets later stages (validation,
the semantic rules) point at the exact place of a mistake. Aliases are refused
outright: papers never need them and they are the vehicle of "billion laughs" bombs.
Text values lose the control characters no output can print (`text.plain_text`).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from .errors import DataError, Problem
from .load_messages import Refused, reader_problem, yaml_problem
from .names import MAX_FILE_BYTES
from .text import plain_text

Path_ = tuple[str | int, ...]

RAW_TEXT_KEYS = frozenset({"ref", "appendix", "id"})
"""Keys whose values are labels: `ref: 1.10` must stay "1.10", not become the float 1.1."""


@dataclass
class Source:
    """One paper file as loaded: its plain data and the position of every value."""

    path: Path
    label: str
    """How messages name the file: the path as the user gave it."""
    data: Any
    text: str
    value_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """Mistakes that leave the rest of the file readable (a key given twice), kept when loaded with `keep_going`."""

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of a value, or of its nearest enclosing value."""
        marks = self.key_marks if key else self.value_marks
        for end in range(len(path), -1, -1):
            sub = path[:end]
            if sub in marks:
                return marks[sub]
            if sub in self.value_marks:
                return self.value_marks[sub]
        return (1, 1)

    def problem(self, path: Path_, message: str, *, severity: str = "error", key: bool = False) -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.label, line, column, format_path(path), message, severity)  # type: ignore[arg-type]


if TYPE_CHECKING:
    _Composing = yaml.SafeLoader
else:
    _Composing = object


def format_path(path: Path_) -> str:
    """('reports', 2, 'items', 0, 'status') -> 'reports[2].items[0].status'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Checks(_Composing):
    """What a paper file may not hold, refused while composing: aliases, absurd nesting."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (*name) are not allowed in paper files; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def compose_sequence_node(self, anchor: Any) -> Any:
        self._enter()
        try:
            return super().compose_sequence_node(anchor)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor: Any) -> Any:
        self._enter()
        try:
            return super().compose_mapping_node(anchor)
        finally:
            self._depth -= 1

    _depth = 0

    def _enter(self) -> None:
        """Refuse absurd nesting before it exhausts Python's stack (a RecursionError near 300 levels)."""
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise Refused(None, None, f"lists or blocks nested more than {MAX_DEPTH} levels deep; "
                           "a paper needs a handful of levels", self.peek_event().start_mark)  # type: ignore[no-untyped-call]


MAX_DEPTH = 100
"""Far deeper than any paper (items in reports in a paper is 5 levels)."""


class ReferenceLoader(_Checks, yaml.SafeLoader):
    """The safe loader, minus aliases: PyYAML's own scanner and parser, the reference for every message."""


try:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    FastLoader: type | None = None
else:

    class _CLoader(_Checks, Composer, CParser, SafeConstructor, Resolver):
        """libyaml's scanner and parser (about ten times faster) under the same composing, checks and constructors.

        Used only for files it reads as PyYAML does (see `load_text`); any mistake in a file is
        reported by `ReferenceLoader`, so messages do not depend on which one read it.
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)

    FastLoader = _CLoader


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def load_text(text: str, path: Path, label: str | None = None, *, keep_going: bool = False) -> Source:
    """Parse one paper's YAML text; raise DataError naming the line on malformed YAML.

    A key given twice, or a key that is not text, leaves the rest of the file readable: with
    `keep_going` it is kept in `source.problems` (the first value counts) so the checks can
    still run, else it is raised at once.
    """
    label = label or str(path)
    if FastLoader is not None and not UNUSUAL.search(text):
        try:
            return load_with(text, path, label, keep_going, FastLoader)
        except (DataError, yaml.YAMLError):
            pass  # a mistake is told by the reference parser, in its words and at its positions
    return load_with(text, path, label, keep_going, ReferenceLoader)


UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
"""Tabs, carriage returns, control characters, the rarer line breaks, a byte-order mark, characters beyond
the BMP: where libyaml and PyYAML might count positions or accept text differently, so PyYAML reads the file."""


def load_with(text: str, path: Path, label: str, keep_going: bool, loader_class: type) -> Source:
    """Parse `text` with one of the two readers, `FastLoader` (libyaml) or `ReferenceLoader` (PyYAML); `load_text` chooses."""
    source = Source(path=path, label=label, data=None, text=text)
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        raise DataError([reader_problem(exc, text, label)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise DataError([Problem(label, 1, 1, "", "the file is empty; a paper needs `paper:` and `reports:`")])
        problems: list[Problem] = []
        source.data = _build(node, (), loader, source, problems)
        if problems and (not keep_going or loader_class is not ReferenceLoader):
            raise DataError(problems)
        source.problems = problems
    except yaml.MarkedYAMLError as exc:
        if loader_class is not ReferenceLoader:
            raise
        raise DataError([yaml_problem(exc, text, label)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML parse error carries a mark
        raise DataError([Problem.about(label, f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return source


PAPER_SUFFIXES = (".yaml", ".yml")


def read_bounded(path: Path, label: str, limit: int, what: str) -> bytes:
    """Read a file the user named, refusing what is not a regular file of sensible size.

    A FIFO or device named `*.yaml` would block or never end; a huge file would take
    minutes and gigabytes before any error could be shown. `what` names the file in
    messages ('a paper file', 'the palette').
    """
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DataError([Problem.about(label, f"not a regular file; {what} must be a YAML text file")])
        if info.st_size > limit:
            raise DataError([Problem.about(label, f"the file is {info.st_size:,} bytes; {what} is limited to {size}")])
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise DataError([Problem.about(label, f"cannot read the file: {exc.strerror}")]) from None
    if len(raw) > limit:  # it grew while being read
        raise DataError([Problem.about(label, f"{what} is limited to {size}")])
    return raw


def read_paper_bytes(path: Path, label: str) -> bytes:
    """A paper file's bytes (see `read_bounded`)."""
    return read_bounded(path, label, MAX_FILE_BYTES, "a paper file")


def previous_path(path: Path, name: str) -> tuple[Path | None, str | None]:
    """Where `previous: NAME` of the paper at `path` points, or why it may not point there.

    `previous` names another paper file in the same data folder, by file name only: a
    paper file is untrusted, and must not make boardpack read anything else on the machine.
    """
    allowed = "give the file name of another paper in the same folder, such as 2021-06-hmicfrs-tracker.yaml"
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\0" in name:
        return None, f"'{name}' is not a file name; {allowed}"
    if not name.endswith(PAPER_SUFFIXES):
        return None, f"'{name}' is not a paper file (*.yaml or *.yml); {allowed}"
    target = path.parent / name
    if target.name == path.name:
        return None, f"'{name}' is this paper itself; {allowed}"
    if not target.is_file() or target.is_symlink() and not os.path.realpath(target).endswith(PAPER_SUFFIXES):
        # A link placed in the folder (a paper kept elsewhere, as `roll` of a linked paper names it)
        # is followed only to another paper file, never to any other file on the machine.
        return None, f"'{name}' is not a paper file next to this one; {allowed}"
    return target, None


def load_file(path: Path, label: str | None = None, *, keep_going: bool = False, read: dict[Path, tuple[int, bytes]] | None = None) -> Source:
    """Read and parse one paper file (`keep_going` as for `load_text`).

    `read` collects the file's modification time (taken before reading) and bytes, so a
    build fingerprints exactly what was checked; a file already in it is not read again but
    parsed from those bytes, so a build's worker renders exactly what was fingerprinted.
    """
    label = label or str(path)
    if read is not None and path in read:  # read once per command: what was fingerprinted is what is parsed
        raw = read[path][1]
    else:
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            mtime = None
        raw = read_paper_bytes(path, label)
        if read is not None and mtime is not None:
            read[path] = (mtime, raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError([Problem(label, line, 0, "", "the file is not UTF-8 text; save it as UTF-8")]) from None
    return load_text(text, path, label, keep_going=keep_going)


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


def _build(node: yaml.Node, path: Path_, loader: Any, source: Source, problems: list[Problem]) -> Any:
    source.value_marks[path] = _mark(node)
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise yaml.MarkedYAMLError(None, None, f"could not determine a constructor for the tag {node.tag!r}",
                                   node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.MarkedYAMLError(None, None, "merge keys (<<) are not allowed in paper files", key_node.start_mark)
            _long_number(key_node, path, source, problems)
            key = _scalar(loader, key_node)
            if not isinstance(key, (str, int)):
                line, col = _mark(key_node)
                problems.append(Problem(source.label, line, col, format_path(path), f"{key!r} cannot be a key"))
                continue
            sub = path + (str(key),)
            source.key_marks[sub] = _mark(key_node)
            if str(key) in out:
                line, col = _mark(key_node)
                problems.append(Problem(source.label, line, col, format_path(sub),
                                        f"'{key}' is given twice in the same block; keep one"))
                continue
            if (key in RAW_TEXT_KEYS and isinstance(value_node, yaml.ScalarNode) and not value_node.style
                    and not _digits(value_node)
                    and value_node.tag != "tag:yaml.org,2002:null"):  # `ref: null` or `ref:` is no ref, not "null"
                source.value_marks[sub] = _mark(value_node)
                out[str(key)] = plain_text(value_node.value)
            else:
                out[str(key)] = _build(value_node, sub, loader, source, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, path + (i,), loader, source, problems) for i, child in enumerate(node.value)]
    _long_number(node, path, source, problems)
    value = _scalar(loader, node)
    return plain_text(value) if isinstance(value, str) else value  # "\x07" and the like, typed as escapes


MAX_DIGITS = 100
"""Digits in an unquoted number. Python refuses to read an integer of more than 4,300 digits (and
reading one takes time that grows with its square), so a longer one would stop `roll` and `merge`."""
_DIGITS = re.compile(r"[-+]?[0-9][0-9_]*")


def _digits(node: yaml.Node) -> int:
    """The digits of an unquoted number longer than `MAX_DIGITS`, else 0."""
    if not isinstance(node, yaml.ScalarNode) or node.style or len(node.value) <= MAX_DIGITS or not _DIGITS.fullmatch(node.value):
        return 0
    digits = sum(c.isdigit() for c in node.value)
    return digits if digits > MAX_DIGITS else 0


def _long_number(node: yaml.Node, path: Path_, source: Source, problems: list[Problem]) -> None:
    """Refuse an unquoted number too long to read (see `MAX_DIGITS`)."""
    digits = _digits(node)
    if digits:
        line, col = _mark(node)
        problems.append(Problem(source.label, line, col, format_path(path), f"a number of {digits:,} digits; a number in "
                                f"a paper has at most {MAX_DIGITS} digits (put it in quotes if it is text)"))


def _scalar(loader: Any, node: yaml.Node) -> Any:
    """A scalar's value; a date no calendar has (2021-09-31) stays text, for the date check to name."""
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:
        return node.value if isinstance(node, yaml.ScalarNode) else None
