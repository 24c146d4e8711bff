"""Builds in the workspace: the Build button, one at a time per paper, failures, downloads, roles and audit.

One build per paper at a time, a failed build keeping the previous files, downloads of every
output and of all of them as one zip, readers refused a build, each in the audit log.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from boardpack.web import history, store

from .web_helpers import RESPONSE, TRACKER, client_for, csrf


def finished(client: FlaskClient, name: str, seconds: float = 300) -> str:
    """The build page once the paper's build has finished (the page refreshes itself until then)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        page = client.get(f"/papers/{name}/build").get_data(as_text=True)
        if 'data-running="1"' not in page:
            return page
        assert "Building…" in page
        time.sleep(0.5)
    raise AssertionError("the build did not finish")


def audit(app: Flask, paper: str) -> list[tuple[str, str, str]]:
    with store.connect(app.config["DATABASE"]) as db:
        return [(row["who"], row["action"], row["detail"]) for row in reversed(history.audit_log(db, paper))]


@pytest.mark.slow
def test_a_build_runs_in_the_background_is_queued_once_and_its_files_download_alone_and_zipped(app: Flask) -> None:
    editor = client_for(app, "alice")
    out = Path(app.config["OUT"])
    page = editor.get(f"/papers/{RESPONSE}/build").get_data(as_text=True)
    assert "No build of this paper has run" in page and "Nothing has been built yet." in page
    assert editor.post(f"/papers/{RESPONSE}/build", data={"csrf_token": csrf(page)}).status_code == 302
    running = editor.get(f"/papers/{RESPONSE}/build").get_data(as_text=True)
    assert editor.post(f"/papers/{RESPONSE}/build", data={"csrf_token": csrf(page)}).status_code == 302  # while it runs: queued
    assert 'data-running="1"' in running and "Started by alice" in running
    page = finished(editor, RESPONSE)
    assert ("Built" in page or "Already up to date" in page) and "The build failed" not in page
    made = sorted(p.name for p in out.iterdir() if p.name.startswith(RESPONSE))
    assert {f"{RESPONSE}.pdf", f"{RESPONSE}.docx", f"{RESPONSE}.html", f"{RESPONSE}.xlsx", f"{RESPONSE}.csv"} <= set(made)
    actions = [action for who, action, _ in audit(app, RESPONSE)]
    assert actions[:2] == ["build started", "build queued"] and actions.count("built") == 2  # the queued build ran after the first
    pdf = editor.get(f"/papers/{RESPONSE}/download/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-") and pdf.data == (out / f"{RESPONSE}.pdf").read_bytes()
    bundle = editor.get(f"/papers/{RESPONSE}/download.zip")
    assert bundle.status_code == 200 and bundle.headers["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as zipped:
        assert sorted(zipped.namelist()) == made
        assert zipped.read(f"{RESPONSE}.docx") == (out / f"{RESPONSE}.docx").read_bytes()
    log = audit(app, RESPONSE)
    assert log[-2][:2] == ("alice", "downloaded") and log[-2][2] == f"{RESPONSE}.pdf"
    assert log[-1][:2] == ("alice", "downloaded") and log[-1][2].startswith(f"{RESPONSE}.zip: ")


@pytest.mark.slow
def test_a_failed_build_keeps_the_previous_files_and_says_why(app: Flask) -> None:
    editor = client_for(app, "alice")
    data, out = Path(app.config["DATA"]), Path(app.config["OUT"])
    paper = data / f"{TRACKER}.yaml"
    paper.write_text(paper.read_text().replace("layout: tracker", "layout: trackr"))
    before = (out / f"{TRACKER}.pdf").read_bytes()
    page = editor.get(f"/papers/{TRACKER}/build").get_data(as_text=True)
    assert editor.post(f"/papers/{TRACKER}/build", data={"csrf_token": csrf(page)}).status_code == 302
    page = finished(editor, TRACKER)
    assert "The build failed" in page and "files from the last build were kept" in page
    assert f"{TRACKER}.yaml:" in page and "&#39;trackr&#39; is not an allowed layout" in page
    assert str(data) not in page  # the server's folders are not shown
    assert (out / f"{TRACKER}.pdf").read_bytes() == before
    assert [(who, action) for who, action, _ in audit(app, TRACKER)][-1] == ("alice", "build failed")


def test_readers_download_but_cannot_build_and_a_build_needs_the_csrf_token(app: Flask) -> None:
    reader = client_for(app, "rita")
    page = reader.get(f"/papers/{TRACKER}/build").get_data(as_text=True)
    assert '<button type="submit" class="button">Build</button>' not in page
    assert reader.post(f"/papers/{TRACKER}/build", data={"csrf_token": csrf(page)}).status_code == 403
    bundle = reader.get(f"/papers/{TRACKER}/download.zip")
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as zipped:
        assert zipped.namelist() == [f"{TRACKER}.pdf"] and zipped.read(f"{TRACKER}.pdf") == b"%PDF-1.7 stand-in\n"
    assert reader.get(f"/papers/{RESPONSE}/download.zip").status_code == 404
    assert reader.get("/papers/no-such-paper/download.zip").status_code == 404
    editor = client_for(app, "alice")
    assert editor.post(f"/papers/{TRACKER}/build", data={}).status_code == 400
    assert not any(action.startswith("build") for _, action, _ in audit(app, TRACKER))


@pytest.mark.slow
def test_a_build_tells_a_progress_function_each_part_of_a_long_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from boardpack.build import build
    from boardpack.render.pdf import paper as pdf_module

    from .web_helpers import ROOT

    # The response paper cut into slices as a long paper is (as test_slices does): the 55-page
    # tracker would be cut the same way by default, at three times the layout.
    monkeypatch.setattr(pdf_module, "SLICE_LINES", 40.0)
    told: list[tuple[str, int, int]] = []
    results = build([ROOT / "data" / f"{RESPONSE}.yaml"], data_dir=ROOT / "data", out_dir=tmp_path, formats=("pdf",),
                    progress=lambda name, done, total: told.append((name, done, total)))
    assert results[0].error is None and (tmp_path / f"{RESPONSE}.pdf").is_file()
    assert told, "no progress was told"
    assert {name for name, _, _ in told} == {f"{RESPONSE}.pdf"}
    total = told[-1][2]
    assert total > 1 and [done for _, done, _ in told] == list(range(0, total + 1))  # the plan (0 done), then each part
