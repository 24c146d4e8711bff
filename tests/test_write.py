"""The build folder's writer: group commits without hard links, a read-only folder as one line.

FAT, exFAT and many SMB shares refuse `link()`; the tests refuse it as they do. Tests run as
root, which ignores permissions, so a read-only folder is emulated by failing the open.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boardpack import write

from .conftest import run
from .intake.test_import import response_000
from .intake.test_returns import PAPER, returns_dir

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


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_read_only_build_folder_is_one_line(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = folder / "build"
    before = _snapshot(out)

    def refusing(path: Any, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(write, "open", refusing, raising=False)
    status, _, err = run("build", "--format", "csv", f"data/{NAME}")
    assert status == 1
    assert err.splitlines() == [f"error: cannot write in build/: Permission denied (build/{write.LOCK}); "
                                "nothing was built; give a folder you can write to with --out"]
    assert _snapshot(out) == before


# --- folders without hard links (FAT, exFAT, SMB) ------------------------------------------------


@pytest.fixture
def no_links(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """`link()` refused as a FAT or exFAT folder refuses it."""
    tried: list[str] = []

    def link(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        tried.append(str(dst))
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", link)
    yield tried


def test_builds_returns_roll_and_import_work_without_hard_links(folder: Path, no_links: list[str]) -> None:
    made = _snapshot(folder / "build")  # the workbooks `returns` wrote before link() was refused
    built: list[dict[str, bytes]] = []
    for _ in range(2):  # every second build used to fail: the first has nothing to keep aside
        code, out, err = run("build", "--format", "csv,html", "--force", f"data/{NAME}")
        assert code == 0, err
        code, _, err = run("returns", f"data/{NAME}")
        assert code == 0, err
        built.append({name: data for name, data in _snapshot(folder / "build").items() if not name.startswith(".")})
    assert no_links  # the fallback was taken, not skipped
    assert built[0] == built[1] and {k: v for k, v in built[1].items() if k.startswith("returns/")} == made
    assert sorted(p.name for p in (folder / "build").iterdir() if not p.name.startswith(".")) == [
        "2021-12-tracker.csv", "2021-12-tracker.html", "returns"]
    assert not list((folder / "build").glob(".*.part")) and [p.name for p in returns_dir(folder).glob(".*")] == [".round.json.lock"]
    code, _, err = run("roll", f"data/{NAME}", "--to", "2022-03")
    assert code == 0, err
    code, _, err = run("roll", f"data/{NAME}", "--to", "2022-03")
    assert code == 2 and "already exists" in err
    assert run("check", "data/2022-03-tracker.yaml")[0] == 0
    code, _, err = run("import", str(response_000(folder / "old.docx")), "-o", "data/imported.yaml")
    assert code == 0, err
    assert run("check", "data/imported.yaml")[0] == 0
    assert sorted(p.name for p in (folder / "data").iterdir() if not p.name.endswith(".lock")) == [
        NAME, "2022-03-tracker.yaml", "imported.yaml"]


def test_outputs_replaced_without_hard_links_are_byte_identical_and_kept_on_a_failure(
        tmp_path: Path, no_links: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    files = {tmp_path / f"out{n}.bin": bytes([n]) * 1000 for n in range(3)}
    write.commit_outputs(files)
    write.commit_outputs(files)
    assert {p: p.read_bytes() for p in files} == files
    newer = {p: b"new " + data for p, data in files.items()}
    real_replace = os.replace
    renamed: list[Path] = []

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == tmp_path / "out2.bin":
            raise OSError(errno.EIO, "Input/output error")
        renamed.append(Path(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="Input/output error"):
        write.commit_outputs(newer)
    assert renamed[:2] == [tmp_path / "out0.bin", tmp_path / "out1.bin"]  # two were replaced, then put back
    assert {p: p.read_bytes() for p in files} == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out0.bin", "out1.bin", "out2.bin"]


def test_a_replaced_output_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path: Path) -> None:
    kept, new = tmp_path / "kept.pdf", tmp_path / "new.pdf"
    kept.write_bytes(b"old")
    os.chmod(kept, 0o600)
    old = os.umask(0o077)
    try:
        write.commit_outputs({kept: b"newer", new: b"first"})
    finally:
        os.umask(old)
    assert (kept.read_bytes(), new.read_bytes()) == (b"newer", b"first")
    assert (kept.stat().st_mode & 0o777, new.stat().st_mode & 0o777) == (0o600, 0o600)
    write.commit_outputs({new: b"second"})  # replaced under the usual umask: the file's own mode stays
    assert new.stat().st_mode & 0o777 == 0o600 and new.read_bytes() == b"second"
