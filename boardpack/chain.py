"""A paper file loaded, validated and resolved against the chain of its earlier papers: `Checked`.

Below the build: roll, merge, import and the workspace check a paper the way a build does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DataError, Problem
from .inputs import MAX_CHAIN
from .names import path_label

if TYPE_CHECKING:
    from .history import Resolved
    from .load import Source
    from .model import Paper


@dataclass
class Checked:
    """A paper file after load and validate, resolved against its previous paper."""

    path: Path
    label: str
    paper: Paper | None
    problems: list[Problem]
    resolved: Resolved | None = None
    """The paper as printed (derived NEW GREEN, full due histories) and its changes."""
    chain: tuple[Path, ...] = ()
    """The previous paper files this one was resolved against, newest first."""
    read: dict[Path, tuple[int, bytes]] = field(default_factory=dict, repr=False)
    """The data files as they were read for this check (see `inputs.inputs_key`)."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


Validated = dict[Path, tuple["Paper | None", list[Problem]]]
"""Papers already loaded and validated in this command, by resolved path: last quarter's paper
is both a paper of its own and this quarter's previous, and is read once."""


def check(paths: Iterable[Path]) -> list[Checked]:
    """Load and validate each file; every problem of every file is kept.

    Where the papers' folder has an owners directory, owners and leads it does not know are
    warned of, each at its line. An archived paper is not warned about (`archive`): only its errors are kept.
    """
    validated: Validated = {}
    read: dict[Path, tuple[int, bytes]] = {}
    results = [prepare(path, path_label(path), validated, read) for path in paths]
    for result in results:
        if result.paper is not None and result.paper.paper.archived:
            result.problems = result.errors
            continue
        if result.paper is not None and path_read(result):
            from .owners import name_warnings

            result.problems = sorted(result.problems + name_warnings(result.path, result.label, path_read(result)))
    return results


def path_read(checked: Checked) -> bytes:
    """The bytes of a checked paper's own file, as they were read for the check."""
    return checked.read.get(checked.path, (0, b""))[1]


def prepare(path: Path, label: str | None = None, validated: Validated | None = None,
            read: dict[Path, tuple[int, bytes]] | None = None,
            loaded: tuple[Source, Paper | None, list[Problem]] | None = None) -> Checked:
    """Load, validate and resolve one paper file against its chain of previous papers.

    `read` collects the data files as read (shared across a command, like `validated`);
    `loaded` is the file already loaded and validated (by the writer that just wrote it).
    """
    from .load import load_file
    from .validate import validate

    label = label or path_label(path)
    validated = {} if validated is None else validated
    read = {} if read is None else read
    if loaded is not None:
        source, paper, problems = loaded[0], loaded[1], list(loaded[2])
    else:
        try:
            source = load_file(path, label, keep_going=True, read=read)
        except DataError as exc:
            validated[path.resolve()] = (None, exc.problems)
            return Checked(path, label, None, exc.problems, read=read)
        paper, problems = validate(source)
    validated[path.resolve()] = (paper, problems)
    resolved: Resolved | None = None
    chain: list[Path] = []
    if paper is not None and not any(p.severity == "error" for p in problems):
        resolved, more = _resolve_chain(source, paper, chain, validated, read)
        problems += more
    return Checked(path, label, paper, sorted(problems), resolved, tuple(chain), read)


def _validated(path: Path, validated: Validated, read: dict[Path, tuple[int, bytes]]) -> Paper | None:
    """A previous paper, loaded and validated once per command; None if it has errors."""
    from .load import load_file
    from .validate import validate

    key = path.resolve()
    if key not in validated:
        try:
            validated[key] = validate(load_file(path, path_label(path), keep_going=True, read=read))
        except DataError as exc:
            validated[key] = (None, exc.problems)
    paper, problems = validated[key]
    return None if any(p.severity == "error" for p in problems) else paper


def _resolve_chain(source: Source, paper: Paper, paths: list[Path], validated: Validated,
                   read: dict[Path, tuple[int, bytes]]) -> tuple[Resolved | None, list[Problem]]:
    """Follow `previous` back to the first paper, then resolve each period against the one before.

    Every problem in the chain is reported at this file's `previous:` line, since that is
    where the secretary can act on it.
    """
    from .history import resolve
    from .load import previous_path

    at = ("paper", "previous")
    chain: list[Paper] = []
    names = [source.path.name]
    seen = {source.path.resolve()}
    path, current = source.path, paper
    while current.paper.previous is not None:
        target, why = previous_path(path, current.paper.previous)
        if target is None:
            if not chain:  # validate has said so already
                return None, []
            return None, [source.problem(at, f"the chain of previous papers breaks at {path.name}: {why}")]
        names.append(target.name)
        if target.resolve() in seen or len(chain) >= MAX_CHAIN:
            return None, [source.problem(at, f"previous papers form a loop ({' → '.join(names)}); "
                                         "each paper's previous must be an earlier period's paper")]
        seen.add(target.resolve())
        paths.append(target)
        before = _validated(target, validated, read)
        if before is None:
            return None, [source.problem(at, f"the previous paper {target.name} has errors; "
                                         f"run `generate.py check {path_label(target)}` and fix them first")]
        if before.paper.period.last_day >= current.paper.period.last_day:
            return None, [source.problem(at, f"{target.name} is for {before.paper.period}, not before "
                                         f"{path.name} ({current.paper.period}); previous must name an earlier period's paper")]
        chain.append(before)
        path, current = target, before
    resolved_before: Paper | None = None
    earlier: list[Paper] = []
    for before_paper in reversed(chain):
        resolved_before = resolve(before_paper, resolved_before).paper
        earlier.append(resolved_before)
    result = resolve(paper, resolved_before)
    result.earlier = tuple(earlier)
    return result, [source.problem(where, message, severity="warning") for where, message in result.notes]
