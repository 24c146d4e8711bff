"""What every page of the workspace shares: its database connection, CSRF token, error page and limits.

The request's database connection, the CSRF token, the client's address, the error page, the
role a page needs, and the size limits of a request.

Kept apart from the application factory (`web/__init__.py`) so that the pages' modules import it
and the factory imports them, with no module importing itself through the others.
"""

from __future__ import annotations

import functools
import secrets
import sqlite3
from collections.abc import Callable
from typing import Any

from flask import g, render_template, request, session

MAX_REQUEST = 2 * 1024 * 1024
"""The largest request accepted: a form with a long update is a few kilobytes."""
MAX_UPLOAD = 20 * 1024 * 1024
"""The largest upload (returned workbooks, a Word appendix), accepted only by the pages that take files."""
ERRORS = {
    400: ("The request could not be used", "The form sent was incomplete or out of date. Go back, reload the page and send it again."),
    403: ("Not allowed", "Your account cannot do this. Ask an admin if you need it."),
    404: ("Not found", "There is no such page. The paper or item may have been removed or renamed."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", f"What was sent is larger than the workspace accepts ({MAX_REQUEST // 1_048_576} MB; "
                       f"{MAX_UPLOAD // 1_048_576} MB for uploaded files)."),
    500: ("Something went wrong", "The workspace could not finish this request. Nothing was half-saved; try again, and tell IT if it happens again."),
}


def db() -> sqlite3.Connection:
    """This request's connection to the workspace database."""
    return g.db  # type: ignore[no-any-return]


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def address() -> str:
    return request.remote_addr or ""


def error_page(code: int, message: str | None = None) -> tuple[str, int]:
    title, words = ERRORS.get(code, ERRORS[500])
    return render_template("error.html", title=title, message=message or words, code=code), code


def needs(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view for editors (`editor`) or admins (`admin`) only: the server refuses, whatever the page shows."""
    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = g.user
            if user is None or (role == "editor" and not user.can_edit) or (role == "admin" and not user.is_admin):
                return error_page(403)
            return view(*args, **kwargs)
        return guarded
    return wrap
