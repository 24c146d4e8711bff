"""The secretariat's workspace: papers and items edited in a browser, over the same library as the CLI.

`create_app(data, out, database)` makes the Flask application; `generate.py serve` runs it with
waitress. Pages are rendered on the server and work without JavaScript. Every page but sign-in
needs a session; every form carries a CSRF token; the headers forbid inline script and framing.
"""

from __future__ import annotations

import secrets
from contextlib import closing
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask, Response, abort, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from ..build import DEFAULT_TEMPLATES
from ..render.html import _markdown
from . import accounts, store
from .shared import MAX_REQUEST, MAX_UPLOAD, csrf_token, error_page

UPLOADS = frozenset({"returns.upload", "imports.upload"})

PUBLIC = frozenset({"signin.sign_in", "signin.setup", "static"})
"""Endpoints open without a session."""

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")

class _SessionInterface(SecureCookieSessionInterface):
    """Session cookies marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def create_app(data: Path, out: Path, database: Path | None = None, *, trust_header: str | None = None,
               behind_proxy: bool = False, templates: Path = DEFAULT_TEMPLATES, testing: bool = False) -> Flask:
    """The workspace over the papers in `data` and the outputs in `out`.

    `trust_header` names a header set by a single-sign-on proxy that carries the user name;
    `behind_proxy` trusts one proxy's X-Forwarded-Proto/-For (for HTTPS and addresses).
    """
    app = Flask(__name__, static_folder="static", template_folder="templates")
    database = database or store.default_database(data)
    with closing(store.connect(database)) as db:
        secret = accounts.secret_key(db)
    app.config.update(
        DATA=data, OUT=out, DATABASE=database, TRUST_HEADER=trust_header, PAPER_TEMPLATES=templates,
        SECRET_KEY=secret, TESTING=testing, MAX_CONTENT_LENGTH=MAX_REQUEST, MAX_FORM_MEMORY_SIZE=MAX_REQUEST,
        SESSION_COOKIE_NAME="boardpack_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False, PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False, BEHIND_PROXY=behind_proxy,
    )
    app.session_interface = _SessionInterface()
    if behind_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.jinja_loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        jinja2.PrefixLoader({"paper": jinja2.FileSystemLoader(templates)}),
    ])
    app.jinja_env.autoescape = True
    app.jinja_env.filters["markdown"] = _markdown
    app.jinja_env.globals["csrf_token"] = csrf_token

    from .admin import bp as admin_bp
    from .builds import Builds
    from .builds import bp as builds_bp
    from .imports import bp as imports_bp
    from .owners import bp as owners_bp
    from .papers import bp as papers_bp
    from .quarter import bp as quarter_bp
    from .returns import bp as returns_bp
    from .signin import bp as signin_bp
    from .versions import bp as versions_bp

    for blueprint in (signin_bp, papers_bp, versions_bp, quarter_bp, builds_bp, admin_bp, returns_bp, imports_bp,
                      owners_bp):
        app.register_blueprint(blueprint)

    app.extensions["boardpack_builds"] = Builds(data, out, templates, database)
    app.before_request(_open)
    app.teardown_appcontext(_close)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    return app


def _open() -> BaseResponse | None:
    from flask import current_app

    g.db = store.connect(current_app.config["DATABASE"])
    g.user = None
    if request.endpoint in UPLOADS:
        request.max_content_length = MAX_UPLOAD
    header = current_app.config["TRUST_HEADER"]
    if header and request.headers.get(header):
        g.user = accounts.get_user(g.db, request.headers[header].strip())
        if g.user is None:
            abort(403)
    elif isinstance(session.get("sid"), str):
        g.user = accounts.session_user(g.db, session["sid"])
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        kept = session.get("csrf")
        if not isinstance(kept, str) or not sent or not secrets.compare_digest(sent, kept):
            abort(400)
    if g.user is None and request.endpoint not in PUBLIC:
        if request.method == "GET" and request.endpoint is not None:
            return redirect(url_for("signin.sign_in", next=request.full_path if request.query_string else request.path))
        abort(403 if request.endpoint is not None else 404)
    return None


def _close(_: BaseException | None) -> None:
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _http_error(exc: HTTPException) -> Any:
    code = exc.code or 500
    if 300 <= code < 400:
        return exc
    return error_page(code)


def _unexpected(exc: Exception) -> Any:
    from flask import current_app

    current_app.logger.exception("unexpected failure on %s %s", request.method, request.path)
    return error_page(500)


def make_server(app: Flask, host: str, port: int, *, threads: int = 8) -> Any:
    """A waitress server for the workspace (not yet serving): `.run()` serves, `.close()` stops."""
    from waitress.server import create_server

    # X-Forwarded-* reach the application (whose ProxyFix reads one proxy's) only behind a proxy.
    return create_server(app, host=host, port=port, threads=threads, ident="boardpack",
                         max_request_body_size=MAX_UPLOAD, clear_untrusted_proxy_headers=not app.config["BEHIND_PROXY"])


def serve(app: Flask, host: str, port: int, *, threads: int = 8) -> None:
    """Serve the workspace until interrupted."""
    import gc

    server = make_server(app, host, port, threads=threads)
    # What is loaded once (the libraries, the application) is left out of the collector's full
    # passes, which stop every thread: with it they took up to 0.2 s under load, without it 20 ms.
    gc.collect()
    gc.freeze()
    from .cache import warm

    warm(app.config["DATA"])  # the papers checked while the first people sign in
    try:
        server.run()
    finally:
        server.close()
