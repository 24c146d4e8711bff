"""What is worked out, never typed: sentences, due-date wording, overdue, colours."""

from __future__ import annotations

from collections import Counter

import pytest

from boardpack.derive import Colour, byline, contrast_ratio, due_lines, summary_sentence, view
from boardpack.model import STATUSES, DueStep, Paper, Report, When, is_overdue, parse_when
from boardpack.palette import default_palette

from ..conftest import minimal

PALETTE = default_palette()


@pytest.mark.parametrize(("counts", "sentence"), [
    ({}, "There are no actions for the force."),
    ({"AMBER": 1}, "There is 1 action for the force, which is in progress."),
    ({"AMBER": 3}, "There are 3 actions for the force, all in progress."),
    ({"GREEN": 1, "CLOSED": 1, "AMBER": 5}, "There are 7 actions for the force: 1 complete, 1 closed and 5 in progress."),
    ({"GREEN": 2, "NEW GREEN": 1, "RED": 1}, "There are 4 actions for the force: 3 complete (1 newly) and 1 RED."),
    ({"NEW GREEN": 2}, "There are 2 actions for the force, all newly complete."),
    ({"WHITE": 1}, "There are no actions for the force; 1 is for another organisation to deliver."),
    ({"CLOSED": 1, "AMBER": 5, "NEW GREEN": 1, "WHITE": 6},
     "There are 7 actions for the force: 1 newly complete, 1 closed and 5 in progress. "
     "6 more are for other organisations to deliver."),
])
def test_summary_sentence_is_grammatical_for_none_one_and_many(counts, sentence) -> None:
    assert summary_sentence(Counter(counts)) == sentence


def test_summary_sentence_of_a_response_paper_without_statuses() -> None:
    assert summary_sentence(Counter({"": 16}), "recommendation") == "There are 16 recommendations for the force."


def test_due_history_reads_first_extended_now() -> None:
    steps = (DueStep(date="2020-02"), DueStep(date="2020-09"), DueStep(date="2021-02"),
             DueStep(date="2021-06", note="pending the results of benchmarking"))
    assert due_lines(steps, None) == ("February 2020", "Extended to September 2020", "Extended to February 2021",
                                      "Now June 2021 pending the results of benchmarking")


def test_due_unset_names_who_sets_it() -> None:
    assert due_lines((), "No date set by HMICFRS") == ("No date set by HMICFRS",)
    assert due_lines((DueStep(date="2021-12", note="for review"),), None) == ("December 2021 for review",)


@pytest.mark.parametrize(("status", "due", "overdue"), [
    ("AMBER", "2021-08", True),
    ("AMBER", "2021-09", False),
    ("AMBER", "2021-09-29", True),
    ("RED", "2021-08", False),
    ("GREEN", "2021-01", False),
    ("WHITE", "2021-01", False),
    (None, "2021-01", True),
])
def test_overdue_is_judged_against_the_end_of_the_period(status, due, overdue) -> None:
    assert is_overdue(status, (DueStep(date=due),), parse_when("2021-09")) is overdue


def test_dates_print_at_their_precision() -> None:
    assert str(parse_when("2021-09")) == "September 2021"
    assert str(parse_when("2021-08-05")) == "5 August 2021"
    assert parse_when("2021-02").last_day.day == 28
    with pytest.raises(ValueError, match="not a real date"):
        parse_when("2021-02-30")


def test_byline_says_who_published_the_report() -> None:
    assert byline(Report(title="x", scope="national", by="HMICFRS")) == "A national report by HMICFRS"
    assert byline(Report(title="x", scope="independent review", by="Baroness Casey")) == "An independent review by Baroness Casey"
    assert byline(Report(title="x")) is None


@pytest.mark.parametrize("status", list(PALETTE))
def test_every_status_colour_passes_wcag_aa(status) -> None:
    assert contrast_ratio(PALETTE[status].fill, PALETTE[status].ink) >= 4.5


def test_new_green_is_distinct_from_green() -> None:
    assert PALETTE["NEW GREEN"].fill != PALETTE["GREEN"].fill


