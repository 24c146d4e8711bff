"""Owners' returns out and back, and the data annex: open the workbooks and the paper file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from boardpack.build import build
from boardpack.chain import prepare
from boardpack.formats.returns_sheet import HEADERS, KEYS_FIRST_ROW, digest, state
from boardpack.history import excerpt
from boardpack.render.sheets.returns import file_name, file_names, workbooks

from ..conftest import FIXTURES, minimal, run
from ..render.test_docx import soffice

PAPER = FIXTURES / "returns" / "2021-12-tracker.yaml"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the paper in data/, as the current directory, returns exported."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    shutil.copy(PAPER, tmp_path / "data" / PAPER.name)
    code, out, err = run("returns", f"data/{PAPER.name}")
    assert code == 0, err
    return tmp_path


def returns_dir(folder: Path) -> Path:
    return folder / "build" / "returns" / PAPER.stem


def fill(folder: Path, name: str, cells: dict[str, object], save_as: str | None = None) -> Path:
    """Fill a returned workbook in as an owner would, in Excel's place."""
    path = returns_dir(folder) / name
    wb = load_workbook(path)
    for ref, value in cells.items():
        wb["Items"][ref] = value
    target = folder / (save_as or name)
    wb.save(target)
    return target


def row_of(folder: Path, name: str, ref: str) -> int:
    ws = load_workbook(returns_dir(folder) / name)["Items"]
    for row in ws.iter_rows(min_row=9):
        if row[2].value == ref:
            return row[0].row
    raise AssertionError(ref)


# --- out -----------------------------------------------------------------------------


def shown(folder: Path) -> dict[str, bytes]:
    """The files of the round a person sees (not the hidden lock)."""
    return {p.name: p.read_bytes() for p in sorted(returns_dir(folder).iterdir()) if not p.name.startswith(".")}


def test_one_workbook_per_owner_inside_the_force_and_the_rest_on_request(folder: Path) -> None:
    assert list(shown(folder)) == ["Crime-Directorate.eml", "Crime-Directorate.xlsx", "Professional-Standards.eml",
                                   "Professional-Standards.xlsx", "round.json"]
    code, out, err = run("returns", f"data/{PAPER.name}", "--include-outside", "--include-unowned")
    assert code == 0, err
    assert [n for n in shown(folder) if n.endswith(".xlsx")] == [
        "Crime-Directorate.xlsx", "Home-Office.xlsx", "Professional-Standards.xlsx", "Unassigned.xlsx"]
    code, out, err = run("returns", f"data/{PAPER.name}")
    assert code == 0, err
    assert "removed Home-Office.xlsx of an earlier round" in out and "removed Unassigned.xlsx of an earlier round" in out
    assert "left out: Home Office, 1 item (outside the force" in out and "1 open item without an owner" in out
    assert [n for n in shown(folder) if n.endswith(".xlsx")] == ["Crime-Directorate.xlsx", "Professional-Standards.xlsx"]
    ws = load_workbook(returns_dir(folder) / "Professional-Standards.xlsx")["Items"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=9, max_col=5)]
    assert [r[2] for r in rows] == ["1", "2", "2.1"]  # the GREEN item 3 is not sent out
    assert [c.value for c in ws[8]] == list(HEADERS)
    assert HEADERS[-5:] == ("New status", "New due date", "Reason for the new date", "Update", "Rationale")


def test_the_workbook_is_locked_but_for_the_owners_columns_with_a_status_list(folder: Path) -> None:
    wb = load_workbook(returns_dir(folder) / "Professional-Standards.xlsx")
    ws = wb["Items"]
    assert ws.protection.sheet and ws.freeze_panes == "B9"
    assert ws["D9"].protection.locked and not ws["H9"].protection.locked and not ws["L9"].protection.locked
    (statuses, dates) = ws.data_validations.dataValidation
    assert statuses.formula1 == '"GREEN,NEW GREEN,AMBER,RED,WHITE,CLOSED"' and "H9" in str(statuses.sqref)
    assert dates.type is None and "June 2022" in dates.prompt and "I9" in str(dates.sqref)  # a day or a month
    assert ws["I9"].number_format == "@"  # typed as text, so Excel does not turn 'June 2022' into 1 June
    assert ws.page_setup.orientation == "landscape" and ws.column_dimensions["A"].hidden
    keys = wb["boardpack"]
    assert keys.sheet_state == "hidden"
    assert [keys["A1"].value, keys["B1"].value, keys["B2"].value] == ["paper", PAPER.name, "2021-12"]


