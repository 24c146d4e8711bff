"""The owners directory (`data/owners.yaml`): who answers for items, and where their returns go.

Items name their owner (`owner:`, or `lead:` for a WHITE item) by the name the directory keys
them by. The directory gives each owner an e-mail address, an optional deputy (copied in on
every message) and whether they are inside the force: an outside body (the CPS, the Home
Office) gets no workbook unless asked for. The file is checked like a paper: every problem
with its line, an owner's name misspelt in a paper with a "did you mean".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import DataError, Problem
from .load import Source, load_text, read_bounded
from .model import DONE, Paper
from .names import MAX_FILE_BYTES, OWNERS_FILE

ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
"""An e-mail address as a directory holds it: one plain address, no name, no spaces or angle brackets."""
ADDRESS_FORM = "one plain address such as firstname.lastname@cityoflondon.police.uk"


class Owner(BaseModel):
    """One owner: an officer, a department or an outside body, as items name them."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, use_attribute_docstrings=True)

    email: str | None = None
    """Where their workbook and reminders go; required for an owner inside the force."""
    deputy: str | None = None
    """Copied in on every message: another owner's name in this file, or an e-mail address."""
    inside: bool = True
    """False for a body outside the force: it gets no workbook unless asked for (`--include-outside`)."""

    @field_validator("email")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not ADDRESS.match(value):
            raise ValueError(f"'{value}' is not an e-mail address; write {ADDRESS_FORM}")
        return value


class Directory(BaseModel):
    """The whole owners file."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    owners: dict[str, Owner] = Field(min_length=1)
    """Every owner, by the name items use."""

    def inside(self, name: str) -> bool:
        owner = self.owners.get(name)
        return owner is None or owner.inside

    def addresses(self, name: str) -> tuple[str | None, str | None]:
        """(To, Cc) for an owner: their address, and their deputy's."""
        owner = self.owners.get(name)
        if owner is None:
            return None, None
        deputy = owner.deputy
        if deputy is not None and not ADDRESS.match(deputy):
            deputy = self.owners[deputy].email if deputy in self.owners else None
        return owner.email, deputy


def owners_path(data_dir: Path) -> Path:
    return data_dir / OWNERS_FILE


def _problem(source: Source, err: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = ["owners"] if len(loc) == 1 else list(Owner.model_fields)
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return source.problem(loc, f"unknown key '{name}'{hint}; allowed: {', '.join(allowed)}", key=True)
    if kind == "missing":
        return source.problem(loc[:-1], f"'{loc[-1]}' is missing; it is required here")
    if kind == "value_error":
        return source.problem(loc, str(err["ctx"]["error"]))
    if kind in ("dict_type", "model_type"):
        return source.problem(loc, "must be a block of keys (`email:`, `deputy:`, `inside:`) under the owner's name")
    if kind == "bool_type" or kind == "bool_parsing":
        return source.problem(loc, f"must be true or false (found {err.get('input')!r})")
    if kind == "too_short":
        return source.problem(loc, "name at least one owner")
    return source.problem(loc, err["msg"])


def load_directory(path: Path, label: str | None = None) -> Directory:
    """The owners directory, checked; DataError with every problem, each with its line."""
    label = label or str(path)
    text = read_bounded(path, label, MAX_FILE_BYTES, "an owners file").decode("utf-8-sig", errors="strict")
    return directory_of(text, path, label)


def directory_of(text: str, path: Path, label: str | None = None) -> Directory:
    """The owners directory `text` makes as the file at `path`, checked; DataError with every problem, each with its line."""
    source = load_text(text, path, label or str(path))
    problems = list(source.problems)
    try:
        directory = Directory.model_validate(source.data if source.data is not None else {})
    except ValidationError as exc:
        raise DataError(problems + [_problem(source, e) for e in exc.errors(include_url=False)]) from None
    for name, owner in directory.owners.items():
        where = ("owners", name)
        if owner.inside and owner.email is None:
            problems.append(source.problem(where, f"{name} is inside the force but has no `email:`; "
                                                  "add their address, or `inside: false` for a body outside the force", key=True))
        if owner.deputy is not None and not ADDRESS.match(owner.deputy):
            if owner.deputy == name:
                problems.append(source.problem((*where, "deputy"), "an owner cannot be their own deputy"))
            elif owner.deputy not in directory.owners:
                problems.append(source.problem((*where, "deputy"), f"'{owner.deputy}' is not an owner in this file"
                                               f"{_did_you_mean(owner.deputy, directory.owners)} nor an e-mail address; "
                                               f"name an owner above or write {ADDRESS_FORM}"))
            elif directory.owners[owner.deputy].email is None:
                problems.append(source.problem((*where, "deputy"), f"the deputy {owner.deputy} has no `email:` to copy them in at"))
    if [p for p in problems if p.severity == "error"]:
        raise DataError(problems)
    return directory


def _did_you_mean(name: str, names: Iterable[str]) -> str:
    known = list(names)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6) or [n for n in known if n.lower() == name.lower()]
    return f" (did you mean {close[0]}?)" if close else ""


