"""The owners' round in the workspace: workbooks out in one zip, returns in (dry run, refusals, accept), roles."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from boardpack.drafts import ENVIRONMENT
from boardpack.web import history, store

from ..test_owners import smtp_server  # noqa: F401 - the fixture
from ..test_round import OWNERS, PAPER
from .web_helpers import client_for, csrf

NAME = PAPER.stem


@pytest.fixture
def round_app(app: Flask) -> Flask:
    """The workspace with the returns fixture paper and its owners directory in the data folder."""
    data = Path(app.config["DATA"])
    shutil.copy(PAPER, data / PAPER.name)
    (data / "owners.yaml").write_text(OWNERS, encoding="utf-8")
    return app


def make_round(client: FlaskClient) -> zipfile.ZipFile:
    page = client.get(f"/papers/{NAME}/returns").get_data(as_text=True)
    made = client.post(f"/papers/{NAME}/returns", data={"csrf_token": csrf(page), "return_by": "2022-01-14", "send": "0"})
    assert made.status_code == 302, made.get_data(as_text=True)
    download = client.get(f"/papers/{NAME}/returns/workbooks.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(download.data))


def filled(bundle: zipfile.ZipFile, name: str, ref: str, cells: dict[str, object]) -> bytes:
    """A workbook from the zip, filled in as an owner would in Excel's place."""
    wb = load_workbook(io.BytesIO(bundle.read(name)))
    ws = wb["Items"]
    (row,) = [r[0].row for r in ws.iter_rows(min_row=9) if r[2].value == ref]
    for column, value in cells.items():
        ws[f"{column}{row}"] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client: FlaskClient, books: dict[str, bytes]) -> str:
    page = client.get(f"/papers/{NAME}/returns").get_data(as_text=True)
    sent = client.post(f"/papers/{NAME}/returns/upload", content_type="multipart/form-data",
                       data={"csrf_token": csrf(page), "workbooks": [(io.BytesIO(data), name) for name, data in books.items()]})
    assert sent.status_code == 302, sent.get_data(as_text=True)
    location = sent.headers["Location"]
    assert re.fullmatch(rf"/papers/{NAME}/returns/check/[A-Za-z0-9_-]{{22}}", location)
    return location


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_the_round_lists_who_gets_a_workbook_and_why_and_the_zip_holds_every_workbook(round_app: Flask) -> None:
    editor = client_for(round_app, "alice")
    before = text_of(editor.get(f"/papers/{NAME}/returns").get_data(as_text=True))
    assert "Who would get a workbook" in before and "Crime Directorate: 1 row Professional Standards: 3 rows" in before
    assert "Left out: outside the force Home Office, 1 item" in before and "Roads Policing - Not Optional, No. 6" in before
    bundle = make_round(editor)
    assert sorted(bundle.namelist()) == ["Crime-Directorate.xlsx", "Professional-Standards.xlsx"]
    assert load_workbook(io.BytesIO(bundle.read("Professional-Standards.xlsx")))["Items"]["C9"].value == "1"
    page = text_of(editor.get(f"/papers/{NAME}/returns?made=2").get_data(as_text=True))
    assert "2 workbook(s) and their e-mail drafts are ready" in page
    assert "updates wanted by 14 January 2022" in page
    assert "Professional Standards Professional-Standards.xlsx (3 rows) psd@example.police.uk, copy to crime@example.police.uk" in page
    assert "Crime Directorate Crime-Directorate.xlsx (1 row) crime@example.police.uk draft made not returned not merged 1" in page
    assert "Left out: outside the force Home Office, 1 item" in page
    assert "Open items without an owner (1), so in no workbook" in page and "Roads Policing - Not Optional, No. 6" in page
    drafts = zipfile.ZipFile(io.BytesIO(editor.get(f"/papers/{NAME}/returns/drafts.zip").data))
    assert sorted(drafts.namelist()) == ["Crime-Directorate.eml", "Professional-Standards.eml"]
    assert b"To: psd@example.police.uk" in drafts.read("Professional-Standards.eml")
    with store.connect(round_app.config["DATABASE"]) as db:
        log = history.audit_log(db, NAME)
    assert [row["action"] for row in log][:3] == ["downloaded", "downloaded", "returns made"]
    assert log[1]["detail"] == f"{NAME}-returns.zip: Crime-Directorate.xlsx, Professional-Standards.xlsx"


