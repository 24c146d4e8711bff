"""The one command the secretariat runs: exit codes, messages, skipping, never losing work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
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


def _pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return " ".join(page.extract_text() or "" for page in pdf.pages)


def _outputs(folder: Path, name: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name.startswith(f"{name}.")}


def test_a_paper_with_errors_keeps_its_old_outputs_and_the_others_build(project: Path) -> None:
    assert run("build", "--format", "pdf,html", "data/alpha.yaml")[0] == 0
    before = _outputs(project / "build", "alpha")
    assert sorted(before) == ["alpha.html", "alpha.pdf"]
    manifest_alpha = json.loads((project / "build" / ".boardpack-manifest.json").read_text())["alpha"]
    broken = minimal()
    broken["reports"][0]["items"][0]["status"] = "AMBR"
    del broken["reports"][0]["items"][2]["rationale"]
    (project / "data" / "alpha.yaml").write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
    good = minimal()
    good["paper"]["title"] = "Beta Inspection Tracker"
    (project / "data" / "beta.yaml").write_text(yaml.safe_dump(good, sort_keys=False), encoding="utf-8")

    code, out, err = run("build", "--format", "pdf,html")

    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("data/alpha.yaml:18:13: reports[0].items[0].status: 'AMBR' is not a status")
    assert lines[1].startswith("data/alpha.yaml:38:13: reports[0].items[2].status: a RED status needs `rationale:`")
    assert lines[2] == "FAILED  alpha: 2 errors in data/alpha.yaml; the previous outputs were kept"
    assert lines[-1] == "1 paper built, 1 failed (see above; it keeps its previous outputs)"
    assert "built   beta: beta.pdf, beta.html" in out and "alpha" not in out
    assert _outputs(project / "build", "alpha") == before
    assert "Beta Inspection Tracker" in _pdf_text(project / "build" / "beta.pdf")
    manifest = json.loads((project / "build" / ".boardpack-manifest.json").read_text())
    assert manifest["alpha"] == manifest_alpha
    assert manifest["beta"]["outputs"] == ["beta.html", "beta.pdf"] and manifest["beta"]["pages"] >= 1
    assert not [p for p in (project / "build").iterdir() if p.name.endswith(".part")]
    code, out, _ = run("build", "--format", "pdf,html")  # beta is recorded as built: skipped now
    assert code == 1 and "skipped beta: unchanged" in out


def test_unreadable_yaml_fails_that_paper_alone(project: Path) -> None:
    assert run("--format", "html")[0] == 0
    before = _outputs(project / "build", "beta")
    (project / "data" / "beta.yaml").write_text("paper:\n  title: [unclosed\n", encoding="utf-8")
    code, out, err = run("--format", "html", "--force")
    assert code == 1
    assert "data/beta.yaml:3:1: not valid YAML" in err and "FAILED  beta: 1 error in data/beta.yaml; the previous outputs were kept" in err
    assert err.splitlines()[-1] == "1 paper built, 1 failed (see above; it keeps its previous outputs)"
    assert "built   alpha" in out
    assert _outputs(project / "build", "beta") == before


def test_a_paper_that_fails_to_render_keeps_its_old_outputs_and_the_others_build(project: Path) -> None:
    assert run("--format", "pdf,html")[0] == 0
    before = _outputs(project / "build", "alpha")
    response = minimal()
    response["paper"].update(layout="response", title="Casey Review Response")
    (project / "data" / "beta.yaml").write_text(yaml.safe_dump(response, sort_keys=False), encoding="utf-8")
    templates = project / "templates"
    templates.mkdir()
    for source in (ROOT / "templates").iterdir():
        (templates / source.name).write_bytes(source.read_bytes())
    (templates / "tracker.html").write_text("{% extends 'paper.html' %}{% block body %}{{ paper.nonsense }}{% endblock %}")

    code, out, err = run("--format", "pdf,html", "--templates", str(templates), "--jobs", "2")  # the failure crosses processes

    assert code == 1
    assert "FAILED  alpha: Error building 'alpha.html' (render): template tracker.html:" in err
    assert err.splitlines()[-1] == "1 paper built, 1 failed (see above; it keeps its previous outputs)"
    assert "built   beta: beta.pdf, beta.html" in out
    assert _outputs(project / "build", "alpha") == before
    assert "Casey Review Response" in _pdf_text(project / "build" / "beta.pdf")


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
