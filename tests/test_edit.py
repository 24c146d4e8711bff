"""boardpack.edit: an item changed in place, the paper's lock, and what changed between two versions."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from boardpack.edit import ItemAt, ItemEdit, edit_item, item_changes, save_paper_text
from boardpack.errors import DataError
from boardpack.load import load_text
from boardpack.paperfile import paper_lock
from boardpack.validate import validate

ROOT = Path(__file__).resolve().parent.parent
PAPER = "2021-09-hmicfrs-tracker.yaml"


def copy(tmp_path: Path) -> Path:
    for name in (PAPER, "2021-06-hmicfrs-tracker.yaml"):
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    return tmp_path / PAPER


def test_an_edit_is_merges_edit_plus_owner_with_the_reason_as_the_new_dates_note(tmp_path: Path) -> None:
    path = copy(tmp_path)
    result = edit_item(path, ItemAt(0, 0), ItemEdit(status="RED", due="2021-12", reason="pending guidance", update="Met them.",
                                                    rationale="Late guidance.", owner="Head of Fraud"), "alice")
    assert result.problems == {}
    assert result.changes == ["A review of 'Fraud: Time to choose', No. 1: status AMBER → RED; due date extended to December 2021 "
                              "(was September 2021); update added; rationale set; owner none → Head of Fraud"]
    text = path.read_text()
    assert "        due:\n          - 2021-09\n          - {date: 2021-12, note: pending guidance}\n" in text
    assert "# last quarter's paper" in text


def test_a_first_due_date_with_a_reason_is_one_step_with_its_note(tmp_path: Path) -> None:
    path = copy(tmp_path)
    assert "        status: WHITE\n        lead: National Criminal Justice Board\n        comment" in path.read_text()  # No. 8: no due date
    result = edit_item(path, ItemAt(2, 7), ItemEdit(due="2022-03", reason="set with the Home Office"), "alice")
    assert result.problems == {}, result.problems
    after = path.read_text()
    assert after.count("{date: 2022-03, note: set with the Home Office}") == 1
    paper, _ = validate(load_text(after, path, PAPER))
    assert paper is not None
    due = paper.reports[2].items[7].due
    assert [(str(step.date), step.note) for step in due] == [("March 2022", "set with the Home Office")]


def test_a_save_parses_the_file_once_and_checks_each_text_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ruamel.yaml import YAML

    import boardpack.roundtrip

    path = copy(tmp_path)
    parses: list[int] = []
    checks: list[int] = []
    real_load, real_validate = YAML.load, validate

    def load(self: YAML, stream: Any) -> Any:
        parses.append(1)
        return real_load(self, stream)

    def counted(source: Any) -> Any:
        checks.append(1)
        return real_validate(source)

    monkeypatch.setattr(YAML, "load", load)
    monkeypatch.setattr(boardpack.roundtrip, "validate", counted)
    result = edit_item(path, ItemAt(0, 0), ItemEdit(update="Met them."), "alice")
    assert result.problems == {} and "update added" in result.changes[0]
    assert "Met them." in path.read_text()
    assert (len(parses), len(checks)) == (1, 2)  # one round-trip parse; the file as read and as written, checked once each


def test_fields_left_as_the_form_showed_them_are_left_alone() -> None:
    shown = {"status": "AMBER", "due": "September 2021", "rationale": "", "owner": "PSD"}
    edit = ItemEdit.of({"status": "AMBER", "due": "September  2021", "rationale": "", "owner": "", "update": "x"}, shown)
    assert (edit.status, edit.due, edit.rationale, edit.owner, edit.update) == (None, None, None, "", "x")


def test_a_paper_that_would_not_check_is_never_written(tmp_path: Path) -> None:
    path = copy(tmp_path)
    before = path.read_bytes()
    try:
        save_paper_text(path, before.decode().replace("layout: tracker", "layout: trackr"))
    except DataError as exc:
        assert "layout" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("written")
    assert path.read_bytes() == before


def test_item_changes_name_each_item_and_field(tmp_path: Path) -> None:
    path = copy(tmp_path)
    before, _ = validate(load_text(path.read_text(), path, PAPER))
    edit_item(path, ItemAt(0, 1), ItemEdit(status="GREEN", owner="PSD"), "alice")
    after, _ = validate(load_text(path.read_text(), path, PAPER))
    assert after is not None
    assert item_changes(before, after) == ["A review of 'Fraud: Time to choose', No. 2: status AMBER → GREEN; owner changed"]


def test_the_lock_is_held_across_processes_and_threads(tmp_path: Path) -> None:
    path = copy(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from boardpack.paperfile import paper_lock\n"
        f"with paper_lock(Path({str(path)!r})):\n    print('held', flush=True); time.sleep(1.0)\n")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    start = time.monotonic()
    with paper_lock(path):
        waited = time.monotonic() - start
    holder.wait(timeout=10)
    assert waited > 0.5  # the other process held it

    order: list[str] = []

    def writer(name: str) -> None:
        with paper_lock(path):
            order.append(f"{name} in")
            time.sleep(0.05)
            with paper_lock(path):  # re-entrant in one thread
                order.append(f"{name} again")
            order.append(f"{name} out")

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n in range(0, 9, 3):  # never two writers inside at once
        name = order[n].split()[0]
        assert order[n:n + 3] == [f"{name} in", f"{name} again", f"{name} out"]


@pytest.mark.parametrize("order", [None, "oldest-first"])
def test_the_workspace_puts_an_update_where_merge_does(tmp_path: Path, order: str | None) -> None:
    from boardpack.intake.changes import add_update
    from boardpack.model import When

    path = copy(tmp_path)
    if order:
        path.write_text(path.read_text().replace("  layout: tracker\n", f"  layout: tracker\n  updates: {order}\n"))
    result = edit_item(path, ItemAt(0, 0), ItemEdit(update="Met the NPCC lead."), "alice")
    assert result.problems == {}, result.problems
    paper, _ = validate(load_text(path.read_text(), path, PAPER))
    assert paper is not None
    comment = paper.reports[0].items[0].comment
    old = "This is a new report recently published that is currently being considered by the force."
    update = "[Update, September 2021:]{.underline} Met the NPCC lead."
    assert comment == (f"{update}\n\n{old}" if order is None else f"{old}\n\n{update}")
    assert comment == add_update(old, "Met the NPCC lead.", When(2021, 9), order or "newest-first")
