"""Slices of a paper's PDF kept from the last build, so an edit lays out only the slices it touched.

Each slice is stored under its key, a hash of everything its layout depends on: its HTML
(which inlines the style sheets and the data), the files of the templates folder, and the
versions of boardpack's PDF code, WeasyPrint and pydyf. A slice whose key is unchanged is
taken as it is. The folder lives under the build folder (`.cache/pdf/PAPER/`), holds the
slices of the last build only, and is safe to delete: what is missing is laid out again.
An entry that does not read back exactly (a cut-off file, an edit by hand) counts as missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ...write import is_cache_file
from .join import FOOTER_CHARACTERS, FooterFont
from .types import Bookmark, Rendered

PDF_CODE = Path(__file__).resolve().parent
"""The PDF renderer's package: the code of every module in it shapes a slice's bytes, so a change to any
of them, or a module added, split or renamed there, empties the cache (a list of names once missed one)."""

CHART_CODE = PDF_CODE.parent / "chart"
"""The chart's package, whose code shapes a drawing's bytes."""


def _salt(templates: Path) -> bytes:
    digest = hashlib.sha256()
    for name in ("weasyprint", "pydyf", "pikepdf"):
        digest.update(f"{name} {version(name)}\0".encode())
    for path in sorted(PDF_CODE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in sorted(p for p in templates.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(templates)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


class SliceCache:
    """One paper's laid-out slices, in `folder`, keyed by their inputs."""

    def __init__(self, folder: Path, templates: Path, fresh: bool = False) -> None:
        """`fresh`: take nothing from the folder (a forced build lays everything out), only store."""
        self.folder = folder
        self.fresh = fresh
        self._salt = _salt(templates)
        self._used: set[str] = set()
        # A link anywhere from `.cache` down could point the cache, and its pruning, at other files: then it stays off.
        self.on = not any(p.is_symlink() for p in (folder, folder.parent, folder.parent.parent))

    def key(self, html: str) -> str:
        return hashlib.sha256(self._salt + html.encode("utf-8")).hexdigest()

    def get(self, key: str) -> Rendered | None:
        """The slice stored under `key`, or None when there is none that reads back whole."""
        if not self.on or self.fresh:
            return None
        try:
            meta = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            pdf = (self.folder / f"{key}.pdf").read_bytes()
            piece = _rendered(meta, pdf)
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if piece is not None:
            self._used.add(key)
        return piece

    def put(self, key: str, piece: Rendered) -> None:
        """Store a slice: the PDF first, then its description, each written whole or not at all."""
        meta = {
            "sha256": hashlib.sha256(piece.pdf).hexdigest(),
            "pages": piece.pages,
            "bookmarks": [[b.level, b.label, b.page, b.x, b.y, b.open] for b in piece.bookmarks],
            "anchors": [list(a) for a in piece.anchors],
        }
        if not self.on:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write(self.folder / f"{key}.pdf", piece.pdf)
            _write(self.folder / f"{key}.json", json.dumps(meta).encode("utf-8"))
        except OSError:
            return  # a cache that cannot be written only costs time next build
        self._used.add(key)

    def document(self, html: str, templates: Path, start: Callable[[str, Path], Callable[[], Rendered]]) -> Callable[[], Rendered]:
        """A whole document (the cover report) from `html`: recalled when its HTML is unchanged, else laid out.

        `start` begins the layout (in a worker, or here when it is waited for) and gives what
        waits for it; the result is what the returned function gives.
        """
        key = self.key(html)
        piece = self.get(key)
        if piece is not None:
            return lambda: piece
        wait = start(html, templates)
        done: list[Rendered] = []

        def laid_out() -> Rendered:
            if not done:
                done.append(wait())
                self.put(key, done[0])
            return done[0]

        return laid_out

    def drawing(self, what: str, draw: Callable[[], str]) -> str:
        """An SVG drawing (the summary chart) by the description of what it shows; drawn only when new."""
        # The chart package's code, read, not imported (matplotlib loads only to draw): any change to it draws again.
        code = b"".join(path.read_bytes() for path in sorted(CHART_CODE.glob("*.py")))
        key = code + version("matplotlib").encode() + what.encode()
        return self.kept(key, lambda: draw().encode("utf-8"), ".svg").decode("utf-8")

    def footer_font(self, make: Callable[[], FooterFont] | None = None) -> FooterFont:
        """The footer font for the page numbers and its metrics, kept as they take a third of a second to make (by `make`, if given)."""
        from .join import FooterFont, font_metrics, footer_font

        made: list[FooterFont] = []

        def whole() -> FooterFont:
            if not made:
                made.append((make or footer_font)())
            return made[0]

        key = self._footer_font_key()
        data = self.kept(key, lambda: whole().data, ".ttf", lambda kept: kept[:4] == b"\x00\x01\x00\x00")  # a TrueType font
        metrics = self.kept(key + data, lambda: json.dumps(made[0].metrics if made else font_metrics(data)).encode(), ".json",
                            lambda kept: _metrics(kept) is not None)
        return FooterFont(data, _metrics(metrics) or font_metrics(data))

    def holds_footer_font(self) -> bool:
        """Whether `footer_font` would be read, not made."""
        key = self._footer_font_key()
        if not self.holds(key, ".ttf"):
            return False
        return self.holds(key + self._kept_path(key, ".ttf")[1].read_bytes(), ".json")

    @staticmethod
    def _footer_font_key() -> bytes:
        from .join import font_source

        return font_source() + version("fonttools").encode()

    def holds(self, what: bytes, suffix: str) -> bool:
        """Whether `kept` would read the bytes made from `what` rather than make them."""
        return self.on and not self.fresh and self._kept_path(what, suffix)[1].is_file()

    def _kept_path(self, what: bytes, suffix: str) -> tuple[str, Path]:
        key = hashlib.sha256(self._salt + what).hexdigest()
        return key, self.folder / f"{key}{suffix}"

    def kept(self, what: bytes, make: Callable[[], bytes], suffix: str, valid: Callable[[bytes], bool] = lambda kept: True) -> bytes:
        """Bytes made from `what`, kept under its hash: made only when new, when what is kept is not `valid`, or when the build is forced."""
        key, path = self._kept_path(what, suffix)
        if not self.on:
            return make()
        if not self.fresh:
            try:
                data = path.read_bytes()
                if valid(data):
                    self._used.add(key)
                    return data
            except OSError:
                pass
        data = make()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write(path, data)
            self._used.add(key)
        except OSError:
            pass
        return data

    def keep_only(self) -> None:
        """Remove the slices this build did not use: the folder holds one build's slices."""
        if not self.on:
            return
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return
        for path in entries:
            if is_cache_file(path.name) and path.name.lstrip(".")[:64] not in self._used and not path.is_dir():
                path.unlink(missing_ok=True)