def test_every_status_in_the_view_takes_the_palette_given() -> None:
    """A palette passed in paints the rows, the legend, the counts table and the style sheet's list alike."""
    restyled = {s: Colour(f"{n:02X}" * 3, "000000" if n > 0x80 else "FFFFFF") for n, s in zip((0x40, 0xC0, 0xE0, 0x20, 0xFF, 0x10), STATUSES, strict=True)}
    paper_view = view(Paper.model_validate(minimal()), "p", palette=restyled)
    painted = [r.status for r in paper_view.reports[0].rows if r.status]
    painted += [row.status for row in paper_view.legend] + list(paper_view.palette)
    assert paper_view.summary is not None
    painted += list(paper_view.summary.counts.statuses) + [r.status for r in paper_view.summary.attention if r.status]
    assert len(painted) > 20
    for status in painted:
        assert (status.fill, status.ink) == (restyled[status.word].fill, restyled[status.word].ink), status.word
    assert [s.word for s in paper_view.palette] == list(STATUSES)


def test_view_puts_tasks_under_their_item_with_their_own_status() -> None:
    paper_view = view(Paper.model_validate(minimal()), "p")
    rows = paper_view.reports[0].rows
    assert [(r.kind, r.ref) for r in rows][:3] == [("item", "1"), ("item", "2"), ("task", "2.1")]
    assert rows[2].status.word == "GREEN" and rows[1].status.word == "NEW GREEN"
    assert paper_view.header == "Appendix A · September 2021 · OFFICIAL"
    assert paper_view.reports[0].published == "Published 5 August 2021"
    assert rows[3].due == ("June 2021", "Now December 2021")
    assert rows[4].to == "To the Home Office" and rows[4].due == ("No date set by HMICFRS",)


def test_legend_gains_rows_for_new_green_and_closed_only_when_used() -> None:
    data = minimal()
    statuses = [row.status.word for row in view(Paper.model_validate(data), "p").legend]
    assert statuses == ["GREEN", "NEW GREEN", "AMBER", "RED", "WHITE", "CLOSED"]
    data["reports"][0]["items"] = data["reports"][0]["items"][:1]
    statuses = [row.status.word for row in view(Paper.model_validate(data), "p").legend]
    assert statuses == ["GREEN", "AMBER", "RED", "WHITE"]


def test_when_orders_months_before_days_in_them() -> None:
    assert When(2021, 9) < When(2021, 10) and When(2021, 9).last_day > When(2021, 9, 5).last_day


# --- a report's own totals, items for another body, due steps without a date -------------


def _totals(**kw):
    from boardpack.model import Totals

    return Totals(**kw)


@pytest.mark.parametrize(("counts", "totals", "sentence"), [
    ({"CLOSED": 2, "AMBER": 2, "RED": 1}, {"made": 10, "for_force": 10, "completed_before": 5},
     "This report makes 10 recommendations for the force; 5 were completed before this paper. "
     "Of the 5 in the table, 2 are closed, 2 in progress and 1 is RED."),
    ({"NEW GREEN": 1, "CLOSED": 1, "RED": 2, "WHITE": 1}, {"made": 10, "for_force": 10, "completed_before": 5},
     "This report makes 10 recommendations for the force; 5 were completed before this paper. "
     "Of the 5 in the table, 1 is newly complete, 1 closed, 2 RED and 1 is for another organisation to deliver."),
    ({"NEW GREEN": 1, "AMBER": 1}, {"made": 10, "for_force": 2},
     "This report makes 10 recommendations, 2 of which are for the force. Of the 2 in the table, 1 is newly complete and 1 is in progress."),
    ({"AMBER": 1}, {"made": 11, "for_force": 11, "completed_before": 10},
     "This report makes 11 recommendations for the force; 10 were completed before this paper. The one in the table is in progress."),
    ({"CLOSED": 1}, {"for_force": 4, "completed_before": 3},
     "This report makes 4 recommendations for the force; 3 were completed before this paper. The one in the table is closed."),
    ({"RED": 3}, {"made": 1, "for_force": 1, "completed_before": 1},
     "This report makes 1 recommendation for the force; 1 was completed before this paper. All 3 in the table are RED."),
    ({}, {"made": 3, "for_force": 0}, "This report makes 3 recommendations, none of which is for the force."),
    ({}, {"made": 3, "for_force": 3, "completed_before": 3},
     "This report makes 3 recommendations for the force; all 3 were completed before this paper."),
    ({"AMBER": 2}, {"made": 5}, "This report makes 5 recommendations. All 2 in the table are in progress."),
])
def test_summary_sentence_starts_from_the_reports_own_totals(counts, totals, sentence) -> None:
    assert summary_sentence(Counter(counts), totals=_totals(**totals)) == sentence


