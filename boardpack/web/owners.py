"""The owners directory (`data/owners.yaml`) in the browser: who answers for items, and where their returns go.

Everyone signed in sees it; editors add, change and remove an owner. Each change is made on
the file's round-trip tree (comments and order kept) under its lock by `paperfile.edit_yaml`,
checked first by the directory's own check (`owners.directory_of`), whose messages are shown
beside the field they are about; a refused change leaves the file byte-identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from ruamel.yaml.comments import CommentedMap

from ..errors import BoardpackError, DataError, Problem
from ..load import format_path
from ..owners import directory_of, load_directory, owners_path
from ..paperfile import edit_yaml
from . import history
from .shared import address, db, needs

bp = Blueprint("owners", __name__)

FIELDS = ("name", "email", "deputy", "inside")
NEW_FILE = ("# The owners directory: who answers for items (`owner:`), where their workbook and reminders go,\n"
            "# and who is copied in. An owner with `inside: false` is a body outside the force.\n"
            "owners:\n")


def _path() -> Path:
    return owners_path(Path(current_app.config["DATA"]))


def _read() -> tuple[list[tuple[str, Any]], list[Problem]]:
    path = _path()
    if not path.is_file():
        return [], []
    try:
        return list(load_directory(path, path.name).owners.items()), []
    except DataError as exc:
        return [], exc.problems
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem.about(path.name, f"cannot be read: {exc}")]


def _form() -> dict[str, str]:
    form = {name: " ".join(request.form.get(name, "").split())[:200] for name in ("name", "email", "deputy", "was")}
    form["inside"] = "1" if request.form.get("inside") == "1" else ""
    return form


def _page(form: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None, others: list[str] | None = None,
          code: int = 200) -> Any:
    owners, problems = _read()
    editing = request.args.get("owner", "")
    if form is None:
        form = {"name": "", "email": "", "deputy": "", "was": "", "inside": "1"}
        found = dict(owners).get(editing)
        if found is not None:
            form = {"name": editing, "email": found.email or "", "deputy": found.deputy or "", "was": editing,
                    "inside": "1" if found.inside else ""}
    return render_template("owners.html", owners=owners, problems=problems, form=form, errors=errors or {},
                           others=others or [], file=_path().name), code


@bp.route("/owners")
def index() -> Any:
    return _page()


def _change(form: dict[str, str], action: str) -> Any:
    def change(tree: Any) -> None:
        owners = tree.get("owners")
        if not isinstance(owners, CommentedMap) or not owners:  # a new file's empty directory
            owners = tree["owners"] = CommentedMap()
        was = form["was"]
        if action == "remove":
            del owners[was]
            return
        name = form["name"]
        if was and was in owners:
            node = owners[was]
            if name != was:
                keys = list(owners)
                owners.pop(was)
                owners.insert(keys.index(was), name, node)
        else:
            node = owners[name] = CommentedMap()
        for key in ("email", "deputy"):
            if form[key] and node.get(key) != form[key]:  # an unchanged value keeps its line as it is
                node[key] = form[key]
            elif not form[key] and key in node:
                del node[key]
        if form["inside"]:
            node.pop("inside", None)
        else:
            node["inside"] = False
    return change


def _refusal(form: dict[str, str]) -> dict[str, list[str]]:
    """Mistakes in the form itself, before the directory's own check."""
    names = dict(_read()[0])
    errors: dict[str, list[str]] = {}
    if not form["name"]:
        errors["name"] = ["give the owner's name, as items name them in `owner:`"]
    elif form["name"] != form["was"] and form["name"] in names:
        errors["name"] = [f"{form['name']} is already in the directory; change that owner instead"]
    if form["was"] and form["was"] not in names:
        errors["name"] = [f"{form['was']} is no longer in the directory: someone changed it meanwhile; reload the page"]
    return errors


def _placed(problems: list[Problem], name: str) -> tuple[dict[str, list[str]], list[str]]:
    """The directory's messages beside the field they are about; the rest (about other owners) above the form."""
    errors: dict[str, list[str]] = {}
    others = []
    for problem in problems:
        if problem.severity != "error":
            continue
        field = next((f for f in FIELDS if problem.where == format_path(("owners", name, f))), None)
        if field is None and problem.where == format_path(("owners", name)):
            field = "email" if "email" in problem.message else "name"
        if field is None:
            others.append(f"{problem.where}: {problem.message}" if problem.where else problem.message)
        else:
            errors.setdefault(field, []).append(problem.message)
    return errors, others


@bp.route("/owners", methods=["POST"])
@needs("editor")
def save() -> Any:
    form = _form()
    action = request.form.get("action", "save")
    if action not in ("save", "remove"):
        return _page(form, {"name": ["choose Save or Remove"]}, code=400)
    errors = _refusal(form) if action == "save" else ({} if form["was"] in dict(_read()[0]) else _refusal(form))
    if errors:
        return _page(form, errors, code=400)
    path = _path()
    try:
        edit_yaml(path, _change(form, action), lambda text: directory_of(text, path, path.name), path.name, new=NEW_FILE)
    except DataError as exc:
        placed, others = _placed(exc.problems, form["name"])
        return _page(form, placed, others, code=400)
    except BoardpackError as exc:
        return _page(form, {}, [str(exc)], code=400)
    what = {"remove": "owner removed", "save": "owner changed" if form["was"] else "owner added"}[action]
    history.audit(db(), g.user.name, what, "", form["was"] if action == "remove" else form["name"], address())
    return redirect(url_for("owners.index", saved=form["was"] if action == "remove" else form["name"], action=action))
