"""Every item's story across quarters: timelines derived from a chain of papers made with `roll`."""

from __future__ import annotations

import textwrap
from pathlib import Path

from boardpack.build import prepare
from boardpack.model import When
from boardpack.timeline import Timeline, ages, notable, timelines

from .conftest import DATA, run

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