def test_returns_are_dry_run_with_each_change_and_refused_cell_then_accepted(round_app: Flask) -> None:
    editor = client_for(round_app, "alice")
    bundle = make_round(editor)
    paper = Path(round_app.config["DATA"]) / PAPER.name
    before = paper.read_bytes()
    books = {"Professional-Standards.xlsx": filled(bundle, "Professional-Standards.xlsx", "1", {"H": "GREEN", "K": "Desk live since 1 December."}),
             "Crime-Directorate.xlsx": filled(bundle, "Crime-Directorate.xlsx", "4", {"I": "2022-01", "J": "Slipped."})}
    check = upload(editor, books)
    page = editor.get(check).get_data(as_text=True)
    words = text_of(page)
    assert "Professional-Standards.xlsx Crime Data Integrity inspection 2019, No. 1: status AMBER → GREEN; update added" in words
    assert "Refused (1): Crime-Directorate.xlsx will not be merged" in words
    assert re.search(r"Crime-Directorate\.xlsx Items!I\d+ January 2022 is not after the current due date \(February 2022\)", words)
    assert "Accept and merge 1 change" in words and str(round_app.config["OUT"]) not in page
    assert paper.read_bytes() == before  # a dry run writes nothing
    accepted = editor.post(check, data={"csrf_token": csrf(page), "version": re.search(r'name="version" value="(\w+)"', page)[1]})
    assert accepted.status_code == 302 and "merged=1" in accepted.headers["Location"] and "held=1" in accepted.headers["Location"]
    text = paper.read_text()
    assert "[Update, December 2021:]{.underline} Desk live since 1 December." in text and "Slipped." not in text
    state = json.loads((Path(round_app.config["OUT"]) / "returns" / NAME / "round.json").read_text())
    assert state["owners"]["Professional Standards"]["merged"] and state["owners"]["Crime Directorate"]["merged"] is None
    assert editor.get(check).status_code == 404  # the upload is gone once merged
    with store.connect(round_app.config["DATABASE"]) as db:
        log = history.audit_log(db, NAME)
        versions = history.versions(db, NAME)
    assert (log[0]["action"], log[0]["detail"]) == ("returns merged", "1 changes from Professional-Standards.xlsx; held back: Crime-Directorate.xlsx")
    assert versions[0].who == "alice" and versions[0].changes[0].startswith("Crime Data Integrity inspection 2019, No. 1: status AMBER → GREEN")


def test_accepting_after_the_paper_changed_merges_nothing_and_shows_the_new_dry_run(round_app: Flask) -> None:
    editor = client_for(round_app, "alice")
    bundle = make_round(editor)
    check = upload(editor, {"psd.xlsx": filled(bundle, "Professional-Standards.xlsx", "1", {"K": "Triage desk live."})})
    page = editor.get(check).get_data(as_text=True)
    paper = Path(round_app.config["DATA"]) / PAPER.name
    changed = paper.read_bytes().replace(b"checked with PSD in November", b"checked with PSD in October")
    paper.write_bytes(changed)
    again = editor.post(check, data={"csrf_token": csrf(page), "version": re.search(r'name="version" value="(\w+)"', page)[1]})
    assert again.status_code == 302 and again.headers["Location"].endswith("stale=1")
    assert paper.read_bytes() == changed
    assert "was changed after you checked the returns, so nothing was merged" in editor.get(again.headers["Location"]).get_data(as_text=True)


def test_a_file_that_is_no_workbook_is_refused_by_name(round_app: Flask) -> None:
    editor = client_for(round_app, "alice")
    make_round(editor)
    check = upload(editor, {"notes.xlsx": b"not a workbook at all", "../../data/evil.xlsx": b"PK\x03\x04" + bytes(3_000_000)})
    words = text_of(editor.get(check).get_data(as_text=True))
    assert "notes.xlsx the whole workbook cannot be read as an Excel workbook (.xlsx): it is not a zip package" in words
    assert "No workbook can be merged." in words and "Accept and merge" not in words
    uploaded = Path(round_app.config["OUT"]) / ".uploads"
    assert not (Path(round_app.config["DATA"]) / "evil.xlsx").exists()
    assert sorted(p.name for p in uploaded.glob("*/*/*")) == ["evil.xlsx", "notes.xlsx"]
    page = editor.get(f"/papers/{NAME}/returns").get_data(as_text=True)
    too_big = editor.post(f"/papers/{NAME}/returns/upload", content_type="multipart/form-data",
                          data={"csrf_token": csrf(page), "workbooks": [(io.BytesIO(bytes(21 * 1024 * 1024)), "big.xlsx")]})
    assert too_big.status_code == 413 and "20 MB for uploaded files" in too_big.get_data(as_text=True)
    assert len(list(uploaded.iterdir())) == 1  # nothing of it kept


