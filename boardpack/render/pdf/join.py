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

The same slices, joined in the same order, give the same bytes; `join` takes them in the
order a build does.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import pikepdf

from ..fonts import font_file
from .types import Marks, Rendered, Tree

FOOTER_FONT = "/BoardpackFooter"
FONT_FAMILY = "Liberation Sans"
FOOTER_CHARACTERS = range(32, 127)
"""The footer font holds printable ASCII: the footer's words can change without a new font."""


@dataclass(frozen=True)
class Footer:
    """Where paper.css prints the page number: `@bottom-right`, vertically centred in the bottom margin."""

    words: str = "Page {page} of {pages}"
    size: float = 8.0
    right_margin: float = 12 * 72 / 25.4
    bottom_margin: float = 15 * 72 / 25.4
    colour: tuple[float, float, float] = (11 / 255, 12 / 255, 12 / 255)




def _nested(pages: Sequence[Marks]) -> Tree:
    """WeasyPrint's nesting of the outline, in this process (see `layout.outline`)."""
    from .layout import outline

    return outline(pages)


def join(slices: Sequence[Rendered], footer: Footer | None = Footer(), font: FooterFont | None = None,
         nest: Callable[[Sequence[Marks]], Tree] = _nested) -> bytes:
    """One PDF of every slice's pages, structure, links and bookmarks, with page numbers stamped.

    `font` is the footer font and its metrics (`footer_font`), when at hand already; `nest` nests the
    outline's headings (a build that lays out in workers asks one of them, which has
    WeasyPrint loaded). See `Joiner`, which this feeds as a build does: the front slice last.
    """
    joiner = Joiner(footer)
    for n in [*range(1, len(slices)), 0] if slices else []:
        joiner.add(n, slices[n])
    return joiner.finish(slices, font, nest)


class Joiner:
    """Slices joined as they are handed in, so a build copies those laid out while it waits for the rest.

    Each slice is read and its objects written out at once, under new numbers, so memory
    holds one slice, not the paper, and time grows with the pages. What depends on every
    slice waits for `finish`: the page objects (their "Page X of Y" needs the page count),
    the page tree, the structure tree's Document and parent tree, destinations, outline and
    the footer font's bytes. Slices may come in any order; the same order gives the same bytes.
    """

    def __init__(self, footer: Footer | None = Footer()) -> None:
        self.out = _Writer()
        self.ids = _Globals(self.out)
        self.stamp = _Stamp(self.out, footer) if footer is not None else None
        self.copied: dict[int, _Copied] = {}
        self.added: dict[int, Rendered] = {}
        self.next_key = 0

    def add(self, n: int, piece: Rendered) -> None:
        """Copy slice `n` of the paper (counted from 0, the opening slice)."""
        if n in self.copied:
            raise ValueError(f"slice {n} joined twice")
        with pikepdf.open(io.BytesIO(piece.pdf)) as source:
            if len(source.pages) != piece.pages:
                raise ValueError(f"slice {n} holds {len(source.pages)} pages, not {piece.pages}")
            copied = _copy_slice(source, self.out, self.ids, self.stamp, self.next_key, opening=n == 0)
        self.copied[n] = copied
        self.added[n] = piece
        self.next_key = copied.next_key

    def finish(self, slices: Sequence[Rendered], font: FooterFont | None = None, nest: Callable[[Sequence[Marks]], Tree] = _nested) -> bytes:
        """The joined PDF of `slices`: those added, in the paper's order (their outline entries and anchors place them)."""
        if not slices:
            raise ValueError("nothing to join")
        missing, extra = set(range(len(slices))) - set(self.added), set(self.added) - set(range(len(slices)))
        if missing or extra:
            raise ValueError(f"slices {sorted(missing)} were not joined" if missing else f"slices {sorted(extra)} are not in the paper")
        if any(self.added[n] != piece for n, piece in enumerate(slices)):
            raise ValueError("the slices to finish are not the slices joined")
        out, ids, stamp = self.out, self.ids, self.stamp
        in_order = [self.copied[n] for n in range(len(slices))]
        total = sum(copied.pages for copied in in_order)
        page_ids = [page.number for copied in in_order for page in copied.page_bodies]
        if stamp is not None:
            stamp.finish(total, font or footer_font())
        for number, page in enumerate((page for copied in in_order for page in copied.page_bodies), start=1):
            out.object(page.number, _stamped(page, number, stamp, ids))
        kids = [kid for copied in in_order for kid in copied.kids]
        parents = sorted(pair for copied in self.copied.values() for pair in copied.parents)
        starts = first_pages(slices)
        _write_globals(out, ids, page_ids, kids, parents, in_order[0].catalog, _dests(slices, starts, page_ids),
                       _outline(out, nest(_marks(slices, starts, len(page_ids))), page_ids, ids.outlines))
        return out.finish(ids.catalog, in_order[0].info)


