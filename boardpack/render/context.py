"""What the renderers of one paper share (`RenderContext`): its name, the templates, and the machinery of a build.

The machinery (the slice cache, the layout workers, progress) is the build's business; a
renderer takes what it needs from here, so no renderer's signature carries it. What several
renderers use is made once (`shared`: the chart, drawn for the web page and the PDF alike),
and work can wait for the PDF's slices to be handed out (`after_pdf_slices`: the cover
report's PDF). The context knows no renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import BoardpackError, RenderError

if TYPE_CHECKING:
    from .pdf.cache import SliceCache
    from .pdf.workers import Workers

T = TypeVar("T")


def stage(file_name: str, work: Callable[[], T]) -> T:
    """Run one output's rendering; a failure other than boardpack's own is told as that output's (a template edit it cannot digest)."""
    try:
        return work()
    except BoardpackError:
        raise
    except Exception as exc:
        raise RenderError(file_name, "render", f"{type(exc).__name__}: {exc}") from exc


@dataclass
class RenderContext:
    """One paper's rendering: what every renderer reads besides the view, and what they share."""

    name: str
    """The paper's output name (NAME.pdf, NAME-cover.docx, ...)."""
    templates: Path
    formats: tuple[str, ...]
    slices: SliceCache | None = None
    """Laid-out slices and drawings of the last build, taken again where their inputs are unchanged."""
    jobs: int = 1
    """Processes that lay out a long PDF's slices, when the build started no `workers`."""
    progress: Callable[[int, int], None] | None = None
    """Called with (parts done, parts) as the PDF is laid out."""
    workers: Workers | None = None
    """Layout processes the build started early, shared by the paper's PDF and its cover report."""
    pages: int | None = None
    """The paper's PDF pages, once the PDF renderer has run."""
    after_pdf_slices: list[Callable[[], None]] = field(default_factory=list)
    """Work to begin once the paper's PDF has handed all its slices to the workers (the cover report's
    PDF), so it fills their time while the last slices are laid out."""
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)

    def shared(self, key: str, make: Callable[[], T]) -> T:
        """What several renderers use, made once for the paper by the first that asks (the chart, for the PDF and the web page)."""
        if key not in self._shared:
            self._shared[key] = make()
        made: T = self._shared[key]
        return made
