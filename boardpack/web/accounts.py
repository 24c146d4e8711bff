"""Accounts: users, roles, password hashes, sessions, sign-in throttling and the first-start token.

Passwords are hashed with scrypt (salted, deliberately slow; `hashlib.scrypt`). Repeated
failed sign-ins are slowed per account and per address: after a few failures each further
attempt must wait, twice as long each time, up to a quarter of an hour.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
import time
from dataclasses import dataclass

ROLES = ("reader", "editor", "admin")
ROLE_WORDS = {"reader": "views and downloads", "editor": "also changes papers", "admin": "also manages accounts"}
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_NAME = 64
SESSION_SECONDS = 12 * 3600
"""A session ends after this long without a request: a working day."""

FREE_FAILURES = 3
"""Failed sign-ins allowed before the waits start."""
MAX_WAIT = 15 * 60
FORGET_AFTER = 24 * 3600

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AccountError(ValueError):
    """A request about accounts that cannot be done, in words for the person who asked."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_edit(self) -> bool:
        return self.role in ("editor", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **_SCRYPT)
    params = f"{_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}"
    return f"scrypt${params}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=32, maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


_DUMMY = hash_password("a password no account has")


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not all(c.isalnum() or c in "._-@" for c in name):
        raise AccountError(f"'{name[:MAX_NAME]}' cannot be a user name; use letters, digits and . _ - @ "
                           f"(at most {MAX_NAME} characters), such as j.smith")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short; use at least {MIN_PASSWORD} characters (a few words make a good one)")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password is longer than {MAX_PASSWORD} characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"'{role}' is not a role; allowed: {', '.join(ROLES)}")
    return role


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def add_user(db: sqlite3.Connection, name: str, role: str, password: str) -> User:
    name, role = check_name(name), check_role(role)
    check_password(password)
    try:
        db.execute("INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)", (name, role, hash_password(password), _now()))
    except sqlite3.IntegrityError:
        raise AccountError(f"there is already an account named {name}") from None
    return User(name, role)


def get_user(db: sqlite3.Connection, name: str) -> User | None:
    row = db.execute("SELECT name, role FROM users WHERE name = ?", (name,)).fetchone()
    return User(row["name"], row["role"]) if row else None


def list_users(db: sqlite3.Connection) -> list[tuple[User, str]]:
    return [(User(row["name"], row["role"]), row["created"]) for row in db.execute("SELECT name, role, created FROM users ORDER BY name")]


def count_users(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COUNT(*) FROM users").fetchone()[0])


def _need(db: sqlite3.Connection, name: str) -> User:
    user = get_user(db, name)
    if user is None:
        raise AccountError(f"there is no account named {name}")
    return user


def _last_admin(db: sqlite3.Connection, user: User) -> bool:
    return user.is_admin and int(db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0]) <= 1


def set_role(db: sqlite3.Connection, name: str, role: str) -> User:
    user = _need(db, name)
    check_role(role)
    if role != "admin" and _last_admin(db, user):
        raise AccountError(f"{name} is the only admin; make another account admin first")
    db.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
    return User(name, role)


def set_password(db: sqlite3.Connection, name: str, password: str) -> None:
    _need(db, name)
    check_password(password)
    db.execute("UPDATE users SET password = ? WHERE name = ?", (hash_password(password), name))
    db.execute("DELETE FROM sessions WHERE user = ?", (name,))  # a new password signs out every browser
    db.execute("DELETE FROM failures WHERE key = ?", (f"user:{name}",))


def remove_user(db: sqlite3.Connection, name: str) -> None:
    user = _need(db, name)
    if _last_admin(db, user):
        raise AccountError(f"{name} is the only admin; make another account admin first")
    db.execute("DELETE FROM sessions WHERE user = ?", (name,))
    db.execute("DELETE FROM users WHERE name = ?", (name,))


# --- signing in ------------------------------------------------------------------------------


