"""The accounts page: admins add accounts, change roles, set passwords and remove accounts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for

from . import accounts, history
from .shared import address, db, needs

bp = Blueprint("admin", __name__, url_prefix="/accounts")


def _page(errors: dict[str, str] | None = None, form: dict[str, str] | None = None, done: str | None = None) -> Any:
    return render_template("accounts.html", users=accounts.list_users(db()), roles=accounts.ROLES, role_words=accounts.ROLE_WORDS,
                           errors=errors or {}, form=form or {}, done=done,
                           log=history.audit_log(db(), limit=50)), 400 if errors else 200


@bp.route("/")
@needs("admin")
def index() -> Any:
    return _page(done=request.args.get("done"))


@bp.route("/add", methods=["POST"])
@needs("admin")
def add() -> Any:
    form = {key: request.form.get(key, "")[:200] for key in ("name", "role")}
    try:
        user = accounts.add_user(db(), form["name"], form["role"], request.form.get("password", ""))
    except accounts.AccountError as exc:
        field = "password" if "password" in str(exc) else "role" if "role" in str(exc) else "name"
        return _page({field: str(exc)}, form)
    history.audit(db(), g.user.name, "account added", detail=f"{user.name} ({user.role})", address=address())
    return redirect(url_for("admin.index", done=f"Account {user.name} added ({user.role})."))


@bp.route("/<name>/role", methods=["POST"])
@needs("admin")
def role(name: str) -> Any:
    try:
        user = accounts.set_role(db(), name, request.form.get("role", ""))
    except accounts.AccountError as exc:
        return _page({f"role-{name}": str(exc)})
    history.audit(db(), g.user.name, "role changed", detail=f"{user.name} is now {user.role}", address=address())
    return redirect(url_for("admin.index", done=f"{user.name} is now {user.role}."))


@bp.route("/<name>/password", methods=["POST"])
@needs("admin")
def password(name: str) -> Any:
    try:
        accounts.set_password(db(), name, request.form.get("password", ""))
    except accounts.AccountError as exc:
        return _page({f"password-{name}": str(exc)})
    history.audit(db(), g.user.name, "password set", detail=name, address=address())
    return redirect(url_for("admin.index", done=f"{name}'s password was set; their browsers are signed out."))


@bp.route("/<name>/remove", methods=["POST"])
@needs("admin")
def remove(name: str) -> Any:
    try:
        accounts.remove_user(db(), name)
    except accounts.AccountError as exc:
        return _page({f"remove-{name}": str(exc)})
    history.audit(db(), g.user.name, "account removed", detail=name, address=address())
    return redirect(url_for("admin.index", done=f"Account {name} removed."))
