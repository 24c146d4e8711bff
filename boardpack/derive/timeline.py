"""Every item's story across quarters, from the whole chain of papers: pure, beside `history`.

Members ask when a recommendation was made, when it first went RED, how many times its date
moved and why, and when it was done. `history` compares one quarter with the one before;
this module reads the whole chain (each paper already resolved against its previous, so
statuses are as printed) and follows each item by its identity (`identity.entry_key`), from
the first paper it appears in to the latest.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ..history import excerpt, months_between
from ..identity import entry_key
from ..model import DONE, DueStep, Item, Paper, When, current_due, dated


@dataclass(frozen=True)
class Quarter:
    """One item as one quarter's paper printed it."""

    period: When
    status: str | None
    due: When | None
    owner: str | None
    change: str | None
    """What moved since the quarter before: 'AMBER → RED', 'due June 2021 → September 2021'; None the first time."""
    update: str | None
    """The words added to the comment that quarter (a short excerpt), if any."""


@dataclass(frozen=True)
class Extension:
    """A due date moved later."""

    was: When
    now: When
    reason: str | None
    seen: When | None
    """The quarter whose paper first gave the new date (None: before the first paper of the chain)."""


@dataclass(frozen=True)
class Timeline:
    """One item's path through the chain."""

    key: str
    report: str
    ref: str | None
    text: str
    made: When | None
    """When the recommendation was made: its report's publication, else the first paper it is in."""
    quarters: tuple[Quarter, ...]
    first_red: When | None
    extensions: tuple[Extension, ...]
    completed: When | None
    """The first quarter it was GREEN or NEW GREEN (and stayed done)."""
    closed: When | None

    @property
    def status(self) -> str | None:
        return self.quarters[-1].status

    @property
    def anchor(self) -> str:
        """An id for the timeline in a web page: the key's parts hold '%' and '/', which a fragment would have to escape."""
        return "timeline-" + hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:12]

    @property
    def open(self) -> bool:
        return self.status not in DONE

    @property
    def moved_more_than_once(self) -> bool:
        return len(self.extensions) > 1

    def age(self, at: When) -> int | None:
        """Whole months from when it was made to `at`."""
        return months_between(self.made, at) if self.made is not None else None


def _owner(item: Item) -> str | None:
    return item.owner or (item.lead if item.status == "WHITE" else None)


def _paragraphs(text: str | None) -> list[str]:
    return [" ".join(p.split()) for p in (text or "").split("\n\n") if p.strip()]


def _added(before: str | None, now: str | None) -> str | None:
    """The paragraphs of `now` that `before` did not have, as a short excerpt."""
    old = set(_paragraphs(before))
    new = [p for p in _paragraphs(now) if p not in old]
    return excerpt(" ".join(new), limit=200) if new else None


def _change(was: Quarter | None, status: str | None, due: When | None) -> str | None:
    if was is None:
        return None
    parts = []
    if was.status != status:
        parts.append(f"{was.status or 'no status'} → {status or 'no status'}")
    if was.due != due and due is not None:
        parts.append(f"due {was.due} → {due}" if was.due is not None else f"due {due}")
    return "; ".join(parts) or None


def _extensions(due: Sequence[DueStep], quarters: Sequence[Quarter]) -> tuple[Extension, ...]:
    steps = dated(due)
    found = []
    for before, step in zip(steps, steps[1:], strict=False):
        assert before.date is not None and step.date is not None
        if step.date <= before.date:
            continue
        seen = next((q.period for q in quarters if q.due == step.date), None)
        found.append(Extension(before.date, step.date, step.note, seen))
    return tuple(found)


def timelines(papers: Sequence[Paper]) -> dict[str, Timeline]:
    """Each item of the latest paper (the last of `papers`, oldest first), by its identity key."""
    if not papers:
        return {}
    seen: dict[str, list[tuple[When, Item]]] = {}
    for paper in papers:
        for report in paper.reports:
            for item in report.items:
                seen.setdefault(entry_key(report, item), []).append((paper.paper.period, item))
    latest = papers[-1]
    out: dict[str, Timeline] = {}
    for report in latest.reports:
        for item in report.items:
            key = entry_key(report, item)
            history = seen[key]
            quarters: list[Quarter] = []
            comment: str | None = None
            for period, entry in history:
                due = current_due(entry.due)
                was = quarters[-1] if quarters else None
                quarters.append(Quarter(period, entry.status, due, _owner(entry), _change(was, entry.status, due),
                                        _added(comment, entry.comment)))
                comment = entry.comment
            first_red = next((q.period for q in quarters if q.status == "RED"), None)
            completed = None
            for q in quarters:
                if q.status in ("GREEN", "NEW GREEN") and completed is None:
                    completed = q.period
                elif q.status not in ("GREEN", "NEW GREEN"):
                    completed = None
            closed = next((q.period for q in quarters if q.status == "CLOSED"), None) if item.status == "CLOSED" else None
            made = report.published or quarters[0].period
            out[key] = Timeline(key, report.title, item.ref, excerpt(item.text), made, tuple(quarters), first_red,
                                _extensions(item.due, quarters), completed, closed)
    return out


@dataclass(frozen=True)
class Ages:
    """How old the open items are, in months since they were made, and how many dates moved more than once."""

    median: float | None
    oldest: int | None
    moved_twice: int


def ages(lines: dict[str, Timeline], at: When) -> Ages:
    months = [age for line in lines.values() if line.open and (age := line.age(at)) is not None]
    return Ages(statistics.median(months) if months else None, max(months) if months else None,
                sum(1 for line in lines.values() if line.moved_more_than_once))


def notable(line: Timeline, at: When) -> bool:
    """Whether a timeline belongs in the paper's appendix: RED, overdue, or moved more than once."""
    due = line.quarters[-1].due
    overdue = line.open and line.status != "WHITE" and due is not None and due.last_day < at.last_day
    return line.status == "RED" or overdue or line.moved_more_than_once
