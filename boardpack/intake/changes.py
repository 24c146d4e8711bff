"""What a return (or the workspace's item form) does to an item of the round-trip tree.

`apply` is the one place a status, a new due date (with its reason as the step's note), a
dated update and a rationale are written into a paper file's tree: `merge` applies owners'
returns with it, and the workspace's item save (`boardpack.edit`) applies its form with it,
so the two always agree, down to where an update goes in the comment (`add_update`, as the
paper's `updates:` setting says).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from ..model import Item, Paper, Task, When, current_due
from ..paperfile import PaperFile
from ..roundtrip import Document

Located = tuple[int, int, int | None, Item | Task]
"""An item or task and where it sits: (report, item, task or None, the entry)."""


@dataclass
class Update:
    """What one row of one return asks for."""

    where: str
    """'PSD.xlsx: Items!H9', for messages."""
    workbook: str
    row: int
    identity: str
    """The item's (or task's) key in its paper (`boardpack.identity.entry_key`)."""
    state: str
    """The state of the item's fields when the workbook was made (`render.returns.state`)."""
    status: str | None = None
    due: When | None = None
    reason: str | None = None
    """Why the due date moved: the new step's note."""
    update: str | None = None
    rationale: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.status or self.due or self.reason or self.update or self.rationale)

    def wish(self) -> tuple[Any, ...]:
        return (self.status, self.due, self.reason, self.update, self.rationale)



def _put(node: Any, key: str, value: Any, order: list[str]) -> None:
    """Set a key, placing a new one where the format's key order puts it."""
    if key in node:
        node[key] = value
        return
    later = order[order.index(key) + 1:]
    keys = list(node)
    position = next((keys.index(k) for k in keys if k in later), len(keys))
    node.insert(position, key, value)


def _text(value: str) -> Any:
    return LiteralScalarString(value.rstrip("\n") + "\n") if "\n" in value else value


def _step(when: When, note: str | None = None) -> Any:
    """A due date as the format writes it: a YAML date, or YYYY-MM for a month; with a note, `{date: ..., note: ...}`."""
    from ruamel.yaml.comments import CommentedMap

    date = dt.date(when.year, when.month, when.day) if when.day else f"{when.year:04d}-{when.month:02d}"
    if not note:
        return date
    step = CommentedMap()
    step["date"] = date
    step["note"] = note
    step.fa.set_flow_style()
    return step


UPDATES_FIRST = "newest-first"


def add_update(old: str | None, text: str, period: When, order: str = UPDATES_FIRST) -> str | None:
    """A comment with a dated update added where the paper's `updates:` setting puts it; None if it is there already.

    The update starts with an underlined "Update, <period>:" (on a line of its own before a
    list). Newest first, the default, puts it before everything else in the comment, so the
    news is the first thing a member reads; oldest first puts it after the rest.
    """
    label = f"[Update, {period}:]{{.underline}}"
    addition = f"{label}\n\n{text}" if text.lstrip().startswith(("- ", "* ", "1. ")) else f"{label} {text}"
    if not old or not old.strip():
        return addition
    if addition in old:
        return None  # merged before: the same update is not added twice
    return f"{addition}\n\n{old.strip()}" if order == UPDATES_FIRST else f"{old.rstrip()}\n\n{addition}"


def _extend(node: Any, due: When, reason: str | None, order: list[str]) -> None:
    """Append a due date (with its reason as the note) to an item's due history, never rewriting it."""
    current = node.get("due")
    if current is None:
        _put(node, "due", _step(due, reason), order)
    elif isinstance(current, list):
        current.append(_step(due, reason))
    else:
        _put(node, "due", CommentedSeq([current, _step(due, reason)]), order)


def apply(doc: PaperFile | Document, paper: Paper, todo: list[tuple[Located, Update]]) -> list[str]:
    """Apply checked updates to the round-trip tree; return one line per item changed."""
    lines = []
    period = paper.paper.period
    for (r, i, t, entry), update in todo:
        node = doc.data["reports"][r]["items"][i]
        order = list(Item.model_fields)
        if t is not None:
            node = node["tasks"][t]
            order = list(Task.model_fields)
        report = paper.reports[r]
        ref = entry.ref or "(no number)"
        did = []
        if update.status and update.status != entry.status:
            _put(node, "status", update.status, order)
            did.append(f"status {entry.status or 'none'} → {update.status}")
        if update.due is not None:
            _extend(node, update.due, update.reason, order)
            was = f" (was {current_due(entry.due)})" if current_due(entry.due) is not None else ""
            did.append(f"due date extended to {update.due}{was}")
        if update.update:
            key = "comment" if t is None else "position"
            old = node.get(key)
            new = add_update(str(old) if old is not None else None, update.update, period, paper.paper.updates)
            if new is not None:
                _put(node, key, _text(new), order)
                did.append("update added")
        if update.rationale:
            _put(node, "rationale", _text(update.rationale), order)
            did.append("rationale set")
        elif update.status and update.status != "RED" and entry.status == "RED" and "rationale" in node:
            # The reason an item was RED is no reason once it is not: printed under AMBER it would
            # contradict the status. It stays in the earlier papers, and the changes say what moved.
            del node["rationale"]
            did.append("RED rationale cleared")
        if did:
            lines.append(f"{report.title}, No. {ref}: {'; '.join(did)}  [{update.workbook}]")
    return lines
