"""Starting a paper: a commented starter file, a paper from a spreadsheet of items, and the schema.

The JSON Schema lets editors such as VS Code complete and check a paper file as one types.

The schema is generated from the data model (`model.Paper`), with the forms a person may type
where the model reads them more loosely than its types say: dates as months or days, refs as
numbers, a due date as one date or a history.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DataError, Problem, UsageError
from .load import read_bounded
from .model import DATE_FORMS, STATUSES, Paper, When, parse_when
from .names import MAX_FILE_BYTES

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "paper.schema.json"
"""Where the project keeps the schema, for the `# yaml-language-server:` line of its papers."""
SCHEMA_ID = "https://boardpack.invalid/paper.schema.json"

_DATE_PATTERN = (r"^\s*(\d{4}-\d{1,2}(-\d{1,2})?|\d{1,2}/\d{1,2}/\d{4}|"
                 r"((\d{1,2})(st|nd|rd|th)?\s+)?[A-Za-z]+\.?,?\s+\d{4})\s*$")


def paper_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a paper file, from the model and its field docstrings."""
    schema = Paper.model_json_schema(by_alias=True)
    defs = schema["$defs"]
    defs["When"] = {"title": "Date", "description": f"A month or a day: {DATE_FORMS}.",
                    "type": "string", "pattern": _DATE_PATTERN}
    for name in ("Item", "Task"):
        props = defs[name]["properties"]
        props["ref"] = {**props["ref"], "anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}, {"type": "null"}]}
        due = props["due"]
        props["due"] = {"description": due.get("description", ""), "default": [],
                        "anyOf": [{"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/DueStep"}, {"$ref": "#/$defs/When"}]}},
                                  {"$ref": "#/$defs/When"}, {"type": "null"}]}
    defs["Task"]["properties"]["ref"]["anyOf"] = [{"type": "string", "minLength": 1}, {"type": "number"}]
    for owner, key in (("PaperInfo", "appendix"), ("Cover", "exempt")):
        field = defs[owner]["properties"][key]
        field["anyOf"] = [{"type": "string"}, {"type": "integer"}, {"type": "null"}]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            **schema, "title": "boardpack paper file"}


def schema_text() -> str:
    """The schema as the project's file holds it."""
    return json.dumps(paper_schema(), indent=2, ensure_ascii=False) + "\n"


def schema_line(path: Path) -> str | None:
    """The `# yaml-language-server:` comment for a new paper at `path`, when the project's schema is there."""
    project = SCHEMA_FILE.parent.parent
    if not SCHEMA_FILE.is_file() or not path.resolve().parent.is_relative_to(project):
        return None  # a paper kept elsewhere names the schema in its editor's settings instead
    relative = os.path.relpath(SCHEMA_FILE, path.resolve().parent).replace(os.sep, "/")
    return f"# yaml-language-server: $schema={relative}"


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is YAML's."""
    return json.dumps(value, ensure_ascii=False)


def _later(when: When, months: int) -> str:
    n = when.year * 12 + when.month - 1 + months
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


@dataclass(frozen=True)
class NewPaper:
    """What `new` chose for the title block."""

    layout: str
    period: When
    committee: str
    title: str | None = None
    organisation: str = "City of London Police"

    def heading(self) -> str:
        return self.title or ("HMICFRS Report Recommendations" if self.layout == "tracker" else "Recommendations and the force's response")


def _paper_block(new: NewPaper) -> list[str]:
    return [
        "paper:",
        f"  title: {_quoted(new.heading())}   # printed on the first page and in the running header",
        "  appendix: A                     # the appendix letter or number the committee pack gives it (optional)",
        f"  period: {new.period.iso}                 # the month reported on; overdue is judged against its end",
        f"  committee: {_quoted(new.committee)}",
        f"  organisation: {_quoted(new.organisation)}",
        f"  layout: {new.layout}                 # tracker: RAG tables per report; response: No. / Recommendation / Owner / Response",
        "  # previous: LAST-QUARTER.yaml   # last quarter's paper, in this folder: gives NEW GREEN, slipped dates and the changes section",
    ]


