"""The one writer of paper files: the lock, re-reading under it, links, modes, line ends, failures.

Each test reproduces a failure of the reliability trial (issue 23) and then opens the files
and compares their bytes. Tests run as root, which ignores permissions, so a read-only
folder and a full disk are emulated by making the system calls fail as they would.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import threading
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock, Timeout

from boardpack import paperfile
from boardpack.build import find_papers
from boardpack.errors import DataError
from boardpack.paperfile import PaperFile, edit_paper, lock_file, paper_lock

from .conftest import ROOT, run
from .intake.test_import import response_000
from .intake.test_returns import PAPER, fill, row_of

BOM = b"\xef\xbb\xbf"
NAME = PAPER.name


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the returns paper in data/, as the current directory, returns exported."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    shutil.copy(PAPER, tmp_path / "data" / NAME)
    code, _, err = run("returns", f"data/{NAME}")
    assert code == 0, err
    return tmp_path


def green(folder: Path, book: str, ref: str, save_as: str | None = None) -> Path:
    """A returned workbook that sets item `ref` to GREEN."""
    return fill(folder, book, {f"H{row_of(folder, book, ref)}": "GREEN"}, save_as=save_as)


def statuses(text: str) -> list[str]:
    return [line.split("#")[0].strip() for line in text.splitlines() if line.strip().startswith("status:")]


ORIGINAL = statuses(PAPER.read_text())


def expected_after(*refs: str) -> list[str]:
    """The statuses in the paper after items `refs` were set to GREEN (items 1..6 and task 2.1 in file order)."""
    order = ["1", "2", "2.1", "3", "4", "5", "6"]
    return ["status: GREEN" if ref in refs else was for ref, was in zip(order, ORIGINAL, strict=True)]


# --- the lock: two writers at once -------------------------------------------------------------


@pytest.mark.slow
def test_two_merge_processes_started_together_both_land(folder: Path) -> None:
    psd = green(folder, "Professional-Standards.xlsx", "1", save_as="psd.xlsx")
    crime = green(folder, "Crime-Directorate.xlsx", "4", save_as="crime.xlsx")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "merge", f"data/{NAME}", str(book)],  # noqa: S603
                              cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for book in (psd, crime)]
    results = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert all("merged 1 change" in out for out, _ in results)
    text = (folder / "data" / NAME).read_text()
    assert statuses(text) == expected_after("1", "4")
    assert run("check", f"data/{NAME}")[0] == 0


def test_a_merge_plans_against_the_file_as_reread_under_the_lock(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge that has to wait for another writer of the paper keeps that writer's change."""
    paper = folder / "data" / NAME
    book = green(folder, "Crime-Directorate.xlsx", "4")
    waiting, outcome = threading.Event(), dict[str, tuple[int, str, str]]()
    monkeypatch.setattr(paperfile.log, "warning", lambda *args: waiting.set())  # "waiting for another command ..."
    with paper_lock(paper):
        worker = threading.Thread(target=lambda: outcome.update(result=run("merge", f"data/{NAME}", str(book))))
        worker.start()
        while not waiting.wait(0.05) and worker.is_alive():
            pass
        assert waiting.is_set(), "the merge did not wait for the paper's lock"
        # Another writer, holding the lock, changes item 1 meanwhile.
        paper.write_text(paper.read_text().replace("status: AMBER   # checked", "status: RED     # checked").replace(
            "        due: 2022-03\n", "        due: 2022-03\n        rationale: Staff left.\n", 1))
    worker.join()
    code, out, err = outcome["result"]
    assert code == 0, err
    text = paper.read_text()
    assert statuses(text)[0] == "status: RED" and "rationale: Staff left." in text
    assert statuses(text)[4] == "status: GREEN"


