"""Long rows cut into parts for the paged outputs: where the cuts go and what each part carries."""

from __future__ import annotations

from dataclasses import replace

import pytest

from boardpack.derive import Row, StatusView
from boardpack.markdown import blocks, to_html
from boardpack.parts import Columns, split_row

COLUMNS = Columns(text=40, status=12, due=14, comment=50, budget=10)
AMBER = StatusView("AMBER", "pending review", "FFBF47", "0B0C0C", "amber")


def row(**fields: object) -> Row:
    base = Row(kind="item", ref="5", lead_in="Recommendation", to="To chief constables", text="Do the thing.", status=AMBER,
               due=("September 2021",), overdue=False, owner="DCI Smith", lead=None, rationale=None, comment="Started.",
               slippage=None)
    return replace(base, **fields)  # type: ignore[arg-type]


def test_blocks_are_paragraphs_and_list_items_that_join_back_to_the_source() -> None:
    source = "First para\ncontinues.\n\n- item a\n- item b\n  more b\n\n---\n\n    code\n\nLast[^1].\n\n[^1]: A note.\n"
    pieces, shared, goes_on = blocks(source)
    assert not goes_on
    assert pieces == ["First para\ncontinues.\n\n", "- item a\n", "- item b\n  more b\n\n", "---\n\n", "    code\n\n", "Last[^1].\n\n"]
    assert shared == "[^1]: A note.\n"
    assert to_html("".join(pieces) + shared) == to_html(source)


def test_an_ordered_list_cut_in_two_goes_on_with_its_numbers() -> None:
    pieces, _, _ = blocks("1. one\n1. two\n1. three\n")
    assert to_html(pieces[2]).startswith('<ol start="3" style="counter-reset: list-item 2">')  # WeasyPrint numbers by the counter
    assert to_html("".join(pieces)) == to_html("1. one\n1. two\n1. three\n")


def test_a_long_paragraph_is_cut_after_sentences_only_with_a_limit() -> None:
    text = " ".join(f"Sentence number {n} says something." for n in range(20))
    assert blocks(text) == ([text], "", frozenset())
    pieces, _, goes_on = blocks(text, limit=120)
    assert goes_on == frozenset(range(1, len(pieces)))
    assert len(pieces) > 3 and "".join(pieces) == text
    assert all(piece.rstrip().endswith(".") for piece in pieces)
    assert all(len(piece) <= 120 for piece in pieces[:-1])


def test_a_sentence_cut_never_splits_emphasis() -> None:
    text = "Start. *Emphasis. Still emphasis. More.* End of it. " * 10
    pieces, _, _ = blocks(text, limit=40)
    assert len(pieces) == 10 and "".join(pieces) == text
    assert all(piece.count("*") % 2 == 0 for piece in pieces)


def test_a_short_row_stays_whole() -> None:
    short = row()
    assert split_row(short, COLUMNS) == [short]


def test_a_long_row_is_cut_at_paragraphs_and_every_later_part_repeats_number_and_status() -> None:
    comment = "\n\n".join(f"Update paragraph {n} on progress made this quarter by the team." for n in range(30))
    parts = split_row(row(comment=comment), COLUMNS)
    assert len(parts) > 2
    assert [p.part for p in parts] == list(range(len(parts)))
    assert all(p.ref == "5" and p.status is not None and p.status.word == "AMBER" for p in parts)
    first, *later = parts
    assert first.lead_in == "Recommendation" and first.to == "To chief constables" and first.owner == "DCI Smith"
    assert first.status is not None and first.status.note == "pending review"
    assert first.text == "Do the thing." and first.due == ("September 2021",)
    for part in later:  # labels and the once-only fields belong to the first part
        assert part.lead_in is None and part.to is None and part.owner is None
        assert part.status is not None and part.status.note is None
    paragraphs = [p for part in parts for p in (part.comment or "").split("\n\n") if p.strip()]
    assert paragraphs == comment.split("\n\n")


def test_a_first_part_holds_the_first_paragraph_of_every_cell() -> None:
    """A row never starts with only its labels: its first part carries some of its substance."""
    long_text = "\n\n".join(f"Paragraph {n} of the recommendation, which goes on for a while to fill a line." for n in range(12))
    rationale = "\n\n".join(f"Reason {n}." for n in range(12))
    parts = split_row(row(text=long_text, rationale=rationale, status=replace(AMBER, word="RED")), COLUMNS)
    assert len(parts) > 1
    assert parts[0].text.startswith("Paragraph 0 of the recommendation")
    assert parts[0].rationale is not None and parts[0].rationale.startswith("Reason 0.")
    assert parts[0].comment == "Started."


def test_the_slippage_and_overdue_mark_follow_the_last_due_date() -> None:
    due = tuple(f"Extended to month {n} for a reason given at length" for n in range(12))
    parts = split_row(row(due=due, slippage="Extended 11 times", overdue=True), COLUMNS)
    assert len(parts) > 1
    assert [line for part in parts for line in part.due] == list(due)
    assert [part.slippage for part in parts] == [None] * (len(parts) - 1) + ["Extended 11 times"]
    assert [part.overdue for part in parts] == [False] * (len(parts) - 1) + [True]


def test_footnote_definitions_go_with_every_part_that_may_call_them() -> None:
    comment = "\n\n".join(f"Paragraph {n} cites a note[^1] for the record of this quarter." for n in range(30)) + "\n\n[^1]: The note."
    parts = split_row(row(comment=comment), COLUMNS)
    assert len(parts) > 1
    for part in parts:
        assert "The note." in to_html(part.comment)


@pytest.mark.parametrize("budget", [1, 3, 50])
def test_every_word_is_kept_whatever_the_budget(budget: int) -> None:
    text = "One. Two. Three.\n\n- a\n- b\n\nFour."
    comment = "\n\n".join(f"C{n}." for n in range(9))
    parts = split_row(row(text=text, comment=comment, rationale="Why.\n\nBecause."), replace(COLUMNS, budget=budget))
    assert "".join(to_html(p.text) for p in parts).count("<li>") == 2
    joined = " ".join(to_html(p.comment) for p in parts)
    assert all(f"C{n}." in joined for n in range(9))
    assert " ".join(to_html(p.rationale) for p in parts).count("ecause") == 1


def test_a_sentence_ends_at_a_full_stop_not_at_a_colon() -> None:
    text = "Forces should do this work: collect the data; publish it. Then report. " * 8
    pieces, _, _ = blocks(text, limit=60)
    assert len(pieces) > 2
    assert all(piece.rstrip().endswith(".") for piece in pieces)
