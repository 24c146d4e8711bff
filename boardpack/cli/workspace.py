"""The workspace's commands: serve, and user (its accounts)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from ..errors import UsageError


def run_serve(args: argparse.Namespace, out: TextIO) -> int:
    from contextlib import closing

    from ..web import create_app, serve
    from ..web.accounts import setup_token
    from ..web.store import connect

    if not args.data.is_dir():
        raise UsageError(f"{args.data}/ is not a folder; give the folder of paper files with --data")
    if not 0 < args.port < 65536:
        raise UsageError("--port must be a number from 1 to 65535")
    if args.threads < 1:
        raise UsageError("--threads must be 1 or more")
    database = _database(args)
    app = create_app(args.data, args.out, database, trust_header=args.trust_header, behind_proxy=args.behind_proxy,
                     templates=args.templates)
    app.config["MAIL_CONFIG"] = args.mail_config
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"boardpack workspace on http://{host}:{args.port}/ (papers in {args.data}/, downloads from {args.out}/, "
          f"accounts and history in {database}); Ctrl+C stops it", file=out)
    with closing(connect(database)) as db:
        token = setup_token(db)
    if token:
        print("No account exists yet. Open this link once to make the first admin account:", file=out)
        print(f"    http://{host}:{args.port}/first-start/{token}", file=out)
    out.flush()
    serve(app, args.host, args.port, threads=args.threads)
    return 0


def run_user(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..web import accounts
    from ..web.history import audit
    from ..web.store import connect

    db = connect(_database(args))
    try:
        if args.action == "list":
            users = accounts.list_users(db)
            for user, created in users:
                print(f"{user.name}\t{user.role}\tadded {created[:10]}", file=out)
            if not users:
                print("no accounts yet; add one with `generate.py user add NAME --role admin`", file=out)
            return 0
        if args.action == "add":
            accounts.check_name(args.name)
            user = accounts.add_user(db, args.name, args.role, _read_password(err))
            audit(db, "command line", "account added", detail=f"{user.name} ({user.role})")
            print(f"added {user.name} ({user.role})", file=out)
        elif args.action == "set-role":
            user = accounts.set_role(db, args.name, args.role)
            audit(db, "command line", "role changed", detail=f"{user.name} is now {user.role}")
            print(f"{user.name} is now {user.role}", file=out)
        elif args.action == "passwd":
            if accounts.get_user(db, args.name) is None:
                raise accounts.AccountError(f"there is no account named {args.name}")
            accounts.set_password(db, args.name, _read_password(err))
            audit(db, "command line", "password set", detail=args.name)
            print(f"password of {args.name} set; their browsers are signed out", file=out)
        elif args.action == "remove":
            accounts.remove_user(db, args.name)
            audit(db, "command line", "account removed", detail=args.name)
            print(f"removed {args.name}", file=out)
    except accounts.AccountError as exc:
        print(f"error: {exc}", file=err)
        return 1
    finally:
        db.close()
    return 0


def _database(args: argparse.Namespace) -> Path:
    from ..web.store import default_database

    return args.database or default_database(args.data)


def _read_password(err: TextIO) -> str:
    """A new password: typed twice at a terminal, or the first line of standard input."""
    import getpass

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise UsageError("the two passwords are not the same; nothing was changed")
        return password
    return sys.stdin.readline().rstrip("\r\n")
