"""The README's code map lists every module of the package, each by its docstring's first line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _code_map():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("code_map", ROOT / "scripts" / "code_map.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_code_map_lists_every_module_as_it_describes_itself() -> None:
    code_map = _code_map()
    found = code_map.modules()
    on_disk = sorted(p.relative_to(ROOT / "boardpack").as_posix() for p in (ROOT / "boardpack").rglob("*.py"))
    assert sorted(name for name, _ in found) == on_disk and len(on_disk) > 80
    assert all(doc for _, doc in found), [name for name, doc in found if not doc]  # every module says what it holds
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = code_map.current(readme)
    assert shown is not None, "README.md has lost its code map markers"
    assert shown == code_map.table(), "README.md's code map is out of date: run `python scripts/code_map.py --write`"
    assert all(f"| `{name}` |" in shown for name in on_disk)
