"""Generated papers: valid ones build in every format, near-valid ones fail with a located error.

Papers are drawn from the model's own JSON schema (hypothesis-jsonschema), narrowed to sizes a
test can build quickly, then given what the rules beyond the schema need (a status in the
tracker layout, a rationale for RED, a lead for WHITE, unique refs, due dates in order).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from boardpack.build import build
from boardpack.chain import prepare
from boardpack.errors import DataError
from boardpack.identity import slug
from boardpack.load import load_text
from boardpack.model import Paper
from boardpack.validate import validate

from ..conftest import run

WORDS = r"^[A-Za-z0-9][A-Za-z0-9 ,.'&()-]{0,24}$"
MONTH = r"^20[0-3][0-9]-(0[1-9]|1[0-2])$"


def _narrow(node: Any, key: str | None = None) -> Any:
    """The model's schema with small lists, short plain strings and dates as the files write them."""
    if isinstance(node, list):
        return [_narrow(n, key) for n in node]
    if not isinstance(node, dict):
        return node
    if node.get("$ref") == "#/$defs/When":
        return {"type": "string", "pattern": MONTH}
    out = {k: _narrow(v, key if k == "anyOf" else k) for k, v in node.items()}
    if out.get("type") == "string" and "enum" not in out and "pattern" not in out:
        # refs are short labels ("3a", "12.1"); a longer one wraps in the No. column, which is fine on paper
        out["pattern"] = r"^[0-9][0-9A-Za-z.]{0,3}$" if key == "ref" else WORDS
    if out.get("type") == "array":
        out["maxItems"] = 2 if key in ("tasks", "due") else 3
    if out.get("type") == "object" and "additionalProperties" in out and isinstance(out["additionalProperties"], dict):
        out["maxProperties"] = 2  # the legend
    return out


def _schema() -> dict[str, Any]:
    schema = _narrow(Paper.model_json_schema())
    schema["properties"].pop("cover", None)  # its own outputs; covered by the summary tests
    info = schema["$defs"]["PaperInfo"]["properties"]
    info.pop("previous", None)  # names another file
    for name in ("Report", "Item", "Task"):
        props = schema["$defs"][name]["properties"]
        for key in list(props):
            if key in ("id",):
                props.pop(key)
    schema["properties"]["reports"]["maxItems"] = 2
    schema["$defs"]["Report"]["properties"]["items"]["minItems"] = 1  # a paper with something to show
    return schema


SCHEMA = _schema()


def _fit(data: dict[str, Any]) -> dict[str, Any]:
    """Give a schema-valid paper what the rules beyond the schema ask for."""
    tracker = data["paper"]["layout"] == "tracker"
    titles: set[str] = set()
    for r, report in enumerate(data["reports"]):
        if slug(report["title"]) in titles:  # each report its own identity (the title's slug)
            report["title"] = f"{report['title']} {r}"
        titles.add(slug(report["title"]))
        texts = [item for item in report.get("items") or [] if not item.get("ref")]
        for n, item in enumerate(texts[1:], start=1):  # each unnumbered item its own (its text)
            if any(" ".join(item["text"].split()) == " ".join(other["text"].split()) for other in texts[:n]):
                item["text"] = f"{item['text']} ({n})"
        totals = report.get("totals")
        if isinstance(totals, dict):  # published totals that hold together and hold the force's own rows
            own = sum(1 for item in report.get("items") or [] if not item.get("for_body"))
            if totals.get("for_force") is not None:
                totals["for_force"] = max(totals["for_force"], (totals.get("completed_before") or 0) + own)
            if totals.get("made") is not None and totals.get("for_force") is not None:
                totals["made"] = max(totals["made"], totals["for_force"])
        seen: set[str] = set()
        for n, item in enumerate(report.get("items") or []):
            entries = [item, *(item.get("tasks") or [])]
            task_refs: set[str] = set()
            for entry in entries:
                if tracker and entry is item and not entry.get("status"):
                    entry["status"] = "AMBER"
                if entry.get("status") == "RED" and not entry.get("rationale"):
                    entry["rationale"] = "No staff."
                if isinstance(entry.get("due"), list):
                    entry["due"] = sorted(entry["due"], key=lambda s: (s.get("date") or "") if isinstance(s, dict) else s)  # words first
            if item.get("status") == "WHITE" and not item.get("lead"):
                item["lead"] = "Home Office"
            if item.get("ref"):
                while item["ref"] in seen:
                    item["ref"] = f"{item['ref']}{n}"[-5:] if len(item["ref"]) < 5 else f"{n}"
                seen.add(item["ref"])
            for task in item.get("tasks") or []:
                while task["ref"] in task_refs:
                    task["ref"] = f"{task['ref']}x"
                task_refs.add(task["ref"])
    return data


