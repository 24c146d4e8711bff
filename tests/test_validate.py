"""Bad input is reported with the file, the line, what is wrong and what is allowed."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from boardpack import check
from boardpack.errors import DataError
from boardpack.load import load_text

from .conftest import FIXTURES, minimal

INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


def _expectation(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.match(r"# expect: (\d+:\d+): (.*)$", first)
    assert match, f"{path.name} must start with '# expect: LINE:COL: message'"
    return match.group(1), match.group(2)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_each_kind_of_mistake_names_file_line_and_fix(path: Path) -> None:
    position, message = _expectation(path)
    (result,) = check([path])
    errors = [str(p) for p in result.errors]
    assert any(e.startswith(f"{result.label}:{position}:") and message in e for e in errors), errors


def test_every_problem_in_a_file_is_reported_at_once(paper_file) -> None:
    data = minimal()
    data["reports"][0]["items"][0]["status"] = "AMBR"
    data["reports"][0]["items"][1]["staus"] = "GREEN"
    data["reports"][0]["items"][2]["due"] = "2021-13"
    (result,) = check([paper_file(data)])
    assert len(result.errors) == 3
    assert {p.where for p in result.errors} == {
        "reports[0].items[0].status", "reports[0].items[1].staus", "reports[0].items[2].due[0].date"}


def test_rules_are_all_reported_together(paper_file) -> None:
    data = minimal()
    items = data["reports"][0]["items"]
    del items[2]["rationale"]
    del items[3]["lead"]
    items[1]["ref"] = "1"
    (result,) = check([paper_file(data)])
    messages = " | ".join(p.message for p in result.errors)
    assert "RED status needs `rationale:`" in messages
    assert "WHITE item needs `lead:`" in messages
    assert "ref '1' is used twice" in messages


def test_overdue_item_is_a_warning_not_an_error(paper_file) -> None:
    data = minimal()
    data["reports"][0]["items"][0]["due"] = "2021-08"
    (result,) = check([paper_file(data)])
    assert not result.errors
    (warning,) = result.warnings
    assert "overdue: due August 2021" in warning.message and "set RED or extend" in warning.message
    assert warning.line > 0


def test_due_in_the_period_itself_is_not_overdue(paper_file) -> None:
    data = minimal()
    data["reports"][0]["items"][0]["due"] = "2021-09"
    (result,) = check([paper_file(data)])
    assert result.warnings == []


def test_done_item_with_open_task_is_a_warning(paper_file) -> None:
    data = minimal()
    data["reports"][0]["items"][1]["tasks"][0]["status"] = "AMBER"
    (result,) = check([paper_file(data)])
    assert not result.errors
    assert any("task(s) 2.1 are still open" in w.message for w in result.warnings)


def test_status_is_optional_in_the_response_layout(paper_file) -> None:
    data = minimal()
    data["paper"]["layout"] = "response"
    for item in data["reports"][0]["items"]:
        item.pop("status")
        item.pop("rationale", None)
    (result,) = check([paper_file(data)])
    assert result.errors == []


def test_task_refs_may_look_like_numbers_and_stay_text(paper_file) -> None:
    text = (FIXTURES / "valid" / "numeric-refs.yaml").read_text(encoding="utf-8")
    (result,) = check([paper_file(text)])
    assert result.errors == []
    assert [t.ref for t in result.paper.reports[0].items[0].tasks] == ["1.1", "1.10"]
    assert result.paper.reports[0].items[0].ref == "1"


def test_previous_paper_must_exist(paper_file) -> None:
    data = minimal()
    data["paper"]["previous"] = "2021-06-hmicfrs.yaml"
    (result,) = check([paper_file(data)])
    assert any("'2021-06-hmicfrs.yaml' is not a paper file next to this one" in p.message for p in result.errors)


def test_alias_bomb_is_refused_at_the_first_alias() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    started = time.perf_counter()
    with pytest.raises(DataError) as info:
        load_text("\n".join(lines), Path("bomb.yaml"))
    assert "aliases" in str(info.value)
    assert time.perf_counter() - started < 5  # expanding it would take longer than the universe


def test_non_utf8_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("paper:\n  title: caf\xe9\n".encode("latin-1"))
    (result,) = check([path])
    assert "2" == str(result.errors[0].line) and "UTF-8" in result.errors[0].message


def test_empty_file_says_what_a_paper_needs(paper_file) -> None:
    (result,) = check([paper_file("")])
    assert "a paper needs `paper:` and `reports:`" in result.errors[0].message


def test_report_totals_must_hold_together_and_hold_the_forces_rows(paper_file) -> None:
    data = minimal()
    data["reports"][0]["totals"] = {"made": 2, "for_force": 3}
    (result,) = check([paper_file(data)])
    assert any("for_force (3) is more than the report made (2)" in p.message for p in result.errors)
    data["reports"][0]["totals"] = {"made": 10, "for_force": 3, "completed_before": 2}
    (result,) = check([paper_file(data)])
    own = sum(1 for item in data["reports"][0]["items"] if item["status"] != "WHITE")
    assert not result.errors
    (warning,) = [p for p in result.warnings if p.where == "reports[0].totals"]
    assert f"2 completed before this paper and {own} of the force's own rows in the table make {2 + own}" in warning.message
    assert "more than the 3 for the force" in warning.message


def test_due_steps_of_words_are_skipped_when_dates_are_compared(paper_file) -> None:
    data = minimal()
    data["reports"][0]["items"][0]["due"] = ["2021-12", {"words": "No deadline set by HMICFRS"}, "2022-01"]
    (result,) = check([paper_file(data)])
    assert not [p for p in result.problems if ".due" in p.where]
    data["reports"][0]["items"][0]["due"] = ["2021-12", {"words": "No deadline set by HMICFRS"}, "2021-11"]
    (result,) = check([paper_file(data)])
    assert any("due dates go backwards: November 2021 comes after December 2021" in p.message for p in result.errors)
    data["reports"][0]["items"][0]["due"] = [{"words": "No deadline", "date": "2021-12"}]
    (result,) = check([paper_file(data)])
    assert any("either a date" in p.message for p in result.errors)


PAPER_HEAD = """\
paper:
  title: HMICFRS Report Recommendations
  period: 2021-09
  committee: Police Authority Board
  organisation: City of London Police
  layout: tracker