def unknown_names(directory: Directory, source: Source) -> list[Problem]:
    """Owners and leads a paper names that the directory does not know (warnings, with their lines)."""
    found: list[Problem] = []
    data = source.data if isinstance(source.data, dict) else {}
    for r, report in enumerate(data.get("reports") or []):
        if not isinstance(report, dict):
            continue
        for i, item in enumerate(report.get("items") or []):
            if not isinstance(item, dict):
                continue
            for key in ("owner", "lead"):
                name = item.get(key)
                if isinstance(name, str) and name.strip() and name.strip() not in directory.owners:
                    loc = ("reports", r, "items", i, key)
                    found.append(source.problem(loc, f"'{name}' is not in {OWNERS_FILE}{_did_you_mean(name, directory.owners)}; "
                                                     "add them there, or use the name it gives them", severity="warning"))
    return found


def directory_near(path: Path) -> tuple[Directory | None, list[Problem]]:
    """The owners directory beside a paper (or in a data folder), and its problems; (None, []) when there is none."""
    where = owners_path(path if path.is_dir() else path.parent)
    if not where.is_file():
        return None, []
    try:
        return load_directory(where, str(where)), []
    except DataError as exc:
        return None, exc.problems


def name_warnings(path: Path, label: str, raw: bytes) -> list[Problem]:
    """Owners and leads of the paper (as read) that its folder's directory does not know."""
    directory, _problems = directory_near(path)  # the directory's own problems are `check`'s to print, once
    if directory is None:
        return []
    try:
        source = load_text(raw.decode("utf-8-sig"), path, label)
    except (DataError, UnicodeDecodeError):
        return []  # the paper's own problems are reported already
    return unknown_names(directory, source)


# --- who gets a workbook ------------------------------------------------------------------------


@dataclass(frozen=True)
class Routed:
    """Who is sent which open items, and what is left out and why."""

    to: dict[str, list[Any]]
    """Owner name -> the entries their workbook holds, in the paper's order."""
    outside: dict[str, list[Any]]
    """Bodies outside the force (and WHITE items' leads) whose items were left out."""
    unowned: list[Any]
    """Open items with nobody to answer for them: they need an `owner:`."""


def route(entries: Iterable[tuple[str | None, bool, Any]], directory: Directory | None, *, include_outside: bool = False) -> Routed:
    """Route open entries, each given as (who answers for it, whether that is an outside lead, entry).

    Items owned inside the force go to their owner. WHITE items' leads and owners the directory
    marks outside are left out unless `include_outside`. Items with nobody are listed, never bundled.
    """
    to: dict[str, list[Any]] = {}
    outside: dict[str, list[Any]] = {}
    unowned: list[Any] = []
    for name, lead, entry in entries:
        if not name:
            unowned.append(entry)
        elif (lead or (directory is not None and not directory.inside(name))) and not include_outside:
            outside.setdefault(name, []).append(entry)
        else:
            to.setdefault(name, []).append(entry)
    return Routed(to, outside, unowned)


def holders(paper: Paper) -> Iterator[tuple[str | None, bool, Any, Any]]:
    """(who answers, whether that is a WHITE item's lead, report, item) for every open item of a paper."""
    for report in paper.reports:
        for item in report.items:
            if item.status in DONE:
                continue
            if item.owner:
                yield item.owner, False, report, item
            elif item.status == "WHITE" and item.lead:
                yield item.lead, True, report, item
            else:
                yield None, False, report, item

