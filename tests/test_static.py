"""The code as the project's rules want it: `ruff check` clean, and `mypy --strict` clean on the package.

Both read their settings from pyproject.toml. ruff takes well under a second; mypy a few seconds
the first time on a fresh machine, then about a second from its cache (.mypy_cache/).
"""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)


def test_ruff_check_is_clean() -> None:
    done = _run("ruff", "check", "--no-cache", ".")
    assert "No module named ruff" not in done.stderr, "ruff is in the test extras: pip install -e '.[test]'"
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks passed" in done.stdout


def test_mypy_strict_is_clean_on_the_package() -> None:
    done = _run("mypy", "boardpack")
    assert "No module named mypy" not in done.stderr, "mypy is in the test extras: pip install -e '.[test]'"
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found in ")
