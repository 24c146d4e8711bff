"""The quarterly cycle: what two periods of a paper say together, and rolling one forward."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pytest
import yaml

from boardpack.build import build
from boardpack.chain import prepare
from boardpack.derive import view
from boardpack.history import excerpt, merge_due, pair, slippage
from boardpack.model import DueStep, Item, parse_when

from .conftest import DATA, FIXTURES, run

CYCLE = FIXTURES / "cycle"
SEPTEMBER = DATA / "2021-09-hmicfrs-tracker.yaml"
JUNE = DATA / "2021-06-hmicfrs-tracker.yaml"



def steps(*dates: str | tuple[str, str]) -> tuple[DueStep, ...]:
    return tuple(DueStep(date=parse_when(d)) if isinstance(d, str) else DueStep(date=parse_when(d[0]), note=d[1]) for d in dates)


@pytest.fixture
def cycle(tmp_path: Path) -> Path:
    """The small June/September pair, copied so a test may change it."""
    folder = tmp_path / "data"
    shutil.copytree(CYCLE, folder)
    return folder


def resolved_items(path: Path) -> dict[str, Item]:
    checked = prepare(path)
    assert checked.resolved is not None, checked.problems
    return {f"{r.title}/{i.ref or i.text[:10]}": i for r in checked.resolved.paper.reports for i in r.items}


# --- pairing and due dates ----------------------------------------------------------------


def test_items_pair_by_id_then_ref_then_text_never_by_position() -> None:
    now = [Item(ref="1", text="a"), Item(ref="9", text="b"), Item(text="Unnumbered one."), Item(id="x", ref="4", text="c")]
    before = [Item(ref="2", text="b"), Item(ref="1", text="a"), Item(text="Unnumbered  one."), Item(id="x", ref="3", text="c")]
    paired, removed = pair(now, before, ("id", "ref", "text"))
    assert paired == {0: 1, 2: 2, 3: 3}
    assert removed == [0]  # ref 2 went; ref 9 is new, not paired with it by position


def test_a_typed_new_date_is_laid_over_last_periods_history() -> None:
    before = steps("2020-02", ("2020-09", "after the review"))
    assert merge_due(before, steps(("2021-06", "pending benchmarking"))) == steps(
        "2020-02", ("2020-09", "after the review"), ("2021-06", "pending benchmarking"))
    assert merge_due(before, before) == before
    assert merge_due(before, ()) == before
    assert merge_due(before, steps("2020-05")) == steps("2020-02", "2020-05")  # brought forward


def test_steps_of_words_keep_their_place_and_are_never_compared() -> None:
    words = DueStep(words="No deadline set by HMICFRS")
    before = (words, *steps(("2020-11", "for an initial position")))
    assert merge_due(before, ()) == before
    assert merge_due(before, steps("2021-03")) == (*before, *steps("2021-03"))
    assert merge_due((), (words,)) == (words,)
    assert merge_due(steps("2021-03"), (words,)) == (words,)  # only words typed: they stand
    # typed words go just before the date typed after them
    assert merge_due(steps("2021-03"), (words, *steps("2021-06"))) == (*steps("2021-03"), words, *steps("2021-06"))
    assert slippage(before) is None
    assert slippage((*before, *steps("2021-03"))) == "Extended once: 4 months after the first date (November 2020)"


def test_slippage_counts_extensions_and_months() -> None:
    assert slippage(steps("2020-02", "2020-09", "2021-06")) == "Extended 2 times: 16 months after the first date (February 2020)"
    assert slippage(steps("2021-06")) is None


def test_excerpt_is_plain_text() -> None:
    assert excerpt("**Bold** and [under]{.underline} with [a link](https://x.org)[^1]") == "Bold and under with a link"
    assert excerpt("word " * 60).endswith("…")
    assert excerpt("- We recommend that\n- forces act") == "We recommend that forces act"


# --- the small pair -------------------------------------------------------------------------


def test_new_green_is_derived_from_the_pair(cycle: Path) -> None:
    items = resolved_items(cycle / "2021-09-tracker.yaml")
    cdi = "Crime Data Integrity inspection 2019"
    assert items[f"{cdi}/1"].status == "NEW GREEN"  # AMBER in June, typed GREEN now
    assert items[f"{cdi}/2"].status == "GREEN"  # typed NEW GREEN, but already GREEN in June
    assert items[f"{cdi}/3"].tasks[0].status == "NEW GREEN"
    assert items[f"{cdi}/7"].status == "AMBER"


def test_typed_new_green_contradicted_by_the_pair_is_a_warning(cycle: Path) -> None:
    checked = prepare(cycle / "2021-09-tracker.yaml")
    (warning,) = [p for p in checked.warnings if "typed NEW GREEN" in p.message]
    assert (warning.line, warning.where) == (21, "reports[0].items[1].status")
    assert "already GREEN in June 2021" in warning.message


def test_a_slip_keeps_the_earlier_dates_and_an_unexplained_one_warns(cycle: Path) -> None:
    items = resolved_items(cycle / "2021-09-tracker.yaml")
    audit = items["Crime Data Integrity inspection 2019/3"]
    assert [str(s.date) for s in audit.due] == ["March 2021", "June 2021", "December 2021"]
    assert audit.due[-1].note == "pending the results of benchmarking"
    checked = prepare(cycle / "2021-09-tracker.yaml")
    slips = [p for p in checked.warnings if "extended from" in p.message]
    assert [(p.line, p.where) for p in slips] == [(34, "reports[0].items[3].due"), (43, "reports[0].items[5].due")]
    assert "from May 2021 to November 2021 with no reason" in slips[0].message


def test_changes_name_every_category_and_omit_empty_ones(cycle: Path) -> None:
    checked = prepare(cycle / "2021-09-tracker.yaml")
    assert checked.resolved and checked.resolved.changes
    changes = view(checked.resolved.paper, "x", checked.resolved.changes).changes
    assert changes is not None and changes.since == "June 2021"
    groups = {g.heading: [(r.ref, r.change) for r in g.rows] for g in changes.groups}
    assert groups == {
        "Newly complete": [("1", "AMBER → NEW GREEN")],
        "Newly RED": [("5", "AMBER → RED")],
        "Reopened": [("4", "GREEN → AMBER")],
        "Other status changes": [("6", "RED → AMBER (improved)")],
        "Due dates extended": [("3", "June 2021 → December 2021: pending the results of benchmarking"),
                               ("4", "May 2021 → November 2021: no reason given"),
                               ("6", "March 2021 → March 2022: no reason given")],
        "New reports": [(None, "1 item: 1 AMBER")],
        "New items": [("7", "New: AMBER")],
        "Removed reports": [(None, "1 item in the June 2021 paper: 1 GREEN")],
    }
    assert "Closed" not in groups and "Removed items" not in groups
    # the renamed Roads Policing report is paired by its id, so it is neither new nor removed
    new_reports = [r.report for g in changes.groups if g.key == "new_reports" for r in g.rows]
    assert new_reports == ["A review of 'Fraud: Time to choose'"]


def test_without_previous_the_typed_statuses_stand_and_there_is_no_changes_section(cycle: Path) -> None:
    path = cycle / "2021-09-tracker.yaml"
    path.write_text(path.read_text().replace("  previous: 2021-06-tracker.yaml   # last quarter\n", ""))
    checked = prepare(path)
    assert checked.resolved and checked.resolved.changes is None
    items = {i.ref: i for i in checked.resolved.paper.reports[0].items}
    assert items["2"].status == "NEW GREEN" and items["1"].status == "GREEN"
    assert [str(s.date) for s in items["3"].due] == ["December 2021"]


@pytest.mark.slow
def test_changes_section_in_every_output(cycle: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    (result,) = build([cycle / "2021-09-tracker.yaml"], out_dir=out)
    assert result.error is None
    html = (out / "2021-09-tracker.html").read_text()
    assert '<h2 id="changes">Changes since June 2021</h2>' in html
    assert html.index("Changes since June 2021") < html.index("Traffic Light Colour")
    assert "June 2021 → December 2021: pending the results of benchmarking" in html
    with pdfplumber.open(out / "2021-09-tracker.pdf") as pdf:
        first = " ".join((pdf.pages[0].extract_text() or "").split())
    assert "Changes since June 2021" in first and "Since June 2021: 1 item newly complete, 1 item newly RED" in first
    with zipfile.ZipFile(out / "2021-09-tracker.docx") as z:
        document = z.read("word/document.xml").decode()
    words = re.sub(r"<[^>]+>", "", document)
    assert "Changes since June 2021" in words and "AMBER → NEW GREEN" in words and "New: AMBER" in words


def test_check_prints_the_changes_in_words(cycle: Path) -> None:
    code, out, _ = run("check", str(cycle / "2021-09-tracker.yaml"))
    assert code == 0
    assert "Since June 2021: 1 item newly complete, 1 item newly RED, 1 item reopened" in out
    assert "- Crime Data Integrity inspection 2019, No. 5: AMBER → RED" in out
    assert "- A report now finished: 1 item" in out


# --- chains ----------------------------------------------------------------------------------


def test_a_chain_of_three_periods_carries_the_first_date(cycle: Path) -> None:
    code, _, err = run("roll", str(cycle / "2021-09-tracker.yaml"), "--to", "2021-12")
    assert code == 0, err
    december = cycle / "2021-12-tracker.yaml"
    december.write_text(december.read_text().replace("due: {date: 2021-12, note: pending the results of benchmarking}",
                                                     "due: {date: 2022-03, note: after the new system}"))
    items = resolved_items(december)
    dates = [str(s.date) for s in items["Crime Data Integrity inspection 2019/3"].due]
    assert dates == ["March 2021", "June 2021", "December 2021", "March 2022"]


@pytest.mark.parametrize("june_previous, words", [
    ("2021-09-tracker.yaml", "previous papers form a loop (2021-09-tracker.yaml → 2021-06-tracker.yaml → 2021-09-tracker.yaml)"),
    ("2021-06-tracker.yaml", "the previous paper 2021-06-tracker.yaml has errors"),
])
def test_a_loop_of_previous_papers_is_an_error_at_the_previous_line(cycle: Path, june_previous: str, words: str) -> None:
    june = cycle / "2021-06-tracker.yaml"
    june.write_text(june.read_text().replace("  layout: tracker\n", f"  layout: tracker\n  previous: {june_previous}\n", 1))
    checked = prepare(cycle / "2021-09-tracker.yaml")
    assert [(p.line, p.where) for p in checked.errors] == [(9, "paper.previous")]
    assert words in checked.errors[0].message


def test_a_previous_paper_for_a_later_period_is_an_error(cycle: Path) -> None:
    june = cycle / "2021-06-tracker.yaml"
    june.write_text(june.read_text().replace("period: 2021-06", "period: 2021-10"))
    checked = prepare(cycle / "2021-09-tracker.yaml")
    (error,) = checked.errors
    assert error.line == 9 and "2021-06-tracker.yaml is for October 2021, not before 2021-09-tracker.yaml (September 2021)" in error.message


def test_a_previous_paper_with_errors_is_named(cycle: Path) -> None:
    june = cycle / "2021-06-tracker.yaml"
    june.write_text(june.read_text().replace("status: RED", "status: REDD"))
    (error,) = prepare(cycle / "2021-09-tracker.yaml").errors
    assert "the previous paper 2021-06-tracker.yaml has errors" in error.message


def test_editing_the_previous_paper_rebuilds_this_one(cycle: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build([cycle / "2021-09-tracker.yaml"], out_dir=out, formats=("html",))
    june = cycle / "2021-06-tracker.yaml"
    june.write_text(june.read_text().replace("status: AMBER\n        due: 2021-06", "status: GREEN\n        due: 2021-06"))
    (again,) = build([cycle / "2021-09-tracker.yaml"], out_dir=out, formats=("html",))
    assert not again.skipped
    assert "AMBER → NEW GREEN" not in (out / "2021-09-tracker.html").read_text()


# --- rolling forward -------------------------------------------------------------------------


def test_roll_changes_only_period_previous_and_new_green(cycle: Path) -> None:
    source = cycle / "2021-09-tracker.yaml"
    before = source.read_bytes()
    code, out, err = run("roll", str(source), "--to", "2021-12")
    assert code == 0, err
    assert "1 NEW GREEN now GREEN" in out
    rolled = (cycle / "2021-12-tracker.yaml").read_text()
    old = before.decode().splitlines()
    new = rolled.splitlines()
    assert len(old) == len(new)
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert changed == [
        ("  period: 2021-09", "  period: 2021-12"),
        ("  previous: 2021-06-tracker.yaml   # last quarter", "  previous: 2021-09-tracker.yaml   # last quarter"),
        ("        status: NEW GREEN       # typed by habit: it was already GREEN",
         "        status: GREEN           # typed by habit: it was already GREEN"),
    ]
    assert source.read_bytes() == before
    assert run("check", str(cycle / "2021-12-tracker.yaml"))[0] == 0


@pytest.mark.slow
def test_roll_keeps_every_comment_line_of_the_reference_tracker(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for path in (SEPTEMBER, JUNE):
        shutil.copy(path, folder)
    code, _, err = run("roll", str(folder / SEPTEMBER.name), "--to", "2021-12", "-o", str(folder / "december.yaml"))
    assert code == 0, err
    comments = [line for line in SEPTEMBER.read_text().splitlines() if line.lstrip().startswith("#")]
    rolled = (folder / "december.yaml").read_text()
    assert comments and all(line in rolled.splitlines() for line in comments)
    assert "NEW GREEN" not in rolled.split("reports:", 1)[1]
    out = tmp_path / "build"
    (result,) = build([folder / "december.yaml"], out_dir=out)
    assert result.error is None


def test_roll_drop_done_leaves_out_finished_reports(cycle: Path) -> None:
    path = cycle / "2021-09-tracker.yaml"
    path.write_text(path.read_text().replace("status: AMBER           # reopened", "status: GREEN  # done").replace(
        "status: RED\n        rationale: The policy owner left and the review has not started.", "status: CLOSED").replace(
        "text: Retire the old system.\n        status: AMBER", "text: Retire the old system.\n        status: GREEN").replace(
        "text: A recommendation added this quarter.\n        status: AMBER", "text: A recommendation added this quarter.\n        status: GREEN").replace(
        "text: Audit the records.\n        status: AMBER", "text: Audit the records.\n        status: GREEN"))
    code, out, err = run("roll", str(path), "--to", "2021-12", "--drop-done")
    assert code == 0, err
    assert "left out (every item done): Crime Data Integrity inspection 2019" in out
    rolled = yaml.safe_load((cycle / "2021-12-tracker.yaml").read_text())
    assert [r["title"] for r in rolled["reports"]] == ["Roads Policing: Not Optional", "A review of 'Fraud: Time to choose'"]


@pytest.mark.parametrize("args, words", [
    (("--to", "2021-09"), "must be after this paper's period (September 2021)"),
    (("--to", "2021-06"), "must be after this paper's period"),
    (("--to", "2021-13"), "--to:"),
    (("--to", "2021-12", "-o", "elsewhere/new.yaml"), "must sit beside"),
])
def test_roll_refuses_a_wrong_period_or_place(cycle: Path, args: tuple[str, ...], words: str) -> None:
    code, _, err = run("roll", str(cycle / "2021-09-tracker.yaml"), *args)
    assert code == 2 and words in err
    papers = sorted(p.name for p in cycle.iterdir() if p.name != ".2021-09-tracker.yaml.lock")  # roll's lock of the paper it read
    assert papers == ["2021-06-tracker.yaml", "2021-09-tracker.yaml"]


def test_rolling_twice_to_the_same_period_refuses_and_keeps_the_file(cycle: Path) -> None:
    assert run("roll", str(cycle / "2021-09-tracker.yaml"), "--to", "2021-12")[0] == 0
    rolled = cycle / "2021-12-tracker.yaml"
    rolled.write_text(rolled.read_text() + "# the secretary's edit\n")
    before = rolled.read_bytes()
    code, _, err = run("roll", str(cycle / "2021-09-tracker.yaml"), "--to", "2021-12")
    assert code == 2 and "already exists; it was left as it was" in err
    assert rolled.read_bytes() == before
    assert not [p for p in cycle.iterdir() if p.name.endswith(".part")]


# --- the reference pair ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> tuple:
    checked = prepare(SEPTEMBER)
    assert checked.resolved is not None and not checked.errors
    return checked, view(checked.resolved.paper, "september", checked.resolved.changes)


def test_reference_new_green_comes_out_of_the_june_september_pair(reference: tuple) -> None:
    checked, paper_view = reference
    derived = {(r.title, row.ref or row.text[:20]) for r in paper_view.reports for row in r.rows
               if row.kind == "item" and row.status and row.status.word == "NEW GREEN"}
    typed = {(r.title, i.ref or i.text[:20]) for r in checked.paper.reports for i in r.items if i.status == "NEW GREEN"}
    assert len(derived) == 17
    assert derived == typed
    assert ("Cyber: Keep the light on", "4") in derived
    assert ("Custody services in a COVID-19 environment", "1") in derived


def test_reference_slips_show_junes_date(reference: tuple) -> None:
    _, paper_view = reference
    slipped = {row.ref: row.change for g in paper_view.changes.groups if g.key == "slipped" for row in g.rows}
    assert slipped["10"] == "February 2021 → December 2021: pending appointment of a force Victim Champion"
    report = next(r for r in paper_view.reports if r.title.startswith("Review of policing domestic abuse"))
    row = next(row for row in report.rows if row.ref == "3")
    assert row.due[0] == "August 2021" and row.due[-1].startswith("Now December 2021")
    assert row.slippage == "Extended once: 4 months after the first date (August 2021)"


def test_reference_changes_list_the_new_reports_and_the_removed_one(reference: tuple) -> None:
    _, paper_view = reference
    groups = {g.key: [row.report for row in g.rows] for g in paper_view.changes.groups}
    assert "A review of 'Fraud: Time to choose'" in groups["new_reports"]
    assert groups["removed_reports"] == ["Shining a light on betrayal: Abuse of position for a sexual purpose"]
    assert len(groups["newly_red"]) == 5


@pytest.mark.parametrize("text, words", [
    ("With immediate effect, chief constables should make sure:\n\n- [1]their force has enough",
     "With immediate effect, chief constables should make sure: their force has enough"),
    ("we recommend that forces:\n\n- [a]track the numbers", "we recommend that forces: track the numbers"),
    ("- [ii] review the policy", "review the policy"),
    ("See the note[^1] here", "See the note here"),
    ("Training [officers and staff] in 2021", "Training [officers and staff] in 2021"),
])
def test_excerpts_leave_out_transcription_marks(text: str, words: str) -> None:
    from boardpack.history import excerpt

    assert excerpt(text) == words


def test_no_excerpt_of_the_reference_papers_carries_a_transcription_mark(reference: tuple) -> None:
    _, paper_view = reference
    texts = [row.text or "" for g in paper_view.changes.groups for row in g.rows]
    texts += [row.text for row in paper_view.summary.attention]
    assert texts and not [t for t in texts if re.search(r"\[(?:\d{1,2}|[a-z])\]", t)]
    assert any("make sure: their force" in t for t in texts)


def test_items_new_this_period_count_with_the_status_they_reached(reference: tuple) -> None:
    """The summary's '17 newly complete' is the changes' 17: one of them sits in a report new this quarter."""
    _, paper_view = reference
    groups = {g.key: g.rows for g in paper_view.changes.groups}
    new_green = sum(row.status is not None and row.status.word == "NEW GREEN" for r in paper_view.reports for row in r.rows
                    if row.kind == "item")
    assert len(groups["newly_complete"]) == new_green == 17
    assert "17 items newly complete" in paper_view.changes.headline
    (joint,) = [row for row in groups["newly_complete"] if row.change.startswith("Not in the June 2021 paper")]
    assert joint.change == "Not in the June 2021 paper → NEW GREEN"
    new_reports = {row.report: row.change for row in groups["new_reports"]}
    assert new_reports["A review of 'Fraud: Time to choose'"] == "3 items: 3 AMBER"
    assert new_reports["State of Policing: The Annual Assessment of Policing in England and Wales 2020"] == "No recommendations for the force"
def test_a_roll_dry_run_tells_what_the_roll_does_and_writes_nothing(tmp_path: Path) -> None:
    from boardpack.roll import next_quarter, roll

    for paper in DATA.glob("*.yaml"):
        shutil.copy(paper, tmp_path / paper.name)
    source = tmp_path / "2021-09-hmicfrs-tracker.yaml"
    before = sorted(p.name for p in tmp_path.iterdir())
    preview = roll(source, "2021-12", drop_done=True, dry_run=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == before and not preview.written
    done = roll(source, "2021-12", drop_done=True)
    assert done.written and done.path == preview.path == tmp_path / "2021-12-hmicfrs-tracker.yaml"
    assert (preview.was, preview.period, preview.reports, preview.items) == (done.was, done.period, done.reports, done.items)
    assert preview.settled == done.settled and preview.dropped == done.dropped and preview.greens == len(done.settled) == 15
    text = done.path.read_text()
    for name in done.settled:
        assert name.split(", No. ")[0] in text
    assert text.count("status: NEW GREEN") == 0 and preview.items == 63
    assert [next_quarter(parse_when(p)) for p in ("2021-09", "2021-11", "2021-12")] == ["2021-12", "2022-02", "2022-03"]
