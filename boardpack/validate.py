"""Check a loaded paper: the typed model first, then the rules that span fields.

Every problem in a file is collected and reported at once, each with the file, line and
column it comes from, what is wrong and what is allowed. When the model rejects part of a
file, the rules still run on every part it accepts, so one run shows the secretary all
there is to fix.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .identity import item_key, key_source, report_key
from .load import Path_, Source, previous_path
from .model import DONE, STATUSES, Cover, DueStep, Item, Paper, PaperInfo, Report, Task, When, current_due, is_overdue
from .text import long_words

# The wording of a few pydantic error types, rewritten for people who edit YAML, not Python.
_TYPE_WORDS = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "list_type": "must be a list (lines starting with '- ')",
    "tuple_type": "must be a list (lines starting with '- ')",
    "dict_type": "must be a block of `key: value` lines",
    "model_type": "must be a block of `key: value` lines",
    "model_attributes_type": "must be a block of `key: value` lines",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
}


def validate(source: Source) -> tuple[Paper | None, list[Problem]]:
    """Return the typed paper (None when the model rejects it) and every problem found.

    Problems the loader kept (a key given twice) come first; they do not stop the checks.
    """
    found = list(source.problems) + list(_long_words(source, source.data, ())) + list(_left_to_review(source))
    try:
        paper = Paper.model_validate(source.data, strict=False)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A list whose entries failed is then also "too short"; that echo would only confuse.
        deeper = {tuple(e["loc"][:n]) for e in errors for n in range(len(e["loc"]))}
        errors = [e for e in errors if not (e["type"] in ("too_short", "string_too_short") and tuple(e["loc"]) in deeper)]
        found += [_model_problem(source, err) for err in errors]
        return None, sorted(found + list(_rules(source, _readable(source.data))))
    return paper, sorted(found + list(_rules(source, _Parts.of(paper))))


M = TypeVar("M", Item, Task, Report, PaperInfo, Cover)


@dataclass
class _ItemPart:
    """An item the model accepts, with its index in the file and the tasks of it the model accepts."""

    index: int
    item: Item
    tasks: list[tuple[int, Task]]


@dataclass
class _ReportPart:
    """A report's own fields (None when they are wrong) and the items of it the model accepts."""

    index: int
    report: Report | None
    items: list[_ItemPart] = field(default_factory=list)


@dataclass
class _Parts:
    """The parts of a paper the rules look at, each kept with its index so a problem names its own line."""

    info: PaperInfo | None
    cover: Cover | None
    reports: list[_ReportPart]

    @classmethod
    def of(cls, paper: Paper) -> _Parts:
        return cls(paper.paper, paper.cover, [
            _ReportPart(r, report, [_ItemPart(i, item, list(enumerate(item.tasks))) for i, item in enumerate(report.items)])
            for r, report in enumerate(paper.reports)])


def _accepted(model: type[M], data: Any) -> M | None:
    try:
        return model.model_validate(data, strict=False)
    except ValidationError:
        return None


