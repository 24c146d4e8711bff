"""One family of exceptions for user mistakes; anything else is a bug in boardpack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """A problem found in a paper file, located so a secretary can go straight to it."""

    file: str
    line: int = 0
    column: int = 0
    where: str = ""
    message: str = ""
    severity: Severity = "error"

    @classmethod
    def about(cls, file: str, message: str, severity: Severity = "error") -> Problem:
        """A problem with a file as a whole (it cannot be read, it is too big), not at a line of it."""
        return cls(file, 0, 0, "", message, severity)

    def __str__(self) -> str:
        place = self.file
        if self.line:
            place += f":{self.line}:{self.column}" if self.column else f":{self.line}"
        where = f" {self.where}:" if self.where else ""
        tag = " (warning)" if self.severity == "warning" else ""
        return f"{place}:{where} {self.message}{tag}"


class BoardpackError(Exception):
    """A mistake the user can fix: bad data, a broken template, a missing file.

    The command line prints these without a traceback.
    """

    exit_code = 1


class DataError(BoardpackError):
    """One or more problems in paper files; carries every one of them, not the first only."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[DataError], tuple[list[Problem]]]:
        """Rebuilt from its problems when it comes back from a build worker."""
        return (type(self), (self.problems,))


class RenderError(BoardpackError):
    """A paper could not be rendered, usually because of a template edit."""

    def __init__(self, paper: str, stage: str, message: str) -> None:
        self.paper, self.stage, self.message = paper, stage, message
        super().__init__(f"Error building '{paper}' ({stage}): {message}")

    def __reduce__(self) -> tuple[type[RenderError], tuple[str, str, str]]:
        """Rebuilt from its parts when it comes back from a build worker.

        Pickled by its message alone, it fails there and breaks the pool, failing every other paper too.
        """
        return (type(self), (self.paper, self.stage, self.message))


class UsageError(BoardpackError):
    """The command line was used wrongly."""

    exit_code = 2
