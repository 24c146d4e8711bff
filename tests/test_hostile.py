"""Hostile and careless input: every mistake is a message with a line, never a traceback."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
import yaml
from docx import Document

from boardpack import build, check
from boardpack.markdown import to_html
from boardpack.model import When, parse_when
from boardpack.text import BREAK_EVERY, clean_text

from .conftest import minimal

# What no output may hold: C0 controls but tab, newline and carriage return; DEL; U+FFFE/U+FFFF.
UNPRINTABLE = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xFFFE, 0xFFFF]]


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)


def _only_error(path: Path):
    (result,) = check([path])
    assert len(result.errors) == 1, [str(p) for p in result.problems]
    return result.errors[0]


# --- malformed files ----------------------------------------------------------------------


def test_ten_thousand_nested_lists_are_refused_with_their_line(paper_file) -> None:
    text = "paper:\n  title: " + "[" * 10_000 + "]" * 10_000 + "\nreports: []\n"
    error = _only_error(paper_file(text))
    assert (error.line, error.column) == (2, 108)  # the 101st level: two mappings, then the 99th '['
    assert "nested more than 100 levels deep" in error.message


def test_deeply_nested_blocks_are_refused_too(paper_file) -> None:
    text = "".join("  " * level + "-\n" for level in range(1_000))
    error = _only_error(paper_file(text))
    assert error.line == 101 and "nested more than 100 levels deep" in error.message


@pytest.mark.parametrize("character", ["\x01", "\x07", "\x00", "\x1b", "\x7f"])
def test_control_character_typed_in_the_file_is_named_with_line_and_column(paper_file, character) -> None:
    text = _dump(minimal()).replace("Follow the guidance.", f"Follow{character} the guidance.")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if character in row)
    column = text.splitlines()[line - 1].index(character) + 1
    error = _only_error(paper_file(text))
    assert (error.line, error.column) == (line, column)
    assert error.message == f"character U+{ord(character):04X} is not allowed in a paper file; remove it"


def test_control_character_after_windows_line_ends_has_the_right_line(paper_file) -> None:
    error = _only_error(paper_file("paper:\r\n  title: ok\r\n  committee: a\x07b\r\n"))
    assert (error.line, error.column) == (3, 15)


@pytest.mark.parametrize("quote", ['"', "'"])
def test_unclosed_quote_is_reported_where_it_opens(paper_file, quote) -> None:
    text = _dump(minimal()).replace("text: Follow the guidance.", f"text: {quote}Follow the guidance.")
    lines = text.splitlines()
    line = next(n for n, row in enumerate(lines, 1) if f"{quote}Follow" in row)
    error = _only_error(paper_file(text))
    assert (error.line, error.column) == (line, lines[line - 1].index(quote) + 1)
    assert "a quote" in error.message and "opened here" in error.message  # ' closes at a later apostrophe
    assert "close it with the same quote character" in error.message


def test_apostrophe_inside_single_quotes_is_reported_on_its_line(paper_file) -> None:
    error = _only_error(paper_file("paper:\n  title: 'The force's plan'\n  committee: x\n"))
    assert (error.line, error.column) == (2, 21)
    assert "write an apostrophe as ''" in error.message


def test_line_without_colon_is_reported_at_that_line(paper_file) -> None:
    error = _only_error(paper_file("paper:\n  title: x\n  committee\n  period: 2021-09\n"))
    assert error.line == 3 and "no ':'" in error.message


def test_an_impossible_date_written_bare_is_a_date_error_not_a_crash(paper_file) -> None:
    text = _dump(minimal()).replace("published: '2021-08-05'", "published: 2021-02-30")
    assert "published: 2021-02-30" in text  # PyYAML itself fails on this one
    error = _only_error(paper_file(text))
    assert error.where == "reports[0].published" and "there is no 30 February 2021" in error.message


# --- dates as people type them -------------------------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), [
    ("September 2021", When(2021, 9)),
    ("Sept 2021", When(2021, 9)),
    ("Sep 2021", When(2021, 9)),
    ("sept 2021", When(2021, 9)),
    ("DECEMBER 2019", When(2019, 12)),
    ("30 September 2021", When(2021, 9, 30)),
    ("30 Sept 2021", When(2021, 9, 30)),
    ("5 aug 2021", When(2021, 8, 5)),
    ("30/09/2021", When(2021, 9, 30)),
    ("1/2/2021", When(2021, 2, 1)),
    ("2021-09", When(2021, 9)),
    ("2021-09-30", When(2021, 9, 30)),
])
def test_dates_as_people_type_them(paper_file, typed, meant) -> None:
    assert parse_when(typed) == meant
    data = minimal()
    data["paper"]["period"] = "2021-12"
    data["reports"][0]["items"][2]["due"] = typed
    data["reports"][0]["published"] = typed
    (result,) = check([paper_file(data)])
    assert result.errors == [] and result.paper is not None
    assert result.paper.reports[0].items[2].due[0].date == meant
    assert result.paper.reports[0].published == meant


@pytest.mark.parametrize(("typed", "why"), [
    ("31/02/2021", "there is no 31 February 2021"),
    ("31 February 2021", "there is no 31 February 2021"),
    ("2021-09-31", "there is no 31 September 2021"),
    ("2021-13", "there is no month 13"),
    ("September 30, 2021", "is not a date"),
    ("Septembre 2021", "is not a date"),
])
def test_impossible_dates_are_refused_with_the_accepted_forms(paper_file, typed, why) -> None:
    data = minimal()
    data["reports"][0]["items"][2]["due"] = typed
    error = _only_error(paper_file(data))
    assert error.where == "reports[0].items[2].due[0].date"
    assert why in error.message
    assert error.message.endswith("write 2021-09, September 2021, 2021-09-30 or 30 September 2021")


# --- characters no output can hold -----------------------------------------------------------


def test_control_characters_written_as_escapes_never_reach_the_html(paper_file, tmp_path: Path) -> None:
    escapes = "".join(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in UNPRINTABLE)
    text = _dump(minimal())
    text = text.replace("title: HMICFRS Report Recommendations", f'title: "HMICFRS{escapes} Report"')
    text = text.replace("comment: Being considered by the force.", f'comment: "Being{escapes} considered"')
    text = text.replace("status: AMBER", f'status: AMBER\n    status_note: "pending{escapes} review"', 1)
    results = build([paper_file(text)], out_dir=tmp_path / "build", formats=("html", "docx"))
    assert [r.error for r in results] == [None]
    html = (tmp_path / "build" / "paper.html").read_text(encoding="utf-8")
    assert [hex(ord(c)) for c in UNPRINTABLE if c in html] == []
    assert "HMICFRS" in html and "Being" in html and "pending" in html


@pytest.mark.parametrize("character", UNPRINTABLE)
def test_rich_text_renders_without_unprintable_characters(character) -> None:
    html = to_html(f"a{character}b *c{character}d* `e{character}f`[^1]\n\n[^1]: g{character}h")
    assert character not in html and "a" in html and "h" in html


def test_a_line_break_pasted_from_word_is_a_line_break_in_the_html() -> None:
    assert to_html("line one\vline two") == "<p>line one<br />\nline two</p>\n"
    assert clean_text("a\fb\r\nc") == "a\vb\nc"  # the Word writer draws '\v' as a line break too


# --- long words ------------------------------------------------------------------------------


def _pdf_text(path: Path) -> str:
    """All the PDF's text, quickly: poppler's pdftotext where installed (pdfplumber takes seconds more)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return _page_text(path)
    return subprocess.run([pdftotext, str(path), "-"], check=True, capture_output=True, text=True).stdout


