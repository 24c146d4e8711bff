"""Owners' returns merged back into the paper file: `generate.py merge FILE WORKBOOK...`.

Each workbook is read as untrusted input (size limits, no formulas, no macros, nothing
evaluated), every filled cell is checked with the paper's own rules, and only when every
return is sound is the paper file rewritten, through the round-trip writer, atomically:
a refused merge leaves the file byte-identical.

What a return does to an item:
- New status replaces the status.
- New due date (a day, or a month such as 'June 2022') is appended to the due history as an
  extension, with the Reason for the new date as its note, at the precision of the item's own
  dates (a day typed for an item dated by months becomes its month); the history is never rewritten.
- Update is added to the comment (a task's `position`) as a paragraph that starts with an
  underlined "Update, <period>:", first or last as the paper's `updates:` setting says
  (newest first by default), so members see what is new and when.
- Rationale fills `rationale` (needed when the status is RED).

A return is merged three ways: against the state of each field when its workbook was made
(kept in the workbook's hidden sheet) and the paper as it is now. A field the secretariat
changed since is kept, and only a field both changed is refused, naming both values; an
update adds to the comment, so an edit of the comment since never stands in its way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from ..errors import DataError, Problem, UsageError
from ..formats.returns_sheet import HEADER_ROW, HEADERS, KEYS_FIRST_ROW, KEYS_SHEET, LOCKED, SHEET, digest, fields, fingerprint, open_entries
from ..identity import index as identities
from ..identity import split_key
from ..model import DATE_FORMS, STATUSES, Item, Paper, Task, When, current_due, dated, parse_when
from ..paperfile import PaperFile
from .changes import Located
from .changes import Update as Update  # read from here too, by what plans a merge without writing it
from .changes import apply as apply
from .gate import Limits, read_package

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_XML_BYTES = 64 * 1024 * 1024
"""A return's XML parts, inflated: the sheet of a 1,000-item return is about 1.3 MB."""
MAX_XML_NODES = 1_000_000
"""Elements and attributes of a return's XML parts: about 75 a row, so some 13,000 rows fit; a million cells
in one row take openpyxl about 400 MB."""
RETURN_LIMITS = Limits("workbook", "a return", MAX_WORKBOOK_BYTES, MAX_UNPACKED_BYTES, 1000, MAX_XML_NODES, MAX_XML_BYTES)
OLD_WORKBOOK = ("is an old Excel 97-2003 workbook or a password-protected one; "
                "open it in Excel, remove any password and save it as an Excel Workbook (.xlsx)")
MAX_ROWS = 20_000
MAX_TEXT = 32_767

_COLUMN = {name: n for n, name in enumerate(HEADERS, start=1)}


@dataclass
class Merged:
    """What a merge changed (or, with --dry-run, would change)."""

    changes: list[str] = field(default_factory=list)
    written: bool = False
    owners: dict[str, list[str]] = field(default_factory=dict)
    """Each owner whose return was read, and the identities of the rows of theirs that changed the paper."""
    books: dict[str, Path] = field(default_factory=dict)
    """Each owner's workbook, as given."""


def _cell(workbook: str, sheet: str, column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column)}{row}"


def _open_book(path: Path, label: str) -> Any:
    """The workbook, opened read-only after the checks that make it safe to open; DataError if not."""

    def problem(where: str, message: str) -> Problem:
        return Problem(label, 0, 0, where, message)

    if path.suffix.lower() != ".xlsx":
        old = "an old Excel 97-2003 workbook or " if path.suffix.lower() == ".xls" else ""
        raise DataError([problem("", f"is named {path.suffix or 'without an extension'}, not .xlsx; a return is "
                                 f"the .xlsx workbook `generate.py returns` wrote ({old}a renamed file is not read); "
                                 "save it as an Excel Workbook (.xlsx)")])

    def refuse(why: str) -> DataError:
        if why == "not a zip package":
            why = "cannot be read as an Excel workbook (.xlsx): it is not a zip package"
        return DataError([problem("", why)])

    data = read_package(path, RETURN_LIMITS, OLD_WORKBOOK, refuse)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged workbook; none is a bug here
        raise unreadable(label, exc) from None
    if SHEET not in book.sheetnames or KEYS_SHEET not in book.sheetnames:
        book.close()
        raise DataError([problem("", f"is not a boardpack return (it has no '{SHEET}' and '{KEYS_SHEET}' sheets); "
                                 "make the workbooks with `generate.py returns`")])
    return book


