"""Never lose a file, never read what it should not: clean, previous, odd files in data/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from boardpack.chain import check

from .conftest import minimal, run


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


def test_two_papers_with_one_name_are_refused_before_anything_is_built(project: Path) -> None:
    (project / "other").mkdir()
    (project / "other" / "alpha.yaml").write_text((project / "data" / "alpha.yaml").read_text())
    code, _, err = run("build", "data/alpha.yaml", "other/alpha.yaml", "--format", "html")
    assert code == 1 and "other/alpha.yaml: has the same name as data/alpha.yaml" in err
    assert not (project / "build" / "alpha.html").exists()
    assert run("build", "data/alpha.yaml", "data/alpha.yaml", "--format", "html")[0] == 0  # one file named twice


def test_outputs_are_replaced_together_or_not_at_all(project: Path) -> None:
    assert run("--format", "html,docx", "--jobs", "1")[0] == 0
    build = project / "build"
    html_before = (build / "alpha.html").read_bytes()
    data = minimal()
    data["paper"]["title"] = "A new title"
    (project / "data" / "alpha.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (build / "alpha.docx").unlink()
    (build / "alpha.docx").mkdir()  # a folder in the way of the Word output
    code, _, err = run("--format", "html,docx", "--jobs", "1")
    assert code == 1 and "FAILED  alpha: cannot write" in err and "the previous outputs were kept" in err
    assert (build / "alpha.html").read_bytes() == html_before
    assert not list(build.glob(".*part"))


def test_a_killed_builds_temporary_files_are_removed_by_the_next(project: Path) -> None:
    assert run("--format", "html")[0] == 0
    stale = project / "build" / ".alpha.pdf.k1ll3d.part"
    stale.write_bytes(b"%PDF-half")
    assert run("--format", "html", "--force")[0] == 0
    assert not stale.exists()


@pytest.mark.slow
def test_concurrent_builds_keep_every_manifest_entry(project: Path) -> None:
    import json
    import subprocess
    import sys

    from .conftest import ROOT

    for name in ("b1", "b2", "b3"):
        (project / "data" / f"{name}.yaml").write_text((project / "data" / "alpha.yaml").read_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "build", f"data/{name}.yaml", "--format", "html"],
                              cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for name in ("alpha", "b1", "b2", "b3")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    manifest = json.loads((project / "build" / ".boardpack-manifest.json").read_text())
    assert sorted(manifest) == ["alpha", "b1", "b2", "b3"]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_workers_end_when_the_build_is_killed(project: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from .conftest import ROOT

    data = minimal()
    data["reports"][0]["items"][0]["comment"] = "A long comment. " * 8000
    for name in ("slow1", "slow2"):
        (project / "data" / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "build", "--jobs", "2", "--format", "pdf"],
                            cwd=project, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == proc.pid:
                    found.append(int(entry.name))
        return found

    deadline = time.monotonic() + 30
    while len(children()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = children()
    assert workers, "no worker processes started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 3  # a worker left running would still be laying out its paper
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
                 and (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z")]
    assert alive == []
