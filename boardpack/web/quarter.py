"""The quarter's actions in the browser: a paper rolled forward to the next period.

Over the same library function as `generate.py roll` (`roll.roll`): the preview is its dry
run (what carries, what changes, what is left out), the roll itself writes the new paper
through the one writer, under its lock. Editors and admins only: the server refuses readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from ..edit import version_of
from ..errors import BoardpackError
from ..model import parse_when
from ..roll import Rolled, next_quarter, roll
from . import history
from .papers import checked, paper_path
from .shared import address, db, needs

bp = Blueprint("quarter", __name__)


def _field_error(message: str) -> tuple[str, str]:
    """roll's message as the page shows it: one about `--to` belongs beside the New period field."""
    if message.startswith("--to"):
        return "to", message.split(": ", 1)[-1]
    if " already exists" in message:  # roll's words for the command line (-o) and the full path
        name = Path(message.split(" already exists", 1)[0]).name
        return "", f"{name} already exists: it is in the list of papers. It was left as it was."
    return "", message.replace(f"{current_app.config['DATA']}/", "")


def _form() -> tuple[str, bool]:
    return " ".join(request.values.get("to", "").split())[:40], request.values.get("drop_done") == "1"


@bp.route("/papers/<name>/roll")
@needs("editor")
def roll_page(name: str) -> Any:
    path = paper_path(name)
    to, drop_done = _form()
    result = checked(path)
    suggested = next_quarter(result.paper.paper.period) if result.paper is not None else ""
    preview: Rolled | None = None
    error = ""
    if to:
        try:
            preview = roll(path, to, drop_done=drop_done, label=path.name, dry_run=True)
        except BoardpackError as exc:
            error = str(exc)
    field, message = _field_error(error)
    return render_template("roll.html", name=name, paper=result.paper, to=to or suggested, drop_done=drop_done,
                           preview=preview, error=message, field=field), (400 if error else 200)


@bp.route("/papers/<name>/roll", methods=["POST"])
@needs("editor")
def roll_paper(name: str) -> Any:
    path = paper_path(name)
    to, drop_done = _form()
    result = checked(path)
    try:
        parse_when(to)
        rolled = roll(path, to, drop_done=drop_done, label=path.name)
    except (BoardpackError, ValueError) as exc:
        field, message = _field_error(f"--to {to}: {exc}" if isinstance(exc, ValueError) else str(exc))
        return render_template("roll.html", name=name, paper=result.paper, to=to, drop_done=drop_done, preview=None,
                               error=message, field=field), 400
    new = rolled.path.stem
    data = rolled.path.read_bytes()
    changes = [f"rolled from {path.name}: period {rolled.was} → {rolled.period}"]
    changes += [f"{entry}: NEW GREEN → GREEN" for entry in rolled.settled]
    changes += [f"{title}: left out (all items done)" for title in rolled.dropped]
    history.record(db(), new, version_of(data), data.decode("utf-8-sig"), g.user.name, changes)
    history.audit(db(), g.user.name, "rolled", name, f"{rolled.path.name}, period {rolled.period}", address())
    return redirect(url_for("papers.paper", name=new, rolled=name))