def read_return(path: Path, label: str | None = None) -> tuple[dict[str, str], list[Update], list[Problem]]:
    """The paper, period and owner a return is for, its filled rows, and what is wrong in it."""
    label = label or str(path)
    problems: list[Problem] = []
    with reading(_open_book(path, label), label) as book:
        meta, keys = _keys(book[KEYS_SHEET], label)
        updates = list(_rows(book[SHEET], label, keys, problems))
    return meta, updates, problems


@contextlib.contextmanager
def reading(book: Any, label: str) -> Iterator[Any]:
    """An open workbook, closed afterwards, whose unreadable cells are one line naming the file.

    openpyxl raises many kinds of error on a cell it cannot read (a 5,000-digit number, a damaged part).
    """
    try:
        yield book
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged workbook; none is a bug here
        raise unreadable(label, exc) from None
    finally:
        book.close()


def unreadable(label: str, exc: Exception) -> DataError:
    """What a library said about a damaged workbook, on one line and short, naming the file."""
    text = " ".join(str(exc).split())[:200]
    why = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return DataError([Problem.about(label, f"cannot be read as an Excel workbook (.xlsx): {why}")])


def answers(path: Path, label: str | None = None) -> list[str]:
    """The cells of a return's owner's columns that hold anything ('Items!H9'): what replacing it would lose.

    Read without the hidden sheet's check, so a workbook made by an earlier version is read
    too; DataError when the file is not a return that can be read at all.
    """
    label = label or str(path)
    found: list[str] = []
    with reading(_open_book(path, label), label) as book:
        for n, row in enumerate(book[SHEET].iter_rows(min_row=HEADER_ROW + 1, max_col=len(HEADERS)), start=HEADER_ROW + 1):
            if n > MAX_ROWS + HEADER_ROW:
                break
            for column, cell in enumerate(list(row)[len(LOCKED):], start=len(LOCKED) + 1):
                if cell.value is not None and _fold(cell.value):
                    found.append(_cell(label, SHEET, column, n))
    return found


def refuse_answered(paths: list[Path]) -> None:
    """Refuse to make workbooks over any that an owner has filled in (and saved back in place).

    Replacing one would lose the owner's answers without a word; a workbook that cannot be
    read as a return is not replaced either (it is not one `returns` made, or it is damaged).
    DataError naming each, so nothing is written.
    """
    problems: list[Problem] = []
    for path in paths:
        if not (path.exists() or path.is_symlink()):
            continue
        how = (f"move it out of {path.parent}/ (for example to returned/, and merge it), then make the workbooks "
               "again; no workbook was written")
        try:
            cells = answers(path)
        except DataError as exc:
            problems.append(Problem.about(str(path), f"is in the way and cannot be read as a return made by "
                                    f"`generate.py returns` ({exc.problems[0].message}); {how}"))
            continue
        if cells:
            more = f" (and {len(cells) - 1} more)" if len(cells) > 1 else ""
            problems.append(Problem(str(path), 0, 0, cells[0], f"an owner's answer is in this workbook{more}; making the "
                                    f"workbooks again would replace it: {how}"))
    if problems:
        raise DataError(problems)


Recorded = dict[str, tuple[str, str, tuple[str, str, str]]]
"""A return's hidden record: row key -> (identity, state, (report, No., recommendation) as shown)."""


