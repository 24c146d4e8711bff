"""The large-print edition of a paper, asked for at build time (`build --large-print`).

It travels with the formats a build is asked for, because everything that depends on them
(the outputs' names, the fingerprint that decides whether a paper is rebuilt, the renderers)
depends on it too: the manifest keeps each edition apart, so both stay built side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .history import Resolved

LARGE_PRINT = "large-print"
"""Asked for beside the formats: the large-print edition, every output at 12 pt or more, named NAME-large-print.*."""


def edition(stem: str, formats: Sequence[str]) -> str:
    """The name of a paper's outputs and manifest entry: NAME, or NAME-large-print for that edition.

    Always suffixed, even for a file already called NAME-large-print, whose edition would otherwise
    overwrite NAME's.
    """
    return f"{stem}-{LARGE_PRINT}" if LARGE_PRINT in formats else stem


def large_print_edition(resolved: Resolved) -> Resolved:
    """The paper with `large_print: true`, as if its file said so."""
    paper = resolved.paper
    info = paper.paper.model_copy(update={"large_print": True})
    return replace(resolved, paper=paper.model_copy(update={"paper": info}))


__all__ = ["LARGE_PRINT", "edition", "large_print_edition"]
