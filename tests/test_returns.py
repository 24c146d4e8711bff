"""Owners' returns out and back, and the data annex: open the workbooks and the paper file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from boardpack.build import build, prepare
from boardpack.render.returns import HEADERS, workbooks

from .conftest import FIXTURES, run
from .test_docx import soffice

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


def test_one_workbook_per_owner_lead_and_the_unassigned(folder: Path) -> None:
    assert sorted(p.name for p in returns_dir(folder).iterdir()) == [
        "Crime-Directorate.xlsx", "Home-Office.xlsx", "Professional-Standards.xlsx", "Unassigned.xlsx"]
    ws = load_workbook(returns_dir(folder) / "Professional-Standards.xlsx")["Items"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=9, max_col=5)]
    assert [r[2] for r in rows] == ["1", "2", "2.1"]  # the GREEN item 3 is not sent out
    assert [c.value for c in ws[8]] == list(HEADERS)
    assert HEADERS[-4:] == ("New status", "New due date", "Update", "Rationale")


def test_the_workbook_is_locked_but_for_the_owners_columns_with_a_status_list(folder: Path) -> None:
    wb = load_workbook(returns_dir(folder) / "Professional-Standards.xlsx")
    ws = wb["Items"]
    assert ws.protection.sheet and ws.freeze_panes == "B9"
    assert ws["D9"].protection.locked and not ws["H9"].protection.locked and not ws["K9"].protection.locked
    (statuses, dates) = ws.data_validations.dataValidation
    assert statuses.formula1 == '"GREEN,NEW GREEN,AMBER,RED,WHITE,CLOSED"' and "H9" in str(statuses.sqref)
    assert dates.type == "date" and "I9" in str(dates.sqref)
    assert ws.page_setup.orientation == "landscape" and ws.column_dimensions["A"].hidden
    keys = wb["boardpack"]
    assert keys.sheet_state == "hidden"
    assert [keys["A1"].value, keys["B1"].value, keys["B2"].value] == ["paper", PAPER.name, "2021-12"]


def test_text_that_looks_like_a_formula_stays_text(folder: Path) -> None:
    ws = load_workbook(returns_dir(folder) / "Professional-Standards.xlsx")["Items"]
    cell = ws[f"D{row_of(folder, 'Professional-Standards.xlsx', '2')}"]
    assert cell.data_type == "s" and cell.value.startswith('=HYPERLINK(')


def test_workbooks_are_byte_identical_run_to_run() -> None:
    paper = prepare(PAPER).paper
    assert workbooks(paper, PAPER.name) == workbooks(paper, PAPER.name)


# --- back ----------------------------------------------------------------------------


def test_a_filled_return_is_merged_keeping_the_secretarys_file(folder: Path) -> None:
    book = "Professional-Standards.xlsx"
    r1, r2, r21 = (row_of(folder, book, ref) for ref in ("1", "2", "2.1"))
    filled = fill(folder, book, {
        f"H{r1}": "RED", f"K{r1}": "The triage desk has no staff.", f"J{r1}": "Recruitment paused.",
        f"I{r2}": dt.datetime(2022, 4, 30), f"J{r2}": "- trainers found\n- course booked",
        f"H{r21}": "GREEN",
    })
    code, out, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 0, err
    assert "Crime Data Integrity inspection 2019, No. 1: status AMBER → RED; update added; rationale set" in out
    assert "No. 2: due date extended to 30 April 2022 (was January 2022); update added" in out
    expected = PAPER.read_text().replace(
        "        status: AMBER   # checked with PSD in November\n",
        "        status: RED     # checked with PSD in November\n        rationale: The triage desk has no staff.\n").replace(
        "          The new triage desk is being set up.\n",
        "          The new triage desk is being set up.\n\n          [Update, December 2021:]{.underline} Recruitment paused.\n").replace(
        "          - {date: 2022-01, note: after recruitment}\n",
        "          - {date: 2022-01, note: after recruitment}\n          - 2022-04-30\n").replace(
        "            status: AMBER\n            position: Two posts advertised.\n",
        "            status: GREEN\n            position: Two posts advertised.\n")
    assert (folder / "data" / PAPER.name).read_text() == expected.replace(
        "        tasks:\n",
        "        comment: |\n          [Update, December 2021:]{.underline}\n\n          - trainers found\n          - course booked\n        tasks:\n")
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
    ({"I{1}": dt.datetime(2022, 1, 31)}, "Items!I{1}: 31 January 2022 is not after the current due date (March 2022)"),
    ({"H{1}": "RED"}, "Items!K{1}: a RED status needs a Rationale"),
    ({"J{1}": "=1+2"}, "Items!J{1}: holds a formula"),
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


def test_a_return_for_another_paper_or_an_older_state_is_refused(folder: Path) -> None:
    book = "Crime-Directorate.xlsx"
    filled = fill(folder, book, {f"H{row_of(folder, book, '4')}": "GREEN"})
    other = folder / "data" / "2022-03-tracker.yaml"
    other.write_text(PAPER.read_text().replace("period: 2021-12", "period: 2022-03"))
    code, _, err = run("merge", str(other), str(filled))
    assert code == 1 and f"is a return for {PAPER.name} (2021-12), not for 2022-03-tracker.yaml (2022-03)" in err
    paper = folder / "data" / PAPER.name
    paper.write_text(paper.read_text().replace("owner: Crime Directorate\n        due: 2022-02", "owner: Crime Directorate\n        due: 2022-05"))
    before = paper.read_bytes()
    code, _, err = run("merge", f"data/{PAPER.name}", str(filled))
    assert code == 1 and "the item changed in the paper after this workbook was made" in err
    assert paper.read_bytes() == before


def test_two_returns_changing_one_item_differently_are_refused(folder: Path) -> None:
    book = "Crime-Directorate.xlsx"
    row = row_of(folder, book, "4")
    first = fill(folder, book, {f"H{row}": "GREEN"}, save_as="first.xlsx")
    second = fill(folder, book, {f"H{row}": "RED", f"K{row}": "No budget."}, save_as="second.xlsx")
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
                       "Owner or lead", "Overdue", "Last change"]
    assert [r[1] for r in rows[1:]] == ["1", "2", "3", "4", "5", "6"]
    assert rows[2][3].startswith("=HYPERLINK") and ws["D3"].data_type == "s"
    assert ws["D7"].data_type == "s" and rows[6][3].startswith("@SUM")
    assert rows[5][8] == "Home Office" and rows[2][7] == "June 2021 / Now January 2022 after recruitment"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:K7"


def test_annex_csv_guards_against_formula_injection(annex: Path) -> None:
    text = (annex / f"{PAPER.stem}.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Report" and len(rows) == 7
    assert rows[2][3].startswith("'=HYPERLINK") and rows[6][3].startswith("'@SUM")
    assert rows[1][3] == "Record crimes within 24 hours."


@pytest.mark.client
def test_libreoffice_calc_opens_the_annex_and_a_return(annex: Path, tmp_path: Path) -> None:
    paper = prepare(PAPER).paper
    book = tmp_path / "return.xlsx"
    book.write_bytes(workbooks(paper, PAPER.name)["Professional-Standards.xlsx"])
    shutil.copy(annex / f"{PAPER.stem}.xlsx", tmp_path / "annex.xlsx")
    soffice(tmp_path, "--convert-to", "csv", "--outdir", str(tmp_path), str(tmp_path / "annex.xlsx"), str(book))
    annex_csv = (tmp_path / "annex.csv").read_text(encoding="utf-8", errors="replace")
    assert "Crime Data Integrity inspection 2019" in annex_csv and "=HYPERLINK" in annex_csv
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
