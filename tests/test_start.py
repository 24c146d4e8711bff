"""Starting a paper: `new`, `new --from` a spreadsheet, and the JSON Schema editors read."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openpyxl import Workbook

from boardpack.chain import prepare
from boardpack.start import SCHEMA_FILE, paper_schema, schema_text

from .conftest import DATA, FIXTURES, ROOT, run


def _as_json(value: Any) -> Any:
    """A paper as an editor's YAML server sees it: dates as the text they were typed as."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _errors(path: Path) -> list[str]:
    data = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    validator = jsonschema.Draft202012Validator(paper_schema())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_the_projects_schema_file_is_the_one_the_model_gives() -> None:
    assert SCHEMA_FILE == ROOT / "schema" / "paper.schema.json"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), "run `python generate.py schema -o schema/paper.schema.json`"
    jsonschema.Draft202012Validator.check_schema(paper_schema())


def test_the_schema_accepts_every_paper_in_data_and_they_name_it() -> None:
    papers = sorted(DATA.glob("*.yaml"))
    assert len(papers) == 3
    for path in papers:
        assert _errors(path) == [], path
        assert path.read_text(encoding="utf-8").splitlines()[0] == "# yaml-language-server: $schema=../schema/paper.schema.json"


@pytest.mark.parametrize(("name", "says"), [
    ("bad-status.yaml", "'AMBR' is not valid"),
    ("unknown-key.yaml", "Additional properties are not allowed"),
    ("missing-text.yaml", "'text' is a required property"),
    ("wrong-type.yaml", "is not of type 'array'"),
])
def test_the_schema_refuses_the_broken_papers_an_editor_can_see(name: str, says: str) -> None:
    """The schema refuses what an editor can see; the other broken fixtures break rules only `check` knows.

    Those are rules across fields (RED needs a rationale) or of the calendar (31/02/2021 has the form of a date).
    """
    found = _errors(FIXTURES / "invalid" / name)
    assert found and any(says in e for e in found), found


def test_the_schema_refuses_words_where_a_date_goes(tmp_path: Path) -> None:
    text = (FIXTURES / "invalid" / "bad-date.yaml").read_text(encoding="utf-8").replace("due: 31/02/2021", "due: next spring")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    assert any("'next spring' is not valid" in e for e in _errors(tmp_path / "p.yaml"))


def test_schema_is_printed_and_descriptions_come_from_the_models_docstrings() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].endswith("2020-12/schema") and schema["title"] == "boardpack paper file"
    info = schema["$defs"]["PaperInfo"]["properties"]
    assert "overdue is judged against its end" in info["period"]["description"]
    assert schema["$defs"]["Item"]["properties"]["status"]["anyOf"][0]["enum"] == ["GREEN", "NEW GREEN", "AMBER", "RED", "WHITE", "CLOSED"]


