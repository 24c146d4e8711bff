"""Make writing a tagged PDF linear in pages: cache pydyf's `PDF.page_references`.

pydyf 0.13.0 rebuilds the tuple of page references (one formatted string per page) on
every read of `PDF.page_references`, and WeasyPrint 70.0's tagging (`weasyprint/pdf/tags.py`)
reads it once for every structure element it writes. A tagged PDF has elements on every
page, so the write step grows with pages squared: most of the write time of a 600-page
tracker. The cache below returns the same tuple until a page is added, so the output is
byte for byte what pydyf writes unpatched (tests/render/test_pdf_patch.py checks both).

The patch is pinned: it is applied only to the exact versions it was checked against. An
upgrade of either package leaves pydyf untouched and fails tests/render/test_pdf_patch.py, which
is the prompt to check whether the new version still needs (or still suits) the patch.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pydyf

PINNED = {"pydyf": "0.13.0", "weasyprint": "70.0"}
"""The versions the patch was read against and tested with."""

_CACHE = "_boardpack_page_references"
_ORIGINAL_PAGE_REFERENCES: property = pydyf.PDF.__dict__["page_references"]
_ORIGINAL_ADD_PAGE = pydyf.PDF.add_page


def installed() -> dict[str, str]:
    """The installed versions of the pinned packages."""
    return {name: version(name) for name in PINNED}


def _page_references(self: pydyf.PDF) -> tuple[bytes, ...]:
    """pydyf's tuple, rebuilt only when the page list is not the one it was built from."""
    kids = self.pages["Kids"]
    cached = self.__dict__.get(_CACHE)
    if cached is None or cached[0] is not kids or cached[1] != len(kids):
        references = _ORIGINAL_PAGE_REFERENCES.fget(self)  # type: ignore[misc]
        cached = self.__dict__[_CACHE] = (kids, len(kids), references)
    return cached[2]  # type: ignore[no-any-return]


def _add_page(self: pydyf.PDF, page: Any) -> None:
    self.__dict__.pop(_CACHE, None)
    _ORIGINAL_ADD_PAGE(self, page)


def active() -> bool:
    """Whether pydyf is patched now."""
    return pydyf.PDF.__dict__["page_references"] is not _ORIGINAL_PAGE_REFERENCES


def apply() -> bool:
    """Patch pydyf if the installed versions are the pinned ones; return whether it is patched."""
    if installed() != PINNED:
        return False
    pydyf.PDF.page_references = property(_page_references, doc=_ORIGINAL_PAGE_REFERENCES.__doc__)
    pydyf.PDF.add_page = _add_page
    return True


def remove() -> None:
    """Restore pydyf as installed (for timing and for the byte-identity test)."""
    pydyf.PDF.page_references = _ORIGINAL_PAGE_REFERENCES
    pydyf.PDF.add_page = _ORIGINAL_ADD_PAGE
