"""The identity of each report, item and task: one key, unique in its paper, kept across quarters.

Returns, merge, the pairing of a paper with last quarter's (`history`) and links into a paper
all name a row by this key, so an update can only ever land on the row it was written for.

A key is the `id:` typed on the entry when there is one, and otherwise worked out from what
the secretariat already keeps unique and steady from one quarter to the next:

- a report: the slug of its title ('A review of Fraud: Time to choose' ->
  'a-review-of-fraud-time-to-choose'), so a change of case or punctuation alone does not
  make it another report;
- an item: its `ref` as typed ('3a'); an item the inspectorate left unnumbered: 't-' and the
  first 12 hex digits of the SHA-256 of its text, spaces folded ('t-5e3a0c...');
- a task: its `ref` (required, and unique in its item).

`check` refuses a paper in which two reports, or two items of one report, share a key,
naming both lines: giving one of them an `id:` resolves it. `roll` copies titles, refs and
texts unchanged, so every derived key survives it and nothing needs writing; an edit that
changes a title, a ref or an unnumbered item's text changes that key, which is what `id:` is
for (a writer making such an edit keeps the old key by writing it as `id:` first).

The key of a row in a whole paper is its parts joined by '/', each percent-encoded
(`entry_key`), which is URL-safe as it stands: '/reports/<report>/<item>[/<task>]'.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote, unquote

from .model import Item, Report, Task

TEXT_KEY_PREFIX = "t-"
"""Marks the key of an unnumbered item: the hash of its text."""
TEXT_KEY_DIGITS = 12
"""Hex digits of the text's hash kept: 48 bits, so a paper's unnumbered items never meet by chance."""

_NOT_WORD = re.compile(r"[\W_]+")


def slug(text: str) -> str:
    """Lower-case words joined by '-': 'Roads Policing: Not Optional' -> 'roads-policing-not-optional'.

    Letters of any script are kept (they are percent-encoded in a link); a title with no
    letters or digits at all falls back to the hash of its text.
    """
    words = _NOT_WORD.sub("-", text.casefold()).strip("-")
    return words or text_key(text)


def text_key(text: str) -> str:
    """The key of an unnumbered item: a hash of its text with runs of white space folded."""
    folded = " ".join(text.split())
    return TEXT_KEY_PREFIX + hashlib.sha256(folded.encode("utf-8")).hexdigest()[:TEXT_KEY_DIGITS]


def report_key(report: Report) -> str:
    """A report's key: its `id:`, else the slug of its title."""
    return report.id if report.id else slug(report.title)


def item_key(item: Item) -> str:
    """An item's key within its report: its `id:`, else its `ref`, else the hash of its text."""
    if item.id:
        return item.id
    if item.ref:
        return item.ref
    return text_key(item.text)


def task_key(task: Task) -> str:
    """A task's key within its item: its `ref`."""
    return task.ref


def key_source(item: Item) -> str:
    """Which field an item's key comes from, for messages: 'id', 'ref' or 'text'."""
    return "id" if item.id else "ref" if item.ref else "text"


def entry_key(report: Report, item: Item, task: Task | None = None) -> str:
    """The key of an item (or one of its tasks) in its paper: 'report/item[/task]', each part percent-encoded.

    URL-safe as it stands, so a link can carry it; `split_key` gives the parts back.
    """
    parts = [report_key(report), item_key(item)] + ([task_key(task)] if task is not None else [])
    return "/".join(quote(part, safe="") for part in parts)


def split_key(key: str) -> tuple[str, ...]:
    """The parts of an `entry_key`: (report, item) or (report, item, task)."""
    return tuple(unquote(part) for part in key.split("/"))


def index(reports: tuple[Report, ...]) -> dict[str, tuple[int, int, int | None]]:
    """Every item's and task's `entry_key` -> (report, item, task index or None).

    For a paper that passed `check`, keys are unique; were two alike, the first is kept.
    """
    found: dict[str, tuple[int, int, int | None]] = {}
    for r, report in enumerate(reports):
        for i, item in enumerate(report.items):
            found.setdefault(entry_key(report, item), (r, i, None))
            for t, task in enumerate(item.tasks):
                found.setdefault(entry_key(report, item, task), (r, i, t))
    return found
