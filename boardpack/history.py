"""What changed since last period, derived from the pair of papers.

Pure functions, beside `derive`: pair this period's reports and items with last period's,
then work out what a secretary used to type by hand: NEW GREEN, the full due-date history
when only the new date was typed, slips and their reasons, and the list of changes members
read first. The result is a resolved paper (statuses and due histories as they should be
printed) that the ordinary view reads, so no renderer knows there was a previous paper.

Reports and items are paired by their identity (`boardpack.identity`: the `id:`, else a
report's title folded to a slug, an item's ref, or an unnumbered item's text); then, for what
that leaves (an `id:` typed on one side only), reports by `id` where both give one, then by
title; items by `id`, then by ref, then by their exact text. Nothing is
ever paired by position: what has no partner is new, or removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from .identity import item_key, report_key, task_key
from .load import Path_
from .model import DONE, STATUSES, DueStep, Item, Paper, Report, Task, When, current_due, dated

COMPLETE = frozenset({"GREEN", "NEW GREEN"})

NEW_SINCE = "new"
"""The detail of a status change of an item that was not in last period's paper."""

Kind = TypeVar("Kind", Report, Item, Task)


@dataclass(frozen=True)
class Slip:
    """A due date moved later between the two periods."""

    was: When
    now: When
    reason: str | None


@dataclass(frozen=True)
class Change:
    """One line of the changes section."""

    report: str
    ref: str | None
    text: str
    """A short plain-text excerpt of the recommendation."""
    was: str | None
    now: str | None
    detail: str | None = None


CATEGORIES: tuple[tuple[str, str], ...] = (
    ("newly_complete", "Newly complete"),
    ("newly_red", "Newly RED"),
    ("reopened", "Reopened"),
    ("closed", "Closed"),
    ("other", "Other status changes"),
    ("slipped", "Due dates extended"),
    ("new_reports", "New reports"),
    ("new_items", "New items"),
    ("removed_reports", "Removed reports"),
    ("removed_items", "Removed items"),
)
"""The categories of the changes section, in the order members read them."""


@dataclass
class Changes:
    """Everything that moved between last period's paper and this one."""

    since: When
    newly_complete: list[Change] = field(default_factory=list)
    newly_red: list[Change] = field(default_factory=list)
    reopened: list[Change] = field(default_factory=list)
    closed: list[Change] = field(default_factory=list)
    other: list[Change] = field(default_factory=list)
    slipped: list[Change] = field(default_factory=list)
    new_reports: list[Change] = field(default_factory=list)
    new_items: list[Change] = field(default_factory=list)
    removed_reports: list[Change] = field(default_factory=list)
    removed_items: list[Change] = field(default_factory=list)

    def groups(self) -> Iterator[tuple[str, str, list[Change]]]:
        """(key, heading, entries) of each category that has entries."""
        for key, heading in CATEGORIES:
            entries = getattr(self, key)
            if entries:
                yield key, heading, entries

    def headline(self) -> str:
        """'Since June 2021: 5 items newly complete, 1 newly RED and 2 due dates extended.'"""
        words = {
            "newly_complete": ("item newly complete", "items newly complete"),
            "newly_red": ("item newly RED", "items newly RED"),
            "reopened": ("item reopened", "items reopened"),
            "closed": ("item closed", "items closed"),
            "other": ("other status change", "other status changes"),
            "slipped": ("due date extended", "due dates extended"),
            "new_reports": ("new report", "new reports"),
            "new_items": ("new item", "new items"),
            "removed_reports": ("report removed", "reports removed"),
            "removed_items": ("item removed", "items removed"),
        }
        parts = [f"{len(entries)} {words[key][len(entries) != 1]}" for key, _, entries in self.groups()]
        if not parts:
            return f"Nothing has changed since {self.since}."
        listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        return f"Since {self.since}: {listed}."