def test_text_that_looks_like_a_formula_stays_text(folder: Path) -> None:
    ws = load_workbook(returns_dir(folder) / "Professional-Standards.xlsx")["Items"]
    cell = ws[f"D{row_of(folder, 'Professional-Standards.xlsx', '2')}"]
    assert cell.data_type == "s" and cell.value.startswith('=HYPERLINK(')


def test_workbooks_are_byte_identical_run_to_run() -> None:
    resolved = prepare(PAPER).resolved
    assert resolved is not None
    assert workbooks(resolved, PAPER.name) == workbooks(resolved, PAPER.name)


# --- back ----------------------------------------------------------------------------


def test_a_filled_return_is_merged_keeping_the_secretarys_file(folder: Path) -> None:
    book = "Professional-Standards.xlsx"
    r1, r2, r21 = (row_of(folder, book, ref) for ref in ("1", "2", "2.1"))
    filled = fill(folder, book, {
        f"H{r1}": "RED", f"L{r1}": "The triage desk has no staff.", f"K{r1}": "Recruitment paused.",
        f"I{r2}": dt.datetime(2022, 4, 30), f"K{r2}": "- trainers found\n- course booked",
        f"H{r21}": "GREEN",
    })
    code, out, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 0, err
    assert "Crime Data Integrity inspection 2019, No. 1: status AMBER → RED; update added; rationale set" in out
    assert "No. 2: due date extended to April 2022 (was January 2022); update added" in out  # a day, at the item's months
    expected = PAPER.read_text().replace(
        "        status: AMBER   # checked with PSD in November\n",
        "        status: RED     # checked with PSD in November\n        rationale: The triage desk has no staff.\n").replace(
        "          The new triage desk is being set up.\n",
        "          [Update, December 2021:]{.underline} Recruitment paused.\n\n          The new triage desk is being set up.\n").replace(
        "          - {date: 2022-01, note: after recruitment}\n",
        "          - {date: 2022-01, note: after recruitment}\n          - 2022-04\n").replace(
        "            status: AMBER\n            position: Two posts advertised.\n",
        "            status: GREEN\n            position: Two posts advertised.\n")
    comment = "        comment: |\n          [Update, December 2021:]{.underline}\n\n          - trainers found\n          - course booked\n"
    assert (folder / "data" / PAPER.name).read_text() == expected.replace("        tasks:\n", comment + "        tasks:\n")
    assert run("check", f"data/{PAPER.name}")[0] == 0


def test_dry_run_prints_and_writes_nothing(folder: Path) -> None:
    book = "Crime-Directorate.xlsx"
    filled = fill(folder, book, {f"H{row_of(folder, book, '4')}": "GREEN"})
    before = (folder / "data" / PAPER.name).read_bytes()
    code, out, _ = run("merge", "--dry-run", f"data/{PAPER.name}", str(filled))
    assert code == 0 and "status AMBER → GREEN" in out and "nothing was written" in out
    assert (folder / "data" / PAPER.name).read_bytes() == before


@pytest.mark.parametrize("cells, words", [
    ({"H{1}": "AMBR"}, "Items!H{1}: 'AMBR' is not a status (did you mean AMBER?)"),
    ({"I{1}": "31/02/2022"}, "Items!I{1}:"),
    ({"I{1}": dt.datetime(2022, 1, 31)}, "Items!I{1}: January 2022 is not after the current due date (March 2022)"),
    ({"J{1}": "pending recruitment"}, "Items!J{1}: a reason goes with a new due date"),
    ({"H{1}": "RED"}, "Items!L{1}: a RED status needs a Rationale"),
    ({"K{1}": "=1+2"}, "Items!K{1}: holds a formula"),
])
def test_a_bad_cell_is_refused_naming_workbook_and_cell_and_nothing_changes(folder: Path, cells: dict, words: str) -> None:
    book = "Professional-Standards.xlsx"
    row = row_of(folder, book, "1")
    filled = fill(folder, book, {ref.format(row, row): value for ref, value in cells.items()})
    before = (folder / "data" / PAPER.name).read_bytes()
    code, _, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 1 and f"{filled}: {words.format(row, row)}" in err, err
    assert f"nothing was merged; data/{PAPER.name} is unchanged" in err
    assert (folder / "data" / PAPER.name).read_bytes() == before


