"""A paper's history: every version kept, who made it, when and what changed; any one viewed or restored.

A restore is itself a new version: the text of the old one written back through the same
checked, atomic, locked writer as every other save.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, url_for

from ..edit import item_changes, save_paper_text, version_of
from ..errors import DataError
from ..paperfile import paper_lock
from . import history
from .papers import _parsed, _record_before, paper_path
from .shared import address, db, error_page, needs

bp = Blueprint("versions", __name__)


@bp.route("/papers/<name>/history")
def index(name: str) -> Any:
    path = paper_path(name)
    current = version_of(path.read_bytes())
    kept = history.versions(db(), name)
    outside = bool(kept) and kept[0].hash != current
    return render_template("history.html", name=name, versions=kept, current=current, outside=outside,
                           log=history.audit_log(db(), name, limit=100))


@bp.route("/papers/<name>/history/<int:number>")
def version(name: str, number: int) -> Any:
    path = paper_path(name)
    found = history.get(db(), name, number)
    if found is None:
        abort(404)
    kept, text = found
    return render_template("version.html", name=name, version=kept, text=text, current=version_of(path.read_bytes()) == kept.hash)


@bp.route("/papers/<name>/history/<int:number>/restore", methods=["POST"])
@needs("editor")
def restore(name: str, number: int) -> Any:
    path = paper_path(name)
    found = history.get(db(), name, number)
    if found is None:
        abort(404)
    kept, text = found
    with paper_lock(path):
        before = path.read_bytes()
        if version_of(before) == kept.hash:
            return redirect(url_for("versions.index", name=name))
        _record_before(name, path, before)
        try:
            after = save_paper_text(path, text, path.name)
        except DataError as exc:
            return error_page(409, "This version no longer passes the paper's checks (" + "; ".join(p.message for p in exc.problems[:3])
                              + "), so it was not restored. Nothing was changed.")
        was, now = _parsed(before.decode("utf-8-sig"), path), _parsed(text, path)
        changes = item_changes(was, now) if now is not None else []
        history.record(db(), name, version_of(after), text, g.user.name, changes or ["layout or comments changed"],
                       note=f"restored version {kept.id} ({kept.who}, {kept.when})")
    history.audit(db(), g.user.name, "version restored", name, f"version {kept.id}", address())
    return redirect(url_for("versions.index", name=name))