def first_pages(slices: Sequence[Rendered]) -> list[int]:
    """The page each slice starts on in the joined paper, counted from 0."""
    starts, page = [], 0
    for piece in slices:
        starts.append(page)
        page += piece.pages
    return starts


# --- writing objects ----------------------------------------------------------------------

_TOKEN = re.compile(rb"\((?:[^\\()]|\\.)*\)|(?<![\d.])(\d+) (\d+) R\b", re.DOTALL)
"""A literal string (skipped whole: qpdf writes its parentheses escaped) or an indirect reference."""
OBJECTS_PER_STREAM = 200


class _Writer:
    """A PDF 1.7 file written object by object: streams at once, other objects packed in object streams."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.count = 0
        self.where: dict[int, tuple[int, int, int]] = {}
        self.pending: list[tuple[int, bytes]] = []

    def new(self) -> int:
        self.count += 1
        return self.count

    def object(self, number: int, body: bytes) -> None:
        self.pending.append((number, body))
        if len(self.pending) >= OBJECTS_PER_STREAM:
            self._pack()

    def stream(self, number: int, entries: bytes, data: bytes) -> None:
        """A stream object; `entries` are its dictionary's entries but /Length, already written out."""
        self.where[number] = (1, self.out.tell(), 0)
        self.out.write(b"%d 0 obj\n<< %s /Length %d >>\nstream\n" % (number, entries, len(data)) + data + b"\nendstream\nendobj\n")

    def _pack(self) -> None:
        if not self.pending:
            return
        number = self.new()
        offsets, bodies, at = [], [], 0
        for index, (n, body) in enumerate(self.pending):
            self.where[n] = (2, number, index)
            offsets.append(b"%d %d" % (n, at))
            bodies.append(body)
            at += len(body) + 1
        header = b" ".join(offsets) + b"\n"
        data = zlib.compress(header + b"\n".join(bodies) + b"\n")
        self.stream(number, b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(self.pending), len(header)), data)
        self.pending = []

    def finish(self, root: int, info: int | None) -> bytes:
        """The cross-reference stream and trailer; the same objects always give the same bytes, /ID included."""
        self._pack()
        xref = self.new()
        self.where[xref] = (1, self.out.tell(), 0)
        rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
        for number in range(1, self.count + 1):
            kind, a, b = self.where[number]
            rows.append(bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(2, "big"))
        digest = hashlib.md5(self.out.getvalue(), usedforsecurity=False).hexdigest().encode()
        entries = b"/Type /XRef /Size %d /W [ 1 4 2 ] /Root %d 0 R%s /ID [ <%s> <%s> ] /Filter /FlateDecode" % (
            self.count + 1, root, b" /Info %d 0 R" % info if info else b"", digest, digest)
        data = zlib.compress(b"".join(rows))
        self.out.write(b"%d 0 obj\n<< %s /Length %d >>\nstream\n" % (xref, entries, len(data)) + data + b"\nendstream\nendobj\n")
        self.out.write(b"startxref\n%d\n%%%%EOF\n" % self.where[xref][1])
        return self.out.getvalue()


class _Globals:
    """The numbers of the objects the joined paper holds once: catalog, page tree, structure tree root and Document."""

    def __init__(self, out: _Writer) -> None:
        self.catalog, self.pages, self.tree, self.document, self.parents, self.outlines = (out.new() for _ in range(6))


