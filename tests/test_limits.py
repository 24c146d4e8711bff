"""Untrusted inputs within bounds: bombs, bypasses, tracebacks, and a build racing a merge.

Bombs run under a memory ceiling; safety checks must hold whatever a part's name or encoding;
every refusal is one line naming the file instead of a traceback.

Each case is run as the command line runs it, and every file is compared byte for byte afterwards.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from boardpack.chain import Checked
from boardpack.inputs import inputs_key

from .conftest import FIXTURES, ROOT, TEMPLATES, run
from .intake.test_import import response_000

build_module = importlib.import_module("boardpack.build")  # the module; `boardpack.build` the name is its function
PAPER = FIXTURES / "returns" / "2021-12-tracker.yaml"
BOOK = "Crime-Directorate.xlsx"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DTD = '<?xml version="1.0" encoding="{codec}"?><!DOCTYPE x [<!ENTITY secret "hidden text">]>'


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path.

    A paper's empty lock file (`.NAME.yaml.lock`), which the writer leaves in place by design, is left out.
    """
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink() and not _lock(p)}


def _lock(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".yaml.lock") and path.stat().st_size == 0


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the paper in data/, as the current directory, its returns exported."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    shutil.copy(PAPER, tmp_path / "data" / PAPER.name)
    code, _, err = run("returns", f"data/{PAPER.name}")
    assert code == 0, err
    return tmp_path


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def tampered_return(folder: Path, name: str, change: Callable[[dict[str, bytes]], None]) -> Path:
    """An owner's return, filled in (a sound update), then altered as an attacker or a broken tool would."""
    source = folder / "build" / "returns" / PAPER.stem / BOOK
    book = load_workbook(source)
    sheet = book["Items"]
    sheet["K9"] = "Progress made this quarter."
    book.save(folder / "filled.xlsx")
    parts = parts_of(folder / "filled.xlsx")
    change(parts)
    return write_zip(folder / name, parts)


def refused_merge(folder: Path, book: Path, *words: str) -> str:
    """Merge `book`: refused with exit 1, one line naming it, no traceback, every file as it was."""
    before = snapshot(folder)
    code, out, err = run("merge", f"data/{PAPER.name}", str(book.relative_to(folder)))
    assert code == 1, (out, err)
    assert "Traceback" not in err and "unexpectedly" not in err
    lines = [line for line in err.splitlines() if line.startswith(f"{book.name}:")]
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], lines[0]
    assert snapshot(folder) == before
    return lines[0]


def test_a_filled_return_merges_so_the_refusals_below_are_of_the_tampering(folder: Path) -> None:
    tampered_return(folder, "sound.xlsx", lambda parts: None)
    code, out, err = run("merge", f"data/{PAPER.name}", "sound.xlsx", "--dry-run")
    assert code == 0 and "update added" in out, err


def test_binary_parts_office_writes_are_not_taken_for_xml(folder: Path, tmp_path: Path) -> None:
    """Excel's printer settings and Word's embedded fonts have 'openxmlformats' content types but are binary."""
    settings = "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"

    def printer(parts: dict[str, bytes]) -> None:
        parts["xl/printerSettings/printerSettings1.bin"] = "Microsoft Print to PDF".encode("utf-16-le") + bytes(range(256)) * 4
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", f'<Default Extension="bin" ContentType="{settings}"/></Types>'.encode())

    tampered_return(folder, "printed.xlsx", printer)
    code, out, err = run("merge", f"data/{PAPER.name}", "printed.xlsx", "--dry-run")
    assert code == 0 and "update added" in out, err
    parts = parts_of(response_000(tmp_path / "source.docx"))
    parts["word/fonts/font1.odttf"] = bytes(range(256)) * 16
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="odttf" ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont"/></Types>')
    write_zip(tmp_path / "fonts.docx", parts)
    code, _, err = run("import", str(tmp_path / "fonts.docx"), "-o", str(tmp_path / "fonts.yaml"))
    assert code == 0, err


# --- 8: bombs inside the file-size limits, under a memory ceiling -------------------------------------------


CEILING = 900 * 1024 * 1024
"""Address space for the command: the limits keep every accepted input under about 500 MB."""


