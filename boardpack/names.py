"""What the data folder's files are called, and how large one may be: known without loading anything else."""

from __future__ import annotations

from pathlib import Path

MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest paper file read: far above any real paper (a 5,000-item tracker is about 8 MB); refuses a stray huge file at once."""

OWNERS_FILE = "owners.yaml"
"""The owners directory (`owners.py`): in the data folder beside the papers, and not a paper."""


def is_owners_file(name: str) -> bool:
    return name.lower() == OWNERS_FILE


def paper_files(folder: Path) -> list[Path]:
    """Every paper file in a data folder, sorted: its *.yaml and *.yml files but the owners directory.

    Hidden names are never papers: boardpack's own locks and temporary files (`.NAME.yaml.lock`,
    `.NAME.yaml.XXXX.part`), and the `._NAME.yaml` macOS leaves on shares.
    """
    return sorted(p for p in [*folder.glob("*.yaml"), *folder.glob("*.yml")] if not p.name.startswith(".") and not is_owners_file(p.name))


def path_label(path: Path) -> str:
    """Name a file as the user would: relative to the current folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
