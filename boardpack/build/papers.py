"""The papers of a build: found in the data folder, named apart, their cover reports' names free."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..archive import current
from ..chain import Checked
from ..errors import DataError, Problem
from ..inputs import Recalled
from ..names import paper_files, path_label


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
