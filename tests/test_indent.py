"""A line indented wrongly is named by its line and explained as what it should line up with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from boardpack import check

from .test_validate import PAPER_HEAD

HEAD = PAPER_HEAD + """\
      - ref: "1"
        text: Follow the guidance.
        status: AMBER
"""

SECOND = """\
      - ref: "2"
        text: Fix the backlog.
        status: RED
        rationale: Vacancies.
"""

CASES = {
    "a key one space too far left": (
        HEAD + SECOND.replace("        status: RED", "       status: RED"),
        "15:8: this line is indented differently from the lines around it: `status:` starts in column 8, "
        "but `text:` on line 14 starts in column 9; keys of the same block must start in the same column (here column 9)"),
    "a key one space too far right": (
        HEAD + SECOND.replace("        status: RED", "         status: RED"),
        "15:10: this line is indented further than `text:` on line 14 (column 10, not 9), so it is read as more of "
        "`text`'s value, which cannot hold `status:`; start `status:` in column 9 like the keys beside it, or, "
        "if the line continues the text above, put that text in quotes"),
    "a list entry one space too far right": (
        HEAD + SECOND.replace('      - ref: "2"', '       - ref: "2"'),
        "13:8: this list entry is out of line with the one above it: its '-' is in column 8, but the '-' on line 10 "
        "is in column 7; the entries of one list start in the same column (here column 7)"),
    "a list entry one space too far left": (
        HEAD + SECOND.replace('      - ref: "2"', '     - ref: "2"'),
        "13:6: this list entry is out of line with the one above it: its '-' is in column 6, but the '-' on line 10 "
        "is in column 7; the entries of one list start in the same column (here column 7)"),
    "a report's key at its list's dash": (
        HEAD.replace("    items:", "  items:"),
        "9:3: this line is indented differently from the lines around it: `items:` starts in column 3, but `title:` "
        "on line 8 starts in column 5; keys of the same block must start in the same column (here column 5)"),
    "a top-level key indented": (
        HEAD + " notes: Closing words.\n",
        "13:2: this line is indented differently from the lines around it: `notes:` starts in column 2, but "
        "`reports:` on line 7 starts in column 1; keys of the same block must start in the same column (here column 1)"),
    "a key of the paper block at the left margin": (
        HEAD.replace("  period: 2021-09", "period: 2021-09"),
        "3:1: this line is indented less than `title:` on line 2 (column 1, not 3), so the lines after it no longer "
        "belong with `title:`; keys of the same block must start in the same column (here column 3)"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_badly_indented_line_is_explained_with_its_line_and_column(case: str, paper_file: Callable[..., Path]) -> None:
    text, expected = CASES[case]
    (result,) = check([paper_file(text)])
    (error,) = result.errors
    assert str(error).startswith(f"{result.label}:{expected}")
    assert "block end" not in error.message and "mapping values" not in error.message


def test_a_key_indented_into_the_block_above_is_named_as_such(paper_file: Callable[..., Path]) -> None:
    text = HEAD + SECOND.replace("        rationale: Vacancies.", "    rationale: Vacancies.")
    (result,) = check([paper_file(text)])
    messages = [(p.line, p.message) for p in result.errors]
    assert (16, "unknown key 'rationale'; allowed: id, title, scope, by, published, to, summary, totals, items. 'rationale' is "
                "a key of an item (under `items:`): if it belongs to the one above it, it is indented too little; line it "
                "up with that block's other keys") in messages
    assert (15, "a RED status needs `rationale:` saying why (the legend says 'rationale required')") in messages


def test_a_colon_inside_a_value_is_still_told_as_such(paper_file: Callable[..., Path]) -> None:
    text = HEAD.replace("text: Follow the guidance.", "text: Follow the guidance: all of it.")
    (result,) = check([paper_file(text)])
    (error,) = result.errors
    assert (error.line, error.column) == (11, 34) and error.message.startswith("unexpected ':' in a value")
