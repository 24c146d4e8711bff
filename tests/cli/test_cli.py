"""The one command the secretariat runs: exit codes, messages, skipping, never losing work."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pdfplumber
import pytest
import yaml

from ..conftest import ROOT, minimal, run


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


@pytest.mark.slow
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


@pytest.mark.slow
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


def test_a_paper_that_never_built_is_not_said_to_keep_outputs(project: Path) -> None:
    broken = minimal()
    broken["reports"][0]["items"][0]["status"] = "AMBR"
    (project / "data" / "gamma.yaml").write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
    code, _, err = run("--format", "html")
    assert code == 1
    assert "FAILED  gamma: 1 error in data/gamma.yaml; nothing was written for it" in err


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


@pytest.mark.slow
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


SEPT = "2021-09-hmicfrs-tracker"
JUNE = "2021-06-hmicfrs-tracker"
CASEY = "2023-05-casey-response"


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's papers in a fresh folder: June's tracker, September's (previous: June; seven warnings), a response."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def _manifest(folder: Path) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads((folder / "build" / ".boardpack-manifest.json").read_text()))


def test_a_skipped_paper_counts_its_warnings_without_printing_them_and_is_not_parsed(seeds: Path) -> None:
    code, out, err = run("--format", "csv")
    assert code == 0 and out.count("built   ") == 3
    assert len([line for line in err.splitlines() if line.startswith(f"data/{SEPT}.yaml:") and line.endswith("(warning)")]) == 7
    assert _manifest(seeds)[SEPT]["chain"] == [f"{JUNE}.yaml"]
    code, again, err_again = run("--format", "csv")
    assert code == 0 and err_again == ""  # shown when it was built; a list that grew by a paper a quarter is not reprinted
    assert again.splitlines() == [f"skipped {JUNE}: unchanged ({JUNE}.csv); --force rebuilds",
                                  f"skipped {SEPT}: unchanged ({SEPT}.csv); 7 warnings (`check data/{SEPT}.yaml` lists them); --force rebuilds",
                                  f"skipped {CASEY}: unchanged ({CASEY}.csv); --force rebuilds"]
    code, _, checked = run("check", f"data/{SEPT}.yaml")
    assert code == 0 and len([line for line in checked.splitlines() if line.endswith("(warning)")]) == 7
    # A new process: the papers are recalled from the manifest, so neither the parser nor the model is loaded.
    script = ("import sys; from boardpack.cli import main; code = main(['--format', 'csv']); "
              "print(code, [m for m in ('yaml', 'pydantic', 'boardpack.model', 'multiprocessing') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=seeds,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert result.stdout.splitlines()[-1] == "0 []"
    assert result.stderr == ""


def test_editing_or_touching_a_previous_paper_rebuilds_the_papers_after_it(seeds: Path) -> None:
    assert run("--format", "csv")[0] == 0
    june = seeds / "data" / f"{JUNE}.yaml"
    june.write_text(june.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    code, out, _ = run("--format", "csv")
    assert code == 0 and f"built   {JUNE}" in out and f"built   {SEPT}" in out and f"skipped {CASEY}" in out
    stamp = june.stat().st_mtime_ns + 10**9
    os.utime(june, ns=(stamp, stamp))
    code, out, _ = run("--format", "csv")
    assert f"built   {JUNE}" in out and f"built   {SEPT}" in out and f"skipped {CASEY}" in out


def test_an_edited_template_a_deleted_output_or_force_rebuilds(seeds: Path) -> None:
    templates = seeds / "templates"
    shutil.copytree(ROOT / "templates", templates)
    assert run("--format", "csv", "--templates", "templates")[0] == 0
    (seeds / "build" / f"{CASEY}.csv").unlink()
    code, out, _ = run("--format", "csv", "--templates", "templates")
    assert f"built   {CASEY}" in out and f"skipped {SEPT}" in out and f"skipped {JUNE}" in out
    (templates / "paper.css").write_text((templates / "paper.css").read_text() + "\n/* edited */\n")
    code, out, _ = run("--format", "csv", "--templates", "templates")
    assert out.count("built   ") == 3
    code, out, _ = run("--format", "csv", "--templates", "templates", "--force")
    assert out.count("built   ") == 3


def _tamper(entry: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**entry, key: value}


@pytest.mark.parametrize("damage, rebuilt", [
    (lambda manifest: "{ not json", True),
    (lambda manifest: "[]", True),
    (lambda manifest: json.dumps({**manifest, SEPT: ["not", "an", "entry"]}), True),
    (lambda manifest: json.dumps({**manifest, SEPT: _tamper(manifest[SEPT], "inputs", 0)}), True),
    # A record of the check that is not as a build writes it: the paper is checked again (and, unchanged, skipped).
    (lambda manifest: json.dumps({**manifest, SEPT: _tamper(manifest[SEPT], "chain", ["../data/2021-06-hmicfrs-tracker.yaml"])}), False),
    (lambda manifest: json.dumps({**manifest, SEPT: _tamper(manifest[SEPT], "chain", [f"{SEPT}.yaml"])}), False),
    (lambda manifest: json.dumps({**manifest, SEPT: _tamper(manifest[SEPT], "chain", "2021-06-hmicfrs-tracker.yaml")}), False),
    (lambda manifest: json.dumps({**manifest, SEPT: _tamper(manifest[SEPT], "chain", [])}), False),
    (lambda manifest: json.dumps({**manifest, SEPT: _tamper(manifest[SEPT], "warnings", [[1, 2, "x"]])}), False),
    (lambda manifest: json.dumps({**manifest, SEPT: _tamper(manifest[SEPT], "warnings", [[1, 2, "x", "\x1b[2J cleared"]])}), False),
    (lambda manifest: json.dumps({**manifest, SEPT: _tamper(manifest[SEPT], "counts", {"RED": 1})}), False),
    (lambda manifest: json.dumps({**manifest, SEPT: _tamper(manifest[SEPT], "cover", "yes")}), False),
])
def test_a_damaged_or_tampered_manifest_rebuilds_or_rechecks_rather_than_crashes(
        seeds: Path, damage: Callable[[dict[str, Any]], str], rebuilt: bool) -> None:
    code, _, err = run("--format", "csv")
    assert code == 0
    path = seeds / "build" / ".boardpack-manifest.json"
    path.write_text(damage(_manifest(seeds)), encoding="utf-8")
    code, out, err_again = run("--format", "csv")
    assert code == 0 and err_again == (err if rebuilt else ""), out  # a skipped paper's warnings are counted, not printed
    assert (f"built   {SEPT}" if rebuilt else f"skipped {SEPT}") in out
    assert _manifest(seeds)[SEPT]["chain"] == [f"{JUNE}.yaml"]  # the record written afresh
    assert _manifest(seeds)[SEPT]["counts"] == [["NEW GREEN", 17], ["AMBER", 19], ["RED", 8], ["WHITE", 18], ["CLOSED", 4]]
    code, out, err_again = run("--format", "csv")
    assert out.count("skipped ") == 3 and err_again == "" and f"7 warnings (`check data/{SEPT}.yaml` lists them)" in out
    assert "\x1b" not in out


def test_a_manifest_entry_with_foreign_outputs_is_rewritten_by_the_next_build(seeds: Path) -> None:
    assert run("--format", "csv")[0] == 0
    path = seeds / "build" / ".boardpack-manifest.json"
    path.write_text(json.dumps({**_manifest(seeds), SEPT: _tamper(_manifest(seeds)[SEPT], "outputs", 7)}), encoding="utf-8")
    code, out, _ = run("--format", "csv", "--force")
    assert code == 0 and out.count("built   ") == 3
    assert _manifest(seeds)[SEPT]["outputs"] == [f"{SEPT}.csv"]


def test_outside_the_projects_environment_it_says_how_to_run_it(tmp_path: Path) -> None:
    """Run by a Python without the dependencies (here: without any site-packages), it names the way in, not a bug."""
    result = subprocess.run([sys.executable, "-S", str(ROOT / "generate.py"), "check", "data/x.yaml"], capture_output=True,
                            text=True, cwd=tmp_path, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, check=False)
    assert result.returncode == 2, result.stderr
    assert "failed unexpectedly" not in result.stderr and "report this" not in result.stderr
    assert "it is not running in the project's environment" in result.stderr
    assert "./run.sh build check data/x.yaml" in result.stderr and "Traceback" not in result.stderr


def test_python_dash_m_boardpack_runs_the_command_line(tmp_path: Path) -> None:
    from boardpack import __version__

    result = subprocess.run([sys.executable, "-m", "boardpack", "--version"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
    result = subprocess.run([sys.executable, "-m", "boardpack", "check", str(tmp_path / "missing.yaml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and "missing.yaml" in result.stderr and "no such file" in result.stderr