def _renumber(body: bytes, numbers: dict[int, int]) -> bytes:
    """`body` with every reference to a slice's object turned into a reference to its number in the paper."""
    def swap(match: re.Match[bytes]) -> bytes:
        if match.group(1) is None:
            return match.group(0)
        new = numbers.get(int(match.group(1)))
        return b"null" if new is None else b"%d 0 R" % new
    return _TOKEN.sub(swap, body)


def _entries(dictionary: Any, skip: tuple[str, ...] = ()) -> bytes:
    """A dictionary's entries as PDF syntax, references still the slice's own."""
    return b" ".join(pikepdf.Name(key).unparse() + b" " + _syntax(value) for key, value in dictionary.items() if key not in skip)


def _syntax(value: Any) -> bytes:
    """One value as PDF syntax: pikepdf gives numbers and booleans as Python values, the rest as objects."""
    if isinstance(value, pikepdf.Object):
        return bytes(value.unparse())
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if value is None:
        return b"null"
    if isinstance(value, int):
        return b"%d" % value
    return bytes(pikepdf.Object.parse(str(value).encode()).unparse()) if not isinstance(value, (float, Decimal)) else _real(float(value))


def _number_tree(node: Any) -> list[tuple[int, Any]]:
    pairs: list[tuple[int, Any]] = []
    if "/Nums" in node:
        nums = node.Nums
        pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", ()):
        pairs += _number_tree(kid)
    return pairs


def _tree_objects(node: Any, found: set[int], links: tuple[str, ...]) -> None:
    """The numbers of the indirect objects of a tree (outline items, number tree nodes) reached through `links`."""
    if not isinstance(node, pikepdf.Dictionary):
        return
    if node.is_indirect:
        if node.objgen[0] in found:
            return
        found.add(node.objgen[0])
    for key in links:
        child = node.get(key)
        if isinstance(child, pikepdf.Array):
            for item in child:
                _tree_objects(item, found, links)
        elif child is not None:
            _tree_objects(child, found, links)


class _PageBody(NamedTuple):
    """A page as copied, written once its number in the paper is known: its footer needs it."""

    number: int
    entries: bytes
    """Its dictionary's entries renumbered, /Contents last; /Parent and /StructParents left out."""
    key: int | None
    """Its /StructParents in the paper."""
    box: tuple[float, float, float, float]


@dataclass
class _Copied:
    """What the join keeps of a slice once its objects are written: the rest waits for `Joiner.finish`."""

    page_bodies: list[_PageBody]
    kids: list[bytes]
    parents: list[tuple[int, bytes]]
    next_key: int
    catalog: dict[str, bytes]
    info: int | None

    @property
    def pages(self) -> int:
        return len(self.page_bodies)


