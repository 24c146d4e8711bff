"""Never lose a file, never read what it should not: clean, previous, odd files in data/."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import yaml

from boardpack.build import check
from boardpack.cli import main

from .conftest import minimal


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "alpha.yaml").write_text(yaml.safe_dump(minimal(), sort_keys=False), encoding="utf-8")
    return tmp_path


def test_clean_refuses_a_folder_boardpack_did_not_build(project: Path) -> None:
    before = (project / "data" / "alpha.yaml").read_bytes()
    code, _, err = run("clean", "--out", "data")
    assert code == 2 and "data/ is not a build folder" in err and "nothing was removed" in err
    assert (project / "data" / "alpha.yaml").read_bytes() == before
    code, _, err = run("clean", "--out", ".")
    assert code == 2 and (project / "data" / "alpha.yaml").is_file()


def test_clean_removes_only_what_the_manifest_lists(project: Path) -> None:
    assert run("--format", "html")[0] == 0
    build = project / "build"
    (build / "notes.txt").write_text("the secretary's own file")
    (build / ".alpha.html.x1y2.part").write_text("left by a killed build")
    code, out, _ = run("clean")
    assert code == 0 and "removed 3 files" in out
    assert sorted(p.name for p in build.iterdir()) == ["notes.txt"]


def test_clean_keeps_outputs_of_earlier_formats_listed(project: Path) -> None:
    assert run("--format", "html")[0] == 0
    assert run("--format", "docx")[0] == 0
    run("clean")
    assert list((project / "build").iterdir()) == []


def test_clean_never_follows_a_manifest_name_out_of_the_folder(project: Path) -> None:
    assert run("--format", "html")[0] == 0
    manifest = project / "build" / ".boardpack-manifest.json"
    manifest.write_text('{"alpha": {"outputs": ["../data/alpha.yaml", "alpha.html"]}}')
    assert run("clean")[0] == 0
    assert (project / "data" / "alpha.yaml").is_file()


def test_clean_on_an_unwritable_build_folder_is_an_error_not_a_traceback(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("--format", "html")[0] == 0

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", refuse)
    code, _, err = run("clean")
    assert code == 1 and "cannot remove build/alpha.html: Permission denied" in err and "Traceback" not in err


@pytest.mark.parametrize("previous, words", [
    ("/etc/shadow", "is not a file name"),
    ("../secret.yaml", "is not a file name"),
    ("sub/old.yaml", "is not a file name"),
    ("notes.txt", "is not a paper file (*.yaml or *.yml)"),
    ("alpha.yaml", "is this paper itself"),
    ("missing.yaml", "is not a paper file next to this one"),
])
def test_previous_must_name_another_paper_in_the_same_folder(project: Path, previous: str, words: str) -> None:
    (project / "secret.yaml").write_text("paper: {}")
    (project / "data" / "notes.txt").write_text("x")
    data = minimal()
    data["paper"]["previous"] = previous
    path = project / "data" / "alpha.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (result,) = check([path])
    assert [p.where for p in result.errors] == ["paper.previous"], result.problems
    assert words in result.errors[0].message
    assert result.errors[0].line == 9  # the `previous:` line


def test_previous_outside_the_data_folder_is_never_read(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = minimal()
    data["paper"]["previous"] = "../../../../../../etc/passwd"
    (project / "data" / "alpha.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    opened: list[str] = []
    real_open = Path.open
    real_read = Path.read_bytes

    def spy_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        opened.append(str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    def spy_read(self: Path) -> bytes:
        opened.append(str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "open", spy_open)
    monkeypatch.setattr(Path, "read_bytes", spy_read)
    code, _, err = run("build", "--format", "html")
    assert code == 1 and "is not a file name" in err
    assert not any("passwd" in name for name in opened)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_yaml_is_refused_without_hanging(project: Path) -> None:
    os.mkfifo(project / "data" / "pipe.yaml")
    code, _, err = run("check")
    assert code == 1 and "data/pipe.yaml: not a regular file" in err
