"""The papers of a build: found in the data folder, checked, and resolved against the chain of earlier papers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..archive import current
from ..errors import DataError, Problem
from ..inputs import MAX_CHAIN, Recalled
from ..names import paper_files

if TYPE_CHECKING:
    from ..history import Resolved
    from ..load import Source
    from ..model import Paper


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


def find_papers(paths: Sequence[Path] | None, data_dir: Path, archived: bool = True) -> list[Path]:
    """The files named, or every paper file in the data folder (but its archived ones, unless `archived`)."""
    if paths:
        missing = [p for p in paths if not p.is_file()]
        if missing:
            raise DataError([Problem.about(str(p), "no such file") for p in missing])
        return list(paths)
    if not data_dir.is_dir():
        raise DataError([Problem.about(str(data_dir), "no such folder; put paper files (*.yaml) in it")])
    found = paper_files(data_dir)
    return found if archived else current(found)


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
            from ..owners import name_warnings

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
    from ..load import load_file
    from ..validate import validate

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
    from ..load import load_file
    from ..validate import validate

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
    from ..history import resolve
    from ..load import previous_path

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


def path_label(path: Path) -> str:
    """Name a file as the user would: relative to the current folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def cover_names_free(checked: Sequence[Checked], recalled: Sequence[Recalled] = ()) -> None:
    """NAME-cover.pdf is the cover report of NAME; a paper file called NAME-cover would overwrite it."""
    stems = {p.stem: p for p in [*(c.path for c in checked), *(r.path for r in recalled)]}
    covered: list[Checked | Recalled] = [c for c in checked if c.paper is not None and c.paper.cover is not None]
    covered += [r for r in recalled if r.cover]
    problems = [Problem.about(path_label(stems[f"{c.path.stem}-cover"]), f"has the name of the cover report of {c.label} "
                        "(NAME-cover.pdf), so their outputs would overwrite each other; rename the file")
                for c in covered if f"{c.path.stem}-cover" in stems]
    if problems:
        raise DataError(problems)


def unique_names(paths: Sequence[Path]) -> list[Path]:
    """Outputs are named after the paper file; two files of one name would overwrite each other.

    The same file named twice is built once.
    """
    seen: dict[str, Path] = {}
    unique, problems = [], []
    for path in paths:
        first = seen.setdefault(path.stem, path)
        if first is path:
            unique.append(path)
        elif first.resolve() != path.resolve():
            problems.append(Problem.about(path_label(path), f"has the same name as {path_label(first)}, so their outputs "
                                    f"would overwrite each other in the build folder; rename one of them"))
    if problems:
        raise DataError(problems)
    return unique