def _keys(sheet: Any, label: str) -> tuple[dict[str, str], Recorded]:
    meta: dict[str, str] = {}
    keys: Recorded = {}
    rows: list[list[str]] = []
    for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if n > MAX_ROWS + KEYS_FIRST_ROW:
            break
        values = [str(v) if v is not None else "" for v in row[:6]] + [""] * 6
        if n < KEYS_FIRST_ROW - 1:
            meta[values[0]] = values[1]
        elif n >= KEYS_FIRST_ROW and values[0]:
            rows.append(values[:6])
            keys[values[0]] = (values[1], values[2], (values[3], values[4], values[5]))
    for needed in ("paper", "period"):
        if not meta.get(needed):
            raise DataError([Problem(label, 0, 0, f"{KEYS_SHEET}!B1", "the workbook's record of its paper is missing; "
                                     "make the workbooks again with `generate.py returns`")])
    if not meta.get("check"):
        raise DataError([Problem(label, 0, 0, f"{KEYS_SHEET}!B4", "the workbook has no check of its hidden record: it was "
                                 "made by an earlier version of boardpack; make the workbooks again with "
                                 "`generate.py returns` and ask for the updates on them")])
    if digest(meta["paper"], meta["period"], meta.get("owner", ""), rows) != meta["check"]:
        raise DataError([Problem(label, 0, 0, KEYS_SHEET, f"the workbook's hidden record (sheet '{KEYS_SHEET}') was changed "
                                 "after the workbook was made, so which item each row is for cannot be trusted; "
                                 "make the workbook again with `generate.py returns` and ask for the updates on it")])
    return meta, keys


def _fold(value: Any) -> str:
    return " ".join(str(value if value is not None else "").split())


def _rows(sheet: Any, label: str, keys: Recorded, problems: list[Problem]) -> Any:
    header = None
    for n, row in enumerate(sheet.iter_rows(), start=1):
        if n > MAX_ROWS + HEADER_ROW:
            problems.append(Problem(label, 0, 0, f"{SHEET}!A{n}", f"more than {MAX_ROWS} rows; a return has one row per item"))
            return
        cells = list(row)
        for cell in cells:
            if getattr(cell, "data_type", None) == "f":
                problems.append(Problem(label, 0, 0, f"{SHEET}!{cell.coordinate}", "holds a formula; formulas are not "
                                        "read from returns: type the value itself"))
        if n < HEADER_ROW:
            continue
        values = [c.value for c in cells] + [None] * len(HEADERS)
        if n == HEADER_ROW:
            header = [str(v or "").strip() for v in values[: len(HEADERS)]]
            if header != list(HEADERS):
                problems.append(Problem(label, 0, 0, f"{SHEET}!A{n}", "the header row was changed; return the workbook "
                                        "with its columns as they were: " + ", ".join(HEADERS)))
                return
            continue
        key = values[0]
        filled = any(v not in (None, "") for v in values[len(LOCKED): len(HEADERS)])
        if key in (None, ""):
            if filled:
                problems.append(Problem(label, 0, 0, f"{SHEET}!A{n}", "a row was added; only the rows in the workbook "
                                        "as sent can be returned"))
            continue
        if str(key) not in keys:
            problems.append(Problem(label, 0, 0, f"{SHEET}!A{n}", "this row's hidden key is not one the workbook was "
                                    "made with; return the workbook with its rows as they were"))
            continue
        ident, fingerprint, shown = keys[str(key)]
        if filled and (moved := _moved(values, shown, label, n)) is not None:
            problems.append(moved)
            continue
        update = Update(f"{label}: {SHEET}!A{n}", label, n, ident, fingerprint)
        if filled:
            _read_values(update, values, label, n, problems)
        yield update


def _moved(values: list[Any], shown: tuple[str, str, str], label: str, row: int) -> Problem | None:
    """A row that no longer shows the item its hidden key names: sorted or moved without column A."""
    for column, was in zip(("Report", "No.", "Recommendation"), shown, strict=True):
        now = values[_COLUMN[column] - 1]
        if _fold(now) != _fold(was):
            return Problem(label, 0, 0, _cell(label, SHEET, _COLUMN[column], row),
                           f"this row shows {column} {_fold(now)[:60]!r}, but its hidden key (column A) is for "
                           f"{shown[0][:60]!r}, No. {shown[1] or '(none)'}: the rows were sorted or moved without "
                           "column A, so its update could land on another item; undo the sort (or sort every "
                           "column together) and send the workbook again")
    return None


