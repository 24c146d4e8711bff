"""What the workspace's tests share: a copy of the papers, accounts, and a signed-in test client."""

from __future__ import annotations

import functools
import html
import re
import shutil
from pathlib import Path
from typing import Any
from unittest import mock

from flask import Flask
from flask.testing import FlaskClient

from boardpack.web import accounts, create_app, store

ROOT = Path(__file__).resolve().parent.parent.parent
TRACKER = "2021-09-hmicfrs-tracker"
RESPONSE = "2023-05-casey-response"
PASSWORD = "correct horse battery"  # noqa: S105 - the test accounts' password
USERS = {"alice": "editor", "bob": "editor", "rita": "reader", "adam": "admin"}

_hash = functools.cache(accounts.hash_password)
"""`accounts.hash_password` made once per password and test process, for the test accounts."""


def make_workspace(tmp: Path, users: dict[str, str] | None = None) -> tuple[Path, Path, Path]:
    """A data folder with the shipped papers, a build folder with a PDF, and a database with accounts."""
    data, out = tmp / "data", tmp / "build"
    data.mkdir()
    out.mkdir()
    for paper in (ROOT / "data").glob("*.yaml"):
        shutil.copy(paper, data / paper.name)
    (out / f"{TRACKER}.pdf").write_bytes(b"%PDF-1.7 stand-in\n")
    database = data / store.DEFAULT_NAME
    # The accounts are added as the workspace adds them, save that they share one scrypt hash of
    # PASSWORD made once per test process: a hash costs about 50 ms of CPU, four per workspace.
    # Signing in still checks the password against it with scrypt.
    with store.connect(database) as db, mock.patch.object(accounts, "hash_password", _hash):
        for name, role in (USERS if users is None else users).items():
            accounts.add_user(db, name, role, PASSWORD)
    return data, out, database



def app_for(tmp: Path, **options: Any) -> Flask:
    data, out, database = make_workspace(tmp)
    app = create_app(data, out, database, **options)
    return app


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return html.unescape(match.group(1))


def hidden(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in re.findall(r'type="hidden" name="([\w]+)" value="([^"]*)"', page)}


def sign_in(client: Any, name: str, password: str = PASSWORD, **headers: str) -> Any:
    page = client.get("/sign-in").get_data(as_text=True)
    return client.post("/sign-in", data={"name": name, "password": password, "csrf_token": csrf(page)}, headers=headers)


def item_form(client: Any, paper: str = TRACKER, report: int = 0, item: int = 0) -> dict[str, str]:
    """The item form's hidden fields and its values as the page fills them."""
    page = client.get(f"/papers/{paper}/items/{report}/{item}", follow_redirects=True).get_data(as_text=True)
    form = hidden(page)
    for name in ("due", "reason", "owner"):
        match = re.search(rf'id="{name}" name="{name}" type="text" value="([^"]*)"', page)
        form[name] = html.unescape(match.group(1)) if match else ""
    for name in ("update", "rationale"):
        match = re.search(rf'name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
        form[name] = html.unescape(match.group(1)) if match else ""
    match = re.search(r'<option value="([^"]*)" selected>', page)
    form["status"] = match.group(1) if match else ""
    return form


def client_for(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, name).status_code == 302
    return client


class Serving:
    """A waitress server (`boardpack.web.make_server`) run in a thread of this process, and stopped whole.

    waitress's loop waits in `select` on the listening socket; closing the socket from another
    thread wakes it with EBADF, which is the end of the loop asked for, not a failure.
    """

    def __init__(self, server: Any) -> None:
        import threading

        self.server = server
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:
            if not self._stopping.is_set():
                raise

    def stop(self) -> None:
        self._stopping.set()
        self.server.close()
        self.server.task_dispatcher.shutdown()
        self.thread.join(timeout=5)
        assert not self.thread.is_alive(), "the server's thread did not stop"