def _entries(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The blocks of a list under `key`, with their indices; anything else is the model's to report."""
    value = data.get(key) if isinstance(data, dict) else None
    return [(n, entry) for n, entry in enumerate(value) if isinstance(entry, dict)] if isinstance(value, list) else []


def _readable(data: Any) -> _Parts:
    """What of a file the model rejected can still be read, piece by piece.

    An item with a wrong field is left out of the rules (its own error says what to fix);
    its neighbours, its report and the paper's other reports are still checked. A task is
    left out of its item the same way.
    """
    top = data if isinstance(data, dict) else {}
    reports = []
    for r, raw_report in _entries(top, "reports"):
        part = _ReportPart(r, _accepted(Report, {**raw_report, "items": []}))
        for i, raw_item in _entries(raw_report, "items"):
            item = _accepted(Item, {**raw_item, "tasks": []})
            if item is not None:
                tasks = [(t, task) for t, raw_task in _entries(raw_item, "tasks") if (task := _accepted(Task, raw_task)) is not None]
                part.items.append(_ItemPart(i, item, tasks))
        reports.append(part)
    cover = _accepted(Cover, top["cover"]) if top.get("cover") is not None else None
    return _Parts(_accepted(PaperInfo, top.get("paper")), cover, reports)


LONG_WORD_LIMIT = 200
"""Longer runs without a space are almost always a paste gone wrong (or a very long address)."""

_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")


def _long_words(source: Source, value: Any, at: Path_) -> Iterator[Problem]:
    """Warn of each field holding a word too long for a line: it is printed broken across lines."""
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _long_words(source, sub, at + (key,))
    elif isinstance(value, list):
        for n, sub in enumerate(value):
            yield from _long_words(source, sub, at + (n,))
    elif isinstance(value, str) and len(value) > LONG_WORD_LIMIT:
        for word in long_words(_LINK_TARGET.sub("]", value), LONG_WORD_LIMIT)[:1]:
            yield source.problem(at, f"a word of {len(word):,} characters without a space ('{word[:24]}...'); "
                                 "it is broken across lines in the PDF and the web page: check it is meant, "
                                 "or add spaces", severity="warning")


def _model_problem(source: Source, err: Any) -> Problem:
    loc: Path_ = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _fields_at(loc[:-1])
        return source.problem(loc, f"unknown key '{name}'{_did_you_mean(name, allowed)}; allowed: {', '.join(allowed)}"
                              f"{_indented_too_little(loc[:-1], name)}{_comma_in_braces(name, value)}", key=True)
    if kind == "missing":
        return source.problem(loc[:-1], f"'{loc[-1]}' is missing; it is required here")
    if kind == "literal_error":
        allowed = [a.strip("'") for a in err["ctx"]["expected"].replace(" or ", ", ").split(", ")]
        what = "a status" if loc and loc[-1] in ("status",) or (len(loc) >= 2 and loc[-2] == "legend") else f"an allowed {loc[-1]}"
        shown = value if not isinstance(value, str) else f"'{value}'"
        return source.problem(loc, f"{shown} is not {what}{_did_you_mean(str(value), allowed)}; allowed: {', '.join(allowed)}")
    if kind == "value_error":
        return source.problem(loc, str(err["ctx"]["error"]))
    if kind in _TYPE_WORDS:
        return source.problem(loc, f"{_TYPE_WORDS[kind]} (found {_describe(value)})")
    return source.problem(loc, err["msg"])


def _comma_in_braces(name: str, value: Any) -> str:
    """Why words with no value became a key: a comma in `{date: 2021-11, note: after review, then audit}`."""
    if value is not None or " " not in name.strip():
        return ""
    return (f"; if '{name}' is the end of a value written inside {{ }}, the comma before it ended that value: "
            "put the whole value in quotes, for example note: 'after the review, then the audit'")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a block of keys"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _did_you_mean(word: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(word, allowed, n=1, cutoff=0.6)
    if not close:
        close = [a for a in allowed if a.lower() == word.lower()]
    return f" (did you mean {close[0]}?)" if close else ""


def _fields_at(loc: Path_) -> list[str]:
    """The keys allowed at a location, found by walking the model's field types."""
    model: Any = Paper
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return []
        model = _inner_model(model.model_fields[part].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


_BLOCK_WORDS = {"paper": "the `paper:` block", "cover": "the `cover:` block", "reports": "a report", "items": "an item",
                "tasks": "a task", "totals": "a report's `totals:`", "due": "a due date step"}


def _indented_too_little(loc: Path_, name: str) -> str:
    """A key of a block one level down was most likely typed a little too far left."""
    model: Any = Paper
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return ""
        model = _inner_model(model.model_fields[part].annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return ""
    for field_name, info in model.model_fields.items():
        inner = _inner_model(info.annotation)
        if inner is not None and name in inner.model_fields:
            block = _BLOCK_WORDS.get(field_name, f"`{field_name}:`")
            return (f". '{name}' is a key of {block} (under `{field_name}:`): if it belongs to the one above it, "
                    f"it is indented too little; line it up with that block's other keys")
    return ""


def _inner_model(annotation: Any) -> Any:
    """Find the model class inside Optional[...], tuple[...], Annotated[...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _rules(source: Source, parts: _Parts) -> Iterator[Problem]:
    """The rules no type can express, over every part of the paper the model accepts."""
    info = parts.info
    if info is not None and info.previous is not None:
        _, why = previous_path(source.path, info.previous)
        if why:
            yield source.problem(("paper", "previous"), why)
    if info is not None and parts.cover is not None and parts.cover.meeting.last_day <= info.period.last_day:
        yield source.problem(("cover", "meeting"), f"the meeting ({parts.cover.meeting}) is not after the period reported on "
                             f"({info.period}); set this quarter's meeting date", severity="warning")
    if info is not None and parts.cover is None and info.meeting is not None and info.meeting.last_day <= info.period.last_day:
        yield source.problem(("paper", "meeting"), f"the meeting ({info.meeting}) is not after the period reported on "
                             f"({info.period}); set this quarter's meeting date", severity="warning")
    if info is not None and parts.cover is not None and info.meeting is not None and info.meeting != parts.cover.meeting:
        yield source.problem(("paper", "meeting"), f"the paper's meeting ({info.meeting}) is not the cover report's "
                             f"({parts.cover.meeting}); give the date once, in `cover: meeting:`")
    period = info.period if info is not None else None
    yield from _duplicate_keys(source, parts)
    for part in parts.reports:
        r = part.index
        if part.report is not None:
            yield from _totals(source, r, part.report, [p.item for p in part.items])
        seen: dict[str, int] = {}
        for entry in part.items:
            i, item = entry.index, entry.item
            at: Path_ = ("reports", r, "items", i)
            if item.ref is not None and item.ref in seen:
                first: Path_ = ("reports", r, "items", seen[item.ref], "ref")
                yield source.problem(at + ("ref",), f"ref '{item.ref}' is used twice in this report "
                                     f"(first at items[{seen[item.ref]}], {_place(source, first)}); refs must be unique in a report")
            if item.ref is not None:
                seen.setdefault(item.ref, i)
            if info is not None and info.layout == "tracker" and item.status is None:
                yield source.problem(at, "'status' is missing; the tracker layout needs one of " + ", ".join(STATUSES))
            if item.status == "WHITE" and not item.lead:
                yield source.problem(at + ("status",), "a WHITE item needs `lead:` naming who delivers it")
            yield from _common(source, at, item, period)
            if item.status in DONE:
                open_tasks = [task.ref for _, task in entry.tasks if task.status in ("AMBER", "RED")]
                if open_tasks:
                    yield source.problem(at + ("status",), f"the item is {item.status} but task(s) {', '.join(open_tasks)} "
                                         "are still open; close the tasks or change the item's status", severity="warning")
            task_seen: set[str] = set()
            for t, task in entry.tasks:
                tat = at + ("tasks", t)
                if task.ref in task_seen:
                    yield source.problem(tat + ("ref",), f"task ref '{task.ref}' is used twice in this item")
                task_seen.add(task.ref)
                yield from _common(source, tat, task, period)


def _place(source: Source, at: Path_) -> str:
    """'data/x.yaml:16:14': where a value is, for a message that names two lines."""
    line, column = source.position(at)
    return f"{source.label}:{line}:{column}"


def _duplicate_keys(source: Source, parts: _Parts) -> Iterator[Problem]:
    """Two reports, or two items of one report, with the same identity (see `boardpack.identity`).

    Returns, merge and the pairing with last quarter's paper name rows by it, so a paper in
    which two rows share one would send an update to the wrong row. Two items with the same
    ref and no `id:` are the ref rule's to report, once.
    """
    reports: dict[str, tuple[int, Report]] = {}
    clashes: dict[str, int] = {}
    for part in parts.reports:
        if part.report is not None:
            key = report_key(part.report)
            if key in reports:
                clashes[key] = clashes.get(key, 1) + 1
                yield _report_clash(source, key, clashes[key], reports[key], (part.index, part.report))
            else:
                reports[key] = (part.index, part.report)
        items: dict[str, tuple[int, str]] = {}
        for entry in part.items:
            key, how = item_key(entry.item), key_source(entry.item)
            at: Path_ = ("reports", part.index, "items", entry.index, how)
            if key not in items:
                items[key] = (entry.index, how)
                continue
            other, other_how = items[key]
            if how == other_how == "ref":
                continue
            words = {"id": "its `id:`", "ref": "its ref", "text": "its text (it has no ref)"}
            yield source.problem(at, f"two items of this report have the identity '{key}': this one (from {words[how]}) and "
                                 f"items[{other}] (from {words[other_how]}) at "
                                 f"{_place(source, ('reports', part.index, 'items', other, other_how))}; returns and "
                                 "the pairing with last quarter's paper tell items apart by it: give one of them its own "
                                 f"`id:` (for example `id: {key if how != 'text' else 'unnumbered'}-2`)")


def _report_clash(source: Source, key: str, n: int, first: tuple[int, Report], this: tuple[int, Report]) -> Problem:
    (other, earlier), (index, report) = first, this
    field_name, other_field = ("id" if report.id else "title"), ("id" if earlier.id else "title")
    if field_name == other_field == "id":
        how = "the same `id:`"
    elif field_name == other_field:
        how = "the same title" if earlier.title == report.title else "titles that differ only in case and punctuation"
    else:
        how = "an `id:` equal to a title"
    return source.problem(("reports", index, field_name),
                          f"two reports have the identity '{key}' ({how}): this one and reports[{other}] "
                          f"at {_place(source, ('reports', other, other_field))}; returns and the pairing with "
                          "last quarter's paper tell reports apart by it: give one of them its own `id:` "
                          f"(for example `id: {key}-{n}`)")


def _totals(source: Source, r: int, report: Report, items: list[Item]) -> Iterator[Problem]:
    """A report's published totals must hold together, and hold the force's rows in the table."""
    totals = report.totals
    if totals is None:
        return
    at: Path_ = ("reports", r, "totals")
    if totals.made is not None and totals.for_force is not None and totals.for_force > totals.made:
        yield source.problem(at + ("for_force",), f"for_force ({totals.for_force}) is more than the report made "
                             f"({totals.made}); for_force counts only those of the {totals.made} that are for the force")
    if totals.for_force is not None:
        own = sum(1 for item in items if item.status != "WHITE" and not item.for_body)
        if totals.completed_before + own > totals.for_force:
            yield source.problem(at, f"{totals.completed_before} completed before this paper and {own} of the force's "
                                 f"own rows in the table make {totals.completed_before + own}, more than the "
                                 f"{totals.for_force} for the force; check the totals against the report",
                                 severity="warning")


_REVIEW_MARK = re.compile(r"#\s*review:", re.IGNORECASE)
_UNCONFIRMED = re.compile(r":\s*['\"]?to be confirmed['\"]?\s*(?:#.*)?$", re.IGNORECASE)


def _left_to_review(source: Source) -> Iterator[Problem]:
    """Marks `import` leaves for the secretariat (`# review:`, 'To be confirmed') still in the paper, each at its line."""
    for n, line in enumerate(source.text.splitlines(), start=1):
        mark = _REVIEW_MARK.search(line)
        if mark:
            yield Problem(source.label, n, mark.start() + 1, "", "a `# review:` mark is still here: check what it says, "
                          "then remove the mark", "warning")
        elif _UNCONFIRMED.search(line):
            yield Problem(source.label, n, len(line) - len(line.lstrip()) + 1, "", "'To be confirmed' is still here: "
                          "give the value, or leave the key out", "warning")


def _common(source: Source, at: Path_, entry: Item | Task, period: When | None) -> Iterator[Problem]:
    """Rules shared by items and tasks: RED rationale, due-date order, overdue (when the period can be read)."""
    if entry.status == "RED" and not entry.rationale:
        yield source.problem(at + ("status",), "a RED status needs `rationale:` saying why (the legend says 'rationale required')")
    if entry.rationale and entry.status != "RED":
        yield source.problem(at + ("rationale",), f"a rationale is printed with the status, but this is {entry.status or 'no status'}, "
                             "not RED; remove `rationale:` (it stays in the earlier papers) or say why in the comment",
                             severity="warning")
    yield from _due_order(source, at, entry.due)
    if period is not None and is_overdue(entry.status, entry.due, period):
        current = current_due(entry.due)
        yield source.problem(at + ("due",), f"overdue: due {current}, before the end of the period ({period}), "
                             f"but {entry.status or 'no status'}; set RED or extend the due date", severity="warning")


def _due_order(source: Source, at: Path_, due: tuple[DueStep, ...]) -> Iterator[Problem]:
    earlier = None
    for n, step in enumerate(due):
        if step.date is None:  # words without a date: nothing to compare
            continue
        if earlier is not None and step.date.last_day < earlier.last_day:
            yield source.problem(at + ("due", n), f"due dates go backwards: {step.date} comes after "
                                 f"{earlier}; list the first date first and each extension after it")
        earlier = step.date