def under_ceiling(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own whose address space is capped at `CEILING`."""
    script = ("import resource, sys\n"
              f"resource.setrlimit(resource.RLIMIT_AS, ({CEILING}, {CEILING}))\n"
              "from boardpack.cli import main\n"
              "sys.exit(main(sys.argv[1:]))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", script, *argv], cwd=folder, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_a_return_whose_sheet_unpacks_to_millions_of_cells_is_refused_within_the_ceiling(folder: Path) -> None:
    def bomb(parts: dict[str, bytes]) -> None:  # 3 million empty cells in one row: 12 MB of XML, a few KB deflated
        sheet = parts["xl/worksheets/sheet1.xml"]
        at = sheet.index(b"</row>", sheet.index(b'<row r="9"'))
        parts["xl/worksheets/sheet1.xml"] = sheet[:at] + b"<c/>" * 3_000_000 + sheet[at:]

    book = tampered_return(folder, "cells.xlsx", bomb)
    assert book.stat().st_size < 200_000
    before = snapshot(folder)
    done = under_ceiling(folder, "merge", f"data/{PAPER.name}", "cells.xlsx")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert ("cells.xlsx: the workbook's XML parts hold more than 1,000,000 elements and attributes (at most 1,000,000)"
            in done.stderr), done.stderr
    assert snapshot(folder) == before


@pytest.mark.slow
def test_a_return_whose_text_unpacks_past_the_limit_is_refused(folder: Path) -> None:
    def bomb(parts: dict[str, bytes]) -> None:
        sheet = parts["xl/worksheets/sheet1.xml"]
        parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"Progress made this quarter.", b"a " * (40 * 1024 * 1024))

    book = tampered_return(folder, "text.xlsx", bomb)
    before = snapshot(folder)
    done = under_ceiling(folder, "merge", f"data/{PAPER.name}", book.name)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "text.xlsx: the workbook's XML parts unpack to more than 64 MB in all" in done.stderr, done.stderr
    assert snapshot(folder) == before


def test_a_return_listing_hundreds_of_thousands_of_parts_is_refused_before_they_are_read(folder: Path) -> None:
    """200,000 empty parts in 19 MB: the zip's directory is measured before `zipfile` makes an object of each."""
    local, central = bytearray(), bytearray()
    for n in range(200_000):
        name = b"x/%07d" % n
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0, 0, 0, 0, 0, len(local)) + name
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1000, 1000, len(central), len(local), 0)  # a count within the limit
    (folder / "parts.xlsx").write_bytes(bytes(local + central) + end)
    refused_merge(folder, folder / "parts.xlsx", "the package's list of parts takes 11,000,000 bytes, more than 1000 parts")


@pytest.mark.slow
def test_a_word_file_whose_document_unpacks_to_millions_of_paragraphs_is_refused_within_the_ceiling(tmp_path: Path) -> None:
    parts = parts_of(response_000(tmp_path / "source.docx"))
    document = parts["word/document.xml"]
    at = document.index(b"<w:sectPr")
    parts["word/document.xml"] = document[:at] + b"<w:p/>" * 3_000_000 + document[at:]
    bomb = write_zip(tmp_path / "paras.docx", parts)
    assert bomb.stat().st_size < 200_000
    before = snapshot(tmp_path)
    done = under_ceiling(tmp_path, "import", "paras.docx", "-o", "data/paras.yaml")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert ("paras.docx: the Word file's XML parts hold more than 1,000,000 elements and attributes (at most 1,000,000)"
            in done.stderr), done.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.slow
def test_a_word_file_just_inside_the_limits_imports_within_the_ceiling(tmp_path: Path) -> None:
    """The limits refuse bombs, not papers: a large, dense document under them is read in the ceiling."""
    parts = parts_of(response_000(tmp_path / "source.docx"))
    document = parts["word/document.xml"]
    at = document.index(b"<w:sectPr")
    parts["word/document.xml"] = document[:at] + b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 300_000 + document[at:]
    write_zip(tmp_path / "dense.docx", parts)
    done = under_ceiling(tmp_path, "import", "dense.docx", "-o", "data/dense.yaml")
    assert done.returncode == 0, done.stderr
    assert "Crime" not in done.stderr and (tmp_path / "data" / "dense.yaml").is_file()


# --- 11: safety checks that a name or an encoding cannot bypass ---------------------------------------------


def _utf(codec: str, xml: str) -> bytes:
    """A part in another encoding (with a byte-order mark for utf-16 and utf-32), declaring a DTD."""
    return (DTD.format(codec=codec.upper()) + xml).encode(codec)


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-16-be", "utf-32-le"])
def test_a_dtd_in_a_utf16_or_utf32_part_is_refused_on_import(tmp_path: Path, codec: str) -> None:
    parts = parts_of(response_000(tmp_path / "source.docx"))
    text = parts["word/document.xml"].decode("utf-8").split("?>", 1)[-1]
    parts["word/document.xml"] = _utf(codec, text.replace("Vetting standards", "&secret; Vetting standards"))
    bad = write_zip(tmp_path / "wide.docx", parts)
    before = snapshot(tmp_path)
    code, _, err = run("import", str(bad), "-o", str(tmp_path / "out.yaml"))
    assert code == 1 and "Traceback" not in err
    assert f"{bad}: part word/document.xml declares a DTD" in err, err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("part", ["word/_rels/document.xml.rels", "word/notes.dat", "customXml/item1"])