def starter_text(new: NewPaper, path: Path) -> str:
    """A short paper file that passes `check` and builds, every field explained in a comment."""
    line = schema_line(path)
    lines = [line] if line else []
    lines += [f"# {new.heading()}, {new.period}: started with `generate.py new`.",
              "# Replace the example report and items with your own; `generate.py check` says what is wrong, line by line.",
              *_paper_block(new), "reports:"]
    p = new.period
    lines += _tracker_example(p) if new.layout == "tracker" else _response_example(p)
    return "\n".join(lines) + "\n"


def _tracker_example(p: When) -> list[str]:
    """The example report of a tracker: one item of each type, each field explained."""
    return [
        "  - title: \"An example inspection report\"   # each report is a section with its own table",
        "    scope: national                 # what kind of report: national, force, national joint thematic (optional)",
        "    by: HMICFRS                     # who published it (default HMICFRS)",
        f"    published: {p.iso}",
        "    summary: |                      # optional words printed after the counts, which are worked out for you",
        "      One sentence on what the report looked at.",
        "    items:",
        "      - ref: \"1\"                      # the number printed in the No. column",
        "        type: Recommendation        # Recommendation, Area for Improvement, Suggested Action or Cause of Concern",
        "        text: |                     # the recommendation as the report words it (Markdown)",
        "          By the end of next year, forces should review how they record this.",
        "        status: AMBER               # GREEN, NEW GREEN, AMBER, RED, WHITE or CLOSED",
        f"        due: {_later(p, 6)}                # a month or a day; a list of dates keeps the history of extensions",
        "        owner: Head of Crime        # who answers for it in the force (not printed unless the paper asks)",
        "        comment: |                  # the force's update (Markdown: paragraphs, lists, [Lead in:]{.underline})",
        "          [Current position:]{.underline} Work has started.",
        "      - ref: \"2\"",
        "        type: Area for Improvement",
        "        text: |",
        "          The force should improve how it shares what it learns.",
        "        status: RED",
        "        rationale: |                # required for RED: why it is behind or will not be done",
        "          The new system it depends on is late.",
        "        due:                        # the first date, then each extension with its reason",
        f"          - {p.iso}",
        f"          - date: {_later(p, 3)}",
        "            note: pending the new system",
        "        owner: Head of Learning",
        "      - ref: \"3\"",
        "        type: Suggested Action",
        "        text: |",
        "          Chief constables should consider a national approach.",
        "        status: WHITE               # not the force's to deliver: `lead:` says who does",
        "        lead: Home Office",
        "      - ref: \"4\"",
        "        type: Cause of Concern",
        "        text: |",
        "          The force does not understand its demand.",
        "        status: NEW GREEN           # completed this period (GREEN next quarter: `roll` does that)",
        f"        due: {p.iso}",
        "        comment: |",
        "          Completed: the demand review was agreed in the period.",
    ]


def _response_example(p: When) -> list[str]:
    """The example review of a response paper."""
    return [
        "  - title: \"An example review\"",
        "    by: An example reviewer         # who published it",
        f"    published: {p.iso}",
        "    items:",
        "      - ref: \"1\"                      # the number printed in the No. column",
        "        text: |                     # the recommendation as the review words it (Markdown)",
        "          The force should review how it handles complaints.",
        "        owner: Professional Standards   # printed as the Force Task Owner",
        "        comment: |                  # the force's progress and response (Markdown)",
        "          [Current position:]{.underline} A review has started.",
        "      - ref: \"2\"",
        "        text: |",
        "          The force should publish what it finds.",
        "        owner: Corporate Communications",
        "        comment: |",
        "          [Current position:]{.underline} To be agreed with the board.",
    ]

# --- a paper from a spreadsheet of items ---------------------------------------------------------

MAX_ROWS = 20_000
"""Rows read from a spreadsheet of items; a tracker has hundreds."""
MAX_CELL = 100_000
"""Characters in one cell."""
COLUMNS = ("report", "ref", "text", "status", "due", "owner", "comment", "rationale")
HEADERS = "report, ref (or No.), recommendation, status, due, owner, comment, rationale"


def _role(text: str) -> str | None:
    from .intake.word import header_role

    words = " ".join(text.lower().split())
    if "rationale" in words:
        return "rationale"
    role = header_role(text)
    return role if role in COLUMNS else None