@dataclass
class Resolved:
    """A paper as it should be printed, with what the pair says about it."""

    paper: Paper
    changes: Changes | None
    notes: list[tuple[Path_, str]] = field(default_factory=list)
    """Warnings found by comparing the periods, located in this period's file."""
    earlier: tuple[Paper, ...] = ()
    """The papers of the chain before this one, each resolved against its own previous, oldest first."""


# --- pairing --------------------------------------------------------------------------


def pair(current: Sequence[Kind], previous: Sequence[Kind], keys: Sequence[str]) -> tuple[dict[int, int], list[int]]:
    """Pair entries by each key in turn; return {current index: previous index} and the unpaired previous.

    A key only pairs entries that both have a value for it and where that value is unique
    on each side, so an ambiguous key never guesses.
    """
    paired: dict[int, int] = {}
    taken: set[int] = set()
    for key in keys:
        before = _unique(previous, taken, key)
        for value, n in _unique(current, paired, key).items():
            if value in before:
                paired[n] = before[value]
                taken.add(before[value])
    return paired, [n for n in range(len(previous)) if n not in taken]


def _unique(entries: Sequence[Kind], skip: set[int] | dict[int, int], key: str) -> dict[str, int]:
    """Each value of `key` held by exactly one entry not in `skip`, with that entry's index."""
    seen: dict[str, list[int]] = {}
    for n, entry in enumerate(entries):
        value = _key(entry, key)
        if n not in skip and value is not None:
            seen.setdefault(value, []).append(n)
    return {value: ns[0] for value, ns in seen.items() if len(ns) == 1}


def _key(entry: Report | Item | Task, key: str) -> str | None:
    if key == "key":  # the identity returns and links use (`boardpack.identity`)
        if isinstance(entry, Report):
            return report_key(entry)
        return item_key(entry) if isinstance(entry, Item) else task_key(entry)
    if key == "text":
        return None if getattr(entry, "ref", None) or getattr(entry, "id", None) else " ".join(str(getattr(entry, "text", "")).split())
    value = getattr(entry, key, None)
    return str(value) if value is not None else None


REPORT_KEYS = ("key", "id", "title")
ITEM_KEYS = ("key", "id", "ref", "text")
TASK_KEYS = ("ref",)
"""Each kind's keys, tried in turn: the identity first (see `boardpack.identity`), then, for a
pair a change of `id:` on one side only has parted, the fields it is made of."""


# --- due dates ------------------------------------------------------------------------


def merge_due(before: Sequence[DueStep], typed: Sequence[DueStep]) -> tuple[DueStep, ...]:
    """Last period's history with this period's typed dates laid over it.

    A secretary types only the new date; the earlier ones come from last period. A date
    typed again keeps its note unless the new one gives a note of its own. When nothing
    is typed the history carries forward; when the typed current date is earlier than some
    of last period's dates (brought forward), those later dates are dropped.
    """
    if not before:
        return tuple(typed)
    if not typed:
        return tuple(before)
    if current_due(typed) is None:  # only words typed: they stand as this period's history
        return tuple(typed)
    # Steps of words (no date) keep their place before the first date that followed them.
    steps = list(before)
    for step in typed:
        if step.date is None:
            if step not in steps:
                steps.insert(_words_place(steps, typed, step), step)
            continue
        when = step.date.last_day
        same = [n for n, s in enumerate(steps) if s.date is not None and s.date.last_day == when]
        if same:
            if step.note:
                steps[same[0]] = step
            continue
        later = [n for n, s in enumerate(steps) if s.date is not None and s.date.last_day > when]
        steps.insert(later[0] if later else len(steps), step)
    current = current_due(typed)
    assert current is not None
    return tuple(s for s in steps if s.date is None or s.date.last_day <= current.last_day)