def test_a_dtd_in_a_part_of_any_name_is_refused_on_import(tmp_path: Path, part: str) -> None:
    parts = parts_of(response_000(tmp_path / "source.docx"))
    if part in parts:
        parts[part] = DTD.format(codec="UTF-8").encode() + parts[part].split(b"?>", 1)[-1]
    else:
        parts[part] = DTD.format(codec="UTF-8").encode() + b"<x>&secret;</x>"
    bad = write_zip(tmp_path / "named.docx", parts)
    before = snapshot(tmp_path)
    code, _, err = run("import", str(bad), "-o", str(tmp_path / "out.yaml"))
    assert code == 1 and "Traceback" not in err
    assert f"{bad}: part {part} declares a DTD" in err, err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(("part", "codec"), [("xl/_rels/workbook.xml.rels", "utf-8"), ("xl/worksheets/sheet1.xml", "utf-32"),
                                             ("xl/worksheets/sheet1.xml", "utf-16"), ("docProps/extra", "utf-8")])
def test_a_dtd_in_a_return_is_refused_whatever_the_part_or_encoding(folder: Path, part: str, codec: str) -> None:
    def change(parts: dict[str, bytes]) -> None:
        body = parts.get(part, b"<x>&secret;</x>").decode("utf-8").split("?>", 1)[-1]
        parts[part] = _utf(codec, body)

    book = tampered_return(folder, "dtd.xlsx", change)
    refused_merge(folder, book, f"part {part} declares a DTD")


VBA_TYPE = "application/vnd.ms-office.vbaProject"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def _macro(parts: dict[str, bytes], folder: str, how: str) -> None:
    """A VBA project (a compound file) stored as `{folder}/data.bin`, declared by content type, by relationship, or not at all."""
    parts[f"{folder}/data.bin"] = OLE + b"\0" * 504
    if how == "content type":
        types = parts["[Content_Types].xml"]
        parts["[Content_Types].xml"] = types.replace(b"</Types>", f'<Override PartName="/{folder}/data.bin" '
                                                     f'ContentType="{VBA_TYPE}"/></Types>'.encode())
    elif how == "relationship":
        rels = f"{folder}/_rels/{'workbook' if folder == 'xl' else 'document'}.xml.rels"
        parts[rels] = parts[rels].replace(b"</Relationships>", f'<Relationship Id="rIdVba" Type="{VBA_REL}" '
                                          'Target="data.bin"/></Relationships>'.encode())


@pytest.mark.parametrize("how", ["content type", "relationship", "signature"])
def test_a_macro_project_under_another_name_is_refused_in_a_return(folder: Path, how: str) -> None:
    book = tampered_return(folder, "macro.xlsx", lambda parts: _macro(parts, "xl", how))
    refused_merge(folder, book, "the workbook contains macros")


@pytest.mark.parametrize("how", ["content type", "relationship", "signature"])
def test_a_macro_project_under_another_name_is_refused_on_import(tmp_path: Path, how: str) -> None:
    parts = parts_of(response_000(tmp_path / "source.docx"))
    _macro(parts, "word", how)
    bad = write_zip(tmp_path / "macro.docx", parts)
    before = snapshot(tmp_path)
    code, _, err = run("import", str(bad), "-o", str(tmp_path / "out.yaml"))
    assert code == 1 and "Traceback" not in err
    assert f"{bad}: the Word file contains macros" in err, err
    assert snapshot(tmp_path) == before


# --- 12: one line naming the file, not a traceback ---------------------------------------------------------