def _page_text(path: Path) -> str:
    """The characters drawn inside the pages, without white space and zero-width spaces."""
    with pdfplumber.open(path) as pdf:
        chars = [c["text"] for page in pdf.pages for c in page.chars
                 if 0 <= c["x0"] and c["x1"] <= page.width and 0 <= c["top"] and c["bottom"] <= page.height]
    return re.sub(r"[\s\u200b]", "", "".join(chars))


@pytest.mark.slow
def test_a_100000_character_word_gets_break_points_and_is_printed_whole(paper_file, tmp_path: Path) -> None:
    # Laid out as one unbreakable word it takes WeasyPrint about two minutes; with break points it is
    # quick (bench/long_word.py times it).
    visible = re.sub(r"<[^>]+>", "", to_html("Q" * 100_000))
    assert visible.count("Q") == 100_000 and max(len(word) for word in re.split(r"[\s\u200b]", visible)) <= 60
    data = minimal()
    data["reports"][0]["items"][0]["comment"] = "Q" * 100_000
    path = paper_file(data)
    results = build([path], out_dir=tmp_path / "build", formats=("pdf",))
    assert [r.error for r in results] == [None]
    pdf = tmp_path / "build" / "paper.pdf"
    text = _pdf_text(pdf)
    assert text.count("Q") == 100_000
    # Wrapped at the break points put in every BREAK_EVERY characters: laid out as one unbreakable
    # word it takes about two minutes (the cost grows with the length of the line, not of the word).
    if shutil.which("pdftotext"):
        lines = [line for line in text.splitlines() if "Q" in line]
        assert len(lines) >= 100_000 // (3 * BREAK_EVERY) and max(line.count("Q") for line in lines) <= 3 * BREAK_EVERY
    else:  # without poppler's line breaks: every Q is inside the page, which one unbroken word would run off
        assert _page_text(pdf).count("Q") == 100_000
    (warning,) = [w for w in results[0].warnings if "characters without a space" in w.message]
    assert warning.where == "reports[0].items[0].comment" and "100,000" in warning.message