_METRICS = {"widths": list, "bbox": list, "ascent": int, "descent": int, "cap": int, "name": str}


def _metrics(data: bytes) -> dict[str, Any] | None:
    """The footer font's metrics read back from the cache, or None when they are not what `join.font_metrics` writes."""
    try:
        metrics = json.loads(data)
    except ValueError:
        return None
    if not isinstance(metrics, dict) or metrics.keys() != _METRICS.keys():
        return None
    if not all(isinstance(metrics[name], kind) for name, kind in _METRICS.items()) or len(metrics["widths"]) != len(FOOTER_CHARACTERS):
        return None
    return metrics


def _rendered(meta: Any, pdf: bytes) -> Rendered | None:
    if not isinstance(meta, dict) or meta.get("sha256") != hashlib.sha256(pdf).hexdigest():
        return None
    pages = meta["pages"]
    if not isinstance(pages, int) or pages < 1:
        return None
    bookmarks = tuple(Bookmark(int(level), str(label), _page(page, pages), float(x), float(y), bool(is_open))
                      for level, label, page, x, y, is_open in meta["bookmarks"])
    anchors = tuple((str(name), _page(page, pages), float(x), float(y)) for name, page, x, y in meta["anchors"])
    return Rendered(pdf, pages, bookmarks, anchors)


def _page(value: Any, pages: int) -> int:
    if not isinstance(value, int) or not 0 <= value < pages:
        raise ValueError(f"page {value!r} out of range")
    return value


def _write(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
