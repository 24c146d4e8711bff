"""The papers, a paper's items, an item's form, and the downloads of a paper's built files.

Everything read goes through the library: `build.prepare` (check's load, rules and the chain
of previous papers), `derive.view` (what the paper's HTML shows) and `edit.edit_item` (the one
way an item is changed). A paper is named in a URL by its file's stem, and only names in the
list of papers in the data folder are accepted; downloads come from the build folder by fixed
names, so no URL reaches any other file.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, send_file, url_for

from ..build import find_papers
from ..chain import Checked
from ..derive import PaperView, Row, count_statuses, view
from ..edit import FIELDS, KEPT, Edited, ItemAt, ItemEdit, due_text, edit_item, item_changes, item_fingerprint, item_of_problem, version_of
from ..errors import BoardpackError, DataError
from ..history import excerpt
from ..identity import entry_key
from ..identity import index as key_index
from ..load import load_text
from ..model import STATUSES, Item, Paper, current_due, is_overdue
from ..palette import palette_for
from ..task_edit import LABELS as TASK_LABELS
from ..task_edit import NEW, TaskEdit, from_form, groups_of
from ..validate import validate
from . import history
from .cache import checked as checked  # re-exported: the other pages read papers through it
from .cache import derived, prime
from .shared import address, db, error_page, needs

bp = Blueprint("papers", __name__)

DOWNLOADS = {
    "pdf": ("PDF", "{}.pdf", "application/pdf"),
    "docx": ("Word", "{}.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "html": ("HTML", "{}.html", "text/html"),
    "xlsx": ("Annex (Excel)", "{}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("Annex (CSV)", "{}.csv", "text/csv"),
    "cover-pdf": ("Cover report (PDF)", "{}-cover.pdf", "application/pdf"),
    "cover-docx": ("Cover report (Word)", "{}-cover.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
"""What a paper's downloads are: the build's files by fixed names, nothing else."""

def papers() -> dict[str, Path]:
    """Every paper in the data folder, by name (the file's stem)."""
    try:
        found = find_papers(None, current_app.config["DATA"])
    except DataError:
        return {}
    return {path.stem: path for path in found}


def paper_path(name: str) -> Path:
    path = papers().get(name)
    if path is None:
        abort(404)
    return path


def paper_view(name: str, result: Checked) -> PaperView | None:
    """What the paper's HTML shows, made once per checked version of the paper."""
    resolved = result.resolved
    if resolved is None:
        return None
    templates = current_app.config["PAPER_TEMPLATES"]
    return derived(result, f"view {name} {templates}",
                   lambda: view(resolved.paper, name, resolved.changes, palette_for(templates)))


@dataclass
class Line:
    """One item of a paper, as the paper's table lists it."""

    at: ItemAt
    report: str
    ref: str
    text: str
    status: str | None
    due: str
    owner: str
    overdue: bool
    problems: list[tuple[str, str, str]]
    """check's problems with the item: (severity, message, the form field it concerns)."""
    key: str = ""
    """The item's identity: its page's address."""


def lines(paper: Paper, result: Checked) -> list[Line]:
    """The paper's items as its table lists them (made once per checked version; not to be changed)."""
    return derived(result, "lines", lambda: _lines(paper, result))


def _lines(paper: Paper, result: Checked) -> list[Line]:
    period = paper.paper.period
    counted: dict[ItemAt, list[tuple[str, str, str]]] = {}
    for problem in result.problems:
        found = item_of_problem(problem)
        if found is not None:
            counted.setdefault(found[0], []).append((problem.severity, problem.message, _anchor(found[1])))
    out = []
    for r, report in enumerate(paper.reports):
        for i, item in enumerate(report.items):
            at = ItemAt(r, i)
            current = current_due(item.due)
            out.append(Line(at, report.title, item.ref or "–", excerpt(" ".join(item.text.split()), 90), item.status,
                            str(current) if current else "", item.owner or (item.lead or ""),
                            is_overdue(item.status, item.due, period), counted.get(at, []), entry_key(report, item)))
    return out


def built(name: str) -> tuple[str | None, list[tuple[str, str]]]:
    """When the paper was last built, and which of its files are in the build folder."""
    out: Path = current_app.config["OUT"]
    present = []
    newest = 0.0
    for key, (label, pattern, _) in DOWNLOADS.items():
        file = out / pattern.format(name)
        if file.is_file():
            present.append((key, label))
            newest = max(newest, file.stat().st_mtime)
    when = history.when_words(dt.datetime.fromtimestamp(newest, dt.UTC).isoformat(timespec="seconds")) if newest else None
    return when, present


@bp.route("/")
def index() -> Any:
    rows = []
    for name, path in papers().items():
        result = checked(path)
        paper = result.paper
        when, files = built(name)
        rows.append({
            "name": name, "paper": paper, "period": str(paper.paper.period) if paper else "",
            "committee": paper.paper.committee if paper else "", "title": paper.paper.title if paper else path.name,
            "counts": [(s, n) for s, n in sorted(count_statuses(i for r in paper.reports for i in r.items).items(),
                                                 key=lambda kv: STATUSES.index(kv[0]) if kv[0] in STATUSES else 99)] if paper else [],
            "overdue": sum(line.overdue for line in lines(paper, result)) if paper else 0,
            "errors": len(result.errors), "warnings": len(result.warnings), "built": when, "files": files,
        })
    return render_template("papers.html", rows=rows)


@bp.route("/papers/<name>")
def paper(name: str) -> Any:
    path = paper_path(name)
    result = checked(path)
    when, files = built(name)
    if result.paper is None:
        return render_template("paper.html", name=name, result=result, paper=None, lines=[], shown=[], filters={},
                               owners=[], problems=_problems(result), built=when, files=files, statuses=STATUSES)
    every = lines(result.paper, result)
    filters = {key: request.args.get(key, "") for key in ("status", "owner", "report", "overdue")}
    shown = [line for line in every
             if (not filters["status"] or (line.status or "none") == filters["status"])
             and (not filters["owner"] or line.owner == filters["owner"])
             and (not filters["report"] or str(line.at.report) == filters["report"])
             and (not filters["overdue"] or line.overdue)]
    owners = sorted({line.owner for line in every if line.owner})
    return render_template("paper.html", name=name, result=result, paper=result.paper, lines=every, shown=shown, filters=filters,
                           owners=owners, problems=_problems(result), built=when, files=files, statuses=STATUSES)


def _problems(result: Checked) -> list[dict[str, Any]]:
    out = []
    for problem in result.problems:
        found = item_of_problem(problem)
        at = found[0] if found else None
        key = item_key(result.paper, at) if at is not None and result.paper is not None and at.find(result.paper) is not None else ""
        out.append({"problem": problem, "at": at if key else None, "key": key, "field": _anchor(found[1]) if found else ""})
    return out


def _anchor(rest: str) -> str:
    name = rest.lstrip(".").split(".")[0].split("[")[0]
    return name if name in ("status", "due", "rationale", "owner") else ""


# --- an item ---------------------------------------------------------------------------------


def _rendered(name: str, result: Checked, at: ItemAt) -> tuple[PaperView | None, list[Row]]:
    """The item's rows as the paper's HTML prints them: the item, then its tasks."""
    shown = paper_view(name, result)
    if shown is None or result.resolved is None:
        return shown, []
    printed = sum(1 for report in result.resolved.paper.reports[:at.report] if report.items)  # the paper leaves out empty reports
    if printed >= len(shown.reports):
        return shown, []
    rows = shown.reports[printed].rows
    items = [n for n, row in enumerate(rows) if row.kind == "item"]
    if at.item >= len(items):
        return shown, []
    start = items[at.item]
    end = items[at.item + 1] if at.item + 1 < len(items) else len(rows)
    return shown, list(rows[start:end])


def _item_page(name: str, path: Path, at: ItemAt, *, values: dict[str, str] | None = None, edited: Edited | None = None,
               conflict: dict[str, Any] | None = None, saved: str | None = None, status: int = 200) -> Any:
    result = checked(path)
    if result.paper is None:
        return render_template("item_broken.html", name=name, problems=_problems(result)), 409
    item = at.find(result.paper)
    if item is None:
        abort(404)
    report = result.paper.reports[at.report]
    data = path.read_bytes()
    form = values or {"status": item.status or "", "due": due_text(item), "reason": "", "update": "",
                      "rationale": item.rationale or "", "owner": item.owner or ""}
    shown_values = {key: form[key] for key in KEPT} if values is None else {key: request.form.get(f"shown_{key}", "") for key in KEPT}
    shown, rows = _rendered(name, result, at)
    key = entry_key(report, item)
    base = {"version": version_of(data), "fingerprint": item_fingerprint(item), "key": key}
    if values is not None and conflict is None:
        base = {k: request.form.get(k, "") for k in ("version", "fingerprint", "key")}
    mine = [p for p in result.problems if (found := item_of_problem(p)) is not None and found[0] == at]
    groups = _task_groups(item, values is not None)
    return render_template(
        "item.html", name=name, paper=result.paper, report=report, item=item, at=at, form=form, statuses=STATUSES,
        errors=(edited.problems if edited else {}), warnings=(edited.warnings if edited else {}), base=base,
        view=shown, rows=rows, conflict=conflict, shown=shown_values, saved=saved, fields=FIELDS, check_problems=mine,
        tasks=groups, task_labels=TASK_LABELS, task_labels_by_field=_task_labels(groups),
        due_history=[str(step.date) + (f" ({step.note})" if step.note else "") if step.date else (step.words or "") for step in item.due],
        comment_label="Comment" if result.paper.paper.layout == "tracker" else "Force Progress & Response",
    ), status


def _task_groups(item: Item, sent: bool) -> list[TaskEdit]:
    """The form's groups of task fields: as the item has them, or as the person sent them (and an empty one to add a task)."""
    if not sent:
        return groups_of(item)
    groups = from_form(request.form)
    if not any(group.group == NEW for group in groups):
        groups.append(groups_of(item)[-1])
    return groups


def _task_labels(groups: list[TaskEdit]) -> dict[str, str]:
    """Each task field's name in the error summary: 'Task 1.2: Status'."""
    return {f"task-{group.group}-{name}": f"{'Task ' + group.was if group.was else 'New task'}: {label}"
            for group in groups for name, label in TASK_LABELS.items()}


def item_key(paper: Paper, at: ItemAt) -> str:
    """The item's identity (`identity.entry_key`), as its page's address carries it."""
    report = paper.reports[at.report]
    return entry_key(report, report.items[at.item])


def _found(path: Path, key: str) -> ItemAt | None:
    """Where the item with this identity is in the paper as it is now (None: not there, or the paper does not check)."""
    result = checked(path)
    paper = result.paper
    if paper is None:
        return None
    place = derived(result, "index", lambda: key_index(paper.reports)).get(key)
    return ItemAt(place[0], place[1]) if place is not None and place[2] is None else None


@bp.route("/papers/<name>/item/<path:key>")
def item(name: str, key: str) -> Any:
    path = paper_path(name)
    at = _found(path, key)
    if at is None:
        if checked(path).paper is None:
            return _item_page(name, path, ItemAt(0, 0))  # the page that says the paper does not check
        abort(404)
    return _item_page(name, path, at, saved=request.args.get("saved"))


@bp.route("/papers/<name>/items/<int:report>/<int:item>")
def item_at(name: str, report: int, item: int) -> Any:
    """An item's earlier address, by its place in the paper: sent on to its address by identity."""
    path = paper_path(name)
    paper = checked(path).paper
    if paper is None:
        return _item_page(name, path, ItemAt(report, item))
    if ItemAt(report, item).find(paper) is None:
        abort(404)
    return redirect(url_for("papers.item", name=name, key=item_key(paper, ItemAt(report, item)), saved=request.args.get("saved")),
                    code=301)


@bp.route("/papers/<name>/item/<path:key>", methods=["POST"])
@needs("editor")
def save(name: str, key: str) -> Any:
    path = paper_path(name)
    at = _found(path, key)
    if at is None:
        abort(404)
    return _save(name, path, at)


@bp.route("/papers/<name>/items/<int:report>/<int:item>", methods=["POST"])
@needs("editor")
def save_at(name: str, report: int, item: int) -> Any:
    """A form opened at an item's earlier address still saves (the form's identity finds the item if it moved)."""
    return _save(name, paper_path(name), ItemAt(report, item))


def _save(name: str, path: Path, at: ItemAt) -> Any:
    values = {key: request.form.get(key, "") for key in FIELDS}
    sent_shown = {key: request.form[f"shown_{key}"] for key in KEPT if f"shown_{key}" in request.form}
    edit = ItemEdit.of(values, sent_shown if len(sent_shown) == len(KEPT) else None, tasks=from_form(request.form))
    key = request.form.get("key") or None  # the item's identity when the form was opened
    base = (request.form.get("version", ""), request.form.get("fingerprint", ""))
    if not all(base):
        abort(400)
    user = g.user.name

    written: list[bytes] = []

    def record(before: bytes, after: bytes, done: Edited) -> None:
        _record_before(name, path, before)
        history.record(db(), name, version_of(after), after.decode("utf-8"), user, done.changes)
        written.append(after)

    try:
        result = edit_item(path, at, edit, user, key=key, base=base, label=path.name, saved=record)
    except BoardpackError as exc:
        edited = Edited()
        edited.add("", str(exc))
        return _item_page(name, path, at, values=values, edited=edited, status=409)
    where = result.at or at
    if result.conflict is not None:
        other = history.by_hash(db(), name, result.version)
        who, when = (other.who, other.when) if other else (history.OUTSIDE, _mtime(path))
        conflict = {"who": who, "when": when, "item": result.conflict, "due": due_text(result.conflict)}
        return _item_page(name, path, where, values=values, conflict=conflict, status=409)
    if result.text is None:
        return _item_page(name, path, where, values=values, edited=result, status=400)
    history.audit(db(), user, "item changed", name, "; ".join(result.changes), address())
    if written and result.loaded is not None:
        prime(path, written[0], result.loaded)
    saved = checked(path).paper
    target = item_key(saved, where) if saved is not None and where.find(saved) is not None else request.form.get("key", "")
    return redirect(url_for("papers.item", name=name, key=target, saved="1") + "#saved")


def _mtime(path: Path) -> str:
    return history.when_words(dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds"))


def _record_before(name: str, path: Path, before: bytes) -> None:
    """Keep the file as it was before a save, if the workspace has not seen it (a merge, a hand edit)."""
    digest = version_of(before)
    last = history.latest(db(), name)
    if last is not None and last.hash == digest:
        return
    text = before.decode("utf-8-sig")
    if last is None:
        changes = ["the first version the workspace saw"]
    else:
        kept = history.get(db(), name, last.id)
        now = _parsed(text, path)
        changes = item_changes(_parsed(kept[1], path) if kept else None, now) if now is not None else ["changed by hand"]
    history.record(db(), name, digest, text, history.OUTSIDE, changes or ["layout or comments changed"], at=_iso_mtime(path))


def _iso_mtime(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")


def _parsed(text: str, path: Path) -> Paper | None:
    try:
        paper, _ = validate(load_text(text, path, path.name))
    except DataError:
        return None
    return paper


# --- downloads -------------------------------------------------------------------------------


@bp.route("/papers/<name>/download/<kind>")
def download(name: str, kind: str) -> Any:
    paper_path(name)
    if kind not in DOWNLOADS:
        abort(404)
    label, pattern, mime = DOWNLOADS[kind]
    file = current_app.config["OUT"] / pattern.format(name)
    if not file.is_file():
        return error_page(404, f"The {label} of {name} has not been built yet. It is made by a build of the paper.")
    history.audit(db(), g.user.name, "downloaded", name, file.name, address())
    return send_file(file.resolve(), mimetype=mime, as_attachment=True, download_name=file.name, max_age=0)


@bp.route("/papers/<name>/download.zip")
def download_all(name: str) -> Any:
    """Every built file of the paper in one zip, for the committee clerk."""
    paper_path(name)
    out: Path = current_app.config["OUT"]
    files = [out / DOWNLOADS[kind][1].format(name) for kind, _ in built(name)[1]]
    if not files:
        return error_page(404, f"Nothing of {name} has been built yet. It is made by a build of the paper.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for file in files:
            bundle.write(file.resolve(), arcname=file.name)
    history.audit(db(), g.user.name, "downloaded", name, f"{name}.zip: {', '.join(f.name for f in files)}", address())
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=f"{name}.zip", max_age=0)


@bp.route("/palette.css")
def palette_css() -> Any:
    """The status colours of the papers' palette (templates/palette.yaml), as a style sheet."""
    palette = palette_for(current_app.config["PAPER_TEMPLATES"])
    rules = []
    for status in STATUSES:
        colour = palette[status]
        css = status.lower().replace(" ", "-")
        rules.append(f".rag-{css} {{ background-color: #{colour.fill}; color: #{colour.ink}; }}")
    return current_app.response_class("\n".join(rules) + "\n", mimetype="text/css")
