"""An item's tasks changed, added and removed from the item form, in the round-trip tree.

The form shows one group of fields per task (named `task-N-FIELD`, N counting the tasks as the
form showed them) and one empty group to add a task (`task-new-FIELD`). Each group carries the
task's `ref` when the form was opened (`task-N-was`), which finds it again if others moved, and
a fingerprint of what the group showed (`task-N-shown`): a group sent as it was shown is left
alone, so a save changes only the tasks the person changed. A task is removed by ticking its
`task-N-remove` box. What is written is checked with `check`'s rules like every other change.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from .intake.changes import _put, _text
from .model import Item, Task

FIELDS = ("ref", "text", "position", "status", "rationale")
"""The fields of a task the form changes, in the order it shows them."""

LABELS = {"ref": "No.", "text": "Task", "position": "Current position", "status": "Status", "rationale": "Rationale"}
"""The fields' labels, in the words of the returns workbook."""

NEW = "new"
"""The group that adds a task."""

MAX_FIELD = 32_767
"""The longest text a field takes: what a workbook cell holds (as `edit.MAX_FIELD`)."""

_NAME = re.compile(r"^task-(\d+|new)-(\w+)$")
_MAX_GROUPS = 500


def _clean(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def values_of(task: Task) -> dict[str, str]:
    """A task's fields as the form shows them."""
    return {"ref": task.ref, "text": task.text.strip(), "position": (task.position or "").strip(),
            "status": task.status or "", "rationale": (task.rationale or "").strip()}


def fingerprint(values: Mapping[str, str]) -> str:
    """What a group of fields showed, so a group sent unchanged is known (spacing aside)."""
    joined = "\x1f".join(" ".join((values.get(name) or "").split()) for name in FIELDS)
    return hashlib.sha256(joined.encode()).hexdigest()[:20]


@dataclass
class TaskEdit:
    """One group of task fields as the form sent it."""

    group: str
    """The group's name in the form: '0', '1', ... for the tasks it showed, 'new' for the empty one."""
    was: str | None
    """The task's ref when the form was opened; None for a new task."""
    values: dict[str, str]
    shown: str = ""
    """The fingerprint of what the group showed."""
    remove: bool = False

    @property
    def changed(self) -> bool:
        if self.was is None:
            return any(self.values.values())
        return self.remove or fingerprint(self.values) != self.shown

    @property
    def name(self) -> str:
        return self.was or self.values["ref"] or "(no number)"


def from_form(form: Mapping[str, str]) -> list[TaskEdit]:
    """The groups of task fields a form sent, in the order the form showed them (the new one last)."""
    groups: dict[str, dict[str, str]] = {}
    for key in form:
        match = _NAME.match(key)
        if match and len(groups) < _MAX_GROUPS:
            groups.setdefault(match.group(1), {})[match.group(2)] = form.get(key) or ""
    edits = []
    for group in sorted(groups, key=lambda g: (g == NEW, int(g) if g.isdigit() else 0)):
        sent = groups[group]
        values = {name: _clean(sent.get(name, "")) for name in FIELDS}
        was = None if group == NEW else (sent.get("was") or "").strip() or None
        if group != NEW and was is None:
            continue  # a group without the task it stands for: not from this form
        edits.append(TaskEdit(group, was, values, sent.get("shown", ""), group != NEW and bool(sent.get("remove"))))
    return edits


def groups_of(item: Item) -> list[TaskEdit]:
    """The groups of task fields of an item as a form opens it: its tasks, then the empty one."""
    groups = []
    for n, task in enumerate(item.tasks):
        values = values_of(task)
        groups.append(TaskEdit(str(n), task.ref, values, fingerprint(values)))
    groups.append(TaskEdit(NEW, None, dict.fromkeys(FIELDS, "")))
    return groups


@dataclass
class TasksDone:
    """What applying the task groups did: change words, and which group each task of the new tree came from."""

    changes: list[str] = field(default_factory=list)
    groups: list[str | None] = field(default_factory=list)
    """By the task's index in the new tree, the form's group it came from (None: untouched)."""
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(form field, message) found before `check`'s rules run."""


def apply_tasks(node: Any, item: Item, edits: list[TaskEdit]) -> TasksDone:
    """Apply the changed groups to the item's node of the round-trip tree; unchanged groups are left alone."""
    done = TasksDone()
    todo = [edit for edit in edits if edit.changed]
    for edit in todo:
        for name, value in edit.values.items():
            if len(value) > MAX_FIELD:
                done.problems.append((f"task-{edit.group}-{name}", f"is {len(value):,} characters; a field holds at most {MAX_FIELD:,}"))
    if not todo or done.problems:
        return done
    seq = node.get("tasks")
    tasks: Any = seq if isinstance(seq, list) else CommentedSeq()
    current = {str(task.ref): task for task in item.tasks}
    origin: dict[int, str] = {}
    for edit in todo:
        if edit.was is None:
            continue
        place = next((t for t, raw in enumerate(tasks) if isinstance(raw, dict) and str(raw.get("ref")) == edit.was), None)
        if place is None or edit.was not in current:
            done.problems.append((f"task-{edit.group}-ref", f"task {edit.was} is no longer in this item; open the item again"))
            continue
        if edit.remove:
            del tasks[place]
            origin = {(t - 1 if t > place else t): g for t, g in origin.items() if t != place}
            done.changes.append(f"task {edit.was} removed")
            continue
        words = _change(tasks[place], values_of(current[edit.was]), edit.values)
        origin[place] = edit.group
        if words:
            done.changes.append(f"task {edit.was}: {', '.join(words)}")
    new = next((edit for edit in todo if edit.was is None), None)
    if new is not None:
        tasks.append(_new_task(new.values))
        origin[len(tasks) - 1] = new.group
        done.changes.append(f"task {new.values['ref'] or '(no number)'} added")
    _place(node, tasks)
    done.groups = [origin.get(t) for t in range(len(tasks))]
    return done


def _place(node: Any, tasks: Any) -> None:
    if len(tasks):
        if "tasks" not in node:
            _put(node, "tasks", tasks, list(Item.model_fields))
    elif "tasks" in node:
        del node["tasks"]


def _value(name: str, value: str) -> Any:
    return DoubleQuotedScalarString(value) if name == "ref" else _text(value)


def _change(raw: Any, before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Set the fields that differ from the task as it is; the words for what changed."""
    words = []
    for name in FIELDS:
        if _same(before[name], after[name]):
            continue
        if after[name] or name in ("ref", "text"):  # a required field emptied: check says it must not be
            _put(raw, name, _value(name, after[name]), list(Task.model_fields))
        elif name in raw:
            del raw[name]
        if name == "status":
            words.append(f"status {before[name] or 'none'} → {after[name] or 'none'}")
        elif name == "ref":
            words.append(f"No. → {after[name] or 'none'}")
        else:
            words.append(f"{LABELS[name].lower()} changed")
    return words


def _new_task(values: dict[str, str]) -> CommentedMap:
    task = CommentedMap()
    for name in ("ref", "text", "position", "status", "rationale"):
        if values[name] or name in ("ref", "text"):
            task[name] = _value(name, values[name])
    return task


def field_of(rest: str, groups: list[str | None], message: str) -> str | None:
    """The form field a problem at `reports[r].items[i]<rest>` belongs beside, if it is in a task the form changed.

    None when the problem is not in such a task.
    """
    match = re.match(r"^\.tasks\[(\d+)\](?:\.(\w+))?", rest)
    if not match or int(match.group(1)) >= len(groups) or groups[int(match.group(1))] is None:
        return None
    name = match.group(2) or "text"
    if name == "status" and "rationale" in message:
        name = "rationale"
    return f"task-{groups[int(match.group(1))]}-{name if name in FIELDS else 'text'}"
