"""Shared fixtures: small paper files written from dicts, the repository's folders, and its papers built once.

`reference_build` is the folder every paper in data/ is built into, in every format, once per
test session. Tests read it and never write to it: one that changes a build copies it first.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = ROOT / "templates"
DATA = ROOT / "data"
REFERENCE_PAPERS = tuple(sorted(path.stem for path in DATA.glob("*.yaml")))
"""The papers in data/: two quarters of the HMICFRS tracker and a response paper."""

MINIMAL: dict[str, Any] = {
    "paper": {
        "title": "HMICFRS Report Recommendations",
        "appendix": "A",
        "period": "2021-09",
        "committee": "Police Authority Board",
        "organisation": "City of London Police",
        "layout": "tracker",
        "classification": "OFFICIAL",
    },
    "reports": [
        {
            "title": "A review of 'Fraud: Time to choose'",
            "scope": "national",
            "by": "HMICFRS",
            "published": "2021-08-05",
            "items": [
                {"ref": "1", "type": "Recommendation", "text": "Follow the guidance.", "status": "AMBER",
                 "due": ["2021-09", {"date": "2021-11", "note": "to further assess performance"}],
                 "comment": "Being considered by the force."},
                {"ref": "2", "type": "Area for Improvement", "text": "Improve data.", "status": "NEW GREEN",
                 "due": "2021-07", "comment": "**Done** in July.",
                 "tasks": [{"ref": "2.1", "text": "Write the report.", "position": "Written.", "status": "GREEN"}]},
                {"ref": "3", "type": "Recommendation", "text": "Fix the backlog.", "status": "RED",
                 "rationale": "Vacancies in the unit.", "due": ["2021-06", "2021-12"]},
                {"ref": "4", "type": "Suggested Action", "to": "the Home Office", "text": "Change the law.",
                 "status": "WHITE", "lead": "Home Office"},
                {"ref": "5", "type": "Cause of Concern", "text": "Old matter.", "status": "CLOSED", "due": "2021-01"},
            ],
        },
        {"title": "State of Policing 2020", "published": "2021-07", "items": []},
    ],
}


def run(*argv: str) -> tuple[int, str, str]:
    """The command line in-process: (exit code, stdout, stderr)."""
    from boardpack.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def minimal() -> dict[str, Any]:
    """A fresh copy of a small valid tracker paper, to change in a test."""
    return copy.deepcopy(MINIMAL)


def write_tree(root: Path, tree: dict[str, Any]) -> None:
    """Write files from a dict: str values are file text, dict values are folders."""
    for name, value in tree.items():
        path = root / name
        if isinstance(value, dict):
            path.mkdir(parents=True, exist_ok=True)
            write_tree(path, value)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(value, encoding="utf-8")


@pytest.fixture
def paper_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a paper (dict or YAML text) to tmp_path/data/NAME.yaml and return its path."""

    def make(content: dict[str, Any] | str, name: str = "paper") -> Path:
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
        path = tmp_path / "data" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return make


def _fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _set_writable(folder: Path, writable: bool) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = 0o755 if path.is_dir() else 0o644
        os.chmod(path, mode if writable else mode & ~0o222)