def wait_for(db: sqlite3.Connection, keys: list[str], now: float | None = None) -> int:
    """Seconds before another sign-in may be tried for these keys (account and address); 0: now."""
    now = time.time() if now is None else now
    longest = 0.0
    for key in keys:
        row = db.execute("SELECT count, last FROM failures WHERE key = ?", (key,)).fetchone()
        if row is None or row["count"] < FREE_FAILURES:
            continue
        wait = min(2 ** (row["count"] - FREE_FAILURES + 1), MAX_WAIT)
        longest = max(longest, row["last"] + wait - now)
    return max(0, int(longest + 0.999))


def _failed(db: sqlite3.Connection, keys: list[str], now: float) -> None:
    for key in keys:
        db.execute("INSERT INTO failures (key, count, last) VALUES (?, 1, ?) "
                   "ON CONFLICT(key) DO UPDATE SET count = count + 1, last = excluded.last", (key, now))
    db.execute("DELETE FROM failures WHERE last < ?", (now - FORGET_AFTER,))


def sign_in(db: sqlite3.Connection, name: str, password: str, address: str) -> User:
    """The user whose name and password these are; AccountError (same words either way) if not."""
    now = time.time()
    keys = [f"user:{name.strip()[:MAX_NAME]}", f"addr:{address}"]
    wait = wait_for(db, keys, now)
    if wait:
        raise AccountError(f"too many failed sign-ins; wait {wait} seconds, then try again")
    row = db.execute("SELECT name, role, password FROM users WHERE name = ?", (name.strip(),)).fetchone()
    ok = verify_password(password, row["password"] if row else _DUMMY)  # as slow for an unknown name
    if row is None or not ok:
        _failed(db, keys, now)
        raise AccountError("the user name or the password is not right")
    db.execute("DELETE FROM failures WHERE key IN (?, ?)", keys)
    return User(row["name"], row["role"])


def new_session(db: sqlite3.Connection, user: User) -> str:
    sid = secrets.token_urlsafe(32)
    now = time.time()
    db.execute("INSERT INTO sessions (id, user, created, seen) VALUES (?, ?, ?, ?)", (sid, user.name, now, now))
    db.execute("DELETE FROM sessions WHERE seen < ?", (now - SESSION_SECONDS,))
    return sid


def session_user(db: sqlite3.Connection, sid: str) -> User | None:
    now = time.time()
    row = db.execute("SELECT users.name, users.role, sessions.seen FROM sessions JOIN users ON users.name = sessions.user "
                     "WHERE sessions.id = ?", (sid,)).fetchone()
    if row is None or row["seen"] < now - SESSION_SECONDS:
        return None
    if now - row["seen"] > 60:
        db.execute("UPDATE sessions SET seen = ? WHERE id = ?", (now, sid))
    return User(row["name"], row["role"])


def end_session(db: sqlite3.Connection, sid: str) -> None:
    db.execute("DELETE FROM sessions WHERE id = ?", (sid,))


# --- first start -----------------------------------------------------------------------------


def setup_token(db: sqlite3.Connection) -> str | None:
    """A one-time token that creates the first admin account, while there is no account; else None."""
    if count_users(db):
        db.execute("DELETE FROM setup")
        return None
    token = secrets.token_urlsafe(24)
    db.execute("DELETE FROM setup")
    db.execute("INSERT INTO setup (token, created) VALUES (?, ?)", (hashlib.sha256(token.encode()).hexdigest(), time.time()))
    return token


def use_setup_token(db: sqlite3.Connection, token: str) -> bool:
    """Whether `token` is the current first-start token (and no account exists yet)."""
    if count_users(db):
        return False
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = db.execute("SELECT token FROM setup").fetchone()
    return row is not None and hmac.compare_digest(row["token"], digest)


def end_setup(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM setup")


def secret_key(db: sqlite3.Connection) -> str:
    """The key that signs session cookies, made once and kept, so a restart signs no one out."""
    row = db.execute("SELECT value FROM settings WHERE key = 'secret'").fetchone()
    if row:
        return str(row["value"])
    value = secrets.token_urlsafe(48)
    db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES ('secret', ?)", (value,))
    return str(db.execute("SELECT value FROM settings WHERE key = 'secret'").fetchone()["value"])
