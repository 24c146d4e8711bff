"""The reference tracker says everything its published original (the seed) said.

Each report's words in the built web page are compared with the seed's, counted once by
`seed_word_counts` and kept in tests/fixtures/seed_word_counts.json (regenerate with
`python -m tests.test_seed_content SEED.txt` after a deliberate change to the seed), so a
dropped paragraph fails. Then each loss found in the reference data is pinned on its own.

What is counted, on both sides, is the report's title, byline, extra summary, and every
table cell except Status and Due Date. Left out because boardpack derives them and so words
them differently from the hand-typed original: the summary sentence, the status cell (status
word, its note, a WHITE lead and the RED rationale, which repeats a sentence of the comment),
the due-date cell ("Extended to", "Now"), the table header and the changes section (not part
of any report). Dateless due words and the rationale are pinned by their own tests below.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from boardpack.chain import prepare
from boardpack.derive import PaperView, view
from boardpack.render.html import render_html

from .conftest import DATA, FIXTURES, TEMPLATES

TRACKER = DATA / "2021-09-hmicfrs-tracker.yaml"
SEED = Path("/work/shared/seeds/004_e4029e0f4cb1d64c.txt")
COUNTS = FIXTURES / "seed_word_counts.json"

TOLERANCE = 5
"""Words a report may differ by. The derived byline words it differently from the seed (it
adds "report" after a scope such as "national joint thematic"; the seed's "by" and
"following an investigation by" are not in the format: up to 4 words), an ordered list's
numbers are drawn by the list rather than typed ("1." in the seed), and "HMICFRS 'Suggested
Action'" is printed as the type "Suggested Action". Measured on the fixed data, every report is
within 4; the shortest paragraph of substance in the seed has 7 words, and the losses this
test was written for cost 13 to 87."""

_STATUS = re.compile(r"^(NEW GREEN|GREEN|AMBER|RED|WHITE|CLOSED)\b")
_DERIVED = re.compile(r"^(There (are|is) |This report makes \d|This report was published)")
_SKIP_LINES = ("---", "**Appendix A", "September 2021**", "**September 2021**")


def _plain(text: str) -> str:
    """Seed text without markup: footnote marks and ordinals (<sup>) dropped, entities decoded."""
    text = re.sub(r"<sup>.*?</sup>", "", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def words(text: str) -> list[str]:
    """Whitespace-separated tokens with a letter or digit in them (bullets and dashes are not words)."""
    return [w for w in text.split() if re.search(r"[A-Za-z0-9]", w)]


def seed_word_counts(text: str) -> list[tuple[str, int]]:
    """(title, words) of each report in the seed, in order, counted as the module docstring says.

    The seed is the text of the published PDF: a report starts at a `#`/`##` heading; a table
    row is a line of tab-separated cells, and the header row ("Recommendations & Areas for
    Improvement ... Due Date ...") repeats after each page break and says which column holds
    the due date. Status cells are recognised by their word, wherever the page put them.
    """
    reports: list[tuple[str, list[str]]] = []
    due: int | None = None
    for line in text.splitlines():
        if heading := re.match(r"^#{1,2} (.*)$", line):
            title = " ".join(_plain(heading.group(1)).split())
            reports.append((title, words(title)))
            due = None
            continue
        if not reports or reports[-1][0] == "HMICFRS Report Recommendations":  # the legend
            continue
        if line.startswith("Recommendations & Areas for Improvement"):
            due = line.split("\t").index("Due Date")
            continue
        if line.strip().startswith(_SKIP_LINES) or _DERIVED.match(_plain(line).strip()):
            continue
        cells = line.split("\t")
        kept = [c for n, c in enumerate(cells)
                if not (len(cells) > 1 and n == due) and not _STATUS.match(_plain(c).strip())
                and _plain(c).strip() not in ("Ref.", "Task")]
        reports[-1][1].extend(words(_plain(" ".join(kept))))
    return [(title, len(found)) for title, found in reports if title != "HMICFRS Report Recommendations"]


def html_word_counts(page: str) -> list[tuple[str, int]]:
    """(title, words) of each report section of a built page, leaving out what is derived."""
    derived = " | ".join(f'.//*[contains(concat(" ", @class, " "), " {name} ")]'
                         for name in ("sentence", "due", "rag", "for-body", "continued", "continuation"))
    out = []
    for section in lxml.html.fromstring(page).xpath('//section[contains(concat(" ", @class, " "), " report ")]'):
        for element in section.xpath(f".//thead | {derived}"):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
        title = " ".join(section.xpath(".//h2")[0].text_content().split())
        out.append((title, len(words(" ".join(section.itertext())))))
    return out


# --- the reference paper, built once -----------------------------------------------------


@pytest.fixture(scope="module")
def tracker() -> tuple[PaperView, str]:
    checked = prepare(TRACKER)
    assert checked.resolved is not None and not checked.errors
    paper_view = view(checked.resolved.paper, "t", checked.resolved.changes)
    return paper_view, render_html(paper_view, TEMPLATES)


def _report(paper_view: PaperView, start: str):  # noqa: ANN202 - a ReportView
    return next(r for r in paper_view.reports if r.title.startswith(start))


def _row(paper_view: PaperView, report: str, ref: str | None, text: str = ""):  # noqa: ANN202 - a Row
    return next(row for row in _report(paper_view, report).rows
                if row.kind == "item" and row.ref == ref and text in row.text)


def _paragraphs(markdown: str) -> Iterator[str]:
    for para in re.split(r"\n\s*\n", markdown):
        plain = re.sub(r"\[(.*?)\]\{\.underline\}", r"\1", para)
        plain = " ".join(re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", plain, flags=re.MULTILINE).replace("*", "").split())
        if len(plain) >= 20:
            yield plain


# --- the word counts ---------------------------------------------------------------------


@pytest.mark.skipif(not SEED.exists(), reason="the seed file is not on this machine")
def test_the_fixture_is_the_seeds_own_count() -> None:
    counted = seed_word_counts(SEED.read_text(encoding="utf-8"))
    assert [[title, n] for title, n in counted] == json.loads(COUNTS.read_text(encoding="utf-8"))["reports"]


def test_each_report_has_the_seeds_words(tracker: tuple[PaperView, str]) -> None:
    expected = json.loads(COUNTS.read_text(encoding="utf-8"))["reports"]
    # a report with no items has no section, only its line (under the counts table) naming it: its title is its words
    lines = tracker[0].without_items
    expected = [[title, n] for title, n in expected if not any(f"“{title}" in line for line in lines)]
    assert len(lines) == 1 and html.escape(lines[0], quote=False) in tracker[1]
    built = html_word_counts(tracker[1])
    assert len(built) == len(expected)
    off = [f"{seed_title}: seed {want}, built {got} ({got - want:+d})"
           for (seed_title, want), (title, got) in zip(expected, built, strict=True)
           if abs(got - want) > TOLERANCE or not title.startswith(seed_title.split(":")[0][:12])]
    assert not off, "\n".join(off)


def test_the_count_catches_a_dropped_paragraph(tracker: tuple[PaperView, str]) -> None:
    page = tracker[1]
    paragraph = "<p>A review of the National Vulnerability Action Plan has been undertaken and released to forces.</p>"
    assert page.count(paragraph) == 1
    before = dict(html_word_counts(page))
    after = dict(html_word_counts(page.replace(paragraph, "")))
    lost = {title: before[title] - after[title] for title in before if before[title] != after[title]}
    assert list(lost.values()) == [15] and 15 > TOLERANCE


# --- each loss, pinned -------------------------------------------------------------------


def test_peel_2017_keeps_the_last_paragraph_of_the_paper(tracker: tuple[PaperView, str]) -> None:
    paper_view, page = tracker
    row = _row(paper_view, "PEEL: Police Effectiveness 2017", "3")
    last = "A review of the National Vulnerability Action Plan has been undertaken and released to forces."
    assert row.comment is not None and row.comment.rstrip().endswith(last)
    assert last in page


def test_cyber_4_says_no_deadline_was_set_before_its_date(tracker: tuple[PaperView, str]) -> None:
    paper_view, page = tracker
    row = _row(paper_view, "Cyber: Keep the light on", "4")
    assert row.due == ("No deadline set by HMICFRS", "November 2020 for an initial position")
    assert not row.overdue and row.slippage is None
    assert re.search(r'<span class="due-line">No deadline set by HMICFRS</span>\s*<span class="due-line">November 2020', page)


@pytest.mark.parametrize(("report", "ref", "sentence"), [
    ("Understanding the difference", "8", "The deadline has been reset to June 2021 to enable Sector Policing to embed necessary changes"),
    ("Roads Policing", "6", "The deadline is extended to January 2022 to enable this to be progressed further."),
    ("Roads Policing", "15", "Progress is linked to 6 above; deadlines have therefore been aligned."),
    ("Review of policing domestic abuse", "3", "Next steps: The deadline is extended to try and obtain the retraction template."),
    ("Crime Data Integrity", "6", "Audit results have not met the desired standards and further steps are being taken:"),
    ("The Poor Relation", "10", "The deadline is extended accordingly."),
    ("Disproportionate use of Police powers", "5", "The deadline is extended noting vacancies with the Performance Information Unit."),
])
def test_red_narratives_are_whole_and_in_the_seeds_order(tracker: tuple[PaperView, str], report: str, ref: str, sentence: str) -> None:
    paper_view, _ = tracker
    row = _row(paper_view, report, ref)
    assert row.status is not None and row.status.word == "RED" and row.rationale
    assert row.comment is not None and sentence in row.comment
    if SEED.exists():
        seed = " ".join(_plain(SEED.read_text(encoding="utf-8")).split())
        places = [seed.find(para[:60]) for para in _paragraphs(row.comment)]
        assert -1 not in places, [p for p, at in zip(_paragraphs(row.comment), places, strict=True) if at == -1]
        assert places == sorted(places), "the comment's paragraphs are not in the seed's order"


def test_a_task_keeps_its_delay_where_the_seed_puts_it(tracker: tuple[PaperView, str]) -> None:
    paper_view, _ = tracker
    rows = _report(paper_view, "Disproportionate use of Police powers").rows
    task = next(row for row in rows if row.kind == "task" and row.ref == "2.2")
    assert task.comment is not None and task.comment.startswith("Progress on this recommendation has been delayed")


def test_the_rationale_stands_beside_the_red_status_not_above_the_comment(tracker: tuple[PaperView, str]) -> None:
    page = tracker[1][tracker[1].index('<section class="report"'):]  # the report tables, not the summary's
    cells = re.findall(r'<td class="rag rag-red".*?</td>', page, flags=re.DOTALL)
    assert cells and all('class="rationale"' in cell for cell in cells)
    comments = re.findall(r'<td class="comment".*?</td>', page, flags=re.DOTALL)
    assert not [c for c in comments if 'class="rationale"' in c]


def test_no_number_task_or_lead_is_invented(tracker: tuple[PaperView, str]) -> None:
    paper_view, page = tracker
    hidden = _report(paper_view, "The Hidden Victims")
    monitoring = next(row for row in hidden.rows if "Monitoring of recommendations" in row.text)
    assert monitoring.ref is None
    assert [row.ref for row in hidden.rows if row.kind == "item"] == ["1", "2", "3", "4", "5", None]
    refs = [row.ref for row in _report(paper_view, "Disproportionate use of Police powers").rows]
    assert "6.1" not in refs and "5.1" not in refs
    assert all(row.lead != "Not stated" for report in paper_view.reports for row in report.rows)
    assert page.count('<th scope="row" class="ref">–</th>') == 3  # Monitoring, and Roads Policing's two unnumbered


def test_the_joint_investigation_byline_keeps_its_last_word(tracker: tuple[PaperView, str]) -> None:
    assert _report(tracker[0], "The Hidden Victims").byline == "A joint investigation report by HMICFRS, College of Policing and IPOC"


@pytest.mark.parametrize(("report", "start"), [
    ("Pre-charge bail", "This report makes 10 recommendations, 2 of which are for the force."),
    ("Roads Policing", "This report makes 10 recommendations for the force; 5 were completed before this paper."),
    ("Cyber: Keep the light on", "This report makes 5 recommendations; 3 were completed before this paper."),
    ("Crime Data Integrity", "This report makes 6 areas for improvement for the force; 4 were completed before this paper."),
    ("The Poor Relation", "This report makes 23 recommendations, 5 of which are for the force; 4 were completed before this paper."),
    ("PEEL 2018/2019", "This report makes 11 areas for improvement for the force; 10 were completed before this paper."),
    ("Policing and Mental Health", "This report makes 3 recommendations for the force; 2 were completed before this paper."),
    ("Understanding the difference", "This report makes 15 recommendations, 8 of which are for the force; 7 were completed before this paper."),
    ("PEEL: Police Effectiveness 2017", "This report makes 4 recommendations for the force; 3 were completed before this paper."),
])
def test_the_seeds_totals_are_in_the_sentences(tracker: tuple[PaperView, str], report: str, start: str) -> None:
    sentence = _report(tracker[0], report).sentence
    assert sentence.startswith(start), sentence
    assert html.escape(sentence, quote=False) in tracker[1]


def test_roads_policing_reads_as_the_seed_counted_it(tracker: tuple[PaperView, str]) -> None:
    assert _report(tracker[0], "Roads Policing").sentence == (
        "This report makes 10 recommendations for the force; 5 were completed before this paper. "
        "Of the 5 in the table, 1 is newly complete, 1 closed, 2 RED and 1 is for another organisation to deliver.")


def write_fixture(seed: Path) -> None:
    """Count the seed's words once and keep them beside the tests."""
    counted = seed_word_counts(seed.read_text(encoding="utf-8"))
    COUNTS.write_text(json.dumps({"seed": seed.name, "reports": [[t, n] for t, n in counted]}, indent=1, ensure_ascii=False) + "\n",
                      encoding="utf-8")


if __name__ == "__main__":
    write_fixture(Path(sys.argv[1]) if len(sys.argv) > 1 else SEED)
