"""The owners' round of a paper: who gets a workbook, the drafts to send, and what is still missing.

`make_round` works out, from the paper (resolved, as every output reads it) and the owners
directory, which owners are sent a workbook: items owned inside the force go to their owner;
WHITE items' leads and bodies the directory marks outside are left out unless asked for;
open items with nobody to answer for them are listed as needing an owner, never bundled. It
makes each owner's workbook and an e-mail draft to send it with, and the round's state:
`round.json` beside the workbooks, which `merge` brings up to date (returned, merged, which
items got an update), so the chase list (`returns --status`) depends on nothing remembered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .drafts import REMINDER_TEMPLATE, RETURN_TEMPLATE, Attachment, Draft, render
from .errors import DataError
from .formats.returns_sheet import UNASSIGNED, Entry, open_entries
from .history import excerpt
from .model import DONE, Item, Paper, Task, When, current_due, parse_when
from .owners import Directory, directory_near, route

ROUND_FILE = "round.json"
"""The round's state, beside its workbooks."""
ROUND_VERSION = 1


@dataclass
class OwnerRound:
    """One owner's part of the round."""

    workbook: str
    draft: str
    items: list[str]
    """The identities (`identity.entry_key`) of the rows their workbook holds."""
    to: str | None = None
    cc: str | None = None
    sent: str | None = None
    """When the message went by SMTP (`--send`); None when the draft is sent by hand."""
    returned: str | None = None
    """When a workbook of theirs was first given to `merge`."""
    merged: str | None = None
    """When their return was last merged into the paper."""
    updated: list[str] = field(default_factory=list)
    """The identities a merge changed from their return."""
    merged_books: list[str] = field(default_factory=list)
    """SHA-256 of each workbook of theirs that was merged, so merging one again is told apart."""


