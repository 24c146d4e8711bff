"""One item of a paper changed in place: the edit the workspace's item form makes.

The edit goes through the same steps as an owner's return (`intake.changes.apply`): a new
status replaces the status, a new due date is appended to the due history as an extension
(with the reason as its note), an update is added to the comment as a dated paragraph where
the paper's `updates:` setting puts it (`intake.changes.add_update`, as merge does), a
rationale fills `rationale`. The paper is then checked with `check`'s own rules and
messages, and only a paper that checks is written, atomically, under the paper's lock.

Problems are handed back by form field (`status`, `due`, `reason`, `update`, `rationale`,
`owner`), so a form can show each beside the field it concerns.

Writing goes through `PaperFile`, the one writer of paper files, under the paper's lock that
`merge`, `roll` and `import` take too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError, Problem
from .identity import entry_key
from .intake.changes import Update, _put, apply
from .load import Source
from .model import Item, Paper, When, current_due, parse_when
from .paperfile import PaperFile
from .roundtrip import Document
from .task_edit import TaskEdit, apply_tasks, field_of

FIELDS = ("status", "due", "reason", "update", "rationale", "owner")
"""The form fields of an item, in the order a form shows them."""

MAX_FIELD = 32_767
"""The longest text a field takes: what a workbook cell holds, as for owners' returns."""


# --- writing, through the one writer of paper files -----------------------------------------


def save_paper_text(path: Path, text: str, label: str | None = None) -> bytes:
    """Check a paper's new text with the paper's rules, then write it under the paper's lock (`PaperFile`).

    Raises DataError (nothing written) when the text has errors; returns the bytes written,
    in the file's own encoding and line ends.
    """
    with PaperFile.open(path, label or path.name) as pf:
        return pf.replace(text)


# --- versions and item keys ------------------------------------------------------------------


def version_of(data: bytes) -> str:
    """The version of a paper file's bytes, as a form carries it."""
    return hashlib.sha256(data).hexdigest()


