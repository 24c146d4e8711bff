"""Versions of each paper and the audit log, in the workspace database.

Every version of a paper file the workspace saw is kept whole (its text), with who made it,
when, and what changed item by item. A file changed outside the workspace (by `merge`, `roll`
or by hand) is recorded as a version "outside the workspace" the next time the workspace
writes the paper, so its history has no gaps a save could hide.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

OUTSIDE = "outside the workspace"
"""Who made a version the workspace did not write: the command line or a hand edit."""


@dataclass(frozen=True)
class Version:
    id: int
    paper: str
    hash: str
    who: str
    at: str
    changes: list[str]
    note: str

    @property
    def when(self) -> str:
        return when_words(self.at)


def when_words(at: str) -> str:
    """'6 December 2026, 07:14 UTC' from a stored time."""
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return at
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _version(row: sqlite3.Row) -> Version:
    return Version(row["id"], row["paper"], row["hash"], row["who"], row["at"], json.loads(row["changes"]), row["note"])


# Lists and look-ups read every column of a version but its text (the whole paper, tens of kilobytes).


def latest(db: sqlite3.Connection, paper: str) -> Version | None:
    row = db.execute("SELECT id, paper, hash, who, at, changes, note FROM versions WHERE paper = ? ORDER BY id DESC LIMIT 1", (paper,)).fetchone()
    return _version(row) if row else None


def by_hash(db: sqlite3.Connection, paper: str, digest: str) -> Version | None:
    row = db.execute("SELECT id, paper, hash, who, at, changes, note FROM versions WHERE paper = ? AND hash = ? ORDER BY id DESC LIMIT 1",
                     (paper, digest)).fetchone()
    return _version(row) if row else None


def get(db: sqlite3.Connection, paper: str, number: int) -> tuple[Version, str] | None:
    row = db.execute("SELECT * FROM versions WHERE paper = ? AND id = ?", (paper, number)).fetchone()
    return (_version(row), row["text"]) if row else None


def versions(db: sqlite3.Connection, paper: str) -> list[Version]:
    return [_version(row) for row in db.execute("SELECT id, paper, hash, who, at, changes, note FROM versions WHERE paper = ? ORDER BY id DESC", (paper,))]


def record(db: sqlite3.Connection, paper: str, digest: str, text: str, who: str, changes: list[str],
           note: str = "", at: str | None = None) -> Version:
    """Keep a version of a paper (unless it is the paper's latest already)."""
    last = latest(db, paper)
    if last is not None and last.hash == digest:
        return last
    cursor = db.execute("INSERT INTO versions (paper, hash, text, who, at, changes, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (paper, digest, text, who, at or now(), json.dumps(changes, ensure_ascii=False), note))
    row = db.execute("SELECT * FROM versions WHERE id = ?", (cursor.lastrowid,)).fetchone()
    return _version(row)


def audit(db: sqlite3.Connection, who: str, action: str, paper: str = "", detail: str = "", address: str = "") -> None:
    """One line of the audit log: a sign-in, a change, a restore, a download, an account change."""
    db.execute("INSERT INTO audit (at, who, action, paper, detail, address) VALUES (?, ?, ?, ?, ?, ?)",
               (now(), who, action, paper, detail, address))


def audit_log(db: sqlite3.Connection, paper: str | None = None, limit: int = 200) -> list[sqlite3.Row]:
    if paper is None:
        return list(db.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)))
    return list(db.execute("SELECT * FROM audit WHERE paper = ? ORDER BY id DESC LIMIT ?", (paper, limit)))
