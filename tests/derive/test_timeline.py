"""Every item's story across quarters: timelines derived from a chain of papers made with `roll`."""

from __future__ import annotations

import textwrap
from pathlib import Path

from boardpack.chain import prepare
from boardpack.derive.timeline import Timeline, ages, notable, timelines
from boardpack.model import When

from ..conftest import DATA, run

FIRST = textwrap.dedent("""\
    paper:
      title: HMICFRS Report Recommendations
      period: 2022-03
      committee: Police Authority Board
      organisation: City of London Police
      layout: tracker
    reports:
      - title: PEEL 2021
        published: 2021-10-05
        items:
          - ref: "1"
            text: Improve call handling.
            status: AMBER
            due: 2022-06
            owner: Head of Contact
            comment: |
              Work has started.
          - ref: "2"
            text: Review the backlog.
            status: AMBER
            due: 2022-09
            owner: Head of Crime
      - title: Vetting 2021
        published: 2021-11
        items:
          - ref: "1"
            text: Vet everyone again.
            status: AMBER
            due: 2022-12
            owner: Head of PSD
    """)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _roll(path: Path, to: str) -> Path:
    code, out, err = run("roll", str(path), "--to", to)
    assert code == 0, err
    rolled = path.with_name(path.name.replace(path.name[:7], to))
    assert rolled.is_file(), out
    return rolled


def _chain(tmp_path: Path) -> Path:
    """Four quarters: No. 1 goes RED with two extensions, then complete; No. 2 moves once; Vetting No. 1 stays."""
    first = tmp_path / "2022-03-tracker.yaml"
    first.write_text(FIRST, encoding="utf-8")
    second = _roll(first, "2022-06")
    _edit(second, "        status: AMBER\n        due: 2022-06\n",
          "        status: RED\n        rationale: The new system is late.\n        due:\n          - 2022-06\n"
          "          - date: 2022-09\n            note: pending the new system\n")
    _edit(second, "          Work has started.\n", "          Work has started.\n\n          The supplier is late.\n")
    third = _roll(second, "2022-09")
    _edit(third, "            note: pending the new system\n",
          "            note: pending the new system\n          - date: 2022-12\n            note: testing, with the force's IT\n")
    _edit(third, "        due: 2022-09\n        owner: Head of Crime\n",
          "        due:\n          - 2022-09\n          - 2023-03\n        owner: Head of Crime\n")
    fourth = _roll(third, "2022-12")
    _edit(fourth, "        status: RED\n        rationale: The new system is late.\n", "        status: GREEN\n")
    _edit(fourth, "          The supplier is late.\n", "          The supplier is late.\n\n          Live since November.\n")
    return fourth


def _lines(path: Path) -> dict[str, Timeline]:
    checked = prepare(path)
    assert checked.resolved is not None and not checked.errors, checked.problems
    assert len(checked.resolved.earlier) == 3
    return timelines((*checked.resolved.earlier, checked.resolved.paper))


def test_each_item_is_followed_through_every_quarter_by_its_identity(tmp_path: Path) -> None:
    lines = _lines(_chain(tmp_path))
    assert sorted(lines) == ["peel-2021/1", "peel-2021/2", "vetting-2021/1"]
    one = lines["peel-2021/1"]
    assert [(str(q.period), q.status, str(q.due)) for q in one.quarters] == [
        ("March 2022", "AMBER", "June 2022"), ("June 2022", "RED", "September 2022"),
        ("September 2022", "RED", "December 2022"), ("December 2022", "NEW GREEN", "December 2022")]
    assert [q.change for q in one.quarters] == [None, "AMBER → RED; due June 2022 → September 2022",
                                                "due September 2022 → December 2022", "RED → NEW GREEN"]
    assert [q.update for q in one.quarters] == ["Work has started.", "The supplier is late.", None, "Live since November."]
    assert [q.owner for q in one.quarters] == ["Head of Contact"] * 4
    assert (one.made, one.first_red, one.completed, one.closed) == (When(2021, 10, 5), When(2022, 6), When(2022, 12), None)
    assert [(str(e.was), str(e.now), e.reason, str(e.seen)) for e in one.extensions] == [
        ("June 2022", "September 2022", "pending the new system", "June 2022"),
        ("September 2022", "December 2022", "testing, with the force's IT", "September 2022")]
    assert one.moved_more_than_once and not one.open
    two = lines["peel-2021/2"]
    assert [(str(e.was), str(e.now), e.reason) for e in two.extensions] == [("September 2022", "March 2023", None)]
    assert two.first_red is None and two.completed is None and two.open
    vetting = lines["vetting-2021/1"]
    assert [q.change for q in vetting.quarters] == [None, None, None, None] and vetting.extensions == ()