@dataclass
class Round:
    """The whole round: made when, due back when, and each owner's part."""

    paper: str
    period: str
    made: str
    return_by: str
    owners: dict[str, OwnerRound]
    unowned: list[str] = field(default_factory=list)
    """Open items with nobody to answer for them (report, No.), listed for the secretariat."""
    outside: dict[str, int] = field(default_factory=dict)
    """Outside bodies and WHITE leads left out, with how many items each."""
    version: int = ROUND_VERSION

    def to_json(self) -> bytes:
        return (json.dumps(asdict(self), indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")

    @classmethod
    def read(cls, folder: Path) -> Round | None:
        """The round kept in `folder`, or None when there is none (or it is not one this version reads)."""
        path = folder / ROUND_FILE
        try:
            raw = json.loads(path.read_bytes())
            owners = {name: OwnerRound(**part) for name, part in raw.pop("owners").items()}
            return cls(owners=owners, **raw)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None


@contextlib.contextmanager
def round_lock(folder: Path) -> Iterator[None]:
    """Hold the round's state for one writer (`returns`, `merge`) at a time: a lock file beside it."""
    from filelock import FileLock

    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(folder / f".{ROUND_FILE}.lock"):
        yield


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def when_words(value: str | None, missing: str = "") -> str:
    """A time or date the round keeps, as the papers write dates: '6 December 2026', 'January 2022'."""
    if not value:
        return missing
    if "T" in value:
        stamp = dt.datetime.fromisoformat(value)
        return f"{stamp.day} {stamp:%B %Y}"
    try:
        return str(parse_when(value))
    except ValueError:
        return value


def record_sent(state: Round, owners: Iterable[str]) -> Round:
    """The round after its messages went by SMTP to these owners."""
    now = _now()
    for owner in owners:
        state.owners[owner].sent = now
    return state


def _item_line(entry: Entry, period: When) -> dict[str, Any]:
    subject: Item | Task = entry.task or entry.item
    due = current_due(subject.due)
    overdue = subject.status not in DONE and subject.status != "WHITE" and due is not None and due.last_day < period.last_day
    return {"report": entry.report.title, "ref": entry.ref or "(no number)", "text": excerpt(subject.text, limit=120),
            "status": subject.status or "", "due": str(due) if due else "no date", "overdue": overdue, "due_when": due}


@dataclass
class Made:
    """What `make_round` made: the files to write, the round, and what was left out."""

    files: dict[str, bytes]
    round: Round
    drafts: list[Draft]


def routed_entries(paper: Paper, directory: Directory | None, include_outside: bool,
                   include_unowned: bool = False) -> tuple[dict[str, list[Entry]], list[Entry], dict[str, list[Entry]]]:
    """(owner -> entries sent, entries with no owner, outside -> entries left out), in the paper's order.

    With `include_unowned`, the items with no owner go to one workbook, 'Unassigned', for the
    secretariat to fill in or pass on, and are no longer listed as needing an owner.
    """
    triples = []
    for holder, entry in open_entries(paper):
        lead = holder != UNASSIGNED and not entry.item.owner  # a WHITE item's lead: an outside body
        triples.append((None if holder == UNASSIGNED else holder, lead, entry))
    routed = route(triples, directory, include_outside=include_outside)
    if include_unowned and routed.unowned:
        return {**routed.to, UNASSIGNED: routed.unowned}, [], routed.outside
    return routed.to, routed.unowned, routed.outside


def make_round(checked: Any, paper_file: str, templates: Path, *, include_outside: bool = False, include_unowned: bool = False,
               return_by: When | None = None, palette: Any = None, sender: str | None = None) -> Made:
    """The workbooks, drafts and state of a new round for a checked paper (`build.prepare`)."""
    from .render.sheets.returns import file_names, workbook_of

    resolved = checked.resolved
    paper: Paper = resolved.paper
    directory, problems = directory_near(checked.path)
    if problems:
        raise DataError(problems)
    sent, unowned, outside = routed_entries(paper, directory, include_outside, include_unowned)
    period = paper.paper.period
    due_back = return_by or _default_return_by()
    books = workbook_of(resolved, paper_file, {owner: entries for owner, entries in sent.items()}, palette)
    names = file_names(list(sent))
    files: dict[str, bytes] = {}
    owners: dict[str, OwnerRound] = {}
    drafts: list[Draft] = []
    made = _now()
    for owner in sorted(sent):
        entries = sent[owner]
        name = names[owner]
        files[name] = books[owner]
        to, cc = directory.addresses(owner) if directory else (None, None)
        items = [_item_line(entry, period) for entry in entries]
        context = {"owner": owner, "paper": {"title": paper.paper.title, "committee": paper.paper.committee, "period": str(period)},
                   "return_by": str(due_back), "workbook": name, "count": len(entries), "items": items,
                   "overdue": [i for i in items if i["overdue"]], "red": [i for i in items if i["status"] == "RED"],
                   "sender": sender, "meeting": str(paper.meeting) if paper.meeting else None}
        subject, body = render(templates, RETURN_TEMPLATE, context)
        draft = Draft(owner, to, cc, subject, body, (Attachment(name, books[owner]),))
        drafts.append(draft)
        draft_name = name.removesuffix(".xlsx") + ".eml"
        files[draft_name] = draft.eml(sender)
        owners[owner] = OwnerRound(name, draft_name, [entry.identity for entry in entries], to, cc)
    state = Round(paper_file, period.iso, made, due_back.iso, owners,
                  [f"{entry.report.title}, No. {entry.ref or '(no number)'}" for entry in unowned],
                  {name: len(entries) for name, entries in sorted(outside.items())})
    files[ROUND_FILE] = state.to_json()
    return Made(files, state, drafts)


def carry_over(made: Made, folder: Path) -> Made:
    """Keep what the round kept in `folder` knows of each owner whose workbook comes out the same again.

    Making the workbooks again (after a typo is fixed, say) must not forget who was sent theirs
    and who returned it; an owner whose workbook changed starts afresh. When nothing changed at
    all, the round keeps the day it was made, so its files are the same bytes.
    """
    before = Round.read(folder)
    state = made.round
    if before is None or (before.paper, before.period) != (state.paper, state.period):
        return made
    same = set()
    for owner, part in state.owners.items():
        old = before.owners.get(owner)
        path = folder / part.workbook
        if old is not None and old.workbook == part.workbook and path.is_file() and path.read_bytes() == made.files[part.workbook]:
            same.add(owner)
            state.owners[owner] = OwnerRound(part.workbook, part.draft, part.items, part.to, part.cc, old.sent, old.returned,
                                             old.merged, old.updated, old.merged_books)
    if same == set(state.owners) == set(before.owners) and state.return_by == before.return_by:
        state.made = before.made
    made.files[ROUND_FILE] = state.to_json()
    return made


def _default_return_by() -> When:
    day = dt.date.today() + dt.timedelta(days=14)
    return When(day.year, day.month, day.day)


def stale(folder: Path, keep: Iterable[str]) -> list[Path]:
    """Workbooks and drafts of an earlier round in `folder` that the new round does not make."""
    kept = {name.casefold() for name in keep}
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in (".xlsx", ".eml") and p.name.casefold() not in kept
                  and not p.name.startswith(".") and p.is_file())


def book_digest(path: Path) -> str:
    """The workbook's SHA-256; OSError for what is not a regular file of a return's size.

    A FIFO would block the open and /dev/zero never end; `read_return` then refuses the file by name.
    """
    from .intake.gate import Refused, read_file
    from .intake.returns import MAX_WORKBOOK_BYTES

    try:
        return hashlib.sha256(read_file(path, MAX_WORKBOOK_BYTES, "workbook")).hexdigest()
    except Refused as exc:
        raise OSError(str(exc)) from None


def already_merged(state: Round | None, books: Sequence[Path]) -> list[tuple[Path, str, str]]:
    """(workbook, owner, when) for each workbook given that was merged before, byte for byte."""
    if state is None:
        return []
    found = []
    for book in books:
        try:
            digest = book_digest(book)
        except OSError:
            continue
        for owner, part in state.owners.items():
            if digest in part.merged_books:
                found.append((book, owner, when_words(part.merged)))
    return found


def record_merge(state: Round, owners: dict[str, list[str]], digests: dict[str, str], *, written: bool) -> Round:
    """The round after a merge: who returned, whose return was merged, and which of their items changed."""
    now = _now()
    for owner, identities in owners.items():
        part = state.owners.get(owner)
        if part is None:
            continue
        part.returned = part.returned or now
        if written:
            part.merged = now
            part.updated = sorted(set(part.updated) | set(identities))
            if owner in digests and digests[owner] not in part.merged_books:
                part.merged_books.append(digests[owner])
    return state


# --- the chase list and reminders ---------------------------------------------------------------


@dataclass(frozen=True)
class Chase:
    """One owner's line of the chase list."""

    owner: str
    part: OwnerRound
    missing: list[str]
    """Their items (report, No.) still without an update."""
    due_soon: list[dict[str, Any]]
    """Items due within the weeks asked for, or before the next meeting; each line's `why` says which."""
    overdue: list[dict[str, Any]]


def next_meeting(paper: Paper, today: dt.date) -> When | None:
    """The meeting the paper goes to (`Paper.meeting`), while it is still to come."""
    meeting = paper.meeting
    return meeting if meeting is not None and meeting.last_day >= today else None


def due_why(due: When, today: dt.date, horizon: dt.date, meeting: When | None) -> str | None:
    """Why an item not yet overdue is to be reminded of: due before the next meeting, or within the weeks; None if neither."""
    if meeting is not None and due.first_day <= meeting.first_day:
        return f"before the meeting on {meeting}"
    if due.first_day <= horizon:
        return f"within {(horizon - today).days // 7} weeks"
    return None


def chase_list(state: Round, paper: Paper, *, weeks: int = 6, today: dt.date | None = None) -> list[Chase]:
    """Per owner of the round: what came back, what is still missing, what falls due soon or is overdue.

    Due soon: within `weeks` of today, or before the meeting the paper goes to (`Paper.meeting`).
    """
    from .identity import index

    today = today or dt.date.today()
    horizon = today + dt.timedelta(weeks=weeks)
    meeting = next_meeting(paper, today)
    where = index(paper.reports)
    lines = []
    for owner, part in sorted(state.owners.items()):
        missing, soon, late = [], [], []
        for key in part.items:
            found = where.get(key)
            if found is None:
                continue
            r, i, t = found
            report = paper.reports[r]
            item = report.items[i]
            entry = Entry("", report, item, item.tasks[t] if t is not None else None)
            line = _item_line(entry, paper.paper.period)
            subject: Item | Task = entry.task or item
            if key not in part.updated:
                missing.append(f"{report.title}, No. {line['ref']}")
            due = line["due_when"]
            if subject.status in DONE or subject.status == "WHITE" or due is None:
                continue
            if due.last_day < today:
                late.append({**line, "why": "overdue"})
            elif (why := due_why(due, today, horizon, meeting)) is not None:
                soon.append({**line, "why": why})
        lines.append(Chase(owner, part, missing, soon, late))
    return lines


def reminders(state: Round, chase: Sequence[Chase], paper: Paper, templates: Path, folder: Path, sender: str | None = None) -> list[Draft]:
    """A reminder draft for each owner whose return is missing, or who has items overdue or due soon."""
    drafts = []
    for line in chase:
        missing = line.part.returned is None
        if not (missing or line.overdue or line.due_soon):
            continue
        context = {"owner": line.owner, "paper": {"title": paper.paper.title, "committee": paper.paper.committee,
                                                  "period": str(paper.paper.period)},
                   "return_by": when_words(state.return_by), "workbook": line.part.workbook, "count": len(line.part.items),
                   "items": [], "red": [], "overdue": line.overdue, "due_soon": line.due_soon, "missing": missing,
                   "sent": when_words(line.part.sent), "sender": sender, "meeting": str(paper.meeting) if paper.meeting else None}
        subject, body = render(templates, REMINDER_TEMPLATE, context)
        attachments: tuple[Attachment, ...] = ()
        book = folder / line.part.workbook
        if missing and book.is_file():
            attachments = (Attachment(book.name, book.read_bytes()),)
        drafts.append(Draft(line.owner, line.part.to, line.part.cc, subject, body, attachments))
    return drafts