def test_readers_may_look_and_download_but_the_server_refuses_them_every_action(round_app: Flask) -> None:
    editor = client_for(round_app, "alice")
    bundle = make_round(editor)
    check = upload(editor, {"psd.xlsx": filled(bundle, "Professional-Standards.xlsx", "1", {"K": "Live."})})
    reader = client_for(round_app, "rita")
    page = reader.get(f"/papers/{NAME}/returns").get_data(as_text=True)
    assert "Download every workbook (zip)" in page and "Check the returns" not in page and "Make the workbooks" not in page
    assert reader.get(f"/papers/{NAME}/returns/workbooks.zip").status_code == 200
    token = csrf(page)
    for url in (f"/papers/{NAME}/returns", f"/papers/{NAME}/returns/upload", check, "/import", f"{check.replace(f'/papers/{NAME}/returns/check', '/import')}"):
        assert reader.post(url, data={"csrf_token": token}).status_code == 403, url
    assert reader.get(check).status_code == 403 and reader.get("/import").status_code == 403
    assert editor.post(f"/papers/{NAME}/returns", data={"return_by": "2022-01-14"}).status_code == 400  # no CSRF token


def test_the_preview_says_what_the_merge_then_does(round_app: Flask, tmp_path: Path) -> None:
    from boardpack.intake.preview import preview
    from boardpack.intake.returns import merge

    editor = client_for(round_app, "alice")
    bundle = make_round(editor)
    psd = tmp_path / "psd.xlsx"
    psd.write_bytes(filled(bundle, "Professional-Standards.xlsx", "2", {"H": "RED", "L": "Trainers not recruited.", "I": "2022-04"}))
    crime = tmp_path / "crime.xlsx"
    crime.write_bytes(filled(bundle, "Crime-Directorate.xlsx", "4", {"H": "PURPLE"}))
    paper = Path(round_app.config["DATA"]) / PAPER.name
    seen = preview(paper, [psd, crime], PAPER.name)
    assert seen.sound == [psd] and seen.held == [crime]
    assert [(p.file, p.where) for p in seen.refused] == [(str(crime), "Items!H9")] and "PURPLE" in seen.refused[0].message
    assert seen.changes == merge(paper, [psd], label=PAPER.name).changes
    assert seen.changes == ["Crime Data Integrity inspection 2019, No. 2: status AMBER → RED; due date extended to April 2022 "
                            "(was January 2022); rationale set  [" + str(psd) + "]"]


def test_the_round_is_sent_by_the_servers_mail_settings_or_the_page_says_there_are_none(
        round_app: Flask, smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    editor = client_for(round_app, "alice")
    folder = Path(round_app.config["OUT"]) / "returns" / NAME
    for variable in ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    page = editor.get(f"/papers/{NAME}/returns").get_data(as_text=True)
    refused = editor.post(f"/papers/{NAME}/returns", data={"csrf_token": csrf(page), "send": "1"})
    assert refused.status_code == 400 and "No mail server is set up for the workspace, so nothing was sent" in refused.get_data(as_text=True)
    assert not folder.exists()
    port, received = smtp_server
    for key, value in {"host": "127.0.0.1", "port": str(port), "tls": "none", "sender": "secretariat@example.police.uk"}.items():
        monkeypatch.setenv(ENVIRONMENT[key], value)
    sent = editor.post(f"/papers/{NAME}/returns", data={"csrf_token": csrf(page), "send": "1", "return_by": "2022-01-14"})
    assert sent.status_code == 302 and "sent=2" in sent.headers["Location"]
    assert sorted(m["To"] for m in received) == ["crime@example.police.uk", "psd@example.police.uk"]
    assert all(m["From"] == "secretariat@example.police.uk" and m["X-Unsent"] is None for m in received)
    words = text_of(editor.get(sent.headers["Location"]).get_data(as_text=True))
    assert "2 message(s) were sent by e-mail" in words and "draft made" not in words
    reminders = zipfile.ZipFile(io.BytesIO(editor.get(f"/papers/{NAME}/returns/reminders.zip").data))
    assert sorted(reminders.namelist()) == ["reminder-Crime-Directorate.eml", "reminder-Professional-Standards.eml"]
    reminder = reminders.read("reminder-Crime-Directorate.eml")
    assert b"To: crime@example.police.uk" in reminder and b'filename="Crime-Directorate.xlsx"' in reminder
