"""A process that draws the summary chart beside a Word build: it loads matplotlib, then draws the chart it is sent.

Loading matplotlib is a third of the chart's time; started before the paper is read (a
one-paper Word build), the process has it loaded by the time the chart is known, and the
chart's PNG is ready sooner. `docx_summary.start_chart` hands it the chart, and starts one
then if none waits. Only on Linux, and only while no other
thread runs, as forking is then safe. This module imports nothing heavy, so the process
starts as soon as the build knows it will make a Word file.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading
from typing import Any

_waiting: list[tuple[int, int, int]] = []
"""The process waiting for a chart: its id, the pipe to send the chart down and the pipe to read the drawing from."""


def prepare() -> None:
    """Start the waiting process, unless one waits already or forking is not safe here."""
    if _waiting or not sys.platform.startswith("linux") or threading.active_count() > 1:
        return
    chart_read, chart_write = os.pipe()
    png_read, png_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; what it draws is checked in the parent
        code = 1
        try:
            os.close(chart_write)
            os.close(png_read)
            from .draw import chart_png

            with os.fdopen(chart_read, "rb") as pipe:
                sent = pipe.read()
            if sent:
                png, (width, height) = chart_png(pickle.loads(sent))  # noqa: S301 - sent by the build that forked this process
                with os.fdopen(png_write, "wb") as pipe:
                    pipe.write(struct.pack("<dd", width, height) + png)
            code = 0
        finally:
            os._exit(code)  # never the parent's exit handlers or buffered output
    os.close(chart_read)
    os.close(png_write)
    _waiting.append((pid, chart_write, png_read))


def _forget_in_child() -> None:
    """In a process forked from the build (a paper built in a process of its own), the waiting process is not its own.

    It could neither reap it nor close the parent's end of its pipe, and would wait for a
    drawing that never comes; it draws its chart another way.
    """
    while _waiting:
        _pid, chart_write, png_read = _waiting.pop()
        os.close(chart_write)
        os.close(png_read)


os.register_at_fork(after_in_child=_forget_in_child)


def send(chart: Any) -> tuple[int, int] | None:
    """The chart sent to the waiting process: its id and the pipe its drawing comes down; None when none waits."""
    if not _waiting:
        return None
    pid, chart_write, png_read = _waiting.pop()
    try:
        with os.fdopen(chart_write, "wb") as pipe:
            pipe.write(pickle.dumps(chart))
    except OSError:  # the process is gone: the chart is drawn another way
        os.close(png_read)
        os.waitpid(pid, 0)
        return None
    return pid, png_read


def end() -> None:
    """End a process that was never sent a chart (a paper without a summary, or one that failed its check), and reap it.

    It is stopped, not told: it would read its pipe only once matplotlib is loaded, and a
    short build would wait for that.
    """
    while _waiting:
        pid, chart_write, png_read = _waiting.pop()
        os.close(chart_write)
        os.close(png_read)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
