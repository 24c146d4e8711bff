#!/usr/bin/env python3
"""Time the workspace's returns check against issue 26's goal: 20 owners' workbooks for a 1,000-item paper, < 5 s.

A 1,000-item tracker (bench/make_tracker.py, fixed seed) whose open items are shared among 20
owners, its round made by the workspace's own round writer, and each owner's workbook filled
in as an owner would (an update on every row, a new status on every fifth, and one refused
cell: a due date that is not after the current one). The workspace is served by waitress on a
free port of 127.0.0.1 in this process; an editor signs in, then the 20 workbooks are uploaded
in one form and the dry-run page is loaded (the redirect the form follows). The figure is the
time from sending the upload to having the whole dry-run page, each run a new upload; the
median and the slowest of the runs are printed. The server is stopped at the end.

Run: .venv/bin/python bench/returns_upload.py [--runs 3] [--items 1000] [--owners 20]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import io
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_tracker import dump, make_tracker  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from boardpack.chain import prepare  # noqa: E402
from boardpack.round_files import write_round  # noqa: E402
from boardpack.web import accounts, create_app, make_server, store  # noqa: E402

PASSWORD = "bench password 26"  # noqa: S105 - an account of a throw-away database


def paper(folder: Path, items: int, owners: int) -> Path:
    tree = make_tracker(items, 26)
    n = 0
    for report in tree["reports"]:
        for item in report["items"]:
            if item.get("status") != "WHITE":
                item["owner"] = f"Owner {n % owners + 1:02d}"
                n += 1
    path = folder / "bench-1000.yaml"
    path.write_text(dump(tree, items, 26), encoding="utf-8")
    return path


def filled(folder: Path, out: Path) -> list[tuple[str, bytes]]:
    """Each owner's workbook filled in: an update on every row, GREEN on every fifth, one refused due date."""
    books = []
    for n, book in enumerate(sorted(folder.glob("*.xlsx"))):
        wb = load_workbook(book)
        ws = wb["Items"]
        for m, row in enumerate(ws.iter_rows(min_row=9)):
            if row[1].value is None:
                continue
            ws[f"K{row[0].row}"] = f"Progress this quarter on row {m}."
            if m % 5 == 0:
                ws[f"H{row[0].row}"] = "GREEN"
        if n == 0:
            ws["I9"] = "2001-01"
        data = io.BytesIO()
        wb.save(data)
        books.append((book.name, data.getvalue()))
    return books


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="workbooks"; filename="{filename}"\r\n'
                     "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token"
    return match.group(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--owners", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "data", Path(tmp) / "build"
        data.mkdir()
        path = paper(data, args.items, args.owners)
        folder = out / "returns" / path.stem
        write_round(prepare(path, path.name), path.name, folder, ROOT / "templates")
        books = filled(folder, out)
        database = data / store.DEFAULT_NAME
        with store.connect(database) as db:
            accounts.add_user(db, "editor", "editor", PASSWORD)
        app = create_app(data, out, database)
        server = make_server(app, "127.0.0.1", 0, threads=8)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.effective_port}"
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            page = opener.open(f"{url}/sign-in").read().decode()
            form = urllib.parse.urlencode({"name": "editor", "password": PASSWORD, "csrf_token": csrf(page)}).encode()
            opener.open(f"{url}/sign-in", form).read()
            page = opener.open(f"{url}/papers/{path.stem}/returns").read().decode()
            rows = sum(load_workbook(io.BytesIO(b), read_only=True)["Items"].max_row - 8 for _, b in books)
            size = sum(len(b) for _, b in books)
            print(f"{len(books)} workbooks ({size / 1e6:.1f} MB, {rows} rows) for a {args.items}-item paper; "
                  f"{os.cpu_count()} cores, load {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
            times = []
            for _ in range(args.runs):
                body, kind = multipart({"csrf_token": csrf(page)}, books)
                start = time.perf_counter()
                request = urllib.request.Request(f"{url}/papers/{path.stem}/returns/upload", body, {"Content-Type": kind})  # noqa: S310 - loopback
                answer = opener.open(request)  # noqa: S310 - loopback
                shown = answer.read().decode()
                times.append(time.perf_counter() - start)
                changes = re.search(r"Changes to merge \((\d+)\)", shown)
                refused = re.search(r"Refused \((\d+)\)", shown)
                assert changes and refused, shown[:2000]
                print(f"  upload + dry run: {times[-1]:.2f} s ({changes.group(1)} changes, {refused.group(1)} refused)")
            print(f"median {statistics.median(times):.2f} s, slowest {max(times):.2f} s (goal < 5 s)")
        finally:
            server.close()
            server.task_dispatcher.shutdown()
            thread.join(timeout=5)


if __name__ == "__main__":
    main()