def _words_place(steps: list[DueStep], typed: Sequence[DueStep], step: DueStep) -> int:
    """Where a typed step of words goes: before the first dated step typed after it."""
    after = [s for s in typed[typed.index(step) + 1:] if s.date is not None]
    if after:
        assert after[0].date is not None
        when = after[0].date.last_day
        for n, s in enumerate(steps):
            if s.date is not None and s.date.last_day >= when:
                return n
    return len(steps)


def months_between(first: When, last: When) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def slippage(due: Sequence[DueStep]) -> str | None:
    """'Extended 2 times, 9 months after the first date (February 2020)'; None when never moved."""
    steps = dated(due)
    if len(steps) < 2:
        return None
    first, last = steps[0].date, steps[-1].date
    assert first is not None and last is not None
    extensions = len(steps) - 1
    months = months_between(first, last)
    times = "once" if extensions == 1 else f"{extensions} times"
    span = f"{months} month{'s' if months != 1 else ''}" if months > 0 else "less than a month"
    return f"Extended {times}: {span} after the first date ({first})"


# --- comparing ------------------------------------------------------------------------


_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_TRANSCRIBED = re.compile(r"(?:(?<=^)|(?<=\s))\[(?:\d{1,2}|[a-z]|[ivx]{1,4})\](?=\w)|^\s*\[(?:\d{1,2}|[a-z]|[ivx]{1,4})\]\s+", re.MULTILINE)
"""A list's own numbering typed into its text, '[1]their force', '[a] track': the excerpt has no list to number."""
_MARKUP = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\{[^}]*\}|\[\^[^\]]*\]|[*_`#>]+|\[([^\]]*)\]\([^)]*\)")
"""Markdown marks an excerpt leaves out, keeping the words: a span's attributes, also round words in brackets
('[[bullet 1] analytical capability]{.underline}'), footnote calls, emphasis, a link's address."""


def excerpt(text: str, limit: int = 110) -> str:
    """A recommendation's first words as plain text, for the changes list."""
    text = _TRANSCRIBED.sub("", _LIST_MARK.sub("", text))
    plain = " ".join(_MARKUP.sub(lambda m: m.group(1) or m.group(2) or "", text).split())
    if len(plain) <= limit:
        return plain
    cut = plain[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + " …"


def _effective(status: str | None, was: str | None, paired: bool) -> str | None:
    """NEW GREEN is GREEN now and not GREEN (or absent) last period."""
    if status not in COMPLETE:
        return status
    return "GREEN" if paired and was in COMPLETE else "NEW GREEN"


def _status_change(changes: Changes, entry: Change, was: str | None, now: str | None) -> None:
    if was == now or (was in COMPLETE and now in COMPLETE):
        return
    if now in COMPLETE:
        changes.newly_complete.append(entry)
    elif now == "RED":
        changes.newly_red.append(entry)
    elif was in DONE:
        changes.reopened.append(entry)
    elif now == "CLOSED":
        changes.closed.append(entry)
    else:
        direction = "improved" if was == "RED" and now == "AMBER" else "changed"
        changes.other.append(Change(entry.report, entry.ref, entry.text, was, now, direction))


def _slip(before: Sequence[DueStep], due: Sequence[DueStep]) -> Slip | None:
    was, now = current_due(before), current_due(due)
    if was is None or now is None or now.last_day <= was.last_day:
        return None
    return Slip(was, now, dated(due)[-1].note)


def _compare_entry(
    changes: Changes | None, notes: list[tuple[Path_, str]], at: Path_, report: str,
    now: Item | Task, was: Item | Task | None, since: When,
) -> Item | Task:
    """Resolve one item or task against its partner; record its changes (items only) and warnings."""
    typed = now.status
    status = _effective(typed, was.status if was else None, was is not None)
    if typed == "NEW GREEN" and was is not None and was.status in COMPLETE:
        notes.append((at + ("status",), f"typed NEW GREEN, but it was already {was.status} in {since}; "
                      "write GREEN (NEW GREEN is worked out from the previous paper)"))
    due = merge_due(was.due if was else (), now.due)
    entry = Change(report, now.ref, excerpt(now.text), was.status if was else None, status)
    if was is None and changes is not None and status in ("NEW GREEN", "RED", "CLOSED"):
        # not in last period's paper (a new item, or one of a new report): it reached its status this period,
        # so it counts with the items that moved there, and the paper's "17 newly complete" is the changes' 17
        _status_change(changes, Change(report, now.ref, entry.text, None, status, NEW_SINCE), None, status)
    if was is not None:
        if changes is not None:
            _status_change(changes, entry, was.status, status)
        slip = _slip(was.due, due)
        if slip:
            reason = slip.reason or "no reason given"
            if changes is not None:
                changes.slipped.append(Change(report, now.ref, entry.text, str(slip.was), str(slip.now), reason))
            if not slip.reason:
                notes.append((at + ("due",), f"due date extended from {slip.was} to {slip.now} with no reason; "
                              "add `note:` to the new date saying why (members will ask)"))
    return now.model_copy(update={"status": status, "due": due})


NO_ITEMS = "No recommendations for the force"
"""What a report with no items says wherever it is listed (an annual assessment, say)."""


def _report_items(report: Report, since: When, new: bool) -> str:
    """A new or removed report's items, for the changes list: '3 items: 3 AMBER', or that it has none."""
    if not report.items:
        return NO_ITEMS
    words = [item.status or "no status" for item in report.items]
    n = len(words)
    statuses = ", ".join(f"{words.count(word)} {word}" for word in (*STATUSES, "no status") if word in words)
    return f"{n} item{'s' if n != 1 else ''}" + (f" in the {since} paper" if not new else "") + f": {statuses}"


def resolve(current: Paper, previous: Paper | None) -> Resolved:
    """This period's paper resolved against last period's (itself already resolved), if any."""
    if previous is None:
        return Resolved(current, None)
    since = previous.paper.period
    changes = Changes(since)
    notes: list[tuple[Path_, str]] = []
    report_pairs, removed_reports = pair(current.reports, previous.reports, REPORT_KEYS)
    reports = []
    for r, report in enumerate(current.reports):
        old = previous.reports[report_pairs[r]] if r in report_pairs else None
        item_pairs, removed_items = pair(report.items, old.items if old else (), ITEM_KEYS)
        items = []
        for i, item in enumerate(report.items):
            was = old.items[item_pairs[i]] if old and i in item_pairs else None
            at: Path_ = ("reports", r, "items", i)
            if old is not None and was is None:
                changes.new_items.append(Change(report.title, item.ref, excerpt(item.text), None, item.status))
            resolved = _compare_entry(changes, notes, at, report.title, item, was, since)
            assert isinstance(resolved, Item)
            task_pairs, _ = pair(item.tasks, was.tasks if was else (), TASK_KEYS)
            tasks = []
            for t, task in enumerate(item.tasks):
                was_task = was.tasks[task_pairs[t]] if was and t in task_pairs else None
                done = _compare_entry(None, notes, at + ("tasks", t), report.title, task, was_task, since)
                assert isinstance(done, Task)
                tasks.append(done)
            items.append(resolved.model_copy(update={"tasks": tuple(tasks)}))
        if old is not None:
            for i in removed_items:
                gone = old.items[i]
                changes.removed_items.append(Change(report.title, gone.ref, excerpt(gone.text), gone.status, None))
        reports.append(report.model_copy(update={"items": tuple(items)}))
        if old is None:
            changes.new_reports.append(Change(report.title, None, report.title, None, None, _report_items(reports[-1], since, new=True)))
    for r in removed_reports:
        gone_report = previous.reports[r]
        changes.removed_reports.append(Change(gone_report.title, None, gone_report.title, None, None,
                                              _report_items(gone_report, since, new=False)))
    return Resolved(current.model_copy(update={"reports": tuple(reports)}), changes, notes)
