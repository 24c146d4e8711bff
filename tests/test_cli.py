"""The one command the secretariat runs: exit codes, messages, skipping, never losing work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml


from .conftest import ROOT, minimal, run



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with two small papers in data/, as the current directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    for name in ("alpha", "beta"):
        (tmp_path / "data" / f"{name}.yaml").write_text(yaml.safe_dump(minimal(), sort_keys=False), encoding="utf-8")
    return tmp_path


def test_check_prints_counts_per_paper_and_report(project: Path) -> None:
    code, out, err = run("check")
    assert code == 0 and err == ""
    assert "data/alpha.yaml: ok · 2 reports · 5 items (NEW GREEN 1, AMBER 1, RED 1, WHITE 1, CLOSED 1) · 0 warnings" in out
    assert "1. A review of 'Fraud: Time to choose': 5 items" in out


def test_check_exits_1_on_errors_and_0_on_warnings_alone(project: Path) -> None:
    data = minimal()
    data["reports"][0]["items"][0]["due"] = "2021-08"
    (project / "data" / "alpha.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    code, _, err = run("check")
    assert code == 0 and "overdue" in err
    data["reports"][0]["items"][0]["status"] = "AMBR"
    (project / "data" / "alpha.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    code, _, err = run("check", "data/alpha.yaml")
    assert code == 1 and "data/alpha.yaml:" in err and "did you mean AMBER?" in err
    assert "Traceback" not in err


def test_build_writes_every_format_then_skips_unchanged_papers(project: Path) -> None:
    code, out, _ = run("--format", "pdf,html")
    assert code == 0, out
    assert sorted(p.name for p in (project / "build").iterdir() if not p.name.startswith(".")) == [
        "alpha.html", "alpha.pdf", "beta.html", "beta.pdf"]
    assert out.count("built   ") == 2 and "pages" in out
    stamp = (project / "build" / "beta.pdf").stat().st_mtime_ns
    code, out, _ = run("--format", "pdf,html")
    assert code == 0 and out.count("skipped ") == 2
    data = minimal()
    data["reports"][0]["title"] = "A changed title"
    (project / "data" / "alpha.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    code, out, _ = run("build", "--format", "pdf,html")
    assert "built   alpha" in out and "skipped beta" in out
    assert (project / "build" / "beta.pdf").stat().st_mtime_ns == stamp
    os.utime(project / "data" / "beta.yaml", ns=(stamp + 10**9, stamp + 10**9))
    code, out, _ = run("build", "--format", "pdf,html")
    assert "skipped alpha" in out and "built   beta" in out  # touched: rebuilt alone
    code, out, _ = run("build", "--format", "pdf,html", "--force", "data/beta.yaml")
    assert "built   beta" in out and "alpha" not in out


def test_broken_data_exits_1_and_leaves_previous_outputs_untouched(project: Path) -> None:
    assert run("--format", "html")[0] == 0
    before = {p.name: p.read_bytes() for p in (project / "build").iterdir()}
    (project / "data" / "beta.yaml").write_text("paper:\n  title: [unclosed\n", encoding="utf-8")
    code, out, err = run("--format", "html", "--force")
    assert code == 1
    assert "data/beta.yaml:" in err and "nothing was built; the previous outputs are unchanged" in err
    assert {p.name: p.read_bytes() for p in (project / "build").iterdir()} == before
    assert not [p for p in (project / "build").iterdir() if p.name.endswith(".part")]


def test_a_broken_template_fails_that_build_and_keeps_old_outputs(project: Path) -> None:
    assert run("--format", "html")[0] == 0
    old = (project / "build" / "alpha.html").read_bytes()
    templates = project / "templates"
    templates.mkdir()
    for source in (ROOT / "templates").iterdir():
        (templates / source.name).write_bytes(source.read_bytes())
    (templates / "tracker.html").write_text("{% extends 'paper.html' %}{% block body %}{{ paper.nonsense }}{% endblock %}")
    code, _, err = run("--format", "html", "--templates", str(templates), "--jobs", "1")
    assert code == 1
    assert "Error building 'alpha.html' (render): template tracker.html:" in err and "nonsense" in err
    assert "the previous outputs were kept" in err
    assert (project / "build" / "alpha.html").read_bytes() == old


def test_clean_empties_build(project: Path) -> None:
    run("--format", "html")
    code, out, _ = run("clean")
    assert code == 0 and "removed" in out
    assert list((project / "build").iterdir()) == []


def test_usage_errors_exit_2(project: Path) -> None:
    assert run("build", "--format", "odt")[0] == 2
    assert run("build", "--jobs", "0")[0] == 2
    code, _, err = run("frobnicate")  # not a command: taken as a file to build
    assert code == 1 and "frobnicate: no such file" in err


def test_missing_file_is_named(project: Path) -> None:
    code, _, err = run("check", "data/nope.yaml")
    assert code == 1 and "data/nope.yaml: no such file" in err


def test_help_explains_each_command() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "generate.py"), "--help"], capture_output=True, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0
    for words in ("check and build every paper", "build FILE", "check [FILE...]", "clean", "Exit codes"):
        assert words in result.stdout
