#!/usr/bin/env python3
"""The README's code map: every module of `boardpack/`, with the first line of its own docstring.

Run `python scripts/code_map.py --write` after adding, moving or describing a module anew;
`tests/test_code_map.py` fails while the README's map and the modules disagree.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "boardpack"
README = ROOT / "README.md"
START = "<!-- code map: made by scripts/code_map.py from each module's docstring -->"
END = "<!-- end of code map -->"


def modules() -> list[tuple[str, str]]:
    """(path inside boardpack/, the first line of its docstring) of every module, packages before their modules."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        doc = (ast.get_docstring(tree) or "").strip().split("\n")[0]
        found.append((path.relative_to(PACKAGE).as_posix(), doc))
    return sorted(found, key=lambda m: (m[0].split("/")[:-1], m[0].split("/")[-1] != "__init__.py", m[0]))


def table() -> str:
    rows = [f"| `{name}` | {doc.replace('|', '/') or '(no docstring: add one)'} |" for name, doc in modules()]
    return "\n".join([START, "| module | what it holds |", "| --- | --- |", *rows, END])


def current(text: str) -> str | None:
    """The map as the README has it, or None when it has none."""
    if START not in text or END not in text:
        return None
    return text[text.index(START): text.index(END) + len(END)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="put the map into README.md in place of the one there")
    args = parser.parse_args()
    made = table()
    if not args.write:
        print(made)
        return 0
    text = README.read_text(encoding="utf-8")
    old = current(text)
    if old is None:
        sys.exit(f"README.md has no code map between {START!r} and {END!r}")
    README.write_text(text.replace(old, made), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