def item_fingerprint(item: Item) -> str:
    """A fingerprint of everything an item holds: equal fingerprints, the same item as typed."""
    dumped = json.dumps(item.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(dumped.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class ItemAt:
    """An item by its place in the paper: report index and item index (from 0)."""

    report: int
    item: int

    def find(self, paper: Paper) -> Item | None:
        if 0 <= self.report < len(paper.reports) and 0 <= self.item < len(paper.reports[self.report].items):
            return paper.reports[self.report].items[self.item]
        return None


_WHERE = re.compile(r"^reports\[(\d+)\]\.items\[(\d+)\](.*)$")


def item_of_problem(problem: Problem) -> tuple[ItemAt, str] | None:
    """The item a problem concerns and the rest of its place (`.status`, `.due[2]`), if it concerns one."""
    match = _WHERE.match(problem.where)
    if not match:
        return None
    return ItemAt(int(match.group(1)), int(match.group(2))), match.group(3)


def locate(paper: Paper, at: ItemAt, key: str | None) -> ItemAt | None:
    """Where the item a form was opened on is now: at its old place if it is still there, else by its key.

    `key` is the item's identity (`identity.entry_key`) when the form was opened.
    """
    item = at.find(paper)
    if item is not None and (key is None or entry_key(paper.reports[at.report], item) == key):
        return at
    if key is None:
        return None
    for r, report in enumerate(paper.reports):
        for i, other in enumerate(report.items):
            if entry_key(report, other) == key:
                return ItemAt(r, i)
    return None


# --- the edit --------------------------------------------------------------------------------


KEPT = ("status", "due", "rationale", "owner")
"""The fields a form shows filled in: one left as the form showed it is left alone by the edit."""


@dataclass
class ItemEdit:
    """What the item form asks for, as typed; an empty field, or None, is a field left alone.

    An empty Owner removes the owner; None leaves it as it is.
    """

    status: str | None = None
    due: str | None = None
    reason: str = ""
    update: str = ""
    rationale: str | None = None
    owner: str | None = None
    tasks: list[TaskEdit] = field(default_factory=list)
    """The form's groups of task fields (`task_edit.from_form`); unchanged groups are left alone."""

    @classmethod
    def of(cls, values: dict[str, str], shown: dict[str, str] | None = None, tasks: list[TaskEdit] | None = None) -> ItemEdit:
        """The edit a form sent; `shown` is what the form showed in each field when it was opened.

        A field sent as it was shown is left alone, so a save changes only what the person
        changed (and keeps what another person changed meanwhile in the other fields).
        """
        def clean(name: str) -> str:
            return (values.get(name) or "").replace("\r\n", "\n").replace("\r", "\n")

        kept: dict[str, str | None] = {}
        for name in KEPT:
            value = clean(name)
            unchanged = shown is not None and " ".join(value.split()) == " ".join((shown.get(name) or "").split())
            kept[name] = None if unchanged else value
        return cls(status=kept["status"], due=kept["due"], reason=clean("reason"), update=clean("update"),
                   rationale=kept["rationale"], owner=kept["owner"], tasks=tasks or [])


@dataclass
class Edited:
    """The outcome of an edit: the new text and what changed, or the problems by field."""

    text: str | None = None
    changes: list[str] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)
    """Messages by form field; '' for problems that concern no field of the form."""
    warnings: dict[str, list[str]] = field(default_factory=dict)
    version: str = ""
    """The file's version after the edit (or as it is, when nothing was written)."""
    at: ItemAt | None = None
    """Where the item is now."""
    fingerprint: str = ""
    conflict: Item | None = None
    """The item as another change left it, when that change and this edit touch the same item."""
    loaded: tuple[Source, Paper | None, list[Problem]] | None = None
    """The text written, as `check` loaded and validated it (so a reader of the new file need not do it again)."""

    def add(self, name: str, message: str, *, warning: bool = False) -> None:
        (self.warnings if warning else self.problems).setdefault(name, []).append(message)


def due_text(item: Item) -> str:
    """The current due date as the form shows it (and compares it): 'September 2021'."""
    current = current_due(item.due)
    return str(current) if current is not None else ""


def _field_of(rest: str, message: str) -> str:
    """The form field a problem at `reports[r].items[i]<rest>` belongs beside."""
    name = rest.lstrip(".").split(".")[0].split("[")[0]
    if name == "status" and "rationale" in message:
        return "rationale"  # 'a RED status needs `rationale:`': the field to fill is Rationale
    if name in ("due", "status", "rationale", "owner"):
        return name
    if name == "comment":
        return "update"
    return ""


def plan_edit(doc: Document, paper: Paper, at: ItemAt, edit: ItemEdit, who: str) -> Edited:
    """Apply an edit to the round-trip tree of `doc`; check the result with `check`'s rules.

    Nothing is written. `paper` is `doc` as validated; `who` names the editor in the change lines.
    """
    result = Edited()
    item = at.find(paper)
    if item is None:
        result.add("", "this item is no longer in the paper; open the paper again")
        return result
    status, new_due, reason = _typed(edit, item, result)
    # The other fields are still applied and checked, so one save shows every problem at once.

    rationale = (edit.rationale or "").strip()
    update = Update(where="", workbook=who, row=0, identity=entry_key(paper.reports[at.report], item), state="",
                    status=status or None, due=new_due, reason=reason if new_due is not None else None,
                    update=edit.update.strip() or None,
                    rationale=rationale if rationale and rationale != (item.rationale or "").strip() else None)
    node = doc.data["reports"][at.report]["items"][at.item]
    lines = apply(doc, paper, [((at.report, at.item, None, item), update)])  # as merge applies a return
    details = [line.rsplit("  [", 1)[0] for line in lines]
    details = _change_owner(node, item, edit.owner, details, paper.reports[at.report].title)
    done = apply_tasks(node, item, edit.tasks)
    for name, message in done.problems:
        result.add(name, message)
    if done.changes:
        change = "; ".join(done.changes)
        details = [f"{d}; {change}" for d in details] or [f"{paper.reports[at.report].title}, No. {item.ref or '(no number)'}: {change}"]
    if not details and not result.problems:
        result.add("", "nothing was changed: every field is as it was")
        return result
    text = doc.dump()
    _check_text(doc, text, at, result, done.groups)
    if not result.problems:
        result.text, result.changes = text, details
    return result


def _typed(edit: ItemEdit, item: Item, result: Edited) -> tuple[str, When | None, str]:
    """The status, the new due date (None when it is the date as it is) and its reason as typed; problems with them into `result`."""
    for name in FIELDS:
        if len(getattr(edit, name) or "") > MAX_FIELD:
            result.add(name, f"is {len(getattr(edit, name) or ''):,} characters; a field holds at most {MAX_FIELD:,}")
    status = " ".join((edit.status or "").split())  # checked below with the paper, in check's words
    new_due: When | None = None
    typed_due = " ".join((edit.due or "").split())
    if typed_due and typed_due != due_text(item):
        try:
            new_due = parse_when(typed_due)
        except ValueError as exc:
            result.add("due", str(exc))
        else:
            if new_due == current_due(item.due):
                new_due = None  # the date as it is: no extension (an earlier one is refused by check's order rule)
    reason = " ".join(edit.reason.split())
    if reason and new_due is None and "due" not in result.problems:
        result.add("reason", "a reason goes with a new due date; type the new date in Due date, or leave this empty")
    return status, new_due, reason


def _change_owner(node: Any, item: Item, typed: str | None, details: list[str], title: str) -> list[str]:
    """Set the owner typed into the item's `node`; the change lines with the owner's change added."""
    owner = " ".join(typed.split()) if typed is not None else (item.owner or "")
    if owner == (item.owner or ""):
        return details
    if owner:
        _put(node, "owner", owner, list(Item.model_fields))
    else:
        del node["owner"]
    change = f"owner {item.owner or 'none'} → {owner or 'none'}"
    ref = item.ref or "(no number)"
    return [f"{d}; {change}" for d in details] or [f"{title}, No. {ref}: {change}"]


def _check_text(doc: Document, text: str, at: ItemAt, result: Edited, tasks: list[str | None] | None = None) -> None:
    """`check`'s problems of the new text, each beside the field it concerns (`tasks`: the form's group of each task)."""
    try:
        paper, problems = doc.validated(text)
    except DataError as exc:
        problems, paper = exc.problems, None
    for problem in problems:
        found = item_of_problem(problem)
        mine = found is not None and found[0] == at
        name = _field_of(found[1], problem.message) if found is not None and mine else ""
        if found is not None and mine:
            name = field_of(found[1], tasks or [], problem.message) or name
        if problem.severity == "warning":
            if mine:
                result.add(name, problem.message, warning=True)
            continue
        message = problem.message if mine else f"{problem.where}: {problem.message}" if problem.where else problem.message
        result.add(name, message)
    if paper is None and not result.problems:
        result.add("", "the paper would not check; nothing was saved")


def edit_item(path: Path, at: ItemAt, edit: ItemEdit, who: str, *, key: str | None = None,
              base: tuple[str, str] | None = None, label: str | None = None,
              saved: Callable[[bytes, bytes, Edited], None] | None = None) -> Edited:
    """Apply an edit to an item of the paper file at `path` and write it, under the paper's lock.

    `key` is the item's identity when the form was opened (it finds the item if it moved);
    `base` is (version of the file, fingerprint of the item) when the form was opened: when
    the file changed since, the edit goes through only if this item did not change, and
    otherwise comes back with `conflict` set to the item as it is now. Nothing is written
    when anything is wrong; the problems are returned by field. `saved(before, after, result)`
    is called with the file's bytes, still under the lock, once the new text is written.
    """
    label = label or path.name
    with PaperFile.open(path, label) as pf:
        before = pf.raw
        doc = pf.document
        paper, problems = doc.validated()
        result = Edited(version=version_of(before))
        if paper is None:
            for problem in problems:
                if problem.severity == "error":
                    result.add("", str(problem))
            return result
        where = locate(paper, at, key)
        item = where.find(paper) if where is not None else None
        if where is None or item is None:
            result.add("", "this item is no longer in the paper (it was removed or renumbered); open the paper again")
            return result
        result.at, result.fingerprint = where, item_fingerprint(item)
        if base is not None and base[0] != result.version and base[1] != result.fingerprint:
            result.conflict = item
            return result
        planned = plan_edit(doc, paper, where, edit, who)
        planned.version, planned.at, planned.fingerprint = result.version, where, result.fingerprint
        if planned.text is not None:
            after = pf.replace(planned.text)
            planned.version = version_of(after)
            if doc.text == planned.text:  # the document stands for the file as written
                planned.loaded = (doc.source, *doc.validated())
            if saved is not None:
                saved(before, after, planned)
    return planned


# --- what changed between two versions, item by item ----------------------------------------


def item_changes(before: Paper | None, after: Paper) -> list[str]:
    """One line per item that differs between two versions of a paper, naming what changed."""
    old: dict[str, tuple[str, Item]] = {}
    if before is not None:
        for report in before.reports:
            for item in report.items:
                old.setdefault(entry_key(report, item), (report.title, item))
    lines = []
    seen = set()
    for report in after.reports:
        for item in report.items:
            key = entry_key(report, item)
            seen.add(key)
            name = f"{report.title}, No. {item.ref or '(no number)'}"
            if key not in old:
                lines.append(f"{name}: added")
                continue
            was = old[key][1]
            if was == item:
                continue
            did = []
            if was.status != item.status:
                did.append(f"status {was.status or 'none'} → {item.status or 'none'}")
            if current_due(was.due) != current_due(item.due):
                did.append(f"due date {current_due(was.due) or 'none'} → {current_due(item.due) or 'none'}")
            elif was.due != item.due:
                did.append("due history changed")
            for attr, words in (("comment", "comment"), ("rationale", "rationale"), ("owner", "owner"), ("text", "text")):
                if getattr(was, attr) != getattr(item, attr):
                    did.append(f"{words} changed")
            lines.append(f"{name}: {'; '.join(did) or 'changed'}")
    for key, (title, item) in old.items():
        if key not in seen:
            lines.append(f"{title}, No. {item.ref or '(no number)'}: removed")
    return lines