def test_an_xxe_doctype_in_workbook_xml_is_refused(folder: Path) -> None:
    def xxe(parts: dict[str, bytes]) -> None:
        body = parts["xl/workbook.xml"].split(b"?>", 1)[-1]
        parts["xl/workbook.xml"] = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + body

    refused_merge(folder, tampered_return(folder, "xxe.xlsx", xxe), "part xl/workbook.xml declares a DTD")


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"])
def test_malformed_xml_in_a_return_is_refused(folder: Path, part: str) -> None:
    def break_it(parts: dict[str, bytes]) -> None:
        parts[part] = parts[part][: len(parts[part]) // 2]

    book = tampered_return(folder, "broken.xlsx", break_it)
    refused_merge(folder, book, f"part {part} is not well-formed XML (line ")


def test_a_date_cell_of_1e10_is_refused(folder: Path) -> None:
    def huge_date(parts: dict[str, bytes]) -> None:  # a number typed in a cell without a date format
        sheet = parts["xl/worksheets/sheet1.xml"]
        start = sheet.index(b'<c r="I9"')
        end = sheet.index(b"</c>", start) + 4
        parts["xl/worksheets/sheet1.xml"] = sheet[:start] + b'<c r="I9" t="n"><v>10000000000</v></c>' + sheet[end:]

    line = refused_merge(folder, tampered_return(folder, "date.xlsx", huge_date))
    assert line.startswith("date.xlsx: Items!I9: 10000000000 is not a date"), line


@pytest.mark.parametrize("name", ["Crime.xls", "Crime"])
def test_a_return_named_xls_or_without_an_extension_is_refused(folder: Path, name: str) -> None:
    shutil.copy(tampered_return(folder, "sound.xlsx", lambda parts: None), folder / name)
    refused_merge(folder, folder / name, "not .xlsx", "save it as an Excel Workbook (.xlsx)")


def test_an_old_xls_is_refused(folder: Path) -> None:
    (folder / "old.xlsx").write_bytes(OLE + b"\0" * 1024)
    refused_merge(folder, folder / "old.xlsx", "old Excel 97-2003 workbook")


def test_a_number_too_long_to_read_in_a_return_is_refused(folder: Path) -> None:
    def long_number(parts: dict[str, bytes]) -> None:
        sheet = parts["xl/worksheets/sheet1.xml"]
        at = sheet.index(b"</row>", sheet.index(b'<row r="9"'))
        parts["xl/worksheets/sheet1.xml"] = sheet[:at] + b'<c r="K9"><v>' + b"7" * 5000 + b"</v></c>" + sheet[at:]

    refused_merge(folder, tampered_return(folder, "digits.xlsx", long_number), "cannot be read as an Excel workbook")


def test_a_malformed_footnotes_part_is_refused_on_import(tmp_path: Path) -> None:
    good = response_000(tmp_path / "source.docx")
    parts = parts_of(good)
    assert b"footnoteReference" in parts["word/document.xml"]
    parts["word/footnotes.xml"] = parts["word/footnotes.xml"].replace(b"</w:footnotes>", b"</w:footnote>")
    bad = write_zip(tmp_path / "notes.docx", parts)
    before = snapshot(tmp_path)
    code, _, err = run("import", str(bad), "-o", str(tmp_path / "out.yaml"))
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"error: {bad}: part word/footnotes.xml is not well-formed XML (line "), err
    assert len(err.splitlines()) == 1
    assert snapshot(tmp_path) == before


def test_a_5000_digit_number_is_refused_on_roll_and_merge(folder: Path) -> None:
    paper = folder / "data" / PAPER.name
    raw = paper.read_text(encoding="utf-8")
    lines = raw.split("\n")
    at = next(n for n, line in enumerate(lines) if line.lstrip().startswith("text: "))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}text: {'9' * 5000}"
    paper.write_text("\n".join(lines), encoding="utf-8")
    before = snapshot(folder)
    for argv in (("roll", f"data/{PAPER.name}", "--to", "2022-03"),
                 ("merge", f"data/{PAPER.name}", str(tampered_return(folder, "sound.xlsx", lambda parts: None).name))):
        before = snapshot(folder)
        code, _, err = run(*argv)
        assert code == 1 and "Traceback" not in err and "unexpectedly" not in err, err
        problems = [line for line in err.splitlines() if "5,000 digits" in line]
        assert len(problems) == 1 and problems[0].startswith(f"data/{PAPER.name}:{at + 1}:"), err
        assert "at most 100 digits (put it in quotes if it is text)" in problems[0]
        assert snapshot(folder) == before


def test_quoted_the_same_digits_are_text(folder: Path) -> None:
    paper = folder / "data" / PAPER.name
    lines = paper.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if line.lstrip().startswith("text: "))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}text: '{'9' * 5000}'"
    paper.write_text("\n".join(lines), encoding="utf-8")
    code, _, err = run("roll", f"data/{PAPER.name}", "--to", "2022-03")
    assert code == 0, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_import_of_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.docx"
    os.mkfifo(fifo)
    code, _, err = run("import", str(fifo), "-o", str(tmp_path / "out.yaml"))  # opening it would block for ever
    assert code == 1 and err.strip() == f"error: {fifo}: not a regular file (a folder, pipe or device); give the Word file itself"
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_import_of_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    code, _, err = run("import", "/dev/zero", "-o", str(tmp_path / "out.yaml"))
    assert code == 1 and err.strip() == "error: /dev/zero: not a regular file (a folder, pipe or device); give the Word file itself"
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_merge_of_a_fifo_is_refused_without_opening_it(folder: Path) -> None:
    os.mkfifo(folder / "pipe.xlsx")
    refused_merge(folder, folder / "pipe.xlsx", "not a regular file")