def test_a_return_for_another_paper_is_refused(folder: Path) -> None:
    book = "Crime-Directorate.xlsx"
    filled = fill(folder, book, {f"H{row_of(folder, book, '4')}": "GREEN"})
    other = folder / "data" / "2022-03-tracker.yaml"
    other.write_text(PAPER.read_text().replace("period: 2021-12", "period: 2022-03"))
    code, _, err = run("merge", str(other), str(filled))
    assert code == 1 and f"is a return for {PAPER.name} (2021-12), not for 2022-03-tracker.yaml (2022-03)" in err


def test_a_field_both_changed_is_refused_naming_both_and_one_only_the_secretariat_changed_is_kept(folder: Path) -> None:
    book = "Professional-Standards.xlsx"
    r1, r2 = row_of(folder, book, "1"), row_of(folder, book, "2")
    filled = fill(folder, book, {f"H{r1}": "GREEN", f"K{r1}": "Desk open.", f"K{r2}": "Trainers found."})
    paper = folder / "data" / PAPER.name
    edited = paper.read_text().replace("        status: AMBER   # checked with PSD in November\n        due: 2022-03\n",
                                       "        status: RED   # checked with PSD in November\n        rationale: No staff.\n"
                                       "        due: 2022-03\n")
    edited = edited.replace("          - {date: 2022-01, note: after recruitment}\n",
                            "          - {date: 2022-01, note: after recruitment}\n          - 2022-05\n")
    paper.write_text(edited)
    code, _, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 1 and paper.read_text() == edited
    assert (f"{filled}: Items!H{r1}: both changed the status since the workbook was made: the secretariat's is now RED "
            "(it was AMBER), this return's is GREEN") in err, err
    assert f"Items!K{r2}" not in err and f"Items!I{r2}" not in err  # No. 2's new date is the secretariat's alone
    filled = fill(folder, book, {f"H{r1}": "AMBER", f"K{r1}": "Desk open.", f"K{r2}": "Trainers found."},  # AMBER: as sent
                  save_as="again.xlsx")
    code, out, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 0, err
    assert "No. 1: update added" in out and "No. 2: update added" in out
    merged = paper.read_text()
    assert "status: RED   # checked with PSD in November\n        rationale: No staff.\n" in merged
    assert "          - 2022-05\n" in merged and "[Update, December 2021:]{.underline} Trainers found." in merged


def test_two_returns_changing_one_item_differently_are_refused(folder: Path) -> None:
    book = "Crime-Directorate.xlsx"
    row = row_of(folder, book, "4")
    first = fill(folder, book, {f"H{row}": "GREEN"}, save_as="first.xlsx")
    second = fill(folder, book, {f"H{row}": "RED", f"L{row}": "No budget."}, save_as="second.xlsx")
    before = (folder / "data" / PAPER.name).read_bytes()
    code, _, err = run("merge", f"data/{PAPER.name}", str(first), str(second))
    assert code == 1 and f"changes the same item as {first}: Items!A{row}, differently" in err
    assert (folder / "data" / PAPER.name).read_bytes() == before


def test_a_workbook_that_is_not_a_return_is_refused(folder: Path) -> None:
    junk = folder / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    code, _, err = run("merge", f"data/{PAPER.name}", str(junk))
    assert code == 1 and "junk.xlsx: cannot be read as an Excel workbook" in err


# --- the data annex ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def annex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("annex")
    (result,) = build([PAPER], out_dir=out, formats=("xlsx", "csv"))
    assert result.error is None
    return out