def test_ages_and_what_the_appendix_shows(tmp_path: Path) -> None:
    lines = _lines(_chain(tmp_path))
    at = When(2022, 12)
    summary = ages(lines, at)
    assert (summary.median, summary.oldest, summary.moved_twice) == (13.5, 14, 1)  # PEEL 2: Oct 2021 -> Dec 2022; Vetting: Nov 2021
    assert [key for key, line in lines.items() if notable(line, at)] == ["peel-2021/1"]  # moved twice; nothing RED or overdue
    assert [key for key, line in lines.items() if notable(line, When(2023, 4))] == ["peel-2021/1", "peel-2021/2", "vetting-2021/1"]


def test_the_reference_tracker_has_a_timeline_per_item_over_its_two_quarters() -> None:
    checked = prepare(DATA / "2021-09-hmicfrs-tracker.yaml")
    assert checked.resolved is not None and checked.paper is not None
    lines = timelines((*checked.resolved.earlier, checked.resolved.paper))
    assert len(lines) == sum(len(r.items) for r in checked.paper.reports) == 66
    both = [line for line in lines.values() if len(line.quarters) == 2]
    assert both and all([str(q.period) for q in line.quarters] == ["June 2021", "September 2021"] for line in both)
    red = [line for line in lines.values() if line.status == "RED"]
    assert len(red) == 8 and all(line.first_red is not None for line in red)


def test_the_annex_has_a_timeline_sheet_with_a_row_per_item_per_quarter_and_real_dates(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import load_workbook

    latest = _chain(tmp_path)
    code, _, err = run("build", str(latest), "--out", str(tmp_path / "build"), "--format", "xlsx")
    assert code == 0, err
    wb = load_workbook(tmp_path / "build" / f"{latest.stem}.xlsx")
    assert wb.sheetnames[:2] == ["Items", "Timeline"]
    ws = wb["Timeline"]
    assert [c.value for c in ws[1]] == ["Report", "No.", "Quarter", "Status", "Due date", "Owner or lead", "What changed", "Update given"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == 12  # three items, four quarters each
    one = [row for row in rows if row[:2] == ["PEEL 2021", "1"]]
    assert [(r[2], r[3], r[4]) for r in one] == [
        (dt.datetime(2022, 3, 31), "AMBER", dt.datetime(2022, 6, 30)), (dt.datetime(2022, 6, 30), "RED", dt.datetime(2022, 9, 30)),
        (dt.datetime(2022, 9, 30), "RED", dt.datetime(2022, 12, 31)), (dt.datetime(2022, 12, 31), "NEW GREEN", dt.datetime(2022, 12, 31))]
    assert one[1][6] == "AMBER → RED; due June 2022 → September 2022" and one[3][7] == "Live since November."
    assert ws["C2"].number_format == "mmmm yyyy" and ws.auto_filter.ref == "A1:H13"
    first = tmp_path / "2022-03-tracker.yaml"
    assert run("build", str(first), "--out", str(tmp_path / "first"), "--format", "xlsx")[0] == 0
    assert load_workbook(tmp_path / "first" / "2022-03-tracker.xlsx").sheetnames == ["Items"]  # no chain, no timelines


def test_the_web_page_links_each_item_to_its_timeline(tmp_path: Path) -> None:
    import re

    latest = _chain(tmp_path)
    code, _, err = run("build", str(latest), "--out", str(tmp_path / "build"), "--format", "html")
    assert code == 0, err
    html = (tmp_path / "build" / f"{latest.stem}.html").read_text(encoding="utf-8")
    assert '<h2 id="timelines-heading">How each item got here</h2>' in html
    articles = re.findall(r'<article class="timeline" id="(timeline-[0-9a-f]{12})"', html)
    links = re.findall(r'<a href="#(timeline-[0-9a-f]{12})"', html)
    assert len(articles) == 3 and sorted(links) == sorted(articles)
    one = html[html.index("PEEL 2021, No. 1</h3>"):]
    one = one[:one.index("</article>")]
    assert [m for m in re.findall(r'<li class="rag rag-([a-z-]+)"><span class="timeline-quarter">([A-Za-z]+ \d{4})</span>', one)] == [
        ("amber", "March 2022"), ("red", "June 2022"), ("red", "September 2022"), ("new-green", "December 2022")]
    assert "Due date moved from September 2022 to December 2022: testing, with the force&#39;s IT" in one
    assert "<dt>June 2022</dt><dd>AMBER → RED; due June 2022 → September 2022. The supplier is late.</dd>" in one
    assert "First RED June 2022" in one and "Complete December 2022" in one
