"""Old Word appendices into paper files: `generate.py import OLD.docx [-o data/NEW.yaml]`.

Reads both layouts, as boardpack prints them and as secretariats made them by hand:

- the tracker (a RAG legend, then per inspection report a heading, byline, "Published ..."
  line, summary sentence and one or more tables: No. + type + text / Status / Due Date /
  Comment, sub-tasks with their own RAG either as rows or inside the comment column);
- the response table (No. / Recommendation / Force Task Owner / Force Progress & Response).

Columns are found by their header words, never by position; a table without a header
that says what its columns are is reported, and its text kept as a YAML comment. Rows cut
by a page break (an empty first cell) are joined, repeated header rows skipped, merged
cells (gridSpan, vMerge) followed. Cell text becomes Markdown through the mapping the Word
renderer writes with (`render.wordml`), so a paper boardpack built reads back as it was.

What is derived (summary sentences, "Extended to" wording, slippage and overdue lines, the
changes section, legend additions) is not imported; where an old sentence disagrees with
its table, a warning says so. Where the format needs a field the old paper lacks (a RED
item's rationale, a WHITE item's lead), it is filled from the nearest words and marked
`# review:` in the file. Nothing is dropped silently: anything that could not be placed is
a warning naming the table, row and column, and a comment in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ...errors import DataError, Problem, UsageError
from ...load import PAPER_SUFFIXES
from ...model import Paper, When
from ..package import WordFileError, open_package
from .cells import short
from .findings import Imported
from .grid import header_role
from .reader import Import
from .to_yaml import Builder

__all__ = ["Imported", "WordFileError", "default_output", "header_role", "import_docx", "write_import"]


# --- entry points -----------------------------------------------------------------------------


def default_output(path: Path, data_dir: Path = Path("data")) -> Path:
    """`data/<docx stem>.yaml`."""
    return data_dir / f"{path.stem}.yaml"


def import_docx(path: Path, label: str | None = None, period: When | None = None) -> Imported:
    """Read an old Word paper into a checked paper (not written); WordFileError if it cannot be read.

    `period` (--period) is the month the paper reports on, for an old paper that names none.
    """
    from ...roundtrip import new_text

    label = label or str(path)
    package = open_package(path, label)
    job = Import(package, label, path.stem, period)
    job.run()
    builder = Builder(job)
    root = builder.build()
    text = new_text(root, header=[f"Imported from {path.name} by `generate.py import`.",
                                  "Check the lines marked 'review:' and any 'not placed' comments, then run `generate.py check`."])
    text = _add_tails(text, job.tail)
    for link in job.reader.unsafe_links:
        job.warn("", f"a link to '{short(link, 60)}' is not a web or mail address; its words are kept, the link is not")
    try:
        paper = Paper.model_validate(_plain(root))
    except ValidationError as exc:  # the builder's own mistake: every field it writes is checked here
        raise DataError([Problem(label, 0, 0, ".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()]) from None
    findings = [f for f in job.findings if not f.where] + [f for f in job.findings if f.where]
    return Imported(label, paper, text, findings, skipped=job.skipped)


def _add_tails(text: str, tails: dict[int, list[str]]) -> str:
    """Comments after a report's last item: inserted before the next report, or at the end."""
    if not tails:
        return text
    lines = text.split("\n")
    report_starts = [n for n, line in enumerate(lines) if line.startswith("  - title:") or line.startswith("- title:")]
    inserts: list[tuple[int, list[str]]] = []
    for report, comment in tails.items():
        at = report_starts[report + 1] if report + 1 < len(report_starts) else len(lines)
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        inserts.append((at, ["    # " + line for line in comment]))
    for at, block in sorted(inserts, reverse=True):
        lines[at:at] = block
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def write_import(path: Path, out: Path | None = None, *, data_dir: Path = Path("data"), label: str | None = None,
                 period: When | None = None) -> Imported:
    """Import `path` and write the paper file (atomically, never over an existing file), checked first."""
    from ...paperfile import PaperFile

    target = out if out is not None else default_output(path, data_dir)
    if target.suffix not in PAPER_SUFFIXES:
        raise UsageError(f"-o {target}: a paper file's name ends in .yaml or .yml")
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target} already exists; it was left as it was (remove it, or choose another name with -o)")
    imported = import_docx(path, label, period)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError([Problem.about(str(target), f"cannot make the folder {exc.filename or target.parent}: "
                                 f"{exc.strerror or exc}; no paper file was written")]) from None
    PaperFile.create(target, imported.text, str(target))
    imported.path = target
    return imported