def _read_values(update: Update, values: list[Any], label: str, row: int, problems: list[Problem]) -> None:
    def where(name: str) -> str:
        return _cell(label, SHEET, _COLUMN[name], row)

    status = values[_COLUMN["New status"] - 1]
    if status not in (None, ""):
        word = " ".join(str(status).split()).upper()
        if word not in STATUSES:
            close = difflib.get_close_matches(word, STATUSES, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(Problem(label, 0, 0, where("New status"), f"{str(status)[:40]!r} is not a status{hint}; "
                                    f"allowed: {', '.join(STATUSES)}"))
        else:
            update.status = word
    due = values[_COLUMN["New due date"] - 1]
    if due not in (None, ""):
        try:
            update.due = _date(due)
        except ValueError as exc:
            problems.append(Problem(label, 0, 0, where("New due date"), f"{str(exc).replace('; ' + DATE_FORMS, '')}; type a date such as "
                                    "30/06/2022 or a month such as June 2022"))
    for name, attr in (("Reason for the new date", "reason"), ("Update", "update"), ("Rationale", "rationale")):
        value = values[_COLUMN[name] - 1]
        if value in (None, ""):
            continue
        if isinstance(value, (dt.date, dt.datetime, bool)):
            problems.append(Problem(label, 0, 0, where(name), f"must be text (found {value!r})"))
            continue
        text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(text) > MAX_TEXT:
            problems.append(Problem(label, 0, 0, where(name), f"is {len(text)} characters; a cell holds at most {MAX_TEXT}"))
            continue
        setattr(update, attr, (" ".join(text.split()) if attr == "reason" else text) or None)
    if update.reason and due in (None, ""):
        problems.append(Problem(label, 0, 0, where("Reason for the new date"), "a reason goes with a new due date: type the "
                                "new date in New due date, or leave this cell empty"))


def _date(value: Any) -> When:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return When(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2_958_466:  # 1900-01-01 to 9999-12-31, Excel's own range
            raise ValueError(f"{value!r} is not a date")
        day = from_excel(value)
        if day is None:
            raise ValueError(f"{value!r} is not a date")
        return When(day.year, day.month, day.day)
    return parse_when(str(value).strip())


# --- planning and applying ------------------------------------------------------------------


def _index(paper: Paper) -> dict[str, Located]:
    """Every item and task by its identity, with where it sits."""
    found: dict[str, Located] = {}
    for key, (r, i, t) in identities(paper.reports).items():
        item = paper.reports[r].items[i]
        found[key] = (r, i, t, item.tasks[t] if t is not None else item)
    return found


def plan(paper: Paper, paper_file: str, returns: list[tuple[dict[str, str], list[Update]]]) -> tuple[list[tuple[Located, Update]], list[Problem]]:
    """Check every return against the paper; what to apply, and every reason to refuse.

    `paper` is the resolved paper (as the workbooks were made from). A return changes only
    what its owner was sent: the open items (and tasks) the paper gives to the owner the
    workbook names, worked out again here, so a row whose hidden identity was edited to name
    another owner's item, or a done one, is refused.
    """
    problems: list[Problem] = []
    period = f"{paper.paper.period.year:04d}-{paper.paper.period.month:02d}"
    index = _index(paper)
    sent = {entry.identity: owner for owner, entry in open_entries(paper)}
    chosen: dict[str, Update] = {}
    todo: list[tuple[Located, Update]] = []
    for meta, updates in returns:
        label = updates[0].workbook if updates else meta.get("_label", "")
        if meta["paper"] != paper_file or meta["period"] != period:
            problems.append(Problem(meta.get("_label", label), 0, 0, f"{KEYS_SHEET}!B1",
                                    f"is a return for {meta['paper']} ({meta['period']}), not for {paper_file} ({period}); "
                                    "merge it into the paper it was made from"))
            continue
        owner = meta.get("owner", "")
        for update in updates:
            if update.empty:
                continue
            where = update.where.split(": ", 1)[1]
            found = index.get(update.identity)
            if found is None:
                parts = split_key(update.identity)
                problems.append(Problem(update.workbook, 0, 0, where,
                                        f"no item in the paper has this row's identity (report '{parts[0]}', item "
                                        f"'{parts[1]}'): it was removed, or its report's title or its ref changed since "
                                        "the workbook was made; to match it again give the report `id: "
                                        f"{parts[0]}` (or the item `id: {parts[1]}`), or place the update by hand"))
                continue
            entry = found[3]
            if sent.get(update.identity) != owner:
                whose = sent.get(update.identity)
                why = (f"the paper gives it to {whose}, not to {owner}" if whose is not None
                       else "it is done in the paper, and a return carries only open items")
                problems.append(Problem(update.workbook, 0, 0, where,
                                        f"this workbook was made for {owner}, and this row's item was not sent to them "
                                        f"({why}); a return changes only its owner's open items: if the item changed "
                                        "hands after the workbooks went out, place the update by hand"))
                continue
            update.due = at_precision(update.due, entry)  # as it would be written, to compare with the paper's
            clashes = three_way(update, entry)
            if clashes:
                problems.extend(clashes)
                continue
            earlier = chosen.get(update.identity)
            if earlier is not None:
                if earlier.wish() != update.wish():
                    problems.append(Problem(update.workbook, 0, 0, where,
                                            f"changes the same item as {earlier.where}, differently; keep one of the two"))
                continue
            chosen[update.identity] = update
            problems.extend(_rules(update, entry))
            todo.append((found, update))
    return todo, problems


FIELD_OF = {"status": "New status", "due": "New due date", "rationale": "Rationale"}
"""The fields of an item a return sets, and the column that sets each."""


def three_way(update: Update, entry: Item | Task) -> list[Problem]:
    """Where the secretariat and the owner both changed one field since the workbook was made.

    `update.state` is each field's state as the workbook was made; `entry` is the item now. A
    field the owner left alone (empty, or typed as it was sent), or set to what the secretariat
    set it to, is no conflict, and is left out of the update. An update adds to the comment and
    never conflicts.
    """
    try:
        base = json.loads(update.state)
    except ValueError:
        base = None
    if not isinstance(base, dict):
        return [Problem(update.workbook, 0, 0, update.where.split(": ", 1)[1], "the workbook's record of this row is not "
                        "one this version reads: make the workbook again with `generate.py returns`")]
    now = fields(entry)
    wants = {"status": update.status, "due": update.due, "rationale": update.rationale}
    current = {"status": entry.status, "due": current_due(entry.due), "rationale": entry.rationale}
    problems = []
    for name, wanted in wants.items():
        if wanted is None or now[name] == base.get(name):
            continue
        if wanted == current[name] or _as_sent(name, wanted, base):  # the same change, or none by the owner
            setattr(update, name, None)
            if name == "due":
                update.reason = None
            continue
        was = f" (it was {base['status'] or 'none'})" if name == "status" and "status" in base else ""
        theirs = _shown(current[name])
        problems.append(Problem(update.workbook, 0, 0, _cell(update.workbook, SHEET, _COLUMN[FIELD_OF[name]], update.row),
                                f"both changed the {'due date' if name == 'due' else name} since the workbook was made: the "
                                f"secretariat's is now {theirs}{was}, this return's is {_shown(wanted)}; settle which is "
                                "right, then set it in the paper by hand or clear this cell and merge again"))
    return problems


def _as_sent(name: str, wanted: Any, base: dict[str, str]) -> bool:
    """The owner typed the field as it was when the workbook was made: a status chosen again, a rationale copied."""
    if name == "status":
        return bool(wanted == base.get("status"))
    return name == "rationale" and fingerprint(str(wanted)) == base.get("rationale")


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    text = " ".join(str(value).split())
    return repr(text[:80] + "…") if len(text) > 80 else (repr(text) if isinstance(value, str) and " " in text else text)


def at_precision(due: When | None, entry: Item | Task) -> When | None:
    """A new due date at the precision of the item's own dates: a day typed for an item dated by months is its month."""
    steps = dated(entry.due)
    if due is None or due.day is None or not steps:
        return due
    last = steps[-1].date
    return When(due.year, due.month) if last is not None and last.day is None else due


def _rules(update: Update, entry: Item | Task) -> list[Problem]:
    row = update.row
    out = []
    if update.due is not None:
        current = current_due(entry.due)  # the last dated step; steps of words have no date
        if current is not None and update.due.last_day <= current.last_day:
            out.append(Problem(update.workbook, 0, 0, _cell(update.workbook, SHEET, _COLUMN["New due date"], row),
                               f"{update.due} is not after the current due date ({current}); a new due date extends "
                               "the old one (leave the cell empty if the date stays)"))
    status = update.status or entry.status
    if status == "RED" and not (update.rationale or entry.rationale):
        out.append(Problem(update.workbook, 0, 0, _cell(update.workbook, SHEET, _COLUMN["Rationale"], row),
                           "a RED status needs a Rationale saying why"))
    if update.status == "WHITE" and isinstance(entry, Item) and not entry.lead:
        out.append(Problem(update.workbook, 0, 0, _cell(update.workbook, SHEET, _COLUMN["New status"], row),
                           "WHITE needs the paper's `lead:` (who delivers it), which a return cannot set; "
                           "the secretariat sets it first"))
    return out


def read_returns(workbooks: list[Path]) -> tuple[list[tuple[Path, dict[str, str], list[Update]]], list[Problem]]:
    """Every workbook read, so one run names every problem in all of them: (workbook, meta, updates) of each read, and the problems."""
    returns: list[tuple[Path, dict[str, str], list[Update]]] = []
    problems: list[Problem] = []
    for workbook in workbooks:
        try:
            meta, updates, found = read_return(workbook, str(workbook))
        except DataError as exc:
            problems += exc.problems
            continue
        meta["_label"] = str(workbook)
        problems += found
        returns.append((workbook, meta, updates))
    return returns, problems


def merge(path: Path, workbooks: list[Path], *, dry_run: bool = False, label: str | None = None) -> Merged:
    """Merge owners' returns into a paper file; nothing is written unless every return is sound."""
    from ..chain import prepare

    label = label or str(path)
    if not workbooks:
        raise UsageError("name at least one returned workbook")
    read, problems = read_returns(workbooks)
    returns = [(meta, updates) for _workbook, meta, updates in read]
    # The paper is checked and planned against as it is under its lock: another merge (or an
    # edit in the workspace) may have written it since this one started, and its changes stay.
    with PaperFile.open(path, label, write=not dry_run) as doc:
        checked = prepare(path, label)
        if checked.paper is None or checked.errors or checked.resolved is None:
            raise DataError(checked.problems)
        resolved = checked.resolved.paper  # as the workbooks were made: with due dates carried from earlier papers
        todo, more = plan(resolved, path.name, returns)
        problems += more
        if problems:
            raise DataError(problems)
        result = Merged(apply(doc, resolved, todo))
        owner_of = {meta["_label"]: meta.get("owner", "") for meta, _updates in returns}
        for workbook in workbooks:
            result.owners.setdefault(owner_of.get(str(workbook), ""), [])
            result.books[owner_of.get(str(workbook), "")] = workbook
        for _located, update in todo:
            result.owners.setdefault(owner_of.get(update.workbook, ""), []).append(update.identity)
        if not result.changes:
            return result
        if dry_run:
            doc.encoded()  # checked, as the real merge would be
        else:
            result.written = doc.save()
    return result
