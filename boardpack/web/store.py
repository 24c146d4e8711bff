"""The workspace's database: one SQLite file for accounts, sessions, versions and the audit log.

SQLite from the standard library needs no service; WAL mode lets readers go on while a save
writes. The file is never served: no route reads it but through these functions.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DEFAULT_NAME = ".boardpack-workspace.sqlite3"
"""The database's file name in the data folder, unless `--database` names another."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    password TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS setup (
    token TEXT PRIMARY KEY,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    paper TEXT NOT NULL,
    hash TEXT NOT NULL,
    text TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    changes TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS versions_paper ON versions(paper, id);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    paper TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
"""


def default_database(data: Path) -> Path:
    """Where the database lives by default: beside the papers it records, in the data folder."""
    return data / DEFAULT_NAME


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if need be) the workspace database, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 10000")
    if new:
        path.chmod(0o600)
        db.execute("PRAGMA journal_mode = WAL")
    db.executescript(SCHEMA)
    return db