def _copy_slice(source: pikepdf.Pdf, out: _Writer, ids: _Globals, stamp: _Stamp | None, key_offset: int, opening: bool) -> _Copied:
    """Write one slice's objects under new numbers, but its pages; keep what the paper holds once.

    Keeps, for the opening slice, its catalog's own entries and its document information.
    """
    root = source.Root
    tree = root.StructTreeRoot
    document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
    numbers: dict[int, int] = {root.Pages.objgen[0]: ids.pages, tree.objgen[0]: ids.tree, document.objgen[0]: ids.document}
    skip = {root.objgen[0], *numbers}
    _tree_objects(tree.ParentTree, skip, ("/Kids",))
    if "/Outlines" in root:
        _tree_objects(root.Outlines, skip, ("/First", "/Next"))
    info = source.trailer.get("/Info")
    if not opening:
        skip |= {o.objgen[0] for o in (info, root.get("/Metadata")) if o is not None and o.is_indirect}
    pages = [page.obj for page in source.pages]
    page_numbers = {page.objgen[0] for page in pages}
    annotations = {a.objgen[0] for page in pages for a in page.get("/Annots", ()) if a.is_indirect}
    fonts = {page.Resources.Font.objgen[0] for page in pages if "/Font" in page.Resources and page.Resources.Font.is_indirect}
    resources = {page.Resources.objgen[0] for page in pages if "/Font" in page.Resources and not page.Resources.Font.is_indirect}
    objects = [o for o in source.objects if o.objgen[0] not in skip and not _container(o)]
    for obj in objects:
        numbers[obj.objgen[0]] = out.new()
    bodies: dict[int, _PageBody] = {}
    for obj in objects:
        number = obj.objgen[0]
        if obj._type_code == pikepdf.ObjectType.stream:
            out.stream(numbers[number], _renumber(_entries(obj.stream_dict, ("/Length",)), numbers), obj.read_raw_bytes())
            continue
        if number in page_numbers:
            bodies[number] = _page(obj, key_offset, numbers)
            continue
        if number in annotations and "/StructParent" in obj:
            body = _renumber(b"<< " + _entries(obj, ("/StructParent",)) + b" /StructParent %d >>" % (int(obj.StructParent) + key_offset), numbers)
        elif stamp is not None and number in fonts:
            body = b"<< " + _renumber(_entries(obj), numbers) + b" " + stamp.resource_entry() + b" >>"
        elif stamp is not None and number in resources:
            own = _renumber(_entries(obj, ("/Font",)) + b" /Font << " + _entries(obj.Font), numbers)
            body = b"<< " + own + b" " + stamp.resource_entry() + b" >> >>"
        else:
            body = _renumber(obj.unparse(resolved=True), numbers)
        out.object(numbers[number], body)
    kids = [_renumber(_syntax(kid), numbers) for kid in (document.K if isinstance(document.K, pikepdf.Array) else [document.K])]
    parents = [(key + key_offset, _renumber(_syntax(value), numbers)) for key, value in _number_tree(tree.ParentTree)]
    page_bodies = [bodies[page.objgen[0]] for page in pages]
    next_key = max((key for key, _value in parents), default=key_offset - 1) + 1
    if not opening:
        return _Copied(page_bodies, kids, parents, next_key, {}, None)
    kept = {key: _renumber(_syntax(value), numbers) for key, value in root.items() if key not in ("/Type", "/Pages", "/StructTreeRoot", "/Names", "/Outlines")}
    return _Copied(page_bodies, kids, parents, next_key, kept, numbers.get(info.objgen[0]) if info is not None and info.is_indirect else None)


def _container(obj: Any) -> bool:
    """An object stream or cross-reference stream: part of a file's packing, not of its content."""
    return obj._type_code == pikepdf.ObjectType.stream and obj.stream_dict.get("/Type") in ("/ObjStm", "/XRef")


def _page(page: Any, key_offset: int, numbers: dict[int, int]) -> _PageBody:
    """A page's entries under the paper's numbers and structure keys, kept until its footer can be stamped."""
    contents = page.get("/Contents")
    own = [_syntax(c) for c in contents] if isinstance(contents, pikepdf.Array) else [_syntax(contents)] if contents is not None else []
    entries = _renumber(_entries(page, ("/Parent", "/StructParents", "/Contents")) + b" /Contents [ " + b" ".join(own) + b" ]", numbers)
    key = int(page.StructParents) + key_offset if "/StructParents" in page else None
    box = page.MediaBox
    return _PageBody(numbers[page.objgen[0]], entries, key, (float(box[0]), float(box[1]), float(box[2]), float(box[3])))


def _stamped(page: _PageBody, number: int, stamp: _Stamp | None, ids: _Globals) -> bytes:
    """A page under the paper's page tree, as page `number` of the paper, its footer stamped after its own content."""
    body = page.entries
    if stamp is not None:
        before, after = stamp.streams(number, page.box)
        body = body[:-1] + b"%d 0 R ]" % after
        body = body.replace(b"/Contents [ ", b"/Contents [ %d 0 R " % before, 1)
    structure = b" /StructParents %d" % page.key if page.key is not None else b""
    return b"<< " + body + b" /Parent %d 0 R%s >>" % (ids.pages, structure)


