"""WeasyPrint's part of the PDF: laying out and writing one document, in whichever process does it.

Only this module uses WeasyPrint (imported by `weasy`, a third of a second), so a build
whose layouts all go to worker processes never loads it itself: the workers load it while
the build reads the paper.
Everything here fetches nothing but the project's own templates.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

from . import patch as pdf_patch
from .rows import join_on_page
from .types import Bookmark, Marks, Rendered, Tree
from .weasy import HTML, Matrix, URLFetcher, make_page_bookmark_tree

pdf_patch.apply()  # writing tagged PDFs in linear time; pinned to the checked versions, see pdf_patch

PDF_VARIANT = "pdf/ua-1"
"""Tagged for screen readers; see README ('PDF flavour') for why not PDF/A as well."""


class TemplateOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `file:` URLs inside the templates folder and refuses everything else.

    Paper data is untrusted: no network protocol, no redirect, no file elsewhere on disk.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=1)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused to fetch {url!r}: only files in the templates folder may be loaded")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"refused to fetch {url!r}: only files in the templates folder may be loaded")
        return super().fetch(url, headers)


def render_pdf(html: str, templates: Path) -> tuple[bytes, int]:
    """Lay out and write one document; return the PDF and its page count.

    The same HTML always gives the same bytes: nothing time-dependent is written.
    """
    return _written(_layout(html, templates))


def _layout(html: str, templates: Path) -> Any:
    fetcher = TemplateOnlyFetcher(templates)
    return HTML(string=html, base_url=str(templates.resolve()) + "/", url_fetcher=fetcher).render(pdf_variant=PDF_VARIANT)


def _written(document: Any) -> tuple[bytes, int]:
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return pdf, len(document.pages)


SCALE = 0.75
"""PDF points per CSS pixel, as WeasyPrint writes pages."""


def render_slice(html: str, templates: Path, stand_ins: frozenset[str] = frozenset()) -> Rendered:
    """Lay out and write one slice: its PDF, with the outline entries and anchors the join needs.

    Runs in a worker process; the laid-out pages stay there, only the bytes come back.
    `stand_ins` are the anchors that hold a link's place for a target in another slice:
    they are not this slice's to give.
    """
    document = _layout(html, templates)
    join_on_page(document)
    bookmarks: list[Bookmark] = []
    anchors: dict[str, tuple[str, int, float, float]] = {}
    for number, page in enumerate(document.pages):
        for level, label, (x, y), state in page.bookmarks:
            bookmarks.append(Bookmark(level, label, number, x * SCALE, (page.height - y) * SCALE, state != "closed"))
        for name, (x, y, *_rest) in page.anchors.items():
            if name in stand_ins:
                continue
            anchors.setdefault(name, (name, number, x * SCALE, (page.height - y) * SCALE))  # the first wins, as in WeasyPrint
    pdf, pages = _written(document)
    return Rendered(pdf, pages, tuple(bookmarks), tuple(anchors.values()))


def outline(pages: Sequence[Marks]) -> Tree:
    """The outline of a joined paper, nested by level exactly as WeasyPrint nests one document's.

    `pages` holds each page's headings as (level, label, (x, y), state).
    """
    root: list[Any] = []
    skipped: list[int] = []
    last_by_depth: list[Any] = [root]
    level = 0
    for number, marks in enumerate(pages):
        level = make_page_bookmark_tree(SimpleNamespace(bookmarks=list(marks)), skipped, last_by_depth, level, number, Matrix())
    return root


def start_worker() -> None:
    """A layout worker's start: freeze what it inherited from the build, so collections never walk it."""
    gc.freeze()
