"""Hostile and careless input: every mistake is a message with a line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from boardpack import check
from boardpack.model import When, parse_when

from .conftest import minimal

def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)


def _only_error(path: Path):
    (result,) = check([path])
    assert len(result.errors) == 1, [str(p) for p in result.problems]
    return result.errors[0]


# --- dates as people type them -------------------------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), [
    ("September 2021", When(2021, 9)),
    ("Sept 2021", When(2021, 9)),
    ("Sep 2021", When(2021, 9)),
    ("sept 2021", When(2021, 9)),
    ("DECEMBER 2019", When(2019, 12)),
    ("30 September 2021", When(2021, 9, 30)),
    ("30 Sept 2021", When(2021, 9, 30)),
    ("5 aug 2021", When(2021, 8, 5)),
    ("30/09/2021", When(2021, 9, 30)),
    ("1/2/2021", When(2021, 2, 1)),
    ("2021-09", When(2021, 9)),
    ("2021-09-30", When(2021, 9, 30)),
])
def test_dates_as_people_type_them(paper_file, typed, meant) -> None:
    assert parse_when(typed) == meant
    data = minimal()
    data["paper"]["period"] = "2021-12"
    data["reports"][0]["items"][2]["due"] = typed
    data["reports"][0]["published"] = typed
    (result,) = check([paper_file(data)])
    assert result.errors == [] and result.paper is not None
    assert result.paper.reports[0].items[2].due[0].date == meant
    assert result.paper.reports[0].published == meant


@pytest.mark.parametrize(("typed", "why"), [
    ("31/02/2021", "there is no 31 February 2021"),
    ("31 February 2021", "there is no 31 February 2021"),
    ("2021-09-31", "there is no 31 September 2021"),
    ("2021-13", "there is no month 13"),
    ("September 30, 2021", "is not a date"),
    ("Septembre 2021", "is not a date"),
])
def test_impossible_dates_are_refused_with_the_accepted_forms(paper_file, typed, why) -> None:
    data = minimal()
    data["reports"][0]["items"][2]["due"] = typed
    error = _only_error(paper_file(data))
    assert error.where == "reports[0].items[2].due[0].date"
    assert why in error.message
    assert error.message.endswith("write 2021-09, September 2021, 2021-09-30 or 30 September 2021")