def _write_globals(out: _Writer, ids: _Globals, page_ids: list[int], kids: list[bytes], parents: list[tuple[int, bytes]],
                   catalog: dict[str, bytes], dests: bytes, outline: bool) -> None:
    out.object(ids.pages, b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (len(page_ids), b" ".join(b"%d 0 R" % n for n in page_ids)))
    out.object(ids.document, b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] >>" % (ids.tree, b" ".join(kids)))
    out.object(ids.parents, b"<< /Nums [ %s ] >>" % b" ".join(b"%d %s" % pair for pair in parents))
    next_key = parents[-1][0] + 1 if parents else 0
    out.object(ids.tree, b"<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R /ParentTreeNextKey %d >>" % (ids.document, ids.parents, next_key))
    entries = b" ".join(pikepdf.Name(key).unparse() + b" " + value for key, value in catalog.items())
    names = b" /Names << /Dests << /Names [ %s ] >> >>" % dests if dests else b""
    outlines = b" /Outlines %d 0 R" % ids.outlines if outline else b""
    out.object(ids.catalog, b"<< /Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R %s%s%s >>" % (ids.pages, ids.tree, entries, names, outlines))
    if not outline:
        out.object(ids.outlines, b"null")


def _dests(slices: Sequence[Rendered], starts: Sequence[int], page_ids: list[int]) -> bytes:
    """Every slice's anchors as one sorted name tree; a later slice's anchor replaces an earlier one."""
    places: dict[str, tuple[int, float, float]] = {}
    for piece, start in zip(slices, starts, strict=True):
        for name, page, x, y in piece.anchors:
            places[name] = (start + page, x, y)
    return b" ".join(pikepdf.String(name).unparse() + b" [ %d 0 R /XYZ %s %s 0 ]" % (page_ids[page], _real(x), _real(y))
                     for name, (page, x, y) in sorted(places.items()))


def _real(value: float) -> bytes:
    return (b"%.6f" % value).rstrip(b"0").rstrip(b".") or b"0"


def _marks(slices: Sequence[Rendered], starts: Sequence[int], pages: int) -> list[Marks]:
    """Every page's headings, from each slice's bookmarks placed on the joined paper's pages."""
    marks: list[list[tuple[int, str, tuple[float, float], str]]] = [[] for _ in range(pages)]
    for piece, start in zip(slices, starts, strict=True):
        for mark in piece.bookmarks:
            marks[start + mark.page].append((mark.level, mark.label, (mark.x, mark.y), "open" if mark.open else "closed"))
    return list(marks)


def _outline(out: _Writer, root: Tree, page_ids: list[int], top: int) -> bool:
    """Write the outline; False when the paper has no headings."""
    if not root:
        return False
    first, last, count = _outline_items(out, root, top, page_ids)
    out.object(top, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (first, last, count))
    return True


def _outline_items(out: _Writer, tree: list[Any], parent: int, page_ids: list[int]) -> tuple[int, int, int]:
    """Write one level of the outline under `parent`; return its first and last items and visible count."""
    numbers = [out.new() for _ in tree]
    count = len(tree)
    for n, (label, (page, x, y), children, state) in enumerate(tree):
        entries = b"/Title %s /Parent %d 0 R /Dest [ %d 0 R /XYZ %s %s 0 ]" % (pikepdf.String(label).unparse(), parent, page_ids[page], _real(x), _real(y))
        if n:
            entries += b" /Prev %d 0 R" % numbers[n - 1]
        if n < len(tree) - 1:
            entries += b" /Next %d 0 R" % numbers[n + 1]
        if children:
            first, last, below = _outline_items(out, children, numbers[n], page_ids)
            entries += b" /First %d 0 R /Last %d 0 R /Count %d" % (first, last, below if state == "open" else -below)
            count += below if state == "open" else 0
        else:
            entries += b" /Count 0"
        out.object(numbers[n], b"<< " + entries + b" >>")
    return numbers[0], numbers[-1], count


# --- page numbers ---------------------------------------------------------------------------