papers = from_schema(SCHEMA).map(_fit)


def _write(folder: Path, data: dict[str, Any], name: str = "paper") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=papers)
def test_a_valid_generated_paper_builds_in_every_format(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]) -> None:
    folder = tmp_path_factory.mktemp("gen")
    path = _write(folder / "data", data)
    checked = prepare(path)
    assert checked.errors == [], checked.errors
    (result,) = build([path], out_dir=folder / "build", jobs=1)
    assert result.error is None, result.error
    html = (folder / "build" / "paper.html").read_text(encoding="utf-8")
    with pdfplumber.open(folder / "build" / "paper.pdf") as pdf:
        pdf_text = _flat(" ".join(page.extract_text() or "" for page in pdf.pages))
    docx = (folder / "build" / "paper.docx").read_bytes()
    assert docx[:2] == b"PK"
    for report in checked.paper.reports:
        for item in report.items:
            if item.ref:
                assert f">{item.ref}<" in html and item.ref in pdf_text
            if item.status:
                assert item.status in html and item.status.split()[-1] in pdf_text
    for fmt in ("xlsx", "csv"):
        assert (folder / "build" / f"paper.{fmt}").stat().st_size > 0


def _locate(text: str) -> list[Any]:
    source = load_text(text, Path("near.yaml"))
    paper, problems = validate(source)
    return [p for p in problems if p.severity == "error"]


MUTATIONS = ("status", "date", "unknown key", "wrong type", "missing text", "layout")


def _break(data: dict[str, Any], how: str) -> dict[str, Any] | None:
    data = copy.deepcopy(data)
    items = [item for report in data["reports"] for item in report.get("items") or []]
    if how == "layout":
        data["paper"]["layout"] = "table"
    elif how == "date":
        data["paper"]["period"] = "2021-13"
    elif not items:
        return None
    elif how == "status":
        items[0]["status"] = "PURPLE"
    elif how == "unknown key":
        items[0]["staus"] = "AMBER"
    elif how == "wrong type":
        items[0]["text"] = ["a", "list"]
    elif how == "missing text":
        items[0].pop("text")
    return data


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(data=papers, how=st.sampled_from(MUTATIONS))
def test_a_near_valid_paper_fails_with_a_line_inside_the_file(data: dict[str, Any], how: str) -> None:
    broken = _break(data, how)
    if broken is None:
        return
    text = yaml.safe_dump(broken, sort_keys=False, allow_unicode=True)
    lines = text.count("\n") + 1
    try:
        errors = _locate(text)
    except DataError as exc:
        errors = exc.problems
    assert errors, how
    for problem in errors:
        assert 1 <= problem.line <= lines, (how, str(problem))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_is_a_paper_or_a_located_error_never_a_crash(text: str) -> None:
    try:
        source = load_text(text, Path("fuzz.yaml"))
    except DataError as exc:
        assert exc.problems  # an error says where
        assert all(p.file == "fuzz.yaml" for p in exc.problems)
        return
    validate(source)


def test_a_near_valid_file_through_the_command_line_exits_1_without_a_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path / "data", {"paper": {"title": "T", "period": "2021-09", "committee": "C", "organisation": "O",
                                                "layout": "tracker"}, "reports": [{"title": "R", "items": [{"ref": "1", "text": "x",
                                                                                                              "status": "PURPLE"}]}]})
    code, _, err = run("check", str(path))
    assert code == 1 and "Traceback" not in err and f"{path}:" in err
