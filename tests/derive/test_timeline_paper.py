"""Every item's story in the printed paper: the PDF and Word appendix, the summary's ages, and archived quarters.

The chain of four quarters is `test_timeline._chain` (rolled with `roll`, then edited): PEEL 2021
No. 1 goes RED in June 2022, its date moves twice (with reasons), and it is complete in
December; No. 2's date moves once; Vetting No. 1 stays as it was. Only No. 1 is notable.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from boardpack.chain import prepare
from boardpack.derive import view
from boardpack.derive.timeline import ages, timelines
from boardpack.render.html import render_html

from ..conftest import DATA, ROOT, run
from .test_timeline import FIRST, _chain, _roll

HEADING = "How RED and overdue items got here"
AGES = "The 2 open items were made a median of 13.5 months ago; the oldest, 14 months ago. 1 item's due date has moved more than once."
NO_ONE_FACTS = ["Made 5 October 2021", "First RED June 2022", "Due date moved from June 2022 to September 2022: pending the new system",
                "Due date moved from September 2022 to December 2022: testing, with the force's IT", "Completed December 2022"]


def _view(path: Path) -> Any:
    checked = prepare(path)
    assert checked.resolved is not None and not checked.errors, checked.problems
    return view(checked.resolved.paper, path.stem, checked.resolved.changes, None, checked.resolved.earlier)


def test_the_appendix_holds_only_the_notable_items_and_its_counts_agree_with_the_summary(tmp_path: Path) -> None:
    latest = _chain(tmp_path)
    paper = _view(latest)
    appendix = paper.timeline_appendix
    assert appendix is not None and appendix.heading == HEADING
    assert [story.title for story in appendix.stories] == ["PEEL 2021, No. 1"]
    one = appendix.stories[0]
    assert [(q.period, q.status.word, q.status.fill, q.due) for q in one.quarters] == [
        ("March 2022", "AMBER", "F5C147", "June 2022"), ("June 2022", "RED", "99160C", "September 2022"),
        ("September 2022", "RED", "99160C", "December 2022"), ("December 2022", "NEW GREEN", paper.palette[1].fill, "December 2022")]
    assert [q.moved for q in one.quarters] == [
        "Work has started.",
        "AMBER → RED; due June 2022 → September 2022. Reason: pending the new system. The supplier is late.",
        "Due September 2022 → December 2022. Reason: testing, with the force's IT.",
        "RED → NEW GREEN. Live since November."]
    assert list(one.facts) == NO_ONE_FACTS
    assert paper.summary.ages_sentence == AGES
    lines = timelines((*prepare(latest).resolved.earlier, prepare(latest).resolved.paper))  # type: ignore[union-attr]
    assert ages(lines, prepare(latest).paper.paper.period).moved_twice == 1 == len(appendix.stories)  # type: ignore[union-attr]
    assert [entry.title for entry in paper.contents] == ["Summary", "Changes since September 2022", "PEEL 2021", "Vetting 2021", HEADING]


def test_every_items_timeline_on_request_and_none_in_the_web_pages_contents(tmp_path: Path) -> None:
    latest = _chain(tmp_path)
    text = latest.read_text(encoding="utf-8")
    latest.write_text(text.replace("  layout: tracker\n", "  layout: tracker\n  timelines: all\n", 1), encoding="utf-8")
    every = _view(latest)
    assert every.timeline_appendix.heading == "How each item got here"
    assert [story.title for story in every.timeline_appendix.stories] == ["PEEL 2021, No. 1", "PEEL 2021, No. 2", "Vetting 2021, No. 1"]
    assert [q.moved for q in every.timeline_appendix.stories[2].quarters] == ["First reported", "No change", "No change", "No change"]
    page = render_html(every, ROOT / "templates")
    contents = page[page.index('<nav class="contents"'):page.index("</nav>")]
    assert contents.count("<li>") == 4 and "How each item got here" not in contents and '<section class="story-appendix"' not in page
    assert '<p class="ages">' + AGES.replace("'", "&#39;") + '</p>' in page


def test_a_paper_with_nothing_notable_or_no_earlier_quarter_has_no_appendix(tmp_path: Path) -> None:
    first = tmp_path / "2022-03-tracker.yaml"
    first.write_text(FIRST, encoding="utf-8")
    alone = _view(first)
    assert alone.timeline_appendix is None and alone.summary.ages_sentence is None
    calm = _view(_roll(first, "2022-06"))
    assert calm.timelines and calm.timeline_appendix is None and HEADING not in [e.title for e in calm.contents]
    assert calm.summary.ages_sentence == ("The 3 open items were made a median of 8 months ago; the oldest, 8 months ago. "
                                          "No item's due date has moved more than once.")


def _word_text(docx: Path) -> tuple[str, str]:
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return xml, " ".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


@pytest.mark.slow
def test_the_chain_papers_pdf_word_and_annex_tell_the_notable_items_story(tmp_path: Path) -> None:
    import page
    import pdfplumber
    from openpyxl import load_workbook

    latest = _chain(tmp_path)
    code, _, err = run("build", str(latest), "--out", str(tmp_path / "out"), "--format", "pdf,docx,xlsx")
    assert code == 0, err
    pdf = tmp_path / "out" / f"{latest.stem}.pdf"
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count(HEADING) == 2  # the contents list and the appendix
    appendix = text[text.rindex(HEADING):]
    assert "PEEL 2021, No. 1" in appendix and "No. 2" not in appendix and "Vetting" not in appendix
    strip = re.findall(r"^\s*(\w+ 2022)\s+(AMBER|RED|NEW GREEN)\s+(\w+ 2022)", appendix, re.M)
    assert strip == [("March 2022", "AMBER", "June 2022"), ("June 2022", "RED", "September 2022"),
                     ("September 2022", "RED", "December 2022"), ("December 2022", "NEW GREEN", "December 2022")]
    flat = " ".join(appendix.split())
    assert all(fact in flat for fact in NO_ONE_FACTS) and "Reason: pending the new system" in flat
    assert " ".join(AGES.split()) in " ".join(text.split())
    with pdfplumber.open(pdf) as document:
        last = document.pages[-1]
        assert HEADING in (last.extract_text() or "")
        red = [r for r in last.rects if r.get("non_stroking_color") and tuple(round(c, 2) for c in r["non_stroking_color"]) == (0.6, 0.09, 0.05)]
        assert len(red) == 2  # June and September's status cells, each with the word RED in it
    report = page.validate_pdf(pdf, profile="ua1")
    assert report.rules.total > 0 and list(report.failures) == []

    xml, words = _word_text(tmp_path / "out" / f"{latest.stem}.docx")
    told = words[words.rindex(HEADING):]
    assert told.startswith(f"{HEADING} The path of the items that are RED") and "PEEL 2021, No. 1" in told and "Vetting" not in told
    assert re.search(r"March 2022 AMBER June 2022 Work has started\. June 2022 RED September 2022 AMBER → RED", told)
    assert all(fact in told for fact in NO_ONE_FACTS) and AGES in words
    tail = xml[xml.rindex(HEADING):]
    assert tail.count('w:fill="99160C"') == 2 and "<w:pageBreakBefore/>" in xml[:xml.rindex(HEADING)][-400:]
    assert words.count(HEADING) == 2  # the contents field lists it too

    sheet = load_workbook(tmp_path / "out" / f"{latest.stem}.xlsx")["Timeline"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2) if [c.value for c in row][:2] == ["PEEL 2021", "1"]]
    assert [row[3] for row in rows] == ["AMBER", "RED", "RED", "NEW GREEN"]  # as the appendix strip reads


def test_the_reference_september_paper_has_the_appendix_and_june_none(reference_build: Path, reference_pdf: Any) -> None:
    september, june = "2021-09-hmicfrs-tracker", "2021-06-hmicfrs-tracker"
    checked = prepare(DATA / f"{september}.yaml")
    assert checked.resolved is not None
    expected = view(checked.resolved.paper, september, checked.resolved.changes, None, checked.resolved.earlier).timeline_appendix
    assert expected is not None and len(expected.stories) == 11
    moved = [q.moved for story in expected.stories for q in story.quarters]
    assert len(moved) == 22 and not [text for text in moved if "]{" in text or "**" in text]  # updates as words, not Markdown
    assert "[bullet 1] analytical capability Sustained analytical support" in " ".join(moved)
    with reference_pdf(september) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages[-8:]]
    found = " ".join(" ".join(pages).split())
    assert found.count(HEADING) == 1
    titles = [story.title for story in expected.stories]
    assert all(" ".join(title.split()) in found for title in titles)
    _, words = _word_text(reference_build / f"{september}.docx")
    assert words.count(HEADING) == 2 and all(title in words[words.rindex(HEADING):] for title in titles)
    _, june_words = _word_text(reference_build / f"{june}.docx")
    assert HEADING not in june_words and "open items were made" not in june_words


def test_an_archived_paper_is_read_for_the_chain_but_not_rebuilt_checked_or_warned_about(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    first = data / "2022-09-tracker.yaml"  # PEEL No. 1, due June 2022 and AMBER, is overdue: a warning
    text = "# the September quarter, as the committee saw it\n" + FIRST.replace("period: 2022-03", "period: 2022-09")
    first.write_text(text, encoding="utf-8")
    assert "overdue" in run("check", str(first))[2]
    code, out, err = run("roll", str(first), "--to", "2022-12", "--archive-previous")
    assert code == 0, err
    assert f"marked {first} archived" in out
    assert first.read_text(encoding="utf-8") == text.replace("  layout: tracker\n", "  layout: tracker\n  archived: true\n", 1)
    second = data / "2022-12-tracker.yaml"
    assert "archived" not in second.read_text(encoding="utf-8")
    code, out, err = run("build", "--data", str(data), "--out", str(tmp_path / "out"), "--format", "html")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").glob("*.html")) == ["2022-12-tracker.html"]
    assert "archived, not rebuilt: 2022-09-tracker" in out
    assert "2022-09-tracker.yaml:" not in err and "2022-12-tracker.yaml:16:14: reports[0].items[0].due: overdue" in err
    code, out, err = run("check", "--data", str(data))
    assert "archived, not checked: 2022-09-tracker" in out and "2022-09-tracker.yaml:" not in err
    assert "2022-12-tracker.yaml: ok" in out
    html = (tmp_path / "out" / "2022-12-tracker.html").read_text(encoding="utf-8")
    assert "Changes since September 2022" in html and "How each item got here" in html  # the archived paper is still its previous
    code, out, err = run("check", str(first))
    assert code == 0 and err == "" and ": ok · 2 reports" in out  # named, it is checked, and warned about no more


def test_roll_without_the_flag_says_how_to_archive(tmp_path: Path) -> None:
    first = tmp_path / "2022-03-tracker.yaml"
    first.write_text(FIRST, encoding="utf-8")
    code, out, err = run("roll", str(first), "--to", "2022-06")
    assert code == 0, err
    assert "add `archived: true` under its `paper:` (or roll with --archive-previous)" in out
    assert first.read_text(encoding="utf-8") == FIRST