class _Stamp:
    """The page number on every page, as WeasyPrint prints a margin box: an artifact, out of the structure tree."""

    def __init__(self, out: _Writer, footer: Footer) -> None:
        self.out = out
        self.footer = footer
        self.file, self.descriptor, self.font, self.save = (out.new() for _ in range(4))
        out.stream(self.save, b"", b"q\n")
        self.total = 0
        self.metrics: dict[str, Any] = {}

    def resource_entry(self) -> bytes:
        return pikepdf.Name(FOOTER_FONT).unparse() + b" %d 0 R" % self.font

    def finish(self, total: int, font: FooterFont) -> None:
        """Write the font, once the pages it numbers are counted: until then only its object numbers are needed."""
        self.total = total
        data, self.metrics = font
        metrics = self.metrics
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
        name = pikepdf.Name(f"/{tag}+{metrics['name']}").unparse()
        self.out.stream(self.file, b"/Length1 %d /Filter /FlateDecode" % len(data), zlib.compress(data))
        self.out.object(self.descriptor, b"<< /Type /FontDescriptor /FontName %s /Flags 32 /FontBBox [ %s ] /ItalicAngle 0 /Ascent %d"
                        b" /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>" % (
                            name, b" ".join(b"%d" % v for v in metrics["bbox"]), metrics["ascent"], metrics["descent"], metrics["cap"], self.file))
        self.out.object(self.font, b"<< /Type /Font /Subtype /TrueType /BaseFont %s /FirstChar %d /LastChar %d /Widths [ %s ]"
                        b" /Encoding /WinAnsiEncoding /FontDescriptor %d 0 R >>" % (
                            name, FOOTER_CHARACTERS[0], FOOTER_CHARACTERS[-1], b" ".join(b"%d" % w for w in metrics["widths"]), self.descriptor))

    def streams(self, number: int, box: tuple[float, float, float, float]) -> tuple[int, int]:
        """The streams drawn before (saving the graphics state) and after page `number`'s own content."""
        footer = self.footer
        metrics = self.metrics
        ascent, descent = metrics["ascent"] * footer.size / 1000, -metrics["descent"] * footer.size / 1000
        baseline = footer.bottom_margin / 2 - (ascent + descent) / 2 + descent
        text = footer.words.format(page=number, pages=self.total)
        x = box[2] - footer.right_margin - _text_width(text, footer.size, metrics)
        y = box[1] + baseline
        colour = " ".join(f"{c:.6f}" for c in footer.colour).encode()
        data = (b"Q\nq\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n" + colour + b" rg\nBT\n"
                + FOOTER_FONT.encode() + f" {footer.size:g} Tf\n{x:.4f} {y:.4f} Td\n".encode() + _literal(text) + b" Tj\nET\nEMC\nQ\n")
        after = self.out.new()
        self.out.stream(after, b"", data)
        return self.save, after


def _font_file() -> Path:
    """The file fontconfig gives for Liberation Sans Regular: the one Pango prints paper.css's text in."""
    path = font_file(FONT_FAMILY, exact=False)
    if path is None:
        raise RuntimeError(f"fontconfig finds no font for {FONT_FAMILY}, which prints the page numbers")
    return path


class FooterFont(NamedTuple):
    """The footer font subset, and what the PDF's font dictionaries and the footer's placing need of it."""

    data: bytes
    metrics: dict[str, Any]


def footer_font() -> FooterFont:
    """The footer font, with its metrics: made together in a worker, as reading the metrics takes a tenth of a second."""
    data = subset_font()
    return FooterFont(data, font_metrics(data))


@cache
def subset_font() -> bytes:
    """The footer font, Liberation Sans subset to printable ASCII (a fifth of a second: `SliceCache` keeps it)."""
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
    data = io.BytesIO()
    font.save(data)
    return data.getvalue()


@cache
def font_source() -> bytes:
    """What the footer font is made from, for the cache's key: the font file fontconfig gives."""
    return _font_file().read_bytes()


@cache
def font_metrics(data: bytes) -> dict[str, Any]:
    """What the font's PDF dictionaries and the footer's placing need, read from the subset font (plain JSON values)."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    cmap = font.getBestCmap()
    scale = 1000 / font["head"].unitsPerEm
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    return {
        "widths": [round(font["hmtx"][cmap[code]][0] * scale) if code in cmap else 0 for code in FOOTER_CHARACTERS],
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "ascent": round(hhea.ascent * scale),
        "descent": round(hhea.descent * scale),
        "cap": round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
        "name": font["name"].getDebugName(6) or "LiberationSans",
    }


def _text_width(text: str, size: float, metrics: dict[str, Any]) -> float:
    widths: list[int] = metrics["widths"]
    return sum(widths[ord(c) - FOOTER_CHARACTERS[0]] for c in text) * size / 1000


def _literal(text: str) -> bytes:
    return b"(" + text.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