# --- 7: a build racing a merge -----------------------------------------------------------------------------


def test_a_build_renders_the_bytes_it_fingerprinted_when_the_paper_changes_meanwhile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two papers, built by worker processes; the first is saved again (as by a merge) right after it was fingerprinted."""
    data, out = tmp_path / "data", tmp_path / "build"
    data.mkdir()
    first = data / "2021-09-tracker.yaml"
    shutil.copy(FIXTURES / "cycle" / "2021-09-tracker.yaml", first)
    shutil.copy(FIXTURES / "cycle" / "2021-06-tracker.yaml", data / "2021-06-tracker.yaml")
    old = first.read_bytes()
    marker = b"Progress after the merge."
    assert b"text: Follow the guidance.\n" in old and marker not in old
    new = old.replace(b"text: Follow the guidance.\n", b"text: Follow the guidance. " + marker + b"\n", 1)
    fingerprinted: dict[str, str] = {}
    original = build_module.inputs_of

    def then_merge(checked: Checked, templates: Path, formats: tuple[str, ...]) -> str:
        key: str = original(checked, templates, formats)
        if checked.path == first:
            fingerprinted["key"] = key
            assert checked.read[first][1] == old
            first.write_bytes(new)  # a merge lands after the fingerprint, before the worker renders
            os.utime(first, ns=(checked.read[first][0] + 10**9, checked.read[first][0] + 10**9))
        return key

    monkeypatch.setattr(build_module, "inputs_of", then_merge)
    results = build_module.build([first, data / "2021-06-tracker.yaml"], data_dir=data, out_dir=out, formats=("csv",), jobs=2)
    assert [b.error for b in results] == [None, None]
    manifest = json.loads((out / ".boardpack-manifest.json").read_text(encoding="utf-8"))
    assert manifest[first.stem]["inputs"] == fingerprinted["key"]
    # the outputs recorded under that fingerprint are those of the fingerprinted bytes, not of the file as it is now
    assert marker.decode() not in (out / f"{first.stem}.csv").read_text(encoding="utf-8")
    monkeypatch.setattr(build_module, "inputs_of", original)
    again = build_module.build([first], data_dir=data, out_dir=out, formats=("csv",), jobs=2)
    assert not again[0].skipped and again[0].error is None
    assert marker.decode() in (out / f"{first.stem}.csv").read_text(encoding="utf-8")
    manifest = json.loads((out / ".boardpack-manifest.json").read_text(encoding="utf-8"))
    assert manifest[first.stem]["inputs"] == inputs_key([first, data / "2021-06-tracker.yaml"], TEMPLATES, ("csv",))


# --- the spreadsheet a new paper is started from passes the same gate ------------------------------------------


@pytest.mark.parametrize(("change", "says"), [
    (lambda parts: parts.__setitem__("xl/workbook.xml", b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                     + parts["xl/workbook.xml"].split(b"?>", 1)[-1]), "part xl/workbook.xml declares a DTD"),
    (lambda parts: parts.__setitem__("xl/worksheets/sheet1.xml", parts["xl/worksheets/sheet1.xml"].replace(
        b"</row>", b'<c r="Z1"><v>' + b"7" * 5000 + b"</v></c></row>", 1)), "cannot be read as an Excel workbook (.xlsx): ValueError"),
    (lambda parts: parts.__setitem__("xl/data.bin", OLE + b"\0" * 504), "the workbook contains macros"),
])
def test_a_spreadsheet_of_items_is_checked_as_a_return_is(tmp_path: Path, change: Callable[[dict[str, bytes]], None], says: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Items"
    book.active.append(["Report", "No.", "Recommendation", "Status"])
    book.active.append(["PEEL 2023", 1, "Improve call handling.", "AMBER"])
    book.save(tmp_path / "plain.xlsx")
    parts = parts_of(tmp_path / "plain.xlsx")
    change(parts)
    sheet = write_zip(tmp_path / "items.xlsx", parts)
    before = snapshot(tmp_path)
    code, _, err = run("new", str(tmp_path / "p.yaml"), "--layout", "tracker", "--period", "2023-03", "--committee", "PAB", "--from", str(sheet))
    assert code == 1 and "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith(f"{sheet}: ")]
    assert len(lines) == 1 and says in lines[0], err
    assert snapshot(tmp_path) == before
