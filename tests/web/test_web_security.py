"""The workspace's security rules: sessions, CSRF, cookies, headers, limits, paths and error pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from boardpack.web import history, store

from .web_helpers import TRACKER, Serving, app_for, csrf, item_form, sign_in

PAGES = ["/", f"/papers/{TRACKER}", f"/papers/{TRACKER}/items/0/0",
         f"/papers/{TRACKER}/item/a-review-of-fraud-time-to-choose/1", f"/papers/{TRACKER}/history", "/accounts/",
         f"/papers/{TRACKER}/download/pdf", "/palette.css"]


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return app_for(tmp_path)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_but_sign_in_needs_a_session(app: Flask, page: str) -> None:
    response = app.test_client().get(page)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_sign_in_page_is_open_and_a_wrong_password_is_refused(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/sign-in").status_code == 200
    response = sign_in(client, "alice", "not the password")
    assert response.status_code == 400
    assert "the user name or the password is not right" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_security_headers_on_every_answer(app: Flask) -> None:
    client = app.test_client()
    for response in (client.get("/sign-in"), client.get("/no-such-page")):
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite_and_not_secure_over_http(app: Flask) -> None:
    response = sign_in(app.test_client(), "alice")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookie_is_secure_over_https(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://localhost").get_data(as_text=True)
    response = client.post("/sign-in", base_url="https://localhost",
                           data={"name": "alice", "password": "correct horse battery", "csrf_token": csrf(page)})
    assert "Secure" in response.headers["Set-Cookie"]


def test_forwarded_proto_is_trusted_only_when_configured(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain = app_for(tmp_path / "a").test_client()
    proxied = app_for(tmp_path / "b", behind_proxy=True).test_client()
    for client, secure in ((plain, False), (proxied, True)):
        response = sign_in(client, "alice", **{"X-Forwarded-Proto": "https"})
        assert ("Secure" in response.headers["Set-Cookie"]) is secure


@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(app: Flask, token: str | None) -> None:
    client = app.test_client()
    sign_in(client, "alice")
    form = item_form(client)
    paper = app.config["DATA"] / f"{TRACKER}.yaml"
    before = paper.read_bytes()
    form.update(status="RED", rationale="because")
    if token is None:
        del form["csrf_token"]
    else:
        form["csrf_token"] = token
    response = client.post(f"/papers/{TRACKER}/items/0/0", data=form)
    assert response.status_code == 400
    assert "<h1>The request could not be used</h1>" in response.get_data(as_text=True)
    assert paper.read_bytes() == before


def test_sign_in_without_csrf_is_refused(app: Flask) -> None:
    response = app.test_client().post("/sign-in", data={"name": "alice", "password": "correct horse battery"})
    assert response.status_code == 400


def test_a_request_too_large_is_refused_with_a_page(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "alice")
    form = item_form(client)
    form["update"] = "x" * (3 * 1024 * 1024)
    response = client.post(f"/papers/{TRACKER}/items/0/0", data=form)
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "/papers/..%2F..%2Fetc%2Fpasswd", "/papers/../data/.boardpack-workspace.sqlite3", f"/papers/{TRACKER}/download/yaml",
    f"/papers/{TRACKER}/download/..%2F{TRACKER}.yaml", "/papers/.boardpack-workspace/download/pdf", "/papers/nope/items/0/0",
    f"/papers/{TRACKER}/items/99/0", "/static/../store.py", "/data/.boardpack-workspace.sqlite3",
])
def test_no_url_reaches_a_file_outside_the_papers_and_the_build(app: Flask, url: str) -> None:
    client = app.test_client()
    sign_in(client, "rita")
    response = client.get(url)
    assert response.status_code == 404
    assert b"SQLite" not in response.data and b"paper:" not in response.data


def test_downloads_come_from_the_build_folder_and_are_logged(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "rita")
    response = client.get(f"/papers/{TRACKER}/download/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    missing = client.get(f"/papers/{TRACKER}/download/docx")
    assert missing.status_code == 404 and "has not been built yet" in missing.get_data(as_text=True)
    with store.connect(app.config["DATABASE"]) as db:
        log = history.audit_log(db, TRACKER)
    assert [(row["who"], row["action"], row["detail"]) for row in log] == [("rita", "downloaded", f"{TRACKER}.pdf")]


def test_an_unexpected_failure_is_a_page_not_a_stack_trace(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from boardpack.web import papers

    def broken(*_: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(papers, "lines", broken)
    client = app.test_client()
    sign_in(client, "alice")
    response = client.get(f"/papers/{TRACKER}")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in text and "Traceback" not in text and "secret internals" not in text


def test_sign_in_goes_back_only_to_this_site(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/sign-in?next=//evil.example/").get_data(as_text=True)
    response = client.post("/sign-in", data={"name": "alice", "password": "correct horse battery", "csrf_token": csrf(page),
                                             "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_data_is_shown_as_text_never_run(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "alice")
    form = item_form(client)
    form["owner"] = "<script>alert(1)</script>"
    assert client.post(f"/papers/{TRACKER}/items/0/0", data=form).status_code == 302
    page = client.get(f"/papers/{TRACKER}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_failed_sign_ins_are_slowed_per_account_and_per_address(app: Flask) -> None:
    here = app.test_client()
    for _ in range(3):
        sign_in(here, "alice", "wrong password")
    response = sign_in(here, "alice")  # even the right password waits now
    assert response.status_code == 400 and "too many failed sign-ins; wait" in response.get_data(as_text=True)
    assert "too many failed sign-ins" in sign_in(here, "bob").get_data(as_text=True)  # the same address, another account
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert "too many failed sign-ins" in sign_in(elsewhere, "alice").get_data(as_text=True)  # the same account, elsewhere
    assert sign_in(elsewhere, "bob").status_code == 302  # another account from another address


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_waitress_passes_the_proxys_headers_only_behind_a_proxy(tmp_path: Path, behind_proxy: bool) -> None:
    import urllib.request

    from boardpack.web import make_server

    server = make_server(app_for(tmp_path, behind_proxy=behind_proxy), "127.0.0.1", 0, threads=1)
    serving = Serving(server)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{server.effective_port}/sign-in", headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a fixed http URL on this machine
            cookie = response.headers["Set-Cookie"]
            hsts = response.headers.get("Strict-Transport-Security")
    finally:
        serving.stop()
    assert ("Secure" in cookie) is behind_proxy
    assert (hsts is not None) is behind_proxy
