"""The command line: parse, call the library, print, map errors to exit codes.

Exit codes: 0 done (warnings allowed), 1 errors in the data or a paper failed to
build, 2 the command was used wrongly.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from ._version import __version__
from .archive import left_out
from .build import DEFAULT_TEMPLATES, FORMATS, Built, build, find_papers
from .chain import check
from .errors import BoardpackError, DataError, UsageError
from .write import clean

if TYPE_CHECKING:  # the data model is imported by the commands that parse papers, not by every start
    from .derive import ChangesView

COMMANDS = ("build", "check", "clean", "roll", "returns", "merge", "import", "new", "schema", "serve", "user")

DESCRIPTION = """\
Build committee papers (PDF, Word and HTML) from the YAML files in data/.

  python generate.py                      check and build every paper in data/ into build/
  python generate.py build FILE...        build the papers named
  python generate.py build --format pdf   build PDFs only
  python generate.py build --large-print  the large-print edition, NAME-large-print.pdf and so on
  python generate.py check [FILE...]      check the data only; print counts per report
  python generate.py clean                remove what boardpack built from build/
  python generate.py roll FILE --to 2021-12   start next period's paper from FILE
  python generate.py returns FILE         a workbook per owner of FILE's open items
  python generate.py merge FILE BOOK...   apply owners' returned workbooks to FILE
  python generate.py import OLD.docx [-o data/NEW.yaml] [--period YYYY-MM]   an old Word appendix into a paper file
  python generate.py new data/NEW.yaml --layout tracker --period 2023-03 --committee "..."   start a paper
  python generate.py schema               the JSON Schema of a paper file, for editors
  python generate.py serve [--host 127.0.0.1] [--port 8000]   the workspace: papers edited in a browser
  python generate.py user add NAME --role editor   an account of the workspace (also list, set-role, passwd, remove)