def test_the_lock_is_held_against_other_threads_and_processes(tmp_path: Path) -> None:
    paper = tmp_path / "p.yaml"
    paper.write_bytes(PAPER.read_bytes())
    refused: list[bool] = []

    def try_lock() -> None:
        try:
            FileLock(lock_file(paper)).acquire(timeout=0)
        except Timeout:
            refused.append(True)
        else:  # pragma: no cover - the failure this test exists for
            refused.append(False)

    with paper_lock(paper):
        thread = threading.Thread(target=try_lock)
        thread.start()
        thread.join()
        probe = subprocess.run([sys.executable, "-c", "import fcntl, sys; f = open(sys.argv[1], 'a'); "  # noqa: S603
                                "fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)", str(lock_file(paper))],
                               capture_output=True, text=True, check=False)
    assert refused == [True]
    assert probe.returncode != 0 and "BlockingIOError" in probe.stderr
    assert lock_file(paper) == tmp_path / ".p.yaml.lock"


def test_the_lock_file_and_leftovers_are_not_papers(folder: Path) -> None:
    assert run("merge", f"data/{NAME}", str(green(folder, "Crime-Directorate.xlsx", "4")))[0] == 0
    data = folder / "data"
    (data / "._2021-12-tracker.yaml").write_bytes(b"\x00\x05\x16\x07")  # what macOS leaves on a FAT or SMB share
    assert (data / f".{NAME}.lock").exists()
    assert find_papers(None, data) == [data / NAME]
    code, out, err = run("check")
    assert code == 0, err
    assert out.count("data/") == 1


# --- where and how the bytes are written ------------------------------------------------------


def test_a_symlinked_paper_is_written_through_the_link(folder: Path) -> None:
    data, store = folder / "data", folder / "store"
    store.mkdir()
    (data / NAME).rename(store / NAME)
    (data / NAME).symlink_to(Path("..") / "store" / NAME)
    code, out, err = run("merge", f"data/{NAME}", str(green(folder, "Crime-Directorate.xlsx", "4")))
    assert code == 0, err
    assert (data / NAME).is_symlink() and os.readlink(data / NAME) == str(Path("..") / "store" / NAME)
    assert statuses((store / NAME).read_text()) == expected_after("4")
    assert sorted(p.name for p in data.iterdir()) == [NAME]  # the lock sits beside the real file
    assert sorted(p.name for p in store.iterdir()) == [f".{NAME}.lock", NAME]

    code, out, err = run("roll", f"data/{NAME}", "--to", "2022-03")
    assert code == 0, err
    assert "-o" not in err + out
    rolled = data / "2022-03-tracker.yaml"
    assert not rolled.is_symlink() and "previous: 2021-12-tracker.yaml" in rolled.read_text()
    assert statuses(rolled.read_text()) == expected_after("4")


def test_mode_and_owner_are_kept_and_new_files_follow_the_umask(folder: Path) -> None:
    paper = folder / "data" / NAME
    os.chmod(paper, 0o600)
    if os.geteuid() == 0:
        os.chown(paper, 4321, 4322)
    code, _, err = run("merge", f"data/{NAME}", str(green(folder, "Crime-Directorate.xlsx", "4")))
    assert code == 0, err
    info = paper.stat()
    assert stat.S_IMODE(info.st_mode) == 0o600
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (4321, 4322)
    assert statuses(paper.read_text()) == expected_after("4")

    old = os.umask(0o027)
    try:
        code, _, err = run("roll", f"data/{NAME}", "--to", "2022-03")
    finally:
        os.umask(old)
    assert code == 0, err
    rolled = (folder / "data" / "2022-03-tracker.yaml").stat()
    assert stat.S_IMODE(rolled.st_mode) == 0o640
    assert (rolled.st_uid, rolled.st_gid) == (os.geteuid(), os.getegid())