reports:
  - title: Fraud
    items:
"""


def test_field_errors_and_rule_errors_are_reported_together_with_their_lines(paper_file) -> None:
    text = PAPER_HEAD + """\
      - ref: "1"
        text: Follow the guidance.
        status: AMBR
      - ref: "2"
        text: Fix the backlog.
        status: RED
      - ref: "2"
        text: Improve data.
        staus: GREEN
      - ref: "2"
        text: Change the law.
        status: GREEN
"""
    (result,) = check([paper_file(text)])
    found = [(p.line, p.column, p.where, p.message) for p in result.errors]
    assert [line for line, *_ in found] == sorted(line for line, *_ in found)
    assert (12, 17, "reports[0].items[0].status") == found[0][:3] and "'AMBR' is not a status" in found[0][3]
    assert (15, 17, "reports[0].items[1].status") == found[1][:3] and "RED status needs `rationale:`" in found[1][3]
    assert (18, 9, "reports[0].items[2].staus") == found[2][:3] and "unknown key 'staus'" in found[2][3]
    # item 2 (with the misspelt key) cannot be read; item 3 still repeats item 1's ref
    assert (19, 14, "reports[0].items[3].ref") == found[3][:3] and "ref '2' is used twice in this report (first at items[1], " in found[3][3]
    assert len(found) == 4
    assert all(str(p).startswith(f"{result.label}:{p.line}:{p.column}: ") for p in result.errors)


def test_rules_still_run_when_the_paper_block_or_a_task_is_wrong(paper_file) -> None:
    text = PAPER_HEAD.replace("period: 2021-09", "period: 2021-13") + """\
      - ref: "1"
        text: Fix the backlog.
        status: RED
        due: 2021-01
        tasks:
          - {ref: "1.1", text: Hire staff., status: PURPLE}
          - {ref: "1.2", text: Train them., status: RED}
"""
    (result,) = check([paper_file(text)])
    assert [(p.line, p.where) for p in result.errors] == [
        (3, "paper.period"), (12, "reports[0].items[0].status"),
        (15, "reports[0].items[0].tasks[0].status"), (16, "reports[0].items[0].tasks[1].status")]
    assert "RED status needs `rationale:`" in result.errors[1].message
    assert "RED status needs `rationale:`" in result.errors[3].message
    assert not [p for p in result.problems if "overdue" in p.message]  # no period to judge it against


def test_a_key_given_twice_does_not_hide_the_rest_of_the_file(paper_file) -> None:
    text = PAPER_HEAD + """\
      - ref: "1"
        text: Follow the guidance.
        text: Follow it twice.
        status: AMBER
      - ref: "2"
        text: Fix the backlog.
        status: RED
"""
    (result,) = check([paper_file(text)])
    assert [(p.line, p.message.split(";")[0]) for p in result.errors] == [
        (12, "'text' is given twice in the same block"), (16, "a RED status needs `rationale:` saying why (the legend says 'rationale required')")]