Papers whose data and templates have not changed since the last build are skipped
(--force rebuilds them). Exit codes: 0 done, 1 data errors or a failed paper, 2 usage.
"""


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip().lower() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or value!r}; allowed: {', '.join(FORMATS)}")
    return chosen


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", type=Path, default=Path("data"), metavar="DIR", help="folder of paper files (default: data)")
    common.add_argument("--debug", action="store_true", help="show Python tracebacks for unexpected failures")

    parser = argparse.ArgumentParser(prog="boardpack", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"boardpack {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", parents=[common], help="check, then build papers into build/ (the default)",
                       description="Check every paper, then build PDF, Word and HTML outputs of those that changed.")
    b.add_argument("files", nargs="*", type=Path, metavar="FILE", help="paper files (default: every *.yaml in --data)")
    b.add_argument("--format", type=_formats, default=FORMATS, metavar="LIST", help="comma-separated: pdf,docx,html,xlsx,csv (default: all)")
    b.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="output folder (default: build)")
    b.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, metavar="DIR", help="templates folder")
    b.add_argument("--force", action="store_true", help="rebuild papers even if nothing changed, laying out every page again")
    b.add_argument("--large-print", action="store_true",
                   help="the large-print edition (text 12 pt or more), as NAME-large-print.pdf and so on, beside the usual one")
    b.add_argument("--jobs", type=int, default=None, metavar="N", help="papers built at once (default: one per core)")

    c = sub.add_parser("check", parents=[common], help="check paper files and print their counts; write nothing",
                       description="Check paper files: print every problem and a summary per paper and report.")
    c.add_argument("files", nargs="*", type=Path, metavar="FILE", help="paper files (default: every *.yaml in --data)")
    c.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, metavar="DIR", help="templates folder, whose palette.yaml is checked too")

    k = sub.add_parser("clean", parents=[common], help="remove what boardpack built from the build folder",
                       description="Remove the files boardpack wrote in the build folder (as its manifest lists them) "
                                   "and nothing else; a folder boardpack did not build into is refused.")
    k.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="output folder (default: build)")
    r = sub.add_parser("roll", parents=[common], help="start next period's paper file from this one",
                       description="Write next period's paper beside FILE: period advanced, previous set to FILE, "
                                   "NEW GREEN turned to GREEN, comments and layout of the file kept. "
                                   "Refuses to overwrite a file.")
    r.add_argument("file", type=Path, metavar="FILE", help="this period's paper file")
    r.add_argument("--to", required=True, metavar="YYYY-MM", help="the new period, after FILE's")
    r.add_argument("-o", "--output", type=Path, default=None, metavar="NEW",
                   help="the new file (default: FILE's name with the period changed), beside FILE")
    r.add_argument("--drop-done", action="store_true", help="leave out reports whose items are all GREEN or CLOSED")
    r.add_argument("--archive-previous", action="store_true",
                   help="mark FILE `archived: true`: still read as the new paper's previous, no longer rebuilt or warned about")

    o = sub.add_parser("returns", parents=[common], help="the owners' round: a workbook and an e-mail draft per owner; --status: who is missing",
                       description="Write one Excel workbook per owner inside the force with their open items to update, and an "
                                   "e-mail draft (.eml, opened by Outlook as a draft ready to send) addressed from data/owners.yaml, "
                                   "with the workbook attached. WHITE items' leads and bodies outside the force are left out unless "
                                   "--include-outside; items without an owner are listed. A new run replaces the whole set, and never "
                                   "a workbook an owner has filled in. --status prints the chase list from the round's state.")
    o.add_argument("file", type=Path, metavar="FILE", help="the paper file")
    o.add_argument("--out", type=Path, default=None, metavar="DIR", help="folder for the workbooks (default: build/returns/<paper>)")
    o.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, metavar="DIR", help="templates folder, for its palette.yaml and mail templates")
    o.add_argument("--include-outside", action="store_true", help="also make workbooks for WHITE items' leads and outside bodies")
    o.add_argument("--include-unowned", action="store_true", help="put the items with no owner in one workbook, Unassigned.xlsx")
    o.add_argument("--return-by", default=None, metavar="DATE", help="the date updates are wanted by (default: two weeks from today)")
    o.add_argument("--send", action="store_true", help="send the messages by SMTP (settings from --mail-config or BOARDPACK_SMTP_*)")
    o.add_argument("--mail-config", type=Path, default=None, metavar="FILE", help="TOML file with an [smtp] table: host, port, tls, user, password, sender")
    o.add_argument("--status", action="store_true", help="print the chase list: sent, returned, merged, items still without an update")
    o.add_argument("--remind", action="store_true", help="with --status: reminder drafts for owners still missing or with items due or overdue")
    o.add_argument("--weeks", type=int, default=6, metavar="N", help="with --status: items due within N weeks are listed as due soon (default 6)")

    m = sub.add_parser("merge", parents=[common], help="apply owners' returned workbooks to the paper file",
                       description="Check every returned workbook against the paper, then rewrite the paper file with "
                                   "the new statuses, due dates, updates and rationales (comments and layout kept). "
                                   "Nothing is written if any cell is wrong.")
    m.add_argument("file", type=Path, metavar="FILE", help="the paper file the workbooks were made from")
    m.add_argument("workbooks", type=Path, nargs="+", metavar="WORKBOOK", help="returned .xlsx workbooks")
    m.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")

    i = sub.add_parser("import", parents=[common], help="turn an old Word appendix into a paper file",
                       description="Read an old Word appendix (tracker or response layout, made by hand or by boardpack) "
                                   "into a new paper file: reports, items, statuses, due-date histories, comments and tasks. "
                                   "Prints every warning as `OLD.docx: table T, row R, column C: ...`; lines the importer "
                                   "was unsure of are marked `# review:` in the file. Refuses to overwrite a file.")
    i.add_argument("docx", type=Path, metavar="OLD.docx", help="the old Word paper")
    i.add_argument("-o", "--output", type=Path, default=None, metavar="NEW.yaml",
                   help="the new paper file (default: --data folder / the Word file's name with .yaml)")
    i.add_argument("--period", default=None, metavar="YYYY-MM",
                   help="the month the paper reports on, for an old paper whose title, header and file name give none "
                        "(otherwise taken from them, never from today's date)")
    n = sub.add_parser("new", parents=[common], help="start a new paper file",
                       description="Write a short paper file that passes `check` and builds, each field explained in a comment; "
                                   "with --from, a paper of the items in a spreadsheet whose header row names its columns "
                                   "(report, ref, recommendation, status, due, owner, comment, rationale). Refuses to overwrite a file.")
    n.add_argument("file", type=Path, metavar="NEW.yaml", help="the new paper file")
    n.add_argument("--layout", choices=("tracker", "response"), required=True, help="tracker (RAG tables per report) or response")
    n.add_argument("--period", required=True, metavar="YYYY-MM", help="the month the paper reports on")
    n.add_argument("--committee", required=True, metavar="NAME", help="the committee the paper goes to")
    n.add_argument("--title", default=None, metavar="TEXT", help="the paper's title (default: one for the layout)")
    n.add_argument("--organisation", default="City of London Police", metavar="NAME", help="the force (default: City of London Police)")
    n.add_argument("--from", dest="sheet", type=Path, default=None, metavar="ITEMS.xlsx", help="a spreadsheet (.xlsx or .csv) of items")

    s = sub.add_parser("schema", help="print the JSON Schema of a paper file",
                       description="Print (or write with -o) the JSON Schema of a paper file, generated from the data model, "
                                   "for editors that complete and check YAML as one types (VS Code with the YAML extension).")
    s.add_argument("-o", "--output", type=Path, default=None, metavar="FILE", help="write the schema to FILE")

    s = sub.add_parser("serve", parents=[common], help="run the workspace: the papers in a browser",
                       description="Serve the workspace (papers, items, history) over HTTP with waitress. "
                                   "When no account exists yet, prints a one-time link that makes the first admin account.")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    s.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="build folder whose files are offered for download (default: build)")
    s.add_argument("--database", type=Path, default=None, metavar="PATH",
                   help="the workspace's accounts, versions and audit log (default: DATA/.boardpack-workspace.sqlite3)")
    s.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, metavar="DIR", help="templates folder (for the status colours)")
    s.add_argument("--trust-header", default=None, metavar="NAME",
                   help="take the user name from this request header, set by a single-sign-on proxy (off by default)")
    s.add_argument("--behind-proxy", action="store_true",
                   help="trust X-Forwarded-Proto and X-Forwarded-For from one reverse proxy (for HTTPS and addresses)")
    s.add_argument("--threads", type=int, default=8, help="requests served at once (default: 8)")
    s.add_argument("--mail-config", type=Path, default=None, metavar="FILE",
                   help="TOML file with an [smtp] table for sending the owners' round (default: BOARDPACK_SMTP_* variables)")

    u = sub.add_parser("user", help="add, list, change and remove the workspace's accounts",
                       description="Manage the workspace's accounts. Passwords are read from the terminal, "
                                   "or from the first line of standard input when it is not a terminal.")
    u.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--data", type=Path, default=Path("data"), metavar="DIR", help="folder of paper files (default: data)")
    where.add_argument("--database", type=Path, default=None, metavar="PATH",
                       help="the workspace database (default: DATA/.boardpack-workspace.sqlite3)")
    actions = u.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[where], help="add an account (asks for its password)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=("reader", "editor", "admin"),
                     help="reader views and downloads; editor also changes papers; admin also manages accounts")
    actions.add_parser("list", parents=[where], help="list the accounts and their roles")
    role = actions.add_parser("set-role", parents=[where], help="change an account's role")
    role.add_argument("name", metavar="NAME")
    role.add_argument("role", choices=("reader", "editor", "admin"))
    passwd = actions.add_parser("passwd", parents=[where], help="set an account's password (signs out its browsers)")
    passwd.add_argument("name", metavar="NAME")
    remove = actions.add_parser("remove", parents=[where], help="remove an account")
    remove.add_argument("name", metavar="NAME")
    return parser


def _run_clean(args: argparse.Namespace, out: TextIO) -> int:
    removed = clean(args.out)
    print(f"removed {_plural(removed, 'file')} from {args.out}/", file=out)
    return 0


def _run_new(args: argparse.Namespace, out: TextIO) -> int:
    from .paperfile import PaperFile
    from .start import NewPaper, from_sheet, period, starter_text

    if args.file.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError(f"{args.file}: a paper file's name ends in .yaml")
    new = NewPaper(args.layout, period(args.period), args.committee.strip(), args.title, args.organisation.strip())
    if not new.committee:
        raise UsageError("--committee: name the committee the paper goes to")
    if os.path.lexists(args.file):
        raise UsageError(f"{args.file} already exists; choose a new name (nothing was written)")
    text = from_sheet(args.sheet, new, args.file) if args.sheet else starter_text(new, args.file)
    PaperFile.create(args.file, text, str(args.file))
    print(f"wrote {args.file}; next: edit it, then `generate.py check {args.file}` and `generate.py build {args.file}`", file=out)
    return 0


def _run_schema(args: argparse.Namespace, out: TextIO) -> int:
    from .start import schema_text
    from .write import write_atomic

    text = schema_text()
    if args.output is None:
        out.write(text)
        return 0
    write_atomic(args.output, text.encode("utf-8"))
    print(f"wrote {args.output}", file=out)
    return 0


def _database(args: argparse.Namespace) -> Path:
    from .web.store import default_database

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


def _run_user(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .web import accounts
    from .web.history import audit
    from .web.store import connect

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


def _run_serve(args: argparse.Namespace, out: TextIO) -> int:
    from contextlib import closing

    from .web import create_app, serve
    from .web.accounts import setup_token
    from .web.store import connect

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


def _run_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .intake.word import write_import
    from .start import period

    imported = write_import(args.docx, args.output, data_dir=args.data, label=str(args.docx),
                            period=period(args.period) if args.period else None)
    print(f"imported {args.docx} into {imported.path}:", file=out)
    for line in imported.summary():
        print(f"  {line}", file=out)
    for finding in imported.findings:
        print(finding.line(str(args.docx)), file=err)
    print(f"{_plural(len(imported.warnings), 'warning')}; next: review the file, then `generate.py check {imported.path}`", file=out)
    return 0


def _run_returns(args: argparse.Namespace, out: TextIO) -> int:
    from .chain import prepare
    from .drafts import MailSettings, send
    from .model import parse_when
    from .palette import palette_for
    from .round import ROUND_FILE, Round, record_sent, round_lock, when_words
    from .round_files import write_round
    from .write import write_atomic

    checked = prepare(args.file, str(args.file))
    if checked.paper is None or checked.errors:
        raise DataError(checked.problems)
    assert checked.resolved is not None  # a paper without errors is resolved
    folder = args.out or Path("build") / "returns" / args.file.stem
    settings = MailSettings.load(args.mail_config) if args.send else None
    if args.status:
        return _run_round_status(args, checked.resolved.paper, folder, settings, out)
    try:
        return_by = parse_when(args.return_by) if args.return_by else None
    except ValueError as exc:
        raise UsageError(f"--return-by: {exc}") from None
    written = write_round(checked, args.file.name, folder, args.templates, include_outside=args.include_outside,
                          include_unowned=args.include_unowned, return_by=return_by,
                          palette=palette_for(args.templates), sender=settings.sender if settings else None)
    made, state, books, old = written.made, written.made.round, written.books, written.removed
    if books:
        print(f"wrote {_plural(len(books), 'workbook')} and their e-mail drafts to {folder}/ (updates wanted by {when_words(state.return_by)}):", file=out)
    else:
        print(f"{args.file}: no open items owned inside the force; no workbooks written", file=out)
    for owner, part in state.owners.items():
        to = part.to or "no address: add one to owners.yaml"
        print(f"  {part.workbook}: {owner}, {_plural(len(part.items), 'row')}, to {to}" + (f", copy to {part.cc}" if part.cc else ""), file=out)
    for body, count in state.outside.items():
        print(f"  left out: {body}, {_plural(count, 'item')} (outside the force; --include-outside to send them a workbook)", file=out)
    if state.unowned:
        print(f"{_plural(len(state.unowned), 'open item')} without an owner, so in no workbook: give each an `owner:` "
              "(or --include-unowned for one workbook of them)", file=out)
        for line in state.unowned:
            print(f"  {line}", file=out)
    for path in old:
        print(f"removed {path.name} of an earlier round", file=out)
    if settings is not None and made.drafts:
        with round_lock(folder):
            went = send(made.drafts, settings)
            write_atomic(folder / ROUND_FILE, record_sent(Round.read(folder) or state, went).to_json())
        print(f"sent {_plural(len(went), 'message')} by {settings.host}", file=out)
    elif made.drafts:
        print(f"next: open each .eml in {folder}/ (Outlook opens it as a draft) and send it; then `generate.py returns {args.file} --status`", file=out)
    return 0


def _run_round_status(args: argparse.Namespace, paper: Any, folder: Path, settings: Any, out: TextIO) -> int:
    import datetime as dt

    from .drafts import send
    from .round import Round, chase_list, next_meeting, reminders, when_words
    from .write import commit_outputs

    state = Round.read(folder)
    if state is None:
        raise UsageError(f"{folder}/: no owners' round was made here; run `generate.py returns {args.file}` first")
    lines = chase_list(state, paper, weeks=args.weeks)
    print(f"{args.file}: owners' round of {when_words(state.made)}, updates wanted by {when_words(state.return_by)}", file=out)
    for line in lines:
        part = line.part
        sent = f"sent {when_words(part.sent)}" if part.sent else f"draft made {when_words(state.made)}"
        back = f"returned {when_words(part.returned)}" if part.returned else "NOT RETURNED"
        merged = f"merged {when_words(part.merged)}" if part.merged else "not merged"
        print(f"  {line.owner}: {sent}; {back}; {merged}; {len(line.missing)} of {_plural(len(part.items), 'row')} still without an update",
              file=out)
        for missing in line.missing:
            print(f"      no update: {missing}", file=out)
    due = [(line.owner, item) for line in lines for item in line.overdue + line.due_soon]
    if due:
        meeting = next_meeting(paper, dt.date.today())
        before = f", or before the meeting on {meeting}" if meeting else ""
        print(f"Reminders (overdue, or due within {args.weeks} weeks{before}):", file=out)
        for owner, item in due:
            print(f"  {owner}: {item['report']}, No. {item['ref']}: due {item['due']} ({item['why']})", file=out)
    if args.remind:
        drafts = reminders(state, lines, paper, args.templates, folder, settings.sender if settings else None)
        if settings is not None:
            went = send(drafts, settings)
            print(f"sent {_plural(len(went), 'reminder')} by {settings.host}", file=out)
        else:
            files = {folder / ("reminder-" + state.owners[d.owner].draft): d.eml() for d in drafts}
            commit_outputs(files)
            print(f"wrote {_plural(len(files), 'reminder draft')} to {folder}/", file=out)
            for path in files:
                print(f"  {path.name}", file=out)
    return 0


def _run_merge(args: argparse.Namespace, out: TextIO) -> int:
    from .intake.returns import Merged, merge
    from .round import ROUND_FILE, Round, already_merged, book_digest, record_merge, round_lock
    from .write import write_atomic

    folder = Path("build") / "returns" / args.file.stem
    state = Round.read(folder)
    if state is not None and state.paper != args.file.name:
        state = None  # another paper's round
    again = already_merged(state, args.workbooks)
    try:  # a return merged again changes nothing (its update is in the comment already) ...
        merged = merge(args.file, args.workbooks, dry_run=args.dry_run, label=str(args.file))
    except DataError:
        if not again:
            raise
        # ... unless its items are done now, and no longer planned: the others are merged without it
        fresh = [book for book in args.workbooks if book not in {found[0] for found in again}]
        merged = merge(args.file, fresh, dry_run=args.dry_run, label=str(args.file)) if fresh else Merged()
    for line in merged.changes:
        print(f"  {line}", file=out)
    for book, owner, when in again:
        if not any(line.endswith(f"[{book}]") for line in merged.changes):
            print(f"{book}: {owner}'s return was already merged on {when}", file=out)
    if not merged.changes:
        print(f"{args.file}: the returns change nothing; the file was left as it was", file=out)
    elif merged.written:
        print(f"merged {_plural(len(merged.changes), 'change')} into {args.file}", file=out)
    else:
        print(f"--dry-run: {_plural(len(merged.changes), 'change')} would be merged into {args.file}; nothing was written", file=out)
    if state is not None and not args.dry_run:
        with round_lock(folder):
            now = Round.read(folder) or state
            digests = {owner: book_digest(book) for owner, book in merged.books.items()}
            write_atomic(folder / ROUND_FILE, record_merge(now, merged.owners, digests, written=merged.written).to_json())
    return 0


def _run_roll(args: argparse.Namespace, out: TextIO) -> int:
    from .roll import roll

    rolled = roll(args.file, args.to, args.output, drop_done=args.drop_done, label=str(args.file), archive_previous=args.archive_previous)
    print(f"wrote {rolled.path}: period {rolled.period}, previous {args.file.name}; "
          f"{_plural(rolled.greens, 'NEW GREEN')} now GREEN", file=out)
    for title in rolled.dropped:
        print(f"  left out (every item done): {title}", file=out)
    if rolled.archived:
        print(f"marked {args.file} archived: a build of its folder no longer rebuilds it or warns about it", file=out)
    else:
        print(f"{args.file} is still built and checked with the others; to stop that, add `archived: true` under its "
              "`paper:` (or roll with --archive-previous)", file=out)
    print(f"next: collect the updates, then `generate.py check {rolled.path}`", file=out)
    return 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{status or 'no status'} {n}" for status, n in counts.items()) or "no items"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .derive import changes_view, count_statuses
    from .owners import directory_near
    from .palette import palette_for

    results = check(find_papers(args.files, args.data, archived=False))
    failed = False
    try:
        palette_for(args.templates)  # the build's first check: a palette that prints as one grey stops it
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        failed = True
    folders = dict.fromkeys([args.data, *(result.path.parent for result in results)])
    for folder in folders:
        directory, problems = directory_near(folder)
        for problem in problems:
            print(problem, file=err)
        failed = failed or any(p.severity == "error" for p in problems)
        if directory is not None:
            print(f"{folder / 'owners.yaml'}: ok · {_plural(len(directory.owners), 'owner')}", file=out)
    for result in results:
        for problem in result.problems:
            print(problem, file=err)
        failed = failed or bool(result.errors)
        if result.paper is None:
            print(f"{result.label}: {_plural(len(result.errors), 'error')}; the counts follow once they are fixed", file=out)
            continue
        paper = result.resolved.paper if result.resolved else result.paper
        items = [item for report in paper.reports for item in report.items]
        verdict = "ok" if not result.errors else _plural(len(result.errors), "error")
        print(f"{result.label}: {verdict} · {_plural(len(paper.reports), 'report')} · "
              f"{_plural(len(items), 'item')} ({_counts(dict(count_statuses(items)))}) · "
              f"{_plural(len(result.warnings), 'warning')}", file=out)
        for n, report in enumerate(paper.reports, start=1):
            print(f"  {n:>2}. {report.title}: {_plural(len(report.items), 'item')} ({_counts(dict(count_statuses(report.items)))})", file=out)
        if result.resolved and result.resolved.changes:
            _print_changes(changes_view(result.resolved.changes), out)
    archived = None if args.files else left_out(args.data, "not checked")
    if archived:
        print(archived, file=out)
    return 1 if failed else 0


def _kept(built: Built, out_dir: Path) -> str:
    """What a failed paper leaves in the build folder: its earlier outputs, if it ever built."""
    earlier = any((out_dir / f"{built.name}.{fmt}").exists() for fmt in FORMATS)
    return "the previous outputs were kept" if earlier else "nothing was written for it"


def _print_changes(changes: ChangesView, out: TextIO) -> None:
    """The changes section of the paper, in words."""
    print(f"  {changes.headline}", file=out)
    for group in changes.groups:
        print(f"    {group.heading}:", file=out)
        for row in group.rows:
            what = f"{row.report}, No. {row.ref}" if row.ref else row.report
            print(f"      - {what}: {row.change}", file=out)


def _run_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")

    def report(built: Built) -> None:
        if built.error:
            for problem in sorted(built.errors + built.warnings):
                print(problem, file=err)
            print(f"FAILED  {built.name}: {built.error}; {_kept(built, args.out)}", file=err)
            err.flush()
            return
        outputs = ", ".join(p.name for p in built.outputs)
        if built.skipped:  # its warnings were shown when it was built; `check` lists them again
            where = built.warnings[0].file if built.warnings and built.warnings[0].file.isprintable() else "FILE"
            warned = f"; {_plural(len(built.warnings), 'warning')} (`check {where}` lists them)" if built.warnings else ""
            print(f"skipped {built.name}: unchanged ({outputs}){warned}; --force rebuilds", file=out)
            return
        for warning in built.warnings:
            print(warning, file=err)
        pages = f"{built.pages} pages · " if built.pages else ""
        print(f"built   {built.name}: {outputs} · {pages}{_counts(built.counts)} · "
              f"{_plural(len(built.warnings), 'warning')} · {built.seconds:.1f} s", file=out)
        out.flush()

    results = build(args.files, data_dir=args.data, out_dir=args.out, templates=args.templates,
                    formats=args.format, force=args.force, jobs=args.jobs, on_paper=report, progress=True, large_print=args.large_print)
    failed = [b for b in results if b.error]
    archived = None if args.files else left_out(args.data, "not rebuilt")
    if archived:
        print(archived, file=out)
    if not results and not archived:
        print(f"no paper files in {args.data}/", file=err)
    elif failed:
        skipped = sum(b.skipped for b in results)
        done = len(results) - len(failed) - skipped
        unchanged = f", {skipped} unchanged" if skipped else ""
        print(f"{_plural(done, 'paper')} built{unchanged}, {len(failed)} failed (see above; "
              f"{'it keeps its' if len(failed) == 1 else 'they keep their'} previous outputs)", file=err)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the command line; return the exit code instead of exiting, for tests."""
    argv = list(sys.argv[1:] if argv is None else argv)
    given = list(argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        handlers: dict[str, Callable[[], int]] = {
            "check": lambda: _run_check(args, out, err), "roll": lambda: _run_roll(args, out),
            "returns": lambda: _run_returns(args, out), "merge": lambda: _run_merge(args, out),
            "import": lambda: _run_import(args, out, err), "new": lambda: _run_new(args, out),
            "schema": lambda: _run_schema(args, out), "serve": lambda: _run_serve(args, out),
            "user": lambda: _run_user(args, out, err), "clean": lambda: _run_clean(args, out),
        }
        if args.command in handlers:
            return handlers[args.command]()
        return _run_build(args, out, err)
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        errors = sum(p.severity == "error" for p in exc.problems)
        outcome = {
            "merge": f"nothing was merged; {getattr(args, 'file', 'the paper file')} is unchanged",
            "roll": "no new paper was written",
            "returns": "no workbooks were written",
            "import": "no paper file was written",
            "new": "no paper file was written",
            "check": "see above",
        }.get(args.command or "build", "nothing was built; the previous outputs are unchanged")
        print(f"{_plural(errors, 'error')}: {outcome}", file=err)
        return exc.exit_code
    except BoardpackError as exc:
        print(f"error: {exc}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; outputs already written are complete, the rest are unchanged", file=err)
        return 130
    except ModuleNotFoundError as exc:
        if args.debug or os.environ.get("BOARDPACK_DEBUG") or (exc.name or "").startswith("boardpack"):
            raise
        print(_without_environment(exc.name or "a package", given), file=err)
        return 2
    except Exception:
        if args.debug or os.environ.get("BOARDPACK_DEBUG"):
            raise
        print("error: boardpack failed unexpectedly; run again with --debug and report this:", file=err)
        traceback.print_exc(limit=1, file=err)
        return 1


def _without_environment(module: str, argv: Sequence[str]) -> str:
    """How to run boardpack when this Python lacks what it needs (run outside the project's .venv)."""
    import shlex

    here = Path(__file__).resolve().parent.parent
    words = " ".join(shlex.quote(a) for a in argv)
    venv = here / ".venv" / "bin" / "python"
    lines = [f"error: this Python ({sys.executable}) does not have '{module.split('.')[0]}', which boardpack needs: "
             "it is not running in the project's environment. Run it as",
             f"  {f'./run.sh build {words}'.rstrip()}   (sets the environment up the first time, then runs generate.py)"]
    if venv.exists():
        lines += ["or switch to the environment first, once per terminal window:",
                  f"  {f'. .venv/bin/activate && python generate.py {words}'.rstrip()}"]
    lines.append(f"from {here} (see README.md).")
    return "\n".join(lines)


def main_entry() -> NoReturn:
    """The `boardpack` console script, and `generate.py`."""
    code = main()
    # The process ends here, with every output written and renamed into place. A large paper
    # leaves a million objects behind, which Python's collector would walk once more on the
    # way out (a fifth of a second for a 1,000-item tracker) for memory the system takes back
    # anyway; frozen, they are left alone.
    gc.freeze()
    sys.exit(code)
