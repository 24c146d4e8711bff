"""The papers in data/ and hostile multilingual papers pass a PDF/UA-1 validator; nothing is drawn as an empty box.

The validator is `page` (PyPI: page-validation), which checks the machine-checkable rules of
PDF/UA-1 (ISO 14289-1), the same ones veraPDF checks, without Java. Papers are built once per
module; validating one takes well under a second.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import page
import pdfplumber
import pytest
import yaml

import boardpack

from ..conftest import DATA, minimal

pytestmark = pytest.mark.slow  # every test here lays out a paper to PDF and validates it

NOTDEF = "PDFUA1-NOTDEF-GLYPH-001"

# What UK public bodies' papers hold beyond English: Welsh and Polish diacritics, Arabic,
# Urdu (with its own letters ے and ہ), Chinese and emoji.
MULTILINGUAL = "Gwaith ŵyr ŷd; Zażółć gęślą jaźń; العربية; اردو; 中文报告; 😀 ✅"
URDU = "پاکستان میں اردو زبان بولی جاتی ہے"
HOSTILE = "<script>alert(1)</script> {{ 7*7 }} {% raw %} ${jndi:ldap://x} " + "Llanfairpwllgwyngyll" * 20

REFERENCE_PAPERS = sorted(path.stem for path in DATA.glob("*.yaml"))


def _hostile(layout: str) -> dict[str, Any]:
    paper = minimal()
    paper["paper"]["title"] = f"{MULTILINGUAL} {URDU}"
    paper["paper"]["layout"] = layout
    report = paper["reports"][0]
    report["title"] = f"{MULTILINGUAL} <b>bold?</b>"
    for item in report["items"]:
        item["text"] = f"{MULTILINGUAL}\n\n{URDU}\n\n{HOSTILE}"
        item["comment"] = f"{MULTILINGUAL} {HOSTILE}\n\n- {URDU}\n- `{{{{ 7*7 }}}}`[^1]\n\n[^1]: {MULTILINGUAL}"
        if layout == "response":
            item["owner"] = MULTILINGUAL
    return paper


def _validate(pdf: Path) -> list[tuple[str, str, int | None]]:
    report = page.validate_pdf(pdf, profile="ua1")
    assert report.rules.total > 0
    return [(f.rule_id, f.message, f.object_id.object_number if f.object_id else None) for f in report.failures]


@pytest.fixture(scope="module")
def reference_pdfs(reference_build: Path) -> dict[str, Path]:
    """Every paper in data/, built once per session (read-only)."""
    return {path.stem: path for path in reference_build.glob("*.pdf")}  # the papers and their cover reports


@pytest.fixture(scope="module")
def hostile_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tracker and a response paper full of other scripts, emoji and injection-looking text."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    data.mkdir()
    for layout in ("tracker", "response"):
        text = yaml.safe_dump(_hostile(layout), sort_keys=False, allow_unicode=True)
        (data / f"hostile-{layout}.yaml").write_text(text, encoding="utf-8")
    built = boardpack.build(data_dir=data, out_dir=root / "out", formats=("pdf",), force=True)
    assert not [b.error for b in built if b.error]
    return {b.name: root / "out" / f"{b.name}.pdf" for b in built}


@pytest.mark.parametrize("name", REFERENCE_PAPERS)
def test_reference_paper_passes_pdfua1(reference_pdfs: dict[str, Path], name: str) -> None:
    failures = _validate(reference_pdfs[name])
    assert [f for f in failures if f[0] == NOTDEF] == []
    assert failures == []


def test_every_built_cover_report_passes_pdfua1(reference_pdfs: dict[str, Path]) -> None:
    covers = [name for name in reference_pdfs if name.endswith("-cover")]
    assert covers  # the September tracker has a cover block
    for name in covers:
        assert _validate(reference_pdfs[name]) == [], name


@pytest.mark.parametrize("layout", ["tracker", "response"])
def test_hostile_paper_passes_pdfua1(hostile_pdfs: dict[str, Path], layout: str) -> None:
    failures = _validate(hostile_pdfs[f"hostile-{layout}"])
    assert [f for f in failures if f[0] == NOTDEF] == []
    assert failures == []


@pytest.mark.parametrize("layout", ["tracker", "response"])
def test_every_script_is_drawn_from_a_font_that_has_it(hostile_pdfs: dict[str, Path], layout: str) -> None:
    """No .notdef: each character is in the PDF's text, drawn with a font that covers it."""
    with pdfplumber.open(hostile_pdfs[f"hostile-{layout}"]) as pdf:
        chars = [c for p in pdf.pages for c in p.chars]
    drawn = {c["text"] for c in chars}
    wanted = set(MULTILINGUAL + URDU) - set(" ;")
    assert wanted - drawn == set()
    fonts = {c["fontname"].split("+", 1)[-1] for c in chars}
    # Named in templates/paper.css, except the emoji font, which fontconfig supplies for emoji.
    for family in ("Liberation-Sans", "Amiri", "WenQuanYi-Micro-Hei", "Noto-Color-Emoji"):
        assert any(font.startswith(family) for font in fonts), (family, fonts)
    assert "alert(1)" in "".join(c["text"] for c in chars)


def test_the_validator_catches_a_missing_glyph(tmp_path: Path) -> None:
    """A character no installed font has (Linear B) is drawn as .notdef, and the validator says so."""
    paper = minimal()
    paper["reports"][0]["items"][0]["comment"] = "Linear B: \U00010000"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notdef.yaml").write_text(yaml.safe_dump(paper, allow_unicode=True), encoding="utf-8")
    boardpack.build(data_dir=tmp_path / "data", out_dir=tmp_path / "out", formats=("pdf",), force=True)
    assert NOTDEF in {rule for rule, _, _ in _validate(tmp_path / "out" / "notdef.pdf")}


LISTS = ("Tight:\n\n- first\n- second\n  - nested\n\nLoose:\n\n- one\n\n  a second paragraph of one\n\n- two\n\n"
         "From three:\n\n3. three\n4. four")


def test_lists_of_every_kind_pass_pdfua1_with_their_bullets_and_numbers_printed(tmp_path: Path) -> None:
    """A list item's content is its LBody, loose items (paragraphs) too; the bullets and numbers still print."""
    paper = minimal()
    paper["reports"][0]["items"][0]["comment"] = LISTS
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "lists.yaml").write_text(yaml.safe_dump(paper, allow_unicode=True), encoding="utf-8")
    built = boardpack.build(data_dir=tmp_path / "data", out_dir=tmp_path / "out", formats=("pdf",), force=True)
    assert not [b.error for b in built if b.error]
    pdf = tmp_path / "out" / "lists.pdf"
    assert _validate(pdf) == []
    with pdfplumber.open(pdf) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    for line in (r"• first", r"◦ nested", r"• one", r"a second paragraph of one", r"• two", r"3\. ?three", r"4\. ?four"):
        assert re.search(line, text), line