def test_totals_sentence_names_areas_for_improvement_and_items_for_another_body() -> None:
    sentence = summary_sentence(Counter({"AMBER": 1}), totals=_totals(made=6, for_force=6, completed_before=4),
                                bodies=(("the Home Office", 1),), item_noun="area for improvement")
    assert sentence == ("This report makes 6 areas for improvement for the force; 4 were completed before this paper. "
                        "Of the 2 in the table, 1 is in progress and 1 is for the Home Office.")


@pytest.mark.parametrize(("counts", "bodies", "sentence"), [
    ({"AMBER": 1}, (("the Home Office", 1),), "There is 1 action for the force, which is in progress. 1 more is for the Home Office."),
    ({}, (("the Home Office", 2),), "There are no actions for the force; 2 are for the Home Office."),
    ({"AMBER": 2, "WHITE": 1}, (("the Home Office", 1),),
     "There are 2 actions for the force, all in progress. 1 more is for the Home Office and 1 is for another organisation to deliver."),
])
def test_items_for_another_body_are_counted_apart_without_totals(counts, bodies, sentence) -> None:
    assert summary_sentence(Counter(counts), bodies=bodies) == sentence


def test_an_item_for_another_body_is_counted_apart_and_printed_with_the_item() -> None:
    data = minimal()
    data["reports"][0]["items"][0]["for_body"] = "the Home Office"
    report = view(Paper.model_validate(data), "p").reports[0]
    assert "1 more is for the Home Office" in report.sentence
    assert report.rows[0].for_body == "For the Home Office"
    assert sum(report.counts.values()) == len(data["reports"][0]["items"])  # the counts table still has every row


def test_a_due_step_of_words_prints_as_written_and_is_not_a_date() -> None:
    steps = (DueStep(words="No deadline set by HMICFRS"), DueStep(date="2020-11", note="for an initial position"))
    assert due_lines(steps, None) == ("No deadline set by HMICFRS", "November 2020 for an initial position")
    steps += (DueStep(date="2021-03"),)
    assert due_lines(steps, None) == ("No deadline set by HMICFRS", "November 2020 for an initial position", "Now March 2021")
    assert is_overdue("AMBER", (DueStep(words="No deadline set"),), parse_when("2021-09")) is False
    assert is_overdue("AMBER", (DueStep(date="2021-08"), DueStep(words="Under review")), parse_when("2021-09")) is True


def test_a_due_step_is_a_date_or_words_not_both() -> None:
    with pytest.raises(ValueError, match="either a date"):
        DueStep(date="2021-09", words="No deadline")
    with pytest.raises(ValueError, match="either a date"):
        DueStep()


def test_closing_notes_reach_the_view() -> None:
    data = minimal()
    data["notes"] = "Reports with nothing left to do are removed after one quarter."
    assert view(Paper.model_validate(data), "p").notes == data["notes"]


def test_a_review_of_another_force_says_whom_its_recommendations_are_for() -> None:
    data = minimal()
    data["paper"]["layout"] = "response"
    data["reports"] = [{"title": "Baroness Casey Review", "scope": "independent review", "by": "Baroness Casey",
                        "to": "the Metropolitan Police Service",
                        "items": [{"ref": str(n), "text": "The Met should act.", "owner": "PSD"} for n in range(1, 17)]}]
    (report,) = view(Paper.model_validate(data), "x").reports
    assert report.sentence == ("This review makes 16 recommendations to the Metropolitan Police Service; "
                               "the table gives the force's response to each.")
    assert "for the force" not in report.sentence
    assert report.byline == "An independent review by Baroness Casey"


def test_the_casey_paper_is_worded_for_the_met() -> None:
    from boardpack.chain import prepare

    from ..conftest import DATA

    checked = prepare(DATA / "2023-05-casey-response.yaml")
    assert checked.resolved is not None
    (report,) = view(checked.resolved.paper, "casey").reports
    assert report.sentence.startswith("This review makes 16 recommendations to the Metropolitan Police Service;")
