"""The owners' round in the browser: workbooks out (one zip), returns in (a dry run, then accept), and the chase list.

Over the library the CLI uses: `round_files.write_round` (as `generate.py returns`),
`intake.returns.merge` (as `generate.py merge`, first with `dry_run`), `round.chase_list` and
`round.reminders` (as `returns --status --remind`), `drafts.send` with the settings `--send`
reads. A return is merged whole or not at all: a workbook with a refused cell is held back,
listed with each refusal, and the other workbooks are merged. Accepting merges the uploaded
files kept under their generated id, under the paper's lock, and only if the paper is still
the one the dry run read, so what is merged is what the dry run showed.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, send_file, url_for

from ..drafts import MailSettings, send
from ..edit import version_of
from ..errors import BoardpackError, DataError, UsageError
from ..intake.preview import preview
from ..intake.returns import merge
from ..model import parse_when
from ..paperfile import paper_lock
from ..round import ROUND_FILE, Round, already_merged, book_digest, chase_list, record_merge, record_sent, reminders, round_lock
from ..write import write_atomic
from . import history, uploads
from .papers import checked, paper_path
from .shared import address, db, error_page, needs

bp = Blueprint("returns", __name__)


def folder_of(path: Path) -> Path:
    """The round's folder, where `generate.py returns` writes it: build/returns/<paper>."""
    return Path(current_app.config["OUT"]) / "returns" / path.stem


def round_of(path: Path) -> Round | None:
    state = Round.read(folder_of(path))
    return state if state is not None and state.paper == path.name else None


def _resolved(path: Path) -> Any:
    result = checked(path)
    if result.paper is None or result.errors or result.resolved is None:
        raise DataError(result.problems)
    return result


def _page(name: str, path: Path, *, error: str = "", field: str = "", code: int = 200, **extra: Any) -> Any:
    state = round_of(path)
    result = checked(path)
    chase = []
    if state is not None and result.resolved is not None:
        chase = chase_list(state, result.resolved.paper)
    return render_template("returns.html", name=name, paper=result.paper, state=state, chase=chase, error=error,
                           field=field, form=request.form, would=_would(path, result) if state is None else None, **extra), code


def _would(path: Path, result: Any) -> dict[str, Any] | None:
    """Who the round would send a workbook to, and what it would leave out, before it is made (as `make_round` routes)."""
    from ..owners import directory_near
    from ..round import routed_entries

    if result.resolved is None or result.errors:
        return None
    directory, problems = directory_near(path)
    if problems:
        return None
    sent, unowned, outside = routed_entries(result.resolved.paper, directory, include_outside=False)
    return {"owners": {owner: len(entries) for owner, entries in sorted(sent.items())},
            "unowned": [f"{e.report.title}, No. {e.ref or '(no number)'}" for e in unowned],
            "outside": {body: len(entries) for body, entries in sorted(outside.items())}}


@bp.route("/papers/<name>/returns")
def page(name: str) -> Any:
    return _page(name, paper_path(name))


@bp.route("/papers/<name>/returns", methods=["POST"])
@needs("editor")
def make(name: str) -> Any:
    """A new round (as `generate.py returns`), sent by e-mail when asked and the server has a mail server."""
    from ..palette import palette_for
    from ..round_files import write_round

    path = paper_path(name)
    wanted = " ".join(request.form.get("return_by", "").split())[:20]
    try:
        return_by = parse_when(wanted) if wanted else None
    except ValueError as exc:
        return _page(name, path, error=str(exc), field="return_by", code=400)
    settings = None
    if request.form.get("send") == "1":
        try:
            settings = MailSettings.load(current_app.config.get("MAIL_CONFIG"), os.environ)
        except UsageError:
            return _page(name, path, code=400, error="No mail server is set up for the workspace, so nothing was sent "
                         "and no workbook was made. Download the e-mail drafts instead, or ask IT to set the "
                         "BOARDPACK_SMTP_* settings of the server.")
    templates = current_app.config["PAPER_TEMPLATES"]
    folder = folder_of(path)
    try:
        written = write_round(_resolved(path), path.name, folder, templates, include_outside=request.form.get("outside") == "1",
                              include_unowned=request.form.get("unowned") == "1", return_by=return_by,
                              palette=palette_for(templates), sender=settings.sender if settings else None)
        went: list[str] = []
        if settings is not None and written.made.drafts:
            with round_lock(folder):
                went = send(written.made.drafts, settings)
                write_atomic(folder / ROUND_FILE, record_sent(Round.read(folder) or written.made.round, went).to_json())
    except BoardpackError as exc:
        return _page(name, path, error=_words(exc), code=400)
    detail = f"{len(written.books)} workbooks" + (f", sent to {len(went)} by e-mail" if settings else "")
    history.audit(db(), g.user.name, "returns made", name, detail, address())
    return redirect(url_for("returns.page", name=name, made=len(written.books), sent=len(went) if settings else None))


