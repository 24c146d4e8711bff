"""One gate for untrusted Office packages (.docx on import, .xlsx returns), before any library parses them.

A package from outside is data, never code. Before python-docx or openpyxl sees the bytes,
every part is unpacked here, in chunks, and measured as it is inflated (the sizes a zip
declares can be forged):

- the file itself: a regular file (a pipe or device is refused before it is opened, so it can
  neither block nor stream forever), of bounded size, read once; the libraries are given these
  very bytes, so what was checked is what is parsed;
- the zip: at most so many parts and so many bytes unpacked, nothing encrypted;
- every part that is XML, whatever its name (by its name, its content type in
  `[Content_Types].xml`, or its first bytes), is parsed here by expat, streaming: it must be
  well-formed UTF-8 or UTF-16 (the encodings Office writes), declare no DTD (`<!DOCTYPE`,
  `<!ENTITY`: the start of entity-expansion and external-entity attacks, and never written by
  Word or Excel), and the elements and attributes of all parts together are counted, which
  bounds the memory the libraries' trees take (a few hundred bytes each); every other part is
  searched for a DTD in UTF-8, UTF-16 and UTF-32 too;
- macros: a VBA project is refused by its content type, its relationship type, a macro-enabled
  document type, its usual name, or the compound-file signature its bytes start with, so a
  macro project stored under another name is found as well.

Only `Refused` leaves this module; its message says what is wrong and the limit, and the
caller puts the file's name in front.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of a compound file: an old .doc or .xls, a password-protected file, a VBA project."""
_CHUNK = 1 << 16
_DTD_MARKS = tuple(word.encode(codec) for word in ("<!DOCTYPE", "<!ENTITY")
                   for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))
_MARK_TAIL = max(len(mark) for mark in _DTD_MARKS)
_XML_NAMES = (".xml", ".rels", ".vml")
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x4c\x6f\xa7\x94")
"""How an XML document can begin (XML 1.0, appendix F), after any spaces or NULs: '<' in UTF-8 or
UTF-16/32 (whose other bytes are NULs), a byte-order mark, '<?xm' in EBCDIC."""
_MACRO_TYPES = ("vbaproject", "macroenabled", "vbadata", "ms-office.activex", "keymapcustomizations")
"""Words in a content type or relationship type that mean code: VBA projects and their data,
macro-enabled documents, ActiveX controls, key bindings to macros."""
CONTENT_TYPES = "[Content_Types].xml"
MB = 1024 * 1024


class Refused(Exception):
    """The package is refused; the message says why (without the file's name)."""


@dataclass(frozen=True)
class Limits:
    """What one kind of package may hold; see README "Safety"."""

    kind: str
    """'Word file', 'workbook': how messages name the file."""
    purpose: str
    """'a paper', 'a return': what the file is for, in messages."""
    file_bytes: int
    unpacked_bytes: int
    entries: int
    xml_nodes: int
    """Elements and attributes of all XML parts together."""
    xml_bytes: int
    """All XML parts together, unpacked."""
    embedded_objects: bool = False
    """Whether OLE objects embedded in the document (`*/embeddings/*`, of the OLE-object content type) are allowed."""


@dataclass
class _Seen:
    """What the scan learns of the package on its way through."""

    defaults: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    total: int = 0
    xml: int = 0
    nodes: int = 0


def size_text(n: int) -> str:
    return f"{n // MB} MB" if n >= MB else f"{n // 1024} KB"