def test_a_hard_linked_paper_stays_linked(folder: Path) -> None:
    paper, other = folder / "data" / NAME, folder / "shared-copy.yaml"
    os.link(paper, other)
    code, _, err = run("merge", f"data/{NAME}", str(green(folder, "Crime-Directorate.xlsx", "4")))
    assert code == 0, err
    assert paper.stat().st_ino == other.stat().st_ino and paper.stat().st_nlink == 2
    assert other.read_bytes() == paper.read_bytes()
    assert statuses(other.read_text()) == expected_after("4")
    assert sorted(p.name for p in paper.parent.iterdir()) == [f".{NAME}.lock", NAME]  # no journal left


def test_a_hard_linked_paper_is_put_back_when_the_write_fails_midway(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paper, other = folder / "data" / NAME, folder / "shared-copy.yaml"
    os.link(paper, other)
    before = paper.read_bytes()
    book = green(folder, "Crime-Directorate.xlsx", "4")
    real_pwrite = os.pwrite
    calls: list[int] = []

    def pwrite(fd: int, data: Any, offset: int) -> int:
        calls.append(offset)
        if len(calls) == 1:
            return real_pwrite(fd, bytes(data[:40]), offset)  # the first 40 bytes land, then the disk is full
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", pwrite)
    code, out, err = run("merge", f"data/{NAME}", str(book))
    assert code == 1
    assert f"data/{NAME}: cannot write" in err and "No space left on device" in err and "Traceback" not in err
    assert paper.read_bytes() == before and other.read_bytes() == before
    assert paper.stat().st_ino == other.stat().st_ino
    assert sorted(p.name for p in paper.parent.iterdir()) == [f".{NAME}.lock", NAME]


def test_an_interrupted_in_place_write_is_undone_by_the_next_writer(folder: Path) -> None:
    paper = folder / "data" / NAME
    before = paper.read_bytes()
    new = before.replace(b"status: AMBER   # checked", b"status: RED     # checked")
    middle = before.index(b"AMBER   # checked") + 2
    torn = new[:middle] + before[middle:]  # "status: REBER   # checked"
    assert torn not in (before, new)
    # What a writer killed in the middle of an in-place write leaves: the journal and a torn file.
    (paper.parent / f".{NAME}.redo").write_bytes(new)
    (paper.parent / f".{NAME}.undo").write_bytes(before)
    paper.write_bytes(torn)
    code, _, err = run("merge", f"data/{NAME}", str(green(folder, "Crime-Directorate.xlsx", "4")))
    assert code == 0, err
    assert paper.read_bytes() == before.replace(b"        status: AMBER\n        owner: Crime", b"        status: GREEN\n        owner: Crime")
    assert sorted(p.name for p in paper.parent.iterdir()) == [f".{NAME}.lock", NAME]


def test_a_journal_is_not_applied_over_a_file_changed_since(folder: Path) -> None:
    paper = folder / "data" / NAME
    (paper.parent / f".{NAME}.undo").write_bytes(b"# something else entirely\n")
    (paper.parent / f".{NAME}.redo").write_bytes(b"# and another\n")
    before = paper.read_bytes()
    code, _, err = run("merge", f"data/{NAME}", str(green(folder, "Crime-Directorate.xlsx", "4")))
    assert code == 1 and "an earlier write of this paper was interrupted" in err and f".{NAME}.undo" in err
    assert paper.read_bytes() == before


@pytest.mark.parametrize("bom, newline", [(True, b"\r\n"), (False, b"\r\n"), (True, b"\n")])
def test_merge_and_roll_keep_a_bom_and_crlf_line_ends(folder: Path, bom: bool, newline: bytes) -> None:
    plain = folder / "data" / NAME
    saved = (BOM if bom else b"") + PAPER.read_bytes().replace(b"\n", newline)
    windows = folder / "windows" / "data" / NAME
    windows.parent.mkdir(parents=True)
    windows.write_bytes(saved)
    book = green(folder, "Crime-Directorate.xlsx", "4")
    assert run("merge", f"data/{NAME}", str(book))[0] == 0  # the same merge, on the file saved the usual way
    code, _, err = run("merge", str(windows), str(book))
    assert code == 0, err
    merged = windows.read_bytes()
    assert merged == (BOM if bom else b"") + plain.read_bytes().replace(b"\n", newline)
    changed = [(a, b) for a, b in zip(saved.split(b"\n"), merged.split(b"\n"), strict=True) if a != b]
    assert changed == [(b"        status: AMBER" + newline[:-1], b"        status: GREEN" + newline[:-1])]

    code, _, err = run("roll", str(windows), "--to", "2022-03")
    assert code == 0, err
    rolled = (windows.parent / "2022-03-tracker.yaml").read_bytes()
    assert rolled.startswith(BOM) == bom and rolled.count(b"\n") == rolled.count(newline)
    before, after = merged.split(b"\n"), rolled.split(b"\n")
    edits = [(before[a0:a1], after[b0:b1]) for op, a0, a1, b0, b1 in SequenceMatcher(a=before, b=after).get_opcodes() if op != "equal"]
    assert edits == [([b"  period: 2021-12" + newline[:-1]], [b"  period: 2022-03" + newline[:-1]]),
                     ([], [b"  previous: 2021-12-tracker.yaml" + newline[:-1]])]


def test_a_last_line_without_a_line_end_is_kept_so(folder: Path) -> None:
    paper = folder / "data" / NAME
    paper.write_bytes(PAPER.read_bytes().rstrip(b"\n"))
    assert run("merge", f"data/{NAME}", str(green(folder, "Crime-Directorate.xlsx", "4")))[0] == 0
    assert paper.read_bytes() == PAPER.read_bytes().rstrip(b"\n").replace(
        b"        status: AMBER\n        owner: Crime", b"        status: GREEN\n        owner: Crime")


# --- leftovers, failures ------------------------------------------------------------------------


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_one(folder: Path) -> None:
    data = folder / "data"
    mine, theirs = data / f".{NAME}.k3j4h5.part", data / ".2021-09-other.yaml.k3j4h5.part"
    mine.write_bytes(PAPER.read_bytes()[:100])
    theirs.write_bytes(b"another paper's writer is using this")
    assert run("merge", f"data/{NAME}", str(green(folder, "Crime-Directorate.xlsx", "4")))[0] == 0
    assert not mine.exists()
    assert theirs.read_bytes() == b"another paper's writer is using this"
    assert statuses((data / NAME).read_text()) == expected_after("4")


def _refuse_writes_in(folder: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str) -> None:
    """Make creating or writing a file in `folder` fail as a read-only (EACCES) or full (ENOSPC) folder does."""
    real_open = os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def refusing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & writing and Path(os.path.abspath(path)).parent == folder:
            raise OSError(code, reason, str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("code, reason", [(errno.EACCES, "Permission denied"), (errno.EROFS, "Read-only file system")])
def test_a_read_only_data_folder_is_one_line_and_nothing_changes(folder: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str) -> None:
    data = folder / "data"
    book = green(folder, "Crime-Directorate.xlsx", "4")
    before = _snapshot(data)
    _refuse_writes_in(data.resolve(), monkeypatch, code, reason)
    for argv, outcome in [(("merge", f"data/{NAME}", str(book)), f"nothing was merged; data/{NAME} is unchanged"),
                          (("roll", f"data/{NAME}", "--to", "2022-03"), "no new paper was written")]:
        status, out, err = run(*argv)
        assert status == 1, out
        lines = err.splitlines()
        assert lines[0].startswith(f"data/{NAME}: cannot") and reason in lines[0] and "read-only" in lines[0]
        assert lines[1:] == [f"1 error: {outcome}"]
        assert _snapshot(data) == before


def test_import_into_a_read_only_folder_is_one_line(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = folder / "data"
    before = _snapshot(target)
    _refuse_writes_in(target.resolve(), monkeypatch, errno.EACCES, "Permission denied")
    docx = response_000(folder / "old.docx")
    status, _, err = run("import", str(docx), "-o", "data/imported.yaml")
    assert status == 1
    assert "data/imported.yaml: cannot" in err and "Permission denied" in err and "Traceback" not in err
    assert _snapshot(target) == before


def test_a_full_disk_on_merge_is_one_line_and_nothing_changes(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = folder / "data"
    book = green(folder, "Crime-Directorate.xlsx", "4")
    assert run("merge", f"data/{NAME}", str(green(folder, "Professional-Standards.xlsx", "1")))[0] == 0  # the lock file exists
    before = _snapshot(data)
    real_write = os.write

    def full(fd: int, data: Any) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".part"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    status, _, err = run("merge", f"data/{NAME}", str(book))
    assert status == 1
    assert err.splitlines()[0].startswith(f"data/{NAME}: cannot write") and "No space left on device" in err
    assert "Traceback" not in err
    assert _snapshot(data) == before


# --- the interface the workspace will use --------------------------------------------------------


def test_edit_paper_checks_before_writing(tmp_path: Path) -> None:
    paper = tmp_path / NAME
    paper.write_bytes(PAPER.read_bytes())

    def to_green(tree: Any) -> None:
        tree["reports"][0]["items"][3]["status"] = "GREEN"

    def to_purple(tree: Any) -> None:
        tree["reports"][0]["items"][3]["status"] = "PURPLE"

    assert edit_paper(paper, to_green) is True
    assert statuses(paper.read_text()) == expected_after("4")
    assert edit_paper(paper, to_green) is False  # no byte would change: nothing written
    before = paper.read_bytes()
    with pytest.raises(DataError, match="PURPLE"):
        edit_paper(paper, to_purple)
    assert paper.read_bytes() == before


def test_a_file_changed_by_an_editor_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    paper = tmp_path / NAME
    paper.write_bytes(PAPER.read_bytes())
    with PaperFile.open(paper) as pf:
        assert pf.paper.reports[0].items[0].status == "AMBER"
        pf.data["reports"][0]["items"][3]["status"] = "GREEN"
        paper.write_bytes(PAPER.read_bytes() + b"# saved in an editor\n")  # not through the lock
        with pytest.raises(DataError, match="changed by another program"):
            pf.save()
    assert paper.read_bytes() == PAPER.read_bytes() + b"# saved in an editor\n"


def test_opened_without_the_lock_it_cannot_save(tmp_path: Path) -> None:
    from boardpack.errors import UsageError

    paper = tmp_path / NAME
    paper.write_bytes(PAPER.read_bytes())
    with PaperFile.open(paper, write=False) as pf:
        pf.data["reports"][0]["items"][3]["status"] = "GREEN"
        with pytest.raises(UsageError):
            pf.save()
    assert paper.read_bytes() == PAPER.read_bytes()
    assert not lock_file(paper).exists()



def test_the_thread_holding_the_lock_may_open_the_paper_again(tmp_path: Path) -> None:
    paper = tmp_path / NAME
    paper.write_bytes(PAPER.read_bytes())
    with paper_lock(paper):
        assert edit_paper(paper, lambda tree: tree["reports"][0]["items"][3].__setitem__("status", "GREEN")) is True
    assert statuses(paper.read_text()) == expected_after("4")


def test_a_hard_linked_paper_on_a_full_disk_is_left_whole_with_no_journal(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paper = folder / "data" / NAME
    os.link(paper, folder / "shared-copy.yaml")
    book = green(folder, "Crime-Directorate.xlsx", "4")
    before = paper.read_bytes()
    real_write = os.write

    def full(fd: int, data: Any) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".part") and b"status: GREEN\n        owner: Crime" not in bytes(data):
            raise OSError(errno.ENOSPC, "No space left on device")  # the journal's second file finds the disk full
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    code, _, err = run("merge", f"data/{NAME}", str(book))
    assert code == 1 and "No space left on device" in err
    assert paper.read_bytes() == before
    assert sorted(p.name for p in paper.parent.iterdir()) == [f".{NAME}.lock", NAME]


@pytest.mark.slow
def test_a_paper_written_again_starts_from_the_tree_written_and_writes_what_a_fresh_parse_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from ruamel.yaml import YAML

    from boardpack.edit import ItemAt, ItemEdit, edit_item

    for name in ("2021-06-hmicfrs-tracker.yaml", "2021-09-hmicfrs-tracker.yaml"):
        for where in ("kept", "fresh"):
            (tmp_path / where).mkdir(exist_ok=True)
            shutil.copy(ROOT / "data" / name, tmp_path / where / name)
    kept, fresh = (tmp_path / where / "2021-09-hmicfrs-tracker.yaml" for where in ("kept", "fresh"))
    parses: list[Path] = []
    real_load = YAML.load
    def load(self: YAML, stream: Any) -> Any:
        parses.append(Path())
        return real_load(self, stream)

    monkeypatch.setattr(YAML, "load", load)
    with PaperFile.open(kept, write=False) as pf:
        places = [ItemAt(r, i) for r, report in enumerate(pf.paper.reports) for i in range(len(report.items))]
    draw = random.Random(26)  # noqa: S311 - which edits, repeatably
    written, wrote = 0, False
    for n in range(12):
        at = draw.choice(places)
        edit = ItemEdit(status=draw.choice(["RED", "AMBER", "GREEN", None]), due=draw.choice([f"2032-{n % 12 + 1:02d}", None]),
                        reason=draw.choice(["after the review", ""]), update=draw.choice([f"Update {n}.\n\n- one\n- two", ""]),
                        rationale=f"Why {n}.", owner=draw.choice([f"Owner {n}", None]))
        before = len(parses)
        one = edit_item(kept, at, edit, "alice")
        assert len(parses) == before + (0 if wrote else 1)  # right after a write, the next save parses nothing
        wrote = one.text is not None
        written += wrote
        again = tmp_path / f"fresh-{n}"  # the other copy is parsed afresh every time: a file this process has not written
        again.mkdir()
        for paper in fresh.parent.glob("*.yaml"):
            shutil.copy(paper, again / paper.name)
        fresh = again / fresh.name
        other = edit_item(fresh, at, edit, "alice")
        assert (one.problems, one.changes) == (other.problems, other.changes)
        assert kept.read_bytes() == fresh.read_bytes(), f"save {n} differs"
    assert written >= 8
    kept.write_bytes(kept.read_bytes().replace(b"Why", b"Because"))  # a hand edit: the next save parses again
    before = len(parses)
    assert edit_item(kept, places[0], ItemEdit(update="After the hand edit."), "alice").problems == {}
    assert len(parses) == before + 1 and b"After the hand edit." in kept.read_bytes()


def test_the_documents_emitter_writes_what_ruamel_writes(tmp_path: Path) -> None:
    """The emitter that remembers scalars' styles dumps every paper byte for byte as ruamel.yaml's own, before and after a change."""
    import io

    from ruamel.yaml.emitter import RoundTripEmitter

    from boardpack.roundtrip import Document

    papers = sorted((ROOT / "data").glob("*.yaml"))
    assert len(papers) >= 3
    for path in papers:
        doc = Document(path)
        mine = [doc.dump()]
        doc.data["reports"][0]["items"][0]["comment"] = "A line: with a colon, 'quotes' and a # mark\n\nand a second paragraph."
        mine.append(doc.dump())
        doc.yaml.Emitter = RoundTripEmitter
        theirs = io.StringIO()
        doc.yaml.dump(doc.data, theirs)
        assert mine[1] == theirs.getvalue(), path.name
        assert "and a second paragraph." in mine[1] and "and a second paragraph." not in mine[0]
        fresh = Document(path)
        fresh.yaml.Emitter = RoundTripEmitter
        assert mine[0] == fresh.dump(), path.name