def _words(exc: BoardpackError) -> str:
    folder = f"{current_app.config['DATA']}/"
    return str(exc).replace(folder, "").replace(f"{current_app.config['OUT']}/", "")


def _zip(name: str, files: dict[str, bytes], what: str) -> Any:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for arcname, data in files.items():
            bundle.writestr(arcname, data)
    history.audit(db(), g.user.name, "downloaded", name, f"{what}: {', '.join(files)}", address())
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=what, max_age=0)


def _round_files(path: Path, kind: str) -> dict[str, bytes]:
    """The round's workbooks (or e-mail drafts), by the names round.json gives them; nothing else of the folder."""
    state = round_of(path)
    folder = folder_of(path)
    files: dict[str, bytes] = {}
    for part in (state.owners.values() if state else []):
        file = part.workbook if kind == "workbooks" else part.draft
        if Path(file).name == file and (folder / file).is_file():
            files[file] = (folder / file).read_bytes()
    return files


@bp.route("/papers/<name>/returns/<kind>.zip")
def download(name: str, kind: str) -> Any:
    """Every workbook of the round, or every e-mail draft, in one zip."""
    path = paper_path(name)
    if kind not in ("workbooks", "drafts"):
        return error_page(404)
    files = _round_files(path, kind)
    if not files:
        return error_page(404, f"No owners' workbooks of {name} have been made yet. An editor makes them on the paper's Owners' returns page.")
    return _zip(name, files, f"{name}-{'returns' if kind == 'workbooks' else 'drafts'}.zip")


@bp.route("/papers/<name>/returns/reminders.zip")
def reminder_drafts(name: str) -> Any:
    """Reminder drafts for the owners still missing or with items due (as `returns --status --remind`)."""
    path = paper_path(name)
    state = round_of(path)
    result = checked(path)
    if state is None or result.resolved is None:
        return error_page(404, f"No owners' round of {name} has been made yet.")
    paper = result.resolved.paper
    drafts = reminders(state, chase_list(state, paper), paper, current_app.config["PAPER_TEMPLATES"], folder_of(path))
    if not drafts:
        return error_page(404, "Every owner has returned their workbook and has nothing overdue or due soon: no reminder is needed.")
    return _zip(name, {"reminder-" + state.owners[d.owner].draft: d.eml() for d in drafts}, f"{name}-reminders.zip")


# --- returns in: upload, dry run, accept ------------------------------------------------------


@dataclass
class Review:
    """What merging an upload would do: the changes of the sound workbooks, and every refusal of the others."""

    changes: list[str] = field(default_factory=list)
    """Each change as `merge` says it: 'Report, No. 1: status AMBER → GREEN  [Workbook.xlsx]'."""
    refused: list[tuple[str, str, str]] = field(default_factory=list)
    """(workbook, cell, what is wrong)."""
    held: list[str] = field(default_factory=list)
    merging: list[Path] = field(default_factory=list)
    again: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str]]:
        """(change, workbook) of each change, for the page's table."""
        out = []
        for line in self.changes:
            change, _, book = line.rpartition("  [")
            out.append((change, book.removesuffix("]")) if change else (line, ""))
        return out


