"""An old Word appendix imported in the browser: upload, what the importer was unsure of, then saved as a paper.

Over the library `generate.py import` uses: the upload is kept under a generated name
(`uploads`), read by `intake.word.import_docx` through the untrusted-file gate with the
command's limits, and saved by `intake.word.write_import` (checked, never over a file). The
new paper's name is a plain file name in the data folder, nothing else. Editors only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from ..edit import version_of
from ..errors import BoardpackError
from ..intake.word import Imported, import_docx, write_import
from ..model import When
from ..start import period as read_period
from . import history, uploads
from .shared import address, db, needs

bp = Blueprint("imports", __name__)

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
NAME_RULE = ("letters, digits, dashes and underscores, starting with a letter or digit, up to 80 characters, "
             "such as 2022-12-hmicfrs-tracker")
REVIEW = re.compile(r"#\s*review:\s*(.*)$")


def _period(value: str) -> When | None:
    return read_period(value) if value else None


def _words(exc: BoardpackError) -> str:
    return str(exc).replace("--period: ", "").replace(f"{current_app.config['DATA']}/", "")


@bp.route("/import")
@needs("editor")
def start() -> Any:
    return render_template("import.html", error="", field="", period="")


@bp.route("/import", methods=["POST"])
@needs("editor")
def upload() -> Any:
    """Keep the Word file under a generated name and show what the import makes of it."""
    sent = request.files.get("docx")
    wanted = " ".join(request.form.get("period", "").split())[:20]
    if sent is None or not sent.filename:
        return render_template("import.html", error="Choose the old Word appendix (.docx) to import.", field="docx",
                               period=wanted), 400
    try:
        _period(wanted)
    except BoardpackError as exc:
        return render_template("import.html", error=_words(exc), field="period", period=wanted), 400
    batch = uploads.store([sent], "import", wanted, g.user.name, "appendix.docx")
    return redirect(url_for("imports.review", batch=batch.id))


def _imported(batch: uploads.Batch) -> Imported:
    stored, name = batch.files[0]
    return import_docx(stored, name, _period(batch.paper))


def _markers(imported: Imported) -> list[tuple[int, str]]:
    """The lines the importer marked for review in the new file: (line, what to check)."""
    found = []
    for n, line in enumerate(imported.text.splitlines(), start=1):
        match = REVIEW.search(line)
        if match:
            found.append((n, match.group(1)))
    return found


def _review_page(batch: uploads.Batch, target: str, error: str = "", code: int = 200) -> Any:
    try:
        imported = _imported(batch)
    except BoardpackError as exc:
        batch.remove()
        return render_template("import.html", error=batch.shown(_words(exc)), field="docx", period=batch.paper), 400
    return render_template("import_review.html", batch=batch, imported=imported, markers=_markers(imported),
                           target=target or _suggested(batch.files[0][1]), error=error), code


def _suggested(sent: str) -> str:
    """The Word file's name as a paper's name: what is not a letter, digit or dash made a dash."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", Path(sent).stem).strip("-_")[:80] or "imported"


@bp.route("/import/<batch>")
@needs("editor")
def review(batch: str) -> Any:
    return _review_page(uploads.find(batch, "import"), "")


@bp.route("/import/<batch>", methods=["POST"])
@needs("editor")
def save(batch: str) -> Any:
    """Write the new paper under the name chosen: a plain name in the data folder, never over a file."""
    kept = uploads.find(batch, "import")
    target = request.form.get("name", "").strip().removesuffix(".yaml")[:100]
    if not NAME.match(target):
        return _review_page(kept, target, f"'{target}' cannot be a paper's name; use {NAME_RULE}", 400)
    data_dir = Path(current_app.config["DATA"])
    path = data_dir / f"{target}.yaml"
    if path.exists() or path.is_symlink() or (data_dir / f"{target}.yml").exists():
        return _review_page(kept, target, f"{target}.yaml already exists: it is in the list of papers. Choose another name.", 400)
    stored, name = kept.files[0]
    try:
        imported = write_import(stored, path, data_dir=data_dir, label=name, period=_period(kept.paper))
    except BoardpackError as exc:
        return _review_page(kept, target, kept.shown(_words(exc)), 400)
    data = path.read_bytes()
    history.record(db(), target, version_of(data), data.decode("utf-8-sig"), g.user.name,
                   [f"imported from {name}: {len(imported.warnings)} warnings"])
    history.audit(db(), g.user.name, "imported", target, f"{path.name} from {name}", address())
    kept.remove()
    return redirect(url_for("papers.paper", name=target))