def read_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a file the user named: a regular file, of at most `limit` bytes, read once.

    A pipe, device or folder is refused before it is opened (opening a FIFO blocks, reading
    /dev/zero never ends); the open file is checked again, in case it was swapped meanwhile.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise Refused(f"cannot read the file: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"not a regular file (a folder, pipe or device); give the {what} itself")
    if info.st_size > limit:
        raise Refused(f"the file is {info.st_size // MB} MB; a {what} over {size_text(limit)} is refused")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Refused(f"cannot read the file: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Refused(f"not a regular file (a folder, pipe or device); give the {what} itself")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise Refused(f"cannot read the file: {exc.strerror}") from None
    if len(data) > limit:
        raise Refused(f"the file grew past {size_text(limit)} while it was read; a {what} over {size_text(limit)} is refused")
    return data


def check_package(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb, a DTD, malformed XML or a macro anywhere in the package, before anything parses it."""
    _directory(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise Refused("not a zip package") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.entries:
            raise Refused(f"the package holds {len(infos)} parts (at most {limits.entries}); refused as unsafe")
        declared = sum(info.file_size for info in infos)
        if declared > limits.unpacked_bytes:
            raise Refused(_too_big(limits))
        seen = _Seen()
        # The content types first: they say which parts are XML and which are macros.
        ordered = sorted(infos, key=lambda info: info.filename != CONTENT_TYPES)
        for info in ordered:
            _check_part(archive, info, limits, seen)
        for name in archive.namelist():
            if name.lower().rsplit("/", 1)[-1] == "vbaproject.bin":
                raise Refused(_macros(limits, f"a VBA project, {name}"))


_END = b"PK\x05\x06"
_END64 = b"PK\x06\x07"
_PER_ENTRY = 1024
"""Bytes of the zip's directory allowed per part: a part's name, its sizes and a little extra."""


def _directory(data: bytes, limits: Limits) -> None:
    """Refuse a zip directory of too many parts before `zipfile` reads it into objects.

    A million parts in a 94 MB file took 640 MB to refuse. The end record is found as `zipfile`
    finds it: at the very end, or the last one in the file's tail.
    """
    at = len(data) - 22
    if at < 0:
        raise Refused("not a zip package")
    if data[at:at + 4] != _END or data[-2:] != b"\0\0":
        at = data.rfind(_END, max(0, len(data) - 65_535 - 22))
    if at < 0 or len(data) < at + 22:
        raise Refused("not a zip package")
    entries, size = struct.unpack("<HL", data[at + 10:at + 16])
    if at >= 20 and data[at - 20:at - 16] == _END64:
        raise Refused(f"the package is a ZIP64 archive, which no {limits.kind} of this size needs; refused as unsafe")
    if entries > limits.entries:
        raise Refused(f"the package holds {entries} parts (at most {limits.entries}); refused as unsafe")
    if size > limits.entries * _PER_ENTRY:
        raise Refused(f"the package's list of parts takes {size:,} bytes, more than {limits.entries} parts "
                      f"(the most allowed) can take; refused as unsafe")


def _too_big(limits: Limits) -> str:
    return (f"the {limits.kind} unpacks to far more than {limits.purpose} can hold (more than "
            f"{size_text(limits.unpacked_bytes)} in all); refused as unsafe")


def _content_type(name: str, seen: _Seen) -> str:
    override = seen.overrides.get("/" + name.lower())
    if override is not None:
        return override
    extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    return seen.defaults.get(extension, "")


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, seen: _Seen) -> None:
    name = info.filename
    if info.flag_bits & 0x1:
        raise Refused("the package is encrypted; save it without a password")
    content_type = _content_type(name, seen)
    if any(word in content_type.lower() for word in _MACRO_TYPES):
        raise Refused(_macros(limits, f"part {name} is {content_type}"))
    parser: Any = None
    first = True
    tail = b""
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):  # the first read holds the part's first 64 KB, or all of it
                seen.total += len(chunk)
                if seen.total > limits.unpacked_bytes:
                    raise Refused(_too_big(limits))
                window, tail = tail + chunk, chunk[-_MARK_TAIL:]
                if any(mark in window for mark in _DTD_MARKS):
                    raise _dtd(name, limits)
                if first:
                    parser, first = _start(name, chunk[:512], content_type, limits, seen), False
                if parser is not None:
                    seen.xml += len(chunk)
                    if seen.xml > limits.xml_bytes:
                        raise Refused(f"the {limits.kind}'s XML parts unpack to more than {size_text(limits.xml_bytes)} in all; "
                                      "refused as unsafe")
                    _feed(parser, name, chunk, False)
        if first and name.lower().endswith(_XML_NAMES):
            raise Refused(f"part {name} is empty, which is not XML; the file is damaged")
        if parser is not None:
            _feed(parser, name, b"", True)
    except Refused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise Refused(f"part {name} cannot be unpacked ({exc}); the file is damaged") from None


def _dtd(name: str, limits: Limits) -> Refused:
    return Refused(f"part {name} declares a DTD (<!DOCTYPE>/<!ENTITY>), which no {limits.kind} from Office holds; "
                   "refused as unsafe")


def _xml_type(content_type: str) -> bool:
    """An XML content type: '...+xml', 'application/xml' or 'text/xml'.

    Not every 'openxmlformats' type: printer settings and embedded fonts are binary.
    """
    kind = content_type.lower().split(";", 1)[0].strip()
    return kind.endswith("+xml") or kind in ("application/xml", "text/xml")


def _looks_xml(head: bytes) -> bool:
    return head.lstrip(b" \t\r\n\0").startswith(_XML_STARTS) or head.startswith(_XML_STARTS)


def _start(name: str, head: bytes, content_type: str, limits: Limits, seen: _Seen) -> Any:
    """The expat parser for a part that is XML, or None for a part that is not (a picture, printer settings)."""
    if head.startswith(OLE):
        embedded = "/embeddings/" in name.lower() and content_type.lower().endswith("oleobject")
        if not (limits.embedded_objects and embedded):
            raise Refused(_macros(limits, f"part {name} is a compound file, as a VBA project is"))
        return None
    if not (name.lower().endswith(_XML_NAMES) or _xml_type(content_type) or _looks_xml(head)):
        return None
    parser = expat.ParserCreate()

    def dtd(*_: Any) -> None:
        raise _dtd(name, limits)

    def element(tag: str, attributes: dict[str, str]) -> None:
        seen.nodes += 1 + len(attributes)
        if seen.nodes > limits.xml_nodes:
            raise Refused(f"the {limits.kind}'s XML parts hold more than {limits.xml_nodes:,} elements and attributes "
                          f"(at most {limits.xml_nodes:,}); refused as unsafe")
        if name == CONTENT_TYPES:
            _content_types(tag, attributes, seen, limits)
        elif name.lower().endswith(".rels"):
            kind = attributes.get("Type", "").lower()
            if any(word in kind for word in _MACRO_TYPES):
                raise Refused(_macros(limits, f"{name} links to a part of type {attributes.get('Type')}"))

    parser.StartDoctypeDeclHandler = dtd
    parser.EntityDeclHandler = dtd
    parser.StartElementHandler = element
    parser.ExternalEntityRefHandler = _no_external(name, limits)
    return parser


def _no_external(name: str, limits: Limits) -> Callable[[str, str | None, str | None, str | None], int]:
    def refuse(*_: str | None) -> int:
        raise _dtd(name, limits)

    return refuse


def _macros(limits: Limits, detail: str) -> str:
    return (f"the {limits.kind} contains macros or controls ({detail}); save it as a {limits.kind} "
            "without macros (.docx or .xlsx)")


def _content_types(tag: str, attributes: dict[str, str], seen: _Seen, limits: Limits) -> None:
    local = tag.rsplit(":", 1)[-1]
    content_type = attributes.get("ContentType", "")
    if local == "Default" and "Extension" in attributes:
        seen.defaults[attributes["Extension"].lower()] = content_type
    elif local == "Override" and "PartName" in attributes:
        seen.overrides[attributes["PartName"].lower()] = content_type
    if any(word in content_type.lower() for word in _MACRO_TYPES):
        raise Refused(_macros(limits, f"{CONTENT_TYPES} declares {content_type}"))


def _feed(parser: Any, name: str, chunk: bytes, final: bool) -> None:
    try:
        parser.Parse(chunk, final)
    except expat.ExpatError as exc:
        why = expat.ErrorString(exc.code) if exc.code is not None else str(exc)
        if "encoding" in why:
            raise Refused(f"part {name} is XML in an encoding Office does not write ({why}); "
                          "only UTF-8 and UTF-16 are read; the file is damaged or was altered") from None
        raise Refused(f"part {name} is not well-formed XML (line {exc.lineno}, column {exc.offset + 1}: {why}); "
                      "the file is damaged") from None


def read_package(path: Path, limits: Limits, old_format: str, refuse: Callable[[str], Exception]) -> bytes:
    """The bytes of an untrusted package, read once and checked; `refuse` turns a reason into the caller's error."""
    try:
        data = read_file(path, limits.file_bytes, limits.kind)
        if data.startswith(OLE):
            raise Refused(old_format)
        check_package(data, limits)
    except Refused as exc:
        raise refuse(str(exc)) from None
    return data
