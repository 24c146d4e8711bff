"""What the PDF's layout hands to the joiner: a slice laid out (`Rendered`), its outline entries and marks.

Shared by `layout` (which makes them, with WeasyPrint) and `join` (which joins them), so
neither imports the other for its types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Bookmark:
    """A heading's outline entry: its level, label and place (page of its slice, PDF points)."""

    level: int
    label: str
    page: int
    x: float
    y: float
    open: bool = True


@dataclass(frozen=True)
class Rendered:
    """One slice laid out and written: its PDF, pages, outline entries and anchors (page of the slice)."""

    pdf: bytes
    pages: int
    bookmarks: tuple[Bookmark, ...] = ()
    anchors: tuple[tuple[str, int, float, float], ...] = ()
    """Each element id: its page of the slice and place in PDF points, as WeasyPrint's named destinations."""


Marks = Sequence[tuple[int, str, tuple[float, float], str]]
"""One page's headings for the outline: level, label, place (PDF points) and 'open' or 'closed'."""
Tree = list[Any]
"""The outline as WeasyPrint nests it: (label, (page, x, y), children, state) for each entry."""
