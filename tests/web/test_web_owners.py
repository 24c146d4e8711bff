"""The owners directory edited in the workspace: added, changed, removed; its own check beside the field; comments kept."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from boardpack.web import history, store

from ..test_round import OWNERS
from .web_helpers import client_for, csrf

COMMENTED = "# Kept up to date by the secretariat.\n" + OWNERS.replace("    email: psd@", "    email: psd@  # the team inbox\n").replace(
    "psd@  # the team inbox\nexample.police.uk", "psd@example.police.uk  # the team inbox")


def post(client: FlaskClient, **fields: str) -> TestResponse:
    page = client.get("/owners").get_data(as_text=True)
    data = {"csrf_token": csrf(page), "was": "", "name": "", "email": "", "deputy": "", "inside": "1", "action": "save"}
    data.update(fields)
    return client.post("/owners", data=data)


def beside(page: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error"><span class="visually-hidden">Error:</span> ([^<]*)</p>', page)
    assert match, f"no error beside {field}"
    return match.group(1).replace("&#39;", "'")


def test_an_owner_is_added_to_a_new_directory(app: Flask) -> None:
    editor = client_for(app, "alice")
    path = Path(app.config["DATA"]) / "owners.yaml"
    assert "The directory is empty" in editor.get("/owners").get_data(as_text=True)
    sent = post(editor, name="Professional Standards", email="psd@example.police.uk")
    assert sent.status_code == 302
    text = path.read_text()
    assert text.startswith("# The owners directory:") and "owners:\n  Professional Standards:\n    email: psd@example.police.uk\n" in text
    page = editor.get("/owners").get_data(as_text=True)
    assert "<td data-label=\"Owner\">Professional Standards</td><td data-label=\"E-mail\">psd@example.police.uk</td>" in page
    with store.connect(app.config["DATABASE"]) as db:
        log = history.audit_log(db)
    assert (log[0]["who"], log[0]["action"], log[0]["detail"]) == ("alice", "owner added", "Professional Standards")


def test_a_change_keeps_the_comments_and_a_mistake_is_shown_beside_its_field(app: Flask) -> None:
    path = Path(app.config["DATA"]) / "owners.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    editor = client_for(app, "alice")
    form = editor.get("/owners?owner=Professional Standards").get_data(as_text=True)
    assert 'id="email" name="email" type="text" value="psd@example.police.uk"' in form and "Remove Professional Standards" in form
    before = path.read_bytes()
    bad = post(editor, was="Professional Standards", name="Professional Standards", email="psd at example", deputy="Crime Directorat")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert beside(page, "email") == "'psd at example' is not an e-mail address; write one plain address such as firstname.lastname@cityoflondon.police.uk"
    assert path.read_bytes() == before
    bad = post(editor, was="Professional Standards", name="Professional Standards", email="psd@example.police.uk", deputy="Crime Directorat")
    assert beside(bad.get_data(as_text=True), "deputy").startswith("'Crime Directorat' is not an owner in this file (did you mean Crime Directorate?)")
    assert path.read_bytes() == before
    good = post(editor, was="Professional Standards", name="Professional Standards", email="standards@example.police.uk",
                deputy="Crime Directorate")
    assert good.status_code == 302
    assert path.read_text() == COMMENTED.replace("psd@example.police.uk  # the team inbox", "standards@example.police.uk # the team inbox")


def test_an_owner_named_as_a_deputy_is_not_removed_and_an_outside_body_is(app: Flask) -> None:
    path = Path(app.config["DATA"]) / "owners.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    before = path.read_bytes()
    editor = client_for(app, "alice")
    refused = post(editor, was="Crime Directorate", name="Crime Directorate", action="remove")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and path.read_bytes() == before
    assert "owners.Professional Standards.deputy: &#39;Crime Directorate&#39; is not an owner in this file" in page
    assert post(editor, was="Home Office", name="Home Office", action="remove").status_code == 302
    assert "Home Office" not in path.read_text() and "# the team inbox" in path.read_text()
    outside = post(editor, name="CPS", inside="")
    assert outside.status_code == 302 and "  CPS:\n    inside: false\n" in path.read_text()
    inside = post(editor, name="Fraud Team")
    assert beside(inside.get_data(as_text=True), "email").startswith("Fraud Team is inside the force but has no `email:`")


def test_a_reader_sees_the_directory_but_cannot_change_it(app: Flask) -> None:
    path = Path(app.config["DATA"]) / "owners.yaml"
    path.write_text(OWNERS, encoding="utf-8")
    reader = client_for(app, "rita")
    page = reader.get("/owners").get_data(as_text=True)
    assert "psd@example.police.uk" in page and "Add an owner" not in page and "Change" not in page
    assert post(reader, was="Home Office", name="Home Office", action="remove").status_code == 403
    assert path.read_text() == OWNERS
