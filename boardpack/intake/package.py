"""Open an untrusted .docx: a zip of XML parts, checked before anything parses it.

A .docx from outside is data, never code: macros, embedded objects, external templates
and links are never run or fetched (nothing here follows a relationship to outside the
package). Before python-docx sees the bytes, `gate` checks the file and every part (sizes
measured while inflating, XML well-formed and without a DTD, its elements counted, no macro
under any name), with the limits below; the parts are then parsed with entities and network
access off.
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
from ..formats.wordml.vocabulary import parse_part
from .gate import Limits, Refused, check_package, read_package

MAX_FILE = 100 * 1024 * 1024
"""The .docx itself."""
MAX_UNPACKED = 200 * 1024 * 1024
"""All its parts, inflated (pictures included)."""
MAX_ENTRIES = 2000
MAX_XML = 64 * 1024 * 1024
"""Its XML parts, inflated: a 1,000-item tracker's document part is 5 MB."""
MAX_NODES = 1_000_000
"""Elements and attributes of its XML parts: a 1,000-item tracker has about 250,000, and a tree of a
million takes about 350 MB."""
LIMITS = Limits("Word file", "a paper", MAX_FILE, MAX_UNPACKED, MAX_ENTRIES, MAX_NODES, MAX_XML, embedded_objects=True)
OLD_FORMAT = ("this is an old Word 97-2003 .doc or a password-protected file; "
              "open it in Word, remove any password and save it as Word Document (.docx)")


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
    """The file's bytes, read once, after the checks of `gate`; WordFileError says what is wrong."""
    data = read_package(path, LIMITS, OLD_FORMAT, lambda why: _refuse(label, _word(why)))
    _has_document(data, label)
    return data


def check_zip(data: bytes, label: str) -> None:
    """Refuse zip bombs, malformed XML, a DTD or a macro anywhere in the package, before anything parses it."""
    try:
        check_package(data, LIMITS)
    except Refused as exc:
        raise _refuse(label, _word(str(exc))) from None
    _has_document(data, label)


def _has_document(data: bytes, label: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    if "word/document.xml" not in names and "[Content_Types].xml" not in names:
        raise _refuse(label, "not a Word .docx file (no document part); save it as Word Document (.docx)")


def _word(why: str) -> str:
    if why == "not a zip package":
        return "not a Word .docx file (it is not a zip package); save it as Word Document (.docx)"
    return why


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
