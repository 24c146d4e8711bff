"""Every report, item and task has one identity, unique in its paper and kept across quarters."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from boardpack import check
from boardpack.chain import prepare
from boardpack.identity import entry_key, index, item_key, report_key, split_key, text_key
from boardpack.model import Item, Paper, Report

from .conftest import FIXTURES, ROOT, minimal, run

CYCLE = FIXTURES / "cycle"

HEAD = """\
paper:
  title: HMICFRS Report Recommendations
  period: 2021-09
  committee: Police Authority Board
  organisation: City of London Police
  layout: tracker
reports:
"""


def keys_of(paper: Paper) -> list[str]:
    return [entry_key(report, item, task) for report in paper.reports for item in report.items
            for task in (None, *item.tasks)]


# --- the keys ------------------------------------------------------------------------


def test_keys_come_from_id_then_title_ref_or_text() -> None:
    report = Report(title="Roads Policing: Not Optional")
    assert report_key(report) == "roads-policing-not-optional"
    assert report_key(Report(title="ROADS policing - not optional!")) == "roads-policing-not-optional"
    assert report_key(Report(id="roads", title="Roads Policing: Not Optional")) == "roads"
    assert item_key(Item(ref="3a", text="x")) == "3a"
    assert item_key(Item(id="kept", ref="3a", text="x")) == "kept"
    unnumbered = Item(text="Review  the\npolicy.")
    assert item_key(unnumbered) == text_key("Review the policy.") and item_key(unnumbered).startswith("t-")
    assert len(item_key(unnumbered)) == len("t-") + 12


def test_an_entry_key_is_url_safe_and_splits_back() -> None:
    report = Report(title="Fraud: Time to choose")
    item = Item(ref="AFI 3/b", text="x", tasks=({"ref": "1.2", "text": "t"},))  # type: ignore[arg-type]
    key = entry_key(report, item, item.tasks[0])
    assert key == "fraud-time-to-choose/AFI%203%2Fb/1.2"
    assert re.fullmatch(r"[A-Za-z0-9._~%/-]+", key)  # only what a link's path carries as it is
    assert split_key(key) == ("fraud-time-to-choose", "AFI 3/b", "1.2")
    assert index((report.model_copy(update={"items": (item,)}),)) == {
        "fraud-time-to-choose/AFI%203%2Fb": (0, 0, None), key: (0, 0, 0)}


# --- check refuses two alike, naming both lines --------------------------------------


def test_two_reports_with_one_title_are_refused_naming_both_lines(paper_file) -> None:
    text = HEAD + """\
  - title: Custody services
    items:
      - ref: "1"
        text: Improve data.
        status: AMBER
  - title: "Custody Services."
    items:
      - ref: "1"
        text: Improve the cells.
        status: AMBER
"""
    path = paper_file(text)
    (result,) = check([path])
    (error,) = result.errors
    assert str(error).startswith(f"{result.label}:13:12: reports[1].title: two reports have the identity 'custody-services'")
    assert f"this one and reports[0] at {result.label}:8:12" in str(error)
    assert "give one of them its own `id:`" in str(error)
    (fixed,) = check([paper_file(text.replace('  - title: "Custody Services."', '  - id: custody-2022\n    title: "Custody Services."'))])
    assert not fixed.errors


def test_two_unnumbered_items_with_one_text_are_refused_naming_both_lines(paper_file) -> None:
    text = HEAD + """\
  - title: Custody services
    items:
      - text: Review the policy.
        status: AMBER
      - ref: "2"
        text: Something else.
        status: AMBER
      - text: "Review   the policy."
        status: RED
        rationale: No staff.
