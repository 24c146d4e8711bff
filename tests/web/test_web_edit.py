"""The item form: check's rules beside the fields, nothing written when wrong, conflicts, versions, restore, audit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from boardpack.edit import ItemAt, ItemEdit, edit_item
from boardpack.web import history, store

from .web_helpers import RESPONSE, TRACKER, app_for, client_for, item_form

URL = f"/papers/{TRACKER}/item/a-review-of-fraud-time-to-choose/1"
"""The first item's page: its address carries its identity (report and No.)."""


def paper_file(app: Flask, name: str = TRACKER) -> Path:
    return Path(app.config["DATA"]) / f"{name}.yaml"


def beside(page: str, field: str) -> str:
    """The error message shown beside a field."""
    match = re.search(rf'<p class="field-error" id="{field}-error"><span class="visually-hidden">Error:</span> (.*?)</p>', page)
    assert match, f"no error beside {field}"
    return match.group(1)


def test_a_wrong_date_is_refused_beside_the_field_with_checks_words_and_nothing_written(app: Flask) -> None:
    client = client_for(app, "alice")
    before = paper_file(app).read_bytes()
    form = item_form(client)
    form.update(status="AMBER", due="31/02/2022", reason="awaiting national guidance", update="Met the NPCC lead.")
    response = client.post(URL, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert beside(page, "due") == ("&#39;31/02/2022&#39; is not a real date: there is no 31 February 2022 (February 2022 has 28 days); "
                                   "write 2021-09, September 2021, 2021-09-30 or 30 September 2021")
    assert paper_file(app).read_bytes() == before
    assert 'value="31/02/2022"' in page and 'value="awaiting national guidance"' in page and "Met the NPCC lead.</textarea>" in page


def test_red_without_a_rationale_is_refused_beside_rationale(app: Flask) -> None:
    client = client_for(app, "alice")
    form = item_form(client)
    form.update(status="RED", rationale="")
    page = client.post(URL, data=form).get_data(as_text=True)
    assert beside(page, "rationale") == "a RED status needs `rationale:` saying why (the legend says &#39;rationale required&#39;)"


def test_an_earlier_date_is_not_an_extension(app: Flask) -> None:
    client = client_for(app, "alice")
    form = item_form(client)
    form.update(due="2021-06")
    page = client.post(URL, data=form).get_data(as_text=True)
    assert beside(page, "due") == "due dates go backwards: June 2021 comes after September 2021; list the first date first and each extension after it"


def test_a_save_writes_the_paper_with_comments_kept_and_shows_the_new_rendering(app: Flask) -> None:
    client = client_for(app, "alice")
    form = item_form(client)
    form.update(status="RED", due="2021-12", reason="pending national guidance", update="The force met the NPCC lead.",
                rationale="The national guidance is late.", owner="Head of Economic Crime")
    response = client.post(URL, data=form)
    assert response.status_code == 302
    text = paper_file(app).read_text()
    assert "# last quarter's paper: NEW GREEN" in text  # a comment elsewhere in the file, kept
    assert "          - {date: 2021-12, note: pending national guidance}" in text
    assert "[Update, September 2021:]{.underline} The force met the NPCC lead." in text
    assert "owner: Head of Economic Crime" in text and "status: RED" in text
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved" in page and "Now December 2021 pending national guidance" in page
    assert 'class="rag rag-red"' in page


def test_versions_and_audit_of_a_save(app: Flask) -> None:
    client = client_for(app, "alice")
    original = paper_file(app).read_text()
    form = item_form(client)
    form.update(status="GREEN")
    client.post(URL, data=form)
    with store.connect(app.config["DATABASE"]) as db:
        kept = history.versions(db, TRACKER)
        log = history.audit_log(db, TRACKER)
        assert history.get(db, TRACKER, kept[-1].id)[1] == original  # type: ignore[index]
    assert [v.who for v in kept] == ["alice", history.OUTSIDE]
    assert kept[0].changes == ["A review of 'Fraud: Time to choose', No. 1: status AMBER → GREEN"]
    assert [(row["who"], row["action"]) for row in log] == [("alice", "item changed")]
    page = client.get(f"/papers/{TRACKER}/history").get_data(as_text=True)
    assert "status AMBER → GREEN" in page and "Restore version" in page


def test_a_version_is_restored_as_a_new_version(app: Flask) -> None:
    client = client_for(app, "alice")
    original = paper_file(app).read_bytes()
    form = item_form(client)
    form.update(status="GREEN")
    client.post(URL, data=form)
    with store.connect(app.config["DATABASE"]) as db:
        first = history.versions(db, TRACKER)[-1]
    page = client.get(f"/papers/{TRACKER}/history/{first.id}").get_data(as_text=True)
    assert "status: AMBER" in page
    response = client.post(f"/papers/{TRACKER}/history/{first.id}/restore", data={"csrf_token": form["csrf_token"]})
    assert response.status_code == 302
    assert paper_file(app).read_bytes() == original
    with store.connect(app.config["DATABASE"]) as db:
        latest = history.versions(db, TRACKER)[0]
    assert latest.who == "alice" and latest.note.startswith(f"restored version {first.id}")
    assert latest.changes == ["A review of 'Fraud: Time to choose', No. 1: status GREEN → AMBER"]


def test_a_save_on_another_item_goes_through_after_the_paper_changed(app: Flask) -> None:
    alice, bob = client_for(app, "alice"), client_for(app, "bob")
    hers = item_form(alice, report=0, item=1)
    his = item_form(bob, report=0, item=0)
    his.update(status="GREEN")
    assert bob.post(URL, data=his).status_code == 302
    hers.update(status="GREEN")
    assert alice.post(f"/papers/{TRACKER}/items/0/1", data=hers).status_code == 302
    text = paper_file(app).read_text()
    assert text.count("status: GREEN") >= 2
    with store.connect(app.config["DATABASE"]) as db:
        assert [v.who for v in history.versions(db, TRACKER)] == ["alice", "bob", history.OUTSIDE]


def test_a_save_on_the_same_item_is_refused_naming_who_changed_it_with_nothing_lost(app: Flask) -> None:
    alice, bob = client_for(app, "alice"), client_for(app, "bob")
    hers = item_form(alice)
    his = item_form(bob)
    his.update(status="GREEN", update="Bob's update.")
    assert bob.post(URL, data=his).status_code == 302
    after_bob = paper_file(app).read_bytes()
    hers.update(status="RED", rationale="Alice's rationale.", update="Alice's long update.")
    response = alice.post(URL, data=hers)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(r"Not saved: bob changed this item on \d+ \w+ \d{4}, \d\d:\d\d UTC, after you opened it", page)
    assert "Bob's update." in page  # their version (as the paper prints it), beside ...
    assert "Alice&#39;s long update.</textarea>" in page and "Alice&#39;s rationale.</textarea>" in page  # ... her text, kept
    assert paper_file(app).read_bytes() == after_bob
    again = {**hers, **{k: v for k, v in item_form(alice).items() if k in ("version", "fingerprint")}}
    page2 = alice.post(URL, data=again)
    assert page2.status_code == 302  # saved once she has seen theirs
    assert "Alice's rationale." in paper_file(app).read_text()


def test_a_hand_edit_of_the_same_item_is_named_as_outside_the_workspace(app: Flask) -> None:
    client = client_for(app, "alice")
    form = item_form(client)
    path = paper_file(app)
    path.write_text(path.read_text().replace("status: AMBER\n        due: 2021-09", "status: GREEN\n        due: 2021-09", 1))
    form.update(status="RED", rationale="why")
    page = client.post(URL, data=form).get_data(as_text=True)
    assert "Not saved: outside the workspace changed this item" in page


def test_a_reader_sees_no_form_and_cannot_save_or_restore(app: Flask) -> None:
    editor, reader = client_for(app, "alice"), client_for(app, "rita")
    page = reader.get(URL).get_data(as_text=True)
    assert "<form method=\"post\" action=\"/papers" not in page and "can view and download" in page
    form = item_form(editor)
    form["csrf_token"] = item_form(reader)["csrf_token"]
    before = paper_file(app).read_bytes()
    form.update(status="GREEN")
    assert reader.post(URL, data=form).status_code == 403
    assert reader.post(f"/papers/{TRACKER}/history/1/restore", data={"csrf_token": form["csrf_token"]}).status_code == 403
    assert paper_file(app).read_bytes() == before


def test_the_paper_page_filters_and_links_checks_problems_to_items(app: Flask) -> None:
    client = client_for(app, "rita")
    page = client.get(f"/papers/{TRACKER}?status=RED").get_data(as_text=True)
    shown = re.search(r"Showing (\d+) of (\d+) items", page)
    assert shown and 0 < int(shown.group(1)) < int(shown.group(2))
    assert page.count('<span class="tag rag-red">RED</span>') == int(shown.group(1))
    path = paper_file(app)
    path.write_text(path.read_text().replace("status: AMBER\n        due: 2021-09", "status: AMBER\n        due: 2021-08", 1))
    overdue = client.get(f"/papers/{TRACKER}?overdue=1").get_data(as_text=True)
    assert "Overdue</strong>" in overdue
    assert "Showing 1 of" in overdue
    row = overdue[overdue.index('<ul class="row-problems">'):]
    assert row.startswith('<ul class="row-problems"><li class="warning">') and "overdue: due August 2021, before the end of the period" in row
    assert "Check found" in overdue and f'href="{URL}#due"' in overdue
    none = client.get(f"/papers/{TRACKER}?owner=nobody").get_data(as_text=True)
    assert "No item matches these filters." in none


def test_the_papers_page_lists_each_paper(app: Flask) -> None:
    page = client_for(app, "rita").get("/").get_data(as_text=True)
    assert "Police Authority Board" in page and "September 2021" in page and RESPONSE in page
    assert f'href="/papers/{TRACKER}/download/pdf"' in page and "not built yet" in page


def test_the_library_edit_leaves_the_file_as_it_was_when_wrong(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    path = paper_file(app)
    before = path.read_bytes()
    result = edit_item(path, ItemAt(0, 0), ItemEdit(status="BLUE", due="soon"), "alice")
    assert set(result.problems) == {"status", "due"} and path.read_bytes() == before
    result = edit_item(path, ItemAt(0, 0), ItemEdit(reason="no date"), "alice")
    assert result.problems == {"reason": ["a reason goes with a new due date; type the new date in Due date, or leave this empty"]}


def test_saving_again_after_a_conflict_applies_only_the_fields_changed(app: Flask) -> None:
    alice, bob = client_for(app, "alice"), client_for(app, "bob")
    hers, his = item_form(alice), item_form(bob)
    his.update(status="GREEN", owner="Head of Fraud")
    assert bob.post(URL, data=his).status_code == 302
    hers.update(update="Alice's update.")
    assert alice.post(URL, data=hers).status_code == 409
    again = {**hers, **{k: v for k, v in item_form(alice).items() if k in ("version", "fingerprint")}}
    assert alice.post(URL, data=again).status_code == 302
    text = paper_file(app).read_text()
    assert "Alice's update." in text
    assert "owner: Head of Fraud" in text  # Bob's owner and status are not undone by fields Alice left as they were
    with store.connect(app.config["DATABASE"]) as db:
        assert history.versions(db, TRACKER)[0].changes == ["A review of 'Fraud: Time to choose', No. 1: update added"]


def test_a_save_keeps_the_other_papers_checks_and_a_change_to_a_previous_paper_is_seen(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import boardpack.web.cache as cache

    checks: list[str] = []
    from boardpack.chain import Checked, prepare

    loaded: list[str] = []

    def counted(path: Path, label: str | None = None, **known: Any) -> Checked:
        checks.append(path.stem)
        if known.get("loaded") is not None:
            loaded.append(path.stem)
        return prepare(path, label, **known)

    monkeypatch.setattr(cache, "prepare", counted)
    editor = client_for(app, "alice")
    assert editor.get("/").status_code == 200
    assert sorted(checks) == sorted(p.stem for p in Path(app.config["DATA"]).glob("*.yaml"))
    checks.clear()
    form = item_form(editor, RESPONSE, 0, 0)
    form["update"] = "Spoke to the lead."
    assert editor.post(f"/papers/{RESPONSE}/items/0/0", data=form).status_code == 302
    assert editor.get("/").status_code == 200
    assert checks == [RESPONSE]  # only the paper saved is checked again
    assert loaded == [RESPONSE]  # from what the save wrote: the file is not loaded again
    checks.clear()
    previous = paper_file(app, "2021-06-hmicfrs-tracker")  # the tracker's previous paper
    previous.write_text(previous.read_text().replace("layout: tracker", "layout: trackr"))
    page = editor.get(f"/papers/{TRACKER}").get_data(as_text=True)
    assert TRACKER in checks and "2021-06-hmicfrs-tracker" not in checks
    assert "the previous paper 2021-06-hmicfrs-tracker.yaml has errors" in page


def test_an_items_address_is_its_identity_and_the_old_address_by_place_is_sent_on(app: Flask) -> None:
    editor = client_for(app, "alice")
    paper = editor.get(f"/papers/{TRACKER}").get_data(as_text=True)
    assert f'href="{URL}"' in paper and "/items/0/0" not in paper
    moved = editor.get(f"/papers/{TRACKER}/items/0/0?saved=1")
    assert moved.status_code == 301 and moved.headers["Location"] == URL + "?saved=1"
    assert editor.get(f"/papers/{TRACKER}/items/0/99").status_code == 404
    assert editor.get(f"/papers/{TRACKER}/item/a-review-of-fraud-time-to-choose/99").status_code == 404
    page = editor.get(URL).get_data(as_text=True)
    assert f'action="{URL}"' in page and "By 30 September 2021, chief constables should make sure" in page
    form = item_form(editor)
    form["update"] = "Sent to the old address."
    saved = editor.post(f"/papers/{TRACKER}/items/0/0", data=form)  # a form opened before the change of address
    assert saved.status_code == 302 and saved.headers["Location"] == URL + "?saved=1#saved"
    assert "Sent to the old address." in paper_file(app).read_text()