def _rows(path: Path, label: str) -> Iterator[tuple[str, int, list[str]]]:
    """(sheet name, row number, cell texts) of the first sheet of an .xlsx, or ('', ...) of a .csv file."""
    data = read_bounded(path, label, MAX_FILE_BYTES, "a spreadsheet of items")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError([Problem.about(label, "the file is not UTF-8 text; save it as CSV UTF-8")]) from None
        for n, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if n > MAX_ROWS:
                raise DataError([Problem(label, n, 0, "", f"more than {MAX_ROWS:,} rows; split the items into several papers")])
            yield "", n, [cell.strip() for cell in row]
        return
    if suffix != ".xlsx":
        raise UsageError(f"{label}: a spreadsheet of items is an .xlsx workbook or a .csv file")
    from .intake.returns import reading

    with reading(_workbook(data, label), label) as book:
        sheet = book.worksheets[0]
        for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n > MAX_ROWS:
                raise DataError([Problem(label, 0, 0, f"{sheet.title}!A{n}", f"more than {MAX_ROWS:,} rows; split the items into several papers")])
            yield sheet.title, n, ["" if value is None else _cell_text(value) for value in cells]


def _workbook(data: bytes, label: str) -> Any:
    """The workbook, read only, once the package passes the same gate as an owner's return."""
    from openpyxl import load_workbook

    from .intake.gate import Limits, Refused, check_package
    from .intake.returns import MAX_UNPACKED_BYTES, MAX_XML_BYTES, MAX_XML_NODES, unreadable

    limits = Limits("workbook", "a list of items", MAX_FILE_BYTES, MAX_UNPACKED_BYTES, 1000, MAX_XML_NODES, MAX_XML_BYTES)
    try:
        check_package(data, limits)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Refused as exc:
        why = "cannot be read as an Excel workbook (.xlsx): it is not a zip package" if str(exc) == "not a zip package" else str(exc)
        raise DataError([Problem.about(label, why)]) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged workbook; none is a bug here
        raise unreadable(label, exc) from None


def _cell_text(value: Any) -> str:
    if hasattr(value, "strftime"):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _status(word: str) -> str | None:
    """The vocabulary's word for a typed status, in any case and spacing."""
    normal = " ".join(word.upper().replace("-", " ").split())
    return normal if normal in STATUSES else None


def _suggest(word: str) -> str:
    import difflib

    close = difflib.get_close_matches(word.upper(), STATUSES, n=1, cutoff=0.5)
    return f" (did you mean {close[0]}?)" if close else ""


def from_sheet(path: Path, new: NewPaper, target: Path, label: str | None = None) -> str:
    """The text of a paper made from a spreadsheet of items with a header row; every problem with its cell."""
    label = label or str(path)
    problems: list[Problem] = []
    roles: dict[int, str] | None = None
    reports: dict[str, list[dict[str, Any]]] = {}
    for sheet, n, cells in _rows(path, label):
        if not any(cells):
            continue
        if roles is None:
            roles = _header_roles(sheet, n, cells, label, problems)
            if "text" not in roles.values():
                break
            continue
        values, where = _row_values(sheet, n, cells, roles, label, problems)
        item = _item(values, where, _place(sheet, n, 0), new.layout, label, problems)
        reports.setdefault(values.get("report") or "Recommendations", []).append(item)
    if roles is None:
        problems.append(Problem.about(label, f"no header row; the first row names the columns: {HEADERS}"))
    elif not reports and not problems:
        problems.append(Problem.about(label, "no items under the header row"))
    if problems:
        raise DataError(problems)
    return _paper_text(new, target, reports, label)


def _place(sheet: str, row: int, col: int) -> str:
    """A cell's name in problems: 'Items!C4', or 'C4' in a .csv file."""
    cell = f"{_column_letter(col)}{row}"
    return f"{sheet}!{cell}" if sheet else cell


def _header_roles(sheet: str, n: int, cells: list[str], label: str, problems: list[Problem]) -> dict[int, str]:
    """The role of each column the header row names; a problem for each header not known, and without a recommendation column."""
    roles: dict[int, str] = {}
    for col, text in enumerate(cells):
        role = _role(text) if text else None
        if role and role not in roles.values():
            roles[col] = role
        elif text:
            problems.append(Problem(label, 0, 0, _place(sheet, n, col), f"'{text}' is not a column boardpack knows; allowed: {HEADERS}"))
    if "text" not in roles.values():
        problems.append(Problem(label, 0, 0, _place(sheet, n, 0), f"the header row has no recommendation column; headers allowed: {HEADERS}"))
    return roles


