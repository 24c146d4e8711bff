"""What the workspace keeps of each paper: checked once per version of its files, derived once per check."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from boardpack.chain import Checked, prepare
from boardpack.web import cache

from .web_helpers import ROOT, TRACKER


def test_warming_checks_every_paper_once_and_a_change_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for paper in (ROOT / "data").glob("*.yaml"):
        shutil.copy(paper, tmp_path / paper.name)
    checks: list[str] = []

    def counted(path: Path, label: str | None = None, **known: Any) -> Checked:
        checks.append(path.stem)
        return prepare(path, label, **known)

    monkeypatch.setattr(cache, "prepare", counted)
    cache.warm(tmp_path).join(120)
    names = sorted(p.stem for p in tmp_path.glob("*.yaml"))
    assert sorted(checks) == names and len(names) >= 3
    tracker = tmp_path / f"{TRACKER}.yaml"
    first = cache.checked(tracker)
    assert cache.checked(tracker) is first and len(checks) == len(names)  # kept: not checked again
    made: list[int] = []
    assert cache.derived(first, "count", lambda: made.append(1) or len(made)) == 1
    assert cache.derived(first, "count", lambda: made.append(1) or len(made)) == 1 and made == [1]
    tracker.write_text(tracker.read_text().replace("title:", "title:  ", 1))
    again = cache.checked(tracker)
    assert again is not first and checks[-1] == TRACKER and len(checks) == len(names) + 1
    assert cache.derived(again, "count", lambda: made.append(1) or len(made)) == 2  # made afresh for the new version
