"""What merging owners' returns would do, workbook by workbook, quickly enough to show while the user waits.

`merge --dry-run` answers for all the workbooks together (any refusal refuses them all) and
parses the paper for rewriting, which for a 1,000-item paper takes seconds. `preview` reads each
workbook once with `read_return`, checks them against the paper with `plan` (a workbook with any
refusal is left out, and the others planned again without it), makes the change lines with
`apply` on a copy of the paper's plain tree, and checks that tree with the paper's own rules, as
a merge checks the file it would write. The merge itself is `merge`, over the workbooks the
preview passed: the same functions give the same lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..errors import DataError, Problem
from ..load import Source, load_text
from ..roundtrip import Document
from ..validate import validate
from .returns import apply, plan, read_returns


@dataclass
class Preview:
    """The changes the sound workbooks make, every refusal of the others, and which is which."""

    changes: list[str] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    """Each problem names its workbook (`Problem.file`) and cell (`where`)."""
    sound: list[Path] = field(default_factory=list)
    held: list[Path] = field(default_factory=list)


@dataclass
class _Tree:
    """What `apply` reads of a document: its tree."""

    data: Any


def _editable(value: Any) -> Any:
    """The safe loader's plain data as a tree `apply` can place keys in."""
    if isinstance(value, dict):
        tree = CommentedMap()
        for key, item in value.items():
            tree[key] = _editable(item)
        return tree
    if isinstance(value, list):
        return CommentedSeq(_editable(item) for item in value)
    return value


def preview(path: Path, workbooks: list[Path], label: str | None = None) -> Preview:
    """The dry run of merging `workbooks` into the paper at `path`; DataError if the paper itself does not check."""
    from ..chain import prepare

    label = label or str(path)
    read, problems = read_returns(workbooks)
    returns = {workbook: (meta, updates) for workbook, meta, updates in read}
    checked = prepare(path, label)
    if checked.paper is None or checked.errors or checked.resolved is None:
        raise DataError(checked.problems)
    resolved = checked.resolved.paper
    bad = {p.file for p in problems}
    while True:
        sound = {book: got for book, got in returns.items() if str(book) not in bad}
        todo, more = plan(resolved, path.name, list(sound.values()))
        if not more:
            break
        named = {p.file for p in more} & {str(book) for book in sound}
        if not named:  # pragma: no cover - plan names the workbook of every refusal
            raise DataError(more)
        problems += more
        bad |= named
    source = load_text(checked.read[checked.path][1].decode("utf-8-sig"), path, label)
    tree = _editable(source.data)
    changes = apply(cast(Document, _Tree(tree)), resolved, todo)
    _paper, after = validate(Source(path, label, tree, source.text, source.value_marks, source.key_marks))
    errors = [p for p in after if p.severity == "error"]
    if errors:
        raise DataError(errors)
    return Preview(changes, sorted(problems), [b for b in workbooks if b in sound],
                   [b for b in workbooks if str(b) in bad or b not in returns])
