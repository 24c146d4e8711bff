"""The quarter's commands: roll, returns (and its --status), merge, import, new."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, TextIO

from ..errors import DataError, UsageError
from ..text import plural


def run_roll(args: argparse.Namespace, out: TextIO) -> int:
    from ..roll import roll

    rolled = roll(args.file, args.to, args.output, drop_done=args.drop_done, label=str(args.file), archive_previous=args.archive_previous)
    print(f"wrote {rolled.path}: period {rolled.period}, previous {args.file.name}; "
          f"{plural(rolled.greens, 'NEW GREEN')} now GREEN", file=out)
    for title in rolled.dropped:
        print(f"  left out (every item done): {title}", file=out)
    if rolled.archived:
        print(f"marked {args.file} archived: a build of its folder no longer rebuilds it or warns about it", file=out)
    else:
        print(f"{args.file} is still built and checked with the others; to stop that, add `archived: true` under its "
              "`paper:` (or roll with --archive-previous)", file=out)
    print(f"next: collect the updates, then `generate.py check {rolled.path}`", file=out)
    return 0


def run_returns(args: argparse.Namespace, out: TextIO) -> int:
    from ..chain import prepare
    from ..drafts import MailSettings, send
    from ..model import parse_when
    from ..palette import palette_for
    from ..round import ROUND_FILE, Round, record_sent, round_lock, when_words
    from ..round_files import write_round
    from ..write import write_atomic

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
        print(f"wrote {plural(len(books), 'workbook')} and their e-mail drafts to {folder}/ (updates wanted by {when_words(state.return_by)}):", file=out)
    else:
        print(f"{args.file}: no open items owned inside the force; no workbooks written", file=out)
    for owner, part in state.owners.items():
        to = part.to or "no address: add one to owners.yaml"
        print(f"  {part.workbook}: {owner}, {plural(len(part.items), 'row')}, to {to}" + (f", copy to {part.cc}" if part.cc else ""), file=out)
    for body, count in state.outside.items():
        print(f"  left out: {body}, {plural(count, 'item')} (outside the force; --include-outside to send them a workbook)", file=out)
    if state.unowned:
        print(f"{plural(len(state.unowned), 'open item')} without an owner, so in no workbook: give each an `owner:` "
              "(or --include-unowned for one workbook of them)", file=out)
        for line in state.unowned:
            print(f"  {line}", file=out)
    for path in old:
        print(f"removed {path.name} of an earlier round", file=out)
    if settings is not None and made.drafts:
        with round_lock(folder):
            went = send(made.drafts, settings)
            write_atomic(folder / ROUND_FILE, record_sent(Round.read(folder) or state, went).to_json())
        print(f"sent {plural(len(went), 'message')} by {settings.host}", file=out)
    elif made.drafts:
        print(f"next: open each .eml in {folder}/ (Outlook opens it as a draft) and send it; then `generate.py returns {args.file} --status`", file=out)
    return 0


def _run_round_status(args: argparse.Namespace, paper: Any, folder: Path, settings: Any, out: TextIO) -> int:
    import datetime as dt

    from ..drafts import send
    from ..round import Round, chase_list, next_meeting, reminders, when_words
    from ..write import commit_outputs

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
        print(f"  {line.owner}: {sent}; {back}; {merged}; {len(line.missing)} of {plural(len(part.items), 'row')} still without an update",
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
            print(f"sent {plural(len(went), 'reminder')} by {settings.host}", file=out)
        else:
            files = {folder / ("reminder-" + state.owners[d.owner].draft): d.eml() for d in drafts}
            commit_outputs(files)
            print(f"wrote {plural(len(files), 'reminder draft')} to {folder}/", file=out)
            for path in files:
                print(f"  {path.name}", file=out)
    return 0


def run_merge(args: argparse.Namespace, out: TextIO) -> int:
    from ..intake.returns import Merged, merge
    from ..round import ROUND_FILE, Round, already_merged, book_digest, record_merge, round_lock
    from ..write import write_atomic

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
        print(f"merged {plural(len(merged.changes), 'change')} into {args.file}", file=out)
    else:
        print(f"--dry-run: {plural(len(merged.changes), 'change')} would be merged into {args.file}; nothing was written", file=out)
    if state is not None and not args.dry_run:
        with round_lock(folder):
            now = Round.read(folder) or state
            digests = {owner: book_digest(book) for owner, book in merged.books.items()}
            write_atomic(folder / ROUND_FILE, record_merge(now, merged.owners, digests, written=merged.written).to_json())
    return 0


def run_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..intake.word import write_import
    from ..start import period

    imported = write_import(args.docx, args.output, data_dir=args.data, label=str(args.docx),
                            period=period(args.period) if args.period else None)
    print(f"imported {args.docx} into {imported.path}:", file=out)
    for line in imported.summary():
        print(f"  {line}", file=out)
    for finding in imported.findings:
        print(finding, file=err)
    print(f"{plural(len(imported.warnings), 'warning')}; next: review the file, then `generate.py check {imported.path}`", file=out)
    return 0


def run_new(args: argparse.Namespace, out: TextIO) -> int:
    from ..paperfile import PaperFile
    from ..start import NewPaper, from_sheet, period, starter_text

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