@pytest.mark.parametrize("layout", ["tracker", "response"])
def test_a_new_paper_passes_check_builds_and_explains_its_fields(layout: str, tmp_path: Path) -> None:
    path = tmp_path / "2023-03-new.yaml"
    code, out, err = run("new", str(path), "--layout", layout, "--period", "2023-03", "--committee", "Police Authority Board")
    assert code == 0, err
    assert f"wrote {path}" in out
    text = path.read_text(encoding="utf-8")
    assert "committee: \"Police Authority Board\"" in text and f"layout: {layout}" in text and "period: 2023-03" in text
    assert text.count("#") >= 8  # every field explained
    assert _errors(path) == []
    checked = prepare(path)
    assert checked.paper is not None and not checked.problems, checked.problems
    items = [item for report in checked.paper.reports for item in report.items]
    if layout == "tracker":
        assert {i.type for i in items} == {"Recommendation", "Area for Improvement", "Suggested Action", "Cause of Concern"}
        assert {i.status for i in items} == {"AMBER", "RED", "WHITE", "NEW GREEN"}
    else:
        assert len(items) == 2 and all(i.owner for i in items)
    code, out, err = run("build", str(path), "--out", str(tmp_path / "build"), "--format", "html,docx")
    assert code == 0, err
    assert "An example" in (tmp_path / "build" / "2023-03-new.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "build" / "2023-03-new.docx") as archive:
        assert "Police Authority Board" in archive.read("word/document.xml").decode()


def test_new_refuses_an_existing_file_and_a_period_that_is_not_a_month(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("mine\n", encoding="utf-8")
    code, _, err = run("new", str(path), "--layout", "tracker", "--period", "2023-03", "--committee", "PAB")
    assert code == 2 and "already exists" in err and path.read_text(encoding="utf-8") == "mine\n"
    code, _, err = run("new", str(tmp_path / "q.yaml"), "--layout", "tracker", "--period", "March 2023x", "--committee", "PAB")
    assert code == 2 and "--period" in err and not (tmp_path / "q.yaml").exists()


def _sheet(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Items"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


HEADER = ["Report", "No.", "Recommendation", "RAG status", "Due date", "Owner", "Comments", "Rationale"]


def test_a_paper_from_a_spreadsheet_of_items_passes_check(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path / "items.xlsx", [
        HEADER,
        ["PEEL 2023", 1, "Improve call handling.", "amber", "June 2023", "Head of Contact", "Work started, on time.", None],
        ["PEEL 2023", "2", "Review the backlog.", "RED", dt.datetime(2023, 9, 30), "Head of Crime", None, "Vacancies: three posts."],
        ["Vetting 2022", "1a", "Chief constables should lobby.", "White", None, "Home Office", None, None],
    ])
    path = tmp_path / "2023-03-peel.yaml"
    code, _, err = run("new", str(path), "--layout", "tracker", "--period", "2023-03", "--committee", "PAB", "--from", str(sheet))
    assert code == 0, err
    checked = prepare(path)
    assert checked.paper is not None and not [p for p in checked.problems if p.severity == "error"], checked.problems
    reports = checked.paper.reports
    assert [r.title for r in reports] == ["PEEL 2023", "Vetting 2022"]
    first, second = reports[0].items
    assert (first.ref, first.status, str(first.due[0].date), first.owner) == ("1", "AMBER", "June 2023", "Head of Contact")
    assert (second.status, second.rationale, str(second.due[0].date)) == ("RED", "Vacancies: three posts.", "30 September 2023")
    (white,) = reports[1].items
    assert (white.ref, white.status, white.lead, white.owner) == ("1a", "WHITE", "Home Office", None)


def test_a_spreadsheet_with_a_misspelt_status_is_refused_naming_the_cell(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path / "items.xlsx", [
        HEADER,
        ["PEEL 2023", 1, "Improve call handling.", "AMBR", "June 2023", "Head of Contact", None, None],
        ["PEEL 2023", 2, "Review the backlog.", "GREEN", "31/02/2023", None, None, None],
    ])
    path = tmp_path / "p.yaml"
    code, _, err = run("new", str(path), "--layout", "tracker", "--period", "2023-03", "--committee", "PAB", "--from", str(sheet))
    assert code == 1 and not path.exists()
    assert f"{sheet}: Items!D2: 'AMBR' is not a status (did you mean AMBER?)" in err
    assert f"{sheet}: Items!E3: '31/02/2023' is not a real date" in err
    assert "2 errors: no paper file was written" in err


def test_a_csv_of_items_and_its_unknown_header(tmp_path: Path) -> None:
    sheet = tmp_path / "items.csv"
    sheet.write_text("Ref,Recommendation,Status,Colour\n1,Do it,GREEN,x\n", encoding="utf-8")
    path = tmp_path / "p.yaml"
    code, _, err = run("new", str(path), "--layout", "tracker", "--period", "2023-03", "--committee", "PAB", "--from", str(sheet))
    assert code == 1 and f"{sheet}: D1: 'Colour' is not a column boardpack knows" in err
    sheet.write_text("Ref,Recommendation,Status\n1,\"Do it, now\",GREEN\n", encoding="utf-8")
    code, _, err = run("new", str(path), "--layout", "tracker", "--period", "2023-03", "--committee", "PAB", "--from", str(sheet))
    assert code == 0, err
    checked = prepare(path)
    assert checked.paper is not None
    (item,) = checked.paper.reports[0].items
    assert (item.text, item.status) == ("Do it, now", "GREEN")
