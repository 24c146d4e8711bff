"""The quarter's actions in the workspace: roll forward (preview, then the new paper), roles, CSRF and the audit log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from boardpack.web import history, store

from .web_helpers import TRACKER, client_for, csrf

NEW = "2021-12-hmicfrs-tracker"


def test_the_roll_preview_shows_what_carries_changes_and_is_left_out_and_writes_nothing(app: Flask) -> None:
    editor = client_for(app, "alice")
    data = Path(app.config["DATA"])
    before = sorted(p.name for p in data.iterdir())
    page = editor.get(f"/papers/{TRACKER}/roll").get_data(as_text=True)
    assert 'name="to" type="text" value="2021-12"' in page  # the next quarter suggested
    page = editor.get(f"/papers/{TRACKER}/roll?to=2021-12&drop_done=1").get_data(as_text=True)
    assert "September 2021 → December 2021" in page and f"{NEW}.yaml" in page
    assert "18 reports and 63 items" in page
    assert "Changed: NEW GREEN becomes GREEN (15)" in page
    assert "<li>Review of policing domestic abuse during the pandemic, No. 1</li>" in page
    assert "<li>Custody services in a COVID-19 environment (every item GREEN or CLOSED)</li>" in page
    assert sorted(p.name for p in data.iterdir()) == before  # a preview writes nothing
    page = editor.get(f"/papers/{TRACKER}/roll?to=2021-06").get_data(as_text=True)
    assert ('<p class="field-error" id="to-error"><span class="visually-hidden">Error:</span> '
            "the new period must be after this paper&#39;s period (September 2021)</p>") in page
    assert "--to" not in page and "Roll forward to" not in page


@pytest.mark.slow
def test_rolling_writes_the_new_paper_records_it_and_lists_it(app: Flask) -> None:
    editor = client_for(app, "alice")
    data = Path(app.config["DATA"])
    old = (data / f"{TRACKER}.yaml").read_bytes()
    page = editor.get(f"/papers/{TRACKER}/roll?to=2021-12").get_data(as_text=True)
    response = editor.post(f"/papers/{TRACKER}/roll", data={"csrf_token": csrf(page), "to": "2021-12"})
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/papers/{NEW}")
    new = (data / f"{NEW}.yaml").read_text()
    assert "period: 2021-12" in new and f"previous: {TRACKER}.yaml" in new and "status: NEW GREEN" not in new
    assert (data / f"{TRACKER}.yaml").read_bytes() == old
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rolled forward" in page and f"started from {TRACKER}.yaml" in page
    assert NEW in editor.get("/").get_data(as_text=True)
    with store.connect(app.config["DATABASE"]) as db:
        versions = history.versions(db, NEW)
        log = history.audit_log(db, TRACKER)
    assert versions[0].who == "alice" and versions[0].changes[0] == f"rolled from {TRACKER}.yaml: period September 2021 → December 2021"
    assert any("NEW GREEN → GREEN" in line for line in versions[0].changes)
    assert (log[0]["who"], log[0]["action"], log[0]["detail"]) == ("alice", "rolled", f"{NEW}.yaml, period December 2021")
    again = editor.post(f"/papers/{TRACKER}/roll", data={"csrf_token": csrf(page), "to": "2021-12"})
    refused = again.get_data(as_text=True)
    assert again.status_code == 400 and f"{NEW}.yaml already exists: it is in the list of papers." in refused
    assert str(data) not in refused, refused[refused.find(str(data)) - 300:]
    assert "with -o" not in refused


def test_readers_cannot_roll_and_a_roll_without_the_csrf_token_is_refused(app: Flask) -> None:
    reader = client_for(app, "rita")
    data = Path(app.config["DATA"])
    assert reader.get(f"/papers/{TRACKER}/roll?to=2021-12").status_code == 403
    page = reader.get("/").get_data(as_text=True)
    assert reader.post(f"/papers/{TRACKER}/roll", data={"csrf_token": csrf(page), "to": "2021-12"}).status_code == 403
    assert "Roll forward" not in reader.get(f"/papers/{TRACKER}").get_data(as_text=True)
    editor = client_for(app, "alice")
    assert editor.post(f"/papers/{TRACKER}/roll", data={"to": "2021-12"}).status_code == 400
    assert not (data / f"{NEW}.yaml").exists()
    assert re.search(r"Roll forward to the next period", editor.get(f"/papers/{TRACKER}").get_data(as_text=True))
