"""A Word appendix imported in the workspace: upload, the review marks and warnings, the name checked, saved, logged."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Flask

from boardpack.web import history, store

from ..intake.test_import import tracker_004
from .web_helpers import client_for, csrf


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def _upload(app: Flask, tmp_path: Path, name: str = "2021-09 tracker.docx") -> tuple[object, str, str]:
    editor = client_for(app, "alice")
    page = editor.get("/import").get_data(as_text=True)
    source = tracker_004(tmp_path / "source.docx")
    sent = editor.post("/import", content_type="multipart/form-data",
                       data={"csrf_token": csrf(page), "period": "", "docx": (io.BytesIO(source.read_bytes()), name)})
    assert sent.status_code == 302 and re.fullmatch(r"/import/[A-Za-z0-9_-]{22}", sent.headers["Location"])
    return editor, sent.headers["Location"], editor.get(sent.headers["Location"]).get_data(as_text=True)


def test_an_appendix_is_read_its_review_marks_listed_and_saved_under_a_checked_name(app: Flask, tmp_path: Path) -> None:
    editor, review, page = _upload(app, tmp_path)
    words = text_of(page)
    assert "What the import made of 2021-09 tracker.docx" in words
    assert "5 report(s), 12 item(s) (GREEN 1, NEW GREEN 1, AMBER 6, RED 2, WHITE 1, CLOSED 1), 7 task(s)" in words
    assert "table 3, row 5, column 3 (Status): a cell shaded green (00B050) without a status word" in words
    marks = re.findall(r"<li>Line (\d+): ([^<]+)</li>", page)
    assert marks and all(line.isdigit() for line, _ in marks)
    assert f"To check in the new file: {len(marks)} review mark" in words
    assert 'id="name" name="name" type="text" value="2021-09-tracker"' in page
    data = Path(app.config["DATA"])
    before = sorted(p.name for p in data.iterdir())
    for bad in ("../outside", "/etc/passwd", "a b", ".hidden", "2021-09-hmicfrs-tracker"):
        refused = editor.post(review, data={"csrf_token": csrf(page), "name": bad})
        assert refused.status_code == 400 and 'aria-invalid="true"' in refused.get_data(as_text=True), bad
    assert "2021-09-hmicfrs-tracker.yaml already exists" in text_of(refused.get_data(as_text=True))
    assert sorted(p.name for p in data.iterdir()) == before and not (tmp_path / "outside.yaml").exists()
    saved = editor.post(review, data={"csrf_token": csrf(page), "name": "2021-09-imported"})
    assert saved.status_code == 302 and saved.headers["Location"] == "/papers/2021-09-imported"
    text = (data / "2021-09-imported.yaml").read_text()
    assert "Imported from 2021-09 tracker.docx" in text and text.count("# review:") == len(marks)
    assert "2021-09-imported" in editor.get("/").get_data(as_text=True)
    assert editor.get(review).status_code == 404  # the upload is removed once saved
    with store.connect(app.config["DATABASE"]) as db:
        log = history.audit_log(db, "2021-09-imported")
        versions = history.versions(db, "2021-09-imported")
    assert (log[0]["who"], log[0]["action"], log[0]["detail"]) == ("alice", "imported", "2021-09-imported.yaml from 2021-09 tracker.docx")
    assert versions[0].changes[0].startswith("imported from 2021-09 tracker.docx")


def test_a_file_that_is_no_word_document_is_refused_beside_the_field(app: Flask) -> None:
    editor = client_for(app, "alice")
    page = editor.get("/import").get_data(as_text=True)
    sent = editor.post("/import", content_type="multipart/form-data",
                       data={"csrf_token": csrf(page), "docx": (io.BytesIO(b"plain text"), "old.docx")}, follow_redirects=True)
    words = text_of(sent.get_data(as_text=True))
    assert sent.status_code == 400 and "The file cannot be imported" in words and "old.docx" in words
    assert str(app.config["OUT"]) not in sent.get_data(as_text=True)
    bad = editor.post("/import", content_type="multipart/form-data",
                      data={"csrf_token": csrf(page), "period": "December", "docx": (io.BytesIO(b"x"), "a.docx")})
    assert bad.status_code == 400 and 'id="period-error"' in bad.get_data(as_text=True)