def shared(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder made once per test run by `make(folder)`, whichever test process asks first.

    pytest-xdist runs a process per core, and each has its own session: a session fixture
    would be made once in each. This is pytest-xdist's recipe for sharing one: the folder lives
    in the run's temporary root, which every process shares, and is made under a file lock,
    so the first process to ask makes it while the others wait and then read it. A done-marker
    is written last, so a folder that `make` left half made (it failed) is made again.
    """
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    root = base.parent if "PYTEST_XDIST_WORKER" in os.environ else base
    folder, done = root / f"shared-{name}", root / f"shared-{name}.done"
    with FileLock(str(root / f"shared-{name}.lock")):
        if not done.is_file():
            if folder.exists():
                _set_writable(folder, True)
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def _build_reference(out: Path) -> None:
    # In a process of its own: a test module that patches boardpack (test_slices makes slices
    # small) may be the first to ask for this folder, and must not change what is built.
    script = ("import sys, boardpack; from pathlib import Path; "
              "built = boardpack.build(data_dir=Path(sys.argv[1]), out_dir=Path(sys.argv[2]), force=True); "
              "print(*[f'{b.name}:{b.error}' for b in built], sep=chr(10))")
    done = subprocess.run([sys.executable, "-c", script, str(DATA), str(out)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{name}:None" for name in REFERENCE_PAPERS], done.stdout + done.stderr
    built = _fingerprint(out)
    assert {f"{name}.{fmt}" for name in REFERENCE_PAPERS for fmt in ("pdf", "docx", "html", "xlsx", "csv")} <= set(built)
    _set_writable(out, False)


@pytest.fixture(scope="session")
def reference_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every paper in data/ built once per test run in every format, with its cover report: NAME.pdf, NAME.docx, NAME.html, ...

    Shared by every test that reads a reference paper's outputs, so the 55-page tracker is laid
    out once, not once per test module nor once per test process (`shared`). Built by
    `boardpack.build` in a fresh process, as a secretary's build is, so whichever test asks
    first, what is built is the same. Read-only: the files are made so, and (as root ignores
    that) each session ends with a check that not a byte of the folder changed while it ran.
    """
    out = shared(tmp_path_factory, "reference", _build_reference)
    before = _fingerprint(out)
    yield out
    assert _fingerprint(out) == before, "a test wrote into the shared reference build; copy it first"


def soffice(tmp_path: Path, *args: str) -> None:
    """LibreOffice without a window (`soffice --headless ARGS`), with a profile of its own in tmp_path."""
    exe = shutil.which("soffice")
    if exe is None:
        if os.environ.get("BOARDPACK_REQUIRE_SOFFICE"):
            pytest.fail("LibreOffice (soffice) is required here (BOARDPACK_REQUIRE_SOFFICE) but not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", *args], check=True, capture_output=True, timeout=240)


REFERENCE_WORD = ("2021-09-hmicfrs-tracker", "2023-05-casey-response", "2021-09-hmicfrs-tracker-cover")
"""The reference Word files the tests read as LibreOffice lays them out: the two papers and the tracker's cover report."""


@pytest.fixture(scope="session")
def reference_word_pdf(reference_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`REFERENCE_WORD` from `reference_build` as LibreOffice lays them out, as PDF: {NAME: NAME.pdf}.

    Converted once per test run (`shared`), all in one start of LibreOffice, which costs
    more than a conversion. Read-only, as the build is.
    """
    def convert(folder: Path) -> None:
        for name in REFERENCE_WORD:
            shutil.copyfile(reference_build / f"{name}.docx", folder / f"{name}.docx")
        soffice(tmp_path_factory.mktemp("lo"), "--convert-to", "pdf", "--outdir", str(folder),
                *(str(folder / f"{name}.docx") for name in REFERENCE_WORD))
        assert sorted(path.name for path in folder.glob("*.pdf")) == sorted(f"{name}.pdf" for name in REFERENCE_WORD)
        _set_writable(folder, False)

    folder = shared(tmp_path_factory, "reference-word", convert)
    return {name: folder / f"{name}.pdf" for name in REFERENCE_WORD}


@pytest.fixture(scope="session")
def reference_pdf(reference_build: Path) -> Iterator[Callable[[str], AbstractContextManager[Any]]]:
    """A reference paper's PDF from `reference_build`, opened once with pdfplumber and shared: `with reference_pdf(NAME) as pdf:`.

    pdfplumber parses a page when it is first read and keeps it; sharing the open PDF means
    each page of the tracker is parsed once per session, not once per test. Leaving the
    `with` block does not close it.
    """
    import pdfplumber

    opened: dict[str, Any] = {}

    def open_pdf(name: str) -> AbstractContextManager[Any]:
        if name not in opened:
            opened[name] = pdfplumber.open(reference_build / f"{name}.pdf")
        return contextlib.nullcontext(opened[name])

    yield open_pdf
    for pdf in opened.values():
        pdf.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that reads the reference build or runs a client is slow: `pytest -m "not slow"` is the quick loop without them.

    The slow tests run first (in the order pytest-randomly shuffled them, as are the others
    after them): with a test process per core handed a test or two at a time (`run.sh`), the
    quick tests fill the cores at the end, rather than one core idling while the other
    finishes a long layout it was handed last.
    """
    for item in items:
        if "reference_build" in getattr(item, "fixturenames", ()) or item.get_closest_marker("client"):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The order's seed at the end too, as -q leaves out the header that gives it: a failed run is repeated with it."""
    if config.pluginmanager.hasplugin("randomly") and exitstatus != 0:
        terminalreporter.write_line(f"tests ran in random order: repeat it with --randomly-seed={config.getoption('randomly_seed')}")


@pytest.fixture
def app(tmp_path: Path) -> Any:
    """A workspace over a copy of data/, with an editor, a second editor and a reader (see `web_helpers`)."""
    from .web.web_helpers import app_for

    return app_for(tmp_path)
