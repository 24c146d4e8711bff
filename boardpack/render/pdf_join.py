"""Join PDFs laid out apart into one tagged document, as if it had been laid out whole.

A long paper is laid out in slices, in parallel (see `render.pdf`); general merge tools drop
what a committee member or a screen reader relies on, so the join keeps it:

- the pages, in order, each with its links and fonts;
- the PDF/UA structure trees, joined under one Document element, with the parent tree and
  every page's and annotation's key renumbered;
- the named destinations of all slices (an anchor laid out later wins over the front slice's
  stand-in for it), so the contents list's links reach the reports;
- one outline, nested by heading level across the slices as WeasyPrint nests it in one document;
- "Page X of Y" on every page, stamped afterwards as a pagination artifact in Liberation Sans,
  where paper.css's `@bottom-right` box prints it.

The same slices always give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pikepdf

FOOTER_FONT = "/BoardpackFooter"
FONT_FAMILY = "Liberation Sans"
FOOTER_CHARACTERS = range(32, 127)
"""The footer font holds printable ASCII: the footer's words can change without a new font."""


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


@dataclass(frozen=True)
class Footer:
    """Where paper.css prints the page number: `@bottom-right`, vertically centred in the bottom margin."""

    words: str = "Page {page} of {pages}"
    size: float = 8.0
    right_margin: float = 12 * 72 / 25.4
    bottom_margin: float = 15 * 72 / 25.4
    colour: tuple[float, float, float] = (11 / 255, 12 / 255, 12 / 255)


def join(slices: Sequence[Rendered], footer: Footer | None = Footer()) -> bytes:
    """One PDF of every slice's pages, structure, links and bookmarks, with page numbers stamped."""
    if not slices:
        raise ValueError("nothing to join")
    pdf = pikepdf.open(io.BytesIO(slices[0].pdf))
    others: list[pikepdf.Pdf] = []  # open until saved: qpdf copies their objects lazily, and tells them apart while open
    try:
        starts = [0]
        for piece in slices[1:]:
            starts.append(len(pdf.pages))
            others.append(pikepdf.open(io.BytesIO(piece.pdf)))
            _append(pdf, others[-1])
        _destinations(pdf, slices, starts)
        _outline(pdf, slices, starts)
        if footer is not None:
            _stamp(pdf, footer)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    finally:
        for other in others:
            other.close()
        pdf.close()
    return out.getvalue()


# --- pages and structure -------------------------------------------------------------------

def _numbers(node: Any) -> list[tuple[int, Any]]:
    """The (key, value) pairs of a number tree, in order."""
    pairs: list[tuple[int, Any]] = []
    if "/Nums" in node:
        nums = node.Nums
        pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", ()):
        pairs += _numbers(kid)
    return pairs


def _copied(pdf: pikepdf.Pdf, value: Any) -> Any:
    """`value` of another PDF in `pdf`: indirect objects copied once (qpdf remembers each copy)."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copied(pdf, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copied(pdf, item) for key, item in value.items()})
    return value


def _document(root: Any) -> Any:
    kids = root.K
    return kids[0] if isinstance(kids, pikepdf.Array) else kids


def _append(pdf: pikepdf.Pdf, other: pikepdf.Pdf) -> None:
    """Add `other`'s pages to `pdf`, and its structure elements under `pdf`'s Document element."""
    tree = pdf.Root.StructTreeRoot
    parents = _numbers(tree.ParentTree)
    offset = int(tree.get("/ParentTreeNextKey", max((key for key, _ in parents), default=-1) + 1))
    first = len(pdf.pages)
    with warnings.catch_warnings():  # named destinations and the outline are rebuilt for the whole paper below
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        pdf.pages.extend(other.pages)
    for page in pdf.pages[first:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", ()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    theirs = other.Root.StructTreeRoot
    document = _document(tree)
    if not isinstance(document.K, pikepdf.Array):
        document.K = pikepdf.Array([document.K])
    for kid in _document(theirs).K:
        copied = _copied(pdf, kid)
        if isinstance(copied, pikepdf.Dictionary) and "/S" in copied:
            copied.P = document
        document.K.append(copied)
    numbers = [*parents, *((key + offset, _copied(pdf, value)) for key, value in _numbers(theirs.ParentTree))]
    tree.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array([x for pair in numbers for x in pair])))
    tree.ParentTreeNextKey = max((key for key, _ in numbers), default=-1) + 1
    for name in ("/RoleMap", "/ClassMap"):
        if name in theirs:
            mine = tree.get(name) or pikepdf.Dictionary()
            for key, value in theirs[name].items():
                if key not in mine:
                    mine[key] = _copied(pdf, value)
            tree[name] = mine


def _destinations(pdf: pikepdf.Pdf, slices: Sequence[Rendered], starts: Sequence[int]) -> None:
    """Every slice's anchors as one sorted name tree; a later slice's anchor replaces an earlier one."""
    places: dict[str, tuple[int, float, float]] = {}
    for piece, start in zip(slices, starts, strict=True):
        for name, page, x, y in piece.anchors:
            places[name] = (start + page, x, y)
    if not places:
        return
    entries = pikepdf.Array()
    for name in sorted(places):
        page, x, y = places[name]
        entries.append(pikepdf.String(name))
        entries.append(pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0]))
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = pikepdf.Dictionary(Names=entries)


def _outline(pdf: pikepdf.Pdf, slices: Sequence[Rendered], starts: Sequence[int]) -> None:
    """One outline of every slice's headings, nested by level exactly as WeasyPrint nests one document's."""
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    pages: list[list[tuple[int, str, tuple[float, float], str]]] = [[] for _ in range(len(pdf.pages))]
    for piece, start in zip(slices, starts, strict=True):
        for mark in piece.bookmarks:
            pages[start + mark.page].append((mark.level, mark.label, (mark.x, mark.y), "open" if mark.open else "closed"))
    root: list[Any] = []
    skipped: list[int] = []
    last_by_depth: list[Any] = [root]
    level = 0
    for number, marks in enumerate(pages):
        level = make_page_bookmark_tree(SimpleNamespace(bookmarks=marks), skipped, last_by_depth, level, number, Matrix())
    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines
    if not root:
        return
    top = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    first, last, count = _outline_items(pdf, root, top)
    top.First, top.Last, top.Count = first, last, count
    pdf.Root.Outlines = top


def _outline_items(pdf: pikepdf.Pdf, tree: list[Any], parent: Any) -> tuple[Any, Any, int]:
    """Write one level of the outline under `parent`; return its first and last items and visible count."""
    items: list[Any] = []
    count = len(tree)
    for label, (page, x, y), children, state in tree:
        item = pdf.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(label), Parent=parent,
            Dest=pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0])))
        if children:
            item.First, item.Last, below = _outline_items(pdf, children, item)
            item.Count = below if state == "open" else -below
            count += below if state == "open" else 0
        else:
            item.Count = 0
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    return items[0], items[-1], count


# --- page numbers ---------------------------------------------------------------------------

@cache
def _font_file() -> Path:
    """The file fontconfig gives for Liberation Sans Regular: the one Pango prints paper.css's text in."""
    import ctypes
    import ctypes.util

    lib = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    lib.FcFontMatch.restype = ctypes.c_void_p
    lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    pattern = lib.FcNameParse(f"{FONT_FAMILY}:style=Regular".encode())
    lib.FcConfigSubstitute(None, pattern, 0)  # FcMatchPattern
    lib.FcDefaultSubstitute(pattern)
    result = ctypes.c_int()
    match = lib.FcFontMatch(None, pattern, ctypes.byref(result))
    lib.FcPatternDestroy(pattern)
    if not match:
        raise RuntimeError(f"fontconfig finds no font for {FONT_FAMILY}, which prints the page numbers")
    file = ctypes.c_char_p()
    found = lib.FcPatternGetString(match, b"file", 0, ctypes.byref(file)) == 0 and file.value
    path = Path(file.value.decode()) if found and file.value else None
    lib.FcPatternDestroy(match)
    if path is None:
        raise RuntimeError(f"fontconfig gives no file for {FONT_FAMILY}, which prints the page numbers")
    return path


