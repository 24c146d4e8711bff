"""The command line's parser: its commands, their options and their help text."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .._version import __version__
from ..build import DEFAULT_TEMPLATES, FORMATS

if TYPE_CHECKING:
    from typing import TypeAlias

    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

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


def make_parser() -> argparse.ArgumentParser:
    """The parser of every command, listed in --help in the order they are added."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", type=Path, default=Path("data"), metavar="DIR", help="folder of paper files (default: data)")
    common.add_argument("--debug", action="store_true", help="show Python tracebacks for unexpected failures")

    parser = argparse.ArgumentParser(prog="boardpack", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"boardpack {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_build, _check, _clean, _roll, _returns, _merge, _import, _new):
        add(sub, common)
    _schema(sub)
    _serve(sub, common)
    _user(sub)
    return parser


def _build(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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


def _check(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    c = sub.add_parser("check", parents=[common], help="check paper files and print their counts; write nothing",
                       description="Check paper files: print every problem and a summary per paper and report.")
    c.add_argument("files", nargs="*", type=Path, metavar="FILE", help="paper files (default: every *.yaml in --data)")
    c.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, metavar="DIR", help="templates folder, whose palette.yaml is checked too")


def _clean(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    k = sub.add_parser("clean", parents=[common], help="remove what boardpack built from the build folder",
                       description="Remove the files boardpack wrote in the build folder (as its manifest lists them) "
                                   "and nothing else; a folder boardpack did not build into is refused.")
    k.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="output folder (default: build)")


def _roll(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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


def _returns(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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


def _merge(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    m = sub.add_parser("merge", parents=[common], help="apply owners' returned workbooks to the paper file",
                       description="Check every returned workbook against the paper, then rewrite the paper file with "
                                   "the new statuses, due dates, updates and rationales (comments and layout kept). "
                                   "Nothing is written if any cell is wrong.")
    m.add_argument("file", type=Path, metavar="FILE", help="the paper file the workbooks were made from")
    m.add_argument("workbooks", type=Path, nargs="+", metavar="WORKBOOK", help="returned .xlsx workbooks")
    m.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")


def _import(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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


def _new(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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


def _schema(sub: Subparsers) -> None:
    s = sub.add_parser("schema", help="print the JSON Schema of a paper file",
                       description="Print (or write with -o) the JSON Schema of a paper file, generated from the data model, "
                                   "for editors that complete and check YAML as one types (VS Code with the YAML extension).")
    s.add_argument("-o", "--output", type=Path, default=None, metavar="FILE", help="write the schema to FILE")


def _serve(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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


def _user(sub: Subparsers) -> None:
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
