"""Sign in, sign out, and the first start's one-time link that makes the first admin account."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from . import accounts, history
from .shared import address, db

bp = Blueprint("signin", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (`//evil`, `https://...`)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("papers.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if g.user is not None and request.method == "GET":
        return redirect(url_for("papers.index"))
    error = None
    name = ""
    if request.method == "POST":
        name = request.form.get("name", "")[:200]
        try:
            user = accounts.sign_in(db(), name, request.form.get("password", ""), address())
        except accounts.AccountError as exc:
            error = str(exc)
            history.audit(db(), name.strip()[:64] or "(no name)", "sign-in refused", detail=error, address=address())
        else:
            session.clear()
            session["sid"] = accounts.new_session(db(), user)
            history.audit(db(), user.name, "signed in", address=address())
            return redirect(_safe_next(request.form.get("next")))
    status = 200 if error is None else 400
    return render_template("sign_in.html", error=error, name=name, next=request.values.get("next", "")), status


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Any:
    sid = session.get("sid")
    if isinstance(sid, str):
        accounts.end_session(db(), sid)
    history.audit(db(), g.user.name, "signed out", address=address())
    session.clear()
    return redirect(url_for("signin.sign_in"))


@bp.route("/first-start/<token>", methods=["GET", "POST"])
def setup(token: str) -> Any:
    if not accounts.use_setup_token(db(), token):
        return render_template("error.html", code=404, title="This link has been used",
                               message="The first admin account has been made already, or the link is out of date. "
                                       "Sign in, or ask IT to add an account with `generate.py user add`."), 404
    errors: dict[str, str] = {}
    name = request.form.get("name", "")[:200]
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("confirm", ""):
            errors["confirm"] = "the two passwords are not the same; type the password again in both fields"
        else:
            try:
                user = accounts.add_user(db(), name, "admin", password)
            except accounts.AccountError as exc:
                errors["password" if "password" in str(exc) else "name"] = str(exc)
            else:
                accounts.end_setup(db())
                history.audit(db(), user.name, "first admin account made", address=address())
                session.clear()
                session["sid"] = accounts.new_session(db(), user)
                return redirect(url_for("papers.index"))
    return render_template("setup.html", token=token, name=name, errors=errors), 400 if errors else 200


@bp.route("/password", methods=["GET", "POST"])
def password() -> Any:
    """Any signed-in person changes their own password (their other browsers are signed out)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        new = request.form.get("new", "")
        try:
            accounts.sign_in(db(), g.user.name, request.form.get("current", ""), address())
        except accounts.AccountError as exc:
            errors["current"] = "this is not your current password" if "not right" in str(exc) else str(exc)
        if new != request.form.get("confirm", ""):
            errors["confirm"] = "the two new passwords are not the same; type the new password again in both fields"
        elif not errors:
            try:
                accounts.set_password(db(), g.user.name, new)
            except accounts.AccountError as exc:
                errors["new"] = str(exc)
            else:
                history.audit(db(), g.user.name, "password changed", address=address())
                session.clear()
                session["sid"] = accounts.new_session(db(), g.user)
                return render_template("password.html", errors={}, done=True)
    return render_template("password.html", errors=errors, done=False), 400 if errors else 200
