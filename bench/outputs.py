#!/usr/bin/env python3
"""Fingerprint every output boardpack makes, so a change that should not alter them can prove it.

Builds, with --force into a temporary folder, every paper in data/ and the valid papers under
tests/fixtures (each folder of papers as one build, so `previous:` chains resolve), plus a
100-item synthetic tracker (bench/make_tracker.py, fixed seed), imports the Word files built
from data/ back into paper files with `import`, and makes the owners' return workbooks and
e-mail drafts of the papers in tests/fixtures/returns (`returns`); then prints one line per output:
its SHA-256 and its name. With --save FILE the lines are written to FILE; with --compare FILE
they are checked against FILE and every output that differs, is new or is missing is listed
(exit status 1 when any is).

Run:  .venv/bin/python bench/outputs.py --save /tmp/before.txt
      (change the code)
      .venv/bin/python bench/outputs.py --compare /tmp/before.txt
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_tracker import dump, make_tracker  # noqa: E402

FOLDERS = [ROOT / "data", ROOT / "tests/fixtures/valid", ROOT / "tests/fixtures/cycle", ROOT / "tests/fixtures/returns"]


def _build(data: Path, out: Path) -> None:
    cmd = [sys.executable, str(ROOT / "generate.py"), "build", "--data", str(data), "--out", str(out), "--force"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"building {data} failed:\n{done.stdout}{done.stderr}")


def fingerprints(work: Path) -> dict[str, str]:
    """Every output of every folder of papers, by 'folder/file name'."""
    folders = list(FOLDERS)
    synthetic = work / "synthetic"
    synthetic.mkdir()
    (synthetic / "synthetic-100.yaml").write_text(dump(make_tracker(100, 7), 100, 7), encoding="utf-8")
    folders.append(synthetic)
    found: dict[str, str] = {}
    for folder in folders:
        data = work / "in" / folder.name
        shutil.copytree(folder, data)
        out = work / "out" / folder.name
        _build(data, out)
        for path in sorted(p for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts):
            if path.name.startswith(".boardpack"):
                continue
            found[f"{folder.name}/{path.relative_to(out)}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    found.update(_imports(work, sorted((work / "out" / "data").glob("*.docx"))))
    found.update(_returns(work, sorted((work / "in" / "returns").glob("*.yaml"))))
    return found


def _returns(work: Path, papers: list[Path]) -> dict[str, str]:
    """The owners' workbooks and e-mail drafts of each paper (not round.json, which records when it was made)."""
    found = {}
    for paper in papers:
        out = work / "returns" / paper.stem
        cmd = [sys.executable, str(ROOT / "generate.py"), "returns", "--data", str(paper.parent), "--out", str(out), str(paper)]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"making the returns of {paper.name} failed:\n{done.stdout}{done.stderr}")
        for path in sorted(p for p in out.iterdir() if p.suffix in (".xlsx", ".eml")):
            found[f"returns/{paper.stem}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _imports(work: Path, documents: list[Path]) -> dict[str, str]:
    """The papers `import` makes of the Word files built from data/ (import's output is an output too)."""
    found = {}
    for document in documents:
        if document.stem.endswith("-cover"):
            continue
        target = work / "imported" / f"{document.stem}.yaml"
        cmd = [sys.executable, str(ROOT / "generate.py"), "import", str(document), "-o", str(target)]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"importing {document.name} failed:\n{done.stdout}{done.stderr}")
        found[f"import/{target.name}"] = hashlib.sha256(target.read_bytes()).hexdigest()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="write the fingerprints to this file")
    parser.add_argument("--compare", type=Path, help="compare with fingerprints saved earlier")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        found = fingerprints(Path(tmp))
    lines = [f"{digest}  {name}" for name, digest in sorted(found.items())]
    if args.save:
        args.save.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not args.compare:
        print("\n".join(lines))
        return 0
    before = {}
    for line in args.compare.read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        before[name] = digest
    differ = sorted(n for n in found.keys() & before.keys() if found[n] != before[n])
    new = sorted(found.keys() - before.keys())
    missing = sorted(before.keys() - found.keys())
    for label, names in (("differs", differ), ("new", new), ("missing", missing)):
        for name in names:
            print(f"{label}: {name}")
    same = len(found.keys() & before.keys()) - len(differ)
    print(f"{same} of {len(before)} outputs identical; {len(differ)} differ, {len(new)} new, {len(missing)} missing")
    return 1 if differ or new or missing else 0


if __name__ == "__main__":
    sys.exit(main())
