"""Open an untrusted .docx: a zip of XML parts, checked before anything parses it.

A .docx from outside is data, never code: macros, embedded objects, external templates
and links are never run or fetched (nothing here follows a relationship to outside the
package). Before python-docx sees the bytes:

- the zip is checked: at most `MAX_ENTRIES` entries and `MAX_UNPACKED` bytes in all, each
  entry's real size measured while it is inflated (a forged size cannot hide a bomb);
- every XML part is refused if it declares a DTD (`<!DOCTYPE`, `<!ENTITY`): Word never
  writes one, and it is how entity-expansion ("billion laughs") and external-entity
  attacks begin; parts are then parsed with entities and network access off.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError

from ..errors import BoardpackError
from ..render.wordml import parse_part

MAX_FILE = 100 * 1024 * 1024
"""The .docx itself."""
MAX_UNPACKED = 200 * 1024 * 1024
"""All its parts, inflated."""
MAX_ENTRIES = 2000
_CHUNK = 1 << 16
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The start of a compound file: an old .doc, or a password-protected .docx."""
_DTD_MARKS = tuple(word.encode(codec) for word in ("<!DOCTYPE", "<!ENTITY") for codec in ("utf-8", "utf-16-le", "utf-16-be"))


class WordFileError(BoardpackError):
    """The Word file cannot be read at all; names the file."""


@dataclass
class Package:
    """A checked Word package: python-docx's document and the parts the importer reads."""

    document: Any
    styles: Any
    numbering: Any
    notes: dict[str, Any]
    """'footnote:ID' / 'endnote:ID' -> the note element."""
    links: dict[str, str]
    note_links: dict[str, str]
    headers: list[str]
    """Text of the page headers, for a title, appendix and period."""


def _refuse(label: str, why: str) -> WordFileError:
    return WordFileError(f"{label}: {why}")


def read_checked(path: Path, label: str) -> bytes:
    """The file's bytes, after the size, zip and DTD checks; WordFileError says what is wrong."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _refuse(label, f"cannot read the file: {exc.strerror}") from None
    if size > MAX_FILE:
        raise _refuse(label, f"the file is {size // (1024 * 1024)} MB; a Word paper over {MAX_FILE // (1024 * 1024)} MB is refused")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _refuse(label, f"cannot read the file: {exc.strerror}") from None
    if data.startswith(_OLE):
        raise _refuse(label, "this is an old Word 97-2003 .doc or a password-protected file; "
                      "open it in Word, remove any password and save it as Word Document (.docx)")
    check_zip(data, label)
    return data


def check_zip(data: bytes, label: str) -> None:
    """Refuse zip bombs and XML with a DTD before anything parses the package."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise _refuse(label, "not a Word .docx file (it is not a zip package); save it as Word Document (.docx)") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refuse(label, f"the package holds {len(infos)} parts (at most {MAX_ENTRIES}); refused as unsafe")
        declared = sum(info.file_size for info in infos)
        if declared > MAX_UNPACKED:
            raise _refuse(label, f"the package would unpack to {declared // (1024 * 1024)} MB "
                          f"(at most {MAX_UNPACKED // (1024 * 1024)} MB); refused as unsafe")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise _refuse(label, "the package is encrypted; save it without a password")
            tail = b""
            xml = info.filename.lower().endswith((".xml", ".rels"))
            try:
                with archive.open(info) as handle:
                    while chunk := handle.read(_CHUNK):
                        total += len(chunk)
                        if total > MAX_UNPACKED:
                            raise _refuse(label, f"the package unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB; refused as unsafe")
                        window, tail = tail + chunk, chunk[-24:]
                        if xml and any(mark in window for mark in _DTD_MARKS):
                            raise _refuse(label, f"part {info.filename} declares a DTD (<!DOCTYPE>/<!ENTITY>), "
                                          "which Word never writes; refused as unsafe")
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
                raise _refuse(label, f"part {info.filename} cannot be unpacked ({exc}); the file is damaged") from None
        if "word/document.xml" not in archive.namelist() and "[Content_Types].xml" not in archive.namelist():
            raise _refuse(label, "not a Word .docx file (no document part); save it as Word Document (.docx)")


def open_package(path: Path, label: str) -> Package:
    """Check and open a .docx; the parts the importer needs, parsed safely."""
    data = read_checked(path, label)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _refuse(label, f"not a Word document python-docx can open ({exc}); save it as Word Document (.docx)") from None
    except Exception as exc:  # noqa: BLE001 - lxml and python-docx raise many kinds on damaged parts
        raise _refuse(label, f"the Word document is damaged ({type(exc).__name__}: {exc})") from None
    part = document.part
    styles = _xml(part, RT.STYLES)
    numbering = _xml(part, RT.NUMBERING)
    links = {rid: rel.target_ref for rid, rel in part.rels.items() if rel.is_external}
    notes: dict[str, Any] = {}
    note_links: dict[str, str] = {}
    for reltype, kind in ((RT.FOOTNOTES, "footnote"), (RT.ENDNOTES, "endnote")):
        target = _target(part, reltype)
        if target is None:
            continue
        root = parse_part(_blob(target))
        for note in root:
            note_id = note.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}id")
            if note_id is not None:
                notes[f"{kind}:{note_id}"] = note
        note_links.update({rid: rel.target_ref for rid, rel in target.rels.items() if rel.is_external})
    headers = []
    for section in document.sections:
        for header in (section.header, section.first_page_header):
            try:
                if header.is_linked_to_previous:
                    continue
                text = "\n".join(p.text for p in header.paragraphs).strip()
            except (KeyError, ValueError):
                continue
            if text and text not in headers:
                headers.append(text)
    return Package(document, styles, numbering, notes, links, note_links, headers)


def _target(part: Any, reltype: str) -> Any:
    return next((rel.target_part for rel in part.rels.values() if rel.reltype == reltype and not rel.is_external), None)


def _blob(target: Any) -> bytes:
    element = getattr(target, "element", None)
    if element is not None:
        from lxml import etree

        return bytes(etree.tostring(element))
    return bytes(target.blob)


def _xml(part: Any, reltype: str) -> Any:
    target = _target(part, reltype)
    return parse_part(_blob(target)) if target is not None else None
