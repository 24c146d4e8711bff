"""A new owners' round written to its folder: the one way `generate.py returns` and the workspace make one.

`make_round` works out the files; this writes them under the round's lock, keeping what the
round already knew of each owner whose workbook is unchanged (`carry_over`), refusing to write
over a workbook an owner has already answered in, and removing the earlier round's files that
the new one does not make.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BoardpackError
from .model import When
from .round import Made, carry_over, make_round, round_lock, stale


@dataclass
class Written:
    """The round made, and the earlier round's files it removed."""

    made: Made
    removed: list[Path]

    @property
    def books(self) -> list[str]:
        return [name for name in self.made.files if name.endswith(".xlsx")]


def write_round(checked: Any, paper_file: str, folder: Path, templates: Path, *, include_outside: bool = False,
                include_unowned: bool = False, return_by: When | None = None, palette: Any = None,
                sender: str | None = None) -> Written:
    """Make the round of a checked paper (`build.prepare`) and write it to `folder`; BoardpackError if it cannot be."""
    from .intake.returns import refuse_answered
    from .write import commit_outputs

    made = make_round(checked, paper_file, templates, include_outside=include_outside, include_unowned=include_unowned,
                      return_by=return_by, palette=palette, sender=sender)
    books = [name for name in made.files if name.endswith(".xlsx")]
    old = stale(folder, made.files) if folder.is_dir() else []
    with round_lock(folder):  # the round's state is shared with merge
        made = carry_over(made, folder)
        refuse_answered([folder / name for name in books] + [p for p in old if p.suffix.lower() == ".xlsx"])
        try:
            commit_outputs({folder / name: data for name, data in made.files.items()})
            for path in old:
                path.unlink(missing_ok=True)
        except OSError as exc:
            raise BoardpackError(f"cannot write {exc.filename or folder}: {exc.strerror or exc}") from None
    return Written(made, old)