def _row_values(sheet: str, n: int, cells: list[str], roles: dict[int, str], label: str,
                problems: list[Problem]) -> tuple[dict[str, str], dict[str, str]]:
    """A row's text by column role, and the cell of each; a cell too long is a problem and read as empty."""
    values = {role: cells[col] if col < len(cells) else "" for col, role in roles.items()}
    where = {role: _place(sheet, n, col) for col, role in roles.items()}
    for role, text in values.items():
        if len(text) > MAX_CELL:
            problems.append(Problem(label, 0, 0, where[role], f"{len(text):,} characters; at most {MAX_CELL:,} in a cell"))
            values[role] = ""
    return values, where


def _item(values: dict[str, str], where: dict[str, str], first_cell: str, layout: str, label: str,
          problems: list[Problem]) -> dict[str, Any]:
    """The item of a row's values, as the paper file will hold it; a problem for each value check would refuse."""
    item: dict[str, Any] = {}
    if values.get("ref"):
        item["ref"] = values["ref"]
    if not values.get("text"):
        problems.append(Problem(label, 0, 0, where["text"], "the recommendation is empty; every item needs its text"))
    item["text"] = values.get("text") or ""
    status = _item_status(values.get("status", ""), where, first_cell, layout, label, problems)
    if status is not None:
        item["status"] = status
    if values.get("due"):
        try:
            when = parse_when(values["due"])
        except ValueError as exc:
            problems.append(Problem(label, 0, 0, where["due"], str(exc)))
        else:
            item["due"] = when.iso
    if values.get("rationale"):
        item["rationale"] = values["rationale"]
    if values.get("owner"):
        item["lead" if item.get("status") == "WHITE" else "owner"] = values["owner"]
    if values.get("comment"):
        item["comment"] = values["comment"]
    if item.get("status") == "RED" and not item.get("rationale"):
        problems.append(Problem(label, 0, 0, where["status"], "RED needs a rationale: add a Rationale column and say why"))
    if item.get("status") == "WHITE" and not item.get("lead"):
        problems.append(Problem(label, 0, 0, where["status"], "WHITE needs a lead (who delivers it) in the owner column"))
    return item


def _item_status(status: str, where: dict[str, str], first_cell: str, layout: str, label: str, problems: list[Problem]) -> str | None:
    """The vocabulary's word for a row's status; a problem when it is none, or missing from a tracker's item."""
    if status:
        word = _status(status)
        if word is None:
            problems.append(Problem(label, 0, 0, where["status"],
                                    f"'{status}' is not a status{_suggest(status)}; allowed: {', '.join(STATUSES)}"))
        return word
    if layout == "tracker":
        problems.append(Problem(label, 0, 0, where.get("status", first_cell), f"no status; a tracker item needs one of {', '.join(STATUSES)}"))
    return None


def _scalar(value: str, indent: str) -> str:
    if "\n" in value or len(value) > 60:
        body = "\n".join(f"{indent}  {line}" if line.strip() else "" for line in value.strip("\n").split("\n"))
        return f"|\n{body}"
    return _quoted(value)


def _paper_text(new: NewPaper, target: Path, reports: dict[str, list[dict[str, Any]]], label: str) -> str:
    line = schema_line(target)
    lines = [line] if line else []
    lines += [f"# {new.heading()}, {new.period}: made from {Path(label).name} with `generate.py new --from`.",
              *_paper_block(new), "reports:"]
    for title, items in reports.items():
        lines += [f"  - title: {_quoted(title)}", "    items:"]
        for item in items:
            first = True
            for key in ("ref", "text", "status", "rationale", "due", "owner", "lead", "comment"):
                if key not in item:
                    continue
                lead = "      - " if first else "        "
                first = False
                value = item[key]
                shown = value if key in ("status", "due") else _scalar(value, "        ")
                lines.append(f"{lead}{key}: {shown}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


_PERIOD = re.compile(r"^\d{4}-\d{2}$")


def period(value: str) -> When:
    """The --period of a new paper, as YYYY-MM."""
    try:
        when = parse_when(value)
    except ValueError as exc:
        raise UsageError(f"--period: {exc}") from None
    if when.day is not None or not _PERIOD.match(value.strip()):
        raise UsageError(f"--period: '{value}' is not a month; write it as YYYY-MM, for example 2023-03")
    return when
