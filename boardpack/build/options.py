"""What a build can be asked for: the formats it makes, the templates it reads, and how (`BuildOptions`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Built, Progressing

FORMATS = ("pdf", "docx", "html", "xlsx", "csv")
"""Every output format a build can make, in the order it makes them."""

ROOT = Path(__file__).resolve().parent.parent.parent
"""The project folder: the package's parent."""

DEFAULT_TEMPLATES = ROOT / "templates"
"""The templates folder shipped with boardpack."""


@dataclass(frozen=True)
class BuildOptions:
    """One build's settings, passed down its stages as one object (see `build.build` for each)."""

    out_dir: Path
    templates: Path
    formats: tuple[str, ...]
    force: bool = False
    jobs: int | None = None
    on_paper: Callable[[Built], None] | None = None
    progress: Progressing = False

    def tell(self, built: Built) -> None:
        """Report one paper's outcome to whoever asked (the CLI prints it, the workspace shows it)."""
        if self.on_paper is not None:
            self.on_paper(built)