def review(path: Path, batch: uploads.Batch) -> Review:
    """The dry run over the upload (`intake.preview`): a workbook with any refusal is left out, the rest merged."""
    stored = [book for book, _ in batch.files]
    found = preview(path, stored, path.name)
    names = batch.names()
    result = Review([batch.shown(line) for line in found.changes], merging=found.sound)
    result.refused = [(names.get(p.file, p.file), p.where, batch.shown(p.message)) for p in found.refused]
    result.held = [names[str(book)] for book in found.held]
    result.again = [f"{names[str(book)]}: {owner}'s return was already merged on {when}"
                    for book, owner, when in already_merged(round_of(path), stored)]
    return result


@bp.route("/papers/<name>/returns/upload", methods=["POST"])
@needs("editor")
def upload(name: str) -> Any:
    path = paper_path(name)
    files = [f for f in request.files.getlist("workbooks") if f.filename]
    if not files:
        return _page(name, path, error="Choose one or more returned workbooks (.xlsx) to upload.", field="workbooks", code=400)
    if len(files) > uploads.MAX_FILES:
        return _page(name, path, error=f"Upload at most {uploads.MAX_FILES} workbooks at once.", field="workbooks", code=400)
    batch = uploads.store(files, "returns", name, g.user.name, "workbook.xlsx")
    history.audit(db(), g.user.name, "returns uploaded", name, ", ".join(n for _, n in batch.files), address())
    return redirect(url_for("returns.check", name=name, batch=batch.id))


@bp.route("/papers/<name>/returns/check/<batch>")
@needs("editor")
def check(name: str, batch: str) -> Any:
    path = paper_path(name)
    kept = uploads.find(batch, "returns", name)
    version = version_of(path.read_bytes())
    try:
        result = review(path, kept)
    except BoardpackError as exc:
        return _page(name, path, error=_words(exc), code=400)
    return render_template("returns_check.html", name=name, paper=checked(path).paper, batch=kept, review=result,
                           version=version, stale=request.args.get("stale") == "1")


@bp.route("/papers/<name>/returns/check/<batch>", methods=["POST"])
@needs("editor")
def accept(name: str, batch: str) -> Any:
    """Merge the workbooks the dry run passed, if the paper is still as the dry run read it."""
    path = paper_path(name)
    kept = uploads.find(batch, "returns", name)
    try:
        with paper_lock(path, path.name):
            if version_of(path.read_bytes()) != request.form.get("version", ""):
                return redirect(url_for("returns.check", name=name, batch=batch, stale=1))
            result = review(path, kept)
            merged = merge(path, result.merging, label=path.name) if result.merging else None
            data = path.read_bytes()
    except BoardpackError as exc:
        return _page(name, path, error=_words(exc), code=400)
    changes = [kept.shown(line) for line in merged.changes] if merged is not None and merged.written else []
    if merged is not None and merged.written and changes != result.changes:  # pragma: no cover - one library, one answer
        current_app.logger.warning("merge of %s differs from its preview: %s", name, changes)
    if merged is not None:
        _record_round(path, merged)
    if changes:
        history.record(db(), name, version_of(data), data.decode("utf-8-sig"), g.user.name, changes)
    merged_names = [n for stored, n in kept.files if stored in result.merging]
    history.audit(db(), g.user.name, "returns merged", name,
                  f"{len(changes)} changes from {', '.join(merged_names) or 'no workbook'}"
                  + (f"; held back: {', '.join(result.held)}" if result.held else ""), address())
    kept.remove()
    return redirect(url_for("returns.page", name=name, merged=len(changes), held=len(result.held)))


def _record_round(path: Path, merged: Any) -> None:
    """round.json brought up to date as `merge` does it: who returned, whose return was merged."""
    folder = folder_of(path)
    if round_of(path) is None:
        return
    with round_lock(folder):
        now = Round.read(folder)
        if now is None:
            return
        digests = {owner: book_digest(book) for owner, book in merged.books.items()}
        write_atomic(folder / ROUND_FILE, record_merge(now, merged.owners, digests, written=merged.written).to_json())


@bp.app_template_filter("round_when")
def round_when(value: str | None, missing: str = "") -> str:
    """A time or date the round keeps, as the papers write dates."""
    from ..round import when_words

    return when_words(value, missing)