@cache
def _font() -> tuple[bytes, dict[str, Any]]:
    """The footer font, subset to printable ASCII, and the metrics its PDF dictionaries need."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(_font_file()), recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=list(FOOTER_CHARACTERS))
    subsetter.subset(font)
    cmap = font.getBestCmap()
    scale = 1000 / font["head"].unitsPerEm
    widths = [round(font["hmtx"][cmap[code]][0] * scale) if code in cmap else 0 for code in FOOTER_CHARACTERS]
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    data = io.BytesIO()
    font.save(data)
    metrics = {
        "widths": widths,
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "ascent": round(hhea.ascent * scale),
        "descent": round(hhea.descent * scale),
        "cap": round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
        "name": font["name"].getDebugName(6) or "LiberationSans",
    }
    return data.getvalue(), metrics


def _font_object(pdf: pikepdf.Pdf) -> Any:
    data, metrics = _font()
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
    name = pikepdf.Name(f"/{tag}+{metrics['name']}")
    file = pikepdf.Stream(pdf, data)
    file.Length1 = len(data)
    descriptor = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=name, Flags=32, FontBBox=metrics["bbox"], ItalicAngle=0,
        Ascent=metrics["ascent"], Descent=metrics["descent"], CapHeight=metrics["cap"], StemV=80, FontFile2=file))
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType, BaseFont=name, FirstChar=FOOTER_CHARACTERS[0],
        LastChar=FOOTER_CHARACTERS[-1], Widths=metrics["widths"], Encoding=pikepdf.Name.WinAnsiEncoding, FontDescriptor=descriptor))


def _text_width(text: str, size: float) -> float:
    widths: list[int] = _font()[1]["widths"]
    return sum(widths[ord(c) - FOOTER_CHARACTERS[0]] for c in text) * size / 1000


def _literal(text: str) -> bytes:
    return b"(" + text.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _stamp(pdf: pikepdf.Pdf, footer: Footer) -> None:
    """Print "Page X of Y" on every page, as WeasyPrint prints a margin box: an artifact, out of the structure tree."""
    font = _font_object(pdf)
    metrics = _font()[1]
    ascent, descent = metrics["ascent"] * footer.size / 1000, -metrics["descent"] * footer.size / 1000
    baseline = footer.bottom_margin / 2 - (ascent + descent) / 2 + descent
    total = len(pdf.pages)
    colour = " ".join(f"{c:.6f}" for c in footer.colour).encode()
    done: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, start=1):
        resources = page.obj.Resources
        if resources.objgen not in done:  # a slice's pages share one resources dictionary
            fonts = resources.get("/Font")
            if fonts is None:
                resources.Font = fonts = pikepdf.Dictionary()
            fonts[FOOTER_FONT] = font
            if resources.objgen != (0, 0):
                done.add(resources.objgen)
        text = footer.words.format(page=number, pages=total)
        box = page.obj.MediaBox
        x = float(box[2]) - footer.right_margin - _text_width(text, footer.size)
        y = float(box[1]) + baseline
        stream = (b"Q\nq\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n" + colour + b" rg\nBT\n"
                  + FOOTER_FONT.encode() + f" {footer.size:g} Tf\n{x:.4f} {y:.4f} Td\n".encode() + _literal(text)
                  + b" Tj\nET\nEMC\nQ\n")
        page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, stream))
