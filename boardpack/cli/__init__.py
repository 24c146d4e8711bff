"""The command line: parse, call the library, print, map errors to exit codes.

Exit codes: 0 done (warnings allowed), 1 errors in the data or a paper failed to
build, 2 the command was used wrongly.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from ..errors import BoardpackError, DataError
from ..text import plural
from .papers import run_build, run_check, run_clean, run_schema
from .parser import COMMANDS, make_parser
from .quarter import run_import, run_merge, run_new, run_returns, run_roll
from .workspace import run_serve, run_user


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the command line; return the exit code instead of exiting, for tests."""
    argv = list(sys.argv[1:] if argv is None else argv)
    given = list(argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        handlers: dict[str, Callable[[], int]] = {
            "check": lambda: run_check(args, out, err), "roll": lambda: run_roll(args, out),
            "returns": lambda: run_returns(args, out), "merge": lambda: run_merge(args, out),
            "import": lambda: run_import(args, out, err), "new": lambda: run_new(args, out),
            "schema": lambda: run_schema(args, out), "serve": lambda: run_serve(args, out),
            "user": lambda: run_user(args, out, err), "clean": lambda: run_clean(args, out),
        }
        if args.command in handlers:
            return handlers[args.command]()
        return run_build(args, out, err)
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
        print(f"{plural(errors, 'error')}: {outcome}", file=err)
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

    here = Path(__file__).resolve().parent.parent.parent
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
