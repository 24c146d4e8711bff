"""Start next period's paper from this one: `generate.py roll FILE --to 2021-12`.

The new file is this one with the period advanced, `previous` naming this file, NEW GREEN
turned to GREEN (it was new last period, not this one) and, if asked, reports whose
items are all done left out. Everything else, the secretary's comments included, is kept
as it was, through the round-trip writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError, UsageError
from .load import PAPER_SUFFIXES
from .model import DONE, When, parse_when
from .paperfile import PaperFile, edit_paper, valid_text
from .roundtrip import set_after


@dataclass
class Rolled:
    """What `roll` wrote (or, with `dry_run`, would write)."""

    path: Path
    period: When
    greens: int = 0
    dropped: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    """The items and tasks whose NEW GREEN becomes GREEN: 'Report title, No. 3' (a task: 'No. 3, task 3.1')."""
    was: When | None = None
    """The period of the paper rolled from."""
    reports: int = 0
    """Reports carried into the new paper."""
    items: int = 0
    """Items carried, with their statuses, due histories, comments and owners as they are."""
    written: bool = False
    archived: bool = False
    """Whether the paper rolled from was marked archived (`archive_previous`)."""


def next_quarter(period: When) -> str:
    """The month three months after `period`, as `--to` takes it: 2021-09 gives '2021-12'."""
    month = period.month or 12
    year, month = period.year + (month + 2) // 12, (month + 2) % 12 + 1
    return f"{year:04d}-{month:02d}"


def rolled_path(path: Path, period: When, to: When) -> Path:
    """'2021-09-hmicfrs-tracker.yaml' rolled to 2021-12 is '2021-12-hmicfrs-tracker.yaml'."""
    old, new = f"{period.year:04d}-{period.month:02d}", f"{to.year:04d}-{to.month:02d}"
    stem = path.stem.replace(old, new) if old in path.stem else f"{path.stem}-{new}"
    return path.with_name(stem + path.suffix)


def roll(path: Path, to: str, out: Path | None = None, *, drop_done: bool = False, label: str | None = None,
         dry_run: bool = False, archive_previous: bool = False) -> Rolled:
    """Write next period's paper file beside `path`; refuse to overwrite or to go backwards.

    With `archive_previous`, the paper at `path` is then marked `archived: true` (through its
    writer, comments kept): still read as the new paper's previous, no longer rebuilt.

    With `dry_run`, everything is checked and counted (what carries, what changes, what is left
    out) and nothing is written; the paper is read without its lock.
    """
    from .chain import prepare

    target_period = _new_period(to)
    # Read under the paper's lock, so a merge writing it now is either wholly in the new paper or not at all.
    with PaperFile.open(path, label, write=not dry_run) as doc:
        checked = prepare(path, label)
        if checked.paper is None or checked.errors:
            raise DataError(checked.problems)
        current = checked.paper.paper.period
        target = _target(path, out, to, current, target_period)
        info = doc.data["paper"]
        info["period"] = f"{target_period.year:04d}-{target_period.month:02d}"
        set_after(info, "previous", path.name, after=list(info)[-1])
        info.pop("archived", None)  # the new quarter is current, whatever the one rolled from was
        rolled = Rolled(target, target_period, was=current)
        _carry(doc.data["reports"], rolled, drop_done)
        text = doc.text()
    if dry_run:
        valid_text(text, target)  # as `create` checks it, so a preview promises only what a roll will do
        return rolled
    # The new paper under its own lock, the old one's let go first: one lock held at a time.
    PaperFile.create(target, text, str(target), like=doc)
    rolled.written = True
    if archive_previous:
        edit_paper(path, _archive, label)  # False when it was archived already: it is so either way
        rolled.archived = True
    return rolled


def _new_period(to: str) -> When:
    """The month of `--to`; a day or a date that cannot be read is refused."""
    try:
        target_period = parse_when(to)
    except ValueError as exc:
        raise UsageError(f"--to: {exc}") from None
    if target_period.day is not None:
        raise UsageError(f"--to {to}: give the month of the new period (YYYY-MM), not a day")
    return target_period


def _target(path: Path, out: Path | None, to: str, current: When, target_period: When) -> Path:
    """The new paper's file: after this paper's period, a paper file's name, beside `path`, and not there yet."""
    if target_period.last_day <= current.last_day:
        raise UsageError(f"--to {to}: the new period must be after this paper's period ({current})")
    target = out if out is not None else rolled_path(path, current, target_period)
    if target.suffix not in PAPER_SUFFIXES:
        raise UsageError(f"-o {target}: a paper file's name ends in .yaml or .yml")
    # Beside FILE's name, not its target's: a symlinked paper's next one sits beside the link.
    if target.parent.resolve() != path.parent.resolve():
        raise UsageError(f"-o {target}: the new paper must sit beside {path.name} (its `previous` names it by file name)")
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target} already exists; it was left as it was (remove it, or choose another name with -o)")
    return target


def _carry(reports: Any, rolled: Rolled, drop_done: bool) -> None:
    """Settle NEW GREEN in the reports carried and, with `drop_done`, leave out those whose items are all done; count both into `rolled`."""
    for n in reversed(range(len(reports))):
        report = reports[n]
        items = report.get("items") or []
        if drop_done and items and all(item.get("status") in DONE for item in items):
            rolled.dropped.insert(0, str(report.get("title")))
            del reports[n]
            continue
        title, settled = str(report.get("title")), []
        for item in items:
            name = f"{title}, No. {item.get('ref') or '(no number)'}"
            if _settle(item):
                settled.append(name)
            for task in item.get("tasks") or []:
                if _settle(task):
                    settled.append(f"{name}, task {task.get('ref')}")
        rolled.settled[0:0] = settled  # reports are walked last to first
        rolled.reports += 1
        rolled.items += len(items)
    rolled.greens = len(rolled.settled)
    if not reports:
        raise UsageError("--drop-done would leave out every report; a paper needs at least one")


def _archive(data: Any) -> None:
    set_after(data["paper"], "archived", True, after="previous")


def _settle(entry: Any) -> int:
    """NEW GREEN last period is plain GREEN from now on."""
    if entry.get("status") == "NEW GREEN":
        entry["status"] = "GREEN"
        return 1
    return 0