@pytest.mark.slow
def test_a_long_word_in_a_plain_field_wraps_inside_the_page(paper_file, tmp_path: Path) -> None:
    data = minimal()
    data["paper"]["title"] = "Z" * 2_000
    results = build([paper_file(data)], out_dir=tmp_path / "build", formats=("pdf",))
    assert [r.error for r in results] == [None]
    assert _page_text(tmp_path / "build" / "paper.pdf").count("Z") >= 2_000  # the running header repeats it


def test_a_long_word_made_of_many_pieces_gets_break_points_too() -> None:
    visible = re.sub(r"<[^>]+>", "", to_html("a*b" * 2_000))  # text and emphasis in turn
    assert max(len(word) for word in re.split(r"[\s\u200b]", visible)) <= 60


def test_long_words_only_get_break_points_in_the_web_page(paper_file, tmp_path: Path) -> None:
    data = minimal()
    data["reports"][0]["items"][0]["comment"] = "see " + "x" * 100 + " and [the guide](https://example.org/" + "p" * 300 + ")"
    results = build([paper_file(data)], out_dir=tmp_path / "build", formats=("html", "docx"))
    assert [r.error for r in results] == [None]
    html = (tmp_path / "build" / "paper.html").read_text(encoding="utf-8")
    assert "x" * 40 + "\u200b" + "x" * 40 + "\u200b" + "x" * 20 in html
    assert 'href="https://example.org/' + "p" * 300 + '"' in html  # addresses are left whole
    assert [w.message for w in results[0].warnings if "without a space" in w.message] == []  # 100 is not long


# --- Word's limits ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_300_character_title_builds_every_format(paper_file, tmp_path: Path) -> None:
    data = minimal()
    title = ("Recommendations on the " + "very " * 60 + "long title")[:300]
    assert len(title) == 300
    data["paper"]["title"] = title
    path = paper_file(data)
    (checked,) = check([path])
    assert checked.errors == []
    results = build([path], out_dir=tmp_path / "build", formats=("pdf", "docx", "html"))
    assert [r.error for r in results] == [None]
    assert sorted(p.suffix for p in results[0].outputs) == [".docx", ".html", ".pdf"]
    assert title in (tmp_path / "build" / "paper.html").read_text(encoding="utf-8")
    shown = Document(str(tmp_path / "build" / "paper.docx")).core_properties.title  # Word's limit is 255
    assert len(shown) == 255 and shown == title[:254] + "…"


def test_a_null_ref_or_appendix_is_no_ref_not_the_word_null(paper_file) -> None:
    from boardpack.chain import check

    from .conftest import minimal

    data = minimal()
    data["paper"]["appendix"] = None
    data["reports"][0]["items"][0]["ref"] = None
    data["reports"][0]["items"][1]["ref"] = None
    (result,) = check([paper_file(data)])
    assert result.errors == [] and result.paper.paper.appendix is None
    assert [i.ref for i in result.paper.reports[0].items[:2]] == [None, None]


@pytest.mark.slow
def test_a_long_word_in_a_plain_field_gets_break_points_but_the_page_title_stays_whole(paper_file, tmp_path: Path) -> None:
    from boardpack.build import build

    from .conftest import minimal

    word = "W" * 30_000
    data = minimal()
    data["reports"][0]["title"] = word
    data["reports"][0]["items"][0]["owner"] = "O" * 5_000
    (result,) = build([paper_file(data)], out_dir=tmp_path / "out", formats=("html",))
    assert result.error is None
    html = (tmp_path / "out" / "paper.html").read_text(encoding="utf-8")
    assert f'<h2 id="report-1">{word}</h2>' not in html and word in html.replace("\u200b", "")
    assert "<title>HMICFRS Report Recommendations (Appendix A, September 2021)</title>" in html
    owner = html.split('class="owner"', 1)[1].split("</td>", 1)[0] if 'class="owner"' in html else html
    assert "\u200b" in owner or "O" * 5_000 not in html  # break points wherever the owner is printed
