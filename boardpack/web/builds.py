"""Builds in the background: the Build button of a paper, its progress, and what it made or why it failed.

Each build is the library's `build.build` of one paper, run in a Python process of its own
(`python -m boardpack.web.builds`, so none of the server's threads, locks or open files are
copied into it), its `on_paper` and `progress` told back to the server as lines of JSON. One build per paper at a time: asking again while
one runs queues one more build after it (its files may be out of date by then), never two at
once. A failed build leaves the previous outputs as they were (the library writes all of a
paper's files or none) and the page shows why.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, url_for

from . import history, store
from .papers import built, checked, paper_path
from .shared import address, db, needs

bp = Blueprint("builds", __name__)
log = logging.getLogger(__name__)

RUNNING = ("queued", "running")


@dataclass
class Job:
    """One paper's latest build, as its page shows it."""

    paper: str
    who: str
    state: str = "running"
    """queued, running, built, unchanged or failed."""
    started: float = field(default_factory=time.time)
    finished: float | None = None
    progress: str = "Checking the paper"
    error: str = ""
    problems: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    pages: int | None = None
    again: bool = False
    """Another build was asked for while this one ran: it follows."""

    @property
    def running(self) -> bool:
        return self.state in RUNNING


class Builds:
    """The builds of one workspace: at most one per paper at a time."""

    def __init__(self, data: Path, out: Path, templates: Path, database: Path) -> None:
        self.data, self.out, self.templates, self.database = data, out, templates, database
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()

    def get(self, name: str) -> Job | None:
        with self.lock:
            return self.jobs.get(name)

    def start(self, name: str, path: Path, who: str) -> Job:
        """Build the paper in the background; while one build of it runs, queue one more after it."""
        with self.lock:
            job = self.jobs.get(name)
            if job is not None and job.running:
                job.again = True
                return job
            job = self.jobs[name] = Job(name, who)
        threading.Thread(target=self._run, args=(job, path), name=f"build {name}", daemon=True).start()
        return job

    def _run(self, job: Job, path: Path) -> None:
        while self._one(job, path):
            pass

    def _one(self, job: Job, path: Path) -> bool:
        """One build of the paper; True when another was asked for meanwhile, which follows at once."""
        command = [sys.executable, "-m", "boardpack.web.builds", str(path), str(self.data), str(self.out), str(self.templates)]
        with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty build never blocks on it
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL, text=True,
                                       encoding="utf-8", errors="replace")
            result, failed = self._follow(job, process)
            code = process.wait()
            errors.seek(0)
            said = errors.read()[-4000:].decode("utf-8", "replace")
        if result is None and not failed:
            log.error("a build of %s stopped (exit code %s): %s", job.paper, code, said)
            failed = f"the build stopped unexpectedly (exit code {code})"
        return self._finish(job, result, failed)

    def _follow(self, job: Job, process: subprocess.Popen[str]) -> tuple[dict[str, Any] | None, str]:
        result: dict[str, Any] | None = None
        failed = ""
        assert process.stdout is not None
        for line in process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            kind = message[0]
            if kind == "progress":
                with self.lock:
                    job.progress = f"{message[1]}: {message[2]} of {message[3]} parts laid out"
            elif kind == "built":
                result = message[1]
            elif kind == "failed":
                failed = message[1]
        return result, failed

    def _finish(self, job: Job, result: dict[str, Any] | None, failed: str) -> bool:
        """Record how the build ended, then show it; or, when another build was asked for meanwhile, go on to it.

        The audit line is written before the page can show the build as done, and a queued
        build starts without the page ever showing the job as finished in between.
        """
        ok = result is not None and not result["error"] and not failed
        error = "" if ok else self._named(failed or (result or {}).get("error") or "the build failed")
        outputs: list[str] = result["outputs"] if ok and result is not None else []
        with closing(store.connect(self.database)) as connection, connection:
            history.audit(connection, job.who, "built" if ok else "build failed", job.paper, (", ".join(outputs) or "unchanged") if ok else error)
        with self.lock:
            if job.again:
                job.again, job.started, job.progress = False, time.time(), "Checking the paper"
                return True
            job.finished = time.time()
            if ok and result is not None:
                job.state = "unchanged" if result["skipped"] else "built"
                job.outputs, job.pages, job.progress = outputs, result["pages"], ""
            else:
                job.state, job.error = "failed", error
                job.problems = [self._named(problem) for problem in (result or {}).get("errors", [])]
            return False

    def _named(self, message: str) -> str:
        """A message with the server's folders left out: papers are named by their file names only."""
        for folder in {str(self.data.resolve()), str(self.data), str(self.out.resolve()), str(self.out)}:
            message = message.replace(folder.rstrip("/") + "/", "")
        return message


def build_one(path: Path, data: Path, out: Path, templates: Path, say: Callable[[list[Any]], None]) -> None:
    """In the build's own process: `build.build` of one paper, its progress and outcome told to `say`."""
    from ..build import Built, build
    from ..errors import BoardpackError

    def on_paper(done: Built) -> None:
        say(["built", {"outputs": [p.name for p in done.outputs], "pages": done.pages, "skipped": done.skipped,
                       "error": done.error or "", "errors": [str(p) for p in done.errors]}])

    try:
        build([path], data_dir=data, out_dir=out, templates=templates, on_paper=on_paper,
              progress=lambda name, done, total: say(["progress", name, done, total]))
    except BoardpackError as exc:
        say(["failed", str(exc)])
    except Exception as exc:  # noqa: BLE001 - shown on the build's page, never a traceback
        say(["failed", f"{type(exc).__name__}: {exc}"])


def builds() -> Builds:
    return current_app.extensions["boardpack_builds"]  # type: ignore[no-any-return]


@bp.route("/papers/<name>/build", methods=["POST"])
@needs("editor")
def start(name: str) -> Any:
    path = paper_path(name)
    job = builds().start(name, path, g.user.name)
    history.audit(db(), g.user.name, "build queued" if job.again else "build started", name, "", address())
    return redirect(url_for("builds.status", name=name))


@bp.route("/papers/<name>/build")
def status(name: str) -> Any:
    path = paper_path(name)
    job = builds().get(name)
    when, files = built(name)
    return render_template("build.html", name=name, paper=checked(path).paper, job=job, built=when, files=files,
                           elapsed=int((job.finished or time.time()) - job.started) if job else 0)


def _main(argv: list[str]) -> None:
    def say(message: list[Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    path, data, out, templates = (Path(arg) for arg in argv)
    build_one(path, data, out, templates, say)


if __name__ == "__main__":
    _main(sys.argv[1:])
