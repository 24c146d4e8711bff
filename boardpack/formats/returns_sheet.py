"""The owners' return workbook as both its writer and its reader know it: sheets, columns, keys, what each row records.

`render.returns` lays the workbooks out; `intake.returns` reads them back and checks each row against its key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..derive.rows import Row
from ..history import excerpt
from ..identity import entry_key
from ..model import DONE, Item, Paper, Report, Task

SHEET = "Items"
KEYS_SHEET = "boardpack"
LOCKED = ("Key", "Report", "No.", "Recommendation", "Current status", "Current due date", "Latest comment")
OPEN = ("New status", "New due date", "Reason for the new date", "Update", "Rationale")
HEADERS = LOCKED + OPEN
HEADER_ROW = 8
"""Rows above the header hold the title and the instructions."""
UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class Entry:
    """One row of a return: an item, or one of its tasks, with what identifies it."""

    key: str
    """The row's hidden key in column A: 'K1', 'K2', ... in the order of the paper."""
    report: Report
    item: Item
    task: Task | None
    row: Row | None = None
    """The paper's view of this item or task: what is shown, as every other output shows it."""

    @property
    def ref(self) -> str:
        return (self.task.ref if self.task else self.item.ref) or ""

    @property
    def identity(self) -> str:
        """The item's (or task's) key in its paper (`boardpack.identity.entry_key`)."""
        return entry_key(self.report, self.item, self.task)

    @property
    def state(self) -> str:
        return state(self.task or self.item)

    @property
    def shown(self) -> tuple[str, str, str]:
        """Report, No. and Recommendation as the row shows them, for the cross-check of a sorted sheet."""
        subject = self.task or self.item
        return self.report.title, self.ref, excerpt(subject.text, limit=TEXT_LIMIT)


BASE_FIELDS = ("status", "due", "comment", "rationale")
"""The fields of an item an owner's return changes, whose state when the workbook was made it keeps."""


def fingerprint(text: str) -> str:
    """A short fingerprint of a field's text, as the hidden sheet keeps it."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fields(entry: Item | Task) -> dict[str, str]:
    """The state of each field a return changes: the status as it is, a fingerprint of the others.

    `merge` compares them with the state the workbook recorded (`state`), field by field: a
    field the secretariat changed since is a conflict only where the owner changed it too.
    """
    comment = entry.comment if isinstance(entry, Item) else entry.position
    due = "|".join(f"{s.date}:{s.note or ''}" if s.date is not None else f"words:{s.words}" for s in entry.due)
    return {"status": entry.status or "", "due": fingerprint(due), "comment": fingerprint(comment or ""),
            "rationale": fingerprint(entry.rationale or "")}


def state(entry: Item | Task) -> str:
    """The state of an item's fields as the workbook is made (`fields`), as the hidden sheet keeps it."""
    return json.dumps(fields(entry), separators=(",", ":"))


KEYS_FIRST_ROW = 6
"""The hidden sheet: paper, period, owner and check in rows 1-4, then one row per entry (`record`)."""
KEYS_COLUMNS = ("Key", "Identity", "State", "Report", "No.", "Recommendation")
"""State: each field's state when the workbook was made (`state`), the base of merge's three-way comparison."""
"""What the hidden sheet records of each row sent, in its row 5."""


def record(entry: Entry) -> tuple[str, str, str, str, str, str]:
    """What the hidden sheet keeps of a row: its key, identity and state, and what the row shows."""
    return (entry.key, entry.identity, entry.state, *entry.shown)


def digest(paper_file: str, period: str, owner: str, recorded: Sequence[Sequence[str]]) -> str:
    """A check over everything the hidden sheet records, so an edit of it is noticed.

    Not a secret: it catches a hand edit of the hidden sheet (unhidden in Excel), while what a
    forged sheet could ask for is bounded by `merge` itself, which works out from the paper
    which items the named owner was sent and refuses any other.
    """
    folded = [[" ".join(value.split()) for value in values] for values in recorded]  # as any spreadsheet keeps them
    text = json.dumps([paper_file, period, owner, folded], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


TEXT_LIMIT = 400
"""Characters of the recommendation and of the latest comment shown: enough to recognise the
item and where it stood, short enough that a row prints on a page."""


def latest(comment: str | None, newest_first: bool = False) -> str:
    """Where a comment gives the latest position, shortened to what a row shows.

    Its first paragraphs when a dated update leads it in a paper that puts updates first
    (`updates: newest-first`), else its last paragraphs.
    """
    if not comment:
        return ""
    newest_first = newest_first and comment.lstrip().startswith("[Update, ")
    paragraphs = [p for p in comment.strip().split("\n\n") if p.strip()]
    shown: list[str] = []
    for paragraph in (paragraphs if newest_first else reversed(paragraphs)):
        text = excerpt(paragraph, limit=TEXT_LIMIT)
        if shown and sum(len(t) for t in shown) + len(text) > TEXT_LIMIT:
            break
        shown.insert(len(shown) if newest_first else 0, text)
    if len(shown) == len(paragraphs):
        return " ".join(shown)
    return " ".join(shown) + " …" if newest_first else "… " + " ".join(shown)


def holder(item: Item) -> str:
    """Who answers for an item: its owner, the lead of a WHITE item, or nobody yet."""
    if item.owner:
        return item.owner
    if item.status == "WHITE" and item.lead:
        return item.lead
    return UNASSIGNED


def open_entries(paper: Paper) -> Iterator[tuple[str, Entry]]:
    """(holder, entry) for every item not yet done, and its tasks not yet done.

    This is what each owner is sent; `merge` works it out again from the paper to accept from
    a workbook only the rows of its own owner.
    """
    n = 0
    for report in paper.reports:
        for item in report.items:
            if item.status in DONE:
                continue
            n += 1
            yield holder(item), Entry(f"K{n}", report, item, None)
            for task in item.tasks:
                if task.status not in DONE:
                    n += 1
                    yield holder(item), Entry(f"K{n}", report, item, task)
