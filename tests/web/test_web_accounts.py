"""Accounts: roles on the server, the accounts page, the first start's link, the SSO header, and `generate.py user`."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask

from boardpack import cli
from boardpack.web import accounts, create_app, history, store

from .web_helpers import PASSWORD, TRACKER, app_for, csrf, make_workspace, sign_in


def user_cli(monkeypatch: pytest.MonkeyPatch, database: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["user", *args, "--database", str(database)], out, err)
    return code, out.getvalue(), err.getvalue()


def test_user_command_adds_lists_changes_and_removes_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "ws.sqlite3"
    assert user_cli(monkeypatch, database, "add", "j.smith", "--role", "editor", stdin="a long enough password\n")[:2] == (0, "added j.smith (editor)\n")
    assert user_cli(monkeypatch, database, "add", "boss", "--role", "admin", stdin="another long password\n")[0] == 0
    code, out, _ = user_cli(monkeypatch, database, "list")
    assert code == 0 and re.match(r"boss\tadmin\tadded \d{4}-\d\d-\d\d\nj\.smith\teditor\tadded", out)
    assert user_cli(monkeypatch, database, "set-role", "j.smith", "reader")[1] == "j.smith is now reader\n"
    assert user_cli(monkeypatch, database, "passwd", "j.smith", stdin="a brand new password\n")[0] == 0
    with store.connect(database) as db:
        assert accounts.sign_in(db, "j.smith", "a brand new password", "127.0.0.1") == accounts.User("j.smith", "reader")
        assert [row["action"] for row in history.audit_log(db)][:2] == ["password set", "role changed"]
    assert user_cli(monkeypatch, database, "remove", "j.smith")[1] == "removed j.smith\n"
    assert "j.smith" not in user_cli(monkeypatch, database, "list")[1]
    assert (database.stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("add", "boss", "--role", "editor"), "long enough password\n", "error: there is already an account named boss\n"),
    (("add", "new", "--role", "editor"), "short\n", "error: the password is too short; use at least 10 characters"),
    (("add", "no spaces", "--role", "editor"), "long enough password\n", "error: 'no spaces' cannot be a user name"),
    (("remove", "boss"), "", "error: boss is the only admin; make another account admin first\n"),
    (("set-role", "boss", "reader"), "", "error: boss is the only admin"),
    (("passwd", "nobody"), "long enough password\n", "error: there is no account named nobody\n"),
])
def test_user_command_refuses_with_words_to_act_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], stdin: str,
                                                    message: str) -> None:
    database = tmp_path / "ws.sqlite3"
    user_cli(monkeypatch, database, "add", "boss", "--role", "admin", stdin="another long password\n")
    code, _, err = user_cli(monkeypatch, database, *args, stdin=stdin)
    assert code == 1 and err.startswith(message)


def test_user_command_rejects_an_unknown_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert user_cli(monkeypatch, tmp_path / "ws.sqlite3", "add", "x", "--role", "owner")[0] == 2


def test_passwords_are_stored_as_salted_scrypt_hashes(tmp_path: Path) -> None:
    one, two = accounts.hash_password(PASSWORD), accounts.hash_password(PASSWORD)
    assert one != two and one.startswith("scrypt$16384$8$1$") and PASSWORD not in one
    assert accounts.verify_password(PASSWORD, one) and not accounts.verify_password("wrong", one)


def test_first_start_prints_a_one_time_link_that_makes_the_first_admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, out, database = make_workspace(tmp_path, users={})
    served: list[tuple[str, int]] = []
    monkeypatch.setattr("boardpack.web.serve", lambda app, host, port, threads: served.append((host, port)))
    printed = io.StringIO()
    assert cli.main(["serve", "--data", str(data), "--out", str(out), "--port", "8123"], printed, io.StringIO()) == 0
    assert served == [("127.0.0.1", 8123)]
    link = re.search(r"http://127\.0\.0\.1:8123(/first-start/\S+)", printed.getvalue())
    assert link, printed.getvalue()
    client = create_app(data, out, database).test_client()
    assert client.get("/").status_code == 302
    page = client.get(link.group(1)).get_data(as_text=True)
    assert "Make the first admin account" in page
    refused = client.post(link.group(1), data={"name": "admin", "password": "short", "confirm": "short", "csrf_token": csrf(page)})
    assert refused.status_code == 400 and "too short" in refused.get_data(as_text=True)
    made = client.post(link.group(1), data={"name": "admin", "password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf(page)})
    assert made.status_code == 302
    assert client.get("/accounts/").status_code == 200
    assert "has been used" in create_app(data, out, database).test_client().get(link.group(1)).get_data(as_text=True)
    again = io.StringIO()
    cli.main(["serve", "--data", str(data), "--out", str(out)], again, io.StringIO())
    assert "first-start" not in again.getvalue()


def test_admins_manage_accounts_in_the_browser_and_others_cannot(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    for name in ("alice", "rita"):
        client = app.test_client()
        sign_in(client, name)
        assert client.get("/accounts/").status_code == 403
        token = csrf(client.get("/").get_data(as_text=True))
        assert client.post("/accounts/add", data={"name": "eve", "role": "admin", "password": PASSWORD, "csrf_token": token}).status_code == 403
    admin = app.test_client()
    sign_in(admin, "adam")
    page = admin.get("/accounts/").get_data(as_text=True)
    token = csrf(page)
    assert admin.post("/accounts/add", data={"name": "new.one", "role": "reader", "password": PASSWORD, "csrf_token": token}).status_code == 302
    short = admin.post("/accounts/add", data={"name": "x", "role": "reader", "password": "short", "csrf_token": token})
    assert short.status_code == 400 and 'id="password-error"' in short.get_data(as_text=True)
    assert admin.post("/accounts/new.one/role", data={"role": "editor", "csrf_token": token}).status_code == 302
    assert admin.post("/accounts/alice/remove", data={"csrf_token": token}).status_code == 302
    with store.connect(app.config["DATABASE"]) as db:
        assert accounts.get_user(db, "new.one") == accounts.User("new.one", "editor")
        assert accounts.get_user(db, "alice") is None
        actions = [row["action"] for row in history.audit_log(db)]
    assert actions[:3] == ["account removed", "role changed", "account added"]


def test_a_removed_account_is_signed_out_at_once(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    client = app.test_client()
    sign_in(client, "alice")
    assert client.get("/").status_code == 200
    with store.connect(app.config["DATABASE"]) as db:
        accounts.remove_user(db, "alice")
    assert client.get("/").status_code == 302


def test_sign_in_and_out_are_audited(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    client = app.test_client()
    sign_in(client, "alice", "wrong password")
    sign_in(client, "alice")
    client.post("/sign-out", data={"csrf_token": csrf(client.get("/").get_data(as_text=True))})
    assert client.get("/").status_code == 302
    with store.connect(app.config["DATABASE"]) as db:
        log = [(row["who"], row["action"], row["address"]) for row in history.audit_log(db)]
    assert log == [("alice", "signed out", "127.0.0.1"), ("alice", "signed in", "127.0.0.1"), ("alice", "sign-in refused", "127.0.0.1")]


def test_the_trusted_header_names_the_user_only_when_configured(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    trusting: Flask = app_for(tmp_path / "a", trust_header="X-Remote-User")
    client = trusting.test_client()
    page = client.get("/", headers={"X-Remote-User": "rita"})
    assert page.status_code == 200 and "Signed in as <strong>rita</strong>" in page.get_data(as_text=True)
    assert client.get("/", headers={"X-Remote-User": "stranger"}).status_code == 403
    assert client.get(f"/papers/{TRACKER}").status_code == 302  # no header: sign in as usual
    plain = app_for(tmp_path / "b").test_client()
    assert plain.get("/", headers={"X-Remote-User": "rita"}).status_code == 302


def test_anyone_signed_in_changes_their_own_password(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    client = app.test_client()
    sign_in(client, "rita")
    token = csrf(client.get("/password").get_data(as_text=True))
    wrong = client.post("/password", data={"current": "not it", "new": "a new long password", "confirm": "a new long password",
                                           "csrf_token": token})
    assert wrong.status_code == 400 and "this is not your current password" in wrong.get_data(as_text=True)
    done = client.post("/password", data={"current": PASSWORD, "new": "a new long password", "confirm": "a new long password",
                                          "csrf_token": token})
    assert done.status_code == 200 and "Password changed" in done.get_data(as_text=True)
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert sign_in(app.test_client(), "rita").status_code == 400
    assert sign_in(app.test_client(), "rita", "a new long password").status_code == 302