"""
    (result,) = check([paper_file(text)])
    (error,) = result.errors
    assert error.line == 15 and error.where == "reports[0].items[2].text"
    assert "two items of this report have the identity 't-" in error.message
    assert f"items[0] (from its text (it has no ref)) at {result.label}:10:15" in error.message
    assert "give one of them its own `id:`" in error.message
    (fixed,) = check([paper_file(text.replace('      - text: "Review   the', '      - id: policy-b\n        text: "Review   the'))])
    assert not fixed.errors


def test_an_id_equal_to_another_items_ref_is_refused(paper_file) -> None:
    data = minimal()
    data["reports"][0]["items"][2]["id"] = "1"
    (result,) = check([paper_file(data)])
    (error,) = result.errors
    assert error.where == "reports[0].items[2].id" and "identity '1'" in error.message
    assert "items[0] (from its ref)" in error.message


def test_the_same_ref_twice_is_reported_once_with_both_lines(paper_file) -> None:
    data = minimal()
    data["reports"][0]["items"][2]["ref"] = "1"
    (result,) = check([paper_file(data)])
    (error,) = result.errors
    assert "ref '1' is used twice in this report (first at items[0], " in error.message
    assert f"{result.label}:" in error.message.split("first at items[0], ")[1]


def test_the_same_item_keys_in_two_reports_are_fine(paper_file) -> None:
    data = minimal()
    data["reports"][1]["items"] = [{"ref": "1", "text": "Follow the guidance.", "status": "AMBER"}]
    (result,) = check([paper_file(data)])
    assert not result.errors


# --- kept across quarters -----------------------------------------------------------


def test_roll_keeps_every_key_and_every_id(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(CYCLE, folder)
    code, _, err = run("roll", str(folder / "2021-09-tracker.yaml"), "--to", "2021-12")
    assert code == 0, err
    before, after = prepare(folder / "2021-09-tracker.yaml"), prepare(folder / "2021-12-tracker.yaml")
    assert before.paper is not None and after.paper is not None and not after.errors
    assert keys_of(after.paper) == keys_of(before.paper)
    assert "roads/t-" in " ".join(keys_of(after.paper))  # the report's id and the unnumbered item's text hash
    assert "  - id: roads\n" in (folder / "2021-12-tracker.yaml").read_text()


def test_last_quarters_partner_is_found_by_identity(tmp_path: Path) -> None:
    """A title whose case or punctuation was tidied is the same report, not one removed and one new."""
    folder = tmp_path / "data"
    shutil.copytree(CYCLE, folder)
    september = folder / "2021-09-tracker.yaml"
    september.write_text(september.read_text().replace("  - title: Crime Data Integrity inspection 2019",
                                                       "  - title: Crime data integrity inspection, 2019"))
    checked = prepare(september)
    assert checked.resolved is not None and checked.resolved.changes is not None
    changes = checked.resolved.changes
    assert [c.report for c in changes.new_reports] == ["A review of 'Fraud: Time to choose'"]  # the fixture's own new one
    assert [c.report for c in changes.removed_reports] == ["A report now finished"]
    assert ("Crime data integrity inspection, 2019", "1") in [(c.report, c.ref) for c in changes.newly_complete]


@pytest.mark.parametrize("bad", ["reports", "items"])
def test_identity_problems_are_found_when_other_parts_are_wrong_too(paper_file, bad: str) -> None:
    data = minimal()
    data["reports"][0]["items"][0]["staus"] = "x"  # the model rejects the file: the rules run on what it accepts
    if bad == "reports":
        data["reports"][1]["title"] = data["reports"][0]["title"].upper()
    else:
        data["reports"][0]["items"][3]["id"] = "2"
    (result,) = check([paper_file(data)])
    assert any("identity" in p.message for p in result.errors), result.errors


# --- a year no paper has ------------------------------------------------------------------


@pytest.mark.parametrize("typed, message", [
    ("0221-09", "'0221-09' is not a likely period: year 221; did you mean 2021-09? (allowed: years 1900 to 2200)"),
    ("2201-09", "'2201-09' is not a likely period: year 2201; did you mean 2021-09?"),
    ("September 1021", "'September 1021' is not a likely period: year 1021; did you mean September 2021?"),
])
def test_a_period_in_an_unlikely_year_is_refused_with_the_year_meant(paper_file, typed: str, message: str) -> None:
    data = minimal()
    data["paper"]["period"] = typed
    (result,) = check([paper_file(data)])
    (error,) = result.errors
    assert error.where == "paper.period" and error.line == 4 and message in error.message, error


def test_other_dates_in_an_unlikely_year_are_refused_too(paper_file, tmp_path: Path) -> None:
    data = minimal()
    data["reports"][0]["items"][0]["due"] = ["2021-09", "3021-11"]
    data["reports"][0]["published"] = "1899-12-01"
    (result,) = check([paper_file(data)])
    messages = {p.where: p.message for p in result.errors}
    assert "'3021-11' is not a likely date: year 3021; did you mean 2021-11?" in messages["reports[0].items[0].due[1].date"]
    assert "year 1899" in messages["reports[0].published"]
    data = minimal()
    data["reports"][0]["items"][0]["due"] = ["2021-09", "2200-12"]
    data["reports"][0]["published"] = "1900-01"
    (fine,) = check([paper_file(data)])
    assert not fine.errors


# --- the synthetic tracker with repeated titles round-trips ---------------------------------


@pytest.mark.slow
def test_the_1000_item_tracker_with_repeated_titles_goes_out_and_back_with_every_update_on_its_item(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`bench/make_tracker.py 1000 7` draws 8 repeated titles; each return lands on the row it was written on."""
    from openpyxl import load_workbook

    from boardpack.history import excerpt

    spec = importlib.util.spec_from_file_location("make_tracker", ROOT / "bench" / "make_tracker.py")
    assert spec is not None and spec.loader is not None
    make_tracker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_tracker)
    monkeypatch.chdir(tmp_path)
    paper = tmp_path / "data" / "big.yaml"
    make_tracker.main(["1000", "7", str(paper)])
    titles = [r.title for r in prepare(paper).paper.reports]  # type: ignore[union-attr]
    assert len({t for t in titles if titles.count(t) > 1}) == 8 and len(titles) - len(set(titles)) == 10
    assert run("returns", "data/big.yaml", "--include-unowned", "--include-outside")[0] == 0
    returned = tmp_path / "returned"
    returned.mkdir()
    rows = 0
    for book in sorted((tmp_path / "build" / "returns" / "big").glob("*.xlsx")):
        wb = load_workbook(book)
        ws = wb["Items"]
        for row in ws.iter_rows(min_row=9):
            report, ref, text = (c.value for c in row[1:4])
            ws.cell(row=row[0].row, column=11).value = f"Seen in {report} No. {ref}: {text[:40]}"  # what the owner saw
            rows += 1
        wb.save(returned / book.name)
    code, out, err = run("merge", "data/big.yaml", *sorted(str(p) for p in returned.iterdir()))
    assert code == 0, err[:2000]
    assert f"merged {rows} changes" in out and rows > 800
    checked = prepare(paper)
    assert checked.paper is not None and not checked.errors
    updated = 0
    for report in checked.paper.reports:
        for item in report.items:
            for entry in (item, *item.tasks):
                comment = entry.comment if entry is item else entry.position  # type: ignore[union-attr]
                if comment and "Seen in " in comment:
                    updated += 1
                    assert comment.split("\n\n")[0].rstrip().endswith(  # the update first, newest first
                        f"Seen in {report.title} No. {entry.ref}: {excerpt(entry.text, limit=400)[:40]}".rstrip()), (report.title, entry.ref)
    assert updated == rows


def test_every_row_of_the_view_carries_its_identity_for_links() -> None:
    from boardpack.derive import view

    checked = prepare(CYCLE / "2021-09-tracker.yaml")
    assert checked.resolved is not None
    rows = [row for report in view(checked.resolved.paper, "p").reports for row in report.rows]
    assert [row.key for row in rows] == keys_of(checked.resolved.paper)
    assert len({row.key for row in rows}) == len(rows)
    assert "crime-data-integrity-inspection-2019/3/3.1" in [row.key for row in rows]


def test_the_workspace_finds_an_item_that_moved_by_its_identity() -> None:
    from boardpack.edit import ItemAt, locate

    checked = prepare(CYCLE / "2021-09-tracker.yaml")
    assert checked.paper is not None
    paper = checked.paper
    report = paper.reports[1]
    key = entry_key(report, report.items[0])  # the unnumbered item: its report's id and its text's hash
    assert key.startswith("roads/t-")
    moved = paper.model_copy(update={"reports": (paper.reports[1], paper.reports[0], *paper.reports[2:])})
    assert locate(moved, ItemAt(1, 0), key) == ItemAt(0, 0)
    assert locate(moved, ItemAt(1, 0), "roads/t-000000000000") is None
