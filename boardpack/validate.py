"""Check a loaded paper: the typed model first, then the rules that span fields.

Every problem in a file is collected and reported at once, each with the file, line and
column it comes from, what is wrong and what is allowed.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from .derive import is_overdue
from .errors import Problem
from .load import Path_, Source, previous_path
from .model import DONE, STATUSES, DueStep, Item, Paper, Report, Task, current_due
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
    """Return the typed paper (None when the model rejects it) and every problem found."""
    try:
        paper = Paper.model_validate(source.data, strict=False)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A list whose entries failed is then also "too short"; that echo would only confuse.
        deeper = {tuple(e["loc"][:n]) for e in errors for n in range(len(e["loc"]))}
        errors = [e for e in errors if not (e["type"] in ("too_short", "string_too_short") and tuple(e["loc"]) in deeper)]
        return None, [_model_problem(source, err) for err in errors]
    return paper, list(_rules(source, paper)) + list(_long_words(source, source.data, ()))


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
        return source.problem(loc, f"unknown key '{name}'{_did_you_mean(name, allowed)}; allowed: {', '.join(allowed)}", key=True)
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


def _inner_model(annotation: Any) -> Any:
    """Find the model class inside Optional[...], tuple[...], Annotated[...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _rules(source: Source, paper: Paper) -> Iterator[Problem]:
    """The rules no type can express."""
    info = paper.paper
    if info.previous is not None:
        _, why = previous_path(source.path, info.previous)
        if why:
            yield source.problem(("paper", "previous"), why)
    if paper.cover is not None and paper.cover.meeting.last_day <= info.period.last_day:
        yield source.problem(("cover", "meeting"), f"the meeting ({paper.cover.meeting}) is not after the period reported on "
                             f"({info.period}); set this quarter's meeting date", severity="warning")
    for r, report in enumerate(paper.reports):
        yield from _totals(source, r, report)
        seen: dict[str, int] = {}
        for i, item in enumerate(report.items):
            at: Path_ = ("reports", r, "items", i)
            if item.ref is not None and item.ref in seen:
                yield source.problem(at + ("ref",), f"ref '{item.ref}' is used twice in this report "
                                     f"(first at items[{seen[item.ref]}]); refs must be unique in a report")
            if item.ref is not None:
                seen.setdefault(item.ref, i)
            if info.layout == "tracker" and item.status is None:
                yield source.problem(at, "'status' is missing; the tracker layout needs one of " + ", ".join(STATUSES))
            if item.status == "WHITE" and not item.lead:
                yield source.problem(at + ("status",), "a WHITE item needs `lead:` naming who delivers it")
            yield from _common(source, at, item, info.period)
            if item.status in DONE:
                open_tasks = [t.ref for t in item.tasks if t.status in ("AMBER", "RED")]
                if open_tasks:
                    yield source.problem(at + ("status",), f"the item is {item.status} but task(s) {', '.join(open_tasks)} "
                                         "are still open; close the tasks or change the item's status", severity="warning")
            task_seen: set[str] = set()
            for t, task in enumerate(item.tasks):
                tat = at + ("tasks", t)
                if task.ref in task_seen:
                    yield source.problem(tat + ("ref",), f"task ref '{task.ref}' is used twice in this item")
                task_seen.add(task.ref)
                yield from _common(source, tat, task, info.period)


def _totals(source: Source, r: int, report: Report) -> Iterator[Problem]:
    """A report's published totals must hold together, and hold the force's rows in the table."""
    totals = report.totals
    if totals is None:
        return
    at: Path_ = ("reports", r, "totals")
    if totals.made is not None and totals.for_force is not None and totals.for_force > totals.made:
        yield source.problem(at + ("for_force",), f"for_force ({totals.for_force}) is more than the report made "
                             f"({totals.made}); for_force counts only those of the {totals.made} that are for the force")
    if totals.for_force is not None:
        own = sum(1 for item in report.items if item.status != "WHITE" and not item.for_body)
        if totals.completed_before + own > totals.for_force:
            yield source.problem(at, f"{totals.completed_before} completed before this paper and {own} of the force's "
                                 f"own rows in the table make {totals.completed_before + own}, more than the "
                                 f"{totals.for_force} for the force; check the totals against the report",
                                 severity="warning")


def _common(source: Source, at: Path_, entry: Item | Task, period: Any) -> Iterator[Problem]:
    """Rules shared by items and tasks: RED rationale, due-date order, overdue."""
    if entry.status == "RED" and not entry.rationale:
        yield source.problem(at + ("status",), "a RED status needs `rationale:` saying why (the legend says 'rationale required')")
    yield from _due_order(source, at, entry.due)
    if is_overdue(entry.status, entry.due, period):
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