def test_annex_workbook_has_one_row_per_item_and_formula_text_as_text(annex: Path) -> None:
    ws = load_workbook(annex / f"{PAPER.stem}.xlsx")["Items"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["Report", "No.", "Type", "Recommendation", "Status", "Status note", "Due date", "Due history",
                       "Owner or lead", "Overdue", "Last change", "Comment (latest update)", "Tasks", "Rationale"]
    assert [r[1] for r in rows[1:]] == ["1", "2", "3", "4", "5", "6"]
    assert rows[2][3].startswith("=HYPERLINK") and ws["D3"].data_type == "s"
    assert ws["D7"].data_type == "s" and rows[6][3].startswith("@SUM")
    assert rows[5][8] == "Home Office" and rows[2][7] == "June 2021 / Now January 2022 after recruitment"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:N7"


def test_annex_due_date_is_a_date_cell_beside_its_history_and_the_comment_is_plain_text(annex: Path) -> None:
    ws = load_workbook(annex / f"{PAPER.stem}.xlsx")["Items"]
    header = [c.value for c in ws[1]]
    due, history = header.index("Due date") + 1, header.index("Due history") + 1
    comment, tasks = header.index("Comment (latest update)") + 1, header.index("Tasks") + 1
    dates = [ws.cell(row=r, column=due) for r in range(2, 8)]
    assert [c.value for c in dates] == [dt.datetime(2022, 3, 31), dt.datetime(2022, 1, 31), None, dt.datetime(2022, 2, 28), None,
                                        dt.datetime(2022, 6, 30)]
    assert all(c.is_date and c.number_format == "mmmm yyyy" for c in dates if c.value)  # sorts and filters as dates
    assert ws.cell(row=3, column=history).value == "June 2021 / Now January 2022 after recruitment"
    assert ws.cell(row=2, column=comment).value == "The new triage desk is being set up."
    assert ws.cell(row=3, column=tasks).value == "2.1 (AMBER): Recruit trainers. Position: Two posts advertised."
    rows = list(csv.reader(io.StringIO((annex / f"{PAPER.stem}.csv").read_bytes().decode("utf-8-sig"))))
    assert [row[due - 1] for row in rows[1:]] == ["2022-03", "2022-01", "", "2022-02", "", "2022-06"]


def test_annex_rationale_and_comment_are_plain_text_from_markdown(paper_file, tmp_path: Path) -> None:
    from ..conftest import minimal

    data = minimal()
    item = data["reports"][0]["items"][0]
    item.update(status="RED", rationale="**Vacancies** in the unit[^1].\n\n[^1]: Two posts.",
                comment="[Current position:]{.underline} See [the plan](https://example.org/plan).\n\n- one\n- two")
    out = tmp_path / "out"
    (result,) = build([paper_file(data)], out_dir=out, formats=("xlsx",))
    assert result.error is None
    ws = load_workbook(next(out.glob("*.xlsx")))["Items"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("Rationale") + 1).value == "Vacancies in the unit (Two posts.)."
    assert ws.cell(row=2, column=header.index("Comment (latest update)") + 1).value == (
        "Current position: See the plan (https://example.org/plan).\n• one\n• two")


def test_annex_csv_guards_against_formula_injection(annex: Path) -> None:
    text = (annex / f"{PAPER.stem}.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Report" and len(rows) == 7
    assert rows[2][3].startswith("'=HYPERLINK") and rows[6][3].startswith("'@SUM")
    assert rows[1][3] == "Record crimes within 24 hours."


@pytest.mark.client
def test_libreoffice_calc_opens_the_annex_and_a_return(annex: Path, tmp_path: Path) -> None:
    resolved = prepare(PAPER).resolved
    assert resolved is not None
    book = tmp_path / "return.xlsx"
    book.write_bytes(workbooks(resolved, PAPER.name)["Professional-Standards.xlsx"])
    shutil.copy(annex / f"{PAPER.stem}.xlsx", tmp_path / "annex.xlsx")
    soffice(tmp_path, "--convert-to", "csv", "--outdir", str(tmp_path), str(tmp_path / "annex.xlsx"), str(book))
    annex_csv = (tmp_path / "annex.csv").read_text(encoding="utf-8", errors="replace")
    assert "Crime Data Integrity inspection 2019" in annex_csv and "=HYPERLINK" in annex_csv
    first = next(csv.reader(io.StringIO(annex_csv.split("\n", 1)[1])))
    assert first[6] not in ("", "March 2022") and "2022" in first[6]  # Calc read the due date as a date, not as text
    assert first[11] == "The new triage desk is being set up."
    assert "Two posts advertised." in (tmp_path / "return.csv").read_text(encoding="utf-8", errors="replace")


def test_a_workbook_with_macros_or_that_unpacks_to_a_bomb_is_refused_unread(folder: Path) -> None:
    import zipfile

    original = returns_dir(folder) / "Crime-Directorate.xlsx"
    macros = folder / "macros.xlsx"
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(macros, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("xl/vbaProject.bin", b"\0" * 64)
    code, _, err = run("merge", f"data/{PAPER.name}", str(macros))
    assert code == 1 and "macros.xlsx: the workbook contains macros" in err
    bomb = folder / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("xl/worksheets/sheet1.xml", b"\0" * (210 * 1024 * 1024))
    code, _, err = run("merge", f"data/{PAPER.name}", str(bomb))
    assert code == 1 and "bomb.xlsx: the workbook unpacks to far more than a return can hold" in err


# --- a return changes only its own rows -----------------------------------------------


def keys_rows(book: Path) -> dict[str, int]:
    """Each identity in a workbook's hidden sheet, with its row there."""
    keys = load_workbook(book)["boardpack"]
    return {row[1].value: row[0].row for row in keys.iter_rows(min_row=KEYS_FIRST_ROW) if row[0].value}


def test_a_hidden_sheet_edited_to_reach_another_owners_item_is_refused(folder: Path) -> None:
    """The Crime Directorate's workbook, its hidden sheet edited with an item of Professional Standards."""
    book = "Crime-Directorate.xlsx"
    row = row_of(folder, book, "4")
    target = "crime-data-integrity-inspection-2019/1"  # Professional Standards' item, as published
    assert target in keys_rows(returns_dir(folder) / "Professional-Standards.xlsx")
    wb = load_workbook(returns_dir(folder) / book)
    keys = wb["boardpack"]
    (mine,) = keys_rows(returns_dir(folder) / book).values()
    resolved = prepare(folder / "data" / PAPER.name).resolved
    assert resolved is not None
    psd_item = resolved.paper.reports[0].items[0]
    keys[f"B{mine}"] = target
    keys[f"C{mine}"] = state(psd_item)
    wb["Items"][f"H{row}"] = "RED"
    wb["Items"][f"L{row}"] = "Stopped."
    edited = folder / "edited.xlsx"
    wb.save(edited)
    paper = folder / "data" / PAPER.name
    before = paper.read_bytes()
    code, _, err = run("merge", f"data/{PAPER.name}", str(edited))
    assert code == 1 and f"{edited}: boardpack: the workbook's hidden record (sheet 'boardpack') was changed" in err, err
    # the same edit with the check worked out again, as a forger who read the code would
    recorded = [[c.value or "" for c in r[:6]] for r in keys.iter_rows(min_row=KEYS_FIRST_ROW) if r[0].value]
    keys["B4"] = digest(PAPER.name, "2021-12", "Crime Directorate", recorded)
    wb.save(edited)
    code, _, err = run("merge", f"data/{PAPER.name}", str(edited))
    assert code == 1, err
    assert (f"{edited}: Items!A{row}: this workbook was made for Crime Directorate, and this row's item was not sent "
            "to them (the paper gives it to Professional Standards, not to Crime Directorate)") in err
    assert paper.read_bytes() == before


def test_a_done_item_cannot_be_reached_through_the_hidden_sheet(folder: Path) -> None:
    book = "Professional-Standards.xlsx"
    row = row_of(folder, book, "1")
    wb = load_workbook(returns_dir(folder) / book)
    keys = wb["boardpack"]
    rows = keys_rows(returns_dir(folder) / book)
    done = prepare(folder / "data" / PAPER.name).resolved.paper.reports[0].items[2]  # type: ignore[union-attr]
    assert done.status == "GREEN" and done.owner == "Professional Standards"
    at = rows["crime-data-integrity-inspection-2019/1"]
    keys[f"B{at}"], keys[f"C{at}"] = "crime-data-integrity-inspection-2019/3", state(done)
    keys[f"E{at}"], keys[f"F{at}"] = "3", excerpt(done.text, limit=400)
    recorded = [[c.value or "" for c in r[:6]] for r in keys.iter_rows(min_row=KEYS_FIRST_ROW) if r[0].value]
    keys["B4"] = digest(PAPER.name, "2021-12", "Professional Standards", recorded)
    wb["Items"][f"C{row}"], wb["Items"][f"D{row}"] = "3", done.text
    wb["Items"][f"H{row}"] = "AMBER"
    edited = folder / "edited.xlsx"
    wb.save(edited)
    code, _, err = run("merge", f"data/{PAPER.name}", str(edited))
    assert code == 1 and "it is done in the paper, and a return carries only open items" in err, err


def swap(ws: Any, first: int, second: int, columns: str) -> None:
    """Two rows exchanged in the given columns, text kept as text, as a sort in Excel does."""
    for col in columns:
        a, b = ws[f"{col}{first}"], ws[f"{col}{second}"]
        (a._value, a.data_type), (b._value, b.data_type) = (b._value, b.data_type), (a._value, a.data_type)


def test_after_a_sort_that_left_the_key_column_behind_the_row_is_refused_naming_the_cell(folder: Path) -> None:
    """Excel's 'sort selection' on B:K only: each row's key no longer matches what it shows."""
    book = "Professional-Standards.xlsx"
    wb = load_workbook(returns_dir(folder) / book)
    ws = wb["Items"]
    first, second = row_of(folder, book, "1"), row_of(folder, book, "2")
    swap(ws, first, second, "BCDEFGHIJK")  # every column but A
    ws[f"H{first}"] = "GREEN"  # the owner means item 2, shown in this row now; the key says item 1
    sorted_book = folder / "sorted.xlsx"
    wb.save(sorted_book)
    paper = folder / "data" / PAPER.name
    before = paper.read_bytes()
    code, _, err = run("merge", f"data/{PAPER.name}", str(sorted_book))
    assert code == 1
    assert (f"{sorted_book}: Items!C{first}: this row shows No. '2', but its hidden key (column A) is for "
            "'Crime Data Integrity inspection 2019', No. 1: the rows were sorted or moved without column A") in err, err
    assert paper.read_bytes() == before
    # the same rows sorted whole (every column together) are fine
    wb = load_workbook(returns_dir(folder) / book)
    ws = wb["Items"]
    swap(ws, first, second, "ABCDEFGHIJK")
    ws[f"H{first}"] = "GREEN"
    wb.save(sorted_book)
    code, out, err = run("merge", f"data/{PAPER.name}", str(sorted_book))
    assert code == 0, err
    assert "Crime Data Integrity inspection 2019, No. 2: status AMBER → GREEN" in out


# --- names ---------------------------------------------------------------------------


def test_names_are_unique_without_regard_to_case_and_never_a_windows_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = minimal()
    items = data["reports"][0]["items"]
    items[0]["owner"], items[2]["owner"], items[3]["owner"] = "PSD", "psd", "CON"
    items[3]["status"] = "AMBER"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "p.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    code, out, err = run("returns", "data/p.yaml")
    assert code == 0, err
    folder = tmp_path / "build" / "returns" / "p"
    names = sorted(p.name for p in folder.iterdir() if p.suffix == ".xlsx")
    assert names == ["CON-owner.xlsx", "PSD.xlsx", "psd-2.xlsx"]
    assert len({n.casefold() for n in names}) == 3
    for name, owner, ref in (("PSD.xlsx", "PSD", "1"), ("psd-2.xlsx", "psd", "3"), ("CON-owner.xlsx", "CON", "4")):
        wb = load_workbook(folder / name)
        assert wb["boardpack"]["B3"].value == owner and wb["Items"]["B2"].value.endswith(f"return for: {owner}")
        assert [r[2].value for r in wb["Items"].iter_rows(min_row=9)] == [ref]
    assert file_name("lpt9") == "lpt9-owner.xlsx" and file_name("Console") == "Console.xlsx"
    assert file_names(["A b", "a-B", "A.B"]) == {"A b": "A-b.xlsx", "A.B": "A-B-2.xlsx", "a-B": "a-B-3.xlsx"}


# --- never over an owner's answers --------------------------------------------------------


def test_returns_refuses_to_replace_a_workbook_an_owner_filled_in_and_saved_in_place(folder: Path) -> None:
    book = returns_dir(folder) / "Crime-Directorate.xlsx"
    untouched = shown(folder)
    code, _, err = run("returns", f"data/{PAPER.name}")  # unfilled workbooks are simply made again
    assert code == 0, err
    assert shown(folder) == untouched
    row = row_of(folder, "Crime-Directorate.xlsx", "4")
    fill(folder, "Crime-Directorate.xlsx", {f"K{row}": "Published in November."}, save_as=str(book.relative_to(folder)))
    filled = shown(folder)
    code, out, err = run("returns", f"data/{PAPER.name}")
    assert code == 1
    assert f"{book.relative_to(folder)}: Items!K{row}: an owner's answer is in this workbook" in err, err
    assert "no workbook was written" in err and "wrote" not in out
    assert shown(folder) == filled
    (returns_dir(folder) / "Home-Office.xlsx").write_bytes(b"an owner's own file")
    code, _, err = run("returns", f"data/{PAPER.name}")
    assert code == 1 and "Home-Office.xlsx: is in the way and cannot be read as a return" in err
    assert (returns_dir(folder) / "Home-Office.xlsx").read_bytes() == b"an owner's own file"


# --- read from the resolved paper ----------------------------------------------------------


def test_a_due_date_carried_from_last_quarter_is_shown_and_merged_against(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    june = PAPER.read_text().replace("period: 2021-12", "period: 2021-09")
    (tmp_path / "data" / "2021-09-tracker.yaml").write_text(june)
    december = PAPER.read_text().replace("  layout: tracker\n", "  layout: tracker\n  previous: 2021-09-tracker.yaml\n")
    december = december.replace("        owner: Crime Directorate\n        due: 2022-02\n", "        owner: Crime Directorate\n")
    (tmp_path / "data" / PAPER.name).write_text(december)
    code, _, err = run("returns", f"data/{PAPER.name}")
    assert code == 0, err
    book = tmp_path / "build" / "returns" / PAPER.stem / "Crime-Directorate.xlsx"
    ws = load_workbook(book)["Items"]
    assert [ws["C9"].value, ws["F9"].value] == ["4", "February 2022"]  # carried from September, as the paper prints it
    ws_book = load_workbook(book)
    ws_book["Items"]["I9"] = dt.datetime(2022, 1, 31)
    ws_book.save(tmp_path / "early.xlsx")
    code, _, err = run("merge", f"data/{PAPER.name}", "early.xlsx")
    assert code == 1 and "Items!I9: January 2022 is not after the current due date (February 2022)" in err, err
    ws_book["Items"]["I9"] = dt.datetime(2022, 5, 31)
    ws_book.save(tmp_path / "later.xlsx")
    code, out, err = run("merge", f"data/{PAPER.name}", "later.xlsx")
    assert code == 0, err
    assert "No. 4: due date extended to May 2022 (was February 2022)" in out  # the item's dates are months
    checked = prepare(tmp_path / "data" / PAPER.name)
    assert checked.resolved is not None
    item = checked.resolved.paper.reports[0].items[3]
    assert [str(s.date) for s in item.due] == ["February 2022", "May 2022"]


def test_a_report_renamed_after_the_workbooks_went_out_is_found_again_by_an_id(folder: Path) -> None:
    book = "Crime-Directorate.xlsx"
    filled = fill(folder, book, {f"H{row_of(folder, book, '4')}": "GREEN"})
    paper = folder / "data" / PAPER.name
    paper.write_text(paper.read_text().replace("  - title: Crime Data Integrity inspection 2019\n",
                                               "  - title: Crime data integrity (2019)\n"))
    code, _, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 1
    assert ("no item in the paper has this row's identity (report 'crime-data-integrity-inspection-2019', item '4')" in err
            and "give the report `id: crime-data-integrity-inspection-2019`" in err), err
    paper.write_text(paper.read_text().replace("  - title: Crime data integrity (2019)\n",
                                               "  - id: crime-data-integrity-inspection-2019\n    title: Crime data integrity (2019)\n"))
    code, out, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 0 and "Crime data integrity (2019), No. 4: status AMBER → GREEN" in out, err


@pytest.mark.client
def test_a_return_saved_again_by_libreoffice_calc_still_merges(folder: Path, tmp_path: Path) -> None:
    """The hidden record and the cross-check of the visible columns survive another spreadsheet's save."""
    book = "Professional-Standards.xlsx"
    filled = fill(folder, book, {f"K{row_of(folder, book, '1')}": "Line one\nline two",
                                 f"H{row_of(folder, book, '2')}": "GREEN"}, save_as="filled.xlsx")
    saved = tmp_path / "calc"
    soffice(tmp_path, "--convert-to", "xlsx", "--outdir", str(saved), str(filled))
    code, out, err = run("merge", "--dry-run", f"data/{PAPER.name}", str(saved / "filled.xlsx"))
    assert code == 0, err
    assert "No. 1: update added" in out and "No. 2: status AMBER → GREEN" in out


# --- dates, reasons, every problem at once, where updates go ----------------------------------


@pytest.mark.parametrize("typed", ["June 2022", "Jun 2022", "30/06/2022", dt.datetime(2022, 6, 30)])
def test_a_new_date_is_a_day_or_a_month_written_at_the_items_precision_with_its_reason(folder: Path, typed: object) -> None:
    book = "Professional-Standards.xlsx"
    row = row_of(folder, book, "1")  # due March 2022: a month
    filled = fill(folder, book, {f"I{row}": typed, f"J{row}": "pending the triage desk, then an audit"})
    code, out, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 0, err
    assert "No. 1: due date extended to June 2022 (was March 2022)" in out
    text = (folder / "data" / PAPER.name).read_text()
    assert "        due:\n          - 2022-03\n          - {date: 2022-06, note: 'pending the triage desk, then an audit'}\n" in text
    assert run("check", f"data/{PAPER.name}")[0] == 0


def test_an_item_dated_by_days_keeps_a_day_and_a_month_typed_for_it_stays_a_month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / PAPER.name).write_text(PAPER.read_text().replace(
        "owner: Crime Directorate\n        due: 2022-02\n", "owner: Crime Directorate\n        due: 2022-02-28\n"))
    assert run("returns", f"data/{PAPER.name}")[0] == 0
    made = tmp_path / "build" / "returns" / PAPER.stem
    wb = load_workbook(made / "Crime-Directorate.xlsx")
    wb["Items"]["I9"] = "15/05/2022"
    wb.save(tmp_path / "day.xlsx")
    code, out, err = run("merge", "--dry-run", f"data/{PAPER.name}", "day.xlsx")
    assert code == 0 and "No. 4: due date extended to 15 May 2022 (was 28 February 2022)" in out, err
    wb["Items"]["I9"] = "May 2022"
    wb.save(tmp_path / "month.xlsx")
    code, out, err = run("merge", "--dry-run", f"data/{PAPER.name}", "month.xlsx")
    assert code == 0 and "No. 4: due date extended to May 2022 (was 28 February 2022)" in out, err


def test_every_problem_in_every_workbook_is_named_in_one_run_and_nothing_is_written(folder: Path) -> None:
    psd, crime = "Professional-Standards.xlsx", "Crime-Directorate.xlsx"
    r1, r2 = row_of(folder, psd, "1"), row_of(folder, psd, "2")
    first = fill(folder, psd, {f"H{r1}": "AMBR", f"I{r1}": "Juen 2022", f"J{r2}": "pending funding, then training"})
    second = fill(folder, crime, {f"I{row_of(folder, crime, '4')}": "31/02/2022"})
    junk = folder / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    before = (folder / "data" / PAPER.name).read_bytes()
    code, _, err = run("merge", f"data/{PAPER.name}", str(first), str(second), str(junk))
    assert code == 1
    expected = [f"{first}: Items!H{r1}: 'AMBR' is not a status (did you mean AMBER?)",
                f"{first}: Items!I{r1}: 'Juen 2022' is not a date; type a date such as 30/06/2022 or a month such as June 2022",
                f"{first}: Items!J{r2}: a reason goes with a new due date",
                f"{second}: Items!I9: '31/02/2022' is not a real date: there is no 31 February 2022",
                f"{junk}: cannot be read as an Excel workbook"]
    assert [line for line in expected if line not in err] == [], err
    assert "5 errors: nothing was merged" in err
    assert (folder / "data" / PAPER.name).read_bytes() == before


def test_merging_a_return_again_adds_nothing_even_without_the_rounds_record(folder: Path) -> None:
    book = "Crime-Directorate.xlsx"
    row = row_of(folder, book, "4")
    filled = fill(folder, book, {f"H{row}": "RED", f"L{row}": "No budget.", f"I{row}": dt.datetime(2022, 4, 30), f"K{row}": "Published."})
    assert run("merge", f"data/{PAPER.name}", str(filled))[0] == 0
    (returns_dir(folder) / "round.json").unlink()
    once = (folder / "data" / PAPER.name).read_bytes()
    code, out, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 0 and "the returns change nothing" in out, err
    assert (folder / "data" / PAPER.name).read_bytes() == once and once.decode().count("Published.") == 1


def test_updates_go_last_in_a_paper_that_asks_for_oldest_first(folder: Path) -> None:
    paper = folder / "data" / PAPER.name
    paper.write_text(paper.read_text().replace("  layout: tracker\n", "  layout: tracker\n  updates: oldest-first\n"))
    book = "Professional-Standards.xlsx"
    filled = fill(folder, book, {f"K{row_of(folder, book, '1')}": "Recruitment paused."})
    assert run("merge", f"data/{PAPER.name}", str(filled))[0] == 0
    assert ("        comment: |\n          The new triage desk is being set up.\n\n"
            "          [Update, December 2021:]{.underline} Recruitment paused.\n") in paper.read_text()


def test_the_latest_comment_shown_is_the_newest_update_wherever_the_paper_puts_it() -> None:
    from boardpack.formats.returns_sheet import latest

    old = "\n\n".join(f"Paragraph {n} " + "words " * 20 for n in range(1, 5))
    first = f"[Update, December 2021:]{{.underline}} Desk open.\n\n{old}"
    assert latest(first, newest_first=True).startswith("Update, December 2021: Desk open. Paragraph 1")
    assert latest(first, newest_first=True).endswith(" …") and "Paragraph 3" not in latest(first, newest_first=True)
    assert latest(old, newest_first=True).startswith("… Paragraph 2")  # no dated update yet: the end, as written
    assert latest(f"{old}\n\n[Update, December 2021:]{{.underline}} Desk open.").endswith("Update, December 2021: Desk open.")
