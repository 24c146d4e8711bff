"""An item's tasks in the item form: changed, added and removed, checked with check's rules beside the field."""

from __future__ import annotations

import html
import re
from pathlib import Path

from flask import Flask

from boardpack.chain import prepare

from .web_helpers import TRACKER, client_for

URL = f"/papers/{TRACKER}/item/disproportionate-use-of-police-powers/1"
"""An item with four tasks (1.1 to 1.4), none with a status."""


def paper_file(app: Flask) -> Path:
    return Path(app.config["DATA"]) / f"{TRACKER}.yaml"


def whole_form(page: str) -> dict[str, str]:
    """Every field of the item form as the browser would send it unchanged (boxes not ticked)."""
    start = page.index('class="item-form"')
    form = page[start:page.index("</form>", start)]
    sent = {name: html.unescape(value) for name, value in re.findall(r'type="hidden" name="([\w-]+)" value="([^"]*)"', form)}
    sent.update({name: html.unescape(value) for name, value in re.findall(r'id="[\w-]+" name="([\w-]+)" type="text"[^>]*value="([^"]*)"', form)})
    sent.update({name: html.unescape(value) for name, value in re.findall(r'<textarea[^>]*name="([\w-]+)"[^>]*>(.*?)</textarea>', form, re.S)})
    for name, options in re.findall(r'<select id="[\w-]+" name="([\w-]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        sent[name] = chosen.group(1) if chosen else ""
    return sent


def beside(page: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error"><span class="visually-hidden">Error:</span> (.*?)</p>', page)
    assert match, f"no error beside {field}"
    return html.unescape(match.group(1))


def tasks_of(app: Flask) -> list[tuple[str, str | None, str]]:
    paper = prepare(paper_file(app)).paper
    assert paper is not None
    item = next(i for r in paper.reports if r.title.startswith("Disproportionate") for i in r.items if i.ref == "1")
    return [(t.ref, t.status, t.text.strip()) for t in item.tasks]


def test_the_form_shows_each_task_with_its_fields_and_an_empty_one_to_add(app: Flask) -> None:
    page = client_for(app, "alice").get(URL).get_data(as_text=True)
    assert [html.unescape(x) for x in re.findall(r"<legend>(.*?)</legend>", page)] == ["Task 1.1", "Task 1.2", "Task 1.3", "Task 1.4", "Add a task"]
    form = whole_form(page)
    assert form["task-0-ref"] == "1.1" and form["task-3-ref"] == "1.4" and form["task-new-ref"] == ""
    assert form["task-1-position"].startswith("A company has been identified who provide community engagement training.")
    assert '<label for="task-2-status"><span class="visually-hidden">Task 1.3: </span>Status</label>' in page
    assert '<label for="task-0-remove">Remove task 1.1</label>' in page and 'name="task-new-remove"' not in page
    reader = client_for(app, "rita").get(URL).get_data(as_text=True)
    assert "task-0-ref" not in reader  # a reader sees no form


def test_tasks_are_changed_added_and_removed_with_comments_kept(app: Flask) -> None:
    client = client_for(app, "alice")
    form = whole_form(client.get(URL).get_data(as_text=True))
    form.update({"task-1-status": "GREEN", "task-1-position": "Training bought from a community group.",
                 "task-3-remove": "1", "task-new-ref": "1.5", "task-new-text": "Report the training numbers\n\nto the board.",
                 "task-new-status": "AMBER"})
    response = client.post(URL, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    text = paper_file(app).read_text()
    assert "# last quarter's paper: NEW GREEN" in text  # a comment elsewhere in the file, kept
    assert 'ref: "1.5"' in text and "Report the training numbers\n" in text
    assert tasks_of(app) == [
        ("1.1", None, tasks_of(app)[0][2]), ("1.2", "GREEN", tasks_of(app)[1][2]), ("1.3", None, tasks_of(app)[2][2]),
        ("1.5", "AMBER", "Report the training numbers\n\nto the board."),
    ]
    assert "Written report to S&S & UoF working group" not in text  # task 1.4's text, removed
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    rendering = page[page.index('class="rendering"'):]  # as the paper prints this item (reports without items are not printed)
    assert "Saved" in page and "Training bought from a community group." in rendering and "Report the training numbers" in rendering
    assert [html.unescape(x) for x in re.findall(r"<legend>(.*?)</legend>", page)] == ["Task 1.1", "Task 1.2", "Task 1.3", "Task 1.5", "Add a task"]
    history = client.get(f"/papers/{TRACKER}/history").get_data(as_text=True)
    assert "task 1.2: current position changed, status none → GREEN; task 1.4 removed; task 1.5 added" in html.unescape(history)


def test_a_task_refused_by_checks_rules_is_shown_beside_its_field_and_nothing_written(app: Flask) -> None:
    client = client_for(app, "alice")
    before = paper_file(app).read_bytes()
    form = whole_form(client.get(URL).get_data(as_text=True))
    form.update({"task-2-status": "RED", "task-new-ref": "1.1", "task-new-text": "A second task 1.1."})
    response = client.post(URL, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert paper_file(app).read_bytes() == before
    assert beside(page, "task-2-rationale") == "a RED status needs `rationale:` saying why (the legend says 'rationale required')"
    assert beside(page, "task-new-ref") == "task ref '1.1' is used twice in this item"
    assert '<a href="#task-2-rationale">Task 1.3: Rationale: a RED status' in page  # in the summary at the top
    again = whole_form(page)  # what was typed stays in the form
    assert again["task-2-status"] == "RED" and again["task-new-text"] == "A second task 1.1."
    again.update({"task-2-rationale": "No trainer until spring.", "task-new-ref": "1.6"})
    assert client.post(URL, data=again).status_code == 302
    assert [(ref, status) for ref, status, _ in tasks_of(app)] == [("1.1", None), ("1.2", None), ("1.3", "RED"), ("1.4", None), ("1.6", None)]


def test_an_unchanged_form_leaves_the_tasks_alone_and_anothers_change_to_a_task_is_a_conflict(app: Flask) -> None:
    alice, bob = client_for(app, "alice"), client_for(app, "bob")
    mine = whole_form(alice.get(URL).get_data(as_text=True))
    theirs = whole_form(bob.get(URL).get_data(as_text=True))
    theirs["task-0-status"] = "GREEN"
    assert bob.post(URL, data=theirs).status_code == 302
    mine["task-0-status"] = "AMBER"
    response = alice.post(URL, data=mine)
    assert response.status_code == 409 and "Not saved: bob changed this item" in response.get_data(as_text=True)
    assert tasks_of(app)[0][1] == "GREEN"
    unchanged = whole_form(alice.get(URL).get_data(as_text=True))
    unchanged["update"] = "Spoke to the training lead."
    before = tasks_of(app)
    assert alice.post(URL, data=unchanged).status_code == 302
    assert tasks_of(app) == before and len(before) == 4


def test_a_tasks_text_emptied_is_refused_and_every_task_can_be_removed(app: Flask) -> None:
    client = client_for(app, "alice")
    form = whole_form(client.get(URL).get_data(as_text=True))
    form.update({"task-0-text": "", "task-1-status": "PURPLE"})
    page = client.post(URL, data=form).get_data(as_text=True)
    assert beside(page, "task-0-text") == "must not be empty (found '')"
    assert beside(page, "task-1-status") == "'PURPLE' is not a status; allowed: GREEN, NEW GREEN, AMBER, RED, WHITE, CLOSED"
    form = whole_form(client.get(URL).get_data(as_text=True))
    form.update({f"task-{n}-remove": "1" for n in range(4)})
    assert client.post(URL, data=form).status_code == 302
    assert tasks_of(app) == []
    text = paper_file(app).read_text()
    item = text[text.index("Disproportionate use"):]
    item = item[:item.index('- ref: "2"')]
    assert "tasks:" not in item and "status: AMBER" in item


def test_a_task_field_longer_than_a_cell_is_refused(app: Flask) -> None:
    client = client_for(app, "alice")
    before = paper_file(app).read_bytes()
    form = whole_form(client.get(URL).get_data(as_text=True))
    form["task-2-position"] = "x" * 32_768
    page = client.post(URL, data=form).get_data(as_text=True)
    assert beside(page, "task-2-position") == "is 32,768 characters; a field holds at most 32,767"
    assert paper_file(app).read_bytes() == before
